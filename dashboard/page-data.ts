/**
 * What each leadership page shows, computed from the warehouse: every KPI, series and share through
 * one KPI session per request (pipelines/kpi.ts — it reads the rollup's freshness once and answers
 * from the rollup when it may), the rows (sample tickets, alerts) through reads.ts. One function per
 * page API, given a reader (a few connections), the KPI settings and the page's query string; the
 * independent reads of a page run at the same time on different connections. page-api.ts wraps
 * them in routes and a cache kept under the versions of the tables each page reads (PAGE_READS);
 * test/bench/api.ts times them without HTTP.
 */
import {
  addMonths,
  breakdown,
  dailyReceived,
  dataCalendar,
  isMonth,
  KpiSession,
  metricKind,
  metricName,
  monthlySeries,
  monthPeriod,
  monthWithHistory,
  monthsBetween,
  categoryRises,
  shiftPeriod,
  unitRanking,
  isUnknownPlace,
  UNKNOWN_DISTRICT,
  UNKNOWN_TOWNSHIP,
  type BreakdownRow,
  type Calendar,
  type KpiJsonKey,
  type KpiKey,
  type KpiReport,
  type KpiSettings,
  type Period,
  type Reader,
  type RollupStatus,
  type Scope,
} from '../pipelines/kpi.js';
import { hasIncidentTables, listIncidents } from '../pipelines/incidents.js';
import type { Warehouse } from '../pipelines/warehouse.js';
import { KEY_NAMES, sampleTickets, scopeOf, UNIT_TICKET_KINDS, unitTickets, type Filters, type UnitTicketKind } from './reads.js';

/** A user error in the query string: 400 with the message. */
export class BadRequest extends Error {}

export type Query = Record<string, unknown>;

export type { Reader };

/** The tables behind every KPI (tickets and calls, the text model's category fallback, the unit directory, the rollups). */
const KPI_TABLES = ['tickets', 'calls', 'ticket_suggestions', 'units', 'kpi_daily', 'kpi_monthly', 'kpi_monthly_values', 'kpi_unit_tickets', 'kpi_rollup_state'];

/** The tables each page API reads: its cached answers are kept under their versions (page-api.ts). */
export const PAGE_READS = {
  filters: KPI_TABLES,
  // The open incidents: recorded by the hotspot jobs, acknowledged and closed on 预警.
  overview: [...KPI_TABLES, 'alert_incidents', 'alert_incident_series', 'alert_days'],
  channels: KPI_TABLES,
  categories: KPI_TABLES,
  rising: KPI_TABLES,
  tickets: ['tickets', 'ticket_suggestions'],
  districts: KPI_TABLES,
  units: KPI_TABLES,
  unitTickets: KPI_TABLES,
} as const satisfies Record<string, readonly string[]>;

/** The KPI cards of the overview, in this order. */
export const OVERVIEW_CARDS: KpiKey[] = [
  'received',
  'dispatched',
  'completion_rate',
  'ontime_completion_rate',
  'ontime_sign_rate',
  'satisfaction_rate',
  'resolution_rate',
  'connection_rate',
  'direct_answer_rate',
  'return_rate',
  'repeat_rate',
  'avg_handling_hours',
];

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() ? value.trim() : undefined;
}

/** 'a/b/c' → ['a', 'b', 'c'], at most `depth` levels of at most 100 characters each. */
function path(value: unknown, depth: number, name: string): string[] {
  const raw = text(value);
  if (!raw) return [];
  const parts = raw.split('/').map((p) => p.trim());
  if (parts.length > depth || parts.some((p) => !p || p.length > 100)) throw new BadRequest(`${name} 格式应为 “一级/二级…”，最多 ${depth} 级 / bad ${name} path`);
  return parts;
}

/**
 * What requests that see the same table versions share (page-api.ts keeps one per app): the
 * rollup's judged state, the calendar and the open incidents depend on the data alone, not on the
 * month or scope asked for, so they are read once per data version rather than on every request.
 * A failed read is forgotten; the oldest versions are dropped.
 */
export class VersionMemo {
  private readonly versions = new Map<string, Map<string, Promise<unknown>>>();

  constructor(private readonly size = 16) {}

  get<T>(version: string, name: string, read: () => Promise<T>): Promise<T> {
    let values = this.versions.get(version);
    if (!values) {
      if (this.versions.size >= this.size) this.versions.delete(this.versions.keys().next().value!);
      this.versions.set(version, (values = new Map()));
    }
    let value = values.get(name) as Promise<T> | undefined;
    if (!value) {
      value = read();
      values.set(name, value);
      value.catch(() => values.delete(name));
    }
    return value;
  }
}

/** The table versions a request was answered under (its cache key) and the memo they index. */
export interface Known {
  version: string;
  memo: VersionMemo;
}

