/**
 * Whether the rollup answers exactly as the tickets would: the read side of rollups.ts. The state
 * row records what the rollup was built from (row counts and last run ids of tickets and calls, the
 * settings, a hash of the SQL); a session (session.ts) reads it once and answers from the rollup
 * only while all of that still holds.
 */
import { sqlFile, type Warehouse } from '../warehouse.js';
import type { KpiSettings } from './catalogue.js';
import { addMonths, monthPeriod } from './period.js';
import { MONTHLY_ROLLUP_TABLE, MONTHLY_VALUES_TABLE, ROLLUP_STATE_TABLE, ROLLUP_TABLE, rollupBuildSql, UNIT_TICKETS_TABLE } from './compile.js';

export interface RollupState {
  refreshed_at: string;
  tickets: number;
  tickets_last_run: number;
  calls: number;
  calls_last_run: number;
  suggestions: number;
  suggestions_at: string;
  as_of: string | null;
  sign_limit_hours: number;
  basically_satisfied_counts: boolean;
  definition: string;
  rows: number;
  duration_ms: number;
}

export interface Fingerprint {
  tickets: number;
  tickets_last_run: number;
  calls: number;
  calls_last_run: number;
  /** The text model's suggestions: stg_tickets takes a missing category from them. */
  suggestions: number;
  suggestions_at: string;
}

const NOTHING: Fingerprint = { tickets: 0, tickets_last_run: 0, calls: 0, calls_last_run: 0, suggestions: 0, suggestions_at: '' };
const FINGERPRINT_KEYS = Object.keys(NOTHING) as (keyof Fingerprint)[];

export interface RollupStatus {
  usable: boolean;
  /** Why the rollup cannot answer, in words. */
  reason: string | null;
  state: RollupState | null;
}

export async function dataFingerprint(warehouse: Warehouse): Promise<Fingerprint> {
  return (await warehouse.one<Fingerprint>(sqlFile('rollups/kpi_rollup_fingerprint.sql')))!;
}

/** The newest activity_at in the warehouse: the data's own "now" (overdue tickets, young months). */
export async function dataAsOf(warehouse: Warehouse): Promise<string | null> {
  const row = await warehouse.one<{ as_of: string | null }>(sqlFile('rollups/data_as_of.sql'));
  return row?.as_of ?? null;
}

/** The earliest ticket's received_at ('YYYY-MM-DD HH:MM:SS'), null for an empty warehouse. */
export async function dataStart(warehouse: Warehouse): Promise<string | null> {
  const row = await warehouse.one<{ data_start: string | null }>(sqlFile('rollups/data_start.sql'));
  return row?.data_start ?? null;
}

async function rollupTablesExist(warehouse: Warehouse): Promise<boolean> {
  const exists = await warehouse.one<{ n: number }>(`select count(*) as n from duckdb_tables() where schema_name = 'main' and table_name in ($state, $daily, $monthly, $values, $unit_tickets)`, {
    state: ROLLUP_STATE_TABLE,
    daily: ROLLUP_TABLE,
    monthly: MONTHLY_ROLLUP_TABLE,
    values: MONTHLY_VALUES_TABLE,
    unit_tickets: UNIT_TICKETS_TABLE,
  });
  return !!exists && exists.n >= 5;
}

export async function rollupState(warehouse: Warehouse): Promise<RollupState | null> {
  if (!(await rollupTablesExist(warehouse))) return null;
  return (await warehouse.one<RollupState>(`select * from ${ROLLUP_STATE_TABLE}`)) ?? null;
}

/**
 * The rollup's state and the data's fingerprint read in one statement, so from one snapshot. Read
 * apart, a job committing new data with its new rollup between the two reads (the text-model job
 * does) made a reader judge a current rollup out of date, and answer from the tickets.
 */
async function rollupStateAndFingerprint(warehouse: Warehouse): Promise<{ state: RollupState | null; now: Fingerprint }> {
  if (!(await rollupTablesExist(warehouse))) return { state: null, now: NOTHING };
  const now = FINGERPRINT_KEYS.map((key) => `now.${key} as "now:${key}"`).join(', ');
  const row = await warehouse.one<Record<string, unknown>>(`select state.*, ${now} from ${ROLLUP_STATE_TABLE} state, (${sqlFile('rollups/kpi_rollup_fingerprint.sql')}\n) now`);
  if (!row) return { state: null, now: NOTHING };
  const state: Record<string, unknown> = {};
  const fingerprint: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(row)) {
    if (key.startsWith('now:')) fingerprint[key.slice(4)] = value;
    else state[key] = value;
  }
  return { state: state as unknown as RollupState, now: fingerprint as unknown as Fingerprint };
}

/** Whether a rollup built with `state` answers for these settings and the data of `now`. */
function judgeRollup(state: RollupState | null, now: Fingerprint, settings: KpiSettings): RollupStatus {
  const unusable = (reason: string) => ({ usable: false, reason, state });
  if (!state) return unusable('汇总表尚未生成 / the rollup has not been built');
  if (state.definition !== rollupBuildSql().definition) return unusable('指标定义已变更 / the metric definitions changed since the rollup was built');
  if (state.sign_limit_hours !== settings.signLimitHours || state.basically_satisfied_counts !== settings.basicallySatisfiedCounts) {
    return unusable(
      `汇总表按其他口径生成 / the rollup was built with signLimitHours=${state.sign_limit_hours}, basicallySatisfiedCounts=${state.basically_satisfied_counts}`,
    );
  }
  if (FINGERPRINT_KEYS.some((key) => now[key] !== state[key])) {
    return unusable('数据在汇总后有变化 / the data changed since the rollup was built');
  }
  return { usable: true, reason: null, state };
}

/** Whether the rollup answers for these settings exactly as the tickets would (two small reads). */
export async function rollupStatus(warehouse: Warehouse, settings: KpiSettings): Promise<RollupStatus> {
  const { state, now } = await rollupStateAndFingerprint(warehouse);
  return judgeRollup(state, now, settings);
}

/** The months the tickets cover (queries/rollups/data_calendar.sql) and the month a view opens on. */
export interface Calendar {
  first: string | null;
  last: string | null;
  /** The last day with tickets. */
  lastDay: string | null;
  /** The month a page, or a command without --month, is about: the last complete month with data. */
  defaultMonth: string | null;
  /** The last month is not complete yet (the data ends before its last day). */
  partial: boolean;
}

function lastDayOf(month: string): string {
  const next = monthPeriod(month).to.slice(0, 10);
  return new Date(Date.parse(`${next}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
}

export async function dataCalendar(warehouse: Warehouse): Promise<Calendar> {
  const row = await warehouse.one<{ first: string | null; last: string | null; lastDay: string | null; previousHasData: boolean | null }>(sqlFile('rollups/data_calendar.sql'));
  const first = row?.first ?? null;
  const last = row?.last ?? null;
  const lastDay = row?.lastDay ?? null;
  const partial = !!(last && lastDay && lastDay !== lastDayOf(last));
  // A month still being filled would show a fall on the previous month that is not real. When that
  // month holds no tickets (the data has a gap before its last month), there is no such fall, and
  // opening on it would show an empty month: the last month it is, marked as partial.
  const defaultMonth = partial && first && last && last > first && row?.previousHasData ? addMonths(last, -1) : last;
  return { first, last, lastDay, defaultMonth, partial };
}
