/**
 * Data tests on a larger, seeded random warehouse (≈ 18k tickets over 15 months, see generator.ts):
 * the rollup equals the direct query for every month, dimension and the ranking; rates stay in
 * [0, 1]; parts add up to wholes; the rollup's keys are unique.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BREAKDOWN_DIMENSIONS,
  BREAKDOWN_DIMENSION_NAMES,
  KPI_METRICS,
  breakdown,
  dataAsOf,
  dataCalendar,
  monthlyKpis,
  monthlySeries,
  monthPeriod,
  timePeriod,
  unitRanking,
  type BreakdownReport,
} from '../../pipelines/kpi.js';
import { sampleTickets, unitTickets, UNIT_TICKET_KINDS, type UnitTicketKind } from '../../dashboard/reads.js';
import { refreshRollups } from '../../pipelines/rollups.js';
import { sqlFile, type Warehouse } from '../../pipelines/warehouse.js';
import { generateWarehouse } from './generator.js';
import { tempWarehouse } from './helpers.js';

let warehouse: Warehouse;
let close: () => void;
let months: string[];

beforeAll(async () => {
  let dir: string;
  ({ warehouse, close, dir } = await tempWarehouse('data'));
  await generateWarehouse(warehouse, { dir, seed: 20250701, start: '2023-11-01', days: 458, perDay: 40 });
  await refreshRollups(warehouse);
  months = (
    await warehouse.all<{ month: string }>(`select distinct strftime(received_at, '%Y-%m') as month from tickets order by month`)
  ).map((r) => r.month);
});
afterAll(() => close());

const RATES = KPI_METRICS.filter((m) => m.kind === 'rate').map((m) => m.key);
const ADDITIVE = ['received', 'dispatched', 'enterprise', 'completion_rate_numerator', 'ontime_sign_rate_numerator', 'repeat_rate_numerator', 'repeat_rate_denominator', 'satisfaction_rate_denominator', 'callback_rate_denominator', 'overdue', 'returns'];

describe('a generated warehouse', () => {
  it('covers 15 months, including tickets on the first and last second of months', async () => {
    expect(months.length).toBe(15);
    const edges = await warehouse.one<{ first: number; last: number }>(
      `select count(*) filter (where strftime(received_at, '%d %H:%M:%S') = '01 00:00:00') as first,
              count(*) filter (where received_at + interval 1 second = date_trunc('month', received_at) + interval 1 month) as last
       from tickets`,
    );
    expect(edges!.first).toBeGreaterThan(10);
    expect(edges!.last).toBeGreaterThan(10);
  });

  it('gives the same KPIs from the rollup as from the tickets, every month', async () => {
    for (const month of months) {
      const direct = await monthlyKpis(warehouse, month, { source: 'direct' });
      const rollup = await monthlyKpis(warehouse, month, { source: 'rollup' });
      expect(rollup.values, month).toEqual(direct.values);
      expect(rollup.sums, month).toEqual(direct.sums);
    }
  });

  it('gives the same breakdowns and ranking from the rollup as from the tickets, every month', async () => {
    for (const month of months) {
      for (const dimension of BREAKDOWN_DIMENSION_NAMES) {
        const direct = await breakdown(warehouse, dimension, month, { source: 'direct' });
        const rollup = await breakdown(warehouse, dimension, month, { source: 'rollup' });
        expect(rollup.rows, `${dimension} ${month}`).toEqual(direct.rows);
      }
      const direct = await unitRanking(warehouse, month, { source: 'direct' });
      const rollup = await unitRanking(warehouse, month, { source: 'rollup' });
      expect(rollup.rows, `ranking ${month}`).toEqual(direct.rows);
    }
  }, 120_000);

  it('gives the same breakdowns and series from the monthly sums as from the tickets over several months', async () => {
    const quarter = timePeriod(`${months[3]}-01 00:00:00`, monthPeriod(months[5]).to);
    for (const dimension of BREAKDOWN_DIMENSION_NAMES) {
      const direct = await breakdown(warehouse, dimension, quarter, { source: 'direct' });
      const rollup = await breakdown(warehouse, dimension, quarter, { source: 'rollup' });
      expect(rollup.rows, dimension).toEqual(direct.rows);
    }
    const scope = { dimension: 'category' as const, keys: ['城乡建设'] };
    const direct = await monthlySeries(warehouse, months[1], months[6], { source: 'direct', scope });
    const rollup = await monthlySeries(warehouse, months[1], months[6], { source: 'rollup', scope });
    expect(rollup.map((r) => r.values)).toEqual(direct.map((r) => r.values));
  }, 60_000);

  it('lists the same drill-down tickets from the rollup as from the tickets, as many as the ranking counts', async () => {
    const asOf = await dataAsOf(warehouse);
    const listed = { overdue: 0, returned: 0, dissatisfied: 0 };
    for (const month of [months[2], months[9], months[14]]) {
      const period = monthPeriod(month);
      const ranking = await unitRanking(warehouse, month);
      for (const row of ranking.rows.slice(0, 6)) {
        for (const kind of Object.keys(UNIT_TICKET_KINDS) as UnitTicketKind[]) {
          const direct = await unitTickets(warehouse, row.unit, period, kind, asOf, 'tickets', 10_000);
          const stored = await unitTickets(warehouse, row.unit, period, kind, asOf, 'rollup', 10_000);
          expect(stored, `${row.unit} ${kind} ${month}`).toEqual(direct);
          listed[kind] += direct.length;
          if (kind === 'overdue') expect(direct.length, `${row.unit} ${month}`).toBe(row.overdue);
          if (kind === 'returned') expect(direct.length, `${row.unit} ${month}`).toBe(row.returned_tickets);
        }
      }
    }
    expect(Math.min(...Object.values(listed))).toBeGreaterThan(0);
  }, 60_000);

  it('finds the same newest sample tickets starting from the last days as from the whole month', async () => {
    const { lastDay } = await dataCalendar(warehouse);
    const [district, category] = await Promise.all([breakdown(warehouse, 'district', months[7], { depth: 2 }), breakdown(warehouse, 'category', months[7])]);
    const paths = (report: BreakdownReport) => report.rows.filter((r) => r.level > 0).map((r) => Object.values(r.keys).filter((k): k is string => k !== null));
    const choices = [
      { district: [], category: [] },
      ...paths(district).slice(0, 6).map((d) => ({ district: d, category: [] })),
      ...paths(category).slice(0, 12).map((c) => ({ district: [], category: c })),
      ...paths(district).slice(0, 3).flatMap((d) => paths(category).slice(0, 4).map((c) => ({ district: d, category: c }))),
    ];
    let short = 0;
    for (const month of [months[7], months[14]]) {
      const period = monthPeriod(month);
      for (const filters of choices) {
        const [d = null, township = null] = filters.district;
        const [l1 = null, l2 = null, l3 = null] = filters.category;
        const whole = await warehouse.all(sqlFile('tickets/sample_tickets.sql'), { from: period.from, to: period.to, district: d, township, l1, l2, l3, limit: 20 });
        expect(await sampleTickets(warehouse, period, filters, 20, lastDay), `${month} ${JSON.stringify(filters)}`).toEqual(whole);
        if (whole.length < 20) short++;
      }
    }
    // both cases are met: a list filled in the last days, and one that needs the whole month
    expect(short).toBeGreaterThan(0);
    expect(short).toBeLessThan(choices.length * 2);
  }, 60_000);

  it('counts every non-withdrawn ticket in exactly one month', async () => {
    const independent = await warehouse.all<{ month: string; n: number }>(
      `select strftime(received_at, '%Y-%m') as month, count(*) as n from tickets where status <> '已撤销' group by month order by month`,
    );
    for (const { month, n } of independent) expect((await monthlyKpis(warehouse, month)).values.received, month).toBe(n);
  });

  it('keeps every rate in [0, 1] and every numerator within its denominator', async () => {
    for (const month of months) {
      for (const dimension of BREAKDOWN_DIMENSION_NAMES) {
        for (const row of (await breakdown(warehouse, dimension, month)).rows) {
          for (const key of RATES) {
            const value = row.values[key];
            if (value !== null) {
              expect(value, `${key} ${dimension} ${month}`).toBeGreaterThanOrEqual(0);
              expect(value, `${key} ${dimension} ${month}`).toBeLessThanOrEqual(1);
            }
            expect(row.sums[`${key}_numerator`]).toBeLessThanOrEqual(row.sums[`${key}_denominator`]);
          }
          expect(row.values.avg_handling_hours ?? 0).toBeGreaterThanOrEqual(0);
        }
      }
    }
  });

  it('adds parts up to wholes: every breakdown to the month, every child to its parent', async () => {
    const sum = (rows: BreakdownReport['rows'], key: string) => rows.reduce((total, row) => total + row.sums[key], 0);
    for (const month of months.slice(-4)) {
      const whole = await monthlyKpis(warehouse, month);
      for (const dimension of BREAKDOWN_DIMENSION_NAMES) {
        const report = await breakdown(warehouse, dimension, month);
        const total = report.rows.filter((r) => r.level === 0);
        expect(total.length).toBe(1);
        for (const key of ADDITIVE) {
          expect(total[0].sums[key], `${dimension} total ${key}`).toBe(whole.sums[key]);
          expect(sum(report.rows.filter((r) => r.level === 1), key), `${dimension} ${key}`).toBe(whole.sums[key]);
        }
        // tree levels: the children of each parent add up to it
        const depth = BREAKDOWN_DIMENSIONS[dimension].keys.length;
        for (let level = 2; level <= depth; level++) {
          for (const parent of report.rows.filter((r) => r.level === level - 1)) {
            const children = report.rows.filter(
              (r) => r.level === level && Object.entries(parent.keys).every(([k, v]) => r.keys[k] === v),
            );
            expect(sum(children, 'received'), JSON.stringify(parent.keys)).toBe(parent.sums.received);
          }
        }
      }
      // queue: calls add up too
      const queues = await breakdown(warehouse, 'queue', month);
      expect(sum(queues.rows.filter((r) => r.level === 1), 'connection_rate_denominator')).toBe(whole.values.calls_offered);
      // ranking volume adds up to the dispatched tickets that have a lead unit
      const withUnit = await warehouse.one<{ n: number }>(
        `select count(*) as n from tickets where status <> '已撤销' and handling = '转办' and unit is not null and strftime(received_at, '%Y-%m') = $month`,
        { month },
      );
      const ranking = await unitRanking(warehouse, month);
      expect(ranking.rows.reduce((t, r) => t + r.volume, 0)).toBe(withUnit!.n);
    }
  });

  it('keeps the rollup keys unique and every dimension summing to the same total', async () => {
    const duplicates = await warehouse.one<{ n: number }>(
      `select count(*) as n from (select day, dimension, key1, key2, key3, anchor from kpi_daily group by all having count(*) > 1)`,
    );
    expect(duplicates!.n).toBe(0);
    const totals = await warehouse.all<{ dimension: string; received: number; returns: number }>(
      `select dimension, sum(received) as received, sum(returns) as returns from kpi_daily group by dimension order by dimension`,
    );
    expect(totals.map((t) => t.dimension).sort()).toEqual([...BREAKDOWN_DIMENSION_NAMES, 'total'].sort());
    const all = await warehouse.one<{ n: number; returns: number }>(
      `select count(*) as n, sum(returned_count) filter (where handling = '转办') as returns from tickets where status <> '已撤销'`,
    );
    for (const total of totals) expect([total.dimension, total.received, total.returns]).toEqual([total.dimension, all!.n, all!.returns]);
  });
});
