import { closeSync, openSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import { basename } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FileSummary } from '../../pipelines/ingest/ingest.js';
import { sqlFile } from '../../pipelines/warehouse.js';
import {
  Warehouse, csvLine, csvText, dump, encodeText, ingest, quarantine, tempFolder, ticket, ticketIds, ticketSheet, writeCsv, writeXlsx,
  TICKET_HEADERS, type TicketRow,
} from './helpers.js';

/**
 * Bad input of every kind the issue lists. A file is either refused as a whole with a message
 * that says what is wrong and where, or only its bad rows are quarantined (file, line, reason)
 * while every good row of it loads. No quarantine record ever holds a clear phone number or name.
 */

const temp = tempFolder('bad-input');
const NAME = '司马光明';
const PHONE = '13912345678';
let warehouse: Warehouse;

beforeAll(async () => {
  warehouse = await Warehouse.open(temp.file('warehouse.duckdb'));
});
afterAll(async () => {
  warehouse?.close();
  temp.cleanup();
});

/** Rows of one case: ids 20250701 + case number + row number, all with the same caller. */
function rows(caseNo: number, count: number, overrides: (i: number) => Partial<TicketRow> = () => ({})): TicketRow[] {
  return Array.from({ length: count }, (_, i) =>
    ticket(`20250701${String(caseNo).padStart(2, '0')}${String(i + 1).padStart(3, '0')}`, { 诉求人: NAME, 联系电话: PHONE, ...(overrides(i + 1) as TicketRow) }),
  );
}
const ids = (list: TicketRow[]) => list.map((r) => r.工单编号);

interface Bad {
  row: number;
  reason: string | RegExp;
}

/** A loaded file: exactly these rows quarantined (in row order), every good row in the warehouse. */
async function expectQuarantined(summary: FileSummary, good: string[], bad: Bad[], badIds: string[] = []) {
  expect(summary.message ?? '').not.toMatch(/refused/);
  expect(summary.status).toBe('loaded');
  expect(summary.loaded + summary.updated + summary.unchanged).toBe(good.length);
  expect(summary.quarantined).toBe(bad.length);
  expect(summary.rowsRead).toBe(good.length + bad.length);
  const quarantined = await quarantine(warehouse, summary.runId);
  expect(quarantined.map((q) => [q.file_name, q.row_number])).toEqual(bad.map((b) => [basename(summary.file), b.row]));
  quarantined.forEach((q, i) => {
    const expected = bad[i].reason;
    if (typeof expected === 'string') expect(q.reason).toContain(expected);
    else expect(q.reason).toMatch(expected);
    expect(() => JSON.parse(q.record)).not.toThrow();
  });
  const stored = await ticketIds(warehouse);
  for (const id of good) expect(stored).toContain(id);
  for (const id of badIds) expect(stored).not.toContain(id);
  return quarantined;
}

/** A refused file: the message names the problem, and the warehouse data is exactly as before. */
async function expectRefused(path: string, options: Parameters<typeof ingest>[2], ...parts: (string | RegExp)[]) {
  const before = await dump(warehouse, 'tickets');
  const quarantineBefore = await dump(warehouse, 'quarantine');
  const summary = await ingest(warehouse, path, options);
  expect(summary.status).toBe('refused');
  for (const part of parts) {
    if (typeof part === 'string') expect(summary.message).toContain(part);
    else expect(summary.message).toMatch(part);
  }
  expect(await dump(warehouse, 'tickets')).toBe(before);
  expect(await dump(warehouse, 'quarantine')).toBe(quarantineBefore);
  const run = await warehouse.one<{ status: string; message: string; file_name: string }>(`select status, message, file_name from ingest_runs where run_id = $run`, { run: summary.runId });
  expect(run).toEqual({ status: 'refused', message: summary.message, file_name: basename(path) });
  return summary;
}

const write = (name: string, content: string | Buffer) => {
  writeFileSync(temp.file(name), content);
  return temp.file(name);
};

