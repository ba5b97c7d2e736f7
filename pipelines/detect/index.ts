/** The detector library's public face (the hotspot job and the CLI import from here). */
export { detect, DEFAULT_ALPHA, METHOD_SCORES, METHODS, type DetectOptions, type MethodName } from './detect.js';
export type { CountSeries, CountSeries as Series, DayResult } from './series.js';
export { PULSE_DEFAULTS, PulseExpectation, type PulseSettings } from './pulse.js';
