/**
 * The count distribution of the detectors: negative binomial with mean μ and variance φμ (φ ≥ 1,
 * the quasi-Poisson parametrisation; φ = 1 is Poisson). In the usual (size r, success p) form
 * r = μ/(φ−1) and p = 1/φ, so the sum of independent days with the same φ is again of this family
 * with the summed mean — the CUSUM relies on that.
 *
 * Tails are summed from the probability mass at the observed count outwards, with the ratio of
 * consecutive masses, so that neither tiny p-values nor large counts underflow.
 */

/** Below this excess dispersion the Poisson formulas are used (r would exceed μ·10⁸). */
const POISSON_LIMIT = 1e-8;

const HALF_LOG_TWO_PI = 0.5 * Math.log(2 * Math.PI);

/** log Γ(x) for x > 0: Stirling's series after shifting x above 15 (relative error < 1e-14). */
export function logGamma(x: number): number {
  if (!(x > 0)) throw new RangeError(`logGamma needs x > 0, got ${x}`);
  // Γ(x) = Γ(x + k)/(x(x+1)…(x+k−1)): the product stays below 15¹⁵, one log for it.
  let product = 1;
  while (x < 15) {
    product *= x;
    x += 1;
  }
  const shift = Math.log(product);
  const inv = 1 / x;
  const inv2 = inv * inv;
  const series = inv * (1 / 12 - inv2 * (1 / 360 - inv2 * (1 / 1260 - inv2 * (1 / 1680 - inv2 / 1188))));
  return (x - 0.5) * Math.log(x) - x + HALF_LOG_TWO_PI + series - shift;
}

/** log P(X = k) for an integer k ≥ 0. */
export function nbLogPmf(k: number, mean: number, dispersion: number): number {
  if (k < 0) return -Infinity;
  if (mean <= 0) return k === 0 ? 0 : -Infinity;
  if (dispersion - 1 <= POISSON_LIMIT) return k * Math.log(mean) - mean - logGamma(k + 1);
  const size = mean / (dispersion - 1);
  // p = 1/φ, 1 − p = (φ−1)/φ
  return logGamma(k + size) - logGamma(size) - logGamma(k + 1) - size * Math.log(dispersion) + k * Math.log((dispersion - 1) / dispersion);
}

/** P(X = k+1) / P(X = k). */
function massRatio(k: number, mean: number, dispersion: number): number {
  if (dispersion - 1 <= POISSON_LIMIT) return mean / (k + 1);
  const size = mean / (dispersion - 1);
  return ((k + size) / (k + 1)) * ((dispersion - 1) / dispersion);
}

/** Σ P(X = k) for k ≥ x, summed upwards from x; only accurate above the mode (x > mean). */
function sumUpwards(x: number, mean: number, dispersion: number): number {
  let term = Math.exp(nbLogPmf(x, mean, dispersion));
  let total = 0;
  for (let k = x; term > 0; k++) {
    total += term;
    const ratio = massRatio(k, mean, dispersion);
    term *= ratio;
    // Past the mode the ratio only falls, so the rest is below term/(1 − ratio).
    if (ratio < 1 && term / (1 - ratio) < total * 1e-16) break;
  }
  return total;
}

/**
 * P(X ≥ x)/P(X = x) for x above the mean, from the continued fraction of the regularised
 * incomplete beta function: P(X ≥ x) = I_q(x, r) with q = (φ−1)/φ, which converges fast for
 * x > mean (modified Lentz; Numerical Recipes' betacf). In O(√x) steps where summing the masses
 * takes O(sd) terms — a 14-day window of a busy series sums thousands. NaN if it has not
 * converged (the caller then sums).
 */
function tailToMassRatio(x: number, size: number, q: number): number {
  const tiny = 1e-300;
  const sum = x + size;
  let c = 1;
  let d = 1 - (sum * q) / (x + 1);
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 1000; m++) {
    const m2 = 2 * m;
    let a = (m * (size - m) * q) / ((x - 1 + m2) * (x + m2));
    d = 1 + a * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + a / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    h *= d * c;
    a = (-(x + m) * (sum + m) * q) / ((x + m2) * (x + 1 + m2));
    d = 1 + a * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + a / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < 1e-15) return h;
  }
  return Number.NaN;
}

/** Σ P(X = k) for k < x, summed downwards from x − 1. */
function sumDownwards(x: number, mean: number, dispersion: number): number {
  let term = Math.exp(nbLogPmf(x - 1, mean, dispersion));
  let total = 0;
  for (let k = x - 1; k >= 0 && term > 0; k--) {
    total += term;
    if (k === 0) break;
    term /= massRatio(k - 1, mean, dispersion);
    if (term < total * 1e-17 && k < mean) break;
  }
  return total;
}

/** The upper-tail p-value of an observed count: P(X ≥ x). */
export function nbUpperTail(x: number, mean: number, dispersion: number): number {
  if (x <= 0) return 1;
  if (!(mean > 0)) return 0;
  const phi = Math.max(1, dispersion);
  if (x > mean) {
    if (phi - 1 > POISSON_LIMIT) {
      const ratio = tailToMassRatio(x, mean / (phi - 1), (phi - 1) / phi);
      if (Number.isFinite(ratio)) return Math.min(1, Math.exp(nbLogPmf(x, mean, phi)) * ratio);
    }
    return Math.min(1, sumUpwards(x, mean, phi));
  }
  return Math.min(1, Math.max(0, 1 - sumDownwards(x, mean, phi)));
}

