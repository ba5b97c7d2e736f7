import { DuckDBInstance } from '@duckdb/node-api';
import ExcelJS from 'exceljs';
import type { Request, Response } from 'express';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Sessions, safeNextPath } from '../../dashboard/auth.js';
import { createApp } from '../../dashboard/server.js';
import { ingestFile } from '../../pipelines/ingest/ingest.js';
import { loadProfiles } from '../../pipelines/ingest/profiles.js';
import { dataFolders } from '../../pipelines/config.js';
import { dropIntoInbox } from '../../pipelines/inbox.js';
import { JOBS } from '../../pipelines/jobs.js';
import { afterIngest } from '../../pipelines/refresh.js';
import { Scheduler } from '../../pipelines/scheduler.js';
import { addUser, usersFile } from '../../pipelines/users.js';
import { Warehouse } from '../../pipelines/warehouse.js';
import { tempSetup, ticketRow, writeTicketsCsv } from '../service/helpers.js';

const PASSWORD = 'a long test password';

/** The app on an ephemeral port, signed in as each role. */
async function serve(context: Parameters<typeof createApp>[0]) {
  const app = createApp(context);
  const server: Server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const agents: Record<string, { cookie: string; csrf: string }> = {};
  for (const role of ['leader', 'analyst', 'admin']) {
    const response = await fetch(`${base}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: role, password: PASSWORD }) });
    agents[role] = { cookie: response.headers.get('set-cookie')!.split(';')[0], csrf: ((await response.json()) as { csrf: string }).csrf };
  }
  const call = (who: string | null, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
    fetch(`${base}${path}`, {
      method,
      headers: { ...(who ? { cookie: agents[who].cookie, 'x-csrf-token': agents[who].csrf } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  const close = async () => {
    await new Promise((resolve) => server.close(resolve));
    app.close();
  };
  return { base, call, close };
}

describe('the service’s edges', () => {
  const setup = tempSetup('edges');
  let warehouse: Warehouse;
  let scheduler: Scheduler;
  let web: Awaited<ReturnType<typeof serve>>;

  beforeAll(async () => {
    warehouse = await Warehouse.open(setup.config.db);
    const file = join(setup.dir, 'tickets.csv');
    writeTicketsCsv(file, [
      ticketRow('2025070100001'),
      ticketRow('2025070100002', { 受理时间: '2025-07-02 10:00:00' }),
      // more tickets of 昌吉市 without a township than with one
      ...[3, 4, 5].map((n) => ticketRow(`202507010000${n}`, { 乡镇街道: '' })),
    ]);
    await ingestFile(warehouse, file, { profiles: loadProfiles(), key: 'ab'.repeat(32), maxFieldBytes: 1e6 });
    await afterIngest(warehouse, setup.config);
    for (const role of ['leader', 'analyst', 'admin'] as const) addUser(usersFile(setup.config), role, role, PASSWORD);
    scheduler = await Scheduler.create({ warehouse, config: setup.config, log: () => undefined }, JOBS);
    web = await serve({ warehouse: await warehouse.session(), config: setup.config, startedAt: new Date(), scheduler });
  });
  afterAll(async () => {
    await web?.close();
    await scheduler?.stop();
    warehouse?.close();
    setup.cleanup();
  });

  it('区域分析 lists a district\'s townships with the tickets that name none last, however many', async () => {
    const data = (await (await web.call('leader', 'GET', '/api/districts?month=2025-07&district=昌吉市')).json()) as { townships: { name: string; received: number }[] };
    expect(data.townships.map((t) => [t.name, t.received])).toEqual([
      ['宁边路街道', 2],
      ['未知乡镇街道', 3],
    ]);
  });

  it.each([
    ['/\\evil.example/phish', '/'],
    ['//evil.example', '/'],
    ['https://evil.example/', '/'],
    ['/%5Cevil.example', '/%5Cevil.example'],
    ['javascript:alert(1)', '/'],
    ['/\t/evil.example', '/'],
    ['', '/'],
    ['/categories?month=2025-07#top', '/categories?month=2025-07#top'],
  ])('after sign-in, next=%j goes to %j', async (next, expected) => {
    expect(safeNextPath(next)).toBe(expected);
    const page = await (await fetch(`${web.base}/login?next=${encodeURIComponent(next)}`)).text();
    expect(page).toContain(`data-next="${expected.replaceAll('&', '&amp;')}"`);
  });

  it('answers Origin: null and foreign origins with 403, not 500, before and after sign-in', async () => {
    for (const origin of ['null', 'http://evil.example', 'not a url']) {
      const login = await fetch(`${web.base}/api/login`, { method: 'POST', headers: { origin, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'admin', password: PASSWORD }) });
      expect(login.status, origin).toBe(403);
      const write = await web.call('analyst', 'POST', '/api/sql', { sql: 'select 1' }, { origin });
      expect(write.status, origin).toBe(403);
      expect(((await write.json()) as { error: string }).error).toMatch(/其他网站/);
    }
    expect((await web.call('analyst', 'POST', '/api/sql', { sql: 'select 1' }, { origin: web.base })).status).toBe(200);
  });

  it('remembers failed sign-ins for a bounded time and up to a bounded number of names', async () => {
    const sessions = new Sessions(usersFile(setup.config), 20);
    const req = { ip: '10.0.0.9' } as Request;
    const res = { cookie: () => undefined } as unknown as Response;
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      vi.setSystemTime(new Date('2025-07-01T10:00:00Z'));
      for (let i = 0; i < 30; i++) await sessions.login({ ...req, ip: `10.0.${i}.1` } as Request, res, `nobody-${i}`, 'wrong password');
      expect(sessions.trackedFailures).toBe(20);
      // The window passes: every old failure is forgotten at the next sign-in.
      vi.setSystemTime(new Date('2025-07-01T10:16:00Z'));
      expect(await sessions.login(req, res, 'admin', PASSWORD)).toMatchObject({ user: 'admin' });
      expect(sessions.trackedFailures).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });

  it('caps a console result by bytes and says so', async () => {
    // 20,000 rows of 1,000 characters: about 20 MB of JSON, over the 16 MB a browser is sent.
    const response = await web.call('analyst', 'POST', '/api/sql', { sql: "select range as i, repeat('x', 1000) as s from range(20000)" });
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(text.length).toBeLessThan(16.5 * 1024 * 1024);
    const result = JSON.parse(text) as { rows: unknown[][]; truncated: boolean; cappedBy: string };
    expect(result).toMatchObject({ truncated: true, cappedBy: 'bytes' });
    expect(result.rows.length).toBeGreaterThan(10_000);
    expect(result.rows.length).toBeLessThan(20_000);
    expect(response.headers.get('x-result-capped')).toMatch(/^bytes;/);
  });

  it('says when a CSV or Excel export is capped, and gives the whole result as Parquet', async () => {
    const sql = 'select range as i, range % 7 as k from range(100005)';
    const csv = await web.call('analyst', 'POST', '/api/sql/export', { sql, format: 'csv' });
    expect(csv.status).toBe(200);
    expect(csv.headers.get('x-result-capped')).toMatch(/^rows; max-rows=100000/);
    expect(csv.headers.get('x-result-rows')).toBe('100000');
    const lines = (await csv.text()).trimEnd().split('\r\n');
    expect(lines).toHaveLength(1 + 100_000 + 1);
    expect(lines.at(-2)).toBe('99999,4');
    expect(lines.at(-1)).toMatch(/^"?（已截断：结果超过 100,000 行，只含前 100,000 行；完整结果请导出 Parquet/);

    const xlsx = await web.call('analyst', 'POST', '/api/sql/export', { sql, format: 'xlsx' });
    expect(xlsx.headers.get('x-result-capped')).toMatch(/^rows;/);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(await xlsx.arrayBuffer());
    expect(workbook.getWorksheet('查询结果')!.rowCount).toBe(100_001);
    expect(String(workbook.getWorksheet('说明')!.getCell('A1').value)).toMatch(/已截断/);

    const small = await web.call('analyst', 'POST', '/api/sql/export', { sql: 'select 1 as one', format: 'csv' });
    expect(small.headers.get('x-result-capped')).toBeNull();
    expect(Buffer.from(await small.arrayBuffer()).toString('utf8')).toBe('\uFEFFone\r\n1\r\n');

    const parquet = await web.call('analyst', 'POST', '/api/sql/export', { sql, format: 'parquet' });
    expect(parquet.status).toBe(200);
    expect(parquet.headers.get('x-result-capped')).toBeNull();
    const folder = mkdtempSync(join(tmpdir(), 'hotline-parquet-test-'));
    try {
      const file = join(folder, 'r.parquet');
      writeFileSync(file, Buffer.from(await parquet.arrayBuffer()));
      const connection = await (await DuckDBInstance.create(':memory:')).connect();
      const read = await connection.runAndReadAll(`select count(*)::int as n, max(i)::int as last from read_parquet('${file}')`);
      expect(read.getRowObjectsJson()).toEqual([{ n: 100_005, last: 100_004 }]);
      connection.closeSync();
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
    // Only a query is exported, and the export writes nowhere but its own folder.
    expect((await web.call('analyst', 'POST', '/api/sql/export', { sql: 'delete from tickets', format: 'parquet' })).status).toBe(400);
    const outside = join(setup.dir, 'escaped.parquet');
    const trick = await web.call('analyst', 'POST', '/api/sql/export', { sql: `select 1) to '${outside}' (format parquet); select (1`, format: 'parquet' });
    expect(trick.status).toBe(400);
    expect(existsSync(outside)).toBe(false);
  });

  it('builds a chosen month’s report into the archive for an admin only, through the report job', async () => {
    expect((await web.call('leader', 'POST', '/api/reports/monthly', { month: '2025-07' })).status).toBe(403);
    expect((await web.call('analyst', 'POST', '/api/reports/monthly', { month: '2025-07' })).status).toBe(403);
    const noToken = await fetch(`${web.base}/api/reports/monthly`, { method: 'POST', headers: { cookie: (await loginCookie(web.base, 'admin')).cookie, 'content-type': 'application/json' }, body: JSON.stringify({ month: '2025-07' }) });
    expect(noToken.status).toBe(403);
    const thisMonth = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 7);
    for (const month of ['2025-13', 'July', thisMonth]) expect((await web.call('admin', 'POST', '/api/reports/monthly', { month })).status, month).toBe(400);
    const built = await web.call('admin', 'POST', '/api/reports/monthly', { month: '2025-07' });
    expect(built.status, await built.clone().text()).toBe(201);
    const { reports } = (await (await web.call('leader', 'GET', '/api/reports')).json()) as { reports: { id: string; files: { format: string }[] }[] };
    expect(reports.find((r) => r.id === 'monthly/2025-07')?.files.map((f) => f.format)).toEqual(expect.arrayContaining(['html', 'docx']));
    const runs = await warehouse.all<{ job: string; trigger: string; status: string }>(`select job, trigger, status from job_runs where job = 'monthly-report'`);
    expect(runs).toEqual([{ job: 'monthly-report', trigger: 'manual', status: 'ok' }]);
  }, 120_000);

  it('loads an uploaded export at once instead of at the next tick of the inbox job, and says so', async () => {
    const file = join(setup.dir, 'upload-source.csv');
    writeTicketsCsv(file, [ticketRow('2025070100009')]);
    const login = await fetch(`${web.base}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'admin', password: PASSWORD }) });
    const admin = { cookie: login.headers.get('set-cookie')!.split(';')[0], 'x-csrf-token': ((await login.json()) as { csrf: string }).csrf };
    const response = await fetch(`${web.base}/api/inbox`, {
      method: 'POST',
      headers: { ...admin, 'content-type': 'application/octet-stream', 'x-file-name': encodeURIComponent('上传.csv') },
      body: readFileSync(file),
    });
    expect(response.status).toBe(202);
    expect(await response.json()).toMatchObject({ started: true, note: expect.stringContaining('正在导入') });
    // The inbox job, started by the upload (the scheduler's ticks are minutes apart), runs to its end.
    let jobs: { status: string }[] = [];
    for (let i = 0; i < 150 && !jobs.some((j) => j.status !== 'running'); i++) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      jobs = await warehouse.all<{ status: string }>(`select status from job_runs where job = 'ingest-inbox' and trigger = 'manual'`);
    }
    expect(jobs).toEqual([{ status: 'ok' }]);
    expect(await warehouse.all(`select status, loaded from ingest_runs where file_name = '上传.csv'`)).toEqual([{ status: 'loaded', loaded: 1 }]);
  }, 60_000);

  it('has 热点话题 worked out after a load, before anyone opens it', async () => {
    const source = join(setup.dir, 'topic-source.csv');
    writeTicketsCsv(source, [ticketRow('2025070100011', { 诉求内容: '天山小区停水两天了' }), ticketRow('2025070100012', { 诉求内容: '天山小区停水，什么时候恢复' })]);
    dropIntoInbox(dataFolders(setup.config).inbox, '话题.csv', readFileSync(source));
    const loaded = await scheduler.run('ingest-inbox', 'manual');
    expect(loaded.status, loaded.message).toBe('ok');
    // The warm-up starts 2 s after the last job ends; the page's first request finds it done or joins it.
    await new Promise((resolve) => setTimeout(resolve, 3500));
    const first = await web.call('leader', 'GET', '/api/text/topics');
    expect(['hit', 'wait']).toContain(first.headers.get('x-cache'));
    const again = await web.call('leader', 'GET', '/api/text/topics');
    expect(again.headers.get('x-cache')).toBe('hit');
    expect(await again.json()).toEqual(await first.json());
    // So is the page's 不含咨询; another view is worked out when asked.
    expect(['hit', 'wait']).toContain((await web.call('leader', 'GET', '/api/text/topics?consultations=0')).headers.get('x-cache'));
    expect((await web.call('leader', 'GET', '/api/text/topics?from=2025-07-01&to=2025-07-31')).headers.get('x-cache')).toBe('miss');
  }, 60_000);
});

