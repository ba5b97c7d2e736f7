import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { breakdown, risingCategories, topCategories, type BreakdownReport } from '../../pipelines/kpi.js';
import { refreshRollups } from '../../pipelines/rollups.js';
import type { Warehouse } from '../../pipelines/warehouse.js';
import { call, dispatchedTicket, insertCalls, insertTickets, tempWarehouse, ticket } from './helpers.js';

let warehouse: Warehouse;
let close: () => void;

const cat = (l1: string, l2: string | null, l3: string | null = null) => ({ category_l1: l1, category_l2: l2, category_l3: l3 });

beforeAll(async () => {
  ({ warehouse, close } = await tempWarehouse('breakdowns'));
  await insertTickets(warehouse, [
    // July: 城乡建设 4 (物业管理 3, 房屋建设 1), 环境保护 3 (噪声扰民: 施工噪声 2, 社会生活噪声 1)
    ticket({ ticket_id: 'J1', ...cat('城乡建设', '物业管理'), channel: '电话', district: '昌吉市', township: '宁边路街道', is_enterprise: true }),
    ticket({ ticket_id: 'J2', ...cat('城乡建设', '物业管理'), channel: '电话', district: '昌吉市', township: '宁边路街道' }),
    dispatchedTicket({ ticket_id: 'J3', ...cat('城乡建设', '物业管理'), channel: '微信', district: '昌吉市', township: '延安北路街道', completed_at: '2025-07-11 09:00:00' }),
    dispatchedTicket({ ticket_id: 'J4', ...cat('城乡建设', '房屋建设'), channel: '网站', district: '阜康市', township: null, is_enterprise: null }),
    ticket({ ticket_id: 'J5', ...cat('环境保护', '噪声扰民', '施工噪声'), channel: '电话', district: '阜康市', township: '博峰街道' }),
    dispatchedTicket({ ticket_id: 'J6', ...cat('环境保护', '噪声扰民', '施工噪声'), channel: '电话', district: null, township: null, unit: '阜康市生态环境局' }),
    ticket({ ticket_id: 'J7', ...cat('环境保护', '噪声扰民', '社会生活噪声'), channel: '微信', district: '昌吉市', township: '宁边路街道' }),
    ticket({ ticket_id: 'W1', ...cat('环境保护', '噪声扰民', '施工噪声'), status: '已撤销' }),
    // June: 物业管理 1, 噪声扰民 3
    ticket({ received_at: '2025-06-10 09:00:00', ...cat('城乡建设', '物业管理') }),
    ...[1, 2, 3].map(() => ticket({ received_at: '2025-06-10 09:00:00', ...cat('环境保护', '噪声扰民', '施工噪声') })),
  ]);
  await insertCalls(warehouse, [
    // J1's first call came through 涉企专席, a later one through 综合 → J1 is 涉企专席's
    call({ call_at: '2025-07-10 08:58:00', queue: '涉企专席', answered_at: '2025-07-10 08:58:05', ticket_id: 'J1' }),
    call({ call_at: '2025-07-10 10:00:00', queue: '综合', answered_at: '2025-07-10 10:00:30', ticket_id: 'J1' }),
    call({ call_at: '2025-07-10 08:59:00', queue: '综合', answered_at: '2025-07-10 08:59:10', ticket_id: 'J2' }),
    call({ call_at: '2025-07-10 12:00:00', queue: '综合', answered_at: null }),
    call({ call_at: '2025-07-10 12:00:00', queue: '综合', ivr_only: true }),
  ]);
});
afterAll(() => close());

function table(report: BreakdownReport) {
  return report.rows.map((r) => [r.level, ...Object.values(r.keys), r.values.received]);
}

