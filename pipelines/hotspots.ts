import { nbUpperTail } from './detect/negbin.js';
import type { DayResult } from './detect/index.js';
import { yieldToEventLoop } from './scheduler.js';
import { sqlFile, type Warehouse } from './warehouse.js';

export type { DayResult };

/**
 * Finding what is unusual: every series (category l1 and l2, district, category × district) is
 * judged by the detector for each day of a run; a day's p-values are controlled together with
 * Benjamini–Hochberg; a minimum count and ratio keep "1 → 3 complaints" from paging anyone. Two
 * tests look at one place (a compound, a village, a building site) instead: a burst within hours,
 * and a week that brings the place far more than its month before (wage arrears at a site, a
 * heating failure that drags on: a few tickets a day, each day below any bound). What the alarms
 * mean together — which of them are one event — is incidents.ts's business.
 */

/** The detector for one daily series: a result for every day ≥ `from`, each from data up to that day only. */
export type SeriesDetector = (series: { dates: string[]; counts: number[] }, from: string) => DayResult[];

export type SeriesLevel = 'l1' | 'l2' | 'district' | 'l1_district' | 'l2_district';

export interface HotspotSettings {
  /** False discovery rate across a day's tests. */
  fdr: number;
  /** An alarm needs at least this many tickets on the day … */
  minCount: number;
  /** … and at least this ratio to the expected count (a sustained rise: over its window). */
  minRatio: number;
  /** An incident closes after this many days without an alarm. */
  quietDays: number;
  /** An incident is mailed again only when its excess has grown by this factor since the last mail. */
  escalation: number;
  /** Series with fewer tickets than this in their history are not judged by the daily model. */
  minHistoryTickets: number;
  /** Nor are days with fewer days of data than this before them (the detector's own minimum). */
  minHistoryDays: number;
  /** Days of history given to the detector. */
  historyDays: number;
  /** A burst: at least this many tickets at one place within the window … */
  burstMinCount: number;
  /** … of this many hours. */
  burstHours: number;
  /** A week at one place: at least this many tickets within `streakDays` days … */
  streakMinCount: number;
  streakDays: number;
  /** Alarms are one incident when the tickets they share are at least this share of each one's excess. */
  sharedExcess: number;
}

export const DEFAULT_HOTSPOT_SETTINGS: HotspotSettings = {
  fdr: 0.01,
  minCount: 5,
  minRatio: 1.5,
  quietDays: 3,
  escalation: 2,
  minHistoryTickets: 60,
  minHistoryDays: 28,
  historyDays: 3 * 365,
  burstMinCount: 8,
  burstHours: 6,
  streakMinCount: 15,
  streakDays: 7,
  sharedExcess: 0.5,
};

export interface SeriesInfo {
  level: SeriesLevel;
  series_key: string;
  category_l1: string | null;
  category_l2: string | null;
  district: string | null;
}

export interface DailySeries {
  info: SeriesInfo;
  counts: number[];
  total: number;
}

/** Why a series or a series-day was not judged by the daily model. */
export type SkipReason = 'sparse' | 'duplicate' | 'short-history';

export const SKIP_REASONS: Record<SkipReason, string> = {
  sparse: `历史工单不足 ${DEFAULT_HOTSPOT_SETTINGS.minHistoryTickets} 件`,
  duplicate: '与所含序列工单完全相同',
  'short-history': `数据不足 ${DEFAULT_HOTSPOT_SETTINGS.minHistoryDays} 天`,
};

export interface SeriesSet {
  /** Consecutive days, from the later of the history start and the warehouse's first day. */
  dates: string[];
  series: DailySeries[];
  /** Series left out before any judging, by reason. */
  skipped: Partial<Record<SkipReason, number>>;
  /** The warehouse's first and last day with tickets (null: no tickets at all). */
  dataStart: string | null;
  dataEnd: string | null;
}

const DAY_MS = 86_400_000;
export const addDays = (day: string, n: number) => new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10);
export const daysBetween = (from: string, to: string) => Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS);

/** Benjamini–Hochberg adjusted p-values (q-values), in the input order. */
export function benjaminiHochberg(pValues: number[]): number[] {
  const m = pValues.length;
  const order = pValues.map((p, i) => [p, i] as const).sort((a, b) => a[0] - b[0]);
  const q = new Array<number>(m);
  let running = 1;
  for (let rank = m; rank >= 1; rank--) {
    const [p, index] = order[rank - 1];
    running = Math.min(running, (p * m) / rank);
    q[index] = running;
  }
  return q;
}

