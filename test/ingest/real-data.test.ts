import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { FileSummary } from '../../pipelines/ingest/ingest.js';
import { monthlyKpis } from '../../pipelines/kpi.js';
import { sqlFile } from '../../pipelines/warehouse.js';
import { ROOT, Warehouse, ingest, tempFolder } from './helpers.js';

/**
 * Real public exports nobody on this project wrote (../shared/data/real, see its README): each
 * loads through a shipped profile, with the README's row counts, and every quarantined row has a
 * reason we expect. Skipped, with a warning, where the folder is absent.
 */

const REAL = resolve(ROOT, '..', 'shared', 'data', 'real');
const present = existsSync(REAL);
if (!present) console.warn(`test/ingest/real-data: ${REAL} is absent; the real-data ingest tests are skipped`);

const temp = tempFolder('real');
afterAll(() => temp.cleanup());

interface Expected {
  file: string;
  profile: string;
  kind: string;
  format: string;
  rows: number;
  /** Quarantined rows: reason pattern → how many. */
  quarantined: [RegExp, number][];
}

const FILES: Expected[] = [
  { file: 'nyc311/fedhere_PyBOOT_311_2022-05-01.csv', profile: 'us-311', kind: 'tickets', format: 'csv', rows: 924, quarantined: [] },
  {
    file: 'la311/MyLA311_Service_Request_Data_2017_Subset.csv', profile: 'us-311', kind: 'tickets', format: 'csv', rows: 9999,
    // Twelve LA requests were closed before they were created (PROFILES.md).
    quarantined: [[/^办结时间早于受理时间 \/ completed before it was received$/, 12]],
  },
  { file: 'teddy2020C/附件1.xlsx', profile: 'cn-12345', kind: 'categories', format: 'xlsx', rows: 517, quarantined: [] },
  {
    file: 'teddy2020C/附件2.xlsx', profile: 'message-board', kind: 'tickets', format: 'xlsx', rows: 495,
    // 留言编号 37042 appears twice in the labelled sample.
    quarantined: [[/^工单编号“37042”在本文件中重复出现，已保留状态最新的一行（第 \d+ 行）/, 1]],
  },
  { file: 'teddy2020C/附件3.xlsx', profile: 'message-board', kind: 'tickets', format: 'xlsx', rows: 4326, quarantined: [] },
  { file: 'teddy2020C/附件4.xlsx', profile: 'message-board', kind: 'tickets', format: 'xlsx', rows: 2816, quarantined: [] },
];

const loads = new Map<string, { summary: FileSummary; warehouse: Warehouse }>();
async function load(expected: Expected) {
  if (!loads.has(expected.file)) {
    const warehouse = await Warehouse.open(temp.file(`${loads.size}.duckdb`));
    loads.set(expected.file, { summary: await ingest(warehouse, join(REAL, expected.file)), warehouse });
  }
  return loads.get(expected.file)!;
}
afterAll(() => {
  for (const { warehouse } of loads.values()) warehouse.close();
});

