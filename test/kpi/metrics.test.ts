/**
 * Each KPI of kpi-definitions.md on a few hand-made rows; every expected number is worked out by
 * hand in the comments. Each case is answered twice — from the tickets (direct) and from the
 * rollup — and the two must agree.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_KPI_SETTINGS, periodKpis, type KpiSettings, type KpiValues, type Period } from '../../pipelines/kpi.js';
import { refreshRollups } from '../../pipelines/rollups.js';
import type { Warehouse } from '../../pipelines/warehouse.js';
import { call, clearWarehouse, dispatchedTicket, insertCalls, insertTickets, tempWarehouse, ticket } from './helpers.js';

let warehouse: Warehouse;
let close: () => void;

beforeAll(async () => {
  ({ warehouse, close } = await tempWarehouse('metrics'));
});
afterAll(() => close());
beforeEach(() => clearWarehouse(warehouse));

/** The period's KPIs from the tickets and from a freshly built rollup; they must be equal. */
async function kpis(period: Period | string = '2025-07', settings: KpiSettings = DEFAULT_KPI_SETTINGS): Promise<KpiValues> {
  const direct = await periodKpis(warehouse, period, { source: 'direct', settings });
  await refreshRollups(warehouse, { kpi: settings });
  const rollup = await periodKpis(warehouse, period, { source: 'rollup', settings });
  expect(rollup.values).toEqual(direct.values);
  expect(rollup.sums).toEqual(direct.sums);
  return direct.values;
}

describe('受理量 received, 转办量 dispatched, 涉企诉求量 enterprise, 直接答复率 direct_answer_rate', () => {
  it('counts July receipts only, without withdrawn tickets', async () => {
    await insertTickets(warehouse, [
      ticket({ received_at: '2025-07-01 00:00:00' }), // first second of July: in
      ticket({ received_at: '2025-07-15 12:00:00', is_enterprise: true }),
      ticket({ received_at: '2025-07-31 23:59:59' }), // last second of July: in
      dispatchedTicket({ received_at: '2025-07-02 08:00:00', is_enterprise: true }),
      dispatchedTicket({ received_at: '2025-07-20 08:00:00', is_enterprise: null }),
      ticket({ received_at: '2025-07-05 10:00:00', status: '已撤销', is_enterprise: true }), // withdrawn: out
      dispatchedTicket({ received_at: '2025-07-06 10:00:00', status: '已撤销' }), // withdrawn: out
      ticket({ received_at: '2025-06-30 23:59:59' }), // June
      dispatchedTicket({ received_at: '2025-08-01 00:00:00' }), // August
    ]);
    const v = await kpis();
    expect(v.received).toBe(5);
    expect(v.dispatched).toBe(2);
    expect(v.enterprise).toBe(2);
    expect(v.direct_answer_rate).toBe(3 / 5);
  });
});

describe('办结率 completion_rate and 办结量 completed', () => {
  it('counts 直接答复 as complete with or without completed_at, and completion after the month', async () => {
    await insertTickets(warehouse, [
      ticket({ completed_at: null }), // 直接答复 without completion time: complete
      ticket({ completed_at: '2025-07-10 09:05:00' }), // complete
      dispatchedTicket({ completed_at: '2025-07-15 10:00:00' }), // complete
      dispatchedTicket({ completed_at: '2025-08-03 10:00:00' }), // received in July, complete (later)
      dispatchedTicket({ completed_at: null }), // open
      dispatchedTicket({ completed_at: '2025-07-11 10:00:00', status: '已撤销' }), // withdrawn: out
    ]);
    const v = await kpis();
    // 4 complete of 5 received
    expect(v.completed).toBe(4);
    expect(v.received).toBe(5);
    expect(v.completion_rate).toBe(0.8);
  });
});

describe('按时办结率 ontime_completion_rate', () => {
  it('is completed_at ≤ deadline_at over dispatched tickets', async () => {
    const deadline = '2025-07-15 09:20:00';
    await insertTickets(warehouse, [
      dispatchedTicket({ deadline_at: deadline, completed_at: '2025-07-12 10:00:00' }), // early: on time
      dispatchedTicket({ deadline_at: deadline, completed_at: deadline }), // at the deadline: on time
      dispatchedTicket({ deadline_at: deadline, completed_at: '2025-07-15 09:20:01' }), // a second late
      dispatchedTicket({ deadline_at: deadline, completed_at: null }), // not completed
      dispatchedTicket({ deadline_at: null, completed_at: '2025-07-12 10:00:00' }), // no deadline: not on time
      ticket({ completed_at: '2025-07-10 09:01:00' }), // 直接答复: not dispatched
    ]);
    const v = await kpis();
    // 2 on time of 5 dispatched
    expect(v.ontime_completion_rate).toBe(0.4);
  });
});

