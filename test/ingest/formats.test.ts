import { DuckDBInstance } from '@duckdb/node-api';
import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Warehouse, dump, encodeText, csvText, fiveTickets, ingest, quarantine, tempFolder, ticket, ticketSheet, writeCsv, writeJson, writeNdjson, writeParquet, writeXlsx,
  TICKET_HEADERS, type TicketRow,
} from './helpers.js';

/**
 * The same five tickets, exported in every supported format and encoding, must land in the
 * warehouse identically (issue: formats and encodings).
 */

const temp = tempFolder('formats');
const tickets = fiveTickets();
const DATE_COLUMNS = ['受理时间', '派单时间', '签收时间', '办理时限', '办结时间', '回访时间'];

/** Loads one file into a fresh warehouse and returns what the tickets and ticket_units tables hold. */
async function loadAlone(name: string, path: string, options: Parameters<typeof ingest>[2] = {}) {
  const warehouse = await Warehouse.open(temp.file(`${name}.duckdb`));
  try {
    const summary = await ingest(warehouse, path, options);
    return {
      summary,
      tickets: await dump(warehouse, 'tickets', ['first_run_id', 'last_run_id']),
      units: await dump(warehouse, 'ticket_units'),
      quarantined: await quarantine(warehouse, summary.runId),
    };
  } finally {
    warehouse.close();
  }
}

/** 'YYYY-MM-DD HH:mm:ss' as the Date exceljs writes for that wall-clock time. */
function excelDate(text: string): Date {
  const [date, time = '00:00:00'] = text.split(' ');
  return new Date(`${date}T${time}Z`);
}

/** The same wall-clock time as an Excel serial number (days since 1899-12-30). */
function excelSerial(text: string): number {
  return (excelDate(text).getTime() - Date.UTC(1899, 11, 30)) / 86_400_000;
}

function sheetWith(convert: (column: string, value: string) => unknown): unknown[][] {
  return [[...TICKET_HEADERS], ...tickets.map((row) => TICKET_HEADERS.map((h) => (row[h] === '' ? null : convert(h, row[h]))))];
}

/** The tickets as another system would write them to Parquet: instants in UTC, numbers and flags typed. */
async function writeTypedParquet(path: string): Promise<string> {
  const csv = writeCsv(temp.file('typed-source.csv'), tickets);
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    await connection.run(`set TimeZone = 'UTC'`);
    const instant = (column: string) => `(nullif("${column}", '') || '+08:00')::timestamptz as "${column}"`;
    const flag = (column: string) => `case "${column}" when '是' then true when '否' then false end as "${column}"`;
    await connection.run(`copy (
      select * replace (${DATE_COLUMNS.map(instant).join(', ')}, "退单次数"::integer as "退单次数", ${flag('是否涉企')}, ${flag('是否紧急')})
      from read_csv('${csv}', header = true, all_varchar = true)
    ) to '${path}' (format parquet)`);
  } finally {
    connection.closeSync();
  }
  return path;
}

let reference: Awaited<ReturnType<typeof loadAlone>>;

beforeAll(async () => {
  reference = await loadAlone('reference', writeCsv(temp.file('tickets-utf8.csv'), tickets));
});
afterAll(() => temp.cleanup());

