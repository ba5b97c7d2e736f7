import { calendarDay, type CalendarDay } from './calendar.js';
import { bestWindowSum, cusumIncrement, cusumKappa } from './cusum.js';
import { fitRobust, SparseDesign, type Screening } from './glm.js';
import { nbUpperBound, nbUpperTail } from './negbin.js';
import { RiseScan, type RiseBaseline } from './rise.js';
import { checkSeries, firstPosition, log10Score, UNEVALUATED, type Channel, type CountSeries, type DayResult } from './series.js';

/**
 * Pulse, our detector for daily hotline counts.
 *
 * Expected count μ₀(t): a quasi-Poisson GLM (log link) fitted by IRLS with
 *  - a linear trend and a yearly season — a cyclic cubic P-spline with a knot every two weeks,
 *    its roughness penalised (so a sharp heating-season onset or a harvest fortnight fits, and a
 *    thin series gets a smooth season); quiet series get one Fourier pair instead;
 *  - the weekday (on ordinary days), official holidays (the Spring Festival's apart), make-up
 *    working days (调休), the first working day after a break of ≥ 3 and of ≥ 7 days, and four
 *    phases around the Spring Festival (6–3 weeks, 3–1 weeks and the last week before it; the two
 *    weeks after its holiday), from the official calendar (calendar.ts);
 *  - fitted on up to three years of history that end `guardDays` before the refit day, so that a
 *    rise under way is not learnt as normal; past outbreaks are down-weighted by γ/s² (Farrington,
 *    Noufaily): days whose standardised residual s exceeds 2.2 — the Anscombe residual, or for
 *    expected counts under 10 the normal score of the NB tail (the Anscombe residual's tail is
 *    still heavy there and would down-weight ordinary days) — and the days above expectation in
 *    windows of 3, 7 or 14 days whose total is more than 2.58 sd out (a week at 2 sd a day never
 *    crosses a day threshold, yet it would lift the level and φ);
 *  - φ ≥ 1 from the squared Pearson residuals of the days below expectation (dispersionBelow:
 *    moderate past outbreaks that escape the down-weighting lift only days above it), or for
 *    series under 5 a day from the NB likelihood (where one big count would rule χ²), growing with μ within a series when the residuals say so (busy days are
 *    relatively noisier when part of the noise is multiplicative); D_L, the dispersion of L-day
 *    sums, from the windows below expectation (see windowDispersions);
 *  - refitted every `refitEvery` days on a fixed calendar (Mondays), warm-started from the last
 *    fit, and predicted for each day until the next refit; a prediction carries the coefficients'
 *    own error, φ·xᵀ(XᵀWX + P)⁻¹x on the log scale, scaled up as two-week sums are noisier.
 * Quiet series (under one a day) get a smaller model — off-day instead of seven weekdays, one
 * pre-festival phase — and every coefficient but the intercept a ridge penalty, so that IRLS stays
 * finite when an indicator never sees a count. Under a year of history: no trend and no season,
 * fitted on the last 13 weeks; under four weeks: the plain recent mean.
 *
 * Three channels judge the day, all on the μ₀ and φ of the model serving it:
 *  - 'day': the day's NB tail p_day = P(X ≥ x | μ₀, φ);
 *  - 'rise': a scan of the windows of 2, 3, 5 and 7 days ending on the day, each total tested by
 *    its NB tail, the maximum's p-value by the Hunter–Worsley bound (rise.ts); longer rises are
 *    the CUSUM's (each window more costs the scan a step of the bound at every level);
 *  - 'cusum': an NB likelihood-ratio CUSUM over up to 28 days (cusum.ts), p = e^−S by Ville's
 *    inequality, its dispersion that of 28-day sums.
 * Windows of the rise and CUSUM channels never reach back before the day after the series' last
 * alarm, so one rise is reported once, not again from its own days. The day's p-value is the
 * weighted Bonferroni combination min(1, p_day/w_day, p_rise/w_rise, p_cusum/w_cusum) (shares
 * 0.35, 0.6, 0.05 of α, set by the benchmark's detection at a matched false-alarm rate on two
 * seeds; any shares summing to 1 keep it valid), so it stays a valid p-value (what the hotspot
 * job's Benjamini–Hochberg step needs); `channel` names the smallest term, the alarm is p ≤ α,
 * the score −log10 p. `upper` is
 * the day channel's bound at level w_day·α — a rise or CUSUM alarm can come below it.
 */

export interface PulseSettings {
  alpha: number;
  /** Days between refits; refits fall on a fixed calendar, not on the evaluation start. */
  refitEvery: number;
  /** Most recent days left out of each fit. */
  guardDays: number;
  /** Longest history fitted. */
  historyDays: number;
  /** Fewer days of history than this: a plain recent mean instead of the model. */
  minHistoryDays: number;
  /** Series below this mean per day get the small model. */
  quietLevel: number;
  /** The season of the small model. */
  quietSeason: Season;
  /**
   * λ of the season spline's second-difference penalty, per count a day of the series' level:
   * day-to-day noise is partly multiplicative, so a busy series' extra counts do not make its
   * season proportionally better known (with λ fixed, the spline would chase that noise).
   */
  seasonSmoothing: number;
  /** Below this mean per day φ is the NB maximum-likelihood estimate instead of Pearson's. */
  likelihoodBelow: number;
  /** Standardised Anscombe residual above which a past day counts as an outbreak. */
  reweightThreshold: number;
  /** The CUSUM looks for a rise of this many standard deviations of a day. */
  cusumShift: number;
  /** The CUSUM's memory in days. */
  cusumMemory: number;
  /** Share of α spent on the CUSUM channel. */
  cusumShare: number;
  /** Window lengths of the sustained-rise scan, in days, increasing (each ≥ 2). */
  riseWindows: readonly number[];
  /** Share of α spent on the sustained-rise channel; the day's own tail gets the rest. */
  riseShare: number;
}

