import { dayFeatures, dayIndex } from './calendar.js';
import { anscombe, fitLogLinear } from './glm.js';
import { upperBound, upperTail } from './negbin.js';

/**
 * The detectors. Each takes a daily series and a first day to evaluate, and returns for every day
 * ≥ from: the count, the expected count, the upper bound, a p-value, a score (higher = more
 * unusual) and whether it alarms at level α. Every result for day t is computed from data up to
 * and including day t only.
 */

export interface Series {
  dates: string[];
  counts: ArrayLike<number>;
}

export interface DayResult {
  date: string;
  count: number;
  expected: number;
  upper: number;
  pValue: number;
  score: number;
  alarm: boolean;
}

export type MethodName = 'pulse' | 'ears-c1' | 'ears-c2' | 'ears-c3' | 'farrington';
export const METHODS: MethodName[] = ['pulse', 'ears-c1', 'ears-c2', 'ears-c3', 'farrington'];

export interface DetectOptions {
  from: string;
  method?: MethodName;
  alpha?: number;
}

const score = (p: number) => -Math.log10(Math.max(p, 1e-300));

// ---------------------------------------------------------------------------------------------
// Pulse: our detector. Expected value from a log-linear NB model with trend, yearly Fourier terms,
// weekday, holidays, make-up working days, the day after a long break and Spring Festival bins;
// refitted weekly on the history before a guard band, past outbreaks down-weighted; NB threshold
// for the day, plus an NB likelihood-ratio CUSUM for sustained rises.

const GUARD_DAYS = 7;
const HISTORY_DAYS = 3 * 365;
const REFIT_DAYS = 14;
const MIN_FIT_DAYS = 56;

function designRow(index: number, origin: number, out: Float64Array, offset: number): void {
  const f = dayFeatures(index);
  const t = (index - origin) / 365.25;
  const angle = (2 * Math.PI * index) / 365.25;
  let j = offset;
  out[j++] = 1;
  out[j++] = t;
  out[j++] = Math.sin(angle);
  out[j++] = Math.cos(angle);
  out[j++] = Math.sin(2 * angle);
  out[j++] = Math.cos(2 * angle);
  out[j++] = Math.sin(3 * angle);
  out[j++] = Math.cos(3 * angle);
  // Weekday (Monday is the reference); a make-up working day counts as a weekday, not a weekend.
  const weekday = f.makeUpWorkday ? 1 : f.weekday;
  for (let d = 0; d < 7; d++) if (d !== 1) out[j++] = weekday === d ? 1 : 0;
  out[j++] = f.holiday ? 1 : 0;
  out[j++] = f.afterBreak ? 1 : 0;
  for (let b = 1; b <= 4; b++) out[j++] = f.festivalBin === b ? 1 : 0;
}

const PULSE_TERMS = 8 + 6 + 2 + 4;

interface PulseModel {
  beta: Float64Array;
  dispersion: number;
}

/** Fits on [end − HISTORY_DAYS, end − GUARD_DAYS): never the days being judged. `design` holds every day's row. */
function fitPulse(design: Float64Array, counts: ArrayLike<number>, end: number, previous: PulseModel | null): PulseModel | null {
  const last = end - GUARD_DAYS;
  const first = Math.max(0, end - HISTORY_DAYS);
  const n = last - first;
  if (n < MIN_FIT_DAYS) return null;
  const x = design.subarray(first * PULSE_TERMS, last * PULSE_TERMS);
  const y = new Float64Array(n);
  let total = 0;
  for (let i = 0; i < n; i++) {
    y[i] = counts[first + i];
    total += y[i];
  }
  const ridge = total / n < 1 ? 0.05 : 1e-3;
  const weights = new Float64Array(n).fill(1);
  let fit = fitLogLinear(x, y, weights, n, PULSE_TERMS, ridge, 25, previous?.beta);
  // Past outbreaks must not raise the baseline: down-weight large positive Anscombe residuals.
  let changed = false;
  for (let i = 0; i < n; i++) {
    const r = anscombe(y[i], fit.fitted[i], fit.dispersion);
    if (r > 2.58) {
      weights[i] = (2.58 / r) ** 2;
      changed = true;
    }
  }
  if (changed) fit = fitLogLinear(x, y, weights, n, PULSE_TERMS, ridge, 25, fit.beta);
  return { beta: fit.beta, dispersion: fit.dispersion };
}

function predict(model: PulseModel, design: Float64Array, t: number): number {
  let eta = 0;
  for (let j = 0; j < PULSE_TERMS; j++) eta += design[t * PULSE_TERMS + j] * model.beta[j];
  return Math.exp(Math.min(Math.max(eta, -20), 20));
}

