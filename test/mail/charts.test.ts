import { describe, expect, it } from 'vitest';
import type { EChartsOption } from 'echarts';
import { alertTrendOption, dailyVolumeOption } from '../../reports/charts/options.js';
import { cjkFontFiles, hasCjkFont, renderPng, renderSvg } from '../../reports/charts/render.js';
import { baseOption, CHART_FONT_FAMILY } from '../../reports/charts/theme.js';
import { history } from './fixtures.js';
import { decodePng, differingPixels, inkPixels, PNG_SIGNATURE } from './png.js';

const days = history('2025-07-30');

describe('chart option builders', () => {
  it('alertTrendOption: the last 8 weeks in a dataset, bars, expected line, dashed upper bound, alert day marked', () => {
    const long = [...history('2025-06-01'), ...days];
    const option = alertTrendOption(long, '噪声扰民 · 昌吉市') as any;
    expect(option.animation).toBe(false);
    expect(option.textStyle.fontFamily).toBe(CHART_FONT_FAMILY);
    expect(option.title.text).toBe('噪声扰民 · 昌吉市');
    expect(option.dataset.source).toHaveLength(56);
    expect(option.dataset.source[0].date).toBe(days[0].date);
    expect(option.dataset.source.at(-1)).toMatchObject({ date: '2025-07-30', label: '07-30', count: 46, above: 1 });
    const [bars, expected, upper] = option.series;
    expect(bars).toMatchObject({ type: 'bar', name: '工单量', encode: { x: 'label', y: 'count' } });
    expect(expected).toMatchObject({ type: 'line', name: '预期', encode: { y: 'expected' } });
    expect(upper).toMatchObject({ type: 'line', name: '预警上限', encode: { y: 'upper' }, lineStyle: { type: 'dashed' } });
    expect(bars.markArea.data[0][0].xAxis).toBe('07-30');
    expect(bars.markPoint.data[0]).toMatchObject({ coord: ['07-30', 46], value: 46 });
    // One axis label a week, counted back from the alert day so that it always has its date.
    expect(option.xAxis.axisLabel.customValues).toHaveLength(8);
    expect(option.xAxis.axisLabel.customValues.at(-1)).toBe('07-30');
    // Data lives in the dataset only, and the option survives JSON (the dashboard may fetch it).
    expect(option.series.every((s: any) => s.data === undefined)).toBe(true);
    expect(JSON.parse(JSON.stringify(option))).toEqual(JSON.parse(JSON.stringify(alertTrendOption(long, '噪声扰民 · 昌吉市'))));
  });

  it('alertTrendOption: an explicit alert day, and no title block without a title', () => {
    const option = alertTrendOption(days, undefined, '2025-07-20') as any;
    expect(option.title).toBeUndefined();
    expect(option.series[0].markArea.data[0][0].xAxis).toBe('07-20');
  });

  it('dailyVolumeOption: counts, and the trailing 7-day mean from the seventh day', () => {
    const week = [5, 7, 9, 11, 13, 15, 17, 19].map((count, i) => ({ date: `2025-07-0${i + 1}`, count }));
    const plain = dailyVolumeOption(week) as any;
    expect(plain.series).toHaveLength(1);
    expect(plain.series[0]).toMatchObject({ type: 'line', name: '日工单量', encode: { x: 'label', y: 'count' } });
    const withMean = dailyVolumeOption(week, { title: '日工单量', movingAverage: true }) as any;
    expect(withMean.series[1]).toMatchObject({ name: '7 日均值', encode: { y: 'mean7' } });
    expect(withMean.dataset.source.map((d: any) => d.mean7)).toEqual([null, null, null, null, null, null, 11, 13]);
    expect(withMean.legend.data).toEqual(['日工单量', '7 日均值']);
    // five days of data (an export of 12-27 … 12-31) have no 7-day mean: no line, no legend entry
    const short = dailyVolumeOption(week.slice(0, 5), { movingAverage: true }) as any;
    expect(short.series.map((s: any) => s.name)).toEqual(['日工单量']);
    expect(short.legend).toBeUndefined();
  });
});

describe('server-side rendering', () => {
  it('renderSvg returns an SVG of the requested size with the Chinese labels as text', () => {
    const svg = renderSvg(alertTrendOption(days, '噪声扰民 · 昌吉市'), { width: 640, height: 320 });
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toMatch(/width="640" height="320"/);
    expect(svg).toContain('噪声扰民 · 昌吉市');
    expect(svg).toContain('预警上限');
  });

  it('renderPng returns a valid PNG of the requested size, and scale multiplies it', () => {
    const option = dailyVolumeOption(days, { title: '日工单量', movingAverage: true });
    const png = renderPng(option, { width: 480, height: 240 });
    expect(png.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
    const image = decodePng(png);
    expect([image.width, image.height]).toEqual([480, 240]);
    expect(inkPixels(image)).toBeGreaterThan(500); // axes, labels and the line were drawn on white
    const sharp = decodePng(renderPng(option, { width: 480, height: 240, scale: 2 }));
    expect([sharp.width, sharp.height]).toEqual([960, 480]);
  });

  it('renderPng still works when no CJK font file is given', () => {
    const image = decodePng(renderPng(alertTrendOption(days, '噪声扰民'), { width: 300, height: 150, fontFiles: [] }));
    expect([image.width, image.height]).toEqual([300, 150]);
  });

  it('draws real Chinese glyphs (not blanks, not boxes) with the CJK font', (ctx) => {
    if (!hasCjkFont()) ctx.skip('no CJK font found: install fonts-noto-cjk (apt-get install -y fonts-noto-cjk) to check Chinese glyphs');
    const title = (text: string): EChartsOption => ({ ...baseOption(), title: { text, left: 10, top: 10, textStyle: { fontSize: 56 } } });
    const render = (text: string) => decodePng(renderPng(title(text), { width: 480, height: 100, fontFiles: cjkFontFiles() }));
    const chinese = render('噪声扰民预警');
    const blank = render('\u3000'.repeat(6));
    const other = render('昌吉阜康奇台');
    // Six 56-px glyphs cover thousands of pixels; missing glyphs would leave the render blank.
    expect(differingPixels(chinese, blank)).toBeGreaterThan(2000);
    // Tofu boxes would look the same for any six characters; real glyphs differ.
    expect(differingPixels(chinese, other)).toBeGreaterThan(1500);
  });
});
