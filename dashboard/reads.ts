/**
 * The few reads the dashboard's pages need that pipelines/kpi.ts does not offer (yet): series of a
 * KPI over many months or days in one query, sample and drill-down tickets, the alert episodes. The
 * KPI values of a month always come from kpi.ts; these only draw their shape (sparklines, trends)
 * from the same rollup, `kpi_daily`, whose additive sums kpi.ts itself adds up.
 *
 * Personal data: no function here selects phone_hash or the caller's address; ticket text is the
 * masked text stored at ingest, and the browser escapes it.
 */
import type { AlertEpisode } from '../pipelines/hotspots.js';
import { metricKind, monthPeriod, ROLLUP_TABLE, type KpiKey, type Period } from '../pipelines/kpi.js';
import { sqlFile, type Params, type Warehouse } from '../pipelines/warehouse.js';

/** What a page is about: all tickets, one district (→ township), or one category (→ sub-categories). */
export interface Scope {
  dimension: 'total' | 'district' | 'category';
  /** The path of keys: [district, township?] or [l1, l2?, l3?]. */
  keys: string[];
}

/** The filters of a page, as they appear in its URL. */
export interface Filters {
  month: string;
  district: string[];
  category: string[];
}

export const KEY_NAMES = { district: ['district', 'township'], category: ['category_l1', 'category_l2', 'category_l3'] } as const;

/**
 * The scope the rollup can answer for these filters. The rollup sums one dimension at a time, so a
 * district and a category together cannot both narrow a KPI: the district wins and the category is
 * reported as ignored (the page says so).
 */
export function scopeOf(filters: Filters): { scope: Scope; ignored: ('district' | 'category')[] } {
  if (filters.district.length && filters.category.length) return { scope: { dimension: 'district', keys: filters.district }, ignored: ['category'] };
  if (filters.district.length) return { scope: { dimension: 'district', keys: filters.district }, ignored: [] };
  if (filters.category.length) return { scope: { dimension: 'category', keys: filters.category }, ignored: [] };
  return { scope: { dimension: 'total', keys: [] }, ignored: [] };
}

const KEY_COLUMNS = ['key1', 'key2', 'key3'];

function scopeWhere(scope: Scope, params: Params): string {
  params.dimension = scope.dimension;
  const parts = [`dimension = $dimension`];
  scope.keys.forEach((key, i) => {
    params[`k${i + 1}`] = key;
    parts.push(`${KEY_COLUMNS[i]} = $k${i + 1}`);
  });
  return parts.join(' and ');
}

/** The aggregates of a KPI over summed rollup rows: a count, or numerator / denominator (null on 0). */
function valueSql(key: KpiKey): string {
  if (metricKind(key) === 'count') return `coalesce(sum(${key}), 0)::double as ${key}`;
  return `case when coalesce(sum(${key}_denominator), 0) = 0 then null else sum(${key}_numerator) / sum(${key}_denominator) end::double as ${key}`;
}

export function addMonths(month: string, n: number): string {
  const [y, m] = month.split('-').map(Number);
  const d = new Date(Date.UTC(y, m - 1 + n, 1));
  return d.toISOString().slice(0, 7);
}

export function monthsBetween(first: string, last: string): string[] {
  const months: string[] = [];
  for (let m = first; m <= last && months.length < 600; m = addMonths(m, 1)) months.push(m);
  return months;
}

export interface MonthValues {
  month: string;
  values: Partial<Record<KpiKey, number | null>>;
}

/** KPIs per month from `first` to `last` (both included) for a scope, one query over the rollup. */
export async function monthlySeries(warehouse: Warehouse, scope: Scope, first: string, last: string, keys: readonly KpiKey[]): Promise<MonthValues[]> {
  const params: Params = { from_day: monthPeriod(first).from.slice(0, 10), to_day: monthPeriod(last).to.slice(0, 10) };
  const rows = await warehouse.all<Record<string, unknown>>(
    `select strftime(day, '%Y-%m') as month, ${keys.map(valueSql).join(', ')}
     from ${ROLLUP_TABLE}
     where ${scopeWhere(scope, params)} and day >= $from_day::date and day < $to_day::date
     group by month`,
    params,
  );
  const byMonth = new Map(rows.map((row) => [String(row.month), row]));
  return monthsBetween(first, last).map((month) => {
    const row = byMonth.get(month);
    const values: Partial<Record<KpiKey, number | null>> = {};
    for (const key of keys) values[key] = row ? (row[key] === null ? null : Number(row[key])) : metricKind(key) === 'count' ? 0 : null;
    return { month, values };
  });
}

