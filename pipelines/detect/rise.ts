import { nbUpperTail, normalQuantile, normalUpperTail } from './negbin.js';

/**
 * The sustained-rise channel: a scan over the windows of 2…`longest` days that end on the judged
 * day, each window's total tested against its expected total under the negative-binomial model.
 *
 * Window L (the last L days) has observed total O_L, expected total E_L = Σ μ₀ and null variance
 * V_L = max(Σ φᵢμᵢ, D_L·E_L), D_L the model's dispersion of L-day sums (misfit and day noise that
 * last add up over a window). Its p-value p_L = P(S ≥ O_L) is the exact NB tail of a sum with that
 * mean and variance; z_L = Φ̄⁻¹(p_L). The channel's statistic is c = max_L z_L.
 *
 * The p-value of the maximum. Nested windows ending on the same day are sums of one sequence
 * read backwards, S_L = S_{L−1} + x_{t−L+1}: a random walk, whose standardised values Z_L are
 * strongly correlated (√(V_{L−1}/V_L) between neighbours). Bonferroni over the 13 windows would
 * pay ×13 for what is nearly one test; instead the Hunter–Worsley bound along that chain:
 *     P(max_L Z_L ≥ c) ≤ P(Z_2 ≥ c) + Σ_{L≥3} P(Z_{L−1} < c ≤ Z_L)
 * (the walk must cross c at its first window or step across it later), and for a bivariate normal
 * pair with correlation ρ, P(Z_{L−1} < c ≤ Z_L) = 2·T(c, √((1−ρ)/(1+ρ))), Owen's T function.
 * The first term is exact from the window's own NB tail; the step terms use the normal
 * approximation of the walk, which is where it applies (sums of several days). With the window
 * variances inflated for lasting noise, the real correlation between neighbours is higher than
 * √(V_{L−1}/V_L), which makes the bound conservative, not liberal. At the levels that matter it
 * costs about ×6–8 (measured against the ×13 of Bonferroni in test/detect/rise.test.ts).
 *
 * Windows never reach back before `earliest` (the day after the series' last alarm), so one
 * outbreak is not re-reported from its own days once it has alarmed.
 */

/** Days of the shortest window (a one-day window is the day channel). */
export const SHORTEST_RISE = 2;

/** The best window of a judged day. */
export interface RiseWindow {
  /** Series position of the window's first day (its last is the judged day). */
  start: number;
  days: number;
  observed: number;
  expected: number;
  /** max_L z_L (0 when no window lies a standard deviation above its expectation). */
  z: number;
  /** P(max over the windows ≥ z) under the model; 1 when z < 1 (no window is worth an alarm). */
  pValue: number;
}

const GAUSS_LEGENDRE_NODES = [0.1834346424956498, 0.525532409916329, 0.7966664774136267, 0.9602898564975363];
const GAUSS_LEGENDRE_WEIGHTS = [0.362683783378362, 0.3137066458778873, 0.2223810344533745, 0.1012285362903763];

/**
 * Owen's T(h, a) = (1/2π) ∫₀ᵃ exp(−h²(1+x²)/2)/(1+x²) dx for 0 ≤ a ≤ 1, by 8-point Gauss–Legendre
 * on two halves of [0, a]: the integrand is smooth there and at most as narrow as 1/h.
 */
export function owensT(h: number, a: number): number {
  if (a <= 0) return 0;
  const hh = (h * h) / 2;
  let total = 0;
  for (const [from, to] of [[0, a / 2], [a / 2, a]] as const) {
    const half = (to - from) / 2;
    const middle = (to + from) / 2;
    for (let k = 0; k < 4; k++) {
      for (const sign of [-1, 1]) {
        const x = middle + sign * half * GAUSS_LEGENDRE_NODES[k];
        const q = 1 + x * x;
        total += GAUSS_LEGENDRE_WEIGHTS[k] * half * (Math.exp(-hh * q) / q);
      }
    }
  }
  return total / (2 * Math.PI);
}

/**
 * The Hunter–Worsley bound on P(max_k Z_k ≥ c) for nested windows whose null variances are
 * variances[0 … count − 1] (increasing with the window).
 */
export function scanPValue(c: number, variances: ArrayLike<number>, count: number): number {
  if (!(c > 0) || count < 1) return 1;
  let bound = normalUpperTail(c);
  for (let k = 1; k < count; k++) {
    const rho = Math.sqrt(Math.min(1, variances[k - 1] / variances[k]));
    bound += 2 * owensT(c, Math.min(1, Math.sqrt((1 - rho) / (1 + rho))));
    if (bound >= 1) return 1;
  }
  return bound;
}

/**
 * Scores the windows ending at position t. Arrays are indexed by series position minus `base`:
 * `mean` μ₀ of each day and `dayVariance` its φμ₀ under the model judging t; `windowDispersion[L]`
 * D_L for L = 1…the longest window. Windows start at `earliest` or later.
 */
export class RiseScan {
  private readonly variances: Float64Array;
  private readonly longest: number;

  /** `lengths`: the window lengths scanned, in days (each ≥ 2). */
  constructor(private readonly lengths: readonly number[]) {
    if (!lengths.length || lengths.some((l, k) => !Number.isInteger(l) || l < SHORTEST_RISE || (k > 0 && l <= lengths[k - 1]))) {
      throw new RangeError(`rise windows must be increasing whole numbers of days ≥ ${SHORTEST_RISE} (got ${lengths.join(', ')})`);
    }
    this.variances = new Float64Array(lengths.length);
    this.longest = lengths[lengths.length - 1];
  }

  scan(t: number, earliest: number, counts: ArrayLike<number>, mean: Float64Array, dayVariance: Float64Array, base: number, windowDispersion: ArrayLike<number>): RiseWindow {
    const longest = Math.min(this.longest, t - earliest + 1);
    const best: RiseWindow = { start: t, days: 0, observed: 0, expected: 0, z: 0, pValue: 1 };
    let observed = 0;
    let expected = 0;
    let variance = 0;
    let scanned = 0;
    for (let length = 1; length <= longest; length++) {
      const i = t - length + 1;
      observed += counts[i];
      expected += mean[i - base];
      variance += dayVariance[i - base];
      if (length !== this.lengths[scanned]) continue;
      const v = Math.max(variance, windowDispersion[length] * expected);
      this.variances[scanned++] = v;
      // A window less than one sd above its expectation cannot make an alarm (its p_L alone is
      // above 0.16), so its exact tail is not worth computing.
      if (observed - expected < Math.sqrt(v)) continue;
      const p = nbUpperTail(observed, expected, v / expected);
      const z = -normalQuantile(Math.max(p, 1e-300));
      if (z > best.z) {
        best.start = i;
        best.days = length;
        best.observed = observed;
        best.expected = expected;
        best.z = z;
      }
    }
    if (best.z >= 1) best.pValue = scanPValue(best.z, this.variances, scanned);
    return best;
  }
}