/**
 * The upper bound at level α: the smallest u with P(X > u) ≤ α, so that a count alarms at level
 * α exactly when it exceeds u.
 */
export function nbUpperBound(mean: number, dispersion: number, alpha: number): number {
  if (!(mean > 0)) return 0;
  const phi = Math.max(1, dispersion);
  // Start near the answer (normal approximation), then walk one count at a time.
  const sd = Math.sqrt(phi * mean);
  let u = Math.max(0, Math.floor(mean + normalQuantile(1 - alpha) * sd));
  let above = nbUpperTail(u + 1, mean, phi); // P(X > u)
  // The walk's masses follow from one another by their ratio (one log-mass, not one a step).
  if (above > alpha) {
    let mass = Math.exp(nbLogPmf(u + 1, mean, phi));
    // (a mass that underflowed cannot bring the tail down: the bound is where it stands)
    while (above > alpha && mass > 0) {
      u += 1;
      above -= mass;
      mass *= massRatio(u, mean, phi);
    }
    return u;
  }
  let mass = Math.exp(nbLogPmf(u, mean, phi));
  while (u > 0) {
    const withU = above + mass; // P(X > u − 1)
    if (withU > alpha) break;
    above = withU;
    u -= 1;
    mass /= massRatio(u, mean, phi);
  }
  return u;
}

/**
 * Φ⁻¹(p): the standard normal quantile (Acklam's rational approximation, relative error ~1e-9),
 * enough for a starting point and for the EARS p-values.
 */
export function normalQuantile(p: number): number {
  if (p <= 0) return -Infinity;
  if (p >= 1) return Infinity;
  const a = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
  const b = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
  const c = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
  const low = 0.02425;
  if (p < low) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  if (p > 1 - low) return -normalQuantile(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return ((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q) / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
}

/**
 * 1 − Φ(z): the standard normal upper tail, from the complementary error function (a Chebyshev
 * fit with relative error below 1.2e-7, so small tails keep their digits).
 */
export function normalUpperTail(z: number): number {
  return 0.5 * complementaryErrorFunction(z / Math.SQRT2);
}

function complementaryErrorFunction(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const poly = -z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))));
  const value = t * Math.exp(poly);
  return x >= 0 ? value : 2 - value;
}

/**
 * Maximum-likelihood φ of counts y[i] with known means mu[i − from] and prior weights
 * weights[i − from], i in [from, to). For sparse counts the Pearson estimate is ruled by the rare large count (one
 * day of 4 where 0.2 were expected adds 60 to the χ² sum); the likelihood weighs it by a log.
 * Golden-section search on log(φ − 1) over [1e-4, 50] — or, given a previous estimate, over a
 * bracket around it, widened when the optimum sits on its edge; returns 1 when Poisson fits best.
 */
export function nbDispersionMle(y: Float64Array, mu: Float64Array, weights: Float64Array, from: number, to: number, near?: number): number {
  // Days with no count contribute −w·r·log φ = −w·μ·log φ/(φ−1): their weighted means add up.
  let zeroMass = 0;
  const positive: number[] = [];
  for (let i = from; i < to; i++) {
    const w = weights[i - from];
    if (w === 0) continue;
    if (y[i] === 0) zeroMass += w * mu[i - from];
    else positive.push(i);
  }
  const logLikelihood = (phi: number) => {
    const excess = phi - 1;
    const logPhi = Math.log(phi);
    const logFailure = Math.log(excess / phi);
    let total = (-zeroMass / excess) * logPhi;
    for (const i of positive) {
      const m = mu[i - from];
      const k = y[i];
      const size = m / excess;
      // log Γ(k + r) − log Γ(r) as a short product for the small counts of a quiet series (one
      // log of the product: below 30 factors of at most 10⁸ it cannot overflow).
      let ratio: number;
      if (k < 30 && size < 1e8) {
        let product = 1;
        for (let j = 0; j < k; j++) product *= size + j;
        ratio = Math.log(product);
      } else ratio = logGamma(k + size) - logGamma(size);
      total += weights[i - from] * (ratio - size * logPhi + k * logFailure);
    }
    return total;
  };
  const lowest = Math.log(1e-4);
  const highest = Math.log(50);
  if (near !== undefined && near > 1) {
    const centre = Math.log(near - 1);
    const phi = goldenSection(logLikelihood, Math.max(lowest, centre - 0.5), Math.min(highest, centre + 0.5));
    const edge = Math.log(phi - 1);
    if (edge > centre - 0.45 && edge < centre + 0.45) return phi < 1 + 1e-3 ? 1 : phi;
  }
  const phi = goldenSection(logLikelihood, lowest, highest);
  return phi < 1 + 1e-3 ? 1 : phi;
}

/** The φ maximising `f(φ)`, searched on log(φ − 1) in [low, high] to ±0.02 (φ−1 to ±2 %). */
function goldenSection(f: (phi: number) => number, low: number, high: number): number {
  const golden = (Math.sqrt(5) - 1) / 2;
  let a = high - golden * (high - low);
  let b = low + golden * (high - low);
  let fa = f(1 + Math.exp(a));
  let fb = f(1 + Math.exp(b));
  for (let iteration = 0; iteration < 30 && high - low > 0.04; iteration++) {
    if (fa > fb) {
      high = b;
      b = a;
      fb = fa;
      a = high - golden * (high - low);
      fa = f(1 + Math.exp(a));
    } else {
      low = a;
      a = b;
      fa = fb;
      b = low + golden * (high - low);
      fb = f(1 + Math.exp(b));
    }
  }
  return 1 + Math.exp((low + high) / 2);
}
