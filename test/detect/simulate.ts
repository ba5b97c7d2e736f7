import { calendarDay, dayString } from '../../pipelines/detect/calendar.js';
import { logGamma } from '../../pipelines/detect/negbin.js';

/**
 * Synthetic hotline series for the detector tests and the benchmark: a seeded random generator,
 * a random "category" profile (level, trend, yearly season of a kind, weekday pattern, holidays,
 * Spring Festival build-up and dip, over-dispersion, slowly wandering day-to-day noise), and
 * outbreaks of known start, size and shape.
 *
 * The profile deliberately holds things the detector's model does not (a heating season with a
 * sharp onset, a ramp before the festival, autocorrelated noise), so that the benchmark does not
 * flatter a model that matches its own simulator.
 */

/** A small deterministic generator: a Weyl sequence through the murmur3 finaliser. */
export class Random {
  private state: number;
  private spare: number | null = null;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Uniform on [0, 1). */
  uniform(): number {
    this.state = (this.state + 0x9e3779b9) >>> 0;
    let z = this.state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    z ^= z >>> 16;
    return (z >>> 0) / 4294967296;
  }

  between(low: number, high: number): number {
    return low + (high - low) * this.uniform();
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.uniform() * items.length)];
  }

  /** Standard normal (Box–Muller, the second value kept for the next call). */
  normal(): number {
    if (this.spare !== null) {
      const value = this.spare;
      this.spare = null;
      return value;
    }
    const radius = Math.sqrt(-2 * Math.log(1 - this.uniform()));
    const angle = 2 * Math.PI * this.uniform();
    this.spare = radius * Math.sin(angle);
    return radius * Math.cos(angle);
  }

  /** Gamma(shape, scale 1) by Marsaglia and Tsang. */
  gamma(shape: number): number {
    if (shape < 1) return this.gamma(shape + 1) * Math.pow(1 - this.uniform(), 1 / shape);
    const d = shape - 1 / 3;
    const c = 1 / Math.sqrt(9 * d);
    for (;;) {
      let x: number;
      let v: number;
      do {
        x = this.normal();
        v = 1 + c * x;
      } while (v <= 0);
      v = v * v * v;
      const u = 1 - this.uniform();
      if (Math.log(u) < 0.5 * x * x + d - d * v + d * Math.log(v)) return d * v;
    }
  }

  /** Poisson: inversion for small means, Hörmann's transformed rejection (PTRS) for large ones. */
  poisson(mean: number): number {
    if (!(mean > 0)) return 0;
    if (mean < 10) {
      let k = 0;
      let p = Math.exp(-mean);
      let cumulative = p;
      const u = this.uniform();
      while (u > cumulative && k < 1000) {
        k++;
        p *= mean / k;
        cumulative += p;
      }
      return k;
    }
    const logMean = Math.log(mean);
    const b = 0.931 + 2.53 * Math.sqrt(mean);
    const a = -0.059 + 0.02483 * b;
    const inverseAlpha = 1.1239 + 1.1328 / (b - 3.4);
    const vr = 0.9277 - 3.6224 / (b - 2);
    for (;;) {
      const u = this.uniform() - 0.5;
      const v = this.uniform();
      const us = 0.5 - Math.abs(u);
      const k = Math.floor(((2 * a) / us + b) * u + mean + 0.43);
      if (us >= 0.07 && v <= vr) return k;
      if (k < 0 || (us < 0.013 && v > us)) continue;
      if (Math.log(v) + Math.log(inverseAlpha) - Math.log(a / (us * us) + b) <= -mean + k * logMean - logGamma(k + 1)) return k;
    }
  }

  /** Negative binomial with mean μ and variance φμ: a Poisson with a gamma-distributed mean. */
  negBinomial(mean: number, dispersion: number): number {
    if (dispersion <= 1) return this.poisson(mean);
    const size = mean / (dispersion - 1);
    return this.poisson((mean * this.gamma(size)) / size);
  }
}

export type SeasonKind = 'summer noise' | 'winter heating' | 'autumn harvest' | 'smooth' | 'flat';

/** What makes one category × district series look the way it does (effects on the log scale). */
export interface HotlineProfile {
  /** Average count per day over the simulated span. */
  level: number;
  trendPerYear: number;
  season: SeasonKind;
  seasonAmplitude: number;
  /** Harmonic coefficients of a 'smooth' season. */
  harmonics: number[];
  /** Log-effects Sunday … Saturday on ordinary days. */
  weekday: number[];
  holiday: number;
  festivalHoliday: number;
  makeUpWorkday: number;
  afterBreak: number;
  afterLongBreak: number;
  /** Peak of the build-up in the four weeks before the Spring Festival (wage arrears …). */
  beforeFestival: number;
  afterFestival: number;
  /** NB dispersion φ (variance φμ). */
  dispersion: number;
  /** Day-to-day log-scale noise: stationary sd and lag-one correlation. */
  noiseSd: number;
  noiseCorrelation: number;
}

export function randomProfile(random: Random, level: number): HotlineProfile {
  const weekend = Math.log(random.between(0.45, 0.85));
  return {
    level,
    trendPerYear: random.between(-0.1, 0.2),
    season: random.pick(['summer noise', 'winter heating', 'autumn harvest', 'smooth', 'flat'] as const),
    seasonAmplitude: random.between(0.15, 0.6),
    harmonics: [random.normal(), random.normal(), 0.5 * random.normal(), 0.5 * random.normal()],
    weekday: [weekend - 0.05, 0.1, 0, 0, 0, -0.05, weekend],
    holiday: Math.log(random.between(0.35, 0.7)),
    festivalHoliday: Math.log(random.between(0.2, 0.5)),
    makeUpWorkday: Math.log(random.between(0.8, 1)),
    afterBreak: Math.log(random.between(1.1, 1.4)),
    afterLongBreak: Math.log(random.between(1.05, 1.4)),
    beforeFestival: random.uniform() < 0.4 ? random.between(0.2, 0.6) : random.between(0, 0.1),
    afterFestival: random.between(0, 0.2),
    dispersion: random.between(1.1, 2.5),
    noiseSd: random.between(0.03, 0.08),
    noiseCorrelation: 0.8,
  };
}