async function loginCookie(base: string, name: string) {
  const response = await fetch(`${base}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name, password: PASSWORD }) });
  return { cookie: response.headers.get('set-cookie')!.split(';')[0] };
}

describe('pages while the first load runs', () => {
  const setup = tempSetup('edges-loading');
  let warehouse: Warehouse;
  let web: Awaited<ReturnType<typeof serve>>;
  let startup: { step: string } | null = { step: 'demo' };

  beforeAll(async () => {
    warehouse = await Warehouse.open(setup.config.db);
    for (const role of ['leader', 'analyst', 'admin'] as const) addUser(usersFile(setup.config), role, role, PASSWORD);
    web = await serve({ warehouse: await warehouse.session(), config: setup.config, startedAt: new Date(), startup: () => startup });
  });
  afterAll(async () => {
    await web?.close();
    warehouse?.close();
    setup.cleanup();
  });

  it('answer 503 "数据加载中" with what the load is doing until the summary tables exist; alerts and reports answer meanwhile', async () => {
    const overview = await web.call('leader', 'GET', '/api/overview');
    expect(overview.status).toBe(503);
    expect(overview.headers.get('retry-after')).toBe('5');
    expect(await overview.json()).toMatchObject({ error: expect.stringMatching(/^数据加载中/), loading: { job: 'startup', step: 'demo' } });
    expect((await web.call(null, 'GET', '/api/overview')).status).toBe(401);
    for (const path of ['/api/alerts', '/api/reports', '/api/outbox', '/api/status']) expect((await web.call('leader', 'GET', path)).status, path).toBe(200);
    const status = (await (await web.call('leader', 'GET', '/api/status')).json()) as { activity: { job: string }[] };
    expect(status.activity.map((a) => a.job)).toEqual(['startup']);
    startup = null;
    // The load ends: the summary tables are built (here on an empty warehouse) and the pages answer.
    await afterIngest(warehouse, setup.config);
    for (const path of ['/api/overview', '/api/filters', '/api/categories', '/api/districts', '/api/units']) expect((await web.call('leader', 'GET', path)).status, path).toBe(200);
  });
});
