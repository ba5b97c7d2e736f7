import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tableFromIPC } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../dashboard/server.js';
import { dataFolders } from '../../pipelines/config.js';
import { ingestFile } from '../../pipelines/ingest/ingest.js';
import { loadProfiles } from '../../pipelines/ingest/profiles.js';
import { kpiWithComparisons } from '../../pipelines/kpi.js';
import { afterIngest } from '../../pipelines/refresh.js';
import { addUser, usersFile } from '../../pipelines/users.js';
import { Warehouse } from '../../pipelines/warehouse.js';
import { tempSetup, ticketRow, writeTicketsCsv } from '../service/helpers.js';

type Role = 'leader' | 'analyst' | 'admin';
const PASSWORD = 'a long test password';

describe('dashboard API: roles, sessions, CSRF', () => {
  const setup = tempSetup('dashboard');
  let warehouse: Warehouse;
  let server: Server;
  let base: string;
  let app: ReturnType<typeof createApp>;
  const agents: Record<string, { cookie: string; csrf: string }> = {};

  async function login(name: string, password = PASSWORD) {
    const response = await fetch(`${base}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name, password }) });
    return response;
  }

  function call(who: string | null, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
    const agent = who ? agents[who] : undefined;
    const init: RequestInit = { method, headers: { ...(agent ? { cookie: agent.cookie, 'x-csrf-token': agent.csrf } : {}), ...headers } };
    if (body !== undefined) {
      if (Buffer.isBuffer(body)) init.body = new Uint8Array(body);
      else {
        init.body = JSON.stringify(body);
        (init.headers as Record<string, string>)['content-type'] = 'application/json';
      }
    }
    return fetch(`${base}${path}`, init);
  }

  beforeAll(async () => {
    warehouse = await Warehouse.open(setup.config.db);
    const file = join(setup.dir, 'tickets.csv');
    writeTicketsCsv(file, [ticketRow('2025070100001'), ticketRow('2025070100002', { 诉求内容: '=cmd|\' /C calc\'!A0' })]);
    await ingestFile(warehouse, file, { profiles: loadProfiles(), key: 'ef'.repeat(32), maxFieldBytes: 1e6 });
    await afterIngest(warehouse, setup.config);
    await warehouse.run(`insert into alert_incidents (incident_id, first_day, last_day, head_series, level, category_l1, category_l2, peak_day, peak_count, peak_expected, p_value, excess, status)
      values (1, '2025-07-01', '2025-07-01', 'l2=噪声扰民', 'l2', '环境保护', '噪声扰民', '2025-07-01', 2, 0.4, 0.01, 1.6, 'open')`);
    await warehouse.run(`insert into alert_incident_series (incident_id, series_key, level, category_l1, category_l2) values (1, 'l2=噪声扰民', 'l2', '环境保护', '噪声扰民')`);
    await warehouse.run(`insert into alert_days (incident_id, series_key, day, count, expected, upper, p_value, q_value, score, channel, detected_at)
      values (1, 'l2=噪声扰民', '2025-07-01', 2, 0.4, 1.5, 0.001, 0.01, 5, 'day', current_localtimestamp())`);
    const reports = dataFolders(setup.config).reports;
    mkdirSync(join(reports, '2025'), { recursive: true });
    writeFileSync(join(reports, '2025', '2025-07 月报.html'), '<!doctype html><title>月报</title><h1>2025 年 7 月</h1>');
    writeFileSync(join(reports, '2025', '2025-07 月报.pdf'), '%PDF-1.4 test');
    writeFileSync(join(setup.config.dataDir, 'secret.html'), 'not a report');
    for (const role of ['leader', 'analyst', 'admin'] as Role[]) addUser(usersFile(setup.config), role, role, PASSWORD);
    app = createApp({ warehouse: await warehouse.session(), config: setup.config, startedAt: new Date() });
    server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    for (const role of ['leader', 'analyst', 'admin']) {
      const response = await login(role);
      expect(response.status).toBe(200);
      const cookie = response.headers.get('set-cookie')!;
      expect(cookie).toMatch(/HttpOnly/i);
      expect(cookie).toMatch(/SameSite=Strict/i);
      agents[role] = { cookie: cookie.split(';')[0], csrf: (await response.json()).csrf };
    }
  });
  afterAll(async () => {
    await new Promise((r) => server.close(r));
    app.close();
    warehouse.close();
    setup.cleanup();
  });

  const matrix: [string, string, Role, unknown?][] = [
    ['GET', '/api/me', 'leader'],
    ['GET', '/api/status', 'leader'],
    ['GET', '/api/sql/schema', 'analyst'],
    ['POST', '/api/sql', 'analyst', { sql: 'select count(*) as n from tickets' }],
    ['POST', '/api/sql/export', 'analyst', { sql: 'select ticket_id from tickets', format: 'csv' }],
    ['GET', '/api/sql/saved', 'analyst'],
    ['GET', '/api/sql/history', 'analyst'],
    ['GET', '/api/quarantine', 'admin'],
    ['GET', '/api/filters', 'leader'],
    ['GET', '/api/overview', 'leader'],
    ['GET', '/api/overview?month=2025-07&district=昌吉市', 'leader'],
    ['GET', '/api/overview?month=2025-07&category=环境保护/噪声扰民', 'leader'],
    ['GET', '/api/categories?month=2025-07&category=环境保护', 'leader'],
    ['GET', '/api/categories/rising?month=2025-07', 'leader'],
    ['GET', '/api/channels?month=2025-07', 'leader'],
    ['GET', '/api/tickets?month=2025-07&category=环境保护&district=昌吉市', 'leader'],
    ['GET', '/api/districts?month=2025-07&district=昌吉市', 'leader'],
    ['GET', '/api/units?month=2025-07', 'leader'],
    ['GET', `/api/units/tickets?month=2025-07&unit=${encodeURIComponent('昌吉市生态环境局')}&kind=returned`, 'leader'],
    ['GET', '/api/alerts', 'leader'],
    ['GET', '/api/alerts/1', 'leader'],
    ['POST', '/api/alerts/1', 'analyst', { action: 'acknowledge', comment: '已通知属地核实' }],
    ['GET', '/api/reports', 'leader'],
    ['GET', '/api/outbox', 'leader'],
    ['GET', `/reports/file?path=${encodeURIComponent('2025/2025-07 月报.html')}`, 'leader'],
    ['POST', '/api/sql/saved', 'analyst', { name: '按分类', sql: 'select category_l1, count(*) from tickets group by all', shared: true }],
  ];

  it.each(matrix)('%s %s needs %s', async (method, path, needed, body) => {
    const order: Role[] = ['leader', 'analyst', 'admin'];
    expect((await call(null, method, path, body)).status).toBe(401);
    for (const role of order) {
      const response = await call(role, method, path, body);
      const allowed = order.indexOf(role) >= order.indexOf(needed);
      expect(response.status, `${role} ${method} ${path}`).toBe(allowed ? (method === 'POST' && path === '/api/sql/saved' ? 201 : 200) : 403);
    }
  });

  const pages: [string, Role][] = [
    ['/', 'leader'],
    ['/categories', 'leader'],
    ['/districts', 'leader'],
    ['/units', 'leader'],
    ['/alerts', 'leader'],
    ['/reports', 'leader'],
    ['/definitions', 'leader'],
    ['/sql', 'analyst'],
    ['/data', 'admin'],
  ];

  it.each(pages)('page %s needs %s, and its navigation shows only what the role may open', async (path, needed) => {
    const order: Role[] = ['leader', 'analyst', 'admin'];
    const anonymous = await fetch(`${base}${path}`, { redirect: 'manual' });
    expect(anonymous.status).toBe(302);
    expect(anonymous.headers.get('location')).toMatch(/^\/login/);
    for (const role of order) {
      const response = await call(role, 'GET', path);
      const allowed = order.indexOf(role) >= order.indexOf(needed);
      expect(response.status, `${role} ${path}`).toBe(allowed ? 200 : 403);
      const html = await response.text();
      expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/); // no inline script: the CSP forbids them
      expect(html.includes('href="/sql"'), `${role} sees SQL`).toBe(role !== 'leader');
      expect(html.includes('href="/data"'), `${role} sees 数据`).toBe(role === 'admin');
    }
  });

  it('serves the browser bundle and ECharts, under a CSP without inline scripts', async () => {
    const page = await call('leader', 'GET', '/');
    expect(page.headers.get('content-security-policy')).toMatch(/script-src 'self'(;|$)/);
    expect(await page.text()).toContain('12345 热线数据仓库');
    const bundle = await call('leader', 'GET', '/assets/app.js');
    expect(bundle.status).toBe(200);
    expect(await bundle.text()).toContain('hotline');
    expect((await call(null, 'GET', '/assets/echarts.min.js')).status).toBe(200);
    expect((await call(null, 'GET', '/assets/app.css')).status).toBe(200);
  });

  it('answers the overview from the rollup, with 环比/同比 in percent for counts and in points for rates, cached per data version', async () => {
    const first = await call('leader', 'GET', '/api/overview?month=2025-07');
    const overview = await first.json();
    expect(overview.source).toBe('rollup');
    expect(overview.rollup.usable).toBe(true);
    const byKey = Object.fromEntries(overview.cards.map((c: { key: string }) => [c.key, c]));
    // the data begins in July: June has no data (null, not 0 件), and the sparkline's earlier months are gaps
    expect(byKey.received).toMatchObject({ value: 2, measure: 'pct', previous_month: null, mom_pct: null, mom_withheld: '上月（2025-06）早于数据的起始日（2025-07-01），不作比较' });
    expect(byKey.received.spark.slice(0, 12).map((p: { value: number | null }) => p.value)).toEqual(Array(12).fill(null));
    expect(byKey.completion_rate).toMatchObject({ value: 1, measure: 'pp' });
    // A card says why its own figure is missing; the page's notice does not say it again.
    const cardNotes = overview.cards.map((c: { missing: string | null }) => c.missing).filter(Boolean);
    expect(cardNotes.length).toBeGreaterThan(0);
    for (const note of cardNotes) expect(overview.notes).not.toContain(note);
    expect(byKey.received.spark).toHaveLength(13);
    expect(byKey.received.spark.at(-1)).toEqual({ month: '2025-07', value: 2 });
    expect(overview.daily.find((d: { date: string }) => d.date === '2025-07-01').count).toBe(2);
    // the three months' daily chart begins on the data's first day, not on 0 件 in May and June
    expect(overview.daily[0]).toEqual({ date: '2025-07-01', count: 2 });
    expect((await (await call('leader', 'GET', '/api/channels?month=2025-07')).json()).rows).toEqual([{ name: '电话', count: 2, share: 1 }]);
    expect(overview.alerts.map((a: { incident_id: number }) => a.incident_id)).toEqual([1]);
    // The same numbers as kpi.ts's own comparison, to the last digit.
    const expected = await kpiWithComparisons(warehouse, '2025-07', { settings: setup.config.kpi });
    for (const card of overview.cards) expect(card, card.key).toMatchObject(expected.changes[card.key as keyof typeof expected.changes]);
    const again = await call('leader', 'GET', '/api/overview?month=2025-07');
    expect(again.headers.get('x-cache')).toBe('hit');
    const filters = await (await call('leader', 'GET', '/api/filters')).json();
    expect(filters).toMatchObject({ months: ['2025-07'], defaultMonth: '2025-07', districts: [{ name: '昌吉市', children: [{ name: '宁边路街道' }] }] });
  });

  it('drills from a category to its tickets and from a unit to its returned tickets, masked and without personal data', async () => {
    const categories = await (await call('leader', 'GET', `/api/categories?month=2025-07&category=${encodeURIComponent('环境保护/噪声扰民')}`)).json();
    expect(categories.summary.received).toBe(2);
    // 诉求分析's cards say 未满期 where 总览's do (they showed the same 办结率 without it)
    const all = await (await call('leader', 'GET', '/api/categories?month=2025-07')).json();
    const overview = await (await call('leader', 'GET', '/api/overview?month=2025-07')).json();
    const young = overview.cards.filter((c: { young: boolean }) => c.young).map((c: { key: string }) => c.key);
    expect(young).toContain('completion_rate');
    expect(all.summary.young).toEqual(young.filter((k: string) => ['completion_rate', 'satisfaction_rate', 'resolution_rate', 'repeat_rate'].includes(k)));
    // and 区域分析's table headings, for the whole hotline's month
    const districts = await (await call('leader', 'GET', '/api/districts?month=2025-07')).json();
    for (const key of ['completion_rate', 'ontime_completion_rate', 'satisfaction_rate', 'repeat_rate']) expect(districts.young.includes(key), key).toBe(young.includes(key));
    expect(districts.young).toContain('ontime_completion_rate');
    const samples = await (await call('leader', 'GET', `/api/tickets?month=2025-07&category=${encodeURIComponent('环境保护/噪声扰民')}&district=${encodeURIComponent('昌吉市/宁边路街道')}`)).json();
    expect(samples.tickets.map((t: { ticket_id: string }) => t.ticket_id).sort()).toEqual(['2025070100001', '2025070100002']);
    expect(Object.keys(samples.tickets[0])).not.toContain('address');
    const units = await (await call('leader', 'GET', '/api/units?month=2025-07')).json();
    expect(units.rows[0]).toMatchObject({ unit: '昌吉市生态环境局', volume: 2, rank: null, unranked_reason: 'volume_below_minimum' });
    const drill = await (await call('leader', 'GET', `/api/units/tickets?month=2025-07&unit=${encodeURIComponent('昌吉市生态环境局')}&kind=dissatisfied`)).json();
    expect(drill.tickets).toEqual([]);
    const hashes = (await warehouse.all<{ phone_hash: string }>('select distinct phone_hash from tickets')).map((r) => r.phone_hash);
    expect(hashes[0]).toMatch(/\w{16,}/);
    for (const path of ['/api/overview?month=2025-07', '/api/categories?month=2025-07', '/api/tickets?month=2025-07', '/api/units/tickets?month=2025-07&unit=x&kind=returned', '/api/districts?month=2025-07', '/api/units?month=2025-07', '/api/alerts', '/api/alerts/1', '/api/status', '/api/quarantine', '/api/sql/schema']) {
      const text = await (await call('admin', 'GET', path)).text();
      expect(text, path).not.toContain('phone_hash');
      for (const hash of hashes) expect(text, path).not.toContain(hash);
      expect(text, path).not.toContain('13800000000');
    }
  });

  it('refuses bad filters, unknown incidents, a missing comment and paths out of the report archive', async () => {
    expect((await call('leader', 'GET', '/api/overview?month=2025-13')).status).toBe(400);
    expect((await call('leader', 'GET', `/api/categories?category=${encodeURIComponent('a/b/c/d')}`)).status).toBe(400);
    expect((await call('leader', 'GET', '/api/units/tickets?unit=x&kind=all')).status).toBe(400);
    expect((await call('leader', 'GET', '/api/alerts/99')).status).toBe(404);
    expect((await call('analyst', 'POST', '/api/alerts/1', { action: 'close', comment: ' ' })).status).toBe(400);
    for (const path of ['../secret.html', '../users.json', '/etc/passwd', '2025/../../secret.html']) {
      expect((await call('leader', 'GET', `/reports/file?path=${encodeURIComponent(path)}`)).status, path).toBe(404);
    }
    const list = await (await call('leader', 'GET', '/api/reports')).json();
    expect(list.reports).toHaveLength(1);
    expect(list.reports[0].files.map((f: { format: string }) => f.format)).toEqual(['html', 'pdf']);
    const pdf = await call('leader', 'GET', `/reports/file?path=${encodeURIComponent('2025/2025-07 月报.pdf')}`);
    expect(pdf.headers.get('content-disposition')).toMatch(/attachment/);
  });

  it('closes an alert incident through the pipeline, with the user and the comment', async () => {
    const response = await call('analyst', 'POST', '/api/alerts/1', { action: 'close', comment: '已处置完毕' });
    expect(response.status).toBe(200);
    expect((await response.json()).incident).toMatchObject({ status: 'closed', comment: '已处置完毕', handled_by: 'analyst' });
    const evidence = await (await call('leader', 'GET', '/api/alerts/1')).json();
    // eight weeks up to the incident, but from the data's first day: this warehouse begins on 2025-07-01
    // (before, seven weeks of 0 before the export began)
    const { first } = (await warehouse.one<{ first: string }>(`select strftime(min(received_at), '%Y-%m-%d') as first from tickets`))!;
    expect(first).toBe('2025-07-01');
    expect(evidence.days.map((d: { date: string }) => d.date)).toEqual(['2025-07-01']);
    expect(evidence.days.at(-1)).toMatchObject({ date: '2025-07-01', count: 2, alarm: true, expected: 0.4 });
  });

  it('refuses state-changing requests without the session’s CSRF token', async () => {
    const admin = agents.admin;
    const without = await fetch(`${base}/api/sql`, { method: 'POST', headers: { cookie: admin.cookie, 'content-type': 'application/json' }, body: JSON.stringify({ sql: 'select 1' }) });
    expect(without.status).toBe(403);
    const wrong = await fetch(`${base}/api/sql`, { method: 'POST', headers: { cookie: admin.cookie, 'x-csrf-token': 'x'.repeat(32), 'content-type': 'application/json' }, body: JSON.stringify({ sql: 'select 1' }) });
    expect(wrong.status).toBe(403);
    const crossOrigin = await fetch(`${base}/api/login`, { method: 'POST', headers: { origin: 'http://evil.example', 'content-type': 'application/json' }, body: JSON.stringify({ name: 'admin', password: PASSWORD }) });
    expect(crossOrigin.status).toBe(403);
  });

  it('limits failed logins and never says which part was wrong', async () => {
    addUser(usersFile(setup.config), 'victim', 'leader', PASSWORD);
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await login('victim', 'wrong password ' + i)).status);
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
    expect((await login('victim')).status).toBe(429);
  });

  it('answers SQL as JSON or Arrow IPC, refuses writes, and exports CSV with formulas neutralised', async () => {
    const json = await (await call('analyst', 'POST', '/api/sql', { sql: 'select ticket_id, content from tickets order by ticket_id' })).json();
    expect(json.rows.map((r: unknown[]) => r[0])).toEqual(['2025070100001', '2025070100002']);
    const arrow = await call('analyst', 'POST', '/api/sql', { sql: 'select count(*)::int as n, 1.5 as x from tickets' }, { accept: 'application/vnd.apache.arrow.stream' });
    const table = tableFromIPC(new Uint8Array(await arrow.arrayBuffer()));
    expect(table.getChild('n')!.get(0)).toBe(2);
    const write = await call('analyst', 'POST', '/api/sql', { sql: 'delete from tickets' });
    expect(write.status).toBe(400);
    expect((await write.json()).error).toMatch(/只接受查询|只读/);
    const csv = await (await call('analyst', 'POST', '/api/sql/export', { sql: 'select content from tickets order by ticket_id', format: 'csv' })).text();
    expect(csv).toContain("\n'=cmd"); // neutralised at ingest, and not doubled
    const formula = Buffer.from(await (await call('analyst', 'POST', '/api/sql/export', { sql: "select '=1+2' as f, '-5' as n", format: 'csv' })).arrayBuffer());
    expect(formula.toString('utf8')).toBe("\uFEFFf,n\r\n'=1+2,-5\r\n"); // BOM for Excel; numbers stay numbers
    for (const format of ['xlsx', 'parquet']) {
      const response = await call('analyst', 'POST', '/api/sql/export', { sql: 'select ticket_id, received_at from tickets', format });
      expect(response.status, format).toBe(200);
      expect((await response.arrayBuffer()).byteLength, format).toBeGreaterThan(100);
    }
  });

  it('never leaks a stack trace', async () => {
    const response = await fetch(`${base}/api/sql`, { method: 'POST', headers: { cookie: agents.analyst.cookie, 'x-csrf-token': agents.analyst.csrf, 'content-type': 'application/json' }, body: '{"sql": ' });
    expect(response.status).toBe(400);
    const text = await response.text();
    expect(text).not.toMatch(/at .*\.(ts|js):\d+/);
  });

  it('lets an admin drop a file into the inbox, and nobody else', async () => {
    const body = Buffer.from('工单编号,受理时间\n');
    expect((await call('analyst', 'POST', '/api/inbox', body, { 'x-file-name': encodeURIComponent('新导出.csv') })).status).toBe(403);
    const response = await call('admin', 'POST', '/api/inbox', body, { 'x-file-name': encodeURIComponent('../../新导出.csv') });
    expect(response.status).toBe(202);
    const inbox = dataFolders(setup.config).inbox;
    expect(readdirSync(inbox)).toEqual(['新导出.csv']);
    expect(existsSync(join(setup.dir, '新导出.csv'))).toBe(false);
  });

  it('lists the mail outbox with subjects and builds a special report from the form into the archive', async () => {
    const { mkdirSync, writeFileSync } = await import('node:fs');
    const outbox = setup.config.mail.outbox;
    mkdirSync(join(outbox, 'pending'), { recursive: true });
    const eml = (subject: string, to = 'duty@example.org') =>
      `From: Hotline Pulse <hotline-pulse@localhost>\r\nTo: ${to}\r\nSubject: =?UTF-8?B?${Buffer.from(subject).toString('base64')}?=\r\nDate: Wed, 16 Jul 2025 08:00:00 +0800\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n正文\r\n`;
    writeFileSync(join(outbox, 'alert-1.eml'), eml('【预警】停水 · 昌吉市 · 7 月 16 日 51 件，预期 8.8 件'));
    // (the To: of a mail written while no recipient is configured: an empty group, as the mail path writes it)
    const nobody = `=?UTF-8?B?${Buffer.from('未配置收件人').toString('base64')}?=:;`;
    writeFileSync(join(outbox, 'pending', 'alert-2.eml'), eml('【预警升级】噪声扰民 · 昌吉市', nobody));
    writeFileSync(join(outbox, 'alert-3.eml'), eml('【预警】供暖不热 · 阜康市', '=?UTF-8?B?5oC75YC854+t?= <duty@example.org>, leader@example.org'));
    const { messages } = await (await call('leader', 'GET', '/api/outbox')).json();
    expect(messages.map((m: { subject: string; to: string; pending: boolean }) => [m.subject, m.to, m.pending]).sort()).toEqual([
      ['【预警】供暖不热 · 阜康市', '总值班 <duty@example.org>, leader@example.org', false],
      ['【预警】停水 · 昌吉市 · 7 月 16 日 51 件，预期 8.8 件', 'duty@example.org', false],
      ['【预警升级】噪声扰民 · 昌吉市', '未配置收件人', true],
    ]);
    const file = await call('leader', 'GET', '/api/outbox/file?name=alert-1.eml');
    expect(file.status).toBe(200);
    expect(await file.text()).toContain('duty@example.org');
    expect((await call('leader', 'GET', `/api/outbox/file?name=${encodeURIComponent('../users.json')}`)).status).toBe(404);

    expect((await call(null, 'POST', '/api/reports/special', { topic: 'noise', from: '2025-06-01', to: '2025-07-31' })).status).toBe(401);
    expect((await call('leader', 'POST', '/api/reports/special', { topic: 'astrology', from: '2025-06-01', to: '2025-07-31' })).status).toBe(400);
    expect((await call('leader', 'POST', '/api/reports/special', { topic: 'noise', from: '2025-08-01', to: '2025-07-31' })).status).toBe(400);
    const built = await call('leader', 'POST', '/api/reports/special', { topic: 'noise', from: '2025-06-01', to: '2025-07-31' });
    expect(built.status).toBe(201);
    expect((await built.json()).files).toEqual(['noise_2025-06-01_2025-07-31.html', 'noise_2025-06-01_2025-07-31.docx', 'noise_2025-06-01_2025-07-31.json']);
    const list = await (await call('leader', 'GET', '/api/reports')).json();
    expect(list.topics.map((t: { name: string }) => t.name)).toContain('noise');
    const noise = list.reports.find((r: { files: { path: string }[] }) => r.files.some((f) => f.path.includes('noise_2025-06-01_2025-07-31.html')));
    // listed by its title and period (from the manifest beside it), not by its file name
    expect(noise.title).toMatch(/噪声扰民.*专报（2025-06-01 至 2025-07-31）$/);
    // a report without a manifest (put there by hand) keeps its file name
    expect(list.reports.find((r: { id: string }) => r.id === '2025/2025-07 月报').title).toBe('2025-07 月报');
  });
});
