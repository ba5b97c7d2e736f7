import { nbDispersionMle, nbUpperTail, normalQuantile } from './negbin.js';

/**
 * A quasi-Poisson log-linear model (log μ = Xβ, variance φμ) fitted by penalised iteratively
 * reweighted least squares, and the outbreak-robust refit of Farrington / Noufaily: fit, find the
 * days whose standardised Anscombe residual exceeds a threshold, down-weight them, fit again.
 *
 * The design matrix is sparse by rows: a day has an intercept and a trend (stored densely), four
 * non-zero values of the season spline and a handful of calendar indicators, so each row keeps
 * only its non-zero entries. Building XᵀWX then costs (non-zeros per row)² per day instead of
 * (columns)², which is what makes a weekly refit of hundreds of series cheap.
 */

export class SparseDesign {
  private constructor(
    readonly rows: number,
    readonly columns: number,
    /** Columns 0…dense−1 are stored for every row (intercept, trend, Fourier terms). */
    readonly dense: number,
    /** Sparse entries stored per row (the most any row holds). */
    readonly width: number,
    readonly denseValue: Float64Array,
    readonly column: Int32Array,
    readonly value: Float64Array,
    readonly filled: Uint8Array,
  ) {}

  /**
   * `fill(row, set)` calls `set(column, value)` for the row's entries: every dense column, and the
   * non-zero sparse ones in any order (they are sorted here; the accumulation relies on it).
   */
  static build(rows: number, columns: number, dense: number, width: number, fill: (row: number, set: (column: number, value: number) => void) => void): SparseDesign {
    const denseValue = new Float64Array(rows * dense);
    const column = new Int32Array(rows * width);
    const value = new Float64Array(rows * width);
    const filled = new Uint8Array(rows);
    let row = 0;
    const set = (c: number, v: number) => {
      if (c < 0 || c >= columns) throw new RangeError(`column ${c} outside 0…${columns - 1}`);
      if (c < dense) {
        denseValue[row * dense + c] = v;
        return;
      }
      if (v === 0) return;
      const k = filled[row];
      if (k >= width) throw new RangeError(`row ${row} has more than ${width} sparse entries`);
      // Insertion in column order.
      let at = row * width + k;
      while (at > row * width && column[at - 1] > c) {
        column[at] = column[at - 1];
        value[at] = value[at - 1];
        at--;
      }
      if (at > row * width && column[at - 1] === c) throw new RangeError(`row ${row}: column ${c} set twice`);
      column[at] = c;
      value[at] = v;
      filled[row] = k + 1;
    };
    for (row = 0; row < rows; row++) fill(row, set);
    // Rows are stored at the width the widest one needs: IRLS walks every row each pass, and a
    // compact row layout keeps a fit's rows in cache.
    let widest = 0;
    for (let r = 0; r < rows; r++) widest = Math.max(widest, filled[r]);
    if (widest === width) return new SparseDesign(rows, columns, dense, width, denseValue, column, value, filled);
    const compactColumn = new Int32Array(rows * widest);
    const compactValue = new Float64Array(rows * widest);
    for (let r = 0; r < rows; r++) {
      for (let k = 0; k < filled[r]; k++) {
        compactColumn[r * widest + k] = column[r * width + k];
        compactValue[r * widest + k] = value[r * width + k];
      }
    }
    return new SparseDesign(rows, columns, dense, widest, denseValue, compactColumn, compactValue, filled);
  }

  /** xᵢᵀβ */
  linear(row: number, beta: ArrayLike<number>): number {
    let eta = 0;
    const d = this.dense;
    for (let j = 0; j < d; j++) eta += this.denseValue[row * d + j] * beta[j];
    const base = row * this.width;
    for (let k = 0; k < this.filled[row]; k++) eta += this.value[base + k] * beta[this.column[base + k]];
    return eta;
  }

  /** Calls `visit(column, value)` for the row's entries (dense ones included, zeros or not). */
  forEachEntry(row: number, visit: (column: number, value: number) => void): void {
    for (let j = 0; j < this.dense; j++) visit(j, this.denseValue[row * this.dense + j]);
    const base = row * this.width;
    for (let k = 0; k < this.filled[row]; k++) visit(this.column[base + k], this.value[base + k]);
  }
}

