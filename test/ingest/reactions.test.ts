import { existsSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ROOT, Warehouse, csvText, ingest, quarantine, tempFolder, ticket, writeCsv } from './helpers.js';

/**
 * 点赞数 / 反对数 of a message-board export (issue 13, item 4): stored as tickets.likes and
 * tickets.dislikes (whole numbers ≥ 0, NULL where an export has none), merged like every field —
 * the latest export's counts win, an empty cell never erases a count.
 */

const temp = tempFolder('reactions');
afterAll(() => temp.cleanup());

const HEADERS = ['留言编号', '留言用户', '留言主题', '留言时间', '留言详情', '反对数', '点赞数'];
const post = (id: string, likes: string, dislikes: string) => ({
  留言编号: id, 留言用户: 'A0001', 留言主题: 'A3区某小区停水', 留言时间: '2019/2/28 11:25:05', 留言详情: '停水三天了', 反对数: dislikes, 点赞数: likes,
});

let warehouse: Warehouse;
let counter = 0;
beforeEach(async () => {
  warehouse = await Warehouse.open(temp.file(`reactions-${++counter}.duckdb`));
});
afterEach(() => warehouse.close());

const reactions = () => warehouse.all(`select ticket_id, likes, dislikes from tickets order by ticket_id`);

describe('likes and dislikes', () => {
  it('load through the message-board profile; a later export updates them, an empty cell keeps them', async () => {
    const first = temp.file('first.csv');
    writeFileSync(first, csvText([post('1', '12', '0'), post('2', '0', '3'), post('3', '', '')], { headers: HEADERS }));
    expect(await ingest(warehouse, first)).toMatchObject({ status: 'loaded', profile: 'message-board', loaded: 3, quarantined: 0 });
    expect(await reactions()).toEqual([
      { ticket_id: '1', likes: 12, dislikes: 0 },
      { ticket_id: '2', likes: 0, dislikes: 3 },
      { ticket_id: '3', likes: null, dislikes: null },
    ]);
    const later = temp.file('later.csv');
    writeFileSync(later, csvText([post('1', '40', ''), post('2', '', '5'), post('3', '1', '1')], { headers: HEADERS }));
    expect(await ingest(warehouse, later)).toMatchObject({ status: 'loaded', loaded: 0, updated: 3 });
    expect(await reactions()).toEqual([
      { ticket_id: '1', likes: 40, dislikes: 0 },
      { ticket_id: '2', likes: 0, dislikes: 5 },
      { ticket_id: '3', likes: 1, dislikes: 1 },
    ]);
  });

  it('a count that is not a whole number ≥ 0 quarantines the row with the value', async () => {
    const path = temp.file('bad.csv');
    writeFileSync(path, csvText([post('1', '7', '0'), post('2', '-1', '0'), post('3', '2', '很多')], { headers: HEADERS }));
    const summary = await ingest(warehouse, path);
    expect(summary).toMatchObject({ status: 'loaded', loaded: 1, quarantined: 2 });
    expect((await quarantine(warehouse, summary.runId)).map((q) => [q.row_number, q.reason])).toEqual([
      [3, '点赞数“-1”应为非负整数 / likes must be a whole number ≥ 0'],
      [4, '反对数“很多”应为非负整数 / dislikes must be a whole number ≥ 0'],
    ]);
  });

  it('a hotline export without them leaves them NULL', async () => {
    const path = writeCsv(temp.file('hotline.csv'), [ticket('2025070100001')]);
    expect(await ingest(warehouse, path)).toMatchObject({ status: 'loaded', loaded: 1 });
    expect(await reactions()).toEqual([{ ticket_id: '2025070100001', likes: null, dislikes: null }]);
  });
});

const REAL = resolve(ROOT, '..', 'shared', 'data', 'real', 'teddy2020C', '附件3.xlsx');
if (!existsSync(REAL)) console.warn(`test/ingest/reactions: ${REAL} is absent; the 附件3 reactions test is skipped`);

describe.skipIf(!existsSync(REAL))('附件3 (real message board)', () => {
  it('every message has its counts; some were liked a lot', async () => {
    expect(await ingest(warehouse, REAL)).toMatchObject({ status: 'loaded', loaded: 4326 });
    const stats = await warehouse.one<{ missing: number; liked: number; top: number; disliked: number }>(
      `select count(*) filter (where likes is null or dislikes is null) as missing, count(*) filter (where likes > 0) as liked,
         max(likes) as top, count(*) filter (where dislikes > 0) as disliked from tickets`,
    );
    expect(stats!.missing).toBe(0);
    expect(stats!.liked).toBeGreaterThan(100);
    expect(stats!.top).toBeGreaterThan(100);
    expect(stats!.disliked).toBeGreaterThan(10);
  });
});