describe('truncated files', () => {
  it('1. ends inside a quoted field: that record is quarantined, the rest loads', async () => {
    const good = rows(1, 3);
    const cut = csvLine(rows(1, 4)[3]).split('楼下夜间施工')[0].replace(/,([^,]*)$/, ',"$1') + '楼下夜间';
    const path = write('truncated-quote.csv', csvText(good) + cut);
    await expectQuarantined(await ingest(warehouse, path), ids(good), [{ row: 5, reason: '文件在第 5 行开始的引号内结束' }], [rows(1, 4)[3].工单编号]);
  });

  it('2. ends in the middle of a row: that row is quarantined for its field count', async () => {
    const good = rows(2, 3);
    const path = write('truncated-row.csv', csvText(good) + csvLine(rows(2, 4)[3]).split(',').slice(0, 9).join(','));
    await expectQuarantined(await ingest(warehouse, path), ids(good), [{ row: 5, reason: '表头有 27 列，这一行有 9 列' }], [rows(2, 4)[3].工单编号]);
  });

  it('leaves the instance-wide insertion order preserved when a file is refused after its direct insert failed', async () => {
    // The direct insert lets rows land in any order and must restore the setting, aborted or not.
    // An empty warehouse, so that the insert is what first reads the broken file.
    const fresh = await Warehouse.open(temp.file('order.duckdb'));
    try {
      // UTF-8 with GBK bytes beyond the detection sample: DuckDB's read fails inside the insert,
      // and the whole file is then refused.
      const text = csvText(rows(3, 400));
      const path = write('mixed-order.csv', Buffer.concat([Buffer.from(text), encodeText(csvLine(rows(3, 401)[400]) + '\n', 'gbk')]));
      expect((await ingest(fresh, path)).status).toBe('refused');
      expect(await fresh.one(`select current_setting('preserve_insertion_order') as on`)).toEqual({ on: true });
    } finally {
      fresh.close();
    }
  });
});

describe('encodings', () => {
  it('3. GBK bytes read with --encoding utf-8 are refused', async () => {
    const path = write('gbk-as-utf8.csv', encodeText(csvText(rows(3, 2)), 'gbk'));
    await expectRefused(path, { encoding: 'utf-8' }, '第 1 行（第 1 字节）不是合法的 UTF-8', 'invalid UTF-8 at byte 1 (line 1)', 'nothing was loaded');
  });

  it('4a. a file mixing UTF-8 and GBK is refused, naming the line where UTF-8 stops', async () => {
    const text = csvText(rows(4, 3));
    const [head, ...rest] = text.split('\n');
    const path = write('mixed.csv', Buffer.concat([Buffer.from(`${head}\n${rest.slice(0, 2).join('\n')}\n`), encodeText(rest.slice(2).join('\n'), 'gbk')]));
    await expectRefused(path, {}, '文件混用了编码', 'not UTF-8 on line 4', 'nothing was loaded');
  });

  it('4b. GBK rows far into a UTF-8 file (beyond the detection sample) are refused as a whole', async () => {
    const good = rows(40, 400);
    const text = csvText(good);
    expect(Buffer.byteLength(text)).toBeGreaterThan(65536); // the detection sample
    const last = csvLine(rows(40, 401)[400]);
    const path = write('mixed-late.csv', Buffer.concat([Buffer.from(text), encodeText(last + '\n', 'gbk')]));
    const firstGbkByte = Buffer.byteLength(text) + last.indexOf('电话') + 1; // everything before 电话 on that line is ASCII
    await expectRefused(path, {}, `invalid UTF-8 at byte ${firstGbkByte} (line 402): the file mixes encodings; nothing was loaded`);
  });

  it('5a. bytes that are neither UTF-8 nor GBK are refused', async () => {
    const text = encodeText(csvText(rows(5, 2)), 'gbk');
    const path = write('undecodable.csv', Buffer.concat([text.subarray(0, 300), Buffer.from([0xff, 0xff, 0x80]), text.subarray(300)]));
    await expectRefused(path, {}, '无法识别文件编码', 'unknown text encoding (not UTF-8, UTF-16 or GBK/GB18030');
  });

  it('5b. a GBK file with undecodable bytes beyond the detection sample is refused with their position', async () => {
    const text = encodeText(csvText(rows(41, 400)), 'gbk');
    expect(text.length).toBeGreaterThan(65536); // the detection sample
    const path = write('undecodable-late.csv', Buffer.concat([text, Buffer.from([0xff, 0x0a])]));
    await expectRefused(path, {}, `bytes that are not valid gb18030 at byte ${text.length + 1} (line 402); nothing was loaded`);
  });
});

