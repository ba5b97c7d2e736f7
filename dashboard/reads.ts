/**
 * The reads of the dashboard's pages that are rows, not KPIs: sample and drill-down tickets, the
 * months on offer, the alert episodes. Every KPI, series and share comes from pipelines/kpi.ts (a
 * KPI session); the SQL of these reads is in queries/ (tickets/ over the stg_tickets_shown model,
 * rollups/data_calendar.sql), except the alert episodes' own few lines below.
 *
 * Personal data: nothing here selects phone_hash or the caller's address; ticket text is the masked
 * text stored at ingest, and the browser escapes it.
 */
import type { AlertEpisode } from '../pipelines/hotspots.js';
import { SCOPE_COLUMNS, type Period, type Scope } from '../pipelines/kpi.js';
import { sqlFile, type Warehouse } from '../pipelines/warehouse.js';

/** The filters of a page, as they appear in its URL. */
export interface Filters {
  month: string;
  district: string[];
  category: string[];
}

export const KEY_NAMES = SCOPE_COLUMNS;

/**
 * The scope the KPIs can answer for these filters. The rollup sums one dimension at a time, so a
 * district and a category together cannot both narrow a KPI: the district wins and the category is
 * reported as ignored (the page says so).
 */
export function scopeOf(filters: Filters): { scope: Scope; ignored: ('district' | 'category')[] } {
  if (filters.district.length && filters.category.length) return { scope: { dimension: 'district', keys: filters.district }, ignored: ['category'] };
  if (filters.district.length) return { scope: { dimension: 'district', keys: filters.district }, ignored: [] };
  if (filters.category.length) return { scope: { dimension: 'category', keys: filters.category }, ignored: [] };
  return { scope: { dimension: 'total', keys: [] }, ignored: [] };
}

/** Whether a table exists (the alert tables are absent on an older warehouse). */
export async function hasTable(warehouse: Warehouse, table: string): Promise<boolean> {
  const row = await warehouse.one<{ n: number }>(`select count(*) as n from duckdb_tables() where schema_name = 'main' and table_name = $table`, { table });
  return Number(row?.n ?? 0) > 0;
}

/** The first and last month with tickets, and the last day (queries/rollups/data_calendar.sql). */
export async function dataMonths(warehouse: Warehouse): Promise<{ first: string | null; last: string | null; lastDay: string | null }> {
  const row = await warehouse.one<{ first: string | null; last: string | null; lastDay: string | null }>(sqlFile('rollups/data_calendar.sql'));
  return { first: row?.first ?? null, last: row?.last ?? null, lastDay: row?.lastDay ?? null };
}

// ---------------------------------------------------------------------------------------------
// Tickets: samples and drill-downs (rows, which no rollup holds)

export type TicketRow = Record<string, string | number | null>;

/** The newest tickets received in the period, narrowed by district and category paths (both may apply here). */
export async function sampleTickets(warehouse: Warehouse, period: Period, filters: Pick<Filters, 'district' | 'category'>, limit = 20): Promise<TicketRow[]> {
  const [district = null, township = null] = filters.district;
  const [l1 = null, l2 = null, l3 = null] = filters.category;
  return warehouse.all<TicketRow>(sqlFile('tickets/sample_tickets.sql'), { from: period.from, to: period.to, district, township, l1, l2, l3, limit });
}

export const UNIT_TICKET_KINDS = {
  overdue: '超期工单',
  returned: '退单工单',
  dissatisfied: '不满意工单',
} as const;
export type UnitTicketKind = keyof typeof UNIT_TICKET_KINDS;

/** A unit's tickets behind its ranking figures: queries/tickets/unit_<kind>_tickets.sql. */
export async function unitTickets(warehouse: Warehouse, unit: string, period: Period, kind: UnitTicketKind, asOf: string | null, limit = 200): Promise<TicketRow[]> {
  const params = { unit, from: period.from, to: period.to, limit, ...(kind === 'overdue' ? { as_of: asOf } : {}) };
  return warehouse.all<TicketRow>(sqlFile(`tickets/unit_${kind}_tickets.sql`), params);
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