export interface GlmOptions {
  /** Rows [from, to) of the design are fitted. */
  from: number;
  to: number;
  /** Prior weights of rows from…to−1, at [row − from] (1 = a full day, 0 = left out); default all 1. */
  weights?: Float64Array;
  /**
   * Quadratic penalty ½ βᵀPβ subtracted from the log-likelihood: a p×p symmetric matrix
   * (row-major), or its diagonal alone (a ridge per coefficient); default none.
   */
  penalty?: ArrayLike<number>;
  /**
   * Where P (as a p×p matrix) may be non-zero: positions row·p + column, every non-zero among them
   * (zeros allowed). The gradient Pβ then walks these instead of scanning all p² entries per fit.
   */
  penaltyPattern?: Int32Array;
  /** Starting coefficients, e.g. last week's fit; default log(mean) intercept (column 0). */
  start?: ArrayLike<number>;
  maxIterations?: number;
  /** Converged when the last step moved no coefficient by more than this (log scale). */
  tolerance?: number;
  /**
   * The Cholesky factor of XᵀWX + P from a recent fit of nearly the same rows (last week's). Steps
   * then reuse it and only the score Xᵀ(w(y − μ)) − Pβ is summed over the rows — a few products per
   * row instead of (non-zeros)² — converging linearly at the rate the information has changed
   * (about the share of rows that moved). Falls back to a full Newton step if that stalls.
   * Without it the fit starts with a Newton step; in either case the steps after a Newton step
   * reuse its factor while they contract (each halving the last), so that a fit builds XᵀWX once.
   */
  hessian?: Float64Array;
}

export interface GlmFit {
  beta: Float64Array;
  /**
   * Fitted means of rows from…to−1 and the Pearson dispersion Σw(y−μ)²/μ / (Σw − p) (not yet
   * floored at 1), both at the start of the last iteration. IRLS is Newton's method here (the log
   * link is canonical), so the last step is within `tolerance` and moves them by less; saving
   * the extra pass over the rows halves the cost of a refit.
   */
  mu: Float64Array;
  pearson: number;
  iterations: number;
  converged: boolean;
  /**
   * Cholesky factor of XᵀWX + P at the start of the fit's last Newton step, or the `hessian` it
   * reused throughout (p×p, lower, row-major).
   */
  information: Float64Array;
}

/** n prior weights of 1 (one shared buffer: fits only read their weights). */
let unitWeights = new Float64Array(0);
function ones(n: number): Float64Array {
  if (unitWeights.length < n) unitWeights = new Float64Array(Math.max(n, 2 * unitWeights.length)).fill(1);
  return unitWeights.subarray(0, n);
}

/** η is clamped so that a runaway coefficient cannot produce Infinity. */
const ETA_LIMIT = 30;

/** In place: A (p×p, symmetric, row-major) → its lower Cholesky factor. Tiny pivots are floored. */
function cholesky(a: Float64Array, p: number): void {
  for (let j = 0; j < p; j++) {
    let diagonal = a[j * p + j];
    for (let k = 0; k < j; k++) diagonal -= a[j * p + k] * a[j * p + k];
    // A column with no information (e.g. an indicator never set in the window) gets a unit pivot.
    const pivot = diagonal > 1e-10 ? Math.sqrt(diagonal) : 1;
    a[j * p + j] = pivot;
    for (let i = j + 1; i < p; i++) {
      let s = a[i * p + j];
      for (let k = 0; k < j; k++) s -= a[i * p + k] * a[j * p + k];
      a[i * p + j] = s / pivot;
    }
    for (let i = 0; i < j; i++) a[i * p + j] = 0;
  }
}

/**
 * Positions row·p + column of the penalty's non-zero entries — a season's roughness is banded, so
 * the gradient Pβ of each pass costs tens of products, not p². Null when P is given as its diagonal.
 */
function penaltyEntries(penalty: ArrayLike<number> | undefined, p: number, pattern: Int32Array | undefined): Int32Array | null {
  if (!penalty || penalty.length === p) return null;
  if (pattern) return pattern;
  let count = 0;
  for (let k = 0; k < p * p; k++) if (penalty[k] !== 0) count++;
  const entries = new Int32Array(count);
  count = 0;
  for (let k = 0; k < p * p; k++) if (penalty[k] !== 0) entries[count++] = k;
  return entries;
}

