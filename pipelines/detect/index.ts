export { detect, METHODS, type DayResult, type DetectOptions, type MethodName, type Series } from './methods.js';
