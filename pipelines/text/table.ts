import { DuckDBInstance } from '@duckdb/node-api';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CliError } from '../cli-error.js';
import { readSource } from '../ingest/read.js';
import { RefusedFile } from '../ingest/source.js';
import type { LabelledText } from './classifier.js';

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
      // scan: every CSV record numbered by the line it starts on (not read in place by DuckDB).
      source = await readSource(path, { maxFieldBytes, workDir: work, scan: true });
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

/**
 * A category list (一级分类, 二级分类, 三级分类 columns, or the first three) as prior knowledge
 * for the 一级 classes in `labels`: every 二级 name with its 三级 names is one more labelled text,
 * and so is each class's own name.
 */
export function taxonomyPriors(table: TextTable, labels: ReadonlySet<string>): LabelledText[] {
  const at = (names: string[], fallback: number) => {
    const i = table.headers.findIndex((h) => names.includes(h));
    return i >= 0 ? i : fallback;
  };
  const [l1, l2, l3] = [at(['一级分类', 'category_l1'], 0), at(['二级分类', 'category_l2'], 1), at(['三级分类', 'category_l3'], 2)];
  const groups = new Map<string, Map<string, Set<string>>>();
  for (const row of table.rows) {
    const top = row[l1]?.trim();
    if (!top || !labels.has(top)) continue;
    if (!groups.has(top)) groups.set(top, new Map());
    const second = row[l2]?.trim() ?? '';
    if (!groups.get(top)!.has(second)) groups.get(top)!.set(second, new Set());
    if (row[l3]?.trim()) groups.get(top)!.get(second)!.add(row[l3].trim());
  }
  const priors: LabelledText[] = [];
  for (const [top, seconds] of groups) {
    priors.push({ text: top, label: top });
    for (const [second, thirds] of seconds) priors.push({ text: [second, ...thirds].join(' ').trim(), label: top });
  }
  return priors.filter((p) => p.text);
}