export const PULSE_DEFAULTS: PulseSettings = {
  alpha: 0.001,
  refitEvery: 7,
  guardDays: 7,
  historyDays: 3 * 365,
  minHistoryDays: 28,
  quietLevel: 1,
  quietSeason: 'fourier',
  seasonSmoothing: 5,
  likelihoodBelow: 5,
  reweightThreshold: 2.2,
  cusumShift: 1.5,
  cusumMemory: 28,
  cusumShare: 0.05,
  riseWindows: [2, 3, 5, 7],
  riseShare: 0.6,
};

/** Windows (days) whose excess marks a past outbreak that lasted, in the robust fit. */
const LASTING_OUTBREAK_WINDOWS = [3, 7, 14];

/** Refits in a row that reuse one information matrix (see GlmOptions.hessian). */
const HESSIAN_REUSE = 5;

/** Day 4 since the epoch, 1970-01-05, was a Monday: refits fall on days ≡ 4 (mod refitEvery). */
const REFIT_EPOCH = 4;

/** The season's form: none (under a year of history), one Fourier pair, or a cyclic P-spline. */
export type Season = 'none' | 'fourier' | 'spline';

interface ModelShape {
  season: Season;
  trend: boolean;
  quiet: boolean;
}

/** A model: named columns, the first `dense` set on every day, and its quadratic penalty. */
interface ModelSpec {
  names: string[];
  dense: number;
  /** p×p, row-major: the ridge part of the penalty ½βᵀPβ … */
  penalty: Float64Array;
  /** … and the season's second differences DᵀD, to be multiplied by λ. */
  roughness: Float64Array;
  fill(day: CalendarDay, years: number, set: (column: number, value: number) => void): void;
}

/** Knots of the yearly spline: one every two weeks. */
const SEASON_KNOTS = 26;
const TROPICAL_YEAR = 365.2425;

/**
 * Values of the four cyclic cubic B-splines that are non-zero on a day (uniform knots over the
 * year, phase from the absolute day so that New Year is not a seam): calls visit(knot, value).
 */
function seasonBasis(index: number, visit: (knot: number, value: number) => void): void {
  const x = (((index / TROPICAL_YEAR) % 1) + 1) % 1 * SEASON_KNOTS;
  const i = Math.floor(x);
  const f = x - i;
  const wrap = (k: number) => ((k % SEASON_KNOTS) + SEASON_KNOTS) % SEASON_KNOTS;
  visit(wrap(i - 3), ((1 - f) * (1 - f) * (1 - f)) / 6);
  visit(wrap(i - 2), (3 * f * f * f - 6 * f * f + 4) / 6);
  visit(wrap(i - 1), (-3 * f * f * f + 3 * f * f + 3 * f + 1) / 6);
  visit(wrap(i), (f * f * f) / 6);
}

/** A normal day (not a holiday, not a make-up day) keeps its weekday's effect. */
const ordinary = (day: CalendarDay) => !day.holiday && !day.makeUpWorkday;

function calendarIndicators(quiet: boolean): { name: string; test: (day: CalendarDay) => boolean }[] {
  if (quiet) {
    return [
      { name: 'off-day', test: (day) => day.offDay },
      { name: 'festival-holiday', test: (day) => day.festivalHoliday },
      { name: 'after-break', test: (day) => day.breakBefore >= 3 },
      { name: 'before-festival', test: (day) => day.daysFromFestival >= -21 && day.daysFromFestival <= -1 },
    ];
  }
  // Monday is the reference day.
  const weekdays = ([[2, 'tue'], [3, 'wed'], [4, 'thu'], [5, 'fri'], [6, 'sat'], [0, 'sun']] as const).map(([weekday, name]) => ({
    name,
    test: (day: CalendarDay) => ordinary(day) && day.weekday === weekday,
  }));
  return [
    ...weekdays,
    { name: 'holiday', test: (day) => day.holiday && !day.festivalHoliday },
    { name: 'festival-holiday', test: (day) => day.festivalHoliday },
    { name: 'make-up-workday', test: (day) => day.makeUpWorkday },
    { name: 'after-break', test: (day) => day.breakBefore >= 3 },
    { name: 'after-long-break', test: (day) => day.breakBefore >= 7 },
    { name: 'weeks-before-festival', test: (day) => day.festivalPhase === 'weeks-before' },
    { name: 'fortnight-before-festival', test: (day) => day.festivalPhase === 'fortnight-before' },
    { name: 'week-before-festival', test: (day) => day.festivalPhase === 'week-before' },
    { name: 'after-festival', test: (day) => day.festivalPhase === 'after' },
  ];
}