/** score −= Pβ (the penalty's gradient), P given by the positions of its non-zero entries or as its diagonal. */
function subtractPenaltyGradient(score: Float64Array, beta: Float64Array, penalty: ArrayLike<number> | undefined, entries: Int32Array | null, p: number): void {
  if (!penalty) return;
  if (!entries) {
    for (let i = 0; i < p; i++) score[i] -= penalty[i] * beta[i];
    return;
  }
  for (let e = 0; e < entries.length; e++) {
    const k = entries[e];
    const row = Math.floor(k / p);
    score[row] -= penalty[k] * beta[k - row * p];
  }
}

/** Solves L Lᵀ x = b for the factor of `cholesky`, into `x` (`y`: scratch of length p). */
function choleskySolve(l: Float64Array, b: Float64Array, p: number, x = new Float64Array(p), y = new Float64Array(p)): Float64Array {
  for (let i = 0; i < p; i++) {
    let s = b[i];
    for (let k = 0; k < i; k++) s -= l[i * p + k] * y[k];
    y[i] = s / l[i * p + i];
  }
  for (let i = p - 1; i >= 0; i--) {
    let s = y[i];
    for (let k = i + 1; k < p; k++) s -= l[k * p + i] * x[k];
    x[i] = s / l[i * p + i];
  }
  return x;
}

/** η = xᵢβ of row i, clamped to ±ETA_LIMIT (small, so that V8 inlines it into the row passes). */
function linearPredictor(design: SparseDesign, beta: Float64Array, i: number): number {
  const { dense, denseValue, width, column, value, filled } = design;
  const denseBase = i * dense;
  const base = i * width;
  const count = filled[i];
  let eta = 0;
  for (let a = 0; a < dense; a++) eta += denseValue[denseBase + a] * beta[a];
  for (let k = 0; k < count; k++) eta += value[base + k] * beta[column[base + k]];
  return eta > ETA_LIMIT ? ETA_LIMIT : eta < -ETA_LIMIT ? -ETA_LIMIT : eta;
}

/**
 * One pass over rows [from, to) at β: μ into `mu` (at [row − from]), the score Xᵀ(w(y − μ)) into
 * `score`; returns the Pearson sum Σw(y − μ)²/μ. (The hot loop of a refit, kept in a function of
 * its own: inside fitGlm V8 compiled it several times slower.)
 */
function scorePass(design: SparseDesign, y: Float64Array, weights: Float64Array, beta: Float64Array, from: number, to: number, mu: Float64Array, score: Float64Array): number {
  const { dense, denseValue, width, column, value, filled } = design;
  score.fill(0);
  let pearson = 0;
  for (let i = from; i < to; i++) {
    const denseBase = i * dense;
    const base = i * width;
    const count = filled[i];
    const eta = linearPredictor(design, beta, i);
    const m = Math.exp(eta);
    mu[i - from] = m;
    const prior = weights[i - from];
    if (prior === 0) continue;
    const residual = y[i] - m;
    pearson += (prior * residual * residual) / m;
    const r = prior * residual;
    for (let a = 0; a < dense; a++) score[a] += denseValue[denseBase + a] * r;
    for (let k = 0; k < count; k++) score[column[base + k]] += value[base + k] * r;
  }
  return pearson;
}

/**
 * One pass over rows [from, to) at β for a Newton step: μ into `mu`, the lower triangle of XᵀWX
 * into `xtwx` and XᵀWz into `xtwz` (W = wμ, z = η + (y − μ)/μ); returns the Pearson sum.
 */
function informationPass(design: SparseDesign, y: Float64Array, weights: Float64Array, beta: Float64Array, from: number, to: number, mu: Float64Array, xtwx: Float64Array, xtwz: Float64Array): number {
  const { columns: p, dense, denseValue, width, column, value, filled } = design;
  xtwx.fill(0);
  xtwz.fill(0);
  let pearson = 0;
  for (let i = from; i < to; i++) {
    const denseBase = i * dense;
    const base = i * width;
    const count = filled[i];
    const eta = linearPredictor(design, beta, i);
    const m = Math.exp(eta);
    mu[i - from] = m;
    const prior = weights[i - from];
    if (prior === 0) continue;
    const residual = y[i] - m;
    pearson += (prior * residual * residual) / m;
    // Working weight μ and working response η + (y − μ)/μ, times the prior weight.
    const w = prior * m;
    const wz = w * eta + prior * residual;
    // Lower triangle only: dense × dense, then each sparse column against all before it.
    for (let a = 0; a < dense; a++) {
      const va = denseValue[denseBase + a];
      xtwz[a] += va * wz;
      const wva = w * va;
      const row = a * p;
      for (let b = 0; b <= a; b++) xtwx[row + b] += wva * denseValue[denseBase + b];
    }
    for (let k = 0; k < count; k++) {
      const c = column[base + k];
      const v = value[base + k];
      xtwz[c] += v * wz;
      const wv = w * v;
      const row = c * p;
      for (let b = 0; b < dense; b++) xtwx[row + b] += wv * denseValue[denseBase + b];
      for (let l = 0; l <= k; l++) xtwx[row + column[base + l]] += wv * value[base + l];
    }
  }
  return pearson;
}

