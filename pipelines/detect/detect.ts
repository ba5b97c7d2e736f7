import { ears } from './ears.js';
import { farrington } from './farrington.js';
import { pulse, type PulseSettings } from './pulse.js';
import type { CountSeries, DayResult } from './series.js';

/**
 * One way in for every detector: a daily series and the first day to judge; out comes a verdict
 * for every day ≥ from, each computed from the data up to and including that day only.
 */

export type MethodName = 'pulse' | 'ears-c1' | 'ears-c2' | 'ears-c3' | 'farrington';

export const METHODS: readonly MethodName[] = ['pulse', 'ears-c1', 'ears-c2', 'ears-c3', 'farrington'];

/** What each method's `score` is (larger = more unusual); the benchmark thresholds it. */
export const METHOD_SCORES: Record<MethodName, string> = {
  pulse: '−log10 of the combined p-value (day NB tail and NB CUSUM, weighted Bonferroni)',
  'ears-c1': 'C1 = (x − mean)/sd of days t−7…t−1',
  'ears-c2': 'C2 = (x − mean)/sd of days t−9…t−3',
  'ears-c3': 'C3 = Σ max(0, C2 − 1) over days t−2…t',
  farrington: '−log10 of the NB tail P(X ≥ x) (0 under limit54)',
};

export interface DetectOptions {
  /** First day to judge, YYYY-MM-DD; earlier days only serve as history. */
  from: string;
  method?: MethodName;
  /** Alarm level of the NB-based methods (pulse, farrington); EARS keeps the CDC thresholds. */
  alpha?: number;
  /** Expert settings of the pulse detector (defaults in PULSE_DEFAULTS). */
  pulse?: Partial<Omit<PulseSettings, 'alpha'>>;
}

export const DEFAULT_ALPHA = 0.001;

export function detect(series: CountSeries, options: DetectOptions): DayResult[] {
  const alpha = options.alpha ?? DEFAULT_ALPHA;
  if (!(alpha > 0 && alpha < 1)) throw new RangeError(`alpha must lie between 0 and 1, got ${alpha}`);
  const method = options.method ?? 'pulse';
  switch (method) {
    case 'pulse':
      return pulse(series, options.from, { ...options.pulse, alpha });
    case 'ears-c1':
      return ears(series, options.from, 'C1');
    case 'ears-c2':
      return ears(series, options.from, 'C2');
    case 'ears-c3':
      return ears(series, options.from, 'C3');
    case 'farrington':
      return farrington(series, options.from, { alpha });
    default:
      throw new RangeError(`unknown method "${method as string}"; one of ${METHODS.join(', ')}`);
  }
}
