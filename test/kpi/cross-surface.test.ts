/**
 * One number everywhere: for a fixture month, every KPI of `hotline kpi --json`, the overview API,
 * the monthly report's HTML table and its e-mail are the same numbers; the overview's sparkline
 * points are `hotline kpi` of those months; a special report's topic KPIs are `hotline kpi --topic`.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createApp } from '../../dashboard/server.js';
import { OVERVIEW_CARDS } from '../../dashboard/page-data.js';
import { run as kpiCommand } from '../../pipelines/commands/kpi.js';
import { loadConfig, type Config } from '../../pipelines/config.js';
import { addMonths, KPI_JSON_KEYS, metricKind, type KpiJsonKey } from '../../pipelines/kpi.js';
import { refreshRollups } from '../../pipelines/rollups.js';
import { addUser, usersFile } from '../../pipelines/users.js';
import { countText, hoursText, rateText } from '../../reports/format.js';
import { composeMonthlyReportMail } from '../../reports/job.js';
import { buildMonthlyReport, type MonthlyReport } from '../../reports/monthly.js';
import { buildSpecialReport } from '../../reports/special.js';
import { findTopic } from '../../reports/topics.js';
import { reportWarehouse } from '../reports/fixture.js';

const MONTH = '2025-08';
let fixture: Awaited<ReturnType<typeof reportWarehouse>>;
let config: Config;
let server: Server;
let app: ReturnType<typeof createApp>;
let base: string;
let cookie: string;
let monthly: MonthlyReport;

async function kpi(argv: string[]): Promise<Record<string, number | string | null>> {
  const chunks: string[] = [];
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => (chunks.push(String(chunk)), true));
  const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    await kpiCommand([...argv, '--json', '--db', fixture.db]);
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
  return JSON.parse(chunks.join(''));
}

/** A KPI as the reports write it. */
function reportText(key: KpiJsonKey, value: number | null): string {
  const kind = metricKind(key);
  return kind === 'rate' ? rateText(value) : kind === 'mean' ? hoursText(value) : countText(value);
}

beforeAll(async () => {
  fixture = await reportWarehouse('cross');
  config = loadConfig({ env: { HOTLINE_DATA_DIR: join(fixture.dir, 'data'), HOTLINE_DB: fixture.db }, cwd: fixture.dir });
  await refreshRollups(fixture.warehouse, config);
  await fixture.warehouse.checkpoint();
  monthly = await buildMonthlyReport(fixture.warehouse, MONTH, config);
  addUser(usersFile(config), 'leader', 'leader', 'a long test password');
  app = createApp({ warehouse: await fixture.warehouse.session(), config, startedAt: new Date() });
  server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const login = await fetch(`${base}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'leader', password: 'a long test password' }) });
  cookie = login.headers.get('set-cookie')!.split(';')[0];
}, 180_000);
afterAll(async () => {
  await new Promise((r) => server?.close(r));
  app?.close();
  fixture?.close();
});

describe('one number everywhere', () => {
  it('hotline kpi --json, the overview API, the monthly report table and its e-mail agree on every KPI', async () => {
    const cli = await kpi(['--month', MONTH]);
    expect(Object.keys(cli).slice(1)).toEqual([...KPI_JSON_KEYS]);
    expect(cli.received).toBeGreaterThan(1000);

    const overview = await (await fetch(`${base}/api/overview?month=${MONTH}`, { headers: { cookie } })).json();
    expect(overview.source).toBe('rollup');
    for (const key of OVERVIEW_CARDS) expect(overview.cards.find((c: { key: string }) => c.key === key).value, key).toBe(cli[key]);

    // the report's data is the CLI's JSON, and its HTML table prints exactly those values
    expect(monthly.data.kpiJson).toEqual(cli);
    const rows = [...monthly.html.matchAll(/<tr><td>([^<]*)<\/td><td class="num">([^<]*)<\/td>/g)].map((m) => [m[1].replace(/（未满期）$/, ''), m[2]] as const);
    const table = new Map(rows);
    for (const line of monthly.data.kpis) expect(table.get(line.name), line.key).toBe(reportText(line.key, cli[line.key] as number | null));

    const mail = composeMonthlyReportMail(monthly.data, []);
    for (const key of ['received', 'completion_rate', 'ontime_completion_rate', 'satisfaction_rate', 'connection_rate'] as KpiJsonKey[]) {
      const name = monthly.data.kpis.find((k) => k.key === key)!.name;
      expect(mail.text, key).toContain(`${name}：${reportText(key, cli[key] as number | null)}`);
    }
  });

  it('the sparkline points are hotline kpi of their months', async () => {
    const overview = await (await fetch(`${base}/api/overview?month=${MONTH}`, { headers: { cookie } })).json();
    const card = (key: string) => overview.cards.find((c: { key: string }) => c.key === key);
    expect(card('received').spark.map((p: { month: string }) => p.month)).toEqual(Array.from({ length: 13 }, (_, i) => addMonths(MONTH, i - 12)));
    for (const point of card('received').spark) {
      const cli = await kpi(['--month', point.month]);
      for (const key of OVERVIEW_CARDS) {
        const spark = card(key).spark.find((p: { month: string }) => p.month === point.month);
        expect(spark.value, `${key} ${point.month}`).toBe(cli[key]);
      }
    }
  });

  it('a special report’s topic KPIs are hotline kpi --topic over the same days', async () => {
    const report = await buildSpecialReport(fixture.warehouse, findTopic('noise')!, '2025-06-01', '2025-08-31', config);
    const cli = await kpi(['--topic', 'noise', '--from', '2025-06-01', '--to', '2025-08-31']);
    const { from: _from, to: _to, ...values } = cli;
    expect(report.data.kpis.values).toEqual(values);
    expect(report.data.summary.received).toBe(cli.received);
    for (const key of ['completion_rate', 'ontime_completion_rate', 'satisfaction_rate', 'resolution_rate'] as const) expect(report.data[key], key).toBe(cli[key]);
    // the topic's tickets are fewer than all, and calls are not the topic's
    const all = await kpi(['--from', '2025-06-01', '--to', '2025-08-31']);
    expect(cli.received).toBeLessThan(all.received as number);
    expect(cli.connection_rate).toBeNull();
    expect(report.html).toContain(`满意率 ${rateText(cli.satisfaction_rate as number)}`);
  });
});