/** Fits the quasi-Poisson model to counts `y` (indexed like the design rows). */
export function fitGlm(design: SparseDesign, y: Float64Array, options: GlmOptions): GlmFit {
  const { from, to } = options;
  const p = design.columns;
  const weights = options.weights ?? ones(to - from);
  const maxIterations = options.maxIterations ?? 50;
  const tolerance = options.tolerance ?? 1e-8;
  const n = to - from;
  let weightSum = 0;
  for (let i = 0; i < n; i++) weightSum += weights[i];
  let beta: Float64Array = new Float64Array(p);
  if (options.start) beta.set(options.start);
  else {
    let total = 0;
    for (let i = from; i < to; i++) total += weights[i - from] * y[i];
    beta[0] = Math.log(Math.max(total / Math.max(weightSum, 1e-9), 1e-3));
  }
  const mu = new Float64Array(n);
  // (the Newton steps' matrices, made only when such a step is taken)
  let xtwx: Float64Array | undefined;
  let xtwz = new Float64Array(0);
  // The factor that steps reuse: the given one, or the one the last Newton step built.
  let factor = options.hessian;
  let reused = 0;
  let newtonOnly = false;
  const score = new Float64Array(p);
  const step = new Float64Array(p);
  const forward = new Float64Array(p);
  const entries = penaltyEntries(options.penalty, p, options.penaltyPattern);
  let pearson = 0;
  let iterations = 0;
  let converged = false;
  let previous = Infinity;
  while (iterations < maxIterations && !converged) {
    iterations++;
    let change = 0;
    if (factor) {
      // A step on a recent factor: only the score is summed over the rows.
      reused++;
      pearson = scorePass(design, y, weights, beta, from, to, mu, score);
      subtractPenaltyGradient(score, beta, options.penalty, entries, p);
      choleskySolve(factor, score, p, step, forward);
      for (let j = 0; j < p; j++) {
        beta[j] += step[j];
        change = Math.max(change, Math.abs(step[j]));
      }
    } else {
      // A Newton step, which builds the factor the next steps reuse.
      if (!xtwx) {
        xtwx = new Float64Array(p * p);
        xtwz = new Float64Array(p);
      }
      pearson = informationPass(design, y, weights, beta, from, to, mu, xtwx, xtwz);
      const penalty = options.penalty;
      if (penalty && penalty.length === p) for (let i = 0; i < p; i++) xtwx[i * p + i] += penalty[i];
      else if (penalty) for (let i = 0; i < p; i++) for (let j = 0; j <= i; j++) xtwx[i * p + j] += penalty[i * p + j];
      cholesky(xtwx, p);
      const next = choleskySolve(xtwx, xtwz, p, undefined, forward);
      for (let j = 0; j < p; j++) change = Math.max(change, Math.abs(next[j] - beta[j]));
      beta = next;
      factor = xtwx;
      reused = 0;
    }
    converged = change < tolerance;
    // Not contracting (or slowly): the factor no longer fits; the next step is a Newton step. A
    // step on this fit's own factor that failed is taken back, and the fit goes on by Newton
    // steps alone (still far from the answer, where IRLS needs them); a given factor's step is
    // kept, as progress towards the answer.
    if (!converged && reused > 0 && (change > 0.5 * previous || reused >= 6)) {
      if (factor !== options.hessian && change > 0.5 * previous) {
        for (let j = 0; j < p; j++) beta[j] -= step[j];
        change = previous;
        newtonOnly = true;
      }
      factor = undefined;
    }
    if (newtonOnly && factor !== options.hessian) factor = undefined;
    previous = change;
  }
  return { beta, mu, pearson: pearson / Math.max(weightSum - p, 1), iterations, converged, information: factor ?? xtwx ?? options.hessian ?? new Float64Array(0) };
}

