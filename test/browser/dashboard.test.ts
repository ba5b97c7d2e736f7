/**
 * The dashboard in a real browser (Debian's Chromium through playwright-core): the real app on an
 * ephemeral port over a small warehouse loaded through the ingest path. Each role signs in through
 * the login form and opens every page it may; the test checks that the charts drew (a canvas in every
 * chart box), that the console stayed free of errors, and saves a screenshot of each page to
 * test/browser/screenshots/ (the overview also to docs/overview.png for the README, when asked:
 * HOTLINE_UPDATE_DOCS=1 — otherwise every run would leave that tracked image changed by a few pixels).
 * Without /usr/bin/chromium the tests skip with a message.
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../dashboard/server.js';
import { addUser, usersFile } from '../../pipelines/users.js';
import { Warehouse } from '../../pipelines/warehouse.js';
import { tempSetup } from '../service/helpers.js';
import { buildWarehouse, CHROMIUM, launchChromium, XSS_TEXT } from './fixture.js';
import { addTextCases, MISFILED_TICKETS } from './text-fixture.js';

const available = existsSync(CHROMIUM);
if (!available) {
  console.warn(`test/browser: ${CHROMIUM} not found, so the browser tests are skipped. Install it with: apt-get install -y chromium fonts-noto-cjk`);
}

const ROOT = join(import.meta.dirname, '..', '..');
const SHOTS = join(import.meta.dirname, 'screenshots');
const PASSWORD = 'browser test password';
type Role = 'leader' | 'analyst' | 'admin';

const LEADER_PAGES = [
  ['/', 'overview'],
  ['/categories', 'categories'],
  ['/districts', 'districts'],
  ['/units', 'units'],
  ['/alerts', 'alerts'],
  ['/topics', 'topics'],
  ['/reports', 'reports'],
  ['/definitions', 'definitions'],
] as const;

describe.skipIf(!available)('the dashboard in Chromium', () => {
  const setup = tempSetup('browser');
  let warehouse: Warehouse;
  let app: ReturnType<typeof createApp>;
  let server: Server;
  let base = '';
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    warehouse = await Warehouse.open(setup.config.db);
    await buildWarehouse(warehouse, setup.config, setup.dir);
    await addTextCases(warehouse, setup.config);
    for (const role of ['leader', 'analyst', 'admin'] as Role[]) addUser(usersFile(setup.config), role, role, PASSWORD);
    app = createApp({ warehouse: await warehouse.session(), config: setup.config, startedAt: new Date() });
    server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await launchChromium();
  }, 180_000);

  afterAll(async () => {
    for (const context of contexts) await context.close().catch(() => undefined);
    await browser?.close();
    await new Promise((resolve) => server?.close(resolve));
    app?.close();
    warehouse?.close();
    setup.cleanup();
  });

  /** A signed-in page for a role, collecting console errors and uncaught exceptions. */
  async function signIn(role: Role, viewport = { width: 1366, height: 900 }): Promise<{ page: Page; errors: string[] }> {
    const context = await browser.newContext({ viewport, locale: 'zh-CN', timezoneId: 'Asia/Shanghai', acceptDownloads: true, deviceScaleFactor: viewport.width < 500 ? 2 : 1 });
    contexts.push(context);
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(`${base}/`);
    expect(page.url()).toMatch(/\/login$/);
    await page.fill('#name', role);
    await page.fill('#password', PASSWORD);
    await Promise.all([page.waitForURL(`${base}/`), page.click('button[type=submit]')]);
    return { page, errors };
  }

  /** Opens a page, waits until its content and every chart are drawn, and saves a screenshot. */
  async function visit(page: Page, path: string, id: string, shot: string): Promise<void> {
    const response = await page.goto(`${base}${path}`);
    expect(response?.status(), path).toBe(200);
    await page.waitForSelector(`body[data-ready="${id}"]`, { timeout: 30_000 });
    await page.waitForFunction(
      () => [...document.querySelectorAll<HTMLElement>('.chart, .spark')].every((box) => box.querySelector('canvas, svg') && box.dataset.chart === 'drawn'),
      undefined,
      { timeout: 30_000 },
    );
    expect(await page.locator('#content .error').count(), `${path} shows an error`).toBe(0);
    await page.screenshot({ path: join(SHOTS, `${shot}.png`), fullPage: true });
  }

  it('a leader sees every leadership page with its charts, and neither SQL nor 数据', async () => {
    const { page, errors } = await signIn('leader');
    const nav = await page.locator('header nav a').allTextContents();
    expect(nav).toEqual(['总览', '诉求分析', '区域分析', '承办单位', '预警', '热点话题', '报告']);
    for (const [path, id] of LEADER_PAGES) await visit(page, path, id, `leader-${id}`);

    const forbidden = await page.goto(`${base}/sql`);
    expect(forbidden?.status()).toBe(403);
    expect(await page.textContent('main')).toContain('没有权限');
    expect(errors.filter((e) => !/403/.test(e))).toEqual([]);
  }, 180_000);

  it('the overview shows KPI cards with 环比 and 同比 — points for rates, percent for counts — each linked to its definition', async () => {
    const { page, errors } = await signIn('leader');
    await visit(page, '/?month=2025-07', 'overview', 'overview');
    if (process.env.HOTLINE_UPDATE_DOCS) {
      mkdirSync(join(ROOT, 'docs'), { recursive: true });
      copyFileSync(join(SHOTS, 'overview.png'), join(ROOT, 'docs', 'overview.png'));
    }
    const cards = page.locator('.card[data-kpi]');
    expect(await cards.count()).toBe(12);
    const rateCard = await page.locator('.card[data-kpi=completion_rate] .changes').textContent();
    expect(rateCard).toMatch(/环比 ([+−]\d+\.\d\d 个百分点|持平)/);
    expect(rateCard).toMatch(/同比 ([+−]\d+\.\d\d 个百分点|持平)/);
    const countCard = await page.locator('.card[data-kpi=received] .changes').textContent();
    expect(countCard).toMatch(/环比 [+−]\d+\.\d%/);
    expect(countCard).not.toContain('百分点');
    expect(await page.locator('.card[data-kpi=completion_rate] .value').textContent()).toMatch(/^\d+\.\d\d%$/);
    expect(await page.locator('.card .spark canvas').count()).toBe(12);
    expect(await page.textContent('#content')).toContain('噪声扰民 · 昌吉市');
    await Promise.all([page.waitForURL(/\/definitions#completion_rate$/), page.click('.card[data-kpi=completion_rate] .value')]);
    expect(await page.locator('#completion_rate').textContent()).toContain('办结率');
    // The same overview on a phone.
    const phone = await signIn('leader', { width: 390, height: 844 });
    await visit(phone.page, '/?month=2025-07', 'overview', 'leader-overview-phone');
    const width = await phone.page.evaluate(() => document.documentElement.scrollWidth);
    expect(width, 'no sideways scrolling on a phone').toBeLessThanOrEqual(390);
    // Every page a leader opens: its tables scroll inside their boxes, the page never sideways (a
    // wide table once stretched 预警's panels to 566 px, its 确认/关闭 buttons off the screen).
    for (const [path, id] of [
      ['/units?month=2025-07', 'units'],
      [`/categories?month=2025-07&category=${encodeURIComponent('环境保护')}`, 'categories'],
      ['/districts?month=2025-07', 'districts'],
      ['/alerts', 'alerts'],
      ['/topics', 'topics'],
      ['/reports', 'reports'],
    ] as const) {
      await visit(phone.page, path, id, `leader-${id}-phone`);
      expect(await phone.page.evaluate(() => document.documentElement.scrollWidth), `${path}: no sideways scrolling on a phone`).toBeLessThanOrEqual(390);
    }
    expect([...errors, ...phone.errors]).toEqual([]);
  }, 180_000);

  it('承办单位 ranks within each unit kind, shows the units to supervise and the spread of scores (README screenshot)', async () => {
    const { page, errors } = await signIn('leader');
    await visit(page, '/units?month=2025-07', 'units', 'units');
    // the README's picture: the ranking as a leader first sees it (the page's first screen)
    await page.screenshot({ path: join(ROOT, 'docs', 'units.png') });
    const kinds = await page.locator('.kind-section').evaluateAll((sections) => sections.map((s) => (s as HTMLElement).dataset.kind));
    expect(kinds.length).toBeGreaterThan(1);
    for (const kind of kinds) {
      // ranks restart at 1 in every kind, and never repeat a mixed column
      const ranks = (await page.locator(`.kind-section[data-kind="${kind}"] tbody tr td:first-child`).allTextContents()).filter((t) => /^\d+$/.test(t)).map(Number);
      if (ranks.length) expect(ranks[0], kind).toBe(1);
      expect([...ranks].sort((a, b) => a - b)).toEqual(ranks);
    }
    // every table keeps its own header links
    for (const kind of kinds) expect(await page.locator(`.kind-section[data-kind="${kind}"] thead`).textContent()).toContain('综合得分');
    const scores = await page.locator('.kind-section tbody tr td:nth-child(7)').allTextContents();
    expect(scores.filter((t) => t !== '—').every((t) => /^\d+\.\d\d$/.test(t))).toBe(true);
    expect(await page.textContent('#content')).toContain('需督办');
    expect(await page.textContent('#content')).toContain('综合得分分布');
    expect(errors).toEqual([]);
  }, 180_000);

  it('热点话题 shows the issues with their trend and tickets; 诉求分析 lists 疑似分类不符 and 承办单位 the returned tickets with a suggested unit', async () => {
    const { page, errors } = await signIn('leader');
    await visit(page, '/topics?from=2025-07-01&to=2025-07-31', 'topics', 'leader-topics');
    const topics = page.locator('#content table').first().locator('tbody tr');
    expect(await topics.count()).toBeGreaterThan(5);
    // The fixture's texts say "<township><sub-category>问题": an issue is one matter at one
    // township (nearly always one category), the street's other matters not mixed in; the July
    // noise spike (42 requests in three days at 宁边路街道) is one issue.
    const cells = await topics.evaluateAll((rows) => rows.map((row) => [...row.querySelectorAll('td')].map((td) => td.textContent ?? '')));
    expect(cells.filter((row) => row[8].split('、').length === 1).length, cells.map((row) => row.join(' | ')).join('\n')).toBeGreaterThanOrEqual(cells.length - 2);
    const spike = cells.find((row) => row[2].startsWith('宁边路街道噪声扰民'));
    expect(spike, cells.map((row) => row[2]).join('\n')).toBeDefined();
    expect(spike![8]).toBe('环境保护');
    expect(Number(spike![4]), cells.map((row) => row.join(' / ')).join('\n')).toBeGreaterThanOrEqual(42);
    expect(await page.locator('#topic-detail tbody tr').count()).toBeGreaterThan(0);
    await topics.nth(1).click();
    await page.waitForSelector('#topic-detail h2:has-text("2.")');
    // 生成专报: a special report of exactly the requests, titled with its description, into the archive.
    await page.click('#topic-report');
    await page.waitForSelector('#topic-report-status:has-text("已生成专报")', { timeout: 60_000 });
    expect(await page.locator('#topic-report-status').textContent()).toContain(`已生成专报“${cells[1][2]}”（${Number(cells[1][4])} 件工单）`);
    // 不含咨询: the period stays, the choice goes into the address, the list is drawn again without them
    await page.check('#topics-no-consultations');
    await page.waitForURL(/consultations=0/);
    await page.waitForSelector('#topics-no-consultations:checked');
    expect(page.url()).toContain('from=2025-07-01');
    expect(await page.locator('#content table').first().locator('tbody tr').count()).toBeGreaterThan(0);

    // Without a month in the address, 疑似分类不符 is of the month the page shows.
    const asked: string[] = [];
    const listen = (request: { url(): string }) => void (request.url().includes('/api/text/misfilings') && asked.push(request.url()));
    page.on('request', listen);
    await visit(page, '/categories', 'categories', 'leader-categories-default-month');
    page.off('request', listen);
    expect(asked.map((url) => new URL(url).searchParams.get('month'))).toEqual(['2025-07']);
    expect(await page.locator('select[name=month]').inputValue()).toBe('2025-07');
    const changes = await page.locator('section.panel', { has: page.locator('h2', { hasText: '上升最快的二级分类' }) }).locator('tbody tr td:nth-child(4)').allTextContents();
    expect(changes.length).toBeGreaterThan(0);
    for (const change of changes) expect(change).toMatch(/^(新出现|\d+(\.\d)? 倍|[-+]\d+\.\d{2}%)$/);

    // The fixture's first month: no month before it, so no rises are told, and the page says why.
    await visit(page, '/categories?month=2024-06', 'categories', 'leader-categories-first-month');
    expect(await page.locator('section.panel', { has: page.locator('h2', { hasText: '上升最快的二级分类' }) }).textContent()).toMatch(/各分类不作环比：上月没有数据，不作比较/);

    await visit(page, '/categories?month=2025-07', 'categories', 'leader-categories-misfilings');
    const misfilings = page.locator('section.panel', { has: page.locator('h2', { hasText: '疑似分类不符' }) });
    const rows = await misfilings.locator('tbody tr').allTextContents();
    expect(rows.map((r) => MISFILED_TICKETS.find((id) => r.includes(id)))).toEqual(expect.arrayContaining(MISFILED_TICKETS));
    expect(rows.find((r) => r.includes('TXT-M1'))).toMatch(/环境保护/);
    await misfilings.screenshot({ path: join(SHOTS, 'leader-categories-misfilings-panel.png') });

    await visit(page, '/units?month=2025-07', 'units', 'leader-units-returned');
    const returned = page.locator('section.panel', { has: page.locator('h2', { hasText: '退单工单与建议承办单位' }) });
    expect(await returned.locator('tbody tr').count()).toBeGreaterThan(0);
    expect(await returned.locator('tbody tr').first().locator('td').nth(6).textContent()).toMatch(/\S/);
    // The month's counts, from the warehouse; the tickets whose suggestion is another unit first.
    const counts = (await warehouse.one<{ total: number; other: number }>(
      `select count(*) as total, count(*) filter (where s.unit is not null and s.unit is distinct from t.unit) as other
       from stg_tickets t left join ticket_suggestions s using (ticket_id)
       where t.returned_count > 0 and t.received_at >= '2025-07-01' and t.received_at < '2025-08-01'`,
    ))!;
    expect(counts.other).toBeGreaterThan(0);
    expect(counts.other).toBeLessThan(counts.total);
    expect(await returned.locator('#returned-summary').textContent()).toBe(`本月退单 ${counts.total} 件，其中 ${counts.other} 件的建议单位不是原承办单位，列在下表。`);
    const bold = await returned.locator('tbody tr').evaluateAll((rows) => rows.map((row) => row.querySelector('td:nth-child(7) strong') !== null));
    expect(bold.filter(Boolean).length).toBe(counts.other);
    expect(bold.indexOf(false)).toBe(counts.other);
    // The rest is folded under the table, closed.
    expect(await returned.locator('#returned-same tbody tr').count()).toBe(counts.total - counts.other);
    expect(await returned.locator('#returned-same').getAttribute('open')).toBeNull();
    expect(await returned.locator('#returned-same summary').textContent()).toBe(`其余 ${counts.total - counts.other} 件：建议单位与原承办单位相同，或没有建议`);
    await returned.screenshot({ path: join(SHOTS, 'leader-units-returned-panel.png') });
    expect(errors).toEqual([]);
  });

  it('keeps the filters in the URL, so a view can be shared, and carries them from page to page', async () => {
    const { page, errors } = await signIn('leader');
    await visit(page, '/districts?month=2025-07', 'districts', 'leader-districts-july');
    // a bar of 各区县受理量 chooses its district by its whole name (its axis label may be shortened):
    // the second bar from the top is the second row of the table below
    const second = (await page.locator('.panel:has-text("区县指标") tbody tr').nth(1).locator('td').first().textContent())!.trim();
    const bars = page.locator('section.panel:has(h2:has-text("点击选择区县")) .chart');
    const box = (await bars.boundingBox())!;
    const districtCount = await page.locator('.panel:has-text("区县指标") tbody tr').count();
    const band = (box.height - 16 - 24) / districtCount; // (the grid's margins and the value axis below)
    await Promise.all([page.waitForURL(/district=/), page.mouse.click(box.x + 150, box.y + 8 + band * 1.5)]);
    await page.waitForSelector('body[data-ready="districts"]');
    expect(new URL(page.url()).searchParams.get('district')).toBe(second);
    await visit(page, '/districts?month=2025-07', 'districts', 'leader-districts-july');
    await Promise.all([page.waitForURL(/district=/), page.selectOption('select[name=district]', '阜康市')]);
    await page.waitForSelector('body[data-ready="districts"]');
    expect(new URL(page.url()).searchParams.get('district')).toBe('阜康市');
    expect(await page.locator('tr.selected').first().textContent()).toContain('阜康市');
    const overviewLink = await page.locator('header nav a[data-page=overview]').getAttribute('href');
    expect(overviewLink).toBe('/?month=2025-07&district=%E9%98%9C%E5%BA%B7%E5%B8%82');
    await visit(page, overviewLink!, 'overview', 'leader-overview-fukang');
    expect(await page.inputValue('select[name=district]')).toBe('阜康市');
    expect(await page.textContent('.lead')).toContain('阜康市');
    expect(errors).toEqual([]);
  }, 120_000);

  it('shows masked ticket text as text: an HTML injection in a ticket stays inert', async () => {
    const { page, errors } = await signIn('leader');
    await visit(page, `/categories?month=2025-07&category=${encodeURIComponent('供水/停水')}&district=${encodeURIComponent('昌吉市/宁边路街道')}`, 'categories', 'leader-categories-water');
    expect(await page.textContent('#content')).toContain(XSS_TEXT);
    expect(await page.locator('#content table img, #content table b').count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
    // Phone numbers in the text were masked at ingest.
    expect(await page.textContent('#content')).toMatch(/139\*\*\*\*\d{4}/);
    expect(errors).toEqual([]);
  }, 120_000);

  it('an analyst runs a query in the SQL console, pages through it, exports CSV, and acknowledges an alert', async () => {
    const { page, errors } = await signIn('analyst');
    expect(await page.locator('header nav a').allTextContents()).toEqual(['总览', '诉求分析', '区域分析', '承办单位', '预警', '热点话题', '报告', 'SQL']);
    await visit(page, '/sql', 'sql', 'analyst-sql-empty');
    await page.waitForSelector('.schema details');
    expect(await page.textContent('.schema')).toContain('tickets');
    expect(await page.textContent('.schema')).not.toContain('phone_hash');
    // The first thing offered counts as the dashboard does: stg_tickets, open, with what it holds.
    expect(await page.textContent('.schema details[open] summary')).toContain('stg_tickets');
    expect(await page.textContent('.schema details[open] .about')).toContain('按它统计的件数与看板一致');
    expect(await page.inputValue('#sql-editor')).toContain('from stg_tickets');
    await page.click('#sql-run');
    await page.waitForSelector('#sql-grid tbody tr');
    expect(await page.textContent('#sql-grid thead')).toContain('一级分类');
    await page.fill('#sql-editor', 'select ticket_id, category_l1, district from tickets order by ticket_id limit 120');
    await page.click('#sql-run');
    await page.waitForFunction(() => document.querySelector('#sql-grid thead')?.textContent?.includes('ticket_id'));
    expect(await page.locator('#sql-grid tbody tr').count()).toBe(50);
    expect(await page.textContent('.pager')).toContain('120 行');
    // when the analysts' copy was taken, in Beijing time — not its file name
    expect(await page.textContent('.pager')).toMatch(/快照生成于 \d\d-\d\d \d\d:\d\d/);
    expect(await page.textContent('.pager')).not.toContain('.duckdb');
    await page.click('.pager button:has-text("下一页")');
    expect(await page.textContent('.pager')).toContain('第 2 / 3 页');
    await page.screenshot({ path: join(SHOTS, 'analyst-sql.png'), fullPage: true });
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export-csv')]);
    expect(download.suggestedFilename()).toBe('hotline-query.csv');
    const csv = readFileSync((await download.path())!, 'utf8');
    expect(csv.split('\r\n')[0]).toBe('\uFEFFticket_id,category_l1,district');
    expect(csv.trim().split('\r\n')).toHaveLength(121);
    await page.fill('#sql-editor', 'delete from tickets');
    await page.click('#sql-run');
    await page.waitForSelector('#sql-results .error');
    expect(await page.textContent('#sql-results')).toMatch(/只接受查询|只读/);

    await visit(page, '/alerts?incident=1', 'alerts', 'analyst-alerts');
    // On a laptop screen both halves show their whole table: the list's 峰值 and 邮件, the members' p 值 and 依据.
    const sideways = await page.$$eval('#content .grid .table-wrap', (wraps) => wraps.filter((w) => w.scrollWidth > w.clientWidth + 1).map((w) => w.textContent?.slice(0, 40)));
    expect(sideways).toEqual([]);
    // A bound is a count, said as the mail says it: 8, not 8.0.
    const bounds = await page.$$eval('#incident table', (tables) =>
      tables.flatMap((t) => {
        const column = [...t.querySelectorAll('thead th')].findIndex((th) => th.textContent === '上限');
        return column < 0 ? [] : [...t.querySelectorAll('tbody tr')].map((tr) => tr.children[column]?.textContent ?? '');
      }),
    );
    expect(bounds.length).toBeGreaterThan(0);
    for (const bound of bounds) expect(bound).toMatch(/^\d+(\.\d)?$/), expect(bound).not.toMatch(/\.0$/);
    await page.fill('#incident-comment', '已通知宁边路街道核实夜间施工');
    await page.click('#incident button:has-text("确认")');
    await page.waitForSelector('#incident .tag.acknowledged');
    expect(await page.textContent('#incident')).toContain('已通知宁边路街道核实夜间施工');
    expect(errors.filter((e) => !/400/.test(e))).toEqual([]);
  }, 180_000);

  it('an admin sees the ingest runs and quarantined rows with reasons, and uploads a file into the inbox', async () => {
    const { page, errors } = await signIn('admin');
    expect(await page.locator('header nav a').allTextContents()).toContain('数据');
    // Five idle inbox ticks and a failure recorded (as an older version did) with the raw database message.
    for (let i = 0; i < 5; i++) {
      await warehouse.run(`insert into job_runs (run_id, job, trigger, started_at, finished_at, status, message)
        values (nextval('job_run_ids'), 'ingest-inbox', 'schedule', timestamp '2025-07-20 10:00:00' + interval (${i * 5}) minute, timestamp '2025-07-20 10:00:01' + interval (${i * 5}) minute, 'skipped', 'skipped: 收件箱为空 / the inbox is empty')`);
    }
    await warehouse.run(`insert into job_runs (run_id, job, trigger, started_at, finished_at, status, message)
      values (nextval('job_run_ids'), 'ingest-inbox', 'startup', timestamp '2025-07-20 11:00:00', timestamp '2025-07-20 11:00:05', 'failed', 'TransactionContext Error: Cannot CHECKPOINT: there are other write transactions active')`);
    await visit(page, '/data', 'data', 'admin-data');
    const text = await page.textContent('#content');
    expect(text).toContain('工单导出_2024-2025.csv');
    expect(text).toContain('无法识别为日期时间');
    // In Chinese, the idle ticks folded into one row, no raw database message.
    expect(text).toContain('跳过 5 次');
    expect(text).toContain('收件箱导入');
    expect(text).toContain('数据库内部错误');
    expect(text).not.toMatch(/Cannot CHECKPOINT|TransactionContext|\b(loaded|skipped|failed|schedule|startup)\b/);
    await page.setInputFiles('#upload-file', { name: '新导出.csv', mimeType: 'text/csv', buffer: Buffer.from('工单编号,受理时间\n') });
    await page.click('#upload');
    await page.waitForFunction(() => /收件箱|inbox/.test(document.getElementById('upload-message')?.textContent ?? ''));
    expect(existsSync(join(setup.config.dataDir, 'inbox', '新导出.csv'))).toBe(true);
    for (const [path, id] of [['/reports', 'reports'], ['/sql', 'sql']] as const) await visit(page, path, id, `admin-${id}`);
    expect(errors).toEqual([]);
  }, 120_000);

  it('an admin can build a month’s report from the 报告 page; a leader does not see the form', async () => {
    const { page, errors } = await signIn('admin');
    await visit(page, '/reports', 'reports', 'admin-reports-monthly');
    expect(await page.locator('#monthly-form').count()).toBe(1);
    // The forms open on the data's dates, not the clock's (the fixture's data are of July 2025).
    const calendar = await page.evaluate(() => fetch('/api/filters').then((r) => r.json()));
    expect(await page.inputValue('#monthly-month')).toBe(calendar.defaultMonth);
    expect(await page.inputValue('#special-to')).toBe(calendar.lastDay);
    expect(calendar.lastDay).toMatch(/^2025-07/);
    // The bare app has no job runner: the page says why instead of failing silently.
    await page.fill('#monthly-month', '2025-07');
    await page.click('#monthly-build');
    await page.waitForFunction(() => /定时任务未运行|hotline report monthly/.test(document.getElementById('monthly-status')?.textContent ?? ''));
    // (the build's own answer is a 503 "定时任务未运行", shown on the page: the one error expected)
    expect(errors.filter((e) => !/503/.test(e))).toEqual([]);
    const leader = await signIn('leader');
    await visit(leader.page, '/reports', 'reports', 'leader-reports');
    expect(await leader.page.locator('#monthly-form').count()).toBe(0);
  }, 120_000);

  it('while the first load runs, a page says 数据加载中 with its progress and draws itself once the data is there', async () => {
    const empty = tempSetup('browser-loading');
    const loading = await Warehouse.open(empty.config.db);
    let progress: Record<string, string | number> | null = { step: 'ingest', filesDone: 2, filesTotal: 12, file: '工单导出_2024.csv', rows: 500_000, bytesDone: 0, bytesTotal: 72_000_000, phase: '读取' };
    addUser(usersFile(empty.config), 'leader', 'leader', PASSWORD);
    const loadingApp = createApp({ warehouse: await loading.session(), config: empty.config, startedAt: new Date(), startup: () => progress });
    const loadingServer = loadingApp.listen(0, '127.0.0.1');
    await new Promise((resolve) => loadingServer.once('listening', resolve));
    const loadingBase = `http://127.0.0.1:${(loadingServer.address() as AddressInfo).port}`;
    try {
      const context = await browser.newContext({ locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
      contexts.push(context);
      const page = await context.newPage();
      // The wait is an answer, not an error: the console stays clean (no 503 logged while loading).
      const errors: string[] = [];
      page.on('console', (message) => {
        if (message.type() === 'error') errors.push(message.text());
      });
      page.on('pageerror', (error) => errors.push(error.message));
      await page.goto(`${loadingBase}/login`);
      await page.fill('#name', 'leader');
      await page.fill('#password', PASSWORD);
      await Promise.all([page.waitForURL(`${loadingBase}/`), page.click('button[type=submit]')]);
      await page.waitForSelector('body[data-ready="loading"]');
      expect(await page.textContent('#content')).toContain('数据加载中');
      // No "0%" before the file's bytes are counted; the share while it is read; none once it is read.
      expect(await page.textContent('#loading-progress')).toContain('正在导入第 3 / 12 个文件：工单导出_2024.csv；读取中；已导入 500,000 行');
      progress = { ...progress!, bytesDone: 18_000_000 };
      await page.waitForFunction(() => document.getElementById('loading-progress')?.textContent?.includes('工单导出_2024.csv（已读取 25%）；读取中'), null, { timeout: 10_000 });
      progress = { ...progress, bytesDone: 72_000_000, phase: '导入', phaseRows: 120_000, rowsPerSecond: 400_000 };
      await page.waitForFunction(() => document.getElementById('loading-progress')?.textContent?.includes('工单导出_2024.csv；导入中 120,000 行，400,000 行/秒'), null, { timeout: 10_000 });
      await page.screenshot({ path: join(SHOTS, 'loading.png'), fullPage: true });
      // The load ends: the summary tables are built and the page draws without a reload.
      progress = null;
      const { refreshIfStale } = await import('../../pipelines/refresh.js');
      await refreshIfStale(loading, empty.config);
      await page.waitForSelector('body[data-ready="overview"]', { timeout: 30_000 });
      expect(await page.textContent('#content')).not.toContain('数据加载中');
      expect(errors).toEqual([]);
    } finally {
      await new Promise((resolve) => loadingServer.close(resolve));
      loadingApp.close();
      loading.close();
      empty.cleanup();
    }
  }, 120_000);

  it('after sign-in, goes to the page asked for, but never to another site', async () => {
    for (const [next, expected] of [
      ['/units', `${base}/units`],
      ['/\\evil.example/phish', `${base}/`],
      ['//evil.example/', `${base}/`],
      ['https://evil.example/', `${base}/`],
    ] as const) {
      const context = await browser.newContext();
      contexts.push(context);
      const page = await context.newPage();
      await page.goto(`${base}/login?next=${encodeURIComponent(next)}`);
      await page.fill('#name', 'leader');
      await page.fill('#password', PASSWORD);
      await Promise.all([page.waitForURL(expected), page.click('button[type=submit]')]);
      expect(page.url(), next).toBe(expected);
    }
  }, 120_000);
});