/**
 * Penalties, as Gaussian priors on log-scale effects: the trend and each calendar indicator N(0, 1)
 * (a ridge that keeps an indicator finite when it never sees a count); the spline's second
 * differences N(0, 1/λ) around the year, so the season is as wiggly as the data can support and
 * flat where they are thin; its coefficients also N(0, 1), which pins their sum against the
 * intercept.
 */
const RIDGE = 1;

function modelSpec(shape: ModelShape): ModelSpec {
  const names = ['intercept'];
  if (shape.trend) names.push('trend');
  const seasonFrom = names.length;
  if (shape.season === 'fourier') names.push('sin', 'cos');
  const dense = names.length;
  if (shape.season === 'spline') for (let k = 0; k < SEASON_KNOTS; k++) names.push(`season${k}`);
  const indicators = calendarIndicators(shape.quiet);
  const indicatorFrom = names.length;
  names.push(...indicators.map((i) => i.name));
  const p = names.length;
  const penalty = new Float64Array(p * p);
  for (let j = 1; j < p; j++) penalty[j * p + j] = RIDGE;
  const roughness = new Float64Array(p * p);
  if (shape.season === 'spline') {
    // λ DᵀD for cyclic second differences: 6 on the diagonal, −4 next to it, 1 two away.
    for (let k = 0; k < SEASON_KNOTS; k++) {
      for (const [offset, weight] of [[0, 6], [1, -4], [-1, -4], [2, 1], [-2, 1]] as const) {
        const other = (k + offset + SEASON_KNOTS) % SEASON_KNOTS;
        roughness[(seasonFrom + k) * p + seasonFrom + other] += weight;
      }
    }
  }
  const omega = (2 * Math.PI) / TROPICAL_YEAR;
  return {
    names,
    dense,
    penalty,
    roughness,
    fill(day, years, set) {
      set(0, 1);
      if (shape.trend) set(1, years);
      if (shape.season === 'fourier') {
        set(seasonFrom, Math.sin(omega * day.index));
        set(seasonFrom + 1, Math.cos(omega * day.index));
      }
      if (shape.season === 'spline') seasonBasis(day.index, (knot, value) => set(seasonFrom + knot, value));
      for (let j = 0; j < indicators.length; j++) if (indicators[j].test(day)) set(indicatorFrom + j, 1);
    },
  };
}

const shapeKey = (shape: ModelShape) => `${shape.quiet ? 'quiet' : 'full'}/${shape.season}/${shape.trend ? 'trend' : 'flat'}`;

interface Design {
  design: SparseDesign;
  penalty: Float64Array;
  roughness: Float64Array;
  /** Positions where the penalty or the roughness is non-zero (see GlmOptions.penaltyPattern). */
  penaltyPattern: Int32Array;
  terms: string[];
}

/**
 * Designs depend only on the days and the model's shape, so every series over the same days
 * shares one (the hotspot job judges ~860 series over one span); the last few are kept.
 */
const sharedDesigns = new Map<string, Design>();
const SHARED_DESIGNS = 8;

function designOver(start: number, days: number, shape: ModelShape): Design {
  const key = `${start}/${days}/${shapeKey(shape)}`;
  let entry = sharedDesigns.get(key);
  if (!entry) {
    const spec = modelSpec(shape);
    const design = SparseDesign.build(days, spec.names.length, spec.dense, spec.names.length - spec.dense, (row, set) => spec.fill(calendarDay(start + row), row / 365.25, set));
    const pattern: number[] = [];
    for (let k = 0; k < spec.penalty.length; k++) if (spec.penalty[k] !== 0 || spec.roughness[k] !== 0) pattern.push(k);
    entry = { design, penalty: spec.penalty, roughness: spec.roughness, penaltyPattern: Int32Array.from(pattern), terms: spec.names };
    if (sharedDesigns.size >= SHARED_DESIGNS) sharedDesigns.delete(sharedDesigns.keys().next().value!);
    sharedDesigns.set(key, entry);
  }
  return entry;
}

export interface PulseModel {
  shape: ModelShape;
  terms: string[];
  beta: Float64Array;
  dispersion: number;
  /**
   * Dispersion of sums over 7 and 28 consecutive days, at least φ: misfit that lasts (a season
   * sharper than the spline, a wandering level) is small on one day but adds up over a
   * window, which is what the CUSUM sums. Estimated from the fit's own residuals.
   */
  windowDispersion: number;
  /** D_L, the dispersion of sums over L consecutive days, at [L] for L = 1…max(longest rise window, 28) (see `windowDispersions`). */
  windowDispersions: Float64Array;
  /**
   * φ of a day grows with its mean by this much per count (≥ 0): φₜ = φ + slope·(μₜ − mean μ).
   * Multiplicative day noise makes the variance φμ + σ²μ², so busy weekdays are relatively noisier
   * than quiet weekends; fitted to the squared Pearson residuals of the fit.
   */
  dispersionSlope: number;
  meanLevel: number;
  /** Cholesky factor of the fit's information XᵀWX + P (p×p, lower, row-major): Cov(β̂) ≈ φ·(XᵀWX + P)⁻¹. */
  information: Float64Array;
  /** Rows of the fit: series positions [from, to). */
  from: number;
  to: number;
  downWeighted: number;
  /** IRLS iterations of the first and the reweighted fit. */
  iterations: [number, number];
}

