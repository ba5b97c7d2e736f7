import { dayIndex, dayString, isIsoDate } from './calendar.js';

/** A daily count series: one count per consecutive calendar day. */
export interface CountSeries {
  dates: readonly string[];
  counts: ArrayLike<number>;
}

/**
 * Which evidence judged a day: its own count ('day'), a window of 2–7 days ending on it
 * ('rise'), or the NB CUSUM of up to 28 days ('cusum').
 */
export type Channel = 'day' | 'rise' | 'cusum';

/** A detector's verdict on one day. */
export interface DayResult {
  date: string;
  count: number;
  /** μ₀: the count expected on this day if nothing unusual happened (NaN: too little history). */
  expected: number;
  /** The largest count the day's own test lets pass (NaN: too little history). */
  upper: number;
  /** Probability, under the method's model of an ordinary day, of evidence at least this strong. */
  pValue: number;
  /** The method's continuous statistic, larger = more unusual (see each method). */
  score: number;
  alarm: boolean;
  /**
   * The channel with the smallest p-value on the scale of α (its p over its share of α): what
   * supports the alarm. Every detector here sets it ('day' for all but pulse); optional so that a
   * verdict built elsewhere (e.g. an address burst) need not invent one.
   */
  channel?: Channel;
  /** Pulse: each channel's own p-value, before its share of α. */
  pDay?: number;
  pRise?: number;
  pCusum?: number;
  /**
   * Pulse, when `channel` is 'rise' or 'cusum': the window behind the evidence — its first day,
   * length (ending on this day) and its observed and expected totals. A rise alarm may come with
   * a count at or below `upper`: no single day is unusual, the days together are.
   */
  riseStart?: string;
  riseDays?: number;
  riseObserved?: number;
  riseExpected?: number;
}

export const UNEVALUATED = { expected: Number.NaN, upper: Number.NaN, pValue: 1, score: 0, alarm: false, channel: 'day' } as const;

/**
 * Checks a series before any method sees it: as many counts as dates, consecutive days, whole
 * counts ≥ 0. Returns the day index of its first date.
 */
export function checkSeries(series: CountSeries): number {
  const { dates, counts } = series;
  if (dates.length !== counts.length) throw new RangeError(`${dates.length} dates but ${counts.length} counts`);
  if (dates.length === 0) return 0;
  if (!isIsoDate(dates[0])) throw new RangeError(`not a date (YYYY-MM-DD): "${dates[0]}"`);
  const first = dayIndex(dates[0]);
  const expected = consecutiveDays(first, dates.length);
  for (let i = 0; i < dates.length; i++) {
    if (dates[i] !== expected[i]) throw new RangeError(`dates must be consecutive days: ${dates[i]} at position ${i} after ${dates[0]}`);
    const c = counts[i];
    if (!Number.isInteger(c) || c < 0) throw new RangeError(`count on ${dates[i]} must be a whole number ≥ 0, got ${c}`);
  }
  return first;
}

/**
 * The dates of `length` days from day index `first`, kept for the next series over the same
 * days (the hotspot job checks ~860 of them; formatting each date again costs more than judging
 * its last day).
 */
const recentSpans = new Map<string, string[]>();
function consecutiveDays(first: number, length: number): string[] {
  const key = `${first}/${length}`;
  let days = recentSpans.get(key);
  if (!days) {
    days = Array.from({ length }, (_, i) => dayString(first + i));
    if (recentSpans.size >= 8) recentSpans.delete(recentSpans.keys().next().value!);
    recentSpans.set(key, days);
  }
  return days;
}

/** Position of the first day ≥ `from` (dates.length if none). */
export function firstPosition(series: CountSeries, from: string): number {
  const first = dayIndex(series.dates[0] ?? from);
  return Math.max(0, Math.min(series.dates.length, dayIndex(from) - first));
}

/** −log10 p, the score of the NB-based methods; p is floored so that the score stays finite. */
export const log10Score = (p: number) => -Math.log10(Math.max(p, 1e-300));