describe('breakdown', () => {
  it('is a category tree, parents before children, siblings by volume', async () => {
    const report = await breakdown(warehouse, 'category', '2025-07', { source: 'direct' });
    expect(table(report)).toEqual([
      [0, 7],
      [1, '城乡建设', 4],
      [2, '城乡建设', '物业管理', 3],
      [3, '城乡建设', '物业管理', null, 3],
      [2, '城乡建设', '房屋建设', 1],
      [3, '城乡建设', '房屋建设', null, 1],
      [1, '环境保护', 3],
      [2, '环境保护', '噪声扰民', 3],
      [3, '环境保护', '噪声扰民', '施工噪声', 2],
      [3, '环境保护', '噪声扰民', '社会生活噪声', 1],
    ]);
    expect(report.rows[1].share).toBe(4 / 7);
    // 城乡建设: 2 直接答复 + 2 转办 (J3 completed) → 办结率 3/4, 转办量 2
    expect(report.rows[1].values).toMatchObject({ dispatched: 2, completion_rate: 0.75, direct_answer_rate: 0.5 });
    // calls carry no category: no call figures in this breakdown, not even in its total
    for (const row of report.rows) expect([row.values.calls_offered, row.values.connection_rate]).toEqual([null, null]);
  });

  it('goes only as deep as asked', async () => {
    const report = await breakdown(warehouse, 'category', '2025-07', { depth: 1, source: 'direct' });
    expect(table(report)).toEqual([[0, 7], [1, '城乡建设', 4], [1, '环境保护', 3]]);
  });

  it('splits district → township, channel, enterprise and unit', async () => {
    expect(table(await breakdown(warehouse, 'district', '2025-07', { source: 'direct' }))).toEqual([
      [0, 7],
      [1, '昌吉市', 4],
      [2, '昌吉市', '宁边路街道', 3],
      [2, '昌吉市', '延安北路街道', 1],
      [1, '阜康市', 2],
      [2, '阜康市', '博峰街道', 1],
      // an empty district or township is one explicit key (stg_tickets), never null
      [2, '阜康市', '未知乡镇街道', 1],
      [1, '未知区县', 1],
      [2, '未知区县', '未知乡镇街道', 1],
    ]);
    expect(table(await breakdown(warehouse, 'channel', '2025-07', { source: 'direct' }))).toEqual([[0, 7], [1, '电话', 4], [1, '微信', 2], [1, '网站', 1]]);
    expect(table(await breakdown(warehouse, 'enterprise', '2025-07', { source: 'direct' }))).toEqual([[0, 7], [1, '否', 5], [1, '是', 1], [1, null, 1]]);
    expect(table(await breakdown(warehouse, 'unit', '2025-07', { source: 'direct' }))).toEqual([[0, 7], [1, null, 4], [1, '昌吉市住建局', 2], [1, '阜康市生态环境局', 1]]);
  });

  it('gives the queue of tickets (first linked call) and of calls', async () => {
    const report = await breakdown(warehouse, 'queue', '2025-07', { source: 'direct' });
    const rows = report.rows.map((r) => [r.keys.queue ?? null, r.values.received, r.values.calls_offered, r.values.calls_answered, r.values.connection_rate]);
    expect(rows).toEqual([
      [null, 7, 4, 3, 0.75], // total: 4 offered (IVR-only out), 3 answered
      [null, 5, 0, 0, null], // tickets without a linked call
      ['涉企专席', 1, 1, 1, 1], // J1 (equal volumes: by name)
      ['综合', 1, 3, 2, 2 / 3], // J2; calls: 3 offered, 2 answered
    ]);
  });

  it('is the same from the rollup', async () => {
    await refreshRollups(warehouse);
    for (const dimension of ['category', 'district', 'channel', 'appeal_type', 'enterprise', 'unit', 'queue'] as const) {
      const direct = await breakdown(warehouse, dimension, '2025-07', { source: 'direct' });
      const rollup = await breakdown(warehouse, dimension, '2025-07', { source: 'rollup' });
      expect(rollup.rows, dimension).toEqual(direct.rows);
    }
  });
});

describe('top and rising categories', () => {
  it('lists the biggest categories of a level', async () => {
    const top = await topCategories(warehouse, '2025-07', { level: 2, limit: 2 });
    expect(top.map((r) => [r.keys.category_l2, r.received, r.share])).toEqual([
      ['物业管理', 3, 3 / 7],
      ['噪声扰民', 3, 3 / 7],
    ]);
  });

  it('lists the fastest risers against the month before, new ones first, above a minimum volume', async () => {
    const risers = await risingCategories(warehouse, '2025-07', { level: 2, minVolume: 1 });
    // 房屋建设 new (0 → 1); 物业管理 1 → 3 = +200 %; 噪声扰民 3 → 3 has not risen
    expect(risers.map((r) => [r.keys.category_l2, r.received, r.previous_received, r.change, r.change_pct, r.is_new])).toEqual([
      ['房屋建设', 1, 0, 1, null, true],
      ['物业管理', 3, 1, 2, 200, false],
    ]);
    const bigOnly = await risingCategories(warehouse, '2025-07', { level: 2, minVolume: 2 });
    expect(bigOnly.map((r) => r.keys.category_l2)).toEqual(['物业管理']);
  });
});