/**
 * The expected-value model of one series, fitted lazily per refit day and cached: the same fit
 * serves every day until the next refit, and each fit starts from the previous one of its shape.
 */
export class PulseExpectation {
  private readonly start: number;
  private readonly warm = new Map<
    string,
    {
      initial?: Float64Array;
      reweighted?: Float64Array;
      hessian?: { initial?: Float64Array; reweighted?: Float64Array };
      age: number;
      structure?: { dispersions: Float64Array; slope: number; meanLevel: number };
      screening?: Screening;
    }
  >();
  private readonly fits = new Map<number, PulseModel | null>();
  private readonly penalties = new Map<string, Float64Array>();
  private readonly counts: Float64Array;
  private lastDispersion: number | undefined;
  /** Longest window whose dispersion D_L the model estimates. */
  private readonly longestWindow: number;
  /**
   * L⁻¹xₜ (`vectors`, p per position) and ‖L⁻¹xₜ‖² (`value`) by series position for the
   * information factor L last used by `baseline` (value NaN: not yet).
   */
  private readonly norms: { factor?: Float64Array; value: Float64Array; vectors: Float64Array };

  constructor(
    private readonly series: CountSeries,
    private readonly settings: PulseSettings = PULSE_DEFAULTS,
  ) {
    this.start = checkSeries(series);
    this.counts = Float64Array.from(series.counts);
    this.longestWindow = Math.max(CUSUM_DISPERSION_WINDOW, ...settings.riseWindows);
    this.norms = { value: new Float64Array(series.dates.length), vectors: new Float64Array(0) };
  }

  /** Series position of the refit day that serves position t. */
  anchorOf(t: number): number {
    const every = this.settings.refitEvery;
    const phase = (((this.start + t - REFIT_EPOCH) % every) + every) % every;
    return t - phase;
  }

  private designFor(shape: ModelShape): Design {
    return designOver(this.start, this.series.dates.length, shape);
  }

  /** The model fitted for refit day `anchor` (null: too little history). */
  modelAt(anchor: number): PulseModel | null {
    const cached = this.fits.get(anchor);
    if (cached !== undefined) return cached;
    const { guardDays, historyDays, minHistoryDays, quietLevel, likelihoodBelow } = this.settings;
    const counts = this.counts;
    const to = Math.min(anchor - guardDays, this.series.dates.length);
    let from = Math.max(0, to - historyDays);
    let model: PulseModel | null = null;
    if (to - from >= minHistoryDays) {
      let total = 0;
      for (let i = from; i < to; i++) total += counts[i];
      const level = total / (to - from);
      const quiet = level < quietLevel;
      let shape: ModelShape;
      if (to - from < 365) {
        // Under a year a season cannot be told from a trend: a recent level with the calendar.
        from = Math.max(from, to - 91);
        shape = { season: 'none', trend: false, quiet };
      } else {
        shape = { season: quiet ? this.settings.quietSeason : 'spline', trend: true, quiet };
      }
      const { design, penalty: ridge, roughness, penaltyPattern, terms } = this.designFor(shape);
      const smoothing = this.settings.seasonSmoothing * Math.max(1, level);
      const key = shapeKey(shape);
      // (one penalty buffer per shape, its non-zero entries rewritten each refit: no fit keeps it)
      let penalty = this.penalties.get(key);
      if (!penalty) this.penalties.set(key, (penalty = new Float64Array(ridge.length)));
      for (const k of penaltyPattern) penalty[k] = ridge[k] + smoothing * roughness[k];
      const warm = this.warm.get(key);
      const reuse = warm !== undefined && warm.age < HESSIAN_REUSE;
      const fit = fitRobust(design, counts, {
        from,
        to,
        penalty,
        penaltyPattern,
        threshold: this.settings.reweightThreshold,
        weighting: 'farrington',
        windows: LASTING_OUTBREAK_WINDOWS,
        windowThreshold: 2.58,
        exactTails: true,
        // The likelihood φ is worth its cost once per information refresh; kept in between.
        dispersion: level >= likelihoodBelow ? 'pearson' : reuse ? 'given' : 'likelihood',
        near: this.lastDispersion,
        start: warm,
        // A refit's information matrices and screening serve the next five refits, then are built
        // afresh: in between, a refit screens only its new week and runs one IRLS.
        hessian: reuse ? warm.hessian : undefined,
        screening: reuse ? warm.screening : undefined,
        // (a renewal builds one information matrix, the screening fit's)
        shareInformation: true,
        // Warm-started Newton steps: after a step under 0.05 the error is ~0.05² (a 0.3 % change
        // of μ₀ at most, far inside its statistical error), so most refits take one step per fit.
        tolerance: 0.05,
        // The first fit only has to tell past outbreaks (days 2.2 sd out): a step under 0.3 leaves
        // μ within a few per cent on ordinary days.
        screeningTolerance: 0.3,
        maxIterations: 40,
      });
      // Pearson's φ counts the moderate past outbreaks the screening let through; the days below
      // expectation do not see them.
      if (level >= likelihoodBelow) fit.dispersion = dispersionBelow(counts, fit.final.mu, fit.weights, from, to, fit.dispersion);
      this.lastDispersion = fit.dispersion;
      // The residuals' structure (window dispersions, φ's growth with μ) is re-estimated with the
      // information matrices, every sixth refit: five weeks more of three years hardly move it.
      const structure =
        reuse && warm.structure
          ? { ...warm.structure, dispersions: warm.structure.dispersions.map((d) => Math.max(d, fit.dispersion)) }
          : {
              dispersions: windowDispersions(counts, fit.final.mu, fit.weights, from, to, this.longestWindow, smoothTerms(shape), fit.dispersion),
              ...(level < likelihoodBelow ? { slope: 0, meanLevel: level } : dispersionTrend(counts, fit.final.mu, fit.weights, from, to)),
            };
      const { dispersions, slope, meanLevel } = structure;
      const windowDispersion = Math.max(dispersions[7], dispersions[CUSUM_DISPERSION_WINDOW]);
      this.warm.set(key, {
        structure: reuse && warm.structure ? warm.structure : structure,
        screening: fit.screening,
        initial: fit.initial.beta,
        reweighted: fit.final.beta,
        hessian: reuse ? warm.hessian : { initial: fit.initial.information, reweighted: fit.final.information },
        age: reuse ? warm.age + 1 : 0,
      });
      model = { shape, terms, beta: fit.final.beta, dispersion: fit.dispersion, windowDispersion, windowDispersions: dispersions, dispersionSlope: slope, meanLevel, information: fit.final.information, from, to, downWeighted: fit.downWeighted, iterations: [fit.initial.iterations, fit.downWeighted ? fit.final.iterations : 0] };
    }
    this.fits.set(anchor, model);
    return model;
  }