describe('the reference load (CSV, UTF-8)', () => {
  it('loads the five tickets with typed, canonical values', async () => {
    expect(reference.summary).toMatchObject({ status: 'loaded', profile: 'cn-12345', kind: 'tickets', format: 'csv', encoding: 'utf-8', rowsRead: 5, loaded: 5, quarantined: 0 });
    const rows = JSON.parse(reference.tickets) as Record<string, unknown>[];
    const byId = new Map(rows.map((r) => [r.ticket_id, r]));
    expect([...byId.keys()].sort()).toEqual(tickets.map((t) => t.工单编号).sort());
    expect(byId.get('2025070100001')).toMatchObject({
      received_at: '2025-07-01 09:00:00', channel: '电话', appeal_type: '投诉', category_l1: '环境保护', category_l2: '噪声扰民', category_l3: '夜间施工',
      handling: '转办', unit: '昌吉市生态环境局', co_units: null, dispatched_at: '2025-07-01 09:20:00', deadline_at: '2025-07-06 09:20:00',
      completed_at: '2025-07-02 16:00:00', status: '已办结', returned_count: 0, is_enterprise: false, is_urgent: false, satisfaction: '满意', resolved: '已解决',
      activity_at: '2025-07-03 10:00:00',
    });
    expect(byId.get('2025070100002')).toMatchObject({ handling: '直接答复', unit: null, address: null, township: null, dispatched_at: null, category_l3: null });
    expect(byId.get('2025070200003')).toMatchObject({
      status: '办理中', completed_at: null, returned_count: 1, is_urgent: true, co_units: '呼图壁县自来水公司、呼图壁镇人民政府',
    });
    expect(byId.get('2025070300004')).toMatchObject({ is_enterprise: true, co_units: '玛纳斯县卫健委、玛纳斯镇人民政府', satisfaction: '基本满意' });
    for (const row of rows) {
      expect(row.phone_hash).toMatch(/^[0-9a-f]{16}$/);
      expect(row).not.toHaveProperty('caller_name');
    }
    expect(JSON.parse(reference.units)).toEqual(
      expect.arrayContaining([
        { ticket_id: '2025070200003', unit: '呼图壁县住建局', role: '主办' },
        { ticket_id: '2025070200003', unit: '呼图壁县自来水公司', role: '协办' },
        { ticket_id: '2025070200003', unit: '呼图壁镇人民政府', role: '协办' },
        { ticket_id: '2025070300004', unit: '玛纳斯县卫健委', role: '协办' },
      ]),
    );
    expect(JSON.parse(reference.units)).toHaveLength(4 + 4); // four lead units, four co-units
  });
});

describe('every format and encoding loads the same five tickets', () => {
  const text = csvText(tickets);
  const cases: [string, () => Promise<string> | string, Parameters<typeof ingest>[2]?, Record<string, unknown>?][] = [
    ['CSV UTF-8 with BOM', () => (writeFileSync(temp.file('bom.csv'), encodeText(text, 'utf-8-bom')), temp.file('bom.csv')), {}, { encoding: 'utf-8-bom' }],
    ['CSV UTF-16LE', () => (writeFileSync(temp.file('utf16.csv'), encodeText(text, 'utf-16le')), temp.file('utf16.csv')), {}, { encoding: 'utf-16le' }],
    ['CSV GBK', () => (writeFileSync(temp.file('gbk.csv'), encodeText(text, 'gbk')), temp.file('gbk.csv')), {}, { encoding: 'gb18030' }],
    ['CSV GBK named explicitly', () => (writeFileSync(temp.file('gbk2.csv'), encodeText(text, 'gbk')), temp.file('gbk2.csv')), { encoding: 'gb18030' }, { encoding: 'gb18030' }],
    ['tab-separated', () => writeCsv(temp.file('tickets.tsv'), tickets, { delimiter: '\t' }), {}, { format: 'csv' }],
    ['CSV with CRLF line endings', () => writeCsv(temp.file('crlf.csv'), tickets, { eol: '\r\n' }), {}, { encoding: 'utf-8' }],
    [
      'XLSX, named sheet, text cells, empty rows',
      () =>
        writeXlsx(temp.file('named.xlsx'), [
          { name: '说明', rows: [['本表为 2025 年 7 月工单导出'], ['导出人：系统']] },
          { name: '工单', rows: [null, null, ...ticketSheet(tickets).flatMap((row, i) => (i === 2 ? [row, null, null] : [row]))] },
        ]),
      { sheet: '工单' },
      { format: 'xlsx' },
    ],
    [
      'XLSX, first sheet, real date cells and number cells',
      () =>
        writeXlsx(temp.file('dates.xlsx'), [
          { name: 'Sheet1', rows: sheetWith((h, v) => (DATE_COLUMNS.includes(h) ? excelDate(v) : h === '退单次数' ? Number(v) : v)) },
          { name: 'Sheet2', rows: [['别的表'], ['不读']] },
        ]),
      {},
      { format: 'xlsx' },
    ],
    [
      'XLSX, Excel serial-number dates',
      () => writeXlsx(temp.file('serial.xlsx'), [{ name: '导出', rows: sheetWith((h, v) => (DATE_COLUMNS.includes(h) ? excelSerial(v) : v)) }]),
      {},
      { format: 'xlsx' },
    ],
    ['JSON array', () => writeJson(temp.file('tickets.json'), tickets), {}, { format: 'json' }],
    ['NDJSON', () => writeNdjson(temp.file('tickets.ndjson'), tickets), {}, { format: 'ndjson' }],
    ['Parquet', () => writeParquet(temp.file('tickets.parquet'), tickets), {}, { format: 'parquet' }],
    ['Parquet with typed columns (TIMESTAMPTZ, INTEGER, BOOLEAN)', () => writeTypedParquet(temp.file('typed.parquet')), {}, { format: 'parquet' }],
    ['CSV with blank lines above the header and between rows', () => (writeFileSync(temp.file('blank-lines.csv'), '\n\n' + text.replace(/\n(?=2025070200003)/, '\n\n,,,\n')), temp.file('blank-lines.csv')), {}, { format: 'csv' }],
  ];
  it.each(cases)('%s', async (name, write, options, expected) => {
    const path = await write();
    const result = await loadAlone(name.replace(/\W+/g, '-'), path, options);
    expect(result.summary).toMatchObject({ status: 'loaded', profile: 'cn-12345', kind: 'tickets', rowsRead: 5, loaded: 5, quarantined: 0, ...expected });
    expect(result.quarantined).toEqual([]);
    expect(result.tickets).toBe(reference.tickets);
    expect(result.units).toBe(reference.units);
  });

  it('reports the sheet row numbers of an XLSX with empty rows', async () => {
    // Header on sheet row 3, then rows 4, 5, 6, two empty rows, then 9 and 10.
    const rows = ticketSheet([...tickets.slice(0, 3), { ...tickets[3], 来源渠道: '传真' }, tickets[4]]);
    const path = await writeXlsx(temp.file('rownumbers.xlsx'), [{ name: '工单', rows: [null, null, ...rows.slice(0, 4), null, null, ...rows.slice(4)] }]);
    const result = await loadAlone('rownumbers', path);
    expect(result.summary).toMatchObject({ status: 'loaded', rowsRead: 5, loaded: 4, quarantined: 1 });
    expect(result.quarantined).toEqual([expect.objectContaining({ file_name: 'rownumbers.xlsx', row_number: 9, reason: expect.stringContaining('来源渠道“传真”不是已知取值') })]);
  });

  it('an XLSX whose header row has an empty cell keeps its columns aligned', async () => {
    const headers = [...TICKET_HEADERS.slice(0, 3), '', ...TICKET_HEADERS.slice(3)];
    const rows = [headers.map((h) => h || null), ...tickets.map((t) => headers.map((h) => (h ? t[h] || null : '备注')))];
    const result = await loadAlone('holes', await writeXlsx(temp.file('holes.xlsx'), [{ name: 'S', rows }]));
    expect(result.summary).toMatchObject({ status: 'loaded', rowsRead: 5, loaded: 5, quarantined: 0 });
    expect(result.tickets).toBe(reference.tickets);
  });
});