/** Tickets received per day in [from, to) for a scope; days without tickets are 0. */
export async function dailyReceived(warehouse: Warehouse, scope: Scope, period: Period): Promise<{ date: string; count: number }[]> {
  const params: Params = { from_day: period.from.slice(0, 10), to_day: period.to.slice(0, 10) };
  const rows = await warehouse.all<{ day: string; n: number }>(
    `select strftime(day, '%Y-%m-%d') as day, coalesce(sum(received), 0)::bigint as n
     from ${ROLLUP_TABLE}
     where ${scopeWhere(scope, params)} and day >= $from_day::date and day < $to_day::date
     group by day`,
    params,
  );
  const counts = new Map(rows.map((r) => [r.day, Number(r.n)]));
  const days: { date: string; count: number }[] = [];
  for (let t = Date.parse(`${params.from_day}T00:00:00Z`); t < Date.parse(`${params.to_day}T00:00:00Z`); t += 86_400_000) {
    const date = new Date(t).toISOString().slice(0, 10);
    days.push({ date, count: counts.get(date) ?? 0 });
  }
  return days;
}

/** Whether the rollup table exists (a fresh warehouse has none until the first load). */
export async function hasTable(warehouse: Warehouse, table: string): Promise<boolean> {
  const row = await warehouse.one<{ n: number }>(`select count(*) as n from duckdb_tables() where schema_name = 'main' and table_name = $table`, { table });
  return Number(row?.n ?? 0) > 0;
}

/** The first and last month, and the last day, with tickets in the rollup. */
export async function rollupMonths(warehouse: Warehouse): Promise<{ first: string | null; last: string | null; lastDay: string | null }> {
  if (!(await hasTable(warehouse, ROLLUP_TABLE))) return { first: null, last: null, lastDay: null };
  const row = await warehouse.one<{ first: string | null; last: string | null; lastDay: string | null }>(
    `select strftime(min(day), '%Y-%m') as first, strftime(max(day), '%Y-%m') as last, strftime(max(day), '%Y-%m-%d') as "lastDay"
     from ${ROLLUP_TABLE} where dimension = 'total' and anchor = 'received_tickets' and received > 0`,
  );
  return { first: row?.first ?? null, last: row?.last ?? null, lastDay: row?.lastDay ?? null };
}

/**
 * What the warehouse's data is right now, cheaply: the last ingest run and the rollup's build time.
 * Every change of tickets goes through an ingest run, so page answers can be cached under it.
 */
export async function dataVersion(warehouse: Warehouse): Promise<string> {
  if (!(await hasTable(warehouse, 'kpi_rollup_state'))) {
    const run = await warehouse.one<{ run: number }>('select coalesce(max(run_id), 0) as run from ingest_runs');
    return `${run?.run ?? 0}|-`;
  }
  const row = await warehouse.one<{ run: number; at: string | null }>(
    'select (select coalesce(max(run_id), 0) from ingest_runs) as run, (select max(refreshed_at)::varchar from kpi_rollup_state) as at',
  );
  return `${row?.run ?? 0}|${row?.at ?? '-'}`;
}

// ---------------------------------------------------------------------------------------------
// Tickets: samples and drill-downs (rows, which no rollup holds)

/** The columns a page may show of a ticket: no phone hash, no address, masked text only. */
const TICKET_COLUMNS = `ticket_id, strftime(received_at, '%Y-%m-%d %H:%M') as received_at, channel, appeal_type, category_l1, category_l2, category_l3,
  content, district, township, handling, unit, status`;

export type TicketRow = Record<string, string | number | null>;

/** The newest tickets received in the period, narrowed by district and category paths (both may apply here). */
export async function sampleTickets(warehouse: Warehouse, period: Period, filters: Pick<Filters, 'district' | 'category'>, limit = 20): Promise<TicketRow[]> {
  const params: Params = { from: period.from, to: period.to, limit };
  const where = [`received_at >= $from::timestamp`, `received_at < $to::timestamp`];
  filters.district.forEach((key, i) => {
    params[`d${i}`] = key;
    where.push(`${KEY_NAMES.district[i]} = $d${i}`);
  });
  filters.category.forEach((key, i) => {
    params[`c${i}`] = key;
    where.push(`${KEY_NAMES.category[i]} = $c${i}`);
  });
  return warehouse.all<TicketRow>(`select ${TICKET_COLUMNS} from stg_tickets where ${where.join(' and ')} order by received_at desc, ticket_id limit $limit`, params);
}

export const UNIT_TICKET_KINDS = {
  overdue: '超期工单',
  returned: '退单工单',
  dissatisfied: '不满意工单',
} as const;
export type UnitTicketKind = keyof typeof UNIT_TICKET_KINDS;

/**
 * A unit's tickets behind its ranking figures (queries/kpi/overdue.sql, return_rate.sql,
 * satisfaction_rate.sql): dispatched to it in the period and overdue at `asOf`; dispatched in the
 * period and returned at least once; called back in the period with 不满意.
 */
