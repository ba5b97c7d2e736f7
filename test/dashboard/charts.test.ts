/**
 * The dashboard's chart option builders (reports/charts/dashboard-options.ts): pure, data in a
 * dataset, no functions (an option survives JSON), and drawable on the server like the reports' own
 * charts — the same picture in the browser, the reports and the e-mails.
 */
import { describe, expect, it } from 'vitest';
import type { EChartsOption } from 'echarts';
import {
  categoryTreemapOption,
  channelMixOption,
  distinctLabels,
  expectedText,
  plainNumber,
  incidentEvidenceOption,
  formatValue,
  kpiSparklineOption,
  monthlyTrendOption,
  nameAxisWidth,
  rankedBarOption,
  shareText,
  textWidth,
} from '../../reports/charts/dashboard-options.js';
import { renderSvg } from '../../reports/charts/render.js';

const months = ['2025-05', '2025-06', '2025-07'];

const options: [string, EChartsOption][] = [
  ['sparkline', kpiSparklineOption(months.map((month, i) => ({ month, value: [0.95, null, 0.9712][i] })), 'rate')],
  ['channels', channelMixOption([{ name: '电话', count: 60 }, { name: '微信', count: 40 }])],
  ['treemap', categoryTreemapOption([{ name: '环境保护', path: '环境保护', value: 30, children: [{ name: '噪声扰民', path: '环境保护/噪声扰民', value: 30 }] }])],
  ['trend', monthlyTrendOption(months.map((month, i) => ({ month, received: 100 + i, rate: 0.9 + i / 100 })), { rateName: '满意率', title: '近 3 个月' })],
  ['ranking', rankedBarOption([{ name: '昌吉市', value: 143, share: 0.181 }, { name: '木垒哈萨克自治县', value: 99, share: 0.125 }], { kind: 'count', valueName: '受理量', highlight: '昌吉市' })],
  ['evidence', incidentEvidenceOption([{ date: '2025-07-21', count: 3, expected: null, upper: null, alarm: false }, { date: '2025-07-22', count: 16, expected: 1.6, upper: 5.5, alarm: true }])],
];