/** Where the warehouse's tickets begin and end. */
export async function ticketDays(warehouse: Warehouse): Promise<{ first: string | null; last: string | null }> {
  const row = await warehouse.one<{ first_day: string | null; last_day: string | null }>(sqlFile('alerts/ticket_days.sql'));
  return { first: row?.first_day ?? null, last: row?.last_day ?? null };
}

/**
 * Daily series (zero days filled) ending on `lastDay`. A series starts where the warehouse's data
 * starts — the days before it are unknown, not quiet. Sparse series and series whose tickets are
 * exactly those of a series they contain (an l1 with a single l2, a prefecture with one district)
 * are left out, with the count of each.
 */
export async function loadSeries(warehouse: Warehouse, lastDay: string, settings: HotspotSettings = DEFAULT_HOTSPOT_SETTINGS): Promise<SeriesSet> {
  const data = await ticketDays(warehouse);
  const historyStart = addDays(lastDay, -settings.historyDays + 1);
  const from = data.first && data.first > historyStart ? data.first : historyStart;
  const dates: string[] = [];
  for (let d = from; d <= lastDay; d = addDays(d, 1)) dates.push(d);
  const rows = await warehouse.all<SeriesInfo & { days: number[]; counts: number[]; total: number }>(sqlFile('alerts/daily_series_counts.sql'), {
    from,
    to: addDays(lastDay, 1),
  });
  const skipped: Partial<Record<SkipReason, number>> = {};
  const skip = (reason: SkipReason) => (skipped[reason] = (skipped[reason] ?? 0) + 1);
  const series: DailySeries[] = [];
  for (const row of rows) {
    if (row.total < settings.minHistoryTickets) {
      skip('sparse');
      continue;
    }
    const counts = new Array<number>(dates.length).fill(0);
    row.days.forEach((day, i) => (counts[day] = row.counts[i]));
    series.push({ info: { level: row.level, series_key: row.series_key, category_l1: row.category_l1, category_l2: row.category_l2, district: row.district }, counts, total: row.total });
  }
  const kept = withoutDuplicates(series);
  if (kept.length < series.length) skipped.duplicate = series.length - kept.length;
  return { dates, series: kept, skipped, dataStart: data.first, dataEnd: data.last };
}

/** What a series counts: the fields it filters on (an l2 series also names its l1). */
export interface SeriesFilter {
  category_l1?: string | null;
  category_l2?: string | null;
  district?: string | null;
  place?: string | null;
}

const FILTER_FIELDS = ['category_l1', 'category_l2', 'district', 'place'] as const;

export function filterOf(info: { level: string } & SeriesFilter): SeriesFilter {
  const filter: SeriesFilter = {};
  // A topic surge counts listed tickets, not a filter: where it is is what it shares with a filter.
  if (info.level === 'topic') return { district: info.district, ...(info.place ? { place: info.place } : {}) };
  if (info.level !== 'district') filter.category_l1 = info.category_l1;
  if (info.level === 'l2' || info.level === 'l2_district' || info.level === 'burst') filter.category_l2 = info.category_l2;
  if (info.level !== 'l1' && info.level !== 'l2') filter.district = info.district;
  if (info.level === 'burst') filter.place = info.place;
  return filter;
}

/** True when every ticket of `inner` is also one of `outer` (outer's conditions are a subset). */
export function contains(outer: SeriesFilter, inner: SeriesFilter): boolean {
  return FILTER_FIELDS.every((field) => outer[field] === undefined || outer[field] === inner[field]);
}

/** The tickets both filters count, as a filter; null when they cannot share a ticket. */
export function intersect(a: SeriesFilter, b: SeriesFilter): SeriesFilter | null {
  const both: SeriesFilter = { ...a };
  for (const field of FILTER_FIELDS) {
    if (b[field] === undefined) continue;
    if (both[field] !== undefined && both[field] !== b[field]) return null;
    both[field] = b[field];
  }
  return both;
}

/** The series key of a daily series with this filter (null: not a daily series, e.g. a place). */
export function seriesKeyOf(filter: SeriesFilter): string | null {
  if (filter.place !== undefined) return null;
  const parts: string[] = [];
  if (filter.category_l2 !== undefined) parts.push(`l2=${filter.category_l2}`);
  else if (filter.category_l1 !== undefined) parts.push(`l1=${filter.category_l1}`);
  if (filter.district !== undefined) parts.push(`district=${filter.district}`);
  return parts.length ? parts.join('|') : null;
}

