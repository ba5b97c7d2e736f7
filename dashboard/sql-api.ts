import { DuckDBInstance } from '@duckdb/node-api';
import { tableFromArrays, tableToIPC } from 'apache-arrow';
import ExcelJS from 'exceljs';
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
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

export async function exportResult(result: QueryResult, format: 'csv' | 'xlsx' | 'parquet'): Promise<{ type: string; body: Buffer }> {
  const names = result.columns.map((c) => c.name);
  if (format === 'csv') {
    // A BOM and CRLF so that Excel opens the Chinese text as UTF-8.
    return { type: 'text/csv; charset=utf-8', body: Buffer.from(toCsv(names, result.rows, { bom: true, crlf: true })) };
  }
  if (format === 'xlsx') {
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('查询结果');
    sheet.addRow(names).font = { bold: true };
    for (const row of result.rows) {
      sheet.addRow(row.map((v, i) => (v === null ? null : NUMERIC.test(result.columns[i].type) ? Number(v) : typeof v === 'object' ? JSON.stringify(v) : safeCell(v))));
    }
    return { type: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', body: Buffer.from(await workbook.xlsx.writeBuffer()) };
  }
  // Parquet: the rows (already computed by the locked console) are written by a private in-memory
  // instance that reads nothing but this temporary file of rows.
  const dir = mkdtempSync(join(tmpdir(), 'hotline-export-'));
  try {
    const rowsFile = join(dir, 'rows.ndjson');
    writeFileSync(rowsFile, result.rows.map((row) => JSON.stringify(Object.fromEntries(names.map((n, i) => [n, row[i]])))).join('\n') + '\n');
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    const quote = (s: string) => `'${s.replaceAll("'", "''")}'`;
    const columns = result.columns.map((c) => `${quote(c.name)}: ${quote(c.type)}`).join(', ');
    const out = join(dir, 'result.parquet');
    await connection.run(`copy (select * from read_json(${quote(rowsFile)}, format = 'newline_delimited', columns = {${columns}})) to ${quote(out)} (format parquet)`);
    connection.closeSync();
    instance.closeSync();
    return { type: 'application/vnd.apache.parquet', body: readFileSync(out) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
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