describe('columns and values', () => {
  it('6a. a missing required column refuses the file, naming the column and its accepted headers', async () => {
    const headers = TICKET_HEADERS.filter((h) => h !== '办理方式');
    const path = writeCsv(temp.file('no-handling.csv'), rows(6, 2), { headers });
    // The headers also fit cn-12345/categories (一级/二级/三级分类), but the file is a ticket export.
    await expectRefused(path, {}, '缺少必需的列', 'missing required column(s) for cn-12345/tickets', '办理方式（可接受的表头：办理方式）', 'pass --kind categories if that is what the file is');
  });

  it('6b. … and for the ticket number all its synonyms', async () => {
    const headers = TICKET_HEADERS.filter((h) => h !== '工单编号');
    const path = writeCsv(temp.file('no-id.csv'), rows(6, 2), { headers });
    await expectRefused(path, {}, '工单编号（可接受的表头：工单编号 / 工单号 / 编号 / 受理编号）');
  });

  it('7. duplicate ids in one file: the row with the latest state stays, the other is quarantined', async () => {
    const [a, b] = rows(7, 2);
    const open = { ...a, 办结时间: '', 工单状态: '办理中', 回访时间: '', 回访结果: '', 是否解决: '' };
    // The open (older) state comes after the completed one in the file: the completed one still wins.
    const path = writeCsv(temp.file('duplicates.csv'), [a, b, open]);
    const quarantined = await expectQuarantined(await ingest(warehouse, path), [a.工单编号, b.工单编号], [
      { row: 4, reason: `工单编号“${a.工单编号}”在本文件中重复出现，已保留状态最新的一行（第 2 行）` },
    ]);
    expect(quarantined[0].record).toBe('{}');
    expect(await warehouse.one(`select status, completed_at from tickets where ticket_id = $id`, { id: a.工单编号 })).toEqual({ status: '已办结', completed_at: '2025-07-02 16:00:00' });
  });

  it('8–11. unparseable and impossible dates', async () => {
    const list = rows(8, 5, (i) =>
      [{}, { 受理时间: '昨天下午三点' }, { 派单时间: '2024-02-30 10:00:00' }, { 受理时间: '1890-07-01 09:00:00' }, { 回访时间: '2099-07-03 10:00:00' }][i - 1],
    );
    const path = writeCsv(temp.file('dates.csv'), list);
    await expectQuarantined(await ingest(warehouse, path), [list[0].工单编号], [
      { row: 3, reason: '受理时间“昨天下午三点”无法识别为日期时间 / cannot read "昨天下午三点" as a date-time (received_at)' },
      { row: 4, reason: '派单时间“2024-02-30 10:00:00”无法识别为日期时间' },
      { row: 5, reason: '受理时间“1890-07-01 09:00:00”不可能（早于 1990 年或在未来）' },
      { row: 6, reason: '回访时间“2099-07-03 10:00:00”不可能（早于 1990 年或在未来）/ impossible callback_at' },
    ]);
  });

  it('12. completed before it was received', async () => {
    const list = rows(12, 2, (i) => (i === 2 ? { 办结时间: '2025-06-30 16:00:00' } : {}));
    await expectQuarantined(await ingest(warehouse, writeCsv(temp.file('completed-early.csv'), list)), [list[0].工单编号], [
      { row: 3, reason: '办结时间早于受理时间 / completed before it was received' },
    ]);
  });

  it('13–14. unknown enumerated values (channel 传真, status 未知)', async () => {
    const list = rows(13, 3, (i) => [{}, { 来源渠道: '传真' }, { 工单状态: '未知' }][i - 1]);
    await expectQuarantined(await ingest(warehouse, writeCsv(temp.file('enums.csv'), list)), [list[0].工单编号], [
      { row: 3, reason: '来源渠道“传真”不是已知取值（电话/微信/网站/移动APP/小程序/短信/其他），可在映射方案 values.channel 中添加' },
      { row: 4, reason: '工单状态“未知”不是已知取值' },
    ]);
  });

  it('15–16. negative and non-integer 退单次数', async () => {
    const list = rows(15, 4, (i) => [{ 退单次数: '3' }, { 退单次数: '-1' }, { 退单次数: '1.5' }, { 退单次数: '两次' }][i - 1]);
    await expectQuarantined(await ingest(warehouse, writeCsv(temp.file('counts.csv'), list)), [list[0].工单编号], [
      { row: 3, reason: '退单次数“-1”应为非负整数' },
      { row: 4, reason: '退单次数“1.5”应为非负整数' },
      { row: 5, reason: '退单次数“两次”应为非负整数 / returned_count must be a whole number ≥ 0' },
    ]);
  });

  it('17. a 是/否 flag with another value', async () => {
    const list = rows(17, 3, (i) => [{ 是否涉企: '是' }, { 是否涉企: '可能' }, { 是否紧急: '很急' }][i - 1]);
    await expectQuarantined(await ingest(warehouse, writeCsv(temp.file('flags.csv'), list)), [list[0].工单编号], [
      { row: 3, reason: '是否涉企“可能”应为“是”或“否” / is_enterprise must be 是/否' },
      { row: 4, reason: '是否紧急“很急”应为“是”或“否”' },
    ]);
  });

  it('18. a spreadsheet formula in text loads, neutralised with a leading apostrophe', async () => {
    const list = rows(18, 2, (i) => (i === 1 ? { 诉求内容: "=cmd|' /C calc'!A0", 承办单位: '@SUM(A1:A9)', 诉求地址: '+1+1' } : { 诉求内容: '-12.5', 诉求地址: '-某路' }));
    await expectQuarantined(await ingest(warehouse, writeCsv(temp.file('formula.csv'), list)), ids(list), []);
    expect(await warehouse.all(`select content, unit, address from tickets where ticket_id in ($a, $b) order by ticket_id`, { a: list[0].工单编号, b: list[1].工单编号 })).toEqual([
      { content: "'=cmd|' /C calc'!A0", unit: "'@SUM(A1:A9)", address: "'+1+1" },
      { content: '-12.5', unit: '昌吉市生态环境局', address: "'-某路" },
    ]);
  });

  it('18b. the formula test looks at the first character only, whatever it is (the load\'s fast prefix test agrees with the rule)', async () => {
    await warehouse.run(sqlFile('ingest/macros.sql'));
    const values = ['=1+1', '+86 139', '-', '-12.5', '+3%', '-1,000.5', '-x1', '@a', '\tx', '\rx', '\nx', '', ' =1', 'A=1', '@', '?x', '0=1', '9', '>x', '<x', '中=1', 'ａ', '=', '+', '＝1'];
    const rule = (x: string) => (/^[=+\-@\t\r]/.test(x) && !/^[-+]?[0-9][0-9.,]*%?$/.test(x) ? `'${x}` : x);
    const rows = values.map((v, i) => `(${i}, '${v.replaceAll("'", "''")}')`).join(', ');
    const got = await warehouse.all<{ v: string; safe: string }>(`select v, hp_safe_text(v) as safe from (values ${rows}) t(i, v) order by i`);
    expect(got.map((r) => r.safe)).toEqual(got.map((r) => rule(r.v)));
    expect(got.map((r) => r.v)).toEqual(values);
  });

  it('19. a 50 MB field: quarantined with its size, the other rows load, memory stays bounded', async () => {
    const list = rows(19, 3);
    const path = temp.file('huge-field.csv');
    const [before, after] = csvLine({ ...list[1], 诉求内容: 'HUGE' }).split('HUGE');
    const fd = openSync(path, 'w');
    writeSync(fd, csvText([list[0]]));
    writeSync(fd, before);
    const block = Buffer.alloc(1024 * 1024, 'x'); // 1 MiB per write
    for (let i = 0; i < 50; i++) writeSync(fd, block);
    writeSync(fd, `${after}\n${csvLine(list[2])}\n`);
    closeSync(fd);
    const fieldBytes = 50 * 1024 * 1024;

    let peak = process.memoryUsage().rss;
    const start = peak;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 2);
    const summary = await ingest(warehouse, path).finally(() => clearInterval(sampler));
    const quarantined = await expectQuarantined(summary, [list[0].工单编号, list[2].工单编号], [
      { row: 3, reason: `字段“诉求内容”长 ${fieldBytes.toLocaleString('en')} 字节，超过上限 1,000,000 字节 / field "诉求内容" is ${fieldBytes} bytes` },
    ], [list[1].工单编号]);
    expect(quarantined[0].record.length).toBeLessThan(5000);
    expect(JSON.parse(quarantined[0].record)).toMatchObject({ 工单编号: list[1].工单编号 });
    // The reader streams 4 MiB chunks (twice: check pass, copy pass) and keeps at most ~1 MiB of one
    // record, so the peak is the not-yet-collected chunks (~100 MiB here), not copies of the field as
    // strings (a 50 MiB field split into JS strings takes several times its size).
    expect(peak - start).toBeLessThan(200 * 1024 * 1024);
  });

  it('24. a row without a ticket number', async () => {
    const list = rows(24, 2, (i) => (i === 2 ? { 工单编号: '' } : {}));
    await expectQuarantined(await ingest(warehouse, writeCsv(temp.file('no-ticket-id.csv'), list)), [list[0].工单编号], [{ row: 3, reason: '缺少工单编号 / ticket_id is empty' }]);
  });

  it('25. 转办 without 承办单位 (and without 派单时间)', async () => {
    const list = rows(25, 3, (i) => [{}, { 承办单位: '' }, { 派单时间: '', 签收时间: '' }][i - 1]);
    await expectQuarantined(await ingest(warehouse, writeCsv(temp.file('no-unit.csv'), list)), [list[0].工单编号], [
      { row: 3, reason: '转办工单缺少承办单位 / a dispatched ticket needs unit' },
      { row: 4, reason: '转办工单缺少派单时间' },
    ]);
  });

  it('a deadline that lies ahead is not an impossible date (an open ticket), more than a year ahead is', async () => {
    const now = new Date(Date.now() + 8 * 3600_000); // Beijing wall clock
    const at = (days: number) => new Date(now.getTime() + days * 86400_000).toISOString().slice(0, 19).replace('T', ' ');
    const open = { 受理时间: at(-1), 派单时间: at(-1), 签收时间: '', 办结时间: '', 工单状态: '办理中', 回访时间: '', 回访结果: '', 是否解决: '' };
    const list = rows(26, 2, (i) => ({ ...open, 办理时限: i === 1 ? at(5) : at(800) }));
    await expectQuarantined(await ingest(warehouse, writeCsv(temp.file('deadline-ahead.csv'), list)), [list[0].工单编号], [
      { row: 3, reason: /^办理时限“.*”不可能（早于 1990 年或一年以后）/ },
    ]);
  });
});

