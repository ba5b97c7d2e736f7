/**
 * Young months (未满期): a month whose dispatched tickets are still due is marked, and its 环比 / 同比
 * compare like with like — last month as it stood the same time after its end, rewound from the
 * timestamps — or are withheld with the reason (退单率: returns carry no time).
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { run as kpiCommand } from '../../pipelines/commands/kpi.js';
import { kpiWithComparisons, monthlyKpis, monthlySeries } from '../../pipelines/kpi.js';
import { refreshRollups } from '../../pipelines/rollups.js';
import type { Warehouse } from '../../pipelines/warehouse.js';
import { dispatchedTicket, insertTickets, tempWarehouse } from './helpers.js';

let warehouse: Warehouse;
let close: () => void;
let db: string;

beforeAll(async () => {
  let dir: string;
  ({ warehouse, close, dir } = await tempWarehouse('young'));
  db = `${dir}/warehouse.duckdb`;
  const june = (completed: string, returned = 0) =>
    dispatchedTicket({ received_at: '2025-06-10 09:00:00', deadline_at: '2025-06-20 09:00:00', completed_at: completed, status: '已办结', returned_count: returned, activity_at: completed });
  const july = (completed: string | null) =>
    dispatchedTicket({ received_at: '2025-07-25 09:00:00', deadline_at: '2025-08-10 09:00:00', completed_at: completed, status: completed ? '已办结' : '办理中', activity_at: completed ?? '2025-07-25 09:00:00' });
  await insertTickets(warehouse, [
    // June: 4 done by 06-15, 3 on 07-02, 3 only on 07-20; one returned → final 办结率 10/10
    ...[1, 2, 3, 4].map(() => june('2025-06-15 09:00:00')),
    ...[1, 2, 3].map(() => june('2025-07-02 09:00:00')),
    june('2025-07-20 09:00:00', 1),
    june('2025-07-20 09:00:00'),
    june('2025-07-20 09:00:00'),
    // July: received on the 25th, due 08-10; 5 done on 08-01, 5 still open
    ...[1, 2, 3, 4, 5].map(() => july('2025-08-01 09:00:00')),
    ...[1, 2, 3, 4].map(() => july(null)),
    // the data's newest activity: 2025-08-03 00:00, two days after July ended
    dispatchedTicket({ received_at: '2025-07-25 09:00:00', deadline_at: '2025-08-10 09:00:00', completed_at: null, status: '办理中', activity_at: '2025-08-03 00:00:00' }),
  ]);
  await refreshRollups(warehouse);
});
afterAll(() => close());

describe('a young month', () => {
  it('is marked for the KPIs that wait on deadlines, and only while they wait', async () => {
    const july = await monthlyKpis(warehouse, '2025-07');
    expect(july.maturity).toMatchObject({ asOf: '2025-08-03 00:00:00', settlesAt: '2025-08-10 09:00:00', partial: false });
    expect(july.maturity.young).toEqual(expect.arrayContaining(['completion_rate', 'ontime_completion_rate', 'return_rate', 'avg_handling_hours', 'completed']));
    expect(july.maturity.young).not.toContain('received');
    expect(july.maturity.young).not.toContain('satisfaction_rate');
    const june = await monthlyKpis(warehouse, '2025-06');
    expect(june.maturity.young).toEqual([]);
    const series = await monthlySeries(warehouse, '2025-06', '2025-07');
    expect(series.map((r) => r.maturity.young.includes('completion_rate'))).toEqual([false, true]);
  });

  it('compares with last month as it stood the same two days after its end', async () => {
    const report = await kpiWithComparisons(warehouse, '2025-07');
    // July 5/10; June as of 07-03 00:00: 7/10 (finally 10/10)
    expect(report.changes.completion_rate).toMatchObject({ value: 0.5, previous_month: 0.7, same_age: true });
    expect(report.changes.completion_rate.measure === 'pp' && report.changes.completion_rate.mom_pp).toBeCloseTo(-20, 10);
    expect(report.sameAge!.previousMonth.values.completion_rate).toBe(0.7);
    expect(report.previousMonth.values.completion_rate).toBe(1);
    // 按时办结率: June's on-time completions all came before its deadline, so its same-age value is its final one
    expect(report.changes.ontime_completion_rate).toMatchObject({ value: 0.5, previous_month: 0.4, same_age: true });
    // 退单率 cannot be rewound: withheld, with the reason
    expect(report.changes.return_rate).toMatchObject({ mom_pp: null, previous_month: null, same_age: true });
    expect(report.changes.return_rate.mom_withheld).toMatch(/退单没有时间记录/);
    // 受理量 is not young (July is over): compared with the whole of June
    expect(report.changes.received).toMatchObject({ value: 10, previous_month: 10, mom_pct: 0 });
    expect(report.changes.received.same_age).toBeUndefined();
    expect(report.notes[0]).toMatch(/^本月未满期（部分转办工单办理时限未到，数据截至 2025-08-03 00:00:00）：.*办结率.*按同龄比较，即上月与去年同期取其结束后 2 天时的数值。$/);
  });

  it('is marked in the CLI: same-age changes and the rule under the table', async () => {
    const chunks: string[] = [];
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => (chunks.push(String(chunk)), true));
    try {
      await kpiCommand(['--month', '2025-07', '--compare', '--db', db]);
    } finally {
      spy.mockRestore();
    }
    const text = chunks.join('');
    expect(text).toMatch(/办结率 completion_rate\s+50\.00%\s+70\.00%\s+−20\.00 个百分点（同龄）/);
    expect(text).toMatch(/退单率 return_rate\s+0\.00%\s+—\s+不作比较/);
    expect(text).toContain('注：本月未满期');
  });
});
