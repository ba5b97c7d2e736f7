/**
 * A log-link count GLM fitted by iteratively reweighted least squares, with prior weights (for
 * down-weighting past outbreaks) and a small ridge penalty (so sparse series stay stable).
 */

export interface GlmFit {
  beta: Float64Array;
  /** Pearson dispersion, at least 1. */
  dispersion: number;
  fitted: Float64Array;
}

/** Solves (A) x = b for a symmetric positive-definite A (Cholesky); A is p×p row-major. */
function solve(a: Float64Array, b: Float64Array, p: number): Float64Array {
  const l = new Float64Array(p * p);
  for (let i = 0; i < p; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = a[i * p + j];
      for (let k = 0; k < j; k++) sum -= l[i * p + k] * l[j * p + k];
      if (i === j) l[i * p + i] = Math.sqrt(Math.max(sum, 1e-12));
      else l[i * p + j] = sum / l[j * p + j];
    }
  }
  const y = new Float64Array(p);
  for (let i = 0; i < p; i++) {
    let sum = b[i];
    for (let k = 0; k < i; k++) sum -= l[i * p + k] * y[k];
    y[i] = sum / l[i * p + i];
  }
  const x = new Float64Array(p);
  for (let i = p - 1; i >= 0; i--) {
    let sum = y[i];
    for (let k = i + 1; k < p; k++) sum -= l[k * p + i] * x[k];
    x[i] = sum / l[i * p + i];
  }
  return x;
}

/**
 * X is n×p row-major (column 0 the intercept), y the counts, w prior weights (1 = full).
 * Returns coefficients, fitted means and the Pearson dispersion (≥ 1).
 */
export function fitLogLinear(x: Float64Array, y: ArrayLike<number>, w: ArrayLike<number>, n: number, p: number, ridge = 1e-3, iterations = 25, start?: Float64Array): GlmFit {
  let mean = 0;
  let weightSum = 0;
  for (let i = 0; i < n; i++) {
    mean += w[i] * y[i];
    weightSum += w[i];
  }
  mean = Math.max(mean / Math.max(weightSum, 1e-9), 0.01);
  // A warm start (last week's coefficients) converges in a few iterations.
  let beta: Float64Array = start ? Float64Array.from(start) : new Float64Array(p);
  if (!start) beta[0] = Math.log(mean);
  const eta = new Float64Array(n);
  const mu = new Float64Array(n);
  for (let it = 0; it < iterations; it++) {
    const xtwx = new Float64Array(p * p);
    const xtwz = new Float64Array(p);
    for (let i = 0; i < n; i++) {
      let e = 0;
      for (let j = 0; j < p; j++) e += x[i * p + j] * beta[j];
      e = Math.min(Math.max(e, -20), 20);
      eta[i] = e;
      const m = Math.exp(e);
      mu[i] = m;
      const weight = w[i] * m;
      if (weight === 0) continue;
      const z = e + (y[i] - m) / m;
      for (let j = 0; j < p; j++) {
        const xij = x[i * p + j];
        if (xij === 0) continue;
        xtwz[j] += weight * xij * z;
        for (let k = 0; k <= j; k++) xtwx[j * p + k] += weight * xij * x[i * p + k];
      }
    }
    for (let j = 0; j < p; j++) for (let k = 0; k < j; k++) xtwx[k * p + j] = xtwx[j * p + k];
    // Ridge on everything but the intercept, scaled to the data's weight.
    for (let j = 1; j < p; j++) xtwx[j * p + j] += ridge * Math.max(weightSum * mean, 1);
    const next = solve(xtwx, xtwz, p);
    let change = 0;
    for (let j = 0; j < p; j++) change = Math.max(change, Math.abs(next[j] - beta[j]));
    beta = next;
    if (change < 1e-5) break;
  }
  let pearson = 0;
  let used = 0;
  for (let i = 0; i < n; i++) {
    let e = 0;
    for (let j = 0; j < p; j++) e += x[i * p + j] * beta[j];
    mu[i] = Math.exp(Math.min(Math.max(e, -20), 20));
    if (w[i] > 0) {
      pearson += (w[i] * (y[i] - mu[i]) ** 2) / mu[i];
      used += w[i];
    }
  }
  const dispersion = Math.max(1, pearson / Math.max(used - p, 1));
  return { beta, dispersion, fitted: mu };
}

/** Anscombe residuals of a Poisson fit, scaled by the dispersion. */
export function anscombe(y: number, mu: number, dispersion: number): number {
  if (mu <= 0) return 0;
  return (1.5 * (Math.cbrt(y * y) - Math.cbrt(mu * mu))) / (Math.pow(mu, 1 / 6) * Math.sqrt(dispersion));
}