/** How narrow a series is: a place, then a district, then the category depth. */
export function specificity(filter: SeriesFilter): number {
  return (filter.place !== undefined ? 4 : 0) + (filter.district !== undefined ? 2 : 0) + (filter.category_l2 !== undefined ? 2 : filter.category_l1 !== undefined ? 1 : 0);
}

/**
 * Drops a series when a series it contains has exactly the same counts on every day: the same
 * tickets twice (the contained, more specific one stays, it says more).
 */
function withoutDuplicates(series: DailySeries[]): DailySeries[] {
  const byCounts = new Map<string, DailySeries[]>();
  for (const s of series) {
    const key = `${s.total}:${s.counts.join(',')}`;
    byCounts.set(key, [...(byCounts.get(key) ?? []), s]);
  }
  const dropped = new Set<DailySeries>();
  for (const same of byCounts.values()) {
    if (same.length < 2) continue;
    for (const outer of same) {
      const f = filterOf(outer.info);
      if (same.some((inner) => inner !== outer && !dropped.has(inner) && contains(f, filterOf(inner.info)) && specificity(filterOf(inner.info)) > specificity(f))) dropped.add(outer);
    }
  }
  return series.filter((s) => !dropped.has(s));
}

/** One series' verdict on one day, with the Benjamini–Hochberg q-value of that day. */
export interface Alarm extends SeriesInfo {
  result: DayResult;
  qValue: number;
}

export interface DayVerdicts {
  day: string;
  /** Series judged on the day (the size of its multiple test). */
  tested: number;
  /** Series not judged, by reason (including those left out by loadSeries). */
  skipped: Partial<Record<SkipReason, number>>;
  alarms: Alarm[];
  /** Count and expected count of every judged series on the day: what incidents.ts weighs alarms by. */
  observed: Map<string, { count: number; expected: number }>;
}

/** The rise fields the detector adds to a day found by its sustained-rise channel (absent before it did). */
export interface RiseFields {
  channel?: 'day' | 'rise' | 'cusum';
  riseStart?: string;
  riseDays?: number;
  riseObserved?: number;
  riseExpected?: number;
}

export const riseOf = (result: DayResult) => result as DayResult & RiseFields;

/**
 * Judges every series on each of `days` with one detector call per series (the detector refits
 * weekly and judges all days from the first in one pass), then controls each day's tests.
 */
export async function judgeDays(set: SeriesSet, days: string[], detector: SeriesDetector, settings: HotspotSettings = DEFAULT_HOTSPOT_SETTINGS): Promise<DayVerdicts[]> {
  if (!days.length) return [];
  const results = new Map<string, { info: SeriesInfo; result: DayResult }[]>(days.map((d) => [d, []]));
  const earliest = set.dataStart ? addDays(set.dataStart, settings.minHistoryDays) : null;
  if (set.dates.length) {
    for (const s of set.series) {
      // One model fit per series adds up to seconds: the web server gets its turn between series.
      await yieldToEventLoop();
      for (const result of detector({ dates: set.dates, counts: s.counts }, days[0])) results.get(result.date)?.push({ info: s.info, result });
    }
  }
  return days.map((day) => {
    const judged = (results.get(day) ?? []).filter((t) => Number.isFinite(t.result.expected) && earliest !== null && day >= earliest);
    const unjudged = set.series.length - judged.length;
    const skipped = { ...set.skipped, ...(unjudged ? { 'short-history': unjudged } : {}) };
    const q = benjaminiHochberg(judged.map((t) => t.result.pValue));
    const alarms = judged.map((t, i) => ({ ...t.info, result: t.result, qValue: q[i] })).filter((a) => a.qValue <= settings.fdr && isLargeEnough(a.result, settings));
    const observed = new Map(judged.map((t) => [t.info.series_key, { count: t.result.count, expected: t.result.expected }]));
    return { day, tested: judged.length, skipped, alarms, observed };
  });
}