/** A read shared per data version when the request knows its versions, else its own. */
function shared<T>(known: Known | undefined, name: string, read: () => Promise<T>): Promise<T> {
  return known ? known.memo.get(known.version, name, read) : read();
}

/** One request: its KPI session, its filters, and the calendar (read alongside the page's figures). */
interface Request {
  session: KpiSession;
  filters: Filters;
  calendar: Promise<Calendar>;
}

/**
 * The request's session and filters from its query string. The calendar decides the month only
 * when the URL names none; otherwise it is read while the page's own reads run.
 */
async function open(reader: Reader, settings: KpiSettings, query: Query, known?: Known): Promise<Request> {
  const asked = text(query.month);
  if (asked !== undefined && !isMonth(asked)) throw new BadRequest('month 应为 YYYY-MM / month must be YYYY-MM');
  const district = path(query.district, 2, 'district');
  const category = path(query.category, 3, 'category');
  const cal = shared(known, 'calendar', () => reader.use(dataCalendar));
  cal.catch(() => undefined); // awaited later; an error must not go unhandled meanwhile
  const month = asked ?? (await cal).defaultMonth ?? new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 7);
  const judged = known ? () => shared<RollupStatus>(known, 'rollup', () => new KpiSession(reader, settings).rollup()) : undefined;
  return { session: new KpiSession(reader, settings, 'auto', judged), filters: { month, district, category }, calendar: cal };
}

/** Whether the rollup answered the request, and why not (read once per session). */
async function freshness(session: KpiSession) {
  const status = await session.rollup();
  return { usable: status.usable, reason: status.reason, refreshedAt: status.state?.refreshed_at ?? null };
}

/** A month of a series as the sparklines and trends draw it: the value, marked when still moving. */
function point(report: KpiReport, key: KpiJsonKey) {
  const young = report.maturity.young.includes(key);
  return { month: report.period.from.slice(0, 7), value: report.values[key], ...(young ? { young: true as const } : {}) };
}

type TreeNode = { name: string; children: TreeNode[] };

/** The filter bar's tree of districts → townships (or categories), most tickets first, unknown names last. */
export function filterTree(rows: BreakdownRow[], names: readonly string[]): TreeNode[] {
  const nodes = (level: number, parent: (string | null)[]): TreeNode[] =>
    rows
      .filter((r) => r.level === level && parent.every((key, i) => r.keys[names[i]] === key) && r.keys[names[level - 1]])
      .map((r) => {
        const name = r.keys[names[level - 1]]!;
        return { name, children: level < names.length ? nodes(level + 1, [...parent, name]) : [] };
      })
      // the tickets that name no district or township come after the named ones, as on 区域分析
      .sort(unknownLast);
  return nodes(1, []);
}

/** A stable order that moves 未知区县 and 未知乡镇街道 after the named places. */
const unknownLast = (a: { name: string }, b: { name: string }) => Number(isUnknownPlace(a.name)) - Number(isUnknownPlace(b.name));

/** The filter bar's choices: months with data, districts → townships, categories → sub-categories. */
export async function filtersPage(reader: Reader, settings: KpiSettings) {
  const cal = await reader.use(dataCalendar);
  if (!cal.first || !cal.last) return { ...cal, months: [], districts: [], categories: [] };
  const session = new KpiSession(reader, settings);
  const everything: Period = { kind: 'time', from: monthPeriod(cal.first).from, to: monthPeriod(cal.last).to };
  const [districts, categories] = await Promise.all([breakdown(session, 'district', everything), breakdown(session, 'category', everything)]);
  return { ...cal, months: monthsBetween(cal.first, cal.last).reverse(), districts: filterTree(districts.rows, KEY_NAMES.district), categories: filterTree(categories.rows, KEY_NAMES.category) };
}

/** 总览: KPI cards with 环比/同比 and sparklines, daily volume, active alerts. */
export async function overviewPage(reader: Reader, settings: KpiSettings, query: Query, known?: Known) {
  const { session, filters, calendar } = await open(reader, settings, query, known);
  const { scope, ignored } = scopeOf(filters);
  const period = monthPeriod(filters.month);
  const [history, daily, alerts, share] = await Promise.all([
    monthWithHistory(session, filters.month, { scope }),
    dailyReceived(session, { kind: 'time', from: shiftPeriod(period, -2).from, to: period.to }, { scope }),
    shared(known, 'alerts', () => reader.use(async (w) => ((await hasIncidentTables(w)) ? listIncidents(w, { active: true, limit: 8 }) : null))),
    scopeShare(session, scope, period),
  ]);
  const { series, comparison } = history;
  const current = comparison.current;
  const cards = OVERVIEW_CARDS.map((key) => ({
    name: metricName(key),
    kind: metricKind(key),
    ...comparison.changes[key],
    missing: current.missing[key] ?? null,
    young: current.maturity.young.includes(key),
    spark: series.map((report) => point(report, key)),
  }));
  return {
    month: filters.month,
    scope,
    ignored,
    share,
    source: current.source,
    rollup: await freshness(session),
    calendar: await calendar,
    maturity: current.maturity,
    // (a card says why its own figure is missing: the notice carries the rest)
    notes: [...Object.entries(current.missing).filter(([key]) => !OVERVIEW_CARDS.includes(key as never)).map(([, note]) => note), ...comparison.notes],
    cards,
    daily,
    alerts,
  };
}

