/**
 * Caches that cannot be stale: every page answer is kept under the versions of the tables it reads
 * (PAGE_READS, pipelines/table-versions.ts). Acknowledging or closing an alert, a load and a rollup
 * rebuild each show on the next request, never after a restart.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VersionMemo } from '../../dashboard/page-data.js';
import { createApp } from '../../dashboard/server.js';
import { refreshRollups } from '../../pipelines/rollups.js';
import { tableVersions } from '../../pipelines/table-versions.js';
import { addUser, usersFile } from '../../pipelines/users.js';
import { Warehouse } from '../../pipelines/warehouse.js';
import { dispatchedTicket, insertTickets, insertUnits, ticket } from '../kpi/helpers.js';
import { tempSetup } from '../service/helpers.js';

const PASSWORD = 'a long test password';

describe('page answers are cached under the versions of the tables they read', () => {
  const setup = tempSetup('cache');
  let warehouse: Warehouse;
  let server: Server;
  let base: string;
  let app: ReturnType<typeof createApp>;
  const agents: Record<string, { cookie: string; csrf: string }> = {};

  const call = (who: string, method: string, path: string, body?: unknown) =>
    fetch(`${base}${path}`, {
      method,
      headers: { cookie: agents[who].cookie, 'x-csrf-token': agents[who].csrf, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
  const overview = async () => {
    const response = await call('leader', 'GET', '/api/overview?month=2025-07');
    return { cache: response.headers.get('x-cache'), body: (await response.json()) as { alerts: { incident_id: number; status: string }[]; cards: { key: string; value: number | null }[] } };
  };

  beforeAll(async () => {
    warehouse = await Warehouse.open(setup.config.db);
    await insertTickets(warehouse, [ticket(), dispatchedTicket({ unit: 'A局' })]);
    await insertUnits(warehouse, [{ unit: 'A局', unit_kind: '县市部门' }]);
    await refreshRollups(warehouse, setup.config);
    await warehouse.run(`insert into alert_incidents (incident_id, first_day, last_day, head_series, level, category_l1, category_l2, peak_day, peak_count, peak_expected, excess, status)
      values (1, '2025-07-10', '2025-07-10', 'l2=物业管理', 'l2', '城乡建设', '物业管理', '2025-07-10', 9, 2.5, 6.5, 'open')`);
    await warehouse.run(`insert into alert_incident_series (incident_id, series_key, level, category_l1, category_l2) values (1, 'l2=物业管理', 'l2', '城乡建设', '物业管理')`);
    for (const role of ['leader', 'analyst'] as const) addUser(usersFile(setup.config), role, role, PASSWORD);
    app = createApp({ warehouse: await warehouse.session(), config: setup.config, startedAt: new Date() });
    server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    for (const role of ['leader', 'analyst']) {
      const response = await fetch(`${base}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: role, password: PASSWORD }) });
      agents[role] = { cookie: response.headers.get('set-cookie')!.split(';')[0], csrf: (await response.json()).csrf };
    }
  });
  afterAll(async () => {
    await new Promise((r) => server.close(r));
    app.close();
    warehouse.close();
    setup.cleanup();
  });

  it('shows an acknowledged alert on the overview at once, and a closed one no more', async () => {
    const first = await overview();
    expect(first.cache).toBe('miss');
    expect(first.body.alerts).toMatchObject([{ incident_id: 1, status: 'open' }]);
    expect((await overview()).cache).toBe('hit');

    expect((await call('analyst', 'POST', '/api/alerts/1', { action: 'acknowledge', comment: '已派人核查' })).status).toBe(200);
    const acknowledged = await overview();
    expect(acknowledged.cache).toBe('miss');
    expect(acknowledged.body.alerts).toMatchObject([{ incident_id: 1, status: 'acknowledged' }]);

    expect((await call('analyst', 'POST', '/api/alerts/1', { action: 'close', comment: '已处置完毕' })).status).toBe(200);
    const closed = await overview();
    expect(closed.cache).toBe('miss');
    expect(closed.body.alerts).toEqual([]);
  });

  it('shows new tickets at once, before and after the rollup is rebuilt', async () => {
    await insertTickets(warehouse, [ticket()]);
    const loaded = await overview();
    expect(loaded.cache).toBe('miss');
    expect(loaded.body.cards.find((c) => c.key === 'received')!.value).toBe(3);
    await refreshRollups(warehouse, setup.config);
    expect((await overview()).cache).toBe('miss');
    expect((await overview()).cache).toBe('hit');
  });

  it('shows a unit moved to another kind on the 承办单位 page at once', async () => {
    const before = await (await call('leader', 'GET', '/api/units?month=2025-07')).json();
    expect(before.rows[0]).toMatchObject({ unit: 'A局', unit_kind: '县市部门' });
    await warehouse.run(`update units set unit_kind = '州直部门' where unit = 'A局'`);
    const response = await call('leader', 'GET', '/api/units?month=2025-07');
    expect(response.headers.get('x-cache')).toBe('miss');
    expect((await response.json()).rows[0]).toMatchObject({ unit: 'A局', unit_kind: '州直部门' });
  });

  it('gives a new table (one the incident engineer adds) a version by name, absent or present', async () => {
    const absent = await tableVersions(warehouse, ['incident_notes']);
    await warehouse.run(`create table incident_notes (note varchar)`);
    const empty = await tableVersions(warehouse, ['incident_notes']);
    await warehouse.run(`insert into incident_notes values ('x')`);
    const one = await tableVersions(warehouse, ['incident_notes']);
    await warehouse.run(`update incident_notes set note = 'y'`);
    const changed = await tableVersions(warehouse, ['incident_notes']);
    expect(new Set([absent, empty, one, changed]).size).toBe(4);
  });
});

describe('the reads requests of one data version share', () => {
  it('reads once per version and name, again for a new version, and forgets a failed read', async () => {
    const memo = new VersionMemo(2);
    let reads = 0;
    const read = async () => ++reads;
    expect(await Promise.all([memo.get('v1', 'calendar', read), memo.get('v1', 'calendar', read)])).toEqual([1, 1]);
    expect(await memo.get('v1', 'rollup', read)).toBe(2);
    expect(await memo.get('v2', 'calendar', read)).toBe(3);
    await expect(memo.get('v3', 'calendar', () => Promise.reject(new Error('busy')))).rejects.toThrow('busy');
    expect(await memo.get('v3', 'calendar', read)).toBe(4);
    // only the newest versions are kept
    expect(await memo.get('v1', 'calendar', read)).toBe(5);
  });
});