  /**
   * What the model fitted for refit day `anchor` expects of positions [from, to): the days it
   * judges and the days their windows reach back to. The prediction's own error is worked out
   * from `projectFrom` on (the days rise windows reach); before it, days serve the CUSUM only.
   * Null when there is too little history.
   */
  baseline(anchor: number, from: number, to: number, projectFrom = from): Baseline | null {
    const model = this.modelAt(anchor);
    if (!model) return null;
    const { design } = this.designFor(model.shape);
    const { cusumShift } = this.settings;
    const p = design.columns;
    const length = to - from;
    const mean = new Float64Array(length);
    const dispersion = new Float64Array(length);
    const dayVariance = new Float64Array(length);
    const increment = new Float64Array(length);
    const predictionSd = new Float64Array(length);
    const x = new Float64Array(p);
    const l = model.information;
    // ‖L⁻¹x‖² depends on the row and the factor alone, and refits that reuse a factor (five in
    // six) judge a week whose windows reach back into the last one's days: each is worked out once.
    if (this.norms.factor !== l) {
      this.norms.factor = l;
      this.norms.value.fill(Number.NaN);
      if (this.norms.vectors.length !== this.norms.value.length * p) this.norms.vectors = new Float64Array(this.norms.value.length * p);
    }
    const norms = this.norms.value;
    const vectors = this.norms.vectors;
    // μ₀L⁻¹x of the days the rise windows reach: a window's expected total inherits φ_c‖Σ μ₀L⁻¹x‖².
    const prediction = new Float64Array(length * p);
    // φ(XᵀWX + P)⁻¹ is the coefficients' covariance for independent days; the days' lasting
    // noise (misfit, a wandering level) makes them as uncertain as two-week sums are noisy.
    const parameterDispersion = model.windowDispersions[PARAMETER_REACH];
    const { dense, denseValue, width, column, value, filled } = design;
    // A series silent for the whole window would predict ~0; half a case per window is the floor.
    const floor = 0.5 / (model.to - model.from);
    for (let k = 0; k < length; k++) {
      const row = from + k;
      const m = Math.max(floor, Math.exp(Math.min(30, design.linear(row, model.beta))));
      // The prediction's own error: Var(log μ̂) = φ·xᵀ(XᵀWX + P)⁻¹x = φ·‖L⁻¹x‖², so the count's
      // variance is μ(φ + φ·h) with h = μ‖L⁻¹x‖²; μ‖L⁻¹x‖ is the expected count's sd over √φ.
      let h = 0;
      if (row >= projectFrom) {
        h = norms[row];
        if (Number.isNaN(h)) {
          h = 0;
          x.fill(0);
          for (let j = 0; j < dense; j++) x[j] = denseValue[row * dense + j];
          for (let j = 0; j < filled[row]; j++) x[column[row * width + j]] = value[row * width + j];
          for (let i = 0; i < p; i++) {
            let sum = x[i];
            for (let j = 0; j < i; j++) sum -= l[i * p + j] * x[j];
            x[i] = sum / l[i * p + i];
            h += x[i] * x[i];
            vectors[row * p + i] = x[i];
          }
          norms[row] = h;
        }
        for (let i = 0; i < p; i++) prediction[k * p + i] = m * vectors[row * p + i];
        predictionSd[k] = m * Math.sqrt(h);
        h *= m;
      }
      const phi = Math.max(1, model.dispersion + model.dispersionSlope * (m - model.meanLevel));
      mean[k] = m;
      dispersion[k] = phi + parameterDispersion * h;
      dayVariance[k] = phi * m;
      const cusumDispersion = Math.max(model.windowDispersion, phi);
      const step = cusumIncrement(m, cusumDispersion, cusumKappa(m, cusumDispersion, cusumShift));
      increment[k] = step.slope * this.counts[row] - step.offset;
    }
    return { from, mean, dispersion, dayVariance, increment, windowDispersions: model.windowDispersions, predictionSd, prediction: { vectors: prediction, columns: p }, parameterDispersion };
  }