describe('按期签收率 ontime_sign_rate', () => {
  const rows = () => [
    dispatchedTicket({ dispatched_at: '2025-07-10 09:00:00', signed_at: '2025-07-10 10:00:00' }), // 1 h
    dispatchedTicket({ dispatched_at: '2025-07-10 09:00:00', signed_at: '2025-07-10 11:00:00' }), // exactly 2 h
    dispatchedTicket({ dispatched_at: '2025-07-10 09:00:00', signed_at: '2025-07-10 11:00:01' }), // 2 h 1 s
    dispatchedTicket({ dispatched_at: '2025-07-10 09:00:00', signed_at: null }), // never signed
    dispatchedTicket({ dispatched_at: '2025-07-10 09:00:00', signed_at: '2025-07-10 08:59:00' }), // before dispatch
  ];

  it('is signed_at ≤ dispatched_at + 2 h by default', async () => {
    await insertTickets(warehouse, rows());
    // on time: 1 h, 2 h, before dispatch → 3 of 5
    expect((await kpis()).ontime_sign_rate).toBe(0.6);
  });

  it('follows the signLimitHours setting', async () => {
    await insertTickets(warehouse, rows());
    // 3 h: 2 h 1 s is now on time too → 4 of 5
    expect((await kpis('2025-07', { ...DEFAULT_KPI_SETTINGS, signLimitHours: 3 })).ontime_sign_rate).toBe(0.8);
    // 0.5 h: only the signature before dispatch → 1 of 5
    expect((await kpis('2025-07', { ...DEFAULT_KPI_SETTINGS, signLimitHours: 0.5 })).ontime_sign_rate).toBe(0.2);
  });
});

describe('退单率 return_rate', () => {
  it('is dispatched tickets returned at least once over dispatched tickets', async () => {
    await insertTickets(warehouse, [
      dispatchedTicket({ returned_count: 0 }),
      dispatchedTicket({ returned_count: 1 }),
      dispatchedTicket({ returned_count: 3 }),
      dispatchedTicket({ returned_count: null }),
      ticket({ returned_count: 2 }), // 直接答复: not dispatched
    ]);
    const result = await periodKpis(warehouse, '2025-07', { source: 'direct' });
    // 2 of 4; 1 + 3 = 4 returns
    expect((await kpis()).return_rate).toBe(0.5);
    expect(result.sums.returns).toBe(4);
  });
});

describe('满意率 satisfaction_rate', () => {
  const rows = () => [
    dispatchedTicket({ callback_at: '2025-07-12 10:00:00', satisfaction: '满意' }),
    dispatchedTicket({ callback_at: '2025-07-12 10:00:00', satisfaction: '满意' }),
    dispatchedTicket({ callback_at: '2025-07-12 10:00:00', satisfaction: '基本满意' }),
    dispatchedTicket({ callback_at: '2025-07-12 10:00:00', satisfaction: '不满意' }),
    dispatchedTicket({ callback_at: '2025-07-12 10:00:00', satisfaction: '未评价' }), // not in the denominator
    dispatchedTicket({ callback_at: '2025-07-12 10:00:00', satisfaction: null }), // not in the denominator
    dispatchedTicket({ received_at: '2025-06-20 10:00:00', callback_at: '2025-07-01 00:00:00', satisfaction: '不满意' }), // June ticket, July callback: in
    dispatchedTicket({ callback_at: '2025-08-01 00:00:00', satisfaction: '满意' }), // August callback: out
    dispatchedTicket({ callback_at: '2025-07-12 10:00:00', satisfaction: '满意', status: '已撤销' }), // withdrawn: out
  ];

  it('counts 基本满意 as satisfied by default', async () => {
    await insertTickets(warehouse, rows());
    // 满意 2 + 基本满意 1 = 3 of (2 + 1 + 不满意 2) = 5
    expect((await kpis()).satisfaction_rate).toBe(0.6);
  });

  it('does not when basicallySatisfiedCounts is false', async () => {
    await insertTickets(warehouse, rows());
    // 满意 2 of 5
    expect((await kpis('2025-07', { ...DEFAULT_KPI_SETTINGS, basicallySatisfiedCounts: false })).satisfaction_rate).toBe(0.4);
  });
});

