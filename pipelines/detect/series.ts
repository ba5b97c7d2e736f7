import { dayIndex, dayString, isIsoDate } from './calendar.js';

/** A daily count series: one count per consecutive calendar day. */
export interface CountSeries {
  dates: readonly string[];
  counts: ArrayLike<number>;
}

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
}

export const UNEVALUATED = { expected: Number.NaN, upper: Number.NaN, pValue: 1, score: 0, alarm: false } as const;

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
  for (let i = 0; i < dates.length; i++) {
    if (dates[i] !== dayString(first + i)) throw new RangeError(`dates must be consecutive days: ${dates[i]} at position ${i} after ${dates[0]}`);
    const c = counts[i];
    if (!Number.isInteger(c) || c < 0) throw new RangeError(`count on ${dates[i]} must be a whole number ≥ 0, got ${c}`);
  }
  return first;
}

/** Position of the first day ≥ `from` (dates.length if none). */
export function firstPosition(series: CountSeries, from: string): number {
  const first = dayIndex(series.dates[0] ?? from);
  return Math.max(0, Math.min(series.dates.length, dayIndex(from) - first));
}

/** −log10 p, the score of the NB-based methods; p is floored so that the score stays finite. */
export const log10Score = (p: number) => -Math.log10(Math.max(p, 1e-300));