  /** Too little history for a model: a baseline from the plain mean of up to 28 days before t (null under 7). */
  recentBaseline(t: number, from: number): Baseline | null {
    const recent = recentMean(this.counts, t);
    if (Number.isNaN(recent.mean)) return null;
    const length = t + 1 - from;
    const { mean: m, dispersion: phi } = recent;
    const step = cusumIncrement(m, phi, cusumKappa(m, phi, this.settings.cusumShift));
    return {
      from,
      mean: new Float64Array(length).fill(m),
      dispersion: new Float64Array(length).fill(phi),
      dayVariance: new Float64Array(length).fill(phi * m),
      increment: Float64Array.from({ length }, (_, k) => step.slope * this.counts[from + k] - step.offset),
      windowDispersions: new Float64Array(this.longestWindow + 1).fill(phi),
      predictionSd: new Float64Array(length),
      parameterDispersion: 0,
    };
  }
}

/**
 * One model's view of a stretch of days, indexed by series position − `from`: μ₀, the day's
 * dispersion (φ with the prediction's own error), φμ₀ and the CUSUM's log-likelihood-ratio
 * increment of each day, and the model's window dispersions D_L; `predictionSd` holds μ₀‖L⁻¹x‖
 * of each day (the sd of its expected count over √φ), which bound the error a window's expected
 * total inherits from the coefficients: φ·(Σ μ₀‖L⁻¹x‖)² (see RiseBaseline).
 */
export interface Baseline extends RiseBaseline {
  dispersion: Float64Array;
  increment: Float64Array;
  windowDispersions: Float64Array;
}

/**
 * φ from the days below their expectation alone: past outbreaks only ever lift days, so the lower
 * side is untouched by those too small to be down-weighted one by one (a 7-day plateau at 1 sd a
 * day adds ~1 to each day's squared Pearson residual, and with an outbreak every two months
 * lifts Pearson's φ by 10–20 %). E[(y − μ)²/μ · 1(y < μ)] = φ·(½ − γ/(3√(2π))) to first order
 * in the skewness γ = (2φ − 1)/√(φμ) of the NB (Edgeworth), solved for φ by fixed point.
 */
function dispersionBelow(y: Float64Array, mu: Float64Array, weights: Float64Array, from: number, to: number, start: number): number {
  let squares = 0;
  // Σ 1/√μ and its largest term: unless the floor at 0.2 binds, the expectation is 0.5·n − c·Σ 1/√μ.
  let days = 0;
  let inverseRoots = 0;
  let largest = 0;
  for (let i = from; i < to; i++) {
    if (weights[i - from] <= 0) continue;
    const m = mu[i - from];
    if (y[i] < m) squares += ((y[i] - m) * (y[i] - m)) / m;
    const inverseRoot = 1 / Math.sqrt(m);
    days++;
    inverseRoots += inverseRoot;
    if (inverseRoot > largest) largest = inverseRoot;
  }
  let phi = start;
  for (let iteration = 0; iteration < 3; iteration++) {
    const c = (2 * phi - 1) / Math.sqrt(phi) / (3 * Math.sqrt(2 * Math.PI));
    let expected = 0.5 * days - c * inverseRoots;
    if (c * largest > 0.3) {
      expected = 0;
      for (let i = from; i < to; i++) if (weights[i - from] > 0) expected += Math.max(0.2, 0.5 - c / Math.sqrt(mu[i - from]));
    }
    phi = Math.max(1, squares / expected);
  }
  return phi;
}

/** Least-squares slope of the squared Pearson residuals on μ (floored at 0), outbreak days left out. */
function dispersionTrend(y: Float64Array, mu: Float64Array, weights: Float64Array, from: number, to: number): { slope: number; meanLevel: number } {
  let n = 0;
  let sumMu = 0;
  let sumR = 0;
  for (let i = from; i < to; i++) {
    if (weights[i - from] < 1) continue;
    const m = mu[i - from];
    n++;
    sumMu += m;
    sumR += ((y[i] - m) * (y[i] - m)) / m;
  }
  if (n < 2) return { slope: 0, meanLevel: sumMu / Math.max(n, 1) };
  const meanMu = sumMu / n;
  const meanR = sumR / n;
  let covariance = 0;
  let variance = 0;
  for (let i = from; i < to; i++) {
    if (weights[i - from] < 1) continue;
    const m = mu[i - from];
    const r = ((y[i] - m) * (y[i] - m)) / m;
    covariance += (m - meanMu) * (r - meanR);
    variance += (m - meanMu) * (m - meanMu);
  }
  return { slope: variance > 0 ? Math.max(0, covariance / variance) : 0, meanLevel: meanMu };
}

/** About how many degrees of freedom the smooth part spends (the spline's are penalised). */
const smoothTerms = (shape: ModelShape) => 1 + (shape.trend ? 1 : 0) + (shape.season === 'spline' ? SEASON_KNOTS / 2 : shape.season === 'fourier' ? 2 : 0);

