import { DuckDBInstance } from '@duckdb/node-api';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CliError } from '../cli-error.js';
import { readSource, RefusedFile } from '../ingest/read.js';

/**
 * A small table of labelled or unlabelled texts from a file (`hotline classify eval`, the
 * benchmark): CSV in any encoding the ingest reads, XLSX, JSON or Parquet, through the ingest's
 * own reader, so a malformed record is reported with its line the same way.
 */

export interface TextTable {
  headers: string[];
  rows: string[][];
  /** Where each row is in the file (CSV: the line it starts on; XLSX: the sheet row). */
  lines: number[];
  /** Records the reader could not use, with the line and the reason. */
  rejected: { row: number; reason: string }[];
}

export async function readTextTable(path: string, maxFieldBytes = 1_000_000): Promise<TextTable> {
  const work = mkdtempSync(join(tmpdir(), 'hotline-table-'));
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    let source;
    try {
      source = await readSource(path, { maxFieldBytes, workFile: join(work, 'rows.csv') });
    } catch (error) {
      if (error instanceof RefusedFile) throw new CliError(error.message);
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new CliError(`找不到文件 / no such file: ${path}`);
      throw error;
    }
    const reader = await connection.runAndReadAll(`select * from ${source.relation}`);
    const names = reader.columnNames();
    const headers = source.format === 'parquet' ? names.filter((n) => n !== 'file_row_number') : source.headers;
    const columns = source.format === 'parquet' ? headers : headers.map((_, i) => `c${i}`);
    const positions = columns.map((c) => names.indexOf(c));
    const all = reader.getRowsJS();
    const rows = all.map((row) => positions.map((p) => (row[p] === null || row[p] === undefined ? '' : String(row[p]))));
    const lineColumn = names.indexOf(source.format === 'parquet' ? 'file_row_number' : '__row');
    const lines = all.map((row, i) => (lineColumn >= 0 ? Number(row[lineColumn]) + (source.format === 'parquet' ? 1 : 0) : i + 2));
    return { headers, rows, lines, rejected: source.rejected.map((r) => ({ row: r.row, reason: r.reason })) };
  } finally {
    connection.closeSync();
    instance.closeSync();
    rmSync(work, { recursive: true, force: true });
  }
}

/** The index of a named column, or a usage error that lists the columns the file has. */
export function columnIndex(table: TextTable, name: string, path: string): number {
  const index = table.headers.indexOf(name);
  if (index < 0) throw new CliError(`${path} 中没有列“${name}”；现有列：${table.headers.join('、')} / no column "${name}" in ${path}`, 2);
  return index;
}