describe('header synonyms, split categories, value maps and derived fields', () => {
  const headers = [
    '工单号', '来电时间', '渠道', '诉求性质', '诉求分类', '问题描述', '事发地址', '区县', '街道', '来电人', '手机号', '办理方式', '主办单位', '协办单位',
    '转办时间', '截止时间', '结案时间', '工单状态', '退单次数', '是否涉企', '是否紧急', '满意度', '解决情况',
  ];
  const rows: TicketRow[] = [
    {
      工单号: '2025070100011', 来电时间: '2025/7/1 9:05:00', 渠道: '12345热线', 诉求性质: '意见建议', 诉求分类: '城乡建设/物业管理/收费', 问题描述: '物业费上涨未公示',
      区县: '昌吉市', 来电人: '周某', 手机号: '13500000011', 办理方式: '派单', 主办单位: '昌吉市住建局', 协办单位: '宁边路街道办事处;延安北路街道办事处',
      转办时间: '2025-07-01 09:30:00', 截止时间: '2025-07-06', 结案时间: '2025-07-03 12:00:00', 工单状态: '已完成', 退单次数: '0', 是否涉企: 'N', 是否紧急: 'Y',
      满意度: '非常满意', 解决情况: '是',
    },
    {
      工单号: '2025070500012', 来电时间: '', 渠道: '微信公众号', 诉求性质: '求决', 诉求分类: '环境保护／噪声', 问题描述: '广场舞噪声', 区县: '阜康市', 来电人: '吴某',
      手机号: '13500000012', 办理方式: '即时答复', 工单状态: '处理中', 满意度: '一般', 解决情况: '',
    },
    {
      工单号: '2025070600013', 来电时间: '2025-07-06', 渠道: 'APP', 诉求性质: '感谢', 诉求分类: '交通运输', 问题描述: '感谢公交司机', 区县: '奇台县', 来电人: '郑某',
      手机号: '', 办理方式: '直接办结', 工单状态: '办结', 结案时间: '2025-07-06 10:00:00', 满意度: '无法联系',
    },
  ];

  it('maps every synonym and value onto the canonical fields', async () => {
    const result = await loadAlone('synonyms', writeCsv(temp.file('synonyms.csv'), rows, { headers }));
    expect(result.quarantined).toEqual([]);
    expect(result.summary).toMatchObject({ status: 'loaded', profile: 'cn-12345', kind: 'tickets', rowsRead: 3, loaded: 3 });
    const byId = new Map((JSON.parse(result.tickets) as Record<string, unknown>[]).map((r) => [r.ticket_id, r]));
    expect(byId.get('2025070100011')).toMatchObject({
      received_at: '2025-07-01 09:05:00', channel: '电话', appeal_type: '建议', category_l1: '城乡建设', category_l2: '物业管理', category_l3: '收费',
      content: '物业费上涨未公示', handling: '转办', unit: '昌吉市住建局', co_units: '宁边路街道办事处、延安北路街道办事处', deadline_at: '2025-07-06 00:00:00',
      completed_at: '2025-07-03 12:00:00', status: '已办结', is_enterprise: false, is_urgent: true, satisfaction: '满意', resolved: '已解决',
    });
    // 来电时间 empty: received_at comes from the first 8 digits of the ticket number.
    expect(byId.get('2025070500012')).toMatchObject({
      received_at: '2025-07-05 00:00:00', channel: '微信', appeal_type: '求助', category_l1: '环境保护', category_l2: '噪声', category_l3: null,
      handling: '直接答复', status: '办理中', satisfaction: '基本满意', resolved: null,
    });
    expect(byId.get('2025070600013')).toMatchObject({
      received_at: '2025-07-06 00:00:00', channel: '移动APP', appeal_type: '表扬', category_l1: '交通运输', category_l2: null, handling: '直接答复', status: '已办结',
      satisfaction: '未评价', phone_hash: null,
    });
    expect(JSON.parse(result.units)).toEqual([
      { ticket_id: '2025070100011', unit: '宁边路街道办事处', role: '协办' },
      { ticket_id: '2025070100011', unit: '延安北路街道办事处', role: '协办' },
      { ticket_id: '2025070100011', unit: '昌吉市住建局', role: '主办' },
    ]);
  });
});

