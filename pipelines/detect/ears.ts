import * as ss from 'simple-statistics';
import { normalUpperTail } from './negbin.js';
import { checkSeries, firstPosition, UNEVALUATED, type CountSeries, type DayResult } from './series.js';

/**
 * The CDC Early Aberration Reporting System methods (Hutwagner et al. 2003), the baseline to beat.
 * With m and s the mean and sample standard deviation of a 7-day baseline:
 *   C1 = (x_t − m)/s over days t−7 … t−1                       alarm when C1 > 3
 *   C2 = (x_t − m)/s over days t−9 … t−3 (two days' gap)        alarm when C2 > 3
 *   C3 = Σ over i = t−2 … t of max(0, C2_i − 1)                  alarm when C3 > 2
 * No season, no weekday, no holidays: that is what they are.
 *
 * s is floored at `minSigma` (surveillance's earsC option of that name, default 0 there): without
 * a floor, one complaint after a week of zeros is an infinite z and every quiet series alarms.
 *
 * Score: the statistic itself (C1, C2 or C3). The thresholds are the CDC's and do not follow α.
 * pValue is nominal — the one-sided normal tail of the z (C1, C2), and for C3 of C3 + 1, which puts
 * its threshold 2 at z = 3 like the others; counts are not normal, so read it as a ranking.
 */

export type EarsVariant = 'C1' | 'C2' | 'C3';

export interface EarsSettings {
  baselineDays: number;
  minSigma: number;
}

export const EARS_DEFAULTS: EarsSettings = { baselineDays: 7, minSigma: 0.5 };

const C1_C2_THRESHOLD = 3;
const C3_THRESHOLD = 2;

interface Baseline {
  mean: number;
  sd: number;
  z: number;
}

/** The C1 (gap 0) or C2 (gap 2) baseline and z of position t; null when the window is incomplete. */
function baselineAt(counts: ArrayLike<number>, t: number, gap: number, settings: EarsSettings): Baseline | null {
  const end = t - gap; // exclusive
  const start = end - settings.baselineDays;
  if (start < 0) return null;
  const window: number[] = [];
  for (let i = start; i < end; i++) window.push(counts[i]);
  const mean = ss.mean(window);
  const sd = Math.max(ss.sampleStandardDeviation(window), settings.minSigma);
  return { mean, sd, z: (counts[t] - mean) / sd };
}

export function ears(series: CountSeries, from: string, variant: EarsVariant, overrides: Partial<EarsSettings> = {}): DayResult[] {
  checkSeries(series);
  const settings = { ...EARS_DEFAULTS, ...overrides };
  const { counts, dates } = series;
  const results: DayResult[] = [];
  for (let t = firstPosition(series, from); t < dates.length; t++) {
    const date = dates[t];
    const count = counts[t];
    const today = baselineAt(counts, t, variant === 'C1' ? 0 : 2, settings);
    if (!today) {
      results.push({ date, count, ...UNEVALUATED });
      continue;
    }
    if (variant !== 'C3') {
      results.push({
        date,
        count,
        expected: today.mean,
        upper: today.mean + C1_C2_THRESHOLD * today.sd,
        pValue: normalUpperTail(today.z),
        score: today.z,
        alarm: today.z > C1_C2_THRESHOLD,
        channel: 'day',
      });
      continue;
    }
    // C3 needs the C2 of the two days before as well.
    const before = [1, 2].map((k) => baselineAt(counts, t - k, 2, settings));
    if (before.some((b) => b === null)) {
      results.push({ date, count, ...UNEVALUATED });
      continue;
    }
    const carried = before.reduce((sum, b) => sum + Math.max(0, b!.z - 1), 0);
    const c3 = carried + Math.max(0, today.z - 1);
    results.push({
      date,
      count,
      expected: today.mean,
      // The count that would lift C3 to its threshold; 0 when the two days before already did.
      upper: carried > C3_THRESHOLD ? 0 : today.mean + (1 + C3_THRESHOLD - carried) * today.sd,
      pValue: normalUpperTail(c3 + 1),
      score: c3,
      alarm: c3 > C3_THRESHOLD,
      channel: 'day',
    });
  }
  return results;
}
