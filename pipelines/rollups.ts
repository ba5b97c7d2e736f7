/**
 * The summary tables behind every monthly view: `kpi_daily` holds, per day × dimension × key (and
 * anchor: received / called back / completed tickets, calls), the additive sums of every metric file
 * (queries/kpi/*.sql) — the same aggregates the direct query computes, so a month is the sum of its
 * days — `kpi_monthly` the same per month (queries/rollups/kpi_monthly.sql), and `kpi_monthly_values`
 * each month's values at every level of each dimension (made by the same SQL as a breakdown): what
 * the pages read — and `kpi_unit_tickets`, each unit's overdue, returned and dissatisfied tickets
 * by month (the 承办单位 drill-downs: queries/tickets/unit_tickets.sql).
 * Rebuilt in full after each load (the ingest pipeline calls refreshRollups through refresh.ts): a
 * load can change old tickets, and a ticket's 重复诉求 flag depends on the tickets of the 30 days
 * before it, so only a full rebuild is always right.
 *
 * `kpi_rollup_state` records what the rollups were built from (row counts and last run ids of
 * tickets and calls, the settings, a hash of the SQL); a KPI session answers from them only while
 * all of that still holds, and from the tickets otherwise.
 *
 * Alone: npx tsx pipelines/rollups.ts [--db PATH] [--config FILE]
 */
import type { Config } from './config.js';
import { DEFAULT_KPI_SETTINGS, type KpiSettings } from './kpi/catalogue.js';
import { bindParams, MONTHLY_ROLLUP_TABLE, MONTHLY_VALUES_TABLE, monthlyRollupSql, monthlyValuesSql, ROLLUP_STATE_TABLE, ROLLUP_TABLE, rollupBuildSql, settingParams, UNIT_TICKETS_TABLE, unitTicketsSql } from './kpi/compile.js';
import { dataAsOf, dataFingerprint } from './kpi/freshness.js';
import type { Warehouse } from './warehouse.js';

export { rollupState, rollupStatus, type RollupState, type RollupStatus } from './kpi/freshness.js';

export interface RollupRefresh {
  /** Rows of kpi_daily. */
  rows: number;
  durationMs: number;
  /** The newest activity_at when the rollup was built (the "now" of overdue tickets). */
  asOf: string | null;
  /** Hash of the SQL the rollup was built with. */
  definition: string;
}

/** Every ticket since the first, every ticket to the last: the rollup covers all of the data. */
const ALL_TIME = { from: '1000-01-01 00:00:00', to: '9999-12-31 00:00:00' };

/**
 * Rebuilds kpi_daily, kpi_monthly, kpi_monthly_values, kpi_unit_tickets and kpi_rollup_state in one transaction: readers on other connections keep
 * the previous tables until it commits. Settings come from config.kpi (defaults without a config).
 */
export async function refreshRollups(warehouse: Warehouse, config?: Pick<Config, 'kpi'> | { kpi: KpiSettings }): Promise<RollupRefresh> {
  return warehouse.transaction(() => buildRollups(warehouse, config));
}

/**
 * refreshRollups' work inside the caller's transaction: for a change that the rollup depends on
 * (the text model's suggestions) committed together with the rollup built from it, so that no
 * reader ever finds the rollup out of date and falls back to the tickets (15 s for 总览 on the
 * full demo, while the first start's training had just written its suggestions).
 */
export async function buildRollups(warehouse: Warehouse, config?: Pick<Config, 'kpi'> | { kpi: KpiSettings }): Promise<RollupRefresh> {
  const settings = config?.kpi ?? DEFAULT_KPI_SETTINGS;
  const { sql, definition } = rollupBuildSql();
  const started = performance.now();
  const fingerprint = await dataFingerprint(warehouse);
  const asOf = await dataAsOf(warehouse);
  const build = `create or replace table ${ROLLUP_TABLE} as\n${sql}`;
  await warehouse.run(build, bindParams(build, { ...settingParams(settings), ...ALL_TIME, as_of: asOf }));
  await warehouse.run(`create or replace table ${MONTHLY_ROLLUP_TABLE} as\n${monthlyRollupSql()}`);
  await warehouse.run(`create or replace table ${MONTHLY_VALUES_TABLE} as\n${monthlyValuesSql()}`);
  // the drill-downs' tickets, overdue as of the same moment as the rollup's figures
  const unitTickets = `create or replace table ${UNIT_TICKETS_TABLE} as\n${unitTicketsSql()}`;
  await warehouse.run(unitTickets, bindParams(unitTickets, { ...ALL_TIME, unit: null, kind: null, limit: null, as_of: asOf }));
  const rows = Number((await warehouse.one<{ n: number }>(`select count(*) as n from ${ROLLUP_TABLE}`))?.n ?? 0);
  const durationMs = Math.round(performance.now() - started);
  await warehouse.run(`create or replace table ${ROLLUP_STATE_TABLE} (
    refreshed_at timestamp not null,
    tickets bigint not null,
    tickets_last_run bigint not null,
    calls bigint not null,
    calls_last_run bigint not null,
    suggestions bigint not null,
    suggestions_at varchar not null,
    as_of timestamp,
    sign_limit_hours double not null,
    basically_satisfied_counts boolean not null,
    definition varchar not null,
    rows bigint not null,
    duration_ms bigint not null
  )`);
  await warehouse.run(
    `insert into ${ROLLUP_STATE_TABLE} values (
      current_localtimestamp(), $tickets, $tickets_last_run, $calls, $calls_last_run, $suggestions, $suggestions_at, $as_of::timestamp,
      $sign_limit_hours, $basically_satisfied_counts, $definition, $rows, $duration_ms)`,
    {
      ...fingerprint,
      as_of: asOf,
      sign_limit_hours: settings.signLimitHours,
      basically_satisfied_counts: settings.basicallySatisfiedCounts,
      definition,
      rows,
      duration_ms: durationMs,
    },
  );
  return { rows, durationMs, asOf, definition };
}

/** `npx tsx pipelines/rollups.ts [--db PATH] [--config FILE]`: rebuild the rollup alone. */
async function main(argv: string[]): Promise<number> {
  const { COMMON_HELP, commandConfig, openWarehouse, parseCommand, log } = await import('./commands/common.js');
  const { CliError } = await import('./cli-error.js');
  try {
    const { values } = parseCommand(argv, {});
    if (values.help) {
      process.stdout.write(`pipelines/rollups.ts — 重建指标汇总表 kpi_daily / rebuild the KPI rollup\nUsage: npx tsx pipelines/rollups.ts [--db PATH] [--config FILE]\n${COMMON_HELP}\n`);
      return 0;
    }
    const config = commandConfig(values);
    const warehouse = await openWarehouse(config);
    try {
      const result = await refreshRollups(warehouse, config);
      log(`kpi_daily: ${result.rows} rows in ${result.durationMs} ms (data as of ${result.asOf ?? '—'})`);
    } finally {
      warehouse.close();
    }
    return 0;
  } catch (error) {
    if (!(error instanceof CliError)) throw error;
    process.stderr.write(`rollups: ${error.message}\n`);
    return error.exitCode;
  }
}

const isEntry = process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href;
if (isEntry) process.exitCode = await main(process.argv.slice(2));
