import { statSync } from 'node:fs';
import ExcelJS from 'exceljs';
import { join } from 'node:path';
import { csvRelation, NormalisedWriter, RefusedFile, type ReadOptions, type RejectedRecord, type SourceTable } from './source.js';

const PREVIEW_CHARS = 200;

/** Excel's wall-clock dates arrive as UTC Date objects; round away float noise to whole seconds. */
function formatDate(date: Date): string {
  const rounded = new Date(Math.round(date.getTime() / 1000) * 1000);
  const iso = rounded.toISOString();
  return iso.endsWith('T00:00:00.000Z') ? iso.slice(0, 10) : `${iso.slice(0, 10)} ${iso.slice(11, 19)}`;
}

function cellText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? '' : formatDate(value);
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : String(Math.round(value * 1e9) / 1e9);
  if (typeof value !== 'object') return String(value);
  const cell = value as { richText?: { text: string }[]; result?: unknown; text?: unknown; error?: string };
  if (cell.richText) return cell.richText.map((part) => part.text).join('');
  if ('result' in cell) return cellText(cell.result);
  if ('text' in cell) return cellText(cell.text);
  if (cell.error) return '';
  return JSON.stringify(value);
}

/** Streams one sheet (named, or else the first) of an .xlsx workbook into the normalised CSV. */
/** Workbooks up to this size are read whole; larger ones are streamed. */
const WHOLE_READ_BYTES = 128 * 1024 * 1024;

type SheetRows = { name: string } & AsyncIterable<{ number: number; values: unknown }>;

/**
 * The sheets of a workbook with their rows. exceljs's streaming reader can split a multi-byte
 * character across chunks of the shared-strings part (seen: "投诉" read as "\ufffd\ufffd诉" in a
 * 1 MB Chinese export), so ordinary exports are read whole and only very large ones streamed.
 */
async function* sheetsOf(path: string): AsyncGenerator<SheetRows> {
  if (statSync(path).size <= WHOLE_READ_BYTES) {
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.readFile(path);
    for (const worksheet of workbook.worksheets) {
      yield {
        name: worksheet.name,
        async *[Symbol.asyncIterator]() {
          for (let n = 1; n <= worksheet.rowCount; n++) {
            const row = worksheet.getRow(n);
            yield { number: n, values: row.values };
          }
        },
      };
    }
    return;
  }
  // styles:'cache' so that date cells come back as dates, not serial numbers.
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(path, { sharedStrings: 'cache', styles: 'cache', worksheets: 'emit', hyperlinks: 'ignore', entries: 'ignore' });
  for await (const sheet of reader) yield sheet as unknown as SheetRows;
}

export async function readXlsx(path: string, options: ReadOptions): Promise<SourceTable> {
  const reader = sheetsOf(path);
  let headers: string[] | null = null;
  let writer: NormalisedWriter | null = null;
  let chosen: string | null = null;
  const seen: string[] = [];
  const rejected: RejectedRecord[] = [];
  let records = 0;
  try {
    for await (const sheet of reader) {
      const name = sheet.name;
      seen.push(name);
      const wanted = chosen === null && (options.sheet ? name === options.sheet : true);
      for await (const row of sheet) {
        if (!wanted) continue; // other sheets must still be drained
        // row.values is sparse (empty cells are holes): Array.from makes them '' so columns stay aligned.
        const values = Array.from(row.values as unknown[]).slice(1).map(cellText);
        if (!values.some((v) => v.trim() !== '')) continue;
        if (headers === null) {
          headers = values.map((h) => h.replace(/[\s\u3000]+/g, ' ').trim());
          writer = new NormalisedWriter(join(options.workDir, 'normalised.csv'), headers);
          continue;
        }
        records++;
        const fields = headers.map((_, i) => values[i] ?? '');
        const extra = values.slice(headers.length).filter((v) => v.trim() !== '');
        if (extra.length) {
          rejected.push({ row: row.number, reason: `第 ${row.number} 行在表头之外还有 ${extra.length} 个非空单元格 / ${extra.length} non-empty cells beyond the header's columns`, fields: values.map((v) => v.slice(0, PREVIEW_CHARS)) });
          continue;
        }
        const tooLong = fields.findIndex((f) => Buffer.byteLength(f) > options.maxFieldBytes);
        if (tooLong >= 0) {
          rejected.push({ row: row.number, reason: `单元格“${headers[tooLong]}”超过上限 ${options.maxFieldBytes} 字节 / cell "${headers[tooLong]}" over the size limit`, fields: fields.map((f) => f.slice(0, PREVIEW_CHARS)) });
          continue;
        }
        await writer!.write(row.number, fields);
      }
      if (wanted && headers !== null) chosen = name;
    }
  } catch (error) {
    if (error instanceof RefusedFile) throw error;
    throw new RefusedFile(`${path}: 无法读取 Excel 文件（${(error as Error).message}）——文件可能损坏或被截断 / cannot read the workbook: damaged or truncated?`);
  }
  if (options.sheet && !seen.includes(options.sheet)) throw new RefusedFile(`${path}: 没有名为“${options.sheet}”的工作表；现有：${seen.join('、')} / no sheet named ${options.sheet}`);
  if (!writer || !headers) throw new RefusedFile(`${path}: 工作簿中没有任何数据 / the workbook has no data`);
  await writer.close();
  const headerList: string[] = headers;
  return {
    format: 'xlsx', encoding: null, headers: headerList, relation: csvRelation(writer.file, headerList.length, { numbered: true }), numbered: true,
    rejected, records, sheet: chosen ?? undefined, bytes: statSync(path).size,
  };
}
