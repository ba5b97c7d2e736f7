/**
 * Versions of tables, for caches that cannot be stale: a cached answer is kept under the versions
 * of every table it reads, and any write to one of them — an ingest, a rollup rebuild, a duty
 * officer acknowledging an alert — gives a new version, so the next request recomputes.
 *
 * A table's version is a fingerprint read from the table itself, not a counter the writers must
 * remember to bump: by default every row hashed (exact, and cheap for the small tables: alert
 * episodes, units); the big tables register a cheaper query that still moves with every write
 * (queries/versions/<name>.sql: row count, newest run id, newest activity). A new table plugs in by
 * being named in a page's reads; a big one also registers its query here.
 */
import { sqlFile, type Warehouse } from './warehouse.js';

const REGISTERED = new Map<string, string>([
  ['tickets', 'versions/tickets.sql'],
  ['calls', 'versions/calls.sql'],
  ['ticket_suggestions', 'versions/ticket_suggestions.sql'],
  ['kpi_daily', 'versions/kpi_rollup.sql'],
  ['kpi_monthly', 'versions/kpi_rollup.sql'],
  ['kpi_monthly_values', 'versions/kpi_rollup.sql'],
  ['kpi_unit_tickets', 'versions/kpi_rollup.sql'],
  ['kpi_rollup_state', 'versions/kpi_rollup.sql'],
]);

/** A table whose full-row hash would be too slow: its version comes from `queryFile` (under queries/). */
export function registerTableVersion(table: string, queryFile: string): void {
  REGISTERED.set(table, queryFile);
}

const identifier = (name: string) => `"${name.replaceAll('"', '""')}"`;

/** The version of each table, as one string (absent tables included as such): two small reads. */
export async function tableVersions(warehouse: Warehouse, tables: readonly string[]): Promise<string> {
  const wanted = [...new Set(tables)].sort();
  const present = new Set((await warehouse.all<{ name: string }>(`select table_name as name from duckdb_tables() where schema_name = 'main'`)).map((row) => row.name));
  const parts = wanted.map((table, i) => {
    if (!present.has(table)) return `select ${i} as i, 'absent' as version`;
    const file = REGISTERED.get(table);
    const body = file ? sqlFile(file).trim().replace(/;\s*$/, '') : `select count(*) as rows, coalesce(sum(hash(t)), 0) as rows_hash from ${identifier(table)} as t`;
    return `select ${i} as i, (select to_json(v)::varchar from (${body}) as v) as version`;
  });
  const rows = await warehouse.all<{ i: number; version: string }>(parts.join('\nunion all\n'));
  const byIndex = new Map(rows.map((row) => [Number(row.i), row.version]));
  return wanted.map((table, i) => `${table}=${byIndex.get(i)}`).join(';');
}