describe('date-time spellings', () => {
  // Each spelling of the same instant, 2025-07-01 09:00 in Beijing. The common 19-byte shape is read
  // by a cast; a zone (Z, an offset) must be converted, never read as Beijing time.
  const spellings: [string, string][] = [
    ['2025070100021', '2025-07-01 09:00:00'],
    ['2025070100022', '2025-07-01T09:00:00'],
    ['2025070100023', '2025/07/01 09:00:00'],
    ['2025070100024', '2025-07-01 1:00:00Z'],
    ['2025070100025', '2025-07-01 01:00:00Z'],
    ['2025070100026', '2025-07-01 09:00+08'],
    ['2025070100027', '2025-06-30 20:00-05'],
    ['2025070100028', '2025-07-01T01:00:00+00:00'],
    ['2025070100029', '2025年7月1日 9:00'],
    ['2025070100030', '2025-07-01 1:00:00z'],
  ];
  const rows = spellings.map(([id, at]) => ticket(id, { 受理时间: at, 工单状态: '办理中', 办结时间: '', 回访时间: '', 回访结果: '', 是否解决: '' }));

  it('reads every spelling as the same Beijing time', async () => {
    const result = await loadAlone('spellings', writeCsv(temp.file('spellings.csv'), rows));
    expect(result.quarantined).toEqual([]);
    const received = Object.fromEntries((JSON.parse(result.tickets) as Record<string, unknown>[]).map((r) => [r.ticket_id, r.received_at]));
    expect(received).toEqual(Object.fromEntries(spellings.map(([id]) => [id, '2025-07-01 09:00:00'])));
  });
});
