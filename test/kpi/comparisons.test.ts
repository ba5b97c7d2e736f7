import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { datePeriod, kpiWithComparisons, monthlySeries, percentChange, pointChange } from '../../pipelines/kpi.js';
import { refreshRollups } from '../../pipelines/rollups.js';
import type { Warehouse } from '../../pipelines/warehouse.js';
import { dispatchedTicket, insertTickets, tempWarehouse, ticket } from './helpers.js';

let warehouse: Warehouse;
let close: () => void;

beforeAll(async () => {
  ({ warehouse, close } = await tempWarehouse('compare'));
  await insertTickets(warehouse, [
    // 2024-07 (同比 base): 2 received, both 直接答复 → direct_answer_rate 1
    ticket({ received_at: '2024-07-03 10:00:00' }),
    ticket({ received_at: '2024-07-20 10:00:00' }),
    // 2025-06 (环比 base): 4 received, 1 直接答复 → 0.25
    ticket({ received_at: '2025-06-02 10:00:00' }),
    dispatchedTicket({ received_at: '2025-06-05 10:00:00' }),
    dispatchedTicket({ received_at: '2025-06-10 10:00:00' }),
    dispatchedTicket({ received_at: '2025-06-30 23:59:59' }),
    // 2025-07: 5 received, 3 直接答复 → 0.6; 1 enterprise (none before)
    ticket({ received_at: '2025-07-01 00:00:00' }),
    ticket({ received_at: '2025-07-08 10:00:00', is_enterprise: true }),
    ticket({ received_at: '2025-07-09 10:00:00' }),
    dispatchedTicket({ received_at: '2025-07-10 10:00:00' }),
    dispatchedTicket({ received_at: '2025-07-11 10:00:00' }),
  ]);
});
afterAll(() => close());

describe('环比 and 同比', () => {
  it('give counts in percent and rates in percentage points, never swapped', async () => {
    for (const source of ['direct', 'rollup'] as const) {
      if (source === 'rollup') await refreshRollups(warehouse);
      const report = await kpiWithComparisons(warehouse, '2025-07', { source });
      expect(report.previousMonth.period).toMatchObject({ month: '2025-06' });
      expect(report.sameMonthLastYear.period).toMatchObject({ month: '2024-07' });

      // received 5 vs 4 → +25 %; vs 2 → +150 %
      expect(report.changes.received).toEqual({ key: 'received', measure: 'pct', value: 5, previous_month: 4, mom_pct: 25, same_month_last_year: 2, yoy_pct: 150 });
      // direct_answer_rate 0.6 vs 0.25 → +35 pp; vs 1 → −40 pp
      const rate = report.changes.direct_answer_rate;
      expect(rate.measure).toBe('pp');
      if (rate.measure !== 'pp') throw new Error('a rate must change in percentage points');
      expect(rate.mom_pp).toBeCloseTo(35, 10);
      expect(rate.yoy_pp).toBeCloseTo(-40, 10);
      expect(rate).not.toHaveProperty('mom_pct');
      // enterprise 1 vs 0: no percent change from zero
      expect(report.changes.enterprise).toMatchObject({ value: 1, previous_month: 0, mom_pct: null, yoy_pct: null });
      // dispatched 2 vs 3 → −33.33 %; vs 0 → null
      expect(report.changes.dispatched).toMatchObject({ mom_pct: ((2 - 3) / 3) * 100, yoy_pct: null });
      // ontime_completion_rate: 0 of 2 this month (nothing completed), 0 of 3 in June, none last year
      expect(report.changes.ontime_completion_rate).toMatchObject({ value: 0, previous_month: 0, mom_pp: 0, same_month_last_year: null, yoy_pp: null });
      // satisfaction: no callbacks anywhere → null everywhere
      expect(report.changes.satisfaction_rate).toMatchObject({ value: null, mom_pp: null, yoy_pp: null });
    }
  });

  it('compare a range of days with the same days a month and a year before', async () => {
    const report = await kpiWithComparisons(warehouse, datePeriod('2025-07-08', '2025-07-10'), { source: 'direct' });
    expect(report.previousMonth.period).toMatchObject({ fromDate: '2025-06-08', toDate: '2025-06-10' });
    expect(report.sameMonthLastYear.period).toMatchObject({ fromDate: '2024-07-08', toDate: '2024-07-10' });
    // 3 received vs 1 (2025-06-10) → +200 %; vs 0 → null
    expect(report.changes.received).toMatchObject({ value: 3, previous_month: 1, mom_pct: 200, same_month_last_year: 0, yoy_pct: null });
  });

  it('take a base that ends before the data begins as no data: null, not 0 件, and one note for all figures', async () => {
    for (const source of ['direct', 'rollup'] as const) {
      // the data begins 2024-07-03: June 2024 and July 2023 were never exported
      const report = await kpiWithComparisons(warehouse, '2024-07', { source });
      const before = '上月（2024-06）早于数据的起始日（2024-07-03），不作比较';
      expect(report.changes.received).toMatchObject({ value: 2, previous_month: null, mom_pct: null, same_month_last_year: null, yoy_pct: null, mom_withheld: before });
      expect(report.changes.direct_answer_rate).toMatchObject({ value: 1, previous_month: null, mom_withheld: before });
      expect(report.notes.filter((n) => n.includes('早于数据的起始日'))).toEqual([before, '去年同期（2023-07）早于数据的起始日（2024-07-03），不作比较']);
      // a figure of its own that is missing keeps its own note, not the base's
      expect(report.changes.satisfaction_rate).not.toHaveProperty('mom_withheld');
      // a month after the start without tickets is a real 0
      const gap = await kpiWithComparisons(warehouse, '2024-09', { source });
      expect(gap.changes.received).toMatchObject({ value: 0, previous_month: 0 });
    }
    const series = await monthlySeries(warehouse, '2024-05', '2024-08');
    expect(series.map((r) => r.values.received)).toEqual([null, null, 2, 0]);
    expect(series[0].missing.received).toBe('本月早于数据的起始日（2024-07-03），无数据');
    expect(series.map((r) => r.beforeData)).toEqual(['2024-07-03', '2024-07-03', null, null]);
  });

  it('percentChange and pointChange', () => {
    expect(percentChange(110, 100)).toBeCloseTo(10, 10);
    expect(percentChange(5, 0)).toBeNull();
    expect(percentChange(null, 3)).toBeNull();
    expect(pointChange(0.97, 0.95)).toBeCloseTo(2, 10);
    expect(pointChange(0.5, null)).toBeNull();
  });
});