describe('files that are not tables', () => {
  it('20. binary garbage is refused', async () => {
    let seed = 12345;
    const bytes = Buffer.from(Array.from({ length: 4096 }, () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) >> 16) & 0xff));
    const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d]), bytes]);
    await expectRefused(write('garbage.csv', bytes), {}, '不是文本文件', 'not a text file');
    await expectRefused(write('image.csv', png), {}, 'not a text file (NUL byte at 9)');
    // High bytes without a NUL: no text encoding fits.
    await expectRefused(write('garbage-high.csv', Buffer.from(bytes.map((b) => b | 0x80))), {}, 'unknown text encoding');
  });

  it('21. an empty file is refused', async () => {
    await expectRefused(write('empty.csv', ''), {}, '文件为空 / the file is empty');
  });

  it('22. a header-only file loads 0 rows and says so', async () => {
    const summary = await ingest(warehouse, write('header-only.csv', TICKET_HEADERS.join(',') + '\n'));
    expect(summary).toMatchObject({ status: 'loaded', profile: 'cn-12345', kind: 'tickets', rowsRead: 0, loaded: 0, quarantined: 0, message: '文件只有表头，没有数据行 / header only: no data rows' });
  });

  it('30. an old .xls (OLE) workbook is refused with what to do', async () => {
    const ole = Buffer.concat([Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), Buffer.alloc(1024)]);
    await expectRefused(write('工单.xls', ole), {}, '旧版 Excel 97-2003 (.xls) 格式不受支持', 'save it as .xlsx');
  });

  it('31. an XLSX that is a truncated zip is refused', async () => {
    const full = await writeXlsx(temp.file('full.xlsx'), [{ name: '工单', rows: ticketSheet(rows(31, 50)) }]);
    const bytes = readFileSync(full);
    await expectRefused(write('truncated.xlsx', bytes.subarray(0, Math.floor(bytes.length / 2))), {}, '无法读取 Excel 文件', 'damaged or truncated');
  });

  it('32. a damaged Parquet file is refused', async () => {
    await expectRefused(write('broken.parquet', Buffer.from('PAR1 this is not really parquet')), {}, '不是可读的 Parquet 文件', 'could not read the file');
  });

  it('an XLSX workbook without the named sheet is refused, listing the sheets', async () => {
    const path = await writeXlsx(temp.file('sheets.xlsx'), [{ name: '工单', rows: ticketSheet(rows(33, 1)) }, { name: '说明', rows: [['x']] }]);
    await expectRefused(path, { sheet: '七月' }, '没有名为“七月”的工作表；现有：工单、说明');
  });
});

