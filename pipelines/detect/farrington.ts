import { fitRobust, SparseDesign, type RobustFit } from './glm.js';
import { nbUpperBound, nbUpperTail, normalUpperTail } from './negbin.js';
import { checkSeries, firstPosition, log10Score, UNEVALUATED, type CountSeries, type DayResult } from './series.js';

/**
 * Farrington flexible with the settings of Noufaily et al. (2013) — R `surveillance`'s
 * farringtonFlexible(b = 5, w = 3, noPeriods = 10, pastWeeksNotIncluded = 26,
 * weightsThreshold = 2.58, thresholdMethod = "nbPlugin", limit54 = c(5, 4)) — ported to daily
 * counts. For every day t, refitted on that day as the original does:
 *
 *  - reference data: the days from t − 365·b − w to t − 26 weeks (b = 5 years, or as many whole
 *    years as the series has, at least one);
 *  - quasi-Poisson GLM: intercept, linear trend, and a 10-level factor: level 0 is the window of
 *    ±w days around the same day of each earlier year, the rest of each year is cut into 9 equal
 *    periods;
 *  - refit after down-weighting days with standardised Anscombe residual s > 2.58 by γ/s²;
 *  - the trend is kept only if significant at 5 % (Wald, φ-scaled), if it does not lift μ₀ above
 *    the largest reference count, and if there are at least 3 years of reference (Farrington 1996);
 *  - μ₀ = the fitted level-0 mean at t; φ ≥ 1 the Pearson dispersion; upper = the NB quantile at
 *    1 − α with mean μ₀ and size μ₀/(φ−1) (nbPlugin); no alarm when fewer than 5 cases were counted
 *    over the last 4 weeks (limit54).
 *
 * The daily adaptation: time is in days, w = 3 weeks = 21 days, 26 weeks = 182 days, a year is
 * 365 days, the limit54 window is 28 days. Nothing else is added: like the original it knows no
 * weekday and no lunar calendar — that is the point of comparing against it.
 *
 * Score: −log10 P(X ≥ x | μ₀, φ) (0 when limit54 holds the alarm back); pValue the same tail.
 */

export interface FarringtonSettings {
  alpha: number;
  years: number;
  halfWindow: number;
  periods: number;
  pastDaysExcluded: number;
  reweightThreshold: number;
  trendSignificance: number;
  limitCases: number;
  limitDays: number;
}

export const FARRINGTON_DEFAULTS: FarringtonSettings = {
  alpha: 0.001,
  years: 5,
  halfWindow: 21,
  periods: 10,
  pastDaysExcluded: 182,
  reweightThreshold: 2.58,
  trendSignificance: 0.05,
  limitCases: 5,
  limitDays: 28,
};

const YEAR = 365;

/**
 * The design depends only on how far a reference day lies before t (its "age"), so one design per
 * number of years serves every day: row r is the day of age pastDaysExcluded + r.
 */
interface ReferenceDesign {
  years: number;
  withTrend: SparseDesign;
  flat: SparseDesign;
  rows: number;
}

function seasonalLevel(age: number, settings: FarringtonSettings): number {
  const { halfWindow: w, periods } = settings;
  const phase = (age + w) % YEAR; // 0 … 2w: inside a window around the same day of an earlier year
  if (phase <= 2 * w) return 0;
  return 1 + Math.min(periods - 2, Math.floor(((phase - 2 * w - 1) * (periods - 1)) / (YEAR - 2 * w - 1)));
}

function referenceDesign(years: number, settings: FarringtonSettings): ReferenceDesign {
  const rows = YEAR * years + settings.halfWindow - settings.pastDaysExcluded + 1;
  const build = (trend: boolean) => {
    const columns = (trend ? 2 : 1) + settings.periods - 1;
    const dense = trend ? 2 : 1;
    return SparseDesign.build(rows, columns, dense, 1, (row, set) => {
      const age = settings.pastDaysExcluded + row;
      set(0, 1);
      if (trend) set(1, -age / YEAR);
      const level = seasonalLevel(age, settings);
      if (level > 0) set(dense + level - 1, 1);
    });
  };
  return { years, withTrend: build(true), flat: build(false), rows };
}

