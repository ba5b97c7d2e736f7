/**
 * Every KPI per value of a dimension (a tree for category and district), the biggest categories and
 * the fastest risers. The values of each row are made by the same SQL as the totals (compile.ts).
 */
import type { Row, Warehouse } from '../warehouse.js';
import { BREAKDOWN_DIMENSIONS, isBreakdownDimension, KPI_JSON_KEYS, type BreakdownDimension, type KpiJsonKey, type KpiSettings, type KpiValues, UNCATEGORISED } from './catalogue.js';
import { breakdownSql, KEY_COLUMNS, measures, type TicketFilter } from './compile.js';
import { asPeriod, shiftPeriod, type Period } from './period.js';
import { sessionOf, type KpiSession, type QueryOptions } from './session.js';
import { baseTooSmall, percentChange, tooSmallBaseText } from './totals.js';

export { isUnknownPlace, UNKNOWN_DISTRICT, UNKNOWN_TOWNSHIP } from './catalogue.js';

export interface BreakdownRow {
  /** 0 = the total of all rows, 1 = first key (e.g. 一级分类), 2 = second, 3 = third. */
  level: number;
  /** The keys down to this level; deeper keys are absent. A key can be null (not recorded). */
  keys: Record<string, string | null>;
  /** received / the total's received (null when nothing was received). */
  share: number | null;
  /** received / the parent row's received (a township's share of its district); null at level 0. */
  parent_share: number | null;
  values: KpiValues;
  sums: Record<string, number>;
}

export interface BreakdownReport {
  dimension: BreakdownDimension;
  period: Period;
  source: 'rollup' | 'direct';
  settings: KpiSettings;
  /** Total first, then a tree: each parent before its children, siblings by received, most first. */
  rows: BreakdownRow[];
}

export interface BreakdownOptions extends QueryOptions {
  /** How deep a tree dimension goes (category 1–3, district 1–2); default all levels. */
  depth?: number;
  /** Only these tickets (a special report's topic): read from the tickets, never the rollup. */
  filter?: TicketFilter;
}

export { isBreakdownDimension };

function breakdownRow(dimension: BreakdownDimension, row: Row): BreakdownRow {
  const level = Number(row.level);
  const keyDefs = BREAKDOWN_DIMENSIONS[dimension].keys;
  const keys: Record<string, string | null> = {};
  keyDefs.slice(0, level).forEach((key, i) => (keys[key.name] = (row[KEY_COLUMNS[i]] as string | null) ?? null));
  const values = {} as Record<KpiJsonKey, number | null>;
  for (const key of KPI_JSON_KEYS) values[key] = row[key] === null || row[key] === undefined ? null : Number(row[key]);
  if (!BREAKDOWN_DIMENSIONS[dimension].calls) {
    // Calls carry no category, district, …: a breakdown along these has no call figures at all
    // (the rates are null already: their denominators are 0).
    values.calls_offered = null;
    values.calls_answered = null;
  }
  const sums = Object.fromEntries(measures().filter((m) => m.combine === 'sum').map((m) => [m.column, Number(row[m.column] ?? 0)]));
  return { level, keys, share: row.share === null ? null : Number(row.share), parent_share: null, values: values as KpiValues, sums };
}

const pathOf = (row: BreakdownRow) => Object.values(row.keys);

/** Parents before children; siblings by received (most first), then by key. */
function treeOrder(rows: BreakdownRow[]): BreakdownRow[] {
  const received = new Map(rows.map((row) => [JSON.stringify(pathOf(row)), row.values.received ?? 0]));
  const sortKey = (row: BreakdownRow) => pathOf(row).map((key, i) => ({ received: received.get(JSON.stringify(pathOf(row).slice(0, i + 1))) ?? 0, key: key ?? '\uffff' }));
  return [...rows].sort((a, b) => {
    const ka = sortKey(a);
    const kb = sortKey(b);
    for (let i = 0; i < Math.min(ka.length, kb.length); i++) {
      if (ka[i].received !== kb[i].received) return kb[i].received - ka[i].received;
      if (ka[i].key !== kb[i].key) return ka[i].key < kb[i].key ? -1 : 1;
    }
    return ka.length - kb.length;
  });
}

/** Each row's share of its parent row: the one place a part-of-parent share is divided. */
function withParentShares(rows: BreakdownRow[]): BreakdownRow[] {
  const received = new Map(rows.map((row) => [JSON.stringify(pathOf(row)), row.values.received ?? 0]));
  return rows.map((row) => {
    if (row.level === 0) return row;
    const parent = received.get(JSON.stringify(pathOf(row).slice(0, -1))) ?? 0;
    return { ...row, parent_share: parent ? (row.values.received ?? 0) / parent : null };
  });
}