/** Days a coefficient of the season reaches (knots every two weeks): the sums whose dispersion scales the coefficients' covariance. */
const PARAMETER_REACH = 14;

/** The CUSUM's dispersion is that of sums over this many days (D_L grows with L; see windowDispersions). */
const CUSUM_DISPERSION_WINDOW = 28;

/** Window lengths at which D_L is estimated; lengths between them are interpolated. */
const DISPERSION_LENGTHS = [1, 2, 3, 5, 7, 10, 14, 21, 28];

/**
 * D_L for L = 1…longest: the dispersion of sums over L consecutive days of the fit, estimated
 * from every window w of L days (days down-weighted as past outbreaks left out: a share of a
 * spike is still a spike) as Σ d_w² / Σ E_w over the windows below expectation (d_w < 0; see
 * below), scaled up for the smooth terms, which absorb part of long windows' deviations (about
 * one per L days, as with disjoint blocks). D_1 is φ. Estimated at DISPERSION_LENGTHS, made
 * non-decreasing in L by pooling adjacent violators (weights: the windows' worth of independent
 * blocks) — lasting misfit and autocorrelated day noise make longer sums relatively noisier,
 * never quieter, and the rise scan needs its window variances to grow with the window — and
 * interpolated linearly in between.
 */
function windowDispersions(y: Float64Array, mu: Float64Array, weights: Float64Array, from: number, to: number, longest: number, smoothTerms: number, phi: number): Float64Array {
  const n = to - from;
  const deviation = new Float64Array(n + 1);
  const expected = new Float64Array(n + 1);
  for (let i = from; i < to; i++) {
    const kept = weights[i - from] >= 1;
    deviation[i - from + 1] = deviation[i - from] + (kept ? y[i] - mu[i - from] : 0);
    expected[i - from + 1] = expected[i - from] + (kept ? mu[i - from] : 0);
  }
  const lengths = DISPERSION_LENGTHS.filter((length) => length < longest).concat(longest);
  const value = new Float64Array(lengths.length);
  const weight = new Float64Array(lengths.length);
  lengths.forEach((length, k) => {
    if (length === 1) {
      value[k] = phi;
      weight[k] = n;
      return;
    }
    const blocks = n / length;
    if (blocks <= smoothTerms + 2) return;
    // Past outbreaks that were not down-weighted day by day (a plateau of moderate days) still
    // stand out as windows above their expectation, and raise a variance estimate a lot; the
    // windows below their expectation are untouched by them. So the estimate uses those alone,
    // E[d² | d < 0] = Var(d) for a symmetric sum. Sums of a sparse series are skewed to the
    // right, which makes it too low there — where the floor at φ takes over.
    // Windows a third of their length apart: overlapping more adds cost, hardly information.
    const stride = Math.max(1, Math.floor(length / 3));
    let squares = 0;
    let total = 0;
    for (let end = n; end >= length; end -= stride) {
      const d = deviation[end] - deviation[end - length];
      if (d >= 0) continue;
      squares += d * d;
      total += expected[end] - expected[end - length];
    }
    if (total <= 0) return;
    value[k] = Math.max(phi, (squares / total) * (blocks / (blocks - smoothTerms)));
    weight[k] = blocks;
  });
  const fitted = nonDecreasing(value, weight, phi);
  const out = new Float64Array(longest + 1);
  out[0] = phi;
  for (let k = 0; k < lengths.length; k++) {
    const [low, high] = [lengths[k - 1] ?? 0, lengths[k]];
    for (let length = low + 1; length <= high; length++) {
      const share = (length - low) / (high - low);
      out[length] = k === 0 ? fitted[0] : fitted[k - 1] + share * (fitted[k] - fitted[k - 1]);
    }
  }
  return out;
}

/**
 * The weighted least-squares non-decreasing fit of a sequence (pool adjacent violators), floored
 * at `floor`; an entry of weight 0 (no estimate) takes the level of the entries before it.
 */
function nonDecreasing(value: Float64Array, weight: Float64Array, floor: number): Float64Array {
  const pools: { value: number; weight: number; count: number }[] = [];
  for (let k = 0; k < value.length; k++) {
    if (weight[k] === 0) {
      if (pools.length) pools[pools.length - 1].count++;
      else pools.push({ value: floor, weight: 0, count: 1 });
      continue;
    }
    pools.push({ value: value[k], weight: weight[k], count: 1 });
    while (pools.length > 1 && pools[pools.length - 2].value > pools[pools.length - 1].value) {
      const last = pools.pop()!;
      const before = pools[pools.length - 1];
      const w = before.weight + last.weight;
      before.value = w > 0 ? (before.value * before.weight + last.value * last.weight) / w : Math.max(before.value, last.value);
      before.weight = w;
      before.count += last.count;
    }
  }
  const out = new Float64Array(value.length);
  let k = 0;
  for (const pool of pools) for (let c = 0; c < pool.count; c++) out[k++] = Math.max(floor, pool.value);
  return out;
}

