import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { tableFromIPC } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../dashboard/server.js';
import { dataFolders } from '../../pipelines/config.js';
import { ingestFile } from '../../pipelines/ingest/ingest.js';
import { loadProfiles } from '../../pipelines/ingest/profiles.js';
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
      if (Buffer.isBuffer(body)) init.body = body;
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
  ];

  it.each(matrix)('%s %s needs %s', async (method, path, needed, body) => {
    const order: Role[] = ['leader', 'analyst', 'admin'];
    expect((await call(null, method, path, body)).status).toBe(401);
    for (const role of order) {
      const response = await call(role, method, path, body);
      const allowed = order.indexOf(role) >= order.indexOf(needed);
      expect(response.status, `${role} ${method} ${path}`).toBe(allowed ? 200 : 403);
    }
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
});
