/**
 * What each leadership page shows, computed from the warehouse: every KPI through pipelines/kpi.ts
 * (from the rollup when it is fresh — `source: 'auto'`), the series through reads.ts. One function
 * per page API, given a reader (a few connections), the KPI settings and the page's query string;
 * the independent reads of a page run at the same time on different connections. page-api.ts wraps
 * them in routes and a cache; test/bench/api.ts times them without HTTP.
 */
import {
  breakdown,
  compareKpis,
  dataAsOf,
  isMonth,
  KPI_METRICS,
  KPI_JSON_KEYS,
  kpiWithComparisons,
  metricKind,
  periodKpisSql,
  monthPeriod,
  risingCategories,
  rollupStatus,
  shiftPeriod,
  unitRanking,
  type BreakdownRow,
  type KpiChange,
  type KpiJsonKey,
  type KpiKey,
  type KpiSettings,
  type KpiValues,
  type Period,
} from '../pipelines/kpi.js';
import type { Warehouse } from '../pipelines/warehouse.js';
import type { Reader } from './read-pool.js';
import {
  addMonths,
  alertEpisodes,
  dailyReceived,
  dimensionKeys,
  KEY_NAMES,
  monthlySeries,
  rollupMonths,
  sampleTickets,
  scopeOf,
  UNIT_TICKET_KINDS,
  unitTickets,
  type Filters,
  type Scope,
  type UnitTicketKind,
} from './reads.js';

/** A user error in the query string: 400 with the message. */
export class BadRequest extends Error {}

export type Query = Record<string, unknown>;

export type { Reader };

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
const SPARK_MONTHS = 13;

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

export interface Calendar {
  first: string | null;
  last: string | null;
  /** The last day with tickets. */
  lastDay: string | null;
  /** The month a page opens on: the last complete month with data. */
  defaultMonth: string | null;
  /** The last month is not complete yet (the data ends before its last day). */
  partial: boolean;
}