export async function unitTickets(warehouse: Warehouse, unit: string, period: Period, kind: UnitTicketKind, asOf: string | null, limit = 200): Promise<TicketRow[]> {
  const params: Params = { unit, from: period.from, to: period.to, limit };
  const received = `received_at >= $from::timestamp and received_at < $to::timestamp and handling = '转办'`;
  const condition = {
    overdue: `${received} and deadline_at is not null and (completed_at > deadline_at or (completed_at is null and deadline_at < $as_of::timestamp))`,
    returned: `${received} and returned_count > 0`,
    dissatisfied: `callback_at >= $from::timestamp and callback_at < $to::timestamp and satisfaction = '不满意'`,
  }[kind];
  if (kind === 'overdue') params.as_of = asOf;
  return warehouse.all<TicketRow>(
    `select ${TICKET_COLUMNS}, strftime(deadline_at, '%Y-%m-%d %H:%M') as deadline_at, strftime(completed_at, '%Y-%m-%d %H:%M') as completed_at,
       returned_count, satisfaction, resolved
     from stg_tickets
     where unit = $unit and ${condition}
     order by received_at desc, ticket_id
     limit $limit`,
    params,
  );
}

// ---------------------------------------------------------------------------------------------
// Early-warning episodes (queries/schema/002_alerts.sql; absent on an older warehouse)

export type Episode = AlertEpisode;

const EPISODE_COLUMNS = `episode_id, series_key, level, category_l1, category_l2, district, address, opened_on::varchar as opened_on,
  last_alarm_on::varchar as last_alarm_on, closed_on::varchar as closed_on, status, peak_count, peak_expected, peak_score, comment,
  handled_by, strftime(handled_at, '%Y-%m-%d %H:%M') as handled_at`;

export async function alertEpisodes(warehouse: Warehouse, options: { active?: boolean; limit?: number } = {}): Promise<Episode[] | null> {
  if (!(await hasTable(warehouse, 'alert_episodes'))) return null;
  return warehouse.all<Episode>(
    `select ${EPISODE_COLUMNS} from alert_episodes
     where not $active or status <> 'closed'
     order by (status = 'closed'), last_alarm_on desc, peak_score desc, episode_id desc
     limit $limit`,
    { active: options.active ?? false, limit: options.limit ?? 200 },
  );
}

const DAY_MS = 86_400_000;
const addDays = (day: string, n: number) => new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10);

/**
 * One episode with its evidence: the series' daily counts over the eight weeks up to its last
 * alarm (the same series definition the alert e-mail uses, queries/alerts/series_tickets.sql), and
 * the model's expected count and upper bound on each alarming day (alert_days).
 */
export async function episodeEvidence(warehouse: Warehouse, episodeId: number) {
  if (!(await hasTable(warehouse, 'alert_episodes'))) return null;
  const episode = await warehouse.one<Episode>(`select ${EPISODE_COLUMNS} from alert_episodes where episode_id = $id`, { id: episodeId });
  if (!episode) return undefined;
  const alarmDays = (await hasTable(warehouse, 'alert_days'))
    ? await warehouse.all<{ day: string; count: number; expected: number; upper: number; p_value: number | null; score: number | null }>(
        `select day::varchar as day, count, expected, upper, p_value, score from alert_days where episode_id = $id order by day`,
        { id: episodeId },
      )
    : [];
  const last = episode.last_alarm_on;
  const first = addDays(last, -55);
  const counts = await warehouse.all<{ day: string; n: number }>(
    `select strftime(received_at, '%Y-%m-%d') as day, count(*)::integer as n from (${sqlFile('alerts/series_tickets.sql').trim().replace(/;\s*$/, '')}) as series group by day`,
    {
      level: episode.level,
      l1: episode.category_l1,
      l2: episode.category_l2,
      district: episode.district,
      place: episode.level === 'incident' ? episode.series_key.replace(/^place=/, '') : null,
      from: `${first} 00:00:00`,
      to: `${addDays(last, 1)} 00:00:00`,
    },
  );
  const byDay = new Map(counts.map((c) => [c.day, Number(c.n)]));
  const tested = new Map(alarmDays.map((d) => [d.day, d]));
  const days = [];
  for (let day = first; day <= last; day = addDays(day, 1)) {
    const alarm = tested.get(day);
    days.push({ date: day, count: byDay.get(day) ?? alarm?.count ?? 0, expected: alarm?.expected ?? null, upper: alarm?.upper ?? null, alarm: !!alarm });
  }
  return { episode, alarmDays, days };
}

/** The keys a tree dimension has in the rollup (districts → townships, categories → l2 → l3), for the filter lists. */
export async function dimensionKeys(warehouse: Warehouse, dimension: 'district' | 'category'): Promise<(string | null)[][]> {
  if (!(await hasTable(warehouse, ROLLUP_TABLE))) return [];
  const rows = await warehouse.all<{ key1: string | null; key2: string | null; key3: string | null; n: number }>(
    `select key1, key2, key3, coalesce(sum(received), 0)::bigint as n from ${ROLLUP_TABLE}
     where dimension = $dimension and anchor = 'received_tickets'
     group by all order by n desc`,
    { dimension },
  );
  return rows.map((r) => [r.key1, r.key2, r.key3]);
}