describe('CSV structure', () => {
  it('23. rows with too many or too few fields are quarantined; the personal columns of shifted rows are not shown', async () => {
    const list = rows(23, 4);
    const extra = csvLine(list[1]).replace('楼下夜间施工噪声扰民', '楼下夜间施工,噪声扰民'); // an unquoted comma
    const missing = csvLine(list[2]).replace('噪声扰民,夜间施工', '噪声扰民夜间施工'); // a lost delimiter
    const path = write('field-count.csv', [TICKET_HEADERS.join(','), csvLine(list[0]), extra, missing, csvLine(list[3])].join('\n') + '\n');
    const quarantined = await expectQuarantined(await ingest(warehouse, path), [list[0].工单编号, list[3].工单编号], [
      { row: 3, reason: '字段数不符：表头有 27 列，这一行有 28 列（可能缺少引号或分隔符）' },
      { row: 4, reason: '表头有 27 列，这一行有 26 列' },
    ]);
    // Row 4 lost a delimiter before 三级分类: 诉求人's value moved to 乡镇街道 and is not shown there.
    const record = JSON.parse(quarantined[1].record);
    expect(record.工单编号).toBe(list[2].工单编号);
    expect(record.二级分类).toBe('噪声扰民夜间施工');
    expect(record.乡镇街道).toMatch(/^（未显示 4 个字符/);
  });

  it('26. CRLF line endings load, with the right line numbers', async () => {
    const list = rows(260, 3, (i) => (i === 2 ? { 一级分类: '' } : {}));
    await expectQuarantined(await ingest(warehouse, writeCsv(temp.file('crlf.csv'), list, { eol: '\r\n' })), [list[0].工单编号, list[2].工单编号], [
      { row: 3, reason: '缺少一级分类 / category_l1 is empty' },
    ]);
  });

  it('27. embedded newlines in quoted fields: a record is numbered by the line where it starts', async () => {
    const list = rows(27, 4, (i) => [{ 诉求内容: '第一行\n第二行\n第三行' }, { 诉求内容: '一\r\n二', 来源渠道: '传真' }, {}, { 来源渠道: '传真' }][i - 1]);
    // Lines: 1 header, 2–4 first row, 5–6 second row, 7 third, 8 fourth.
    await expectQuarantined(await ingest(warehouse, writeCsv(temp.file('multiline.csv'), list, { eol: '\r\n' })), [list[0].工单编号, list[2].工单编号], [
      { row: 5, reason: '来源渠道“传真”' },
      { row: 8, reason: '来源渠道“传真”' },
    ]);
    expect(await warehouse.one(`select content from tickets where ticket_id = $id`, { id: list[0].工单编号 })).toEqual({ content: '第一行 第二行 第三行' });
  });

  it('27b. records over several lines are read by DuckDB in place, not rescanned: numbered by line, fresh or merged, GBK too', async () => {
    const phases = new Set<string>();
    const onProgress = (p: { phase: string }) => phases.add(p.phase);
    // Lines: 1 header, 2–3 first row, 4 second, 5–7 third, 8 fourth, 9–10 fifth.
    const texts = ['夜间施工\n噪声扰民', '', '第一行\r\n第二行\n第三行', '', '停水\n两天'];
    const list = rows(36, 5, (i) => ({ ...(texts[i - 1] ? { 诉求内容: texts[i - 1] } : {}), ...(i === 3 || i === 4 ? { 来源渠道: '传真' } : {}) }));
    const path = writeCsv(temp.file('multiline-direct.csv'), list);
    await expectQuarantined(await ingest(warehouse, path, { onProgress }), ids([list[0], list[1], list[4]]), [
      { row: 5, reason: '来源渠道“传真”' },
      { row: 8, reason: '来源渠道“传真”' },
    ]);
    expect(phases.has('loading')).toBe(true);
    expect(phases.has('scanning')).toBe(false);
    // The same ids again, one row changed: the merge path numbers the records by line as well.
    phases.clear();
    list[4].诉求内容 = '停水\n三天';
    await expectQuarantined(await ingest(warehouse, writeCsv(temp.file('multiline-merge.csv'), list), { onProgress }), ids([list[0], list[1], list[4]]), [
      { row: 5, reason: '来源渠道“传真”' },
      { row: 8, reason: '来源渠道“传真”' },
    ]);
    expect(phases.has('scanning')).toBe(false);
    expect(await warehouse.one(`select content from tickets where ticket_id = $id`, { id: list[4].工单编号 })).toEqual({ content: '停水 三天' });
    // Without bad rows, a GBK file over several lines loads in one pass as well.
    phases.clear();
    const good = rows(37, 3, (i) => ({ 诉求内容: `第${i}件\n楼道灯不亮` }));
    const gbk = temp.file('multiline.gbk.csv');
    writeCsv(gbk, good, { encoding: 'gbk' });
    const summary = await ingest(warehouse, gbk, { onProgress });
    expect(summary).toMatchObject({ status: 'loaded', loaded: 3, quarantined: 0, rowsRead: 3 });
    expect(phases.has('scanning')).toBe(false);
  });

  it('27d. records over several lines with a row of only delimiters between them and no line feed at the end', async () => {
    const phases = new Set<string>();
    const list = rows(39, 3, (i) => ({ 诉求内容: `第${i}件\n楼道灯不亮`, ...(i === 3 ? { 来源渠道: '传真' } : {}) }));
    // Lines: 1 header, 2–3 first row, 4 only delimiters, 5–6 second row, 7–8 third (no line feed after it).
    const empty = TICKET_HEADERS.map(() => '').join(',');
    const path = write('multiline-empty.csv', [TICKET_HEADERS.join(','), csvLine(list[0]), empty, csvLine(list[1]), csvLine(list[2])].join('\n'));
    await expectQuarantined(await ingest(warehouse, path, { onProgress: (p) => phases.add(p.phase) }), ids(list.slice(0, 2)), [{ row: 7, reason: '来源渠道“传真”' }]);
    expect(phases.has('scanning')).toBe(false);
  });

  it('27c. a field over several lines is held to the field limit like any other', async () => {
    // Each line of the long text is under the limit; the field is over it.
    const long = Array.from({ length: 6 }, () => '楼'.repeat(100)).join('\n');
    const list = rows(38, 3, (i) => (i === 2 ? { 诉求内容: long } : { 诉求内容: '停水\n两天' }));
    // Lines: 1 header, 2–3 first row, 4–9 second, 10–11 third.
    await expectQuarantined(await ingest(warehouse, writeCsv(temp.file('multiline-long.csv'), list), { maxFieldBytes: 1000 }), ids([list[0], list[2]]), [
      { row: 4, reason: /^字段“诉求内容”长 1,807 字节，超过上限 1,000 字节/ },
    ]);
  });

  it('33. a stray quote does not swallow the rest of the file: its line is quarantined, the lines after it load', async () => {
    const list = rows(28, 5);
    const stray = csvLine(list[1]).replace('楼下夜间施工噪声扰民', '"楼下夜间施工噪声扰民');
    const path = write('stray-quote.csv', [TICKET_HEADERS.join(','), csvLine(list[0]), stray, ...list.slice(2).map((r) => csvLine(r))].join('\n') + '\n');
    const quarantined = await expectQuarantined(await ingest(warehouse, path), ids([list[0], ...list.slice(2)]), [
      { row: 3, reason: '第 3 行的引号一直到文件末尾都没有闭合（多了一个引号？）；这一行未导入，从第 4 行起继续读取' },
    ], [list[1].工单编号]);
    const record = JSON.parse(quarantined[0].record);
    expect(record).toMatchObject({ 工单编号: list[1].工单编号, 三级分类: '夜间施工' });
    expect(record.诉求内容).toMatch(/^（未显示/);
  });

  it('34. quotes DuckDB would read differently: text after a closing quote; a bare quote is kept as text', async () => {
    const list = rows(29, 4);
    const afterQuote = csvLine(list[1]).replace('楼下夜间施工噪声扰民', '"楼下夜间施工"噪声扰民');
    const bareWithComma = csvLine(list[2]).replace('楼下夜间施工噪声扰民', '他说"马上,修"');
    const bare = csvLine(list[3]).replace('楼下夜间施工噪声扰民', '他说"马上修" 结果没修');
    const path = write('quotes.csv', [TICKET_HEADERS.join(','), csvLine(list[0]), afterQuote, bareWithComma, bare].join('\n') + '\n');
    await expectQuarantined(await ingest(warehouse, path), [list[0].工单编号, list[3].工单编号], [
      { row: 3, reason: /^结束引号后还有其他文字.*\/ text after a closing quote/ },
      { row: 4, reason: '表头有 27 列，这一行有 28 列' },
    ]);
    expect(await warehouse.one(`select content from tickets where ticket_id = $id`, { id: list[3].工单编号 })).toEqual({ content: '他说"马上修" 结果没修' });
  });

  it('35. a lone carriage return inside a row', async () => {
    const list = rows(35, 3);
    const lone = csvLine(list[1]).replace('楼下夜间施工噪声扰民', '楼下夜间施工\r噪声扰民');
    const path = write('lone-cr.csv', [TICKET_HEADERS.join(','), csvLine(list[0]), lone, csvLine(list[2])].join('\n') + '\n');
    await expectQuarantined(await ingest(warehouse, path), [list[0].工单编号, list[2].工单编号], [{ row: 3, reason: '单独的回车符（CR）' }]);
  });
});