/** Too little history for a model: the mean and dispersion of up to 28 days before t. */
function recentMean(counts: ArrayLike<number>, t: number): { mean: number; dispersion: number } {
  const from = Math.max(0, t - 28);
  const n = t - from;
  if (n < 7) return { mean: Number.NaN, dispersion: Number.NaN };
  let sum = 0;
  let squares = 0;
  for (let i = from; i < t; i++) {
    sum += counts[i];
    squares += counts[i] * counts[i];
  }
  const mean = sum / n;
  const variance = (squares - n * mean * mean) / (n - 1);
  return { mean: Math.max(mean, 0.5 / n), dispersion: mean > 0 ? Math.max(1, variance / mean) : 1 };
}

/** The shares of α of the three channels (day, rise, CUSUM), checked. */
function channelShares(settings: PulseSettings): Record<Channel, number> {
  const { riseShare: rise, cusumShare: cusum } = settings;
  if (!(rise >= 0 && cusum >= 0 && rise + cusum < 1)) throw new RangeError(`riseShare and cusumShare must be ≥ 0 and leave a share for the day (got ${rise} and ${cusum})`);
  return { day: 1 - rise - cusum, rise, cusum };
}

/** p/share, the channel's p-value on the scale of α (a channel without a share never decides). */
const onAlphaScale = (p: number, share: number) => (share > 0 ? p / share : Infinity);

/**
 * Pulse verdicts for every day ≥ from.
 *
 * Each judged day t is seen through the model serving t (fitted on the refit day before t, on
 * data before its guard band): μ₀ and φ of day t and of the days its windows reach back to. The
 * days before `from` whose windows and restarts the first verdicts depend on (three CUSUM
 * memories) are seen through the model of the first judged day, so that judging one day or a
 * fortnight costs one or two fits, not one per week of the look-back.
 */
export function pulse(series: CountSeries, from: string, overrides: Partial<PulseSettings> = {}): DayResult[] {
  const settings = { ...PULSE_DEFAULTS, ...overrides };
  const shares = channelShares(settings);
  const expectation = new PulseExpectation(series, settings);
  const n = series.dates.length;
  const first = firstPosition(series, from);
  if (first >= n) return [];
  const { alpha, cusumMemory, riseWindows, refitEvery } = settings;
  const counts = series.counts;
  const longestRise = riseWindows[riseWindows.length - 1];
  const lookBack = Math.max(cusumMemory, longestRise);
  // Restarts depend on earlier verdicts; three memories back they have settled, so a verdict
  // hardly depends on `from`.
  const warmUp = Math.max(0, first - 3 * cusumMemory);
  const rise = new RiseScan(riseWindows);
  const results: DayResult[] = [];
  // The first day a window may hold: the day after the last alarm (or the warm-up's start).
  let earliest = warmUp;
  for (let t = warmUp; t < n; ) {
    const anchor = expectation.anchorOf(Math.max(t, first));
    // The model serves the days up to the next refit (and, before `from`, the warm-up).
    const until = Math.min(n, anchor + refitEvery);
    const modelled = expectation.baseline(anchor, Math.max(0, t - lookBack + 1), until, Math.max(0, t - longestRise + 1));
    for (; t < until; t++) {
      const baseline = modelled ?? expectation.recentBaseline(t, Math.max(0, t - lookBack + 1));
      const verdict = baseline ? judge(t, baseline) : null;
      if (verdict?.alarm) earliest = t + 1;
      if (t >= first) results.push(verdict ?? { date: series.dates[t], count: counts[t], ...UNEVALUATED });
    }
  }
  return results;

  function judge(t: number, baseline: Baseline): DayResult {
    const k = t - baseline.from;
    const count = counts[t];
    const mean = baseline.mean[k];
    const dispersion = baseline.dispersion[k];
    const pDay = nbUpperTail(count, mean, dispersion);
    const window = rise.scan(t, earliest, counts, baseline, baseline.windowDispersions);
    const cusum = bestWindowSum(baseline.increment, baseline.from, t, earliest, cusumMemory);
    const pCusum = Math.min(1, Math.exp(-cusum.sum));
    const adjusted: Record<Channel, number> = { day: onAlphaScale(pDay, shares.day), rise: onAlphaScale(window.pValue, shares.rise), cusum: onAlphaScale(pCusum, shares.cusum) };
    const channel: Channel = adjusted.rise < adjusted.day && adjusted.rise <= adjusted.cusum ? 'rise' : adjusted.cusum < adjusted.day ? 'cusum' : 'day';
    const pValue = Math.min(1, adjusted[channel]);
    const result: DayResult = {
      date: series.dates[t],
      count,
      expected: mean,
      upper: nbUpperBound(mean, dispersion, shares.day * alpha),
      pValue,
      score: log10Score(pValue),
      alarm: pValue <= alpha,
      channel,
      pDay,
      pRise: window.pValue,
      pCusum,
    };
    if (channel === 'rise') Object.assign(result, riseFields(window.start, window.days, window.observed, window.expected));
    if (channel === 'cusum') {
      let observed = 0;
      let expected = 0;
      for (let i = cusum.start; i <= t; i++) {
        observed += counts[i];
        expected += baseline.mean[i - baseline.from];
      }
      Object.assign(result, riseFields(cusum.start, t - cusum.start + 1, observed, expected));
    }
    return result;
  }

  function riseFields(start: number, days: number, observed: number, expected: number) {
    return { riseStart: series.dates[start], riseDays: days, riseObserved: observed, riseExpected: expected };
  }
}