/** The minimum rules: enough tickets, and enough above the expected count (a rise: over its window). */
function isLargeEnough(result: DayResult, settings: HotspotSettings): boolean {
  const rise = riseOf(result);
  if ((rise.channel === 'rise' || rise.channel === 'cusum') && rise.riseObserved !== undefined && rise.riseExpected !== undefined && result.count <= result.upper) {
    return rise.riseObserved - rise.riseExpected >= settings.minCount && rise.riseObserved >= settings.minRatio * rise.riseExpected;
  }
  return result.count >= settings.minCount && result.count >= settings.minRatio * Math.max(result.expected, 1e-9);
}

/** Tickets at one place within hours (or days: a streak), told by the busiest window of the stretch. */
export interface Burst {
  /** A burst within hours, or a streak (a week at the place). */
  kind: 'burst' | 'streak';
  /** The window's length: `burstHours`, or `streakDays` × 24 for a streak … */
  hours: number;
  /** … and the rule's minimum count in it. */
  minCount: number;
  district: string | null;
  township: string | null;
  place: string;
  category_l1: string | null;
  category_l2: string | null;
  /** Tickets in the busiest window. */
  n: number;
  first_at: string;
  last_at: string;
  window_end: string;
  previous_30_days: number;
  /** What the place usually has in a window of this length (from its previous 30 days). */
  expected: number;
  pValue: number;
  /** Bonferroni over the places that had tickets in the run … */
  adjustedP: number;
  /** … this many. */
  places: number;
  /** The day of the window's last ticket. */
  day: string;
}

/**
 * Bursts at one place ending within [from, to) ('YYYY-MM-DD HH:mm:ss', Beijing time): many tickets
 * from one compound in a few hours where the place usually has few. The check of every hour in
 * one query, so a replay of two weeks costs what one check costs.
 */
export async function findBursts(warehouse: Warehouse, from: string, to: string, settings: HotspotSettings = DEFAULT_HOTSPOT_SETTINGS): Promise<Burst[]> {
  return placeWindows(warehouse, from, to, 'burst', settings.burstHours, settings.burstMinCount);
}

/**
 * Streaks at one place ending within [from, to): at least `streakMinCount` tickets in
 * `streakDays` days where the place's 30 days before had a fifth of that rate or less — the same
 * query as a burst, with a window of days, one a day while it lasts. A place sees many weeks, and
 * some ordinary compound gets a busy one, so unlike a burst a streak also needs its
 * Bonferroni-adjusted p-value at most `fdr`. Its 30 days before must lie inside the data (`dataStart`): in an export's first month
 * every place looks new.
 */
export async function findStreaks(warehouse: Warehouse, from: string, to: string, dataStart: string | null, settings: HotspotSettings = DEFAULT_HOTSPOT_SETTINGS): Promise<Burst[]> {
  const hours = settings.streakDays * 24;
  const found = await placeWindows(warehouse, from, to, 'streak', hours, settings.streakMinCount);
  const earliest = dataStart ? `${addDays(dataStart, 30 + settings.streakDays)} 00:00:00` : null;
  return found.filter((s) => s.adjustedP <= settings.fdr && (earliest === null || s.window_end >= earliest));
}

/** address_bursts.sql with a window of `hours`; a streak, which lasts days, gives one a day. */
async function placeWindows(warehouse: Warehouse, from: string, to: string, kind: Burst['kind'], hours: number, minCount: number): Promise<Burst[]> {
  const rows = await warehouse.all<Omit<Burst, 'kind' | 'hours' | 'minCount' | 'expected' | 'pValue' | 'adjustedP' | 'day'>>(sqlFile('alerts/address_bursts.sql'), {
    from,
    to,
    hours,
    min_count: minCount,
    split_days: kind === 'streak',
  });
  return rows.map((row) => {
    // Half a ticket a month where a place had none: a first ticket is not infinitely unlikely.
    const expected = (Math.max(row.previous_30_days, 0.5) / 30) * (hours / 24);
    const pValue = nbUpperTail(row.n, expected, 1);
    return { ...row, kind, hours, minCount, expected, pValue, adjustedP: Math.min(1, pValue * Math.max(1, row.places)), day: row.last_at.slice(0, 10) };
  });
}

/** The one-line account of what a run skipped: '历史工单不足 60 件 112 个，…'. */
export function skippedText(skipped: Partial<Record<SkipReason, number>>): string {
  return (Object.entries(skipped) as [SkipReason, number][])
    .filter(([, n]) => n > 0)
    .map(([reason, n]) => `${SKIP_REASONS[reason]} ${n} 个`)
    .join('，');
}