/** Variance of coefficient j from a fit's Cholesky factor of XᵀWX: [(XᵀWX)⁻¹]ⱼⱼ = ‖L⁻¹eⱼ‖². */
function inverseDiagonal(fit: RobustFit, j: number, p: number): number {
  const l = fit.final.information;
  const y = new Float64Array(p);
  for (let i = 0; i < p; i++) {
    let s = i === j ? 1 : 0;
    for (let k = 0; k < i; k++) s -= l[i * p + k] * y[k];
    y[i] = s / l[i * p + i];
  }
  let sum = 0;
  for (let i = 0; i < p; i++) sum += y[i] * y[i];
  return sum;
}

export function farrington(series: CountSeries, from: string, overrides: Partial<FarringtonSettings> = {}): DayResult[] {
  checkSeries(series);
  const settings = { ...FARRINGTON_DEFAULTS, ...overrides };
  const { dates } = series;
  const counts = Float64Array.from(series.counts);
  const designs = new Map<number, ReferenceDesign>();
  // Yesterday's fit starts today's (the reference data moved by one day): its coefficients, and
  // its information matrices for a week (see GlmOptions.hessian) — speed only, same answer.
  const warm = new Map<string, { initial?: Float64Array; reweighted?: Float64Array; hessian?: { initial?: Float64Array; reweighted?: Float64Array }; age: number }>();
  // A tiny ridge keeps a level with no counts at all finite; it is nothing next to the data.
  const penalty = (p: number) => Float64Array.from({ length: p }, (_, j) => (j === 0 ? 0 : 1e-6));
  const results: DayResult[] = [];
  for (let t = firstPosition(series, from); t < dates.length; t++) {
    const date = dates[t];
    const count = counts[t];
    const years = Math.min(settings.years, Math.floor((t - settings.halfWindow) / YEAR));
    if (years < 1) {
      results.push({ date, count, ...UNEVALUATED });
      continue;
    }
    let design = designs.get(years);
    if (!design) designs.set(years, (design = referenceDesign(years, settings)));
    // Row r holds the count of day t − pastDaysExcluded − r.
    const y = new Float64Array(design.rows);
    let largest = 0;
    for (let r = 0; r < design.rows; r++) {
      y[r] = counts[t - settings.pastDaysExcluded - r];
      largest = Math.max(largest, y[r]);
    }
    const fitWith = (trend: boolean) => {
      const matrix = trend ? design.withTrend : design.flat;
      const key = `${years}/${trend}`;
      const previous = warm.get(key);
      const reuse = previous !== undefined && previous.age < 6;
      const fit = fitRobust(matrix, y, {
        from: 0,
        to: design.rows,
        penalty: penalty(matrix.columns),
        threshold: settings.reweightThreshold,
        weighting: 'farrington',
        start: previous,
        hessian: reuse ? previous.hessian : undefined,
        tolerance: 1e-4,
      });
      warm.set(key, {
        initial: fit.initial.beta,
        reweighted: fit.final.beta,
        hessian: reuse ? previous.hessian : { initial: fit.initial.information, reweighted: fit.final.information },
        age: reuse ? previous.age + 1 : 0,
      });
      return fit;
    };
    let fit = fitWith(true);
    let mean = Math.exp(fit.final.beta[0]);
    const z = fit.final.beta[1] / Math.sqrt(fit.dispersion * inverseDiagonal(fit, 1, design.withTrend.columns));
    const keepTrend = years >= 3 && 2 * normalUpperTail(Math.abs(z)) < settings.trendSignificance && mean <= largest;
    if (!keepTrend) {
      fit = fitWith(false);
      mean = Math.exp(fit.final.beta[0]);
    }
    const dispersion = fit.dispersion;
    const pValue = nbUpperTail(count, mean, dispersion);
    const upper = nbUpperBound(mean, dispersion, settings.alpha);
    let recent = 0;
    for (let i = Math.max(0, t - settings.limitDays + 1); i <= t; i++) recent += counts[i];
    const held = recent < settings.limitCases;
    results.push({ date, count, expected: mean, upper, pValue, score: held ? 0 : log10Score(pValue), alarm: !held && count > upper, channel: 'day' });
  }
  return results;
}
