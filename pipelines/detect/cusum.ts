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
 * The statistic is the largest sum of increments over the windows ending today, of at most
 * `memory` days — the classic CUSUM recursion S = max(0, S + LLR) with a finite memory, so that a
 * verdict depends on the last weeks only, and restarted after each signal.
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
 * The windowed CUSUM over increments llr[0…] (NaN = a day without a model: contributes 0).
 * Returns S for every day: max(0, max over windows of at most `memory` days ending that day of the
 * sum of their increments). Like Page's CUSUM it starts afresh after it signals (S ≥ `restartAt`):
 * later windows begin after the signal day, so one sustained rise is not re-reported, as false
 * alarms, for weeks after it ended.
 */
export function windowedCusum(llr: ArrayLike<number>, memory: number, restartAt = Infinity): Float64Array {
  const n = llr.length;
  const statistic = new Float64Array(n);
  let earliest = 0;
  for (let t = 0; t < n; t++) {
    let sum = 0;
    let best = 0;
    for (let k = t; k > t - memory && k >= earliest; k--) {
      const v = llr[k];
      if (v === v) sum += v; // NaN-safe
      if (sum > best) best = sum;
    }
    statistic[t] = best;
    if (best >= restartAt) earliest = t + 1;
  }
  return statistic;
}