/** The scope's share of all tickets received in the period (its row of the breakdown). */
async function scopeShare(session: KpiSession, scope: Scope, period: Period): Promise<number | null> {
  if (scope.dimension === 'total') return 1;
  const report = await breakdown(session, scope.dimension, period, { depth: scope.keys.length });
  const names = KEY_NAMES[scope.dimension];
  return report.rows.find((r) => r.level === scope.keys.length && scope.keys.every((k, i) => r.keys[names[i]] === k))?.share ?? null;
}

/** 来源渠道 of a month (all tickets: the rollup holds channels for the whole hotline only). */
export async function channelsPage(reader: Reader, settings: KpiSettings, query: Query, known?: Known) {
  const { session, filters } = await open(reader, settings, query, known);
  const report = await breakdown(session, 'channel', monthPeriod(filters.month), { depth: 1 });
  return {
    month: filters.month,
    source: report.source,
    rows: report.rows.filter((r) => r.level === 1).map((r) => ({ name: r.keys.channel ?? '未知', count: r.values.received ?? 0, share: r.share })),
  };
}

/** 诉求分析: the category tree, the chosen category's trend, request types, risers and sample tickets. */
export async function categoriesPage(reader: Reader, settings: KpiSettings, query: Query, known?: Known) {
  const { session, filters, calendar } = await open(reader, settings, query, known);
  const period = monthPeriod(filters.month);
  const selected = filters.category;
  const scope: Scope = selected.length ? { dimension: 'category', keys: selected } : { dimension: 'total', keys: [] };
  const [report, trend, appealTypes] = await Promise.all([
    breakdown(session, 'category', period),
    monthlySeries(session, addMonths(filters.month, -12), filters.month, { scope }),
    breakdown(session, 'appeal_type', period, { depth: 1 }),
  ]);
  const names = KEY_NAMES.category;
  const row = selected.length
    ? report.rows.find((r) => r.level === selected.length && selected.every((k, i) => r.keys[names[i]] === k))
    : report.rows.find((r) => r.level === 0);
  // 未满期 as the overview marks it: the month's own maturity, from its point of the trend
  const young = trend.find((t) => t.period.from.slice(0, 7) === filters.month)?.maturity.young ?? [];
  return {
    month: filters.month,
    selected,
    ignored: filters.district.length ? ['district'] : [],
    source: report.source,
    calendar: await calendar,
    tree: report.rows
      .filter((r) => r.level > 0)
      .map((r) => ({ level: r.level, keys: names.slice(0, r.level).map((n) => r.keys[n]), received: r.values.received ?? 0, share: r.share })),
    summary: row
      ? {
          received: row.values.received,
          share: row.share,
          completion_rate: row.values.completion_rate,
          satisfaction_rate: row.values.satisfaction_rate,
          resolution_rate: row.values.resolution_rate,
          repeat_rate: row.values.repeat_rate,
          young: young.filter((key) => ['completion_rate', 'satisfaction_rate', 'resolution_rate', 'repeat_rate'].includes(key)),
        }
      : null,
    trend: trend.map((t) => ({
      month: t.period.from.slice(0, 7),
      received: t.values.received ?? 0,
      satisfaction_rate: t.values.satisfaction_rate,
      completion_rate: t.values.completion_rate,
      ...(t.maturity.young.includes('completion_rate') ? { young: true as const } : {}),
    })),
    appealTypes: appealTypes.rows.filter((r) => r.level === 1).map((r) => ({ name: r.keys.appeal_type ?? '未知', count: r.values.received ?? 0, share: r.share })),
  };
}

/** The 二级分类 rising fastest against the previous month (kpi.ts risingCategories). */
export async function risingPage(reader: Reader, settings: KpiSettings, query: Query, known?: Known) {
  const { session, filters } = await open(reader, settings, query, known);
  const { risers: rising, withheld } = await categoryRises(session, monthPeriod(filters.month), { level: 2, limit: 8, minVolume: 5 });
  return {
    month: filters.month,
    withheld,
    rows: rising.map((r) => ({ keys: [r.keys.category_l1, r.keys.category_l2], received: r.received, previous: r.previous_received, change_pct: r.change_pct, is_new: r.is_new })),
  };
}

