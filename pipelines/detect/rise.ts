import { nbUpperTail, normalQuantile, normalUpperTail } from './negbin.js';

/**
 * The sustained-rise channel: a scan over windows of a few lengths (2, 3, 5 and 7 days by
 * default) that end on the judged day, each window's total tested against its expected total
 * under the negative-binomial model.
 *
 * Window L (the last L days) has observed total O_L, expected total E_L = Σ μ₀ and null variance
 * V_L = max(Σ φᵢμᵢ, D_L·E_L) + φ_c·‖Σ μᵢL⁻¹xᵢ‖²: the days' noise, or D_L, the model's dispersion
 * of L-day sums if larger (misfit and day noise that last add up over a window), plus the error
 * the expected total inherits from the fitted coefficients, shared by all its days
 * (see RiseBaseline). Its p-value p_L = P(S ≥ O_L) is the exact NB tail of a sum with that
 * mean and variance; z_L = Φ̄⁻¹(p_L). The channel's statistic is c = max_L z_L.
 *
 * The p-value of the maximum. Nested windows ending on the same day are one sequence read
 * backwards, S_L = S_{L'} + (the days L adds): a random walk, whose standardised values are
 * strongly correlated. Bonferroni over the windows would pay ×4 (×6 with 10 and 14 days) for
 * what is nearly one test; instead the Hunter–Worsley bound along that chain:
 *     P(max_k Z_k ≥ c) ≤ P(Z_1 ≥ c) + Σ_{k≥2} P(Z_{k−1} < c ≤ Z_k)
 * (the walk must cross c at its first window or step across it later), and for a bivariate
 * normal pair with correlation ρ, P(Z_{k−1} < c ≤ Z_k) = 2·T(c, √((1−ρ)/(1+ρ))), Owen's T function.
 * ρ between nested windows is (V_inner + V_outer − V_added)/(2√(V_inner·V_outer)). The first term
 * is exact from the window's own NB tail; the step terms use the normal approximation of the
 * walk, which is where it applies (sums of several days). At the levels that matter (c ≈ 2.5–3.5)
 * the bound costs about ×3 over one window for the default windows 2, 3, 5, 7 (×4–5 with 10 and
 * 14 added), and a simulated walk shows it tight (test/detect/rise.test.ts).
 *
 * Windows never reach back before `earliest` (the day after the series' last alarm), so one
 * outbreak is not re-reported from its own days once it has alarmed.
 */

/** Days of the shortest window (a one-day window is the day channel). */
export const SHORTEST_RISE = 2;

/**
 * What the model expects of the days a scan reaches back to, indexed by series position − `from`:
 * μ₀ and φμ₀ of each day, and s = μ₀‖L⁻¹x‖ (L the Cholesky factor of the fit's information), the
 * sd of its expected count over √φ_c (`parameterDispersion`). A window's expected total inherits
 * the coefficients' error, φ_c·‖Σ μ₀·L⁻¹x‖²: exactly that when the days' vectors μ₀L⁻¹x are given
 * (`prediction`), else its bound φ_c·(Σ s)², as if the days' errors moved together. The exact
 * form is smaller where they do not (weekday and holiday terms differ between the days).
 */
export interface RiseBaseline {
  from: number;
  mean: Float64Array;
  dayVariance: Float64Array;
  predictionSd: Float64Array;
  /**
   * μ₀L⁻¹x of each day (`columns` values a day, 0 before the days the windows reach), when known:
   * a window's expected total then inherits exactly φ_c·‖Σ μ₀L⁻¹x‖² instead of the bound.
   */
  prediction?: { vectors: Float64Array; columns: number };
  parameterDispersion: number;
}

const squaredNorm = (v: Float64Array) => {
  let sum = 0;
  for (let j = 0; j < v.length; j++) sum += v[j] * v[j];
  return sum;
};

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
 * The Hunter–Worsley bound on P(max_k Z_k ≥ c) for nested windows k = 0 … count − 1, given the
 * correlation of each window's total with the one before it (correlations[k], k ≥ 1).
 */
export function scanPValue(c: number, correlations: ArrayLike<number>, count: number): number {
  if (!(c > 0) || count < 1) return 1;
  let bound = normalUpperTail(c);
  for (let k = 1; k < count; k++) {
    const rho = Math.min(1, Math.max(0, correlations[k]));
    bound += 2 * owensT(c, Math.min(1, Math.sqrt((1 - rho) / (1 + rho))));
    if (bound >= 1) return 1;
  }
  return bound;
}

