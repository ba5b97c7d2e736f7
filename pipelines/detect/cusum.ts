/**
 * The sustained-rise channel: a negative-binomial log-likelihood-ratio CUSUM on the expected
 * counts of the model.
 *
 * Each day contributes log[P(x | mean κμ) / P(x | mean μ)], both negative binomials with the same
 * size r = μ/(φ−1) (so the alternative is "the same kind of day, κ times as busy"). With that
 * parametrisation the increment is linear in the count:
 *     LLR(x) = a·x − b,  a = log(κφ / (1 + κ(φ−1))),  b = −(μ/(φ−1))·log(φ / (1 + κ(φ−1)))
 * and for φ → 1 it is the Poisson x·log κ − (κ−1)μ.
 *
 * The shift κ is set in standard deviations of the day (κ = 1 + c·√(φ/μ)), so that a busy series
 * watches for the same *detectability* of rise as a quiet one; a fixed ×1.5 would be enormous at
 * 300 a day and invisible at 0.3.
 *
 * The statistic (worked out in pulse.ts, on the increments of the model judging the day) is the
 * largest sum of increments over the windows ending today, of at most `memory` days — the classic
 * CUSUM recursion S = max(0, S + LLR) with a finite memory, so that a verdict depends on the last
 * weeks only — over days after the series' last alarm, so that one rise is not re-reported.
 *
 * Its p-value is exp(−S): under the model of an ordinary day, the likelihood ratio of the days
 * t, t−1, … read backwards is a non-negative martingale with mean 1, so by Ville's inequality the
 * chance that any window ending at t reaches e^S is at most e^−S. Overshoot makes it conservative.
 */

export interface CusumIncrement {
  /** Coefficient of the count. */
  slope: number;
  /** Subtracted constant. */
  offset: number;
}

/** The increment's coefficients for a day with mean μ, dispersion φ and alternative κμ. */
export function cusumIncrement(mean: number, dispersion: number, kappa: number): CusumIncrement {
  const excess = dispersion - 1;
  if (excess <= 1e-8) return { slope: Math.log(kappa), offset: (kappa - 1) * mean };
  const ratio = dispersion / (1 + kappa * excess);
  return { slope: Math.log(kappa * ratio), offset: -(mean / excess) * Math.log(ratio) };
}

/** κ for a rise of `shift` standard deviations of the day's count, kept within [1.02, 5]. */
export function cusumKappa(mean: number, dispersion: number, shift: number): number {
  return Math.min(5, Math.max(1.02, 1 + shift * Math.sqrt(dispersion / mean)));
}

/**
 * The CUSUM statistic of day t: the largest sum of increments[i − base] over the windows of at
 * most `memory` days ending at t and starting at `earliest` or later (0 when all are negative),
 * and the first day of that window.
 */
export function bestWindowSum(increments: ArrayLike<number>, base: number, t: number, earliest: number, memory: number): { sum: number; start: number } {
  let sum = 0;
  let best = 0;
  let start = t;
  for (let i = t; i > t - memory && i >= earliest; i--) {
    sum += increments[i - base];
    if (sum > best) {
      best = sum;
      start = i;
    }
  }
  return { sum: best, start };
}
