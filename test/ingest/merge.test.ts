import { afterAll, beforeEach, afterEach, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { Warehouse, dump, fiveTickets, ingest, tempFolder, ticket, ticketSheet, writeCsv, writeXlsx, type TicketRow } from './helpers.js';

/**
 * Re-imports (issue: idempotence): the same file twice changes nothing; a newer export updates
 * the tickets (latest state wins); an older export never rolls state back but fills empty fields;
 * a non-empty field is never erased by an empty one; ticket_units follow the updates.
 */

const temp = tempFolder('merge');
afterAll(() => temp.cleanup());

const TABLES = ['tickets', 'ticket_units', 'quarantine', 'ingest_runs'];
async function snapshot(warehouse: Warehouse): Promise<Record<string, string>> {
  const tables: Record<string, string> = {};
  for (const table of TABLES) tables[table] = await dump(warehouse, table);
  return tables;
}

let warehouse: Warehouse;
let counter = 0;
beforeEach(async () => {
  warehouse = await Warehouse.open(temp.file(`merge-${++counter}.duckdb`));
});
afterEach(() => warehouse.close());

const get = (id: string) => warehouse.one<Record<string, unknown>>(`select * from tickets where ticket_id = $id`, { id });
const units = async (id: string) => (await warehouse.all<{ unit: string; role: string }>(`select unit, role from ticket_units where ticket_id = $id order by role, unit`, { id }));

describe('the direct path and the merge', () => {
  it('distinct ids whose DuckDB hashes collide load directly; an id repeated within the file goes through the merge', async () => {
    const phases = new Set<string>();
    const onProgress = (p: { phase: string }) => phases.add(p.phase);
    // The first two share DuckDB's 64-bit string hash (an id scheme of real call exports).
    const [a, b] = ['HJ20230201000000', 'HJ20230501000005'];
    expect((await warehouse.one<{ n: number }>(`select count(distinct hash(x)) as n from (values ($a), ($b)) t(x)`, { a, b }))!.n).toBe(1);
    const distinct = await ingest(warehouse, writeCsv(temp.file('colliding.csv'), [ticket(a), ticket(b), ticket('HJ20230201000001')]), { onProgress });
    expect(distinct).toMatchObject({ status: 'loaded', loaded: 3, updated: 0 });
    expect(phases.has('loading')).toBe(true);
    expect(phases.has('merging')).toBe(false);
    // The same id twice in one file: one ticket, its later state.
    phases.clear();
    const c = 'HJ20230701000001';
    const repeated = [ticket(c, { 工单状态: '办理中', 办结时间: '', 回访时间: '', 回访结果: '', 是否解决: '' }), ticket(c)];
    const merged = await ingest(warehouse, writeCsv(temp.file('repeated.csv'), repeated), { onProgress });
    expect(merged).toMatchObject({ status: 'loaded', loaded: 1 });
    expect(phases.has('merging')).toBe(true);
    expect(await get(c)).toMatchObject({ status: '已办结' });
  });
});

describe('importing the same data again', () => {
  it('the same file twice: the second run reports unchanged and every table stays byte-for-byte equal', async () => {
    const rows = [...fiveTickets(), ticket('2025070900099', { 来源渠道: '传真' })];
    const path = writeCsv(temp.file('same.csv'), rows);
    const first = await ingest(warehouse, path);
    expect(first).toMatchObject({ status: 'loaded', loaded: 5, quarantined: 1 });
    const before = await snapshot(warehouse);
    const second = await ingest(warehouse, path);
    expect(second).toMatchObject({ status: 'unchanged', runId: first.runId, loaded: 0, updated: 0, unchanged: 0, quarantined: 0 });
    expect(second.message).toContain(`identical to run ${first.runId}; nothing changed`);
    expect(await snapshot(warehouse)).toEqual(before);

    // A copy under another name is the same bytes: also unchanged.
    const copy = writeCsv(temp.file('same-copy.csv'), rows);
    expect(await ingest(warehouse, copy)).toMatchObject({ status: 'unchanged', runId: first.runId });
    expect(await snapshot(warehouse)).toEqual(before);
  });

  it('--force loads the same bytes again: every ticket unchanged, the quarantine not doubled', async () => {
    const rows = [...fiveTickets(), ticket('2025070900099', { 来源渠道: '传真' })];
    const path = writeCsv(temp.file('force.csv'), rows);
    await ingest(warehouse, path);
    const before = await snapshot(warehouse);
    const again = await ingest(warehouse, path, { force: true });
    expect(again).toMatchObject({ status: 'loaded', loaded: 0, updated: 0, unchanged: 5, quarantined: 1 });
    const after = await snapshot(warehouse);
    expect(after.tickets).toBe(before.tickets);
    expect(after.ticket_units).toBe(before.ticket_units);
    expect(await warehouse.one(`select count(*) as n from quarantine`)).toEqual({ n: 1 });
  });

  it('the same tickets in another format: loaded again, all unchanged, tables equal', async () => {
    const rows = fiveTickets();
    await ingest(warehouse, writeCsv(temp.file('as.csv'), rows));
    const before = await snapshot(warehouse);
    const summary = await ingest(warehouse, await writeXlsx(temp.file('as.xlsx'), [{ name: '工单', rows: ticketSheet(rows) }]));
    expect(summary).toMatchObject({ status: 'loaded', loaded: 0, updated: 0, unchanged: 5, quarantined: 0 });
    const after = await snapshot(warehouse);
    expect(after.tickets).toBe(before.tickets);
    expect(after.ticket_units).toBe(before.ticket_units);
  });
});

describe('newer and older exports of the same tickets', () => {
  // Three exports of the same tickets, taken on 7/1 evening, 7/3 and 7/8.
  const open: TicketRow = { 办结时间: '', 工单状态: '办理中', 回访时间: '', 回访结果: '', 是否解决: '' };
  const early = [
    ticket('2025070100001', { ...open, 签收时间: '', 工单状态: '待签收', 三级分类: '夜间施工', 诉求地址: '昌吉市宁边路 1 号', 协办单位: '宁边路街道办事处；昌吉市城管局' }),
    ticket('2025070100002', { ...open }),
    ticket('2025070100003', { 受理时间: '2025-07-01 08:00:00', 派单时间: '2025-07-01 08:10:00', 签收时间: '2025-07-01 08:30:00', 办结时间: '2025-07-01 12:00:00', 回访时间: '2025-07-01 18:00:00' }),
  ];
  const middle = [
    // Signed and in progress; the address is missing from this export, the co-units changed.
    ticket('2025070100001', { ...open, 三级分类: '', 诉求地址: '', 协办单位: '宁边路街道办事处、昌吉市生态环境局执法支队' }),
    ticket('2025070100002', { ...open }),
    ticket('2025070100003', { 受理时间: '2025-07-01 08:00:00', 派单时间: '2025-07-01 08:10:00', 签收时间: '2025-07-01 08:30:00', 办结时间: '2025-07-01 12:00:00', 回访时间: '2025-07-01 18:00:00' }),
  ];
  const late = [
    // Completed after one return, re-dispatched to another lead unit; 回访 done.
    ticket('2025070100001', {
      三级分类: '', 诉求地址: '', 承办单位: '昌吉市住建局', 协办单位: '宁边路街道办事处', 退单次数: '1', 办结时间: '2025-07-07 16:00:00', 工单状态: '已办结',
      回访时间: '2025-07-08 10:00:00', 回访结果: '不满意', 是否解决: '未解决',
    }),
    ticket('2025070100002', { ...open }),
    ticket('2025070800004', { 受理时间: '2025-07-08 09:00:00', 派单时间: '2025-07-08 09:20:00', 签收时间: '', 办理时限: '2025-07-13 09:20:00', ...open, 工单状态: '待签收' }),
  ];

  it('a newer export updates the tickets; the counts say what changed', async () => {
    const first = await ingest(warehouse, writeCsv(temp.file('early.csv'), early));
    expect(first).toMatchObject({ status: 'loaded', loaded: 3, updated: 0, unchanged: 0 });
    expect(await get('2025070100001')).toMatchObject({ status: '待签收', signed_at: null, first_run_id: first.runId, last_run_id: first.runId });

    const second = await ingest(warehouse, writeCsv(temp.file('middle.csv'), middle));
    expect(second).toMatchObject({ status: 'loaded', loaded: 0, updated: 1, unchanged: 2, quarantined: 0 });
    expect(await get('2025070100001')).toMatchObject({
      status: '办理中', signed_at: '2025-07-01 10:00:00', completed_at: null,
      // empty in the newer export: kept, never erased
      category_l3: '夜间施工', address: '昌吉市宁边路 1 号',
      co_units: '宁边路街道办事处、昌吉市生态环境局执法支队', first_run_id: first.runId, last_run_id: second.runId,
    });
    expect(await get('2025070100002')).toMatchObject({ last_run_id: first.runId });
    expect(await units('2025070100001')).toEqual([
      { unit: '昌吉市生态环境局', role: '主办' },
      { unit: '宁边路街道办事处', role: '协办' },
      { unit: '昌吉市生态环境局执法支队', role: '协办' },
    ]);

    const third = await ingest(warehouse, writeCsv(temp.file('late.csv'), late));
    expect(third).toMatchObject({ status: 'loaded', loaded: 1, updated: 1, unchanged: 1, quarantined: 0 });
    expect(await get('2025070100001')).toMatchObject({
      status: '已办结', completed_at: '2025-07-07 16:00:00', callback_at: '2025-07-08 10:00:00', satisfaction: '不满意', resolved: '未解决', returned_count: 1,
      unit: '昌吉市住建局', co_units: '宁边路街道办事处', category_l3: '夜间施工', address: '昌吉市宁边路 1 号', first_run_id: first.runId, last_run_id: third.runId,
      activity_at: '2025-07-08 10:00:00',
    });
    expect(await units('2025070100001')).toEqual([
      { unit: '昌吉市住建局', role: '主办' },
      { unit: '宁边路街道办事处', role: '协办' },
    ]);
    expect(await warehouse.one(`select count(*) as n from tickets`)).toEqual({ n: 4 });
    expect(await warehouse.all(`select run_id, loaded, updated, unchanged from ingest_runs order by run_id`)).toEqual([
      { run_id: first.runId, loaded: 3, updated: 0, unchanged: 0 },
      { run_id: second.runId, loaded: 0, updated: 1, unchanged: 2 },
      { run_id: third.runId, loaded: 1, updated: 1, unchanged: 1 },
    ]);
  });

  it('an older export loaded after a newer one does not roll state back, but fills fields that were empty', async () => {
    await ingest(warehouse, writeCsv(temp.file('late-first.csv'), late));
    const newest = await get('2025070100001');
    const unitsBefore = await units('2025070100001');
    expect(newest).toMatchObject({ status: '已办结', category_l3: null, address: null });

    const older = await ingest(warehouse, writeCsv(temp.file('early-after.csv'), early));
    expect(older).toMatchObject({ status: 'loaded', loaded: 1, updated: 1, unchanged: 1 });
    const after = await get('2025070100001');
    // The state of the newer export stays …
    for (const field of ['status', 'signed_at', 'completed_at', 'callback_at', 'satisfaction', 'resolved', 'returned_count', 'unit', 'co_units', 'activity_at']) {
      expect(after![field], field).toEqual(newest![field]);
    }
    // … the fields it lacked come from the older one.
    expect(after).toMatchObject({ category_l3: '夜间施工', address: '昌吉市宁边路 1 号' });
    expect(await units('2025070100001')).toEqual(unitsBefore);
    // Loading the middle export too changes nothing more of that ticket.
    const middleRun = await ingest(warehouse, writeCsv(temp.file('middle-after.csv'), middle));
    expect(middleRun).toMatchObject({ loaded: 0, updated: 0, unchanged: 3 });
    expect(await get('2025070100001')).toEqual(after);
  });

  it('a deadline does not date the state: an older export of a ticket completed before its deadline does not reopen it', async () => {
    // Completed 7/2, called back 7/3; the deadline 7/6 is later than both, in both exports.
    const completed = ticket('2025070100007');
    const stillOpen = ticket('2025070100007', { 办结时间: '', 工单状态: '办理中', 回访时间: '', 回访结果: '', 是否解决: '' });
    await ingest(warehouse, writeCsv(temp.file('deadline-new.csv'), [completed]));
    const summary = await ingest(warehouse, writeCsv(temp.file('deadline-old.csv'), [stillOpen]));
    expect(summary).toMatchObject({ loaded: 0, updated: 0, unchanged: 1 });
    expect(await get('2025070100007')).toMatchObject({ status: '已办结', completed_at: '2025-07-02 16:00:00', satisfaction: '满意', activity_at: '2025-07-03 10:00:00' });
  });

  it('a newer export with empty fields never erases non-empty ones', async () => {
    const full = ticket('2025071000001', { 办结时间: '', 工单状态: '办理中', 回访时间: '', 回访结果: '', 是否解决: '', 协办单位: '甲单位；乙单位' });
    await ingest(warehouse, writeCsv(temp.file('full.csv'), [full]));
    const blanks = ticket('2025071000001', {
      签收时间: '2025-07-01 11:00:00', 二级分类: '', 三级分类: '', 诉求内容: '', 诉求地址: '', 所属区县: '', 乡镇街道: '', 联系电话: '', 协办单位: '', 办结时间: '',
      工单状态: '办理中', 退单次数: '', 是否涉企: '', 是否紧急: '', 回访时间: '', 回访结果: '', 是否解决: '',
    });
    const summary = await ingest(warehouse, writeCsv(temp.file('blanks.csv'), [blanks]));
    expect(summary).toMatchObject({ loaded: 0, updated: 1, unchanged: 0 });
    expect(await get('2025071000001')).toMatchObject({
      signed_at: '2025-07-01 11:00:00', category_l2: '噪声扰民', category_l3: '夜间施工', content: '楼下夜间施工噪声扰民', address: '昌吉市宁边路 1 号', district: '昌吉市',
      township: '宁边路街道', phone_hash: expect.stringMatching(/^[0-9a-f]{16}$/), co_units: '甲单位、乙单位', returned_count: 0, is_enterprise: false, is_urgent: false,
    });
    expect(await units('2025071000001')).toEqual([
      { unit: '昌吉市生态环境局', role: '主办' },
      { unit: '乙单位', role: '协办' },
      { unit: '甲单位', role: '协办' },
    ]);
  });

  it('co-units split on ; ； and 、 and follow a change of the lead unit', async () => {
    await ingest(warehouse, writeCsv(temp.file('co1.csv'), [ticket('2025071100001', { 协办单位: '甲单位;乙单位；丙单位、丁单位', 办结时间: '', 工单状态: '办理中', 回访时间: '', 回访结果: '', 是否解决: '' })]));
    expect(await units('2025071100001')).toEqual([
      { unit: '昌吉市生态环境局', role: '主办' },
      { unit: '丁单位', role: '协办' },
      { unit: '丙单位', role: '协办' },
      { unit: '乙单位', role: '协办' },
      { unit: '甲单位', role: '协办' },
    ]);
    await ingest(warehouse, writeCsv(temp.file('co2.csv'), [ticket('2025071100001', { 承办单位: '昌吉市水务局', 协办单位: '戊单位' })]));
    expect(await units('2025071100001')).toEqual([
      { unit: '昌吉市水务局', role: '主办' },
      { unit: '戊单位', role: '协办' },
    ]);
    expect(await warehouse.one(`select count(*) as n from ticket_units`)).toEqual({ n: 2 });
  });
});

describe('load numbers', () => {
  it('run on without gaps when a direct attempt rolls back into the merge, and for a refused file', async () => {
    const first = writeCsv(temp.file('runs-1.csv'), fiveTickets());
    // an id repeated inside the file: the direct insert finds it, rolls back, and the merge loads it
    const repeated = writeCsv(temp.file('runs-2.csv'), [ticket('2025070600001'), ticket('2025070600002'), ticket('2025070600001', { 工单状态: '办理中', 办结时间: '' })]);
    const refused = temp.file('runs-3.csv');
    writeFileSync(refused, '');
    const runs = [];
    for (const path of [first, repeated, refused]) runs.push((await ingest(warehouse, path)).runId);
    expect(runs).toEqual([1, 2, 3]);
    expect((await warehouse.all<{ run_id: number }>(`select run_id from ingest_runs order by run_id`)).map((r) => Number(r.run_id))).toEqual([1, 2, 3]);
  });
});