/** The newest tickets of the month for a district and a category (both apply: these are rows, not rollup sums). */
export async function ticketsPage(reader: Reader, settings: KpiSettings, query: Query, known?: Known) {
  const { filters, calendar } = await open(reader, settings, query, known);
  const { lastDay } = await calendar;
  return { month: filters.month, district: filters.district, category: filters.category, tickets: await reader.use((w) => sampleTickets(w, monthPeriod(filters.month), filters, 20, lastDay)) };
}

/** 区域分析: districts ranked, the chosen district's townships and trend. */
export async function districtsPage(reader: Reader, settings: KpiSettings, query: Query, known?: Known) {
  const { session, filters, calendar } = await open(reader, settings, query, known);
  const period = monthPeriod(filters.month);
  // '未知区县' is a district of its own (stg_tickets), never the whole hotline
  const series = (name: string | null) =>
    monthlySeries(session, addMonths(filters.month, -12), filters.month, { scope: name ? { dimension: 'district', keys: [name] } : { dimension: 'total', keys: [] } });
  // With a district in the URL its trend is read while the breakdown runs; the month's maturity
  // (未满期) is the whole hotline's, as the overview's cards show it.
  const [report, early, whole] = await Promise.all([
    breakdown(session, 'district', period, { depth: 2 }),
    filters.district[0] ? series(filters.district[0]) : null,
    monthlySeries(session, filters.month, filters.month, { scope: { dimension: 'total', keys: [] } }),
  ]);
  const figures = (r: BreakdownRow) => ({
    received: r.values.received ?? 0,
    share: r.share,
    completion_rate: r.values.completion_rate,
    ontime_completion_rate: r.values.ontime_completion_rate,
    satisfaction_rate: r.values.satisfaction_rate,
    repeat_rate: r.values.repeat_rate,
  });
  const districts = report.rows
    .filter((r) => r.level === 1)
    .map((r) => ({ name: r.keys.district ?? UNKNOWN_DISTRICT, ...figures(r) }))
    .sort(unknownLast);
  const chosen = filters.district[0] ?? districts.find((d) => !isUnknownPlace(d.name))?.name ?? districts[0]?.name ?? null;
  // A township's share is of its district (parent_share), not of the whole hotline. The tickets
  // without a township (a district) come last, however many: they are no place to compare.
  const townships = report.rows
    .filter((r) => r.level === 2 && r.keys.district === chosen)
    .map((r) => ({ name: r.keys.township ?? UNKNOWN_TOWNSHIP, ...figures(r), share: r.parent_share }))
    .sort(unknownLast);
  const trend = early ?? (await series(chosen));
  return {
    month: filters.month,
    selected: chosen,
    ignored: filters.category.length ? ['category'] : [],
    source: report.source,
    calendar: await calendar,
    districts,
    townships,
    young: whole[0]?.maturity.young ?? [],
    trend: trend.map((t) => ({ month: t.period.from.slice(0, 7), received: t.values.received ?? 0, satisfaction_rate: t.values.satisfaction_rate })),
  };
}

/** 承办单位: the “三率” ranking of the month, optionally of one unit kind. */
export async function unitsPage(reader: Reader, settings: KpiSettings, query: Query, known?: Known) {
  const { session, filters, calendar } = await open(reader, settings, query, known);
  const report = await unitRanking(session, monthPeriod(filters.month));
  const kind = text(query.kind);
  return {
    month: filters.month,
    source: report.source,
    calendar: await calendar,
    settings: { minTicketsForRanking: settings.minTicketsForRanking, rankingWeights: settings.rankingWeights },
    kinds: [...new Set(report.rows.map((r) => r.unit_kind))],
    kind: kind ?? null,
    rows: report.rows.filter((r) => !kind || r.unit_kind === kind),
  };
}

/** A unit's overdue, returned or dissatisfied tickets of the month. */
export async function unitTicketsPage(reader: Reader, settings: KpiSettings, query: Query, known?: Known) {
  const unit = text(query.unit);
  const kind = text(query.kind) as UnitTicketKind | undefined;
  if (!unit || !kind || !(kind in UNIT_TICKET_KINDS)) throw new BadRequest(`unit 和 kind（${Object.keys(UNIT_TICKET_KINDS).join('|')}）必填 / unit and kind required`);
  const { session, filters } = await open(reader, settings, query, known);
  // the rollup's own list while it answers (overdue as of its as-of time, like its figures)
  const [{ usable }, asOf] = await Promise.all([session.rollup(), session.asOf()]);
  const tickets = await reader.use((w) => unitTickets(w, unit, monthPeriod(filters.month), kind, asOf, usable ? 'rollup' : 'tickets'));
  return { month: filters.month, unit, kind, label: UNIT_TICKET_KINDS[kind], asOf: kind === 'overdue' ? asOf : null, tickets };
}