/** NB log-likelihood ratio of a count under mean κμ against μ (the CUSUM increment). */
function cusumIncrement(x: number, mu: number, dispersion: number, kappa: number): number {
  const mu1 = kappa * mu;
  if (dispersion <= 1 + 1e-9) return x * Math.log(kappa) - (mu1 - mu);
  const size = mu / (dispersion - 1);
  return x * Math.log((mu1 * (size + mu)) / (mu * (size + mu1))) + size * Math.log((size + mu) / (size + mu1));
}

function pulse(series: Series, from: string, alpha: number): DayResult[] {
  const indices = series.dates.map(dayIndex);
  const counts = series.counts;
  const start = series.dates.findIndex((d) => d >= from);
  if (start < 0) return [];
  // Every day's design row, once; the trend is measured from the series' first day.
  const design = new Float64Array(indices.length * PULSE_TERMS);
  indices.forEach((index, t) => designRow(index, indices[0], design, t * PULSE_TERMS));
  const results: DayResult[] = [];
  let model: PulseModel | null = null;
  let fittedAt = -Infinity;
  let cusum = 0;
  for (let t = start; t < series.dates.length; t++) {
    if (t - fittedAt >= REFIT_DAYS || !model) {
      model = fitPulse(design, counts, t, model) ?? model;
      fittedAt = t;
    }
    const x = counts[t];
    let mu: number;
    let dispersion: number;
    if (model) {
      mu = Math.max(predict(model, design, t), 0.02);
      dispersion = model.dispersion;
    } else {
      // Too little history for a model: the mean of what there is, Poisson.
      let sum = 0;
      for (let k = Math.max(0, t - 28); k < t; k++) sum += counts[k];
      mu = Math.max(sum / Math.max(1, Math.min(28, t)), 0.1);
      dispersion = 1.5;
    }
    const pDay = upperTail(x, mu, dispersion);
    // CUSUM for a 1.5× sustained rise; by Ville's inequality exp(-S) is a valid p-value for it.
    cusum = Math.max(0, cusum + cusumIncrement(x, mu, dispersion, 1.5));
    const pCusum = Math.min(1, Math.exp(-cusum));
    const p = Math.min(1, 2 * Math.min(pDay, pCusum));
    results.push({ date: series.dates[t], count: x, expected: mu, upper: upperBound(mu, dispersion, alpha), pValue: p, score: score(p), alarm: p < alpha });
    if (p < alpha) cusum = 0; // a rise is reported once, then watched anew
  }
  return results;
}

// ---------------------------------------------------------------------------------------------
// EARS (CDC): C1 = (x − mean) / sd over days t−7…t−1; C2 the same over t−9…t−3; C3 = the sum of
// max(0, C2 − 1) over t, t−1, t−2. Alarm: C1, C2 > 3; C3 > 2. No seasonality, no weekday effect.

function earsStatistic(counts: ArrayLike<number>, t: number, lag: number): { value: number; mean: number; sd: number } {
  const window: number[] = [];
  for (let k = t - lag - 7; k < t - lag; k++) if (k >= 0) window.push(counts[k]);
  const mean = window.reduce((s, v) => s + v, 0) / Math.max(window.length, 1);
  const variance = window.reduce((s, v) => s + (v - mean) ** 2, 0) / Math.max(window.length - 1, 1);
  const sd = Math.max(Math.sqrt(variance), 0.2);
  return { value: (counts[t] - mean) / sd, mean, sd };
}

function ears(series: Series, from: string, variant: 'ears-c1' | 'ears-c2' | 'ears-c3'): DayResult[] {
  const start = series.dates.findIndex((d) => d >= from);
  if (start < 0) return [];
  const results: DayResult[] = [];
  for (let t = start; t < series.dates.length; t++) {
    const lag = variant === 'ears-c1' ? 0 : 2;
    const s = earsStatistic(series.counts, t, lag);
    let value = s.value;
    let threshold = 3;
    if (variant === 'ears-c3') {
      value = 0;
      for (let k = 0; k < 3; k++) if (t - k >= 9) value += Math.max(0, earsStatistic(series.counts, t - k, 2).value - 1);
      threshold = 2;
    }
    // A normal-approximation p-value, so that the baselines can be controlled like ours.
    const p = 0.5 * erfc(value / Math.SQRT2);
    results.push({ date: series.dates[t], count: series.counts[t], expected: s.mean, upper: s.mean + 3 * s.sd, pValue: p, score: value, alarm: value > threshold });
  }
  return results;
}