const TWO_THIRDS = Float64Array.from({ length: 1024 }, (_, k) => Math.cbrt(k * k));

/** Poisson Anscombe residual (3/2)(y^⅔ − μ^⅔)/μ^⅙, before standardisation. */
export function anscombeResidual(y: number, mu: number): number {
  const root = Math.cbrt(mu);
  const y23 = y < 1024 && Number.isInteger(y) ? TWO_THIRDS[y] : Math.cbrt(y * y);
  return (1.5 * (y23 - root * root)) / Math.sqrt(root);
}

/**
 * Leverage hᵢ = wᵢμᵢ xᵢᵀ(XᵀWX + P)⁻¹xᵢ of one row, from a fit's Cholesky factor L: ‖L⁻¹xᵢ‖² by
 * forward substitution (p²/2 for the row, no inverse — only a few rows are ever asked for).
 */
export function leverage(design: SparseDesign, fit: GlmFit, row: number, priorWeight: number, mean: number, scratch: Float64Array): number {
  const p = design.columns;
  const l = fit.information;
  const x = scratch;
  x.fill(0);
  design.forEachEntry(row, (c, v) => (x[c] = v));
  let norm = 0;
  for (let k = 0; k < p; k++) {
    let s = x[k];
    for (let j = 0; j < k; j++) s -= l[k * p + j] * x[j];
    x[k] = s / l[k * p + k];
    norm += x[k] * x[k];
  }
  return Math.min(0.99, priorWeight * mean * norm);
}

export interface RobustOptions extends Omit<GlmOptions, 'weights' | 'start' | 'hessian'> {
  /** Standardised Anscombe residuals above this are treated as past outbreaks (Noufaily: 2.58). */
  threshold?: number;
  /**
   * How a day above the threshold is down-weighted: 'farrington' gives it γ/s² (γ rescales all
   * weights to sum to n, as in Farrington 1996); 'smooth' gives it (threshold/s)², which is
   * continuous at the threshold, so that a weekly refit does not jump when a day crosses it.
   */
  weighting?: 'farrington' | 'smooth';
  /** Starting coefficients for the first and for the reweighted fit. */
  start?: { initial?: ArrayLike<number>; reweighted?: ArrayLike<number> };
  /** Recent Cholesky factors of the information of the first and the reweighted fit (see GlmOptions.hessian). */
  hessian?: { initial?: Float64Array; reweighted?: Float64Array };
  /**
   * Without recent factors (`hessian`), the reweighted fit steps on the first fit's information
   * instead of building its own: the days down-weighted are a few per cent, so the unweighted
   * information stands for the weighted one — for the steps, and as the fit's `information`.
   */
  shareInformation?: boolean;
  /** Rows that must not count at all (weight 0), e.g. days missing from the data. */
  exclude?: ArrayLike<number>;
  /**
   * How φ is estimated: 'pearson' (Farrington, Noufaily) or 'likelihood' (NB maximum likelihood,
   * for sparse counts where a single large count rules the χ² sum; `near` is a previous φ).
   */
  dispersion?: 'pearson' | 'likelihood' | 'given';
  /**
   * A previous φ of this series (e.g. last week's). With 'likelihood' it standardises the
   * residuals that find past outbreaks — φ of a fit that still contains them would be inflated by
   * them — and starts the search for the new φ; with 'given' it is kept as the fit's φ.
   */
  near?: number;
  /**
   * Lengths of windows (days) whose excess marks a past outbreak that lasted: a plateau of a week
   * at 2 sd a day never crosses the day threshold, yet it would lift the fitted level and φ. A
   * window whose total lies more than `threshold` sd above its expected total (sd from the
   * windows below expectation, which outbreaks do not touch, and at least φ's) down-weights its
   * days above expectation as a day with that residual would be. Default none.
   */
  windows?: readonly number[];
  /**
   * The windows' threshold (default `threshold`): a thousand overlapping windows a length, so a
   * day's threshold would mark a few per cent of ordinary days by chance.
   */
  windowThreshold?: number;
  /**
   * Tolerance of the first, unweighted fit, which only has to find the outbreaks of the past
   * (default: `tolerance`).
   */
  screeningTolerance?: number;
  /**
   * The screening of a recent fit of nearly the same rows (last week's, see RobustFit.screening):
   * its rows keep their weights, and only the rows it does not cover are screened, against its
   * unweighted fit — so a weekly refit runs one IRLS instead of two. From time to time (with the
   * information matrices) a full screening should renew it.
   */
  screening?: Screening;
  /**
   * Judge days (and windows) with small expected counts by their negative-binomial tail, turned
   * into a normal score, instead of the Anscombe residual: below ~10 a day the Anscombe
   * residual's tail is still far heavier than normal, and the threshold would down-weight 5–10 %
   * of ordinary days of a sparse series, pulling its fitted level and φ down. Default false
   * (Farrington's and Noufaily's procedure).
   */
  exactTails?: boolean;
}