describe.skipIf(!present)('real exports', () => {
  it.each(FILES)('$file loads as $profile/$kind with every reject explained', async (expected) => {
    const { summary, warehouse } = await load(expected);
    const quarantined = expected.quarantined.reduce((n, [, count]) => n + count, 0);
    expect(summary).toMatchObject({
      status: 'loaded', profile: expected.profile, kind: expected.kind, format: expected.format,
      rowsRead: expected.rows, loaded: expected.rows - quarantined, updated: 0, unchanged: 0, quarantined,
    });
    const reasons = await warehouse.all<{ reason: string; row_number: number }>(`select reason, row_number from quarantine where run_id = $run`, { run: summary.runId });
    for (const { reason, row_number } of reasons) {
      expect(expected.quarantined.some(([pattern]) => pattern.test(reason)), `unexplained reject on row ${row_number}: ${reason}`).toBe(true);
    }
    for (const [pattern, count] of expected.quarantined) expect(reasons.filter((r) => pattern.test(r.reason))).toHaveLength(count);
    const table = expected.kind === 'categories' ? 'categories' : 'tickets';
    expect(await warehouse.one(`select count(*) as n from ${table}`)).toEqual({ n: expected.rows - quarantined });
  });

  it('NYC 311: the day of the export, channels mapped, agencies as lead units', async () => {
    const { warehouse } = await load(FILES[0]);
    expect(await warehouse.one(`select min(received_at)::date::varchar as first, max(received_at)::date::varchar as last from tickets`)).toEqual({ first: '2022-05-01', last: '2022-05-01' });
    const channels = (await warehouse.all<{ channel: string }>(`select distinct channel from tickets order by 1`)).map((r) => r.channel);
    expect(channels.every((c) => ['电话', '微信', '网站', '移动APP', '小程序', '短信', '其他'].includes(c))).toBe(true);
    expect(channels).toEqual(expect.arrayContaining(['电话', '网站', '移动APP']));
    expect(await warehouse.one(`select count(*) filter (where unit is null) as no_unit, count(*) filter (where handling <> '转办') as not_dispatched from tickets`)).toEqual({ no_unit: 0, not_dispatched: 0 });
    expect(await warehouse.one(`select count(*) as n from ticket_units where role = '主办'`)).toEqual({ n: 924 });
    // 转办 is the profile's constant, not the export's word: no 直接答复率 of 0.00 %
    const may = await monthlyKpis(warehouse, '2022-05');
    expect(may.values.direct_answer_rate).toBeNull();
    expect(may.missing.direct_answer_rate).toBe('本月工单无办理方式，直接答复率无法计算');
    // no phone numbers at all: 重复诉求率 says why it is —
    expect([may.values.repeat_rate, may.missing.repeat_rate]).toEqual([null, '本月工单无联系电话，重复诉求率无法计算']);
  });

  it('LA 311: requests of 2017-12-27..31; the quarantined rows are the ones closed before they were created', async () => {
    const { warehouse, summary } = await load(FILES[1]);
    expect(await warehouse.one(`select min(received_at)::date::varchar as first, max(received_at)::date::varchar as last from tickets`)).toEqual({ first: '2017-12-27', last: '2017-12-31' });
    const rows = await warehouse.all<{ record: string; file_name: string }>(`select record, file_name from quarantine where run_id = $run`, { run: summary.runId });
    for (const { record, file_name } of rows) {
      expect(file_name).toBe('MyLA311_Service_Request_Data_2017_Subset.csv');
      const fields = JSON.parse(record) as Record<string, string>;
      const parse = (text: string) => new Date(text.replace(/^(\d+)\/(\d+)\/(\d+) (.*)$/, '$3-$1-$2 $4'));
      expect(parse(fields.ClosedDate).getTime()).toBeLessThan(parse(fields.CreatedDate).getTime());
    }
  });

  it('the Teddy Cup taxonomy: 一级/二级/三级分类 rows', async () => {
    const { warehouse } = await load(FILES[2]);
    expect(await warehouse.one(`select count(distinct category_l1) > 5 as many, count(*) filter (where category_l3 is null) as no_l3 from categories`)).toEqual({ many: true, no_l3: 0 });
  });

  it('附件2: the empty rows are skipped, the seven labelled classes load, the user names are dropped', async () => {
    const { warehouse } = await load(FILES[3]);
    const classes = (await warehouse.all<{ category_l1: string }>(`select distinct category_l1 from tickets order by 1`)).map((r) => r.category_l1);
    expect(classes.sort()).toEqual(['交通运输', '劳动和社会保障', '卫生计生', '商贸旅游', '城乡建设', '教育文体', '环境保护'].sort());
    expect(await warehouse.one(`select count(*) filter (where channel = '网站' and handling = '转办' and status = '办理中') as n from tickets`)).toEqual({ n: 494 });
    const columns = (await warehouse.all<{ column_name: string }>(`select column_name from information_schema.columns where table_name = 'tickets'`)).map((r) => r.column_name);
    expect(columns).not.toContain('caller_name');
  });

  it('附件3 and 附件4: mostly 2019, both date spellings read; replies complete the messages', async () => {
    const three = (await load(FILES[4])).warehouse;
    expect(await three.one(`select count(*) filter (where year(received_at) = 2019) > 4000 as mostly_2019, count(*) filter (where category_l1 = '未分类') as unfiled from tickets`)).toEqual({
      mostly_2019: true,
      unfiled: 4326,
    });
    const four = (await load(FILES[5])).warehouse;
    expect(await four.one(`select count(*) filter (where status = '已办结' and completed_at is not null) as answered, median(datediff('day', received_at, completed_at)) between 5 and 20 as lag from tickets`)).toEqual({
      answered: 2816,
      lag: true,
    });
    const month = await monthlyKpis(four, '2019-03');
    expect([(month.values.received ?? 0) > 0, month.values.direct_answer_rate, month.missing.direct_answer_rate]).toEqual([true, null, '本月工单无办理方式，直接答复率无法计算']);
  });

  it('masking: the shortcut for plain mobile numbers gives what the four rules give, on every text cell of every real export', async () => {
    const { default: ExcelJS } = await import('exceljs');
    const texts: string[] = [];
    for (const { file } of FILES) {
      if (file.endsWith('.csv')) texts.push(...readFileSync(join(REAL, file), 'utf8').split('\n'));
      else {
        const book = new ExcelJS.Workbook();
        await book.xlsx.readFile(join(REAL, file));
        book.eachSheet((sheet) => sheet.eachRow((row) => row.eachCell((cell) => void (cell.text && texts.push(cell.text)))));
      }
    }
    const warehouse = await Warehouse.open(temp.file('mask.duckdb'));
    try {
      await warehouse.run(sqlFile('ingest/macros.sql'));
      await warehouse.run(`create temp table texts as select unnest(from_json($texts, '["varchar"]')) as x`, { texts: JSON.stringify(texts) });
      const counts = await warehouse.one<{ masked: number; differ: number }>(
        `select count(*) filter (where hp_mask_all(x) <> x) as masked, count(*) filter (where hp_mask_text(x) is distinct from hp_mask_all(x)) as differ from texts`,
      );
      expect(counts!.differ).toBe(0);
      expect(counts!.masked).toBeGreaterThan(1000); // the messages and replies hold many numbers
      // The one-step cleaning of a text cell (white space, a caller's name, numbers) gives what the
      // steps give one after another; the name is one that real texts hold (a mention of 先生).
      const cleaned = await warehouse.one<{ squashed: number; named: number; differ: number }>(
        `select count(*) filter (where hp_squash(x) is distinct from x) as squashed, count(*) filter (where contains(x, '先生')) as named,
                count(*) filter (where hp_clean_text(x, '先生') is distinct from hp_mask_text(hp_mask_name(hp_squash(x), '先生'))) as differ from texts`,
      );
      expect(cleaned!.differ).toBe(0);
      expect(cleaned!.squashed).toBeGreaterThan(1000);
      expect(cleaned!.named).toBeGreaterThan(10);
    } finally {
      warehouse.close();
    }
  });
});