describe('回访率 callback_rate', () => {
  it('is dispatched tickets completed in the month that have any callback', async () => {
    await insertTickets(warehouse, [
      dispatchedTicket({ received_at: '2025-06-25 10:00:00', completed_at: '2025-07-02 10:00:00', callback_at: '2025-07-05 10:00:00' }), // received June: in, called back
      dispatchedTicket({ completed_at: '2025-07-12 10:00:00', callback_at: null }), // in, not called back
      dispatchedTicket({ completed_at: '2025-07-31 23:59:59', callback_at: '2025-08-02 10:00:00' }), // in, called back in August
      ticket({ completed_at: '2025-07-10 09:05:00', callback_at: '2025-07-11 10:00:00' }), // 直接答复: out
      dispatchedTicket({ completed_at: '2025-08-01 00:00:00', callback_at: '2025-08-02 10:00:00' }), // completed in August: out
      dispatchedTicket({ completed_at: '2025-07-12 10:00:00', callback_at: '2025-07-13 10:00:00', status: '已撤销' }), // withdrawn: out
    ]);
    // 2 of 3
    expect((await kpis()).callback_rate).toBe(2 / 3);
  });
});

describe('解决率 resolution_rate', () => {
  it('is 已解决 over callbacks in the month with a non-empty resolved', async () => {
    await insertTickets(warehouse, [
      dispatchedTicket({ callback_at: '2025-07-12 10:00:00', resolved: '已解决' }),
      dispatchedTicket({ callback_at: '2025-07-13 10:00:00', resolved: '已解决' }),
      dispatchedTicket({ callback_at: '2025-07-14 10:00:00', resolved: '未解决' }),
      dispatchedTicket({ callback_at: '2025-07-14 10:00:00', resolved: '' }), // empty: out
      dispatchedTicket({ callback_at: '2025-07-14 10:00:00', resolved: null }), // empty: out
      dispatchedTicket({ received_at: '2025-06-10 10:00:00', callback_at: '2025-06-30 23:59:59', resolved: '已解决' }), // June callback: out
    ]);
    // 2 of 3
    expect((await kpis()).resolution_rate).toBe(2 / 3);
  });
});

describe('接通率 connection_rate and 15秒接通率 answered_within_15s_rate', () => {
  it('counts calls of the month that are not IVR-only', async () => {
    await insertCalls(warehouse, [
      call({ call_at: '2025-07-10 09:00:00', answered_at: '2025-07-10 09:00:10' }), // 10 s
      call({ call_at: '2025-07-10 09:00:00', answered_at: '2025-07-10 09:00:15' }), // exactly 15 s
      call({ call_at: '2025-07-10 09:00:00', answered_at: '2025-07-10 09:00:16' }), // 16 s
      call({ call_at: '2025-07-10 09:00:00', answered_at: null }), // not answered
      call({ call_at: '2025-07-31 23:59:59', answered_at: null }), // last second of July, not answered
      call({ call_at: '2025-07-10 09:00:00', ivr_only: true, answered_at: '2025-07-10 09:00:03' }), // IVR only: out
      call({ call_at: '2025-07-10 09:00:00', ivr_only: true, answered_at: null }), // IVR only: out
      call({ call_at: '2025-06-30 23:59:59', answered_at: '2025-07-01 00:00:05' }), // June call: out
    ]);
    const v = await kpis();
    // offered 5, answered 3 → 3/5; within 15 s: 10 s and 15 s → 2/3
    expect(v.calls_offered).toBe(5);
    expect(v.calls_answered).toBe(3);
    expect(v.connection_rate).toBe(0.6);
    expect(v.answered_within_15s_rate).toBe(2 / 3);
  });
});