describe('dashboard chart option builders', () => {
  it.each(options)('%s: survives JSON and draws on the server with its Chinese text', (_name, option) => {
    expect(JSON.parse(JSON.stringify(option))).toEqual(option);
    const series = ([] as unknown[]).concat(option.series ?? []) as { type: string; data?: unknown }[];
    if (series[0].type !== 'treemap') expect(series.every((s) => s.data === undefined), 'data only in the dataset').toBe(true);
    const svg = renderSvg(option, { width: 480, height: 300 });
    expect(svg.startsWith('<svg')).toBe(true);
  });

  it('labels rates as percentages with two decimals, counts in thousands, and never shows 0 for a missing rate', () => {
    expect(formatValue(0.97125, 'rate')).toBe('97.13%');
    expect(formatValue(1234567, 'count')).toBe('1,234,567');
    expect(formatValue(null, 'rate')).toBe('—');
    const spark = kpiSparklineOption([{ month: '2025-07', value: null }], 'rate') as { dataset: { source: { value: number | null; display: string }[] } };
    expect(spark.dataset.source[0]).toMatchObject({ value: null, display: '—' });
  });

  it('writes an expected count with one decimal, a tiny one as <0.1 (never 0.0), and 0 only when nothing was expected', () => {
    expect(expectedText(16.07)).toBe('16.1');
    expect(expectedText(0.36)).toBe('0.4');
    expect(expectedText(0.02)).toBe('<0.1');
    expect(expectedText(0)).toBe('0');
    expect(expectedText(null)).toBe('—');
    // the same figure as the mail about the same alarm prints (plainNumber), halves rounded up
    for (const value of [0.15, 0.25, 0.35, 1.45, 2.05, 16.15]) expect(Number(expectedText(value))).toBe(Number(plainNumber(value)));
    expect(expectedText(0.15)).toBe('0.2');
  });

  it('writes a share with one decimal, a tiny one as <0.1% (2 of 9,741 tickets are not 0.0%)', () => {
    expect(shareText(2 / 9741)).toBe('<0.1%');
    expect(shareText(0)).toBe('0.0%');
    expect(shareText(0.215)).toBe('21.5%');
    expect(shareText(null)).toBe('—');
    const bars = rankedBarOption([{ name: '未知区县', value: 2, share: 2 / 9741 }], { kind: 'count', valueName: '受理量' }) as { dataset: { source: { display: string }[] } };
    expect(bars.dataset.source[0].display).toBe('2（<0.1%）');
  });

  it('leaves room for the longest bar label, so that it is not cut off', () => {
    const option = rankedBarOption([{ name: '昌吉市', value: 143, share: 0.181 }], { kind: 'count', valueName: '受理量' }) as { grid: { right: number }; dataset: { source: { display: string }[] } };
    expect(option.dataset.source[0].display).toBe('143（18.1%）');
    expect(option.grid.right).toBeGreaterThanOrEqual(12 + textWidth('143（18.1%）', 11));
    const svg = renderSvg(option as EChartsOption, { width: 360, height: 120 });
    expect(svg).toContain('143（18.1%）');
  });

  it('shortens long bar names so that no two read alike, and keeps the whole name in the tooltip (LA neighbourhood councils)', () => {
    const names = [
      'SOUTH CENTRAL NC',
      'EMPOWERMENT CONGRESS SOUTHEAST AREA NDC',
      'EMPOWERMENT CONGRESS NORTH AREA NDC',
      'EMPOWERMENT CONGRESS CENTRAL AREA NDC',
      'EMPOWERMENT CONGRESS WEST AREA NDC',
      'EMPOWERMENT CONGRESS SOUTHWEST AREA NDC',
      'WATTS NC',
    ];
    const width = nameAxisWidth(names);
    const labels = distinctLabels(names, width);
    expect(new Set(labels).size).toBe(names.length);
    for (const label of labels) expect(textWidth(label, 12)).toBeLessThanOrEqual(width);
    // names that fit stay whole; the councils lose what they share in front, not their ends
    expect(labels[0]).toBe('SOUTH CENTRAL NC');
    expect(labels[6]).toBe('WATTS NC');
    expect(labels[1]).toMatch(/^…SOUTHEAST/);
    expect(labels[5]).toMatch(/^…SOUTHWEST/);
    const option = rankedBarOption(names.map((name, i) => ({ name, value: 10 - i, share: null })), { kind: 'count', valueName: '受理量' }) as {
      dataset: { source: { name: string; label: string }[] };
      series: { encode: { y: string } }[];
      tooltip: { formatter: string };
    };
    expect(option.series[0].encode.y).toBe('label');
    expect(option.dataset.source.map((r) => r.label)).toEqual(labels);
    expect(option.dataset.source[1].name).toBe(names[1]);
    expect(option.tooltip.formatter).toContain('{@name}');
    expect(renderSvg(option as EChartsOption, { width: 480, height: 260 })).toContain('…SOUTHEAST');
  });

  it('keeps short or distinct Chinese names as they are, and tells apart long names that differ only at their ends', () => {
    expect(distinctLabels(['昌吉市', '木垒哈萨克自治县'], nameAxisWidth(['昌吉市', '木垒哈萨克自治县']))).toEqual(['昌吉市', '木垒哈萨克自治县']);
    const units = ['昌吉市住房和城乡建设局物业管理科', '昌吉市住房和城乡建设局城建档案馆', '阜康市人力资源和社会保障局'];
    const labels = distinctLabels(units, nameAxisWidth(units));
    expect(new Set(labels).size).toBe(3);
    expect(labels[2]).toMatch(/^阜康市.*…$/);
    expect(labels[0]).toContain('物业');
    // alike even after the shared front is dropped: head and tail
    // (…SOUTH… twice at 60 px)
    expect(distinctLabels(['NEIGHBORHOOD COUNCIL SOUTHERN DISTRICT 1', 'NEIGHBORHOOD COUNCIL SOUTHWARD DISTRICT 2'], 60)).toEqual(['NEI…T 1', 'NEI…T 2']);
  });

  it('draws an incident day the model did not test without an expected value, not as 0', () => {
    const option = incidentEvidenceOption([{ date: '2025-07-21', count: 3, expected: null, upper: null, alarm: false }]) as { dataset: { source: Record<string, unknown>[] } };
    expect(option.dataset.source[0]).toMatchObject({ count: 3, expected: null, upper: null, alarm: 0 });
  });

  it('names in its legend only the lines it draws: a burst (figures for hours, not days) has bars only', () => {
    const burst = incidentEvidenceOption([
      { date: '2025-07-21', count: 3, expected: null, upper: null, alarm: false },
      { date: '2025-07-22', count: 46, expected: null, upper: null, alarm: true },
    ]) as { legend: { data: string[] }; series: { type: string }[] };
    expect(burst.legend.data).toEqual(['工单量']);
    expect(burst.series.map((s) => s.type)).toEqual(['bar']);
    const daily = incidentEvidenceOption([{ date: '2025-07-22', count: 16, expected: 1.6, upper: 5.5, alarm: true }]) as { legend: { data: string[] }; series: { name: string }[] };
    expect(daily.legend.data).toEqual(['工单量', '预期', '预警上限']);
    expect(daily.series.map((s) => s.name)).toEqual(['工单量', '预期', '预警上限']);
    // Its note (what a bar counts) is the page's text under the chart: a title in the canvas ran off a phone.
    expect((daily as { title?: unknown }).title).toBeUndefined();
  });

  it('draws no rate line, axis or legend for a rate the export never had (every month null), and keeps it when one month has it', () => {
    const none = monthlyTrendOption(months.map((month) => ({ month, received: 70, rate: null })), { rateName: '满意率' }) as { series: { name: string }[]; yAxis: unknown[]; legend?: unknown };
    expect(none.series.map((s) => s.name)).toEqual(['受理量']);
    expect(none.yAxis).toHaveLength(1);
    expect(none.legend).toBeUndefined();
    const one = monthlyTrendOption(months.map((month, i) => ({ month, received: 70, rate: i === 2 ? 0.9 : null })), { rateName: '满意率' }) as { series: { name: string }[]; yAxis: unknown[] };
    expect(one.series.map((s) => s.name)).toEqual(['受理量', '满意率']);
    expect(one.yAxis).toHaveLength(2);
  });
});