/** Expected counts below which `exactTails` judges by the NB tail. */
const EXACT_TAIL_BELOW = 10;

/**
 * The NB upper tail of a count as a normal score Φ̄⁻¹(P(X ≥ y)). With `threshold`, exact only
 * where it could cross it: further below, the Wilson–Hilferty approximation says it cannot.
 */
function tailScore(y: number, mean: number, dispersion: number, threshold = Infinity): number {
  const approximate = wilsonHilferty(y, mean, dispersion);
  if (approximate < threshold - 0.75) return approximate;
  return -normalQuantile(Math.max(nbUpperTail(y, mean, dispersion), 1e-300));
}

/**
 * Φ̄⁻¹(P(X ≥ y)) approximately: the Poisson with the same variance-to-mean ratio, P(X ≥ y) =
 * P(χ²₂ᵧ ≤ 2λ), and Wilson–Hilferty for the χ². Checked against the exact tail on a grid of
 * μ < 10, φ ≤ 6 and thresholds 2–2.58: below a threshold by 0.75 or more, the exact score never
 * crosses it, as long as y/φ ≥ 1 (below that, the exact tail, which is short there).
 */
function wilsonHilferty(y: number, mean: number, dispersion: number): number {
  if (y < dispersion) return -normalQuantile(Math.max(nbUpperTail(y, mean, dispersion), 1e-300));
  const x = y / dispersion;
  return (1 - 1 / (9 * x) - Math.cbrt(mean / dispersion / x)) * 3 * Math.sqrt(x);
}

/** Which rows a robust fit down-weighted as past outbreaks, and the unweighted fit that decided it. */
export interface Screening {
  /** Rows [from, to) and their weights before Farrington's rescaling (1: an ordinary day). */
  from: number;
  to: number;
  weights: Float64Array;
  /** The unweighted fit (its `mu` covers the rows it was fitted on) and its φ. */
  fit: GlmFit;
  phi: number;
  /** D_L of the windows that mark lasting outbreaks, by `windows` entry. */
  windowDispersions: number[];
}

export interface RobustFit {
  /** The unweighted fit: this one's, or the reused screening's. */
  initial: GlmFit;
  final: GlmFit;
  /** φ ≥ 1 of the reweighted fit: weighted Pearson χ² / (n − p), or the NB likelihood's. */
  dispersion: number;
  /** Prior weights of the reweighted fit, at [row − from]. */
  weights: Float64Array;
  /** Rows down-weighted as outbreaks. */
  downWeighted: number;
  /** This fit's screening, for the next refit to extend. */
  screening: Screening;
}

/** fitRobust's scratch: the unweighted fit's means of the screened rows, and which days windows count. */
let screenMeans = new Float64Array(0);
let screenCounted = new Uint8Array(0);