describe('重复诉求率 repeat_rate', () => {
  it('looks back 30 days, across the month boundary, by phone and category', async () => {
    await insertTickets(warehouse, [
      // p1: June 15 then July 10, same 二级分类 → the July one repeats
      ticket({ phone_hash: 'p1', received_at: '2025-06-15 09:00:00' }),
      ticket({ phone_hash: 'p1', received_at: '2025-07-10 09:00:00' }), // repeat
      // p2: exactly 30 days apart → repeat
      ticket({ phone_hash: 'p2', received_at: '2025-06-01 09:00:00' }),
      ticket({ phone_hash: 'p2', received_at: '2025-07-01 09:00:00' }), // repeat
      // p3: 30 days and 1 second apart → not
      ticket({ phone_hash: 'p3', received_at: '2025-06-01 09:00:00' }),
      ticket({ phone_hash: 'p3', received_at: '2025-07-01 09:00:01' }),
      // p4: different 二级分类 → not
      ticket({ phone_hash: 'p4', received_at: '2025-07-05 09:00:00', category_l1: '环境保护', category_l2: '噪声扰民' }),
      ticket({ phone_hash: 'p4', received_at: '2025-07-06 09:00:00', category_l1: '环境保护', category_l2: '大气污染' }),
      // p5: the earlier ticket was withdrawn → not (the withdrawn one is not counted at all)
      ticket({ phone_hash: 'p5', received_at: '2025-07-03 09:00:00', status: '已撤销' }),
      ticket({ phone_hash: 'p5', received_at: '2025-07-04 09:00:00' }),
      // p6: no 二级分类 (null, then empty) → compared on 一级分类 → the second repeats
      ticket({ phone_hash: 'p6', received_at: '2025-07-02 09:00:00', category_l1: '供暖', category_l2: null }),
      ticket({ phone_hash: 'p6', received_at: '2025-07-09 09:00:00', category_l1: '供暖', category_l2: '' }), // repeat
      // p7: two tickets at the same second: neither was received before the other → not
      ticket({ phone_hash: 'p7', received_at: '2025-07-20 09:00:00' }),
      ticket({ phone_hash: 'p7', received_at: '2025-07-20 09:00:00' }),
      // no phone: not in the denominator
      ticket({ phone_hash: null, received_at: '2025-07-21 09:00:00' }),
      ticket({ phone_hash: '', received_at: '2025-07-21 09:00:00' }),
      // p1 again in August, 26 days after July 10 → August repeats
      ticket({ phone_hash: 'p1', received_at: '2025-08-05 09:00:00' }),
    ]);
    // July with a phone: p1 1, p2 1, p3 1, p4 2, p5 1, p6 2, p7 2 = 10; repeats: p1, p2, p6 = 3
    expect((await kpis('2025-07')).repeat_rate).toBe(0.3);
    // August: 1 of 1
    expect((await kpis('2025-08')).repeat_rate).toBe(1);
    // June: p1, p2, p3 with nothing before → 0 of 3
    expect((await kpis('2025-06')).repeat_rate).toBe(0);
  });
});

describe('平均办理时长 avg_handling_hours', () => {
  it('is the mean of completed_at − dispatched_at over complete dispatched tickets', async () => {
    await insertTickets(warehouse, [
      dispatchedTicket({ dispatched_at: '2025-07-10 09:20:00', completed_at: '2025-07-11 09:20:00' }), // 24 h
      dispatchedTicket({ dispatched_at: '2025-07-12 10:00:00', completed_at: '2025-07-12 16:30:00' }), // 6.5 h
      dispatchedTicket({ completed_at: null }), // not complete: out
      dispatchedTicket({ dispatched_at: null, completed_at: '2025-07-12 16:30:00' }), // no dispatch time: out
      ticket({ completed_at: '2025-07-10 12:00:00' }), // 直接答复: out
    ]);
    // (24 + 6.5) / 2
    expect((await kpis()).avg_handling_hours).toBe(15.25);
  });
});

describe('the JSON keys', () => {
  it('are every KPI of the contract plus calls_offered, calls_answered, completed', async () => {
    const v = await kpis();
    expect(Object.keys(v)).toEqual([
      'received', 'dispatched', 'direct_answer_rate', 'completion_rate', 'ontime_completion_rate', 'ontime_sign_rate',
      'return_rate', 'satisfaction_rate', 'callback_rate', 'resolution_rate', 'connection_rate', 'answered_within_15s_rate',
      'repeat_rate', 'avg_handling_hours', 'enterprise', 'calls_offered', 'calls_answered', 'completed',
    ]);
  });
});