/**
 * The correlation of the totals of nested windows a ⊂ b from their variances and the variance
 * of the days b adds: Cov = (V_a + V_b − V_added)/2 (exact when the added days are independent
 * of the rest; with lasting noise it is what a stationary series gives).
 */
export const nestedCorrelation = (inner: number, outer: number, added: number) => (inner + outer - added) / (2 * Math.sqrt(inner * outer));

/**
 * Scores the windows ending at position t, under the model judging t (`baseline`) and its
 * window dispersions (`windowDispersion[L]`, D_L for L = 1…the longest window). A window's null
 * variance is max(Σ φμ₀, D_L·E) plus what its expected total inherits from the fitted
 * coefficients. Windows start at `earliest` or later.
 */
export class RiseScan {
  /** Correlation of each scanned window's total with the one before it. */
  private readonly correlations: Float64Array;
  private readonly longest: number;
  /** Σ μ₀L⁻¹x of the window and of the days added since the last scanned one (reused buffers). */
  private readonly buffers: Float64Array[] = [new Float64Array(0), new Float64Array(0)];

  /** `lengths`: the window lengths scanned, in days (each ≥ 2). */
  constructor(private readonly lengths: readonly number[]) {
    if (!lengths.length || lengths.some((l, k) => !Number.isInteger(l) || l < SHORTEST_RISE || (k > 0 && l <= lengths[k - 1]))) {
      throw new RangeError(`rise windows must be increasing whole numbers of days ≥ ${SHORTEST_RISE} (got ${lengths.join(', ')})`);
    }
    this.correlations = new Float64Array(lengths.length);
    this.longest = lengths[lengths.length - 1];
  }

  scan(t: number, earliest: number, counts: ArrayLike<number>, baseline: RiseBaseline, windowDispersion: ArrayLike<number>): RiseWindow {
    const { from: base, mean, dayVariance, predictionSd, prediction, parameterDispersion } = baseline;
    const columns = prediction?.columns ?? 0;
    const window = this.sums(columns, 0);
    const added = this.sums(columns, 1);
    window.fill(0);
    added.fill(0);
    const longest = Math.min(this.longest, t - earliest + 1);
    const best: RiseWindow = { start: t, days: 0, observed: 0, expected: 0, z: 0, pValue: 1 };
    let observed = 0;
    let expected = 0;
    let variance = 0;
    let inherited = 0;
    // The days added since the last scanned window: their expected total, day variance, length.
    let addedExpected = 0;
    let addedVariance = 0;
    let addedInherited = 0;
    let addedDays = 0;
    let previous = 0;
    let scanned = 0;
    for (let length = 1; length <= longest; length++) {
      const i = t - length + 1;
      const m = mean[i - base];
      observed += counts[i];
      expected += m;
      variance += dayVariance[i - base];
      inherited += predictionSd[i - base];
      for (let j = 0; j < columns; j++) {
        const v = prediction!.vectors[(i - base) * columns + j];
        window[j] += v;
        added[j] += v;
      }
      addedExpected += m;
      addedVariance += dayVariance[i - base];
      addedInherited += predictionSd[i - base];
      addedDays++;
      if (length !== this.lengths[scanned]) continue;
      const v = Math.max(variance, windowDispersion[length] * expected) + parameterDispersion * (columns ? squaredNorm(window) : inherited * inherited);
      if (scanned > 0) {
        const addedTotal = Math.max(addedVariance, windowDispersion[addedDays] * addedExpected) + parameterDispersion * (columns ? squaredNorm(added) : addedInherited * addedInherited);
        this.correlations[scanned] = nestedCorrelation(previous, v, addedTotal);
      }
      previous = v;
      scanned++;
      addedExpected = 0;
      addedVariance = 0;
      addedInherited = 0;
      added.fill(0);
      addedDays = 0;
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
    if (best.z >= 1) best.pValue = scanPValue(best.z, this.correlations, scanned);
    return best;
  }

  private sums(columns: number, which: 0 | 1): Float64Array {
    if (this.buffers[which].length !== columns) this.buffers[which] = new Float64Array(columns);
    return this.buffers[which];
  }
}

