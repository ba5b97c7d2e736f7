/**
 * 承办单位“三率”考评 on hand-made units. minTicketsForRanking is 3 here so that a handful of tickets
 * per unit is enough; every score is worked out in the comments.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_KPI_SETTINGS, unitRanking, type KpiSettings } from '../../pipelines/kpi.js';
import { refreshRollups } from '../../pipelines/rollups.js';
import type { Warehouse } from '../../pipelines/warehouse.js';
import { dispatchedTicket, insertTickets, insertUnits, tempWarehouse, type TicketInput } from './helpers.js';

let warehouse: Warehouse;
let close: () => void;
const settings: KpiSettings = { ...DEFAULT_KPI_SETTINGS, minTicketsForRanking: 3 };

/** A dispatched July ticket of `unit`: signed in 1 h, completed on time, called back 满意 / 已解决. */
function perfect(unit: string, fields: TicketInput = {}) {
  return dispatchedTicket({
    unit,
    received_at: '2025-07-10 09:00:00',
    dispatched_at: '2025-07-10 09:20:00',
    signed_at: '2025-07-10 10:20:00',
    deadline_at: '2025-07-15 09:20:00',
    completed_at: '2025-07-12 09:00:00',
    callback_at: '2025-07-13 09:00:00',
    satisfaction: '满意',
    resolved: '已解决',
    status: '已办结',
    activity_at: '2025-07-13 09:00:00',
    ...fields,
  });
}

beforeAll(async () => {
  ({ warehouse, close } = await tempWarehouse('ranking'));
  await insertUnits(warehouse, [
    { unit: 'A局', unit_kind: '县市部门' },
    { unit: 'B局', unit_kind: '县市部门' },
    { unit: 'C局', unit_kind: '县市部门' },
    { unit: 'G局', unit_kind: '县市部门' },
    { unit: 'D委', unit_kind: '州直部门' },
    { unit: 'F公司', unit_kind: null },
  ]);
  await insertTickets(warehouse, [
    // A: 4 tickets. 响应 4/4 = 1; 解决 3/4 = 0.75; 满意 2/4 = 0.5
    //    composite 0.3 × 1 + 0.35 × 0.75 + 0.35 × 0.5 = 0.7375
    //    overdue: one completed a day late, one never completed with its deadline (07-15) before the
    //    data's newest activity (07-20) → 2; returns: tickets returned 2 (counts 2 and 1) → 3 returns
    perfect('A局', { completed_at: '2025-07-16 09:20:00', satisfaction: '不满意', resolved: '未解决' }),
    perfect('A局', { completed_at: null, satisfaction: '不满意', status: '办理中' }),
    perfect('A局', { returned_count: 2 }),
    perfect('A局', { returned_count: 1 }),
    // B: 3 tickets, callbacks without a resolved answer → 解决率 falls back to 按时办结率 2/3
    //    composite 0.3 × 1 + 0.35 × 2/3 + 0.35 × 1 = 0.883333…
    perfect('B局', { resolved: null }),
    perfect('B局', { resolved: '' }),
    perfect('B局', { resolved: null, completed_at: '2025-07-20 09:00:00', callback_at: '2025-07-20 10:00:00', activity_at: '2025-07-20 10:00:00' }),
    // C: 3 perfect tickets → 1; G: 4 perfect tickets → 1; the tie breaks on volume: G before C
    ...[1, 2, 3].map(() => perfect('C局')),
    ...[1, 2, 3, 4].map(() => perfect('G局')),
    // D (州直部门): 3 perfect → rank 1 of its kind
    ...[1, 2, 3].map(() => perfect('D委')),
    // E: not in the directory (kind 其他), 2 tickets: below the minimum → listed, unranked
    ...[1, 2].map(() => perfect('E所')),
    // F: kind empty in the directory (其他), 3 tickets, no callback at all → no 满意率 → unranked;
    //    解决率 falls back to 按时办结率 (3/3)
    ...[1, 2, 3].map(() => perfect('F公司', { callback_at: null, satisfaction: null, resolved: null })),
    // a withdrawn ticket of G does not count
    perfect('G局', { status: '已撤销', satisfaction: '不满意' }),
  ]);
});
afterAll(() => close());

describe('unitRanking', () => {
  it('ranks within unit_kind, breaks ties on volume and lists the rest unranked', async () => {
    const direct = await unitRanking(warehouse, '2025-07', { settings, source: 'direct' });
    const rows = direct.rows.map((r) => [r.unit_kind, r.rank, r.unit, r.volume, r.unranked_reason]);
    expect(rows).toEqual([
      ['州直部门', 1, 'D委', 3, null],
      ['县市部门', 1, 'G局', 4, null],
      ['县市部门', 2, 'C局', 3, null],
      ['县市部门', 3, 'B局', 3, null],
      ['县市部门', 4, 'A局', 4, null],
      ['其他', null, 'F公司', 3, 'no_satisfaction_rate'],
      ['其他', null, 'E所', 2, 'volume_below_minimum'],
    ]);

    const a = direct.rows.find((r) => r.unit === 'A局')!;
    expect(a).toMatchObject({ response_rate: 1, resolution_score: 0.75, resolution_basis: 'resolution_rate', satisfaction_rate: 0.5, overdue: 2, returned_tickets: 2, returns: 3 });
    expect(a.composite_score).toBeCloseTo(0.7375, 12);

    const b = direct.rows.find((r) => r.unit === 'B局')!;
    expect(b).toMatchObject({ resolution_rate: null, resolution_basis: 'ontime_completion_rate', satisfaction_rate: 1 });
    expect(b.resolution_score).toBeCloseTo(2 / 3, 12);
    expect(b.composite_score).toBeCloseTo(0.3 + 0.35 * (2 / 3) + 0.35, 12);

    expect(direct.rows.find((r) => r.unit === 'G局')!.composite_score).toBe(1);
    expect(direct.rows.find((r) => r.unit === 'F公司')).toMatchObject({ resolution_score: 1, resolution_basis: 'ontime_completion_rate', satisfaction_rate: null, composite_score: null });

    await refreshRollups(warehouse, { kpi: settings });
    const rollup = await unitRanking(warehouse, '2025-07', { settings, source: 'rollup' });
    expect(rollup.rows).toEqual(direct.rows);
  });

  it('uses the weights and the minimum from the settings', async () => {
    // all weight on 满意率: A (0.5) drops below… everyone else with 满意率 1 shares rank 1 on score,
    // then volume orders them: G 4, C 3, B 3 (C and B tie on volume too → equal rank)
    const weights = { ...settings, rankingWeights: { response: 0, resolution: 0, satisfaction: 1 } };
    const county = (await unitRanking(warehouse, '2025-07', { settings: weights })).rows.filter((r) => r.unit_kind === '县市部门');
    expect(county.map((r) => [r.unit, r.rank])).toEqual([
      ['G局', 1],
      ['B局', 2],
      ['C局', 2],
      ['A局', 4],
    ]);
    // the default minimum (10) leaves every unit unranked
    const strict = await unitRanking(warehouse, '2025-07', { settings: DEFAULT_KPI_SETTINGS });
    expect(strict.rows.every((r) => r.rank === null && r.unranked_reason !== null)).toBe(true);
  });
});
