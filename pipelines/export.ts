import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Warehouse } from './warehouse.js';

const quote = (value: string) => `'${value.replaceAll("'", "''")}'`;

/** Table → how to partition it: fact tables by month of their event time, reference tables whole. */
const LAKE_TABLES: { table: string; monthOf?: string; select?: string }[] = [
  { table: 'tickets', monthOf: 'received_at' },
  { table: 'calls', monthOf: 'call_at' },
  { table: 'ticket_units', select: `select u.*, strftime(t.received_at, '%Y-%m') as month from ticket_units as u join tickets as t using (ticket_id)` },
  { table: 'units' },
  { table: 'categories' },
];

/**
 * Writes the warehouse as Hive-style, month-partitioned Parquet (tickets/month=2025-07/…), the
 * layout Spark, Trino and ClickHouse read directly. Written beside the target, then renamed, so a
 * reader never sees half a lake.
 */
export async function exportParquet(warehouse: Warehouse, dir: string): Promise<{ table: string; rows: number; path: string }[]> {
  const target = resolve(dir);
  const staging = `${target}.partial-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  const written: { table: string; rows: number; path: string }[] = [];
  for (const { table, monthOf, select } of LAKE_TABLES) {
    const rows = (await warehouse.one<{ n: number }>(`select count(*) as n from ${table}`))!.n;
    const path = join(staging, table);
    const query = select ?? (monthOf ? `select *, strftime(${monthOf}, '%Y-%m') as month from ${table}` : `select * from ${table}`);
    const partitioned = Boolean(select || monthOf);
    if (partitioned && rows > 0) {
      await warehouse.run(`copy (${query} order by month) to ${quote(path)} (format parquet, compression zstd, partition_by (month), filename_pattern 'part_{i}')`);
    } else {
      await warehouse.run(`copy (${query}) to ${quote(path + '.parquet')} (format parquet, compression zstd)`);
    }
    written.push({ table, rows, path: join(target, partitioned && rows > 0 ? table : `${table}.parquet`) });
  }
  if (existsSync(target)) rmSync(target, { recursive: true, force: true });
  renameSync(staging, target);
  return written;
}