function lastDayOf(month: string): string {
  const next = monthPeriod(month).to.slice(0, 10);
  return new Date(Date.parse(`${next}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
}

export async function calendar(w: Warehouse): Promise<Calendar> {
  const { first, last, lastDay } = await rollupMonths(w);
  const partial = !!(last && lastDay && lastDay !== lastDayOf(last));
  // A month still being filled would show a fall on the previous month that is not real.
  const defaultMonth = partial && first && last && last > first ? addMonths(last, -1) : last;
  return { first, last, lastDay, defaultMonth, partial };
}

/**
 * The page's filters from its query string. The calendar decides the month only when the URL names
 * none; otherwise it is read while the page's own reads run (await `calendar` at the end).
 */
async function filtersOf(reader: Reader, query: Query): Promise<Filters & { calendar: Promise<Calendar> }> {
  const asked = text(query.month);
  if (asked !== undefined && !isMonth(asked)) throw new BadRequest('month 应为 YYYY-MM / month must be YYYY-MM');
  const district = path(query.district, 2, 'district');
  const category = path(query.category, 3, 'category');
  const cal = reader.use(calendar);
  cal.catch(() => undefined); // awaited later; an error must not go unhandled meanwhile
  const month = asked ?? (await cal).defaultMonth ?? new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 7);
  return { month, district, category, calendar: cal };
}

/** The KPIs of a district or category for a period: its row of the breakdown. */
async function scopedValues(reader: Reader, settings: KpiSettings, scope: Scope, period: Period): Promise<{ row: BreakdownRow | null; source: string }> {
  if (scope.dimension === 'total') throw new Error('use kpiWithComparisons for the total');
  const dimension = scope.dimension;
  const report = await reader.use((w) => breakdown(w, dimension, period, { settings, depth: scope.keys.length }));
  const names = KEY_NAMES[scope.dimension];
  const row = report.rows.find((r) => r.level === scope.keys.length && scope.keys.every((k, i) => r.keys[names[i]] === k)) ?? null;
  return { row, source: report.source };
}

/** A KPI row as kpi.ts reads it: every key of the KPI JSON, a number or null. */
function kpiValues(row: Record<string, unknown> | undefined): KpiValues {
  const values = {} as Record<KpiJsonKey, number | null>;
  for (const key of KPI_JSON_KEYS) values[key] = row?.[key] === null || row?.[key] === undefined ? null : Number(row[key]);
  return values as KpiValues;
}

/**
 * The period's KPIs with 环比 and 同比, as kpiWithComparisons gives them. When kpi.ts answers the
 * month from the rollup, its statement (the same for every whole-month period, only the days
 * differ) is run for the three months at once on separate connections, instead of kpi.ts checking
 * the rollup's freshness three times in a row; otherwise kpiWithComparisons itself answers.
 */
async function totalWithChanges(reader: Reader, settings: KpiSettings, period: Period): Promise<{ changes: Record<KpiJsonKey, KpiChange>; source: string }> {
  const plan = await reader.use((w) => periodKpisSql(w, period, { settings }));
  if (plan.source !== 'rollup') {
    const report = await reader.use((w) => kpiWithComparisons(w, period, { settings }));
    return { changes: report.changes, source: report.current.source };
  }
  const rebind = (p: Period) => {
    const params = { ...plan.params };
    const days: Record<string, string> = { from_day: p.from.slice(0, 10), to_day: p.to.slice(0, 10), from: p.from, to: p.to };
    for (const key of Object.keys(days)) if (key in params) params[key] = days[key];
    return params;
  };
  const [current, previous, lastYear] = await Promise.all(
    [period, shiftPeriod(period, -1), shiftPeriod(period, -12)].map((p) => reader.use((w) => w.all(plan.sql, rebind(p)))),
  );
  return { changes: compareKpis(kpiValues(current[0]), kpiValues(previous[0]), kpiValues(lastYear[0])), source: plan.source };
}

async function kpisWithChanges(reader: Reader, settings: KpiSettings, scope: Scope, month: string): Promise<{ changes: Record<KpiJsonKey, KpiChange>; source: string; share: number | null }> {
  const period = monthPeriod(month);
  if (scope.dimension === 'total') return { ...(await totalWithChanges(reader, settings, period)), share: 1 };
  const [current, previous, lastYear] = await Promise.all([
    scopedValues(reader, settings, scope, period),
    scopedValues(reader, settings, scope, shiftPeriod(period, -1)),
    scopedValues(reader, settings, scope, shiftPeriod(period, -12)),
  ]);
  // A scope without tickets in a month: counts 0, rates "—".
  const empty = Object.fromEntries(KPI_METRICS.map((m) => [m.key, m.kind === 'count' ? 0 : null])) as unknown as KpiValues;
  return {
    changes: compareKpis(current.row?.values ?? empty, previous.row?.values ?? empty, lastYear.row?.values ?? empty),
    source: current.source,
    share: current.row?.share ?? null,
  };
}

/** Whether the rollup answered; only when it did not does the page ask kpi.ts why (another check). */
async function freshness(reader: Reader, settings: KpiSettings, source: string) {
  if (source === 'rollup') return { usable: true, reason: null, refreshedAt: null };
  const status = await reader.use((w) => rollupStatus(w, settings));
  return { usable: status.usable, reason: status.reason, refreshedAt: status.state?.refreshed_at ?? null };
}

type TreeNode = { name: string; children: TreeNode[] };

function tree(rows: (string | null)[][], depth: number): TreeNode[] {
  const roots = new Map<string, Map<string, Set<string>>>();
  for (const [a, b, c] of rows) {
    if (!a) continue;
    if (!roots.has(a)) roots.set(a, new Map());
    if (depth > 1 && b) {
      const children = roots.get(a)!;
      if (!children.has(b)) children.set(b, new Set());
      if (depth > 2 && c) children.get(b)!.add(c);
    }
  }
  return [...roots].map(([name, children]) => ({
    name,
    children: [...children].map(([child, grand]) => ({ name: child, children: [...grand].map((g) => ({ name: g, children: [] })) })),
  }));
}

function monthsDescending(first: string, last: string): string[] {
  const months: string[] = [];
  for (let m = last; m >= first && months.length < 240; m = addMonths(m, -1)) months.push(m);
  return months;
}

/** The filter bar's choices: months with data, districts → townships, categories → sub-categories. */
export async function filtersPage(reader: Reader) {
  const [cal, districts, categories] = await Promise.all([reader.use(calendar), reader.use((w) => dimensionKeys(w, 'district')), reader.use((w) => dimensionKeys(w, 'category'))]);
  return { ...cal, months: cal.first && cal.last ? monthsDescending(cal.first, cal.last) : [], districts: tree(districts, 2), categories: tree(categories, 3) };
}

/** 总览: KPI cards with 环比/同比 and sparklines, daily volume, channels, active alerts. */
export async function overviewPage(reader: Reader, settings: KpiSettings, query: Query) {
  const filters = await filtersOf(reader, query);
  const { scope, ignored } = scopeOf(filters);
  const period = monthPeriod(filters.month);
  const [kpis, series, daily, alerts] = await Promise.all([
    kpisWithChanges(reader, settings, scope, filters.month),
    reader.use((w) => monthlySeries(w, scope, addMonths(filters.month, -(SPARK_MONTHS - 1)), filters.month, OVERVIEW_CARDS)),
    reader.use((w) => dailyReceived(w, scope, { kind: 'time', from: shiftPeriod(period, -2).from, to: period.to })),
    reader.use((w) => alertEpisodes(w, { active: true, limit: 8 })),
  ]);
  const cards = OVERVIEW_CARDS.map((key) => ({
    name: KPI_METRICS.find((m) => m.key === key)!.name,
    kind: metricKind(key),
    ...kpis.changes[key],
    spark: series.map((s) => ({ month: s.month, value: s.values[key] ?? null })),
  }));
  return {
    month: filters.month,
    scope,
    ignored,
    share: kpis.share,
    source: kpis.source,
    rollup: await freshness(reader, settings, kpis.source),
    calendar: await filters.calendar,
    cards,
    daily,
    alerts,
  };
}

/** 来源渠道 of a month (all tickets: the rollup holds channels for the whole hotline only). */
export async function channelsPage(reader: Reader, settings: KpiSettings, query: Query) {
  const filters = await filtersOf(reader, query);
  const report = await reader.use((w) => breakdown(w, 'channel', monthPeriod(filters.month), { settings, depth: 1 }));
  return {
    month: filters.month,
    source: report.source,
    rows: report.rows.filter((r) => r.level === 1).map((r) => ({ name: r.keys.channel ?? '未知', count: r.values.received ?? 0, share: r.share })),
  };
}

/** 诉求分析: the category tree, the chosen category's trend, request types, risers and sample tickets. */
export async function categoriesPage(reader: Reader, settings: KpiSettings, query: Query) {
  const filters = await filtersOf(reader, query);
  const period = monthPeriod(filters.month);
  const selected = filters.category;
  const scope: Scope = selected.length ? { dimension: 'category', keys: selected } : { dimension: 'total', keys: [] };
  const [report, trend, appealTypes] = await Promise.all([
    reader.use((w) => breakdown(w, 'category', period, { settings })),
    reader.use((w) => monthlySeries(w, scope, addMonths(filters.month, -12), filters.month, ['received', 'satisfaction_rate', 'completion_rate'])),
    reader.use((w) => breakdown(w, 'appeal_type', period, { settings, depth: 1 })),
  ]);
  const names = KEY_NAMES.category;
  const row = selected.length
    ? report.rows.find((r) => r.level === selected.length && selected.every((k, i) => r.keys[names[i]] === k))
    : report.rows.find((r) => r.level === 0);
  return {
    month: filters.month,
    selected,
    ignored: filters.district.length ? ['district'] : [],
    source: report.source,
    calendar: await filters.calendar,
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
        }
      : null,
    trend: trend.map((t) => ({ month: t.month, received: t.values.received ?? 0, satisfaction_rate: t.values.satisfaction_rate ?? null, completion_rate: t.values.completion_rate ?? null })),
    appealTypes: appealTypes.rows.filter((r) => r.level === 1).map((r) => ({ name: r.keys.appeal_type ?? '未知', count: r.values.received ?? 0, share: r.share })),
  };
}

/** The 二级分类 rising fastest against the previous month (kpi.ts risingCategories). */
export async function risingPage(reader: Reader, settings: KpiSettings, query: Query) {
  const filters = await filtersOf(reader, query);
  const rising = await reader.use((w) => risingCategories(w, monthPeriod(filters.month), { settings, level: 2, limit: 8, minVolume: 5 }));
  return {
    month: filters.month,
    rows: rising.map((r) => ({ keys: [r.keys.category_l1, r.keys.category_l2], received: r.received, previous: r.previous_received, change_pct: r.change_pct, is_new: r.is_new })),
  };
}

/** The newest tickets of the month for a district and a category (both apply: these are rows, not rollup sums). */
export async function ticketsPage(reader: Reader, query: Query) {
  const filters = await filtersOf(reader, query);
  return { month: filters.month, district: filters.district, category: filters.category, tickets: await reader.use((w) => sampleTickets(w, monthPeriod(filters.month), filters, 20)) };
}

/** 区域分析: districts ranked, the chosen district's townships and trend. */
export async function districtsPage(reader: Reader, settings: KpiSettings, query: Query) {
  const filters = await filtersOf(reader, query);
  const period = monthPeriod(filters.month);
  // '未知区县' is a district of its own (stg_tickets), never the whole hotline
  const seriesScope = (name: string | null): Scope => (name ? { dimension: 'district', keys: [name] } : { dimension: 'total', keys: [] });
  const series = (name: string | null) => reader.use((w) => monthlySeries(w, seriesScope(name), addMonths(filters.month, -12), filters.month, ['received', 'satisfaction_rate']));
  // With a district in the URL its trend is read while the breakdown runs.
  const [report, early] = await Promise.all([reader.use((w) => breakdown(w, 'district', period, { settings, depth: 2 })), filters.district[0] ? series(filters.district[0]) : null]);
  const figures = (r: BreakdownRow) => ({
    received: r.values.received ?? 0,
    share: r.share,
    completion_rate: r.values.completion_rate,
    ontime_completion_rate: r.values.ontime_completion_rate,
    satisfaction_rate: r.values.satisfaction_rate,
    repeat_rate: r.values.repeat_rate,
  });
  const districts = report.rows.filter((r) => r.level === 1).map((r) => ({ name: r.keys.district ?? '未知区县', ...figures(r) }));
  const chosen = filters.district[0] ?? districts.find((d) => d.name !== '未知区县')?.name ?? null;
  const districtReceived = districts.find((d) => d.name === chosen)?.received ?? 0;
  // A township's share is of its district, not of the whole hotline.
  const townships = report.rows
    .filter((r) => r.level === 2 && (r.keys.district ?? '未知区县') === chosen)
    .map((r) => ({ name: r.keys.township ?? '未填乡镇街道', ...figures(r), share: districtReceived ? (r.values.received ?? 0) / districtReceived : null }));
  const trend = early ?? (await series(chosen));
  return {
    month: filters.month,
    selected: chosen,
    ignored: filters.category.length ? ['category'] : [],
    source: report.source,
    calendar: await filters.calendar,
    districts,
    townships,
    trend: trend.map((t) => ({ month: t.month, received: t.values.received ?? 0, satisfaction_rate: t.values.satisfaction_rate ?? null })),
  };
}

/** 承办单位: the “三率” ranking of the month, optionally of one unit kind. */
export async function unitsPage(reader: Reader, settings: KpiSettings, query: Query) {
  const filters = await filtersOf(reader, query);
  const report = await reader.use((w) => unitRanking(w, monthPeriod(filters.month), { settings }));
  const kind = text(query.kind);
  return {
    month: filters.month,
    source: report.source,
    calendar: await filters.calendar,
    settings: { minTicketsForRanking: settings.minTicketsForRanking, rankingWeights: settings.rankingWeights },
    kinds: [...new Set(report.rows.map((r) => r.unit_kind))].sort(),
    kind: kind ?? null,
    rows: report.rows.filter((r) => !kind || r.unit_kind === kind),
  };
}

/** A unit's overdue, returned or dissatisfied tickets of the month. */
export async function unitTicketsPage(reader: Reader, query: Query) {
  const unit = text(query.unit);
  const kind = text(query.kind) as UnitTicketKind | undefined;
  if (!unit || !kind || !(kind in UNIT_TICKET_KINDS)) throw new BadRequest(`unit 和 kind（${Object.keys(UNIT_TICKET_KINDS).join('|')}）必填 / unit and kind required`);
  const filters = await filtersOf(reader, query);
  const asOf = kind === 'overdue' ? await reader.use(dataAsOf) : null;
  const tickets = await reader.use((w) => unitTickets(w, unit, monthPeriod(filters.month), kind, asOf));
  return { month: filters.month, unit, kind, label: UNIT_TICKET_KINDS[kind], asOf, tickets };
}
