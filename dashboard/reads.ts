/**
 * The reads of the dashboard's pages that are rows, not KPIs: sample and drill-down tickets and the
 * months on offer. Every KPI, series and share comes from pipelines/kpi.ts (a KPI session); the
 * alert incidents from pipelines/incidents.ts; the SQL of these reads is in queries/ (tickets/ over
 * the stg_tickets_shown model, rollups/data_calendar.sql).
 *
 * Personal data: nothing here selects phone_hash or the caller's address; ticket text is the masked
 * text stored at ingest, and the browser escapes it.
 */
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

// ---------------------------------------------------------------------------------------------
// Tickets: samples and drill-downs (rows, which no rollup holds)

export type TicketRow = Record<string, string | number | null>;

/** How far back from the data's last day the newest tickets are looked for first: one day, then a week. */
const NEWEST_FIRST_DAYS = [1, 7];

/**
 * The newest tickets received in the period, narrowed by district and category paths (both may
 * apply here). They are looked for in the period's last day with data first, then its last week,
 * then the whole period: when a shorter stretch already holds `limit` of them, every ticket before
 * it is older than those, so the answer is the same — and a day is a few row groups of a month.
 * `lastDay` is the data's last day (the calendar's), where a month still being filled ends.
 */
export async function sampleTickets(
  warehouse: Warehouse,
  period: Period,
  filters: Pick<Filters, 'district' | 'category'>,
  limit = 20,
  lastDay: string | null = null,
): Promise<TicketRow[]> {
  const [district = null, township = null] = filters.district;
  const [l1 = null, l2 = null, l3 = null] = filters.category;
  const dataEnd = lastDay ? `${new Date(Date.parse(`${lastDay}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10)} 00:00:00` : period.to;
  const end = dataEnd < period.to ? dataEnd : period.to;
  const starts = NEWEST_FIRST_DAYS.map((days) => `${new Date(Date.parse(`${end.slice(0, 10)}T00:00:00Z`) - days * 86_400_000).toISOString().slice(0, 10)} 00:00:00`);
  for (const from of [...starts.filter((start) => start > period.from), period.from]) {
    const rows = await warehouse.allPrepared<TicketRow>(sqlFile('tickets/sample_tickets.sql'), { from, to: period.to, district, township, l1, l2, l3, limit });
    if (rows.length >= limit || from === period.from) return rows;
  }
  return [];
}

export const UNIT_TICKET_KINDS = {
  overdue: '超期工单',
  returned: '退单工单',
  dissatisfied: '不满意工单',
} as const;
export type UnitTicketKind = keyof typeof UNIT_TICKET_KINDS;

/**
 * A unit's tickets behind its ranking figures (queries/tickets/unit_tickets.sql): as the rollup
 * stored them (kpi_unit_tickets) while it answers, else straight from the tickets.
 */
export async function unitTickets(
  warehouse: Warehouse,
  unit: string,
  period: Period,
  kind: UnitTicketKind,
  asOf: string | null,
  from: 'rollup' | 'tickets',
  limit = 200,
): Promise<TicketRow[]> {
  if (from === 'rollup') return warehouse.allPrepared<TicketRow>(sqlFile('tickets/stored_unit_tickets.sql'), { unit, kind, month: period.from.slice(0, 10), limit });
  return warehouse.allPrepared<TicketRow>(sqlFile('tickets/unit_tickets.sql'), { unit, kind, from: period.from, to: period.to, as_of: asOf, limit });
}