describe('JSON', () => {
  it('28. JSON that is not an array of objects is refused', async () => {
    const list = rows(36, 2);
    await expectRefused(write('object.json', JSON.stringify({ data: list })), {}, 'JSON 顶层应是对象数组', 'found 对象 object');
    await expectRefused(write('numbers.json', '[1, 2, 3]'), {}, '没有一个元素是 JSON 对象', 'element 1 is not an object but number');
    await expectRefused(write('broken.json', JSON.stringify(list).slice(0, -20)), {}, '不是合法的 JSON', 'not valid JSON: nothing was loaded');
    await expectRefused(write('nothing.json', '[]'), {}, 'the JSON file holds no records');
  });

  it('28b. array elements that are not objects are quarantined by position', async () => {
    const list = rows(37, 2);
    const path = write('mixed-elements.json', JSON.stringify([list[0], 'text', list[1]]));
    await expectQuarantined(await ingest(warehouse, path), ids(list), [{ row: 2, reason: '第 2 个元素不是对象而是string' }]);
  });

  it('29. NDJSON with a broken line: that line is quarantined (without its text), the others load', async () => {
    const list = rows(38, 3);
    const broken = JSON.stringify(list[1]).slice(0, -15);
    const path = write('broken.ndjson', [JSON.stringify(list[0]), broken, '', JSON.stringify(list[2]), '42'].join('\n') + '\n');
    const quarantined = await expectQuarantined(await ingest(warehouse, path), [list[0].工单编号, list[2].工单编号], [
      { row: 2, reason: /^第 2 行不是合法的 JSON（.*）\/ line 2 is not valid JSON$/ },
      { row: 5, reason: '第 5 行不是 JSON 对象而是number' },
    ]);
    expect(quarantined[0].record).not.toContain(list[1].诉求内容);
  });
});

