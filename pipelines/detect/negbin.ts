/**
 * Negative-binomial tail probabilities and quantiles with mean μ and variance φμ (φ ≥ 1; φ = 1 is
 * Poisson). Computed from log-probabilities so that large counts neither underflow nor overflow.
 */

const LANCZOS = [676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];

/** log Γ(x) for x > 0 (Lanczos, g = 7). */
export function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
  const z = x - 1;
  let a = 0.99999999999980993;
  const t = z + 7.5;
  for (let i = 0; i < LANCZOS.length; i++) a += LANCZOS[i] / (z + i + 1);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

/** log P(X = k). */
export function logPmf(k: number, mean: number, dispersion: number): number {
  if (mean <= 0) return k === 0 ? 0 : -Infinity;
  if (dispersion <= 1 + 1e-9) return k * Math.log(mean) - mean - logGamma(k + 1);
  const size = mean / (dispersion - 1);
  return logGamma(k + size) - logGamma(size) - logGamma(k + 1) + size * Math.log(size / (size + mean)) + k * Math.log(mean / (size + mean));
}

/** P(X ≥ x): the upper-tail p-value of an observed count. */
export function upperTail(x: number, mean: number, dispersion: number): number {
  if (x <= 0) return 1;
  if (mean <= 0) return 0;
  // Sum the smaller side: below x when x is above the mean, the tail itself otherwise.
  if (x <= mean) {
    let below = 0;
    for (let k = 0; k < x; k++) below += Math.exp(logPmf(k, mean, dispersion));
    return Math.min(1, Math.max(0, 1 - below));
  }
  let tail = 0;
  for (let k = x; ; k++) {
    const p = Math.exp(logPmf(k, mean, dispersion));
    tail += p;
    if (p < tail * 1e-12 || k > x + 100_000) break;
  }
  return Math.min(1, tail);
}

/** The smallest u with P(X > u) ≤ α: counts above u are alarms at level α. */
export function upperBound(mean: number, dispersion: number, alpha: number): number {
  if (mean <= 0) return 0;
  let cumulative = 0;
  for (let u = 0; ; u++) {
    cumulative += Math.exp(logPmf(u, mean, dispersion));
    if (1 - cumulative <= alpha || u > mean * 50 + 1000) return u;
  }
}
