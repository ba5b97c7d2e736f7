import { DuckDBInstance } from '@duckdb/node-api';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import wabtInit from 'wabt';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ingestFile, type FileSummary, type IngestOptions } from '../../pipelines/ingest/ingest.js';
import { loadProfiles, type Profile } from '../../pipelines/ingest/profiles.js';
import { Warehouse } from '../../pipelines/warehouse.js';

/** The repository root (tests run from anywhere). */
export const ROOT = resolve(import.meta.dirname, '..', '..');

/** A fixed phone-hash key for tests; the real one lives in the key file. */
export const TEST_KEY = 'ab'.repeat(32);
export const OTHER_KEY = 'cd'.repeat(32);

/** A throw-away folder under the system temp dir, removed by `cleanup()`. */
export function tempFolder(prefix: string): { dir: string; file(name: string): string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), `hotline-ingest-test-${prefix}-`));
  return { dir, file: (name) => join(dir, name), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export const TICKET_HEADERS = [
  '工单编号', '受理时间', '来源渠道', '诉求类型', '一级分类', '二级分类', '三级分类', '诉求内容', '诉求地址', '所属区县', '乡镇街道',
  '诉求人', '联系电话', '办理方式', '承办单位', '协办单位', '派单时间', '签收时间', '办理时限', '办结时间', '工单状态', '退单次数',
  '是否涉企', '是否紧急', '回访时间', '回访结果', '是否解决',
] as const;

export type TicketRow = Record<string, string>;

/** A valid, dispatched and completed cn-12345 ticket; override any column by its Chinese header. */
export function ticket(id: string, overrides: TicketRow = {}): TicketRow {
  return {
    工单编号: id, 受理时间: '2025-07-01 09:00:00', 来源渠道: '电话', 诉求类型: '投诉', 一级分类: '环境保护', 二级分类: '噪声扰民', 三级分类: '夜间施工',
    诉求内容: '楼下夜间施工噪声扰民', 诉求地址: '昌吉市宁边路 1 号', 所属区县: '昌吉市', 乡镇街道: '宁边路街道', 诉求人: '王某', 联系电话: '13800000000',
    办理方式: '转办', 承办单位: '昌吉市生态环境局', 协办单位: '', 派单时间: '2025-07-01 09:20:00', 签收时间: '2025-07-01 10:00:00',
    办理时限: '2025-07-06 09:20:00', 办结时间: '2025-07-02 16:00:00', 工单状态: '已办结', 退单次数: '0', 是否涉企: '否', 是否紧急: '否',
    回访时间: '2025-07-03 10:00:00', 回访结果: '满意', 是否解决: '已解决',
    ...overrides,
  };
}

/** Five tickets covering direct answers, co-units, open tickets, flags and enterprise cases. */
export function fiveTickets(): TicketRow[] {
  return [
    ticket('2025070100001'),
    ticket('2025070100002', {
      受理时间: '2025-07-01 10:30:00', 来源渠道: '微信', 诉求类型: '咨询', 一级分类: '劳动和社会保障', 二级分类: '社保', 三级分类: '',
      诉求内容: '咨询灵活就业人员社保缴费标准', 诉求地址: '', 所属区县: '阜康市', 乡镇街道: '', 诉求人: '李某', 联系电话: '13900000001',
      办理方式: '直接答复', 承办单位: '', 派单时间: '', 签收时间: '', 办理时限: '', 办结时间: '2025-07-01 10:40:00', 回访时间: '', 回访结果: '', 是否解决: '',
    }),
    ticket('2025070200003', {
      受理时间: '2025-07-02 08:15:00', 来源渠道: '网站', 诉求类型: '求助', 一级分类: '城乡建设', 二级分类: '供水', 三级分类: '停水',
      诉求内容: '小区停水一天，请尽快恢复', 诉求地址: '呼图壁县某小区 3 号楼', 所属区县: '呼图壁县', 乡镇街道: '呼图壁镇', 诉求人: '赵某', 联系电话: '0994-2345678',
      承办单位: '呼图壁县住建局', 协办单位: '呼图壁县自来水公司；呼图壁镇人民政府', 派单时间: '2025-07-02 08:30:00', 签收时间: '2025-07-02 09:00:00',
      办理时限: '2025-07-04 08:30:00', 办结时间: '', 工单状态: '办理中', 退单次数: '1', 是否紧急: '是', 回访时间: '', 回访结果: '', 是否解决: '',
    }),
    ticket('2025070300004', {
      受理时间: '2025-07-03 14:00:00', 来源渠道: '移动APP', 诉求类型: '举报', 一级分类: '市场监管', 二级分类: '食品安全', 三级分类: '',
      诉求内容: '某餐馆后厨卫生条件差', 所属区县: '玛纳斯县', 乡镇街道: '玛纳斯镇', 诉求人: '钱某', 联系电话: '+86 137-0000-0002',
      承办单位: '玛纳斯县市场监督管理局', 协办单位: '玛纳斯县卫健委、玛纳斯镇人民政府', 派单时间: '2025-07-03 14:10:00', 签收时间: '2025-07-03 15:00:00',
      办理时限: '2025-07-08 14:10:00', 办结时间: '2025-07-05 11:00:00', 是否涉企: '是', 回访时间: '2025-07-06 09:00:00', 回访结果: '基本满意', 是否解决: '已解决',
    }),
    ticket('2025070400005', {
      受理时间: '2025-07-04 20:45:00', 来源渠道: '电话', 诉求类型: '建议', 一级分类: '交通运输', 二级分类: '公交', 三级分类: '线路调整',
      诉求内容: '建议增加 3 路公交晚班车次', 所属区县: '奇台县', 乡镇街道: '', 诉求人: '孙某', 联系电话: '13600000003',
      承办单位: '奇台县交通运输局', 协办单位: '', 派单时间: '2025-07-05 09:00:00', 签收时间: '2025-07-05 09:30:00',
      办理时限: '2025-07-10 09:00:00', 办结时间: '2025-07-09 17:00:00', 工单状态: '待回访', 退单次数: '2', 回访时间: '', 回访结果: '', 是否解决: '',
    }),
  ];
}

function quoteCsv(value: string, delimiter: string): string {
  return value.includes('"') || value.includes(delimiter) || /[\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/** Rows as CSV text with the given headers (default: every ticket header), RFC 4180 quoted. */
export function csvText(rows: TicketRow[], options: { headers?: readonly string[]; delimiter?: string; eol?: string } = {}): string {
  const headers = options.headers ?? TICKET_HEADERS;
  const delimiter = options.delimiter ?? ',';
  const eol = options.eol ?? '\n';
  const lines = [headers.map((h) => quoteCsv(h, delimiter)).join(delimiter), ...rows.map((row) => headers.map((h) => quoteCsv(row[h] ?? '', delimiter)).join(delimiter))];
  return lines.join(eol) + eol;
}

/** One record as a CSV line (no line ending), for files built by hand. */
export function csvLine(row: TicketRow, headers: readonly string[] = TICKET_HEADERS, delimiter = ','): string {
  return headers.map((h) => quoteCsv(row[h] ?? '', delimiter)).join(delimiter);
}

export type TextEncoding = 'utf-8' | 'utf-8-bom' | 'utf-16le' | 'gbk';

export function encodeText(text: string, encoding: TextEncoding): Buffer {
  switch (encoding) {
    case 'utf-8':
      return Buffer.from(text, 'utf8');
    case 'utf-8-bom':
      return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf8')]);
    case 'utf-16le':
      return Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
    case 'gbk':
      return iconv.encode(text, 'gbk');
  }
}

export function writeCsv(path: string, rows: TicketRow[], options: { encoding?: TextEncoding; headers?: readonly string[]; delimiter?: string; eol?: string } = {}): string {
  writeFileSync(path, encodeText(csvText(rows, options), options.encoding ?? 'utf-8'));
  return path;
}

export interface SheetSpec {
  name: string;
  /** Cells row by row; null leaves a cell (or, as a whole row, the row) empty. */
  rows: (unknown[] | null)[];
}

export async function writeXlsx(path: string, sheets: SheetSpec[]): Promise<string> {
  const workbook = new ExcelJS.Workbook();
  for (const spec of sheets) {
    const sheet = workbook.addWorksheet(spec.name);
    spec.rows.forEach((cells, index) => {
      if (!cells) return;
      const row = sheet.getRow(index + 1);
      cells.forEach((value, column) => {
        if (value === null || value === undefined) return;
        const cell = row.getCell(column + 1);
        cell.value = value as ExcelJS.CellValue;
        if (value instanceof Date) cell.numFmt = 'yyyy-mm-dd hh:mm:ss';
      });
      row.commit();
    });
  }
  await workbook.xlsx.writeFile(path);
  return path;
}

/** Ticket rows as sheet rows (header first), every cell text. */
export function ticketSheet(rows: TicketRow[], headers: readonly string[] = TICKET_HEADERS): unknown[][] {
  return [[...headers], ...rows.map((row) => headers.map((h) => (row[h] === '' || row[h] === undefined ? null : row[h])))];
}

export function writeJson(path: string, rows: TicketRow[]): string {
  writeFileSync(path, JSON.stringify(rows, null, 2));
  return path;
}

export function writeNdjson(path: string, rows: TicketRow[]): string {
  writeFileSync(path, rows.map((row) => JSON.stringify(row)).join('\n') + '\n');
  return path;
}

/** Parquet through DuckDB itself: the rows go through a CSV, every column VARCHAR. */
export async function writeParquet(path: string, rows: TicketRow[]): Promise<string> {
  const csv = path + '.source.csv';
  writeCsv(csv, rows);
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    await connection.run(`copy (select * from read_csv('${csv}', header = true, all_varchar = true)) to '${path}' (format parquet)`);
  } finally {
    connection.closeSync();
    rmSync(csv, { force: true });
  }
  return path;
}

let builtinProfiles: Profile[] | null = null;
export function profiles(): Profile[] {
  builtinProfiles ??= loadProfiles();
  return builtinProfiles;
}

export function ingest(warehouse: Warehouse, path: string, options: Partial<IngestOptions> = {}): Promise<FileSummary> {
  return ingestFile(warehouse, path, { profiles: profiles(), key: TEST_KEY, maxFieldBytes: 1_000_000, ...options });
}

/** Every row of a table as JSON text, in a fixed order: equal text means equal contents. */
export async function dump(warehouse: Warehouse, table: string, exclude: string[] = []): Promise<string> {
  const rows = await warehouse.all(`select * ${exclude.length ? `exclude (${exclude.join(', ')})` : ''} from ${table} order by all`);
  return JSON.stringify(rows);
}

export async function quarantine(warehouse: Warehouse, runId: number | null) {
  return warehouse.all<{ file_name: string; row_number: number; reason: string; record: string }>(
    `select file_name, row_number, reason, record from quarantine where run_id = $run order by row_number`,
    { run: runId },
  );
}

export async function ticketIds(warehouse: Warehouse): Promise<string[]> {
  return (await warehouse.all<{ ticket_id: string }>(`select ticket_id from tickets order by ticket_id`)).map((r) => r.ticket_id);
}

/**
 * Whether pipelines/ingest/NAME.wasm is NAME.wat assembled (with SIMD); UPDATE_WASM=1 writes the
 * binary again first.
 */
export async function wasmMatchesSource(name: string): Promise<boolean> {
  const wat = join(ROOT, 'pipelines', 'ingest', `${name}.wat`);
  const wasm = join(ROOT, 'pipelines', 'ingest', `${name}.wasm`);
  const wabt = await wabtInit();
  const assembled = Buffer.from(wabt.parseWat(`${name}.wat`, readFileSync(wat, 'utf8'), { simd: true }).toBinary({}).buffer);
  if (process.env.UPDATE_WASM) writeFileSync(wasm, assembled);
  return readFileSync(wasm).equals(assembled);
}

export { Warehouse };