function erfc(x: number): number {
  // Abramowitz–Stegun 7.1.26, enough for a p-value.
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r = t * Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
  return x >= 0 ? r : 2 - r;
}

// ---------------------------------------------------------------------------------------------
// Farrington flexible (Noufaily et al. 2013 settings), adapted to daily data: a quasi-Poisson GLM
// with a linear trend and a 10-level seasonal factor (the window of ±10 days around the same day of
// earlier years is level 0, the rest of the year split into 9 periods), fitted on the last 3 years
// minus the most recent 26 weeks, outbreaks down-weighted (Anscombe > 2.58), and an NB quantile
// threshold. Refitted weekly for speed; like the original it has no weekday or lunar calendar.

const FARRINGTON_WINDOW = 10;
const FARRINGTON_PERIODS = 10;
const FARRINGTON_TERMS = 2 + (FARRINGTON_PERIODS - 1);

function farringtonLevel(index: number, target: number): number {
  const offset = (((index - target) % 365) + 365 + FARRINGTON_WINDOW) % 365;
  if (offset <= 2 * FARRINGTON_WINDOW) return 0;
  const span = (365 - 2 * FARRINGTON_WINDOW - 1) / (FARRINGTON_PERIODS - 1);
  return 1 + Math.min(FARRINGTON_PERIODS - 2, Math.floor((offset - 2 * FARRINGTON_WINDOW - 1) / span));
}

function farrington(series: Series, from: string, alpha: number): DayResult[] {
  const indices = series.dates.map(dayIndex);
  const start = series.dates.findIndex((d) => d >= from);
  if (start < 0) return [];
  const results: DayResult[] = [];
  let beta: Float64Array | null = null;
  let dispersion = 1;
  let fittedAt = -Infinity;
  let fitTarget = 0;
  const row = (index: number, target: number, out: Float64Array, offset: number) => {
    out[offset] = 1;
    out[offset + 1] = (index - target) / 365.25;
    const level = farringtonLevel(index, target);
    for (let l = 1; l < FARRINGTON_PERIODS; l++) out[offset + 1 + l] = level === l ? 1 : 0;
  };
  for (let t = start; t < series.dates.length; t++) {
    if (t - fittedAt >= 7 || !beta) {
      const last = t - 26 * 7;
      const first = Math.max(0, t - 3 * 365);
      const n = last - first;
      if (n >= 120) {
        fitTarget = indices[t];
        const x = new Float64Array(n * FARRINGTON_TERMS);
        const y = new Float64Array(n);
        for (let i = 0; i < n; i++) {
          row(indices[first + i], fitTarget, x, i * FARRINGTON_TERMS);
          y[i] = series.counts[first + i];
        }
        const weights = new Float64Array(n).fill(1);
        let fit = fitLogLinear(x, y, weights, n, FARRINGTON_TERMS, 1e-3);
        for (let i = 0; i < n; i++) {
          const r = anscombe(y[i], fit.fitted[i], fit.dispersion);
          if (r > 2.58) weights[i] = (2.58 / r) ** 2;
        }
        fit = fitLogLinear(x, y, weights, n, FARRINGTON_TERMS, 1e-3);
        beta = fit.beta;
        dispersion = fit.dispersion;
      }
      fittedAt = t;
    }
    let mu: number;
    if (beta) {
      const r = new Float64Array(FARRINGTON_TERMS);
      row(indices[t], fitTarget, r, 0);
      let eta = 0;
      for (let j = 0; j < FARRINGTON_TERMS; j++) eta += r[j] * beta[j];
      mu = Math.max(Math.exp(eta), 0.02);
    } else {
      let sum = 0;
      for (let k = Math.max(0, t - 28); k < t; k++) sum += series.counts[k];
      mu = Math.max(sum / Math.max(1, Math.min(28, t)), 0.1);
    }
    const p = upperTail(series.counts[t], mu, dispersion);
    results.push({ date: series.dates[t], count: series.counts[t], expected: mu, upper: upperBound(mu, dispersion, alpha), pValue: p, score: score(p), alarm: p < alpha });
  }
  return results;
}

/** Runs a method over a series; results for days ≥ options.from. */
export function detect(series: Series, options: DetectOptions): DayResult[] {
  const alpha = options.alpha ?? 0.001;
  const method = options.method ?? 'pulse';
  switch (method) {
    case 'pulse':
      return pulse(series, options.from, alpha);
    case 'ears-c1':
    case 'ears-c2':
    case 'ears-c3':
      return ears(series, options.from, method);
    case 'farrington':
      return farrington(series, options.from, alpha);
  }
}