/** Fit, down-weight the outbreaks of the past, fit again (Farrington 1996 with Noufaily 2013's threshold). */
export function fitRobust(design: SparseDesign, y: Float64Array, options: RobustOptions): RobustFit {
  const { from, to } = options;
  const n = to - from;
  const threshold = options.threshold ?? 2.58;
  let base = ones(n);
  if (options.exclude) {
    base = new Float64Array(n);
    for (let i = from; i < to; i++) base[i - from] = options.exclude[i];
  }
  const glm = { from, to, penalty: options.penalty, penaltyPattern: options.penaltyPattern, maxIterations: options.maxIterations, tolerance: options.tolerance };
  const downWeight = (s: number) => (options.weighting === 'farrington' ? 1 / (s * s) : (threshold / s) ** 2);
  const previous = options.screening;
  const extend = previous !== undefined && previous.from <= from && previous.to <= to && previous.to > from;
  const initial = extend
    ? previous.fit
    : fitGlm(design, y, { ...glm, tolerance: options.screeningTolerance ?? options.tolerance, weights: base, start: options.start?.initial, hessian: options.hessian?.initial });
  const given = options.dispersion === 'given' && options.near !== undefined;
  const likelihood = options.dispersion === 'likelihood' || (options.dispersion === 'given' && !given);
  // φ that standardises the screening: its own, or the reused screening's.
  const phi = extend ? previous.phi : given || likelihood ? (options.near ?? nbDispersionMle(y, initial.mu, base, from, to)) : Math.max(1, initial.pearson);
  let weights = new Float64Array(n);
  weights.set(base);
  // Rows to screen: all of them, or those the previous screening does not cover.
  const screenFrom = extend ? previous.to : from;
  if (extend) for (let i = from; i < previous.to; i++) weights[i - from] = base[i - from] === 0 ? 0 : previous.weights[i - previous.from];
  // The unweighted fit's means from a little before the screened rows (the windows reach back).
  const reach = Math.max(0, ...(options.windows ?? []));
  const meanFrom = Math.max(from, screenFrom - reach);
  if (screenMeans.length < to - meanFrom) screenMeans = new Float64Array(to - meanFrom);
  const mean = screenMeans.subarray(0, to - meanFrom);
  for (let i = meanFrom; i < to; i++) mean[i - meanFrom] = extend ? Math.exp(Math.max(-30, Math.min(30, design.linear(i, initial.beta)))) : initial.mu[i - from];
  const scale = 1 / Math.sqrt(phi);
  let scratch: Float64Array | undefined;
  for (let i = screenFrom; i < to; i++) {
    const prior = base[i - from];
    if (prior === 0) continue;
    const m = mean[i - meanFrom];
    // Only days above their expected count can be outbreaks.
    if (y[i] > m) {
      let s = anscombeResidual(y[i], m) * scale;
      // For small means the exact tail decides wherever it could cross the threshold: the
      // Anscombe residual over √φ is at least half of its normal score there (checked on a grid
      // of μ < 10, φ ≤ 4).
      if (options.exactTails && m < EXACT_TAIL_BELOW && s > threshold / 2) s = tailScore(y[i], m, phi, threshold);
      // Leverage matters only near the threshold: rows have h < 0.28 unless nearly unique (an
      // indicator set on a handful of days), so it is worked out only above 0.85 × the threshold.
      if (s > threshold * 0.85) s /= Math.sqrt(1 - leverage(design, initial, i, prior, m, (scratch ??= new Float64Array(design.columns))));
      if (s > threshold) weights[i - from] = downWeight(s);
    }
  }
  let windowDispersions: number[] = [];
  if (options.windows) {
    // Days down-weighted as spikes are left out of windows: windows look for what no day showed.
    // (Extending a screening, only the rows its new windows reach.)
    // (rows before meanFrom are never read)
    if (screenCounted.length < n) screenCounted = new Uint8Array(n);
    const counted = screenCounted.subarray(0, n);
    for (let i = meanFrom; i < to; i++) counted[i - from] = weights[i - from] >= 1 ? 1 : 0;
    windowDispersions = extend ? previous.windowDispersions : options.windows.map((length) => lastingDispersion(y, mean, counted, from, to, phi, length));
    options.windows.forEach((length, k) => markLastingWindows(y, mean, meanFrom, counted, weights, from, to, length, windowDispersions[k], screenFrom, options.windowThreshold ?? threshold, downWeight, options.exactTails ?? false));
  }
  const screening: Screening = { from, to, weights, fit: initial, phi, windowDispersions };
  let downWeighted = 0;
  let used = 0;
  let total = 0;
  for (let k = 0; k < n; k++) {
    if (base[k] === 0) continue;
    used++;
    if (weights[k] < 1) downWeighted++;
    total += weights[k];
  }
  // Farrington's rescaling into a copy: the screening keeps the weights as screened.
  const screened = weights;
  if (options.weighting === 'farrington' && total > 0) {
    weights = new Float64Array(n);
    for (let k = 0; k < n; k++) weights[k] = screened[k] * (used / total);
  }
  // Nothing down-weighted: the first fit is the answer, once it has converged to the final
  // tolerance (a screening fit may have stopped short).
  const final =
    !extend && downWeighted === 0 && initial.converged && (options.screeningTolerance ?? options.tolerance) === options.tolerance
      ? initial
      : !extend && downWeighted === 0
        ? fitGlm(design, y, { ...glm, weights, start: initial.beta, hessian: initial.information })
        : fitGlm(design, y, { ...glm, weights, start: options.start?.reweighted ?? initial.beta, hessian: options.hessian?.reweighted ?? options.hessian?.initial ?? (options.shareInformation ? initial.information : undefined) });
  const dispersion = given ? options.near! : likelihood ? nbDispersionMle(y, final.mu, weights, from, to, options.near ?? phi) : Math.max(1, final.pearson);
  return { initial, final, dispersion, weights, downWeighted, screening };
}

