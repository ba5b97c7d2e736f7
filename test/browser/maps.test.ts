/**
 * The district map in a real browser (Debian's Chromium through playwright-core), on the browser
 * fixture's warehouse plus tickets of 昌吉高新区, a development zone the boundaries do not have:
 * 区域分析 draws the map of the month's figures (counts agree with the table, the zone is merged into
 * 昌吉市 with a note), a click on a district chooses it, the figure can be switched to a rate; the
 * overview draws the map with the open alert as a pin; a phone gets a map laid out for its width;
 * and without boundaries (map.region false) the pages keep their ranked bars. Screenshots go to
 * test/browser/screenshots/. Without /usr/bin/chromium the tests skip with a message.
 */
import { existsSync, mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../dashboard/server.js';
import type { Config } from '../../pipelines/config.js';
import { afterIngest } from '../../pipelines/refresh.js';
import { addUser, usersFile } from '../../pipelines/users.js';
import { Warehouse } from '../../pipelines/warehouse.js';
import { tempSetup } from '../service/helpers.js';
import { buildWarehouse, CHROMIUM, launchChromium } from './fixture.js';

const available = existsSync(CHROMIUM);
if (!available) console.warn(`test/browser/maps: ${CHROMIUM} not found, so the map browser tests are skipped. Install it with: apt-get install -y chromium fonts-noto-cjk`);

const SHOTS = join(import.meta.dirname, 'screenshots');
const PASSWORD = 'maps browser test password';
/** Tickets of the zone in July 2025: copies of 昌吉市 tickets, renamed. */
const ZONE_TICKETS = 40;

type MapOption = {
  series: { type: string; name?: string; data: { name: string; value: unknown; district?: string }[] }[];
  geo: { left: number; width: number }[];
  graphic: { elements: { style?: { text?: string } }[] }[];
  visualMap: { text?: string[] }[];
};

describe.skipIf(!available)('the district map in Chromium', () => {
  const setup = tempSetup('browser-maps');
  let warehouse: Warehouse;
  const servers: { server: Server; app: ReturnType<typeof createApp> }[] = [];
  let base = '';
  let bare = '';
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  async function serve(config: Config): Promise<string> {
    const app = createApp({ warehouse: await warehouse.session(), config, startedAt: new Date() });
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    servers.push({ server, app });
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    warehouse = await Warehouse.open(setup.config.db);
    await buildWarehouse(warehouse, setup.config, setup.dir);
    await warehouse.run(`
      insert into tickets
      select * replace ('Z' || ticket_id as ticket_id, '昌吉高新区' as district, '高新区北区片区' as township)
      from tickets where district = '昌吉市' and received_at >= '2025-07-01' and received_at < '2025-07-15' and status <> '已撤销'
      order by ticket_id limit ${ZONE_TICKETS}`);
    await afterIngest(warehouse, setup.config);
    addUser(usersFile(setup.config), 'leader', 'leader', PASSWORD);
    base = await serve(setup.config);
    bare = await serve({ ...setup.config, map: { ...setup.config.map, region: false } });
    browser = await launchChromium();
  }, 180_000);

  afterAll(async () => {
    for (const context of contexts) await context.close().catch(() => undefined);
    await browser?.close();
    for (const { server, app } of servers) {
      await new Promise((resolve) => server.close(resolve));
      app.close();
    }
    warehouse?.close();
    setup.cleanup();
  });

  async function signIn(at: string, viewport = { width: 1366, height: 900 }): Promise<{ page: Page; errors: string[] }> {
    const context = await browser.newContext({ viewport, locale: 'zh-CN', timezoneId: 'Asia/Shanghai', deviceScaleFactor: viewport.width < 500 ? 2 : 1 });
    contexts.push(context);
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('console', (message) => message.type() === 'error' && errors.push(message.text()));
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(`${at}/login`);
    await page.fill('#name', 'leader');
    await page.fill('#password', PASSWORD);
    await Promise.all([page.waitForURL(`${at}/`), page.click('button[type=submit]')]);
    return { page, errors };
  }

  async function visit(page: Page, url: string, id: string, shot: string): Promise<void> {
    expect((await page.goto(url))?.status()).toBe(200);
    await page.waitForSelector(`body[data-ready="${id}"]`, { timeout: 30_000 });
    await page.waitForFunction(() => [...document.querySelectorAll<HTMLElement>('.chart, .spark')].every((box) => box.dataset.chart === 'drawn'), undefined, { timeout: 30_000 });
    await page.screenshot({ path: join(SHOTS, `${shot}.png`), fullPage: true });
  }

  /** The option ECharts holds for the map box. */
  const mapOption = (page: Page) =>
    page.evaluate(() => {
      const box = document.querySelector<HTMLElement>('.chart.map')!;
      return (window as unknown as { echarts: typeof import('echarts') }).echarts.getInstanceByDom(box)!.getOption() as unknown;
    }) as Promise<MapOption>;

  it('区域分析 draws the district map with the month’s figures, the zone merged into 昌吉市, click to choose, rates around the target', async () => {
    const { page, errors } = await signIn(base);
    await visit(page, `${base}/districts?month=2025-07`, 'districts', 'maps-districts');
    expect(await page.locator('.chart.map canvas').count()).toBeGreaterThan(0);
    const option = await mapOption(page);
    const shapes = option.series.find((s) => s.type === 'map')!.data;
    expect(shapes.map((d) => d.name).sort()).toEqual(['吉木萨尔县', '呼图壁县', '奇台县', '昌吉市', '木垒哈萨克自治县', '玛纳斯县', '阜康市'].sort());
    // The counts are the table's: 昌吉市 carries the zone's tickets, as the note says.
    const table = await page.locator('section.panel:has(h2:text("区县指标")) tbody tr').evaluateAll((rows) =>
      rows.map((row) => [row.children[0].textContent!, Number(row.children[1].textContent!.replace(/,/g, ''))] as [string, number]),
    );
    const received = Object.fromEntries(table);
    expect(received['昌吉高新区']).toBe(ZONE_TICKETS);
    for (const shape of shapes) expect(shape.value, shape.name).toBe(received[shape.name] + (shape.name === '昌吉市' ? ZONE_TICKETS : 0));
    const notes = option.graphic[0].elements.map((e) => e.style?.text ?? '');
    expect(notes).toContain(`昌吉市含昌吉高新区 ${ZONE_TICKETS} 件`);
    // Every district has its label on the map.
    const labels = option.series.find((s) => s.name === '标注')!.data.map((d) => d.name);
    for (const name of Object.keys(received).filter((n) => n !== '昌吉高新区')) expect(labels).toContain(name);

    // A click on 阜康市 chooses it, as the bars and the table do.
    const point = await page.evaluate(() => {
      const box = document.querySelector<HTMLElement>('.chart.map')!;
      const chart = (window as unknown as { echarts: typeof import('echarts') }).echarts.getInstanceByDom(box)!;
      const rect = box.getBoundingClientRect();
      const [x, y] = chart.convertToPixel({ geoIndex: 0 }, [88.2, 44.6]) as number[];
      return { x: rect.left + x, y: rect.top + y };
    });
    await Promise.all([page.waitForURL(/district=/), page.mouse.click(point.x, point.y)]);
    await page.waitForSelector('body[data-ready="districts"]');
    expect(new URL(page.url()).searchParams.get('district')).toBe('阜康市');

    // The same map by 满意率: coloured around the configured target, named in the legend.
    await page.selectOption('select[name=map-figure]', 'satisfaction_rate');
    await page.waitForFunction(() => document.querySelector<HTMLElement>('.chart.map')?.dataset.chart === 'drawn');
    const rates = await mapOption(page);
    expect(JSON.stringify(rates.visualMap[0].text)).toContain('满意率（目标 97.0%）');
    expect(rates.series.find((s) => s.type === 'map')!.data.every((d) => typeof d.value === 'number' && (d.value === -1 || (d.value >= 0 && d.value <= 1)))).toBe(true);
    await page.screenshot({ path: join(SHOTS, 'maps-districts-satisfaction.png'), fullPage: true });
    expect(errors).toEqual([]);
  }, 180_000);

  it('the overview draws the month’s map with the open alert as a pin in its district', async () => {
    const { page, errors } = await signIn(base);
    await visit(page, `${base}/?month=2025-07`, 'overview', 'maps-overview');
    const option = await mapOption(page);
    const pins = option.series.find((s) => s.name === '位置')!.data;
    expect(pins).toHaveLength(1);
    expect(pins[0].name).toContain('噪声扰民（昌吉市');
    expect(await page.textContent('#content')).toContain('红色标记：1 个未关闭预警');
    expect(errors).toEqual([]);
  }, 120_000);

  it('on a phone the map is laid out for the phone’s width, without sideways scrolling', async () => {
    const { page, errors } = await signIn(base, { width: 390, height: 844 });
    await visit(page, `${base}/districts?month=2025-07`, 'districts', 'maps-districts-phone');
    const option = await mapOption(page);
    const width = await page.evaluate(() => document.querySelector<HTMLElement>('.chart.map')!.clientWidth);
    expect(option.geo[0].left + option.geo[0].width).toBeLessThanOrEqual(width);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    expect(errors).toEqual([]);
  }, 120_000);

  it('without boundaries (map.region false) 区域分析 and the overview keep their ranked bars', async () => {
    const { page, errors } = await signIn(bare);
    await visit(page, `${bare}/districts?month=2025-07`, 'districts', 'maps-districts-without-map');
    expect(await page.locator('.chart.map').count()).toBe(0);
    expect(await page.locator('.chart canvas').count()).toBeGreaterThanOrEqual(3);
    expect(await page.textContent('#content')).toContain('各区县受理量');
    await visit(page, `${bare}/?month=2025-07`, 'overview', 'maps-overview-without-map');
    expect(await page.locator('.chart.map').count()).toBe(0);
    expect(errors).toEqual([]);
  }, 120_000);
});
