/**
 * A KPI session reads the rollup's freshness once, however many figures are asked of it; and its
 * series — the sparklines and trends — are the same numbers as `monthlyKpis`, from the rollup or
 * (after a setting changes, or new data) from the tickets.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { breakdown, DEFAULT_KPI_SETTINGS, KpiSession, monthlyKpis, monthlySeries, monthWithHistory, unitRanking, type Reader } from '../../pipelines/kpi.js';
import { refreshRollups } from '../../pipelines/rollups.js';
import type { Warehouse } from '../../pipelines/warehouse.js';
import { generateWarehouse } from './generator.js';
import { tempWarehouse } from './helpers.js';

let warehouse: Warehouse;
let close: () => void;

beforeAll(async () => {
  let dir: string;
  ({ warehouse, close, dir } = await tempWarehouse('session'));
  await generateWarehouse(warehouse, { dir, seed: 7, start: '2024-01-01', days: 200, perDay: 20 });
  await refreshRollups(warehouse);
}, 120_000);
afterAll(() => close());

/** A reader that counts the statements that read the rollup's state. */
function countingReader(): { reader: Reader; stateReads: () => number } {
  let reads = 0;
  const reader: Reader = {
    use: (fn) =>
      fn(
        new Proxy(warehouse, {
          get(target, property, receiver) {
            const value = Reflect.get(target, property, receiver) as unknown;
            if (typeof value !== 'function') return value;
            return (...args: unknown[]) => {
              if ((property === 'all' || property === 'one') && /kpi_rollup_state|kpi_rollup_fingerprint|What the warehouse holds right now/.test(String(args[0]))) reads++;
              return (value as (...a: unknown[]) => unknown).apply(target, args);
            };
          },
        }),
      ),
  };
  return { reader, stateReads: () => reads };
}

describe('a KPI session', () => {
  it('checks the rollup once for every figure it is asked', async () => {
    const { reader, stateReads } = countingReader();
    const session = new KpiSession(reader, DEFAULT_KPI_SETTINGS);
    await Promise.all([
      monthWithHistory(session, '2024-06'),
      breakdown(session, 'category', '2024-06'),
      breakdown(session, 'district', '2024-05'),
      unitRanking(session, '2024-06'),
    ]);
    // the state row with the data's fingerprint, in one statement (one snapshot): once, for four figures over three months
    expect(stateReads()).toBe(1);
    expect((await session.rollup()).usable).toBe(true);
  });

  it('gives series equal to each month’s KPIs, from the rollup and from the tickets', async () => {
    const rollup = await monthlySeries(warehouse, '2024-02', '2024-06');
    expect(rollup[0].source).toBe('rollup');
    const direct = await monthlySeries(warehouse, '2024-02', '2024-06', { source: 'direct' });
    expect(direct[0].source).toBe('direct');
    for (const [i, report] of rollup.entries()) {
      const month = await monthlyKpis(warehouse, report.period.from.slice(0, 7), { source: 'direct' });
      expect(report.values, report.period.from).toEqual(month.values);
      expect(direct[i].values, report.period.from).toEqual(month.values);
    }
  });

  it('answers a changed setting from the tickets, cards and sparklines alike', async () => {
    const settings = { ...DEFAULT_KPI_SETTINGS, signLimitHours: 5 };
    const { series, comparison } = await monthWithHistory(new KpiSession({ use: (fn) => fn(warehouse) }, settings), '2024-06');
    expect(comparison.current.source).toBe('direct');
    const june = await monthlyKpis(warehouse, '2024-06', { settings, source: 'direct' });
    expect(series.at(-1)!.values.ontime_sign_rate).toBe(june.values.ontime_sign_rate);
    expect(comparison.changes.ontime_sign_rate.value).toBe(june.values.ontime_sign_rate);
    const byDefault = await monthlyKpis(warehouse, '2024-06');
    expect(june.values.ontime_sign_rate).not.toBe(byDefault.values.ontime_sign_rate);
  });
});