function seasonEffect(profile: HotlineProfile, index: number): number {
  const date = dayString(index);
  const dayOfYear = (index - Math.round(Date.parse(`${date.slice(0, 4)}-01-01T00:00:00Z`) / 86_400_000)) + 1;
  const a = profile.seasonAmplitude;
  switch (profile.season) {
    case 'summer noise':
      return a * Math.exp(-(((dayOfYear - 200) / 40) ** 2));
    case 'winter heating': {
      // Xinjiang: heating starts mid-October (a sharp rise), settles, ends mid-April.
      if (dayOfYear >= 283 && dayOfYear < 293) return a * ((dayOfYear - 283) / 10);
      if (dayOfYear >= 293 && dayOfYear < 320) return a;
      if (dayOfYear >= 320 || dayOfYear <= 105) return 0.6 * a;
      return 0;
    }
    case 'autumn harvest':
      return a * Math.exp(-(((dayOfYear - 285) / 15) ** 2));
    case 'smooth': {
      const w = (2 * Math.PI * dayOfYear) / 365.25;
      const [s1, c1, s2, c2] = profile.harmonics;
      return (a / 2) * (s1 * Math.sin(w) + c1 * Math.cos(w) + s2 * Math.sin(2 * w) + c2 * Math.cos(2 * w));
    }
    case 'flat':
      return 0;
  }
}

/** Expected counts of ordinary days (no noise, no outbreak) for `days` days from day index `start`. */
export function baselineMeans(profile: HotlineProfile, start: number, days: number): Float64Array {
  const log = new Float64Array(days);
  for (let t = 0; t < days; t++) {
    const day = calendarDay(start + t);
    let eta = profile.trendPerYear * (t / 365.25) + seasonEffect(profile, start + t);
    if (day.festivalHoliday) eta += profile.festivalHoliday;
    else if (day.holiday) eta += profile.holiday;
    else if (day.makeUpWorkday) eta += profile.makeUpWorkday;
    else eta += profile.weekday[day.weekday];
    if (day.breakBefore >= 3) eta += profile.afterBreak;
    if (day.breakBefore >= 7) eta += profile.afterLongBreak;
    const d = day.daysFromFestival;
    if (d >= -28 && d <= -1) eta += profile.beforeFestival * (1 - (-d - 1) / 28);
    if (d >= 7 && d <= 20) eta += profile.afterFestival;
    log[t] = eta;
  }
  let total = 0;
  for (let t = 0; t < days; t++) total += Math.exp(log[t]);
  const scale = (profile.level * days) / total;
  return Float64Array.from(log, (eta) => scale * Math.exp(eta));
}

/** Counts of ordinary days: the means times a wandering log-normal noise, NB around that. */
export function simulateCounts(random: Random, profile: HotlineProfile, means: Float64Array): number[] {
  const { noiseSd, noiseCorrelation: rho } = profile;
  const innovation = noiseSd * Math.sqrt(1 - rho * rho);
  let noise = noiseSd * random.normal();
  const counts: number[] = new Array(means.length);
  for (let t = 0; t < means.length; t++) {
    noise = rho * noise + innovation * random.normal();
    counts[t] = random.negBinomial(means[t] * Math.exp(noise - (noiseSd * noiseSd) / 2), profile.dispersion);
  }
  return counts;
}

export type OutbreakShape = 'spike 1d' | 'short 3d' | 'plateau 7d' | 'ramp 14d';

/** Share of an outbreak's excess on each of its days. */
export const OUTBREAK_SHAPES: Record<OutbreakShape, number[]> = {
  'spike 1d': [1],
  'short 3d': [1 / 3, 1 / 3, 1 / 3],
  'plateau 7d': Array.from({ length: 7 }, () => 1 / 7),
  'ramp 14d': Array.from({ length: 14 }, (_, d) => (d + 1) / 105),
};

export interface Outbreak {
  start: number;
  shape: OutbreakShape;
  /** k: the excess is k standard deviations of the baseline total over the outbreak's days. */
  size: number;
  /** Expected excess cases. */
  excess: number;
}

/** Variance of an ordinary day's count: NB around a log-normally wandering mean, φμ + μ²(e^{σ²} − 1). */
export function baselineVariance(profile: HotlineProfile, mean: number): number {
  return profile.dispersion * mean + mean * mean * Math.expm1(profile.noiseSd * profile.noiseSd);
}

/**
 * Adds an outbreak to `counts` (in place). Its size k is in standard deviations of the baseline
 * count: the expected excess is k·√(Σ var_d) over its days — for a one-day spike the classic
 * k × sd; for longer shapes the same k makes the outbreak's total equally far out of the ordinary,
 * so shapes differ in how the excess is spread, not in how much evidence there is in all.
 */
export function injectOutbreak(random: Random, counts: number[], means: Float64Array, profile: HotlineProfile, start: number, shape: OutbreakShape, size: number): Outbreak {
  const share = OUTBREAK_SHAPES[shape];
  let variance = 0;
  for (let d = 0; d < share.length; d++) variance += baselineVariance(profile, means[start + d]);
  const excess = size * Math.sqrt(variance);
  for (let d = 0; d < share.length; d++) counts[start + d] += random.poisson(excess * share[d]);
  return { start, shape, size, excess };
}
