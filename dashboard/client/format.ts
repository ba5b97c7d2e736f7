import { expectedText, formatValue, plainNumber, shareText, type ValueKind } from '../../reports/charts/dashboard-options.js';
import { h } from './dom.js';

export { expectedText, formatValue, plainNumber };
export type { ValueKind };

/** An instant (ms since epoch) as Beijing wall-clock time, 'YYYY-MM-DD HH:MM'. */
export function beijingTime(ms: number): string {
  return new Date(ms + 8 * 3600_000).toISOString().slice(0, 16).replace('T', ' ');
}

/** KPIs whose rise is bad news; for the rest (except plain volumes) a rise is good news. */
const LOWER_IS_BETTER = new Set(['return_rate', 'repeat_rate', 'avg_handling_hours', 'overdue']);
const NEUTRAL = new Set(['received', 'dispatched', 'enterprise', 'calls_offered', 'calls_answered', 'completed']);

/**
 * A change as people read it: rates in percentage points (个百分点), counts and means in percent.
 * `measure` comes from the server (kpi.ts compareKpis), so the two are never swapped.
 */
export function changeText(delta: number | null | undefined, measure: 'pp' | 'pct'): string {
  if (delta === null || delta === undefined || Number.isNaN(delta)) return '—';
  const rounded = measure === 'pp' ? Math.round(delta * 100) / 100 : Math.round(delta * 10) / 10;
  if (rounded === 0) return '持平';
  const sign = rounded > 0 ? '+' : '−';
  const size = Math.abs(rounded).toFixed(measure === 'pp' ? 2 : 1);
  return measure === 'pp' ? `${sign}${size} 个百分点` : `${sign}${size}%`;
}

export function changeClass(key: string, delta: number | null | undefined): string {
  if (delta === null || delta === undefined || Math.abs(delta) < 1e-9 || NEUTRAL.has(key)) return 'flat';
  const up = delta > 0;
  return LOWER_IS_BETTER.has(key) ? (up ? 'up-bad' : 'down-good') : up ? 'up-good' : 'down-bad';
}

/** A number that links to its definition. */
export function defined(key: string, content: string | Node): HTMLAnchorElement {
  return h('a', { class: 'def', href: `/definitions#${key}`, title: '查看指标定义' }, content);
}

export const count = (n: number | null | undefined) => formatValue(n ?? null, 'count');
export const rate = (n: number | null | undefined) => formatValue(n ?? null, 'rate');
export const share = shareText;
/** A composite score (a fraction) on the 100-point scale with 2 decimals, so close scores differ. */
export const scoreText = (n: number | null | undefined) => (n === null || n === undefined ? '—' : (n * 100).toFixed(2));