/** Every KPI per value of a dimension (a tree for category and district), with the total. */
export async function breakdown(target: Warehouse | KpiSession, dimension: BreakdownDimension, period: Period | string, options: BreakdownOptions = {}): Promise<BreakdownReport> {
  if (!isBreakdownDimension(dimension)) throw new RangeError(`unknown breakdown dimension: ${dimension}`);
  const session = sessionOf(target, options);
  const resolved = asPeriod(period);
  const maxDepth = BREAKDOWN_DIMENSIONS[dimension].keys.length;
  const depth = options.depth ?? maxDepth;
  if (!Number.isInteger(depth) || depth < 1 || depth > maxDepth) throw new RangeError(`depth for ${dimension} must be 1…${maxDepth}`);
  const figure = { filter: options.filter };
  const source = await session.rowSource(resolved, figure);
  const query = await session.plan(resolved, source, figure, breakdownSql(dimension, depth, source), { dimension });
  const rows = (await session.run(query)).map((row) => breakdownRow(dimension, row));
  return { dimension, period: resolved, source: query.source, settings: session.settings, rows: withParentShares(treeOrder(rows)) };
}

export interface CategoryRank {
  level: number;
  keys: Record<string, string | null>;
  received: number;
  share: number | null;
}

/** The N categories with most tickets received in the period, at level 1 (一级), 2 or 3. */
export async function topCategories(target: Warehouse | KpiSession, period: Period | string, options: QueryOptions & { level?: number; limit?: number } = {}): Promise<CategoryRank[]> {
  const level = options.level ?? 1;
  const report = await breakdown(target, 'category', period, { ...options, depth: level });
  return report.rows
    .filter((row) => row.level === level)
    .sort((a, b) => (b.values.received ?? 0) - (a.values.received ?? 0))
    .slice(0, options.limit ?? 10)
    .map((row) => ({ level, keys: row.keys, received: row.values.received ?? 0, share: row.share }));
}

export interface CategoryRiser extends CategoryRank {
  previous_received: number;
  change: number;
  /** Percent change on the previous month; null when the category had no tickets then (is_new). */
  change_pct: number | null;
  is_new: boolean;
}

/**
 * The categories rising fastest against the previous month: at least minVolume tickets received in
 * the period, ordered by percent change (categories new this month first, by volume). 未分类 is
 * never one of them.
 */
export async function risingCategories(
  target: Warehouse | KpiSession,
  period: Period | string,
  options: QueryOptions & { level?: number; limit?: number; minVolume?: number } = {},
): Promise<CategoryRiser[]> {
  return (await categoryRises(target, period, options)).risers;
}

/**
 * risingCategories, and why there are none when the month before has far less data to compare
 * with (`withheld`, in the words of a withheld 环比: "上月仅 0 件，不足本月（924 件）的五分之一，…").
 */
export async function categoryRises(
  target: Warehouse | KpiSession,
  period: Period | string,
  options: QueryOptions & { level?: number; limit?: number; minVolume?: number } = {},
): Promise<{ risers: CategoryRiser[]; withheld: string | null }> {
  const session = sessionOf(target, options);
  const level = options.level ?? 2;
  const minVolume = options.minVolume ?? 20;
  const resolved = asPeriod(period);
  const [current, previous] = await Promise.all([
    breakdown(session, 'category', resolved, { depth: level }),
    breakdown(session, 'category', shiftPeriod(resolved, -1), { depth: level }),
  ]);
  // A month before with far less data (an export that starts this month) has no rises to tell:
  // every category would be 新增. The same rule as 环比 itself (totals.ts).
  const total = (rows: BreakdownRow[]) => rows.find((r) => r.level === 0)?.values.received ?? 0;
  if (baseTooSmall(total(current.rows), total(previous.rows))) return { risers: [], withheld: tooSmallBaseText('上月', total(current.rows), total(previous.rows), resolved) };
  const before = new Map(previous.rows.filter((r) => r.level === level).map((r) => [JSON.stringify(r.keys), r.values.received ?? 0]));
  const risers = current.rows
    // 未分类 is not a topic that rises: more of it says the export (or the model) classified less.
    .filter((row) => row.level === level && (row.values.received ?? 0) >= minVolume && row.keys.category_l1 !== UNCATEGORISED)
    .map((row) => {
      const received = row.values.received ?? 0;
      const previous_received = before.get(JSON.stringify(row.keys)) ?? 0;
      return { level, keys: row.keys, received, share: row.share, previous_received, change: received - previous_received, change_pct: percentChange(received, previous_received), is_new: previous_received === 0 };
    });
  const rank = (r: CategoryRiser) => (r.is_new ? Number.POSITIVE_INFINITY : (r.change_pct ?? 0));
  return {
    risers: risers
      .sort((a, b) => rank(b) - rank(a) || b.received - a.received || JSON.stringify(a.keys).localeCompare(JSON.stringify(b.keys)))
      .filter((r) => r.change > 0)
      .slice(0, options.limit ?? 10),
    withheld: null,
  };
}
