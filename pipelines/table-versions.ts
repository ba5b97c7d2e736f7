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

/** The query whose one row is a table's version: its registered file, else every row hashed. */
function versionQuery(table: string): string {
  const file = REGISTERED.get(table);
  return file ? sqlFile(file).trim().replace(/;\s*$/, '') : `select count(*) as rows, coalesce(sum(hash(t)), 0) as rows_hash from ${identifier(table)} as t`;
}

/** The version of each table, as one string (absent tables included as such): two small reads. */
export async function tableVersions(warehouse: Warehouse, tables: readonly string[]): Promise<string> {
  const wanted = [...new Set(tables)].sort();
  // both statements stay prepared on the connection: planning them costs more than running them
  const present = new Set((await warehouse.allPrepared<{ name: string }>(`select table_name as name from duckdb_tables() where schema_name = 'main'`)).map((row) => row.name));
  // tables that share a registered query (the rollups') are versioned by one run of it
  const bodies = [...new Set(wanted.filter((table) => present.has(table)).map((table) => versionQuery(table)))];
  const parts = bodies.map((body, i) => `select ${i} as i, (select to_json(v)::varchar from (${body}) as v) as version`);
  const rows = parts.length ? await warehouse.allPrepared<{ i: number; version: string }>(parts.join('\nunion all\n')) : [];
  const byBody = new Map(rows.map((row) => [bodies[Number(row.i)], row.version]));
  return wanted.map((table) => `${table}=${present.has(table) ? byBody.get(versionQuery(table)) : 'absent'}`).join(';');
}