/**
 * D_L ≥ φ of L-day totals from the windows below expectation: E[d² | d < 0] = Var d for a
 * symmetric sum, and past outbreaks only ever lift windows. `mean` covers rows [from, to); only
 * `counted` days add to a window.
 */
function lastingDispersion(y: Float64Array, mean: Float64Array, counted: Uint8Array, from: number, to: number, phi: number, length: number): number {
  const n = to - from;
  if (length > n) return phi;
  let squares = 0;
  let below = 0;
  // (windows a third of their length apart: enough for the scale)
  const stride = Math.max(1, Math.floor(length / 3));
  for (let end = to; end - length >= from; end -= stride) {
    let d = 0;
    let e = 0;
    for (let i = end - length; i < end; i++) {
      if (!counted[i - from]) continue;
      d += y[i] - mean[i - from];
      e += mean[i - from];
    }
    if (d >= 0) continue;
    squares += d * d;
    below += e;
  }
  return Math.max(phi, below > 1e-9 ? squares / below : phi);
}

/** markLastingWindows' running sums (scratch, grown as needed). */
let windowSums = new Float64Array(0);

/**
 * Down-weights (in place) the days above expectation of every window of `length` days ending at
 * or after `firstEnd` + 1 (so holding a row from `firstEnd` on) whose total lies more than
 * `threshold` sd above its expected total, the sd √(D_L·E). `mean` covers rows [meanFrom, to);
 * only `counted` days (not down-weighted as spikes) add to a window.
 */
function markLastingWindows(y: Float64Array, mean: Float64Array, meanFrom: number, counted: Uint8Array, weights: Float64Array, from: number, to: number, length: number, dispersion: number, firstEnd: number, threshold: number, downWeight: (s: number) => number, exactTails: boolean): void {
  // Running sums over the counted days of [meanFrom, to).
  if (windowSums.length < 2 * (to - meanFrom + 1)) windowSums = new Float64Array(2 * (to - meanFrom + 1));
  const deviation = windowSums.subarray(0, to - meanFrom + 1);
  const expected = windowSums.subarray(to - meanFrom + 1, 2 * (to - meanFrom + 1));
  deviation[0] = 0;
  expected[0] = 0;
  for (let i = meanFrom; i < to; i++) {
    const k = i - meanFrom;
    const c = counted[i - from];
    deviation[k + 1] = deviation[k] + (c ? y[i] - mean[k] : 0);
    expected[k + 1] = expected[k] + (c ? mean[k] : 0);
  }
  const flagged: [number, number][] = [];
  for (let end = Math.max(meanFrom + length, firstEnd + 1); end <= to; end++) {
    const d = deviation[end - meanFrom] - deviation[end - length - meanFrom];
    const e = expected[end - meanFrom] - expected[end - length - meanFrom];
    // (a window of days expecting next to nothing has nothing to tell; what is left is rounding)
    if (e <= 1e-9) continue;
    let z = d / Math.sqrt(dispersion * e);
    if (z <= threshold) continue;
    // A window of small counts is skewed: judged by its tail (approximately — it only screens).
    if (exactTails && e < EXACT_TAIL_BELOW) {
      z = wilsonHilferty(Math.round(e + d), e, dispersion);
      if (z <= threshold) continue;
    }
    flagged.push([end, z]);
  }
  // Marked after the scan, so that one window's marks do not hide the next window's days.
  for (const [end, z] of flagged) {
    const w = downWeight(z);
    for (let i = end - length; i < end; i++) if (weights[i - from] > 0 && y[i] > mean[i - meanFrom] && weights[i - from] > w) weights[i - from] = w;
  }
}