describe('calls', () => {
  it('a call without 是否自助服务 is quarantined (the column is NOT NULL); a file without the column is refused', async () => {
    const header = '呼叫编号,来电时间,是否自助服务,应答时间,挂机时间,话务员工号\n';
    const path = write('calls.csv', header + 'C001,2025-07-01 09:00:00,否,2025-07-01 09:00:12,2025-07-01 09:03:00,A01\nC002,2025-07-01 09:01:00,,,2025-07-01 09:01:30,\n');
    const summary = await ingest(warehouse, path);
    expect(summary).toMatchObject({ status: 'loaded', kind: 'calls', loaded: 1, quarantined: 1 });
    expect(await quarantine(warehouse, summary.runId)).toEqual([expect.objectContaining({ row_number: 3, reason: '缺少是否自助服务 / ivr_only is empty' })]);
    await expectRefused(write('calls-no-ivr.csv', '呼叫编号,来电时间,应答时间\nC003,2025-07-01 09:00:00,2025-07-01 09:00:10\n'), {}, '是否自助服务（可接受的表头：是否自助服务 / 自助服务）');
  });
});

describe('personal data in quarantine', () => {
  it('no quarantine record or reason holds a clear phone number or the caller name', async () => {
    const all = await warehouse.all<{ reason: string; record: string }>(`select reason, record from quarantine`);
    expect(all.length).toBeGreaterThan(25);
    for (const { reason, record } of all) {
      for (const text of [reason, record ?? '']) {
        expect(text).not.toContain(NAME);
        expect(text).not.toMatch(/1[3-9][0-9]{9}/);
        expect(text).not.toContain('13800000000');
      }
    }
  });
});
