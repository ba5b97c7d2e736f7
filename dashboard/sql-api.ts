import { tableFromArrays, tableToIPC } from 'apache-arrow';
import ExcelJS from 'exceljs';
import type { Response } from 'express';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { spreadsheetSafe, toCsv } from '../pipelines/csv.js';
import type { QueryResult } from '../pipelines/sql-console.js';

const safeCell = (value: unknown) => (typeof value === 'string' ? spreadsheetSafe(value) : value);

const NUMERIC = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|FLOAT|DOUBLE|DECIMAL)/;

/** The result as Arrow IPC (stream format): numbers as Float64, everything else as text. */
export function resultToArrow(result: QueryResult): Uint8Array {
  const arrays: Record<string, Float64Array | (string | null)[]> = {};
  result.columns.forEach((column, i) => {
    if (NUMERIC.test(column.type)) {
      arrays[column.name] = Float64Array.from(result.rows, (row) => (row[i] === null ? Number.NaN : Number(row[i])));
    } else {
      arrays[column.name] = result.rows.map((row) => (row[i] === null ? null : typeof row[i] === 'object' ? JSON.stringify(row[i]) : String(row[i])));
    }
  });
  return tableToIPC(tableFromArrays(arrays as Record<string, Float64Array | string[]>) as never, "stream");
}

/** What a CSV or Excel export holds at most; beyond it the export says so and Parquet has it all. */
export const EXPORT_LIMITS = { maxRows: 100_000, maxBytes: 64 * 1024 * 1024 };

/** The note a capped result carries: the cap it met, and where the whole result is. */
export function capNote(result: QueryResult): string | null {
  if (!result.truncated) return null;
  const cap =
    result.cappedBy === 'bytes'
      ? `结果超过 ${Math.round(result.limits.maxBytes / 1024 / 1024)} MB，只含前 ${result.rows.length.toLocaleString('en-US')} 行`
      : `结果超过 ${result.limits.maxRows.toLocaleString('en-US')} 行，只含前 ${result.rows.length.toLocaleString('en-US')} 行`;
  return `（已截断：${cap}；完整结果请导出 Parquet / capped: the whole result is in the Parquet export）`;
}

/** Headers that tell a program the result was capped, and by what. */
export function setCapHeaders(res: Response, result: QueryResult): void {
  res.set('x-result-rows', String(result.rows.length));
  if (result.truncated) res.set('x-result-capped', `${result.cappedBy}; max-rows=${result.limits.maxRows}; max-bytes=${result.limits.maxBytes}`);
}

/** CSV (a last line with the note when capped) or Excel (a 说明 sheet with the note when capped). */
export async function exportResult(result: QueryResult, format: 'csv' | 'xlsx'): Promise<{ type: string; body: Buffer }> {
  const names = result.columns.map((c) => c.name);
  const note = capNote(result);
  if (format === 'csv') {
    // A BOM and CRLF so that Excel opens the Chinese text as UTF-8.
    const rows = note ? [...result.rows, [note, ...names.slice(1).map(() => null)]] : result.rows;
    return { type: 'text/csv; charset=utf-8', body: Buffer.from(toCsv(names, rows, { bom: true, crlf: true })) };
  }
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet('查询结果');
  sheet.addRow(names).font = { bold: true };
  for (const row of result.rows) {
    sheet.addRow(row.map((v, i) => (v === null ? null : NUMERIC.test(result.columns[i].type) ? Number(v) : typeof v === 'object' ? JSON.stringify(v) : safeCell(v))));
  }
  if (note) workbook.addWorksheet('说明').addRow([note]);
  return { type: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', body: Buffer.from(await workbook.xlsx.writeBuffer()) };
}

interface SavedQuery {
  id: string;
  name: string;
  sql: string;
  owner: string;
  shared: boolean;
  created: string;
}

/** Saved and shared queries, and each analyst's recent history: a JSON file beside the warehouse. */
export class SavedQueries {
  private readonly file: string;
  private readonly recent = new Map<string, { sql: string; at: string }[]>();

  constructor(dataDir: string) {
    this.file = join(dataDir, 'saved-queries.json');
  }

  private read(): SavedQuery[] {
    return existsSync(this.file) ? (JSON.parse(readFileSync(this.file, 'utf8')) as SavedQuery[]) : [];
  }

  list(user: string): SavedQuery[] {
    return this.read().filter((q) => q.owner === user || q.shared);
  }

  save(user: string, name: string, sql: string, shared: boolean): SavedQuery {
    const query: SavedQuery = { id: randomUUID(), name, sql, owner: user, shared, created: new Date().toISOString() };
    const all = [...this.read(), query];
    writeFileSync(`${this.file}.tmp`, JSON.stringify(all, null, 2));
    renameSync(`${this.file}.tmp`, this.file);
    return query;
  }

  remember(user: string, sql: string): void {
    const list = this.recent.get(user) ?? [];
    list.unshift({ sql, at: new Date().toISOString() });
    this.recent.set(user, list.slice(0, 50));
  }

  history(user: string): { sql: string; at: string }[] {
    return this.recent.get(user) ?? [];
  }
}
