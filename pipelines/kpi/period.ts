/**
 * Periods: Beijing wall-clock timestamps 'YYYY-MM-DD HH:mm:ss', half-open [from, to). Month M is
 * [M-01 00:00, first day of M+1 00:00). The warehouse stores plain TIMESTAMPs in that clock, so a
 * period is two strings and the arithmetic here never needs a time zone.
 */

export type Period =
  | { kind: 'month'; month: string; from: string; to: string }
  | { kind: 'dates'; fromDate: string; toDate: string; from: string; to: string }
  | { kind: 'time'; from: string; to: string };

const MONTH = /^(\d{4})-(\d{2})$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/;
const DAY_MS = 86_400_000;

function ymd(date: Date): string {
  return date.toISOString().slice(0, 10);
}

function calendarDate(text: string): Date | null {
  const match = DATE.exec(text);
  if (!match) return null;
  const [y, m, d] = match.slice(1).map(Number);
  const date = new Date(Date.UTC(y, m - 1, d));
  return y >= 1000 && date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d ? date : null;
}

export function isMonth(text: string): boolean {
  const match = MONTH.exec(text);
  return !!match && Number(match[1]) >= 1000 && Number(match[2]) >= 1 && Number(match[2]) <= 12;
}

/** Month M = [M-01 00:00, first day of M+1 00:00). Throws RangeError on anything but YYYY-MM. */
export function monthPeriod(month: string): Period {
  if (!isMonth(month)) throw new RangeError(`not a month (YYYY-MM): ${month}`);
  const start = new Date(`${month}-01T00:00:00Z`);
  const next = new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + 1, 1));
  return { kind: 'month', month, from: `${month}-01 00:00:00`, to: `${ymd(next)} 00:00:00` };
}

/** Whole days from fromDate to toDate, both included. Throws RangeError on bad or reversed dates. */
export function datePeriod(fromDate: string, toDate: string): Period {
  const start = calendarDate(fromDate);
  const end = calendarDate(toDate);
  if (!start) throw new RangeError(`not a date (YYYY-MM-DD): ${fromDate}`);
  if (!end) throw new RangeError(`not a date (YYYY-MM-DD): ${toDate}`);
  if (end < start) throw new RangeError(`the period ends (${toDate}) before it starts (${fromDate})`);
  const after = new Date(end.getTime() + DAY_MS);
  return { kind: 'dates', fromDate, toDate, from: `${fromDate} 00:00:00`, to: `${ymd(after)} 00:00:00` };
}

/** Any half-open period of Beijing wall-clock timestamps 'YYYY-MM-DD HH:mm:ss'. */
export function timePeriod(from: string, to: string): Period {
  for (const value of [from, to]) if (!TIMESTAMP.test(value)) throw new RangeError(`not a timestamp (YYYY-MM-DD HH:mm:ss): ${value}`);
  if (to < from) throw new RangeError(`the period ends (${to}) before it starts (${from})`);
  return { kind: 'time', from, to };
}

export function periodLabel(period: Period): string {
  if (period.kind === 'month') return period.month;
  if (period.kind === 'dates') return period.fromDate === period.toDate ? period.fromDate : `${period.fromDate}..${period.toDate}`;
  return `${period.from}..${period.to}`;
}

export function asPeriod(period: Period | string): Period {
  return typeof period === 'string' ? monthPeriod(period) : period;
}

/** The date part shifted by whole months, the day clamped to the target month's length. */
function shiftTimestamp(timestamp: string, months: number): string {
  const [y, m, d] = timestamp.slice(0, 10).split('-').map(Number);
  const first = new Date(Date.UTC(y, m - 1 + months, 1));
  const days = new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth() + 1, 0)).getUTCDate();
  first.setUTCDate(Math.min(d, days));
  return ymd(first) + timestamp.slice(10);
}

/** The same period `months` calendar months earlier (negative) or later: 环比 is −1, 同比 is −12. */
export function shiftPeriod(period: Period, months: number): Period {
  if (period.kind === 'month') return monthPeriod(shiftTimestamp(`${period.month}-01 00:00:00`, months).slice(0, 7));
  const from = shiftTimestamp(period.from, months);
  const to = shiftTimestamp(period.to, months);
  if (period.kind === 'dates') {
    const last = new Date(new Date(`${to.slice(0, 10)}T00:00:00Z`).getTime() - DAY_MS);
    return datePeriod(from.slice(0, 10), ymd(last) < from.slice(0, 10) ? from.slice(0, 10) : ymd(last));
  }
  return timePeriod(from, to);
}

export function isWholeDays(period: Period): boolean {
  return period.from.endsWith(' 00:00:00') && period.to.endsWith(' 00:00:00');
}

/** 'YYYY-MM' n months later (or earlier, n < 0). */
export function addMonths(month: string, n: number): string {
  const [y, m] = month.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1 + n, 1)).toISOString().slice(0, 7);
}

/** Every month from first to last, both included. */
export function monthsBetween(first: string, last: string): string[] {
  const months: string[] = [];
  for (let m = first; m <= last && months.length < 600; m = addMonths(m, 1)) months.push(m);
  return months;
}

/** Whether the period is one calendar month or a run of them (what the monthly rollup holds). */
export function wholeMonths(period: Period): { first: string; last: string } | null {
  if (!period.from.endsWith('-01 00:00:00') || !period.to.endsWith('-01 00:00:00') || period.to <= period.from) return null;
  return { first: period.from.slice(0, 7), last: addMonths(period.to.slice(0, 7), -1) };
}

/** Milliseconds of a wall-clock timestamp, read as if it were UTC (only differences matter). */
export function clockMs(timestamp: string): number {
  return Date.parse(`${timestamp.replace(' ', 'T')}Z`);
}

export function clockTimestamp(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
}

/** The timestamp moved by `ms` milliseconds. */
export function addMs(timestamp: string, ms: number): string {
  return clockTimestamp(clockMs(timestamp) + ms);
}

/** The days of [from, to) as 'YYYY-MM-DD'. */
export function daysOf(period: { from: string; to: string }): string[] {
  const days: string[] = [];
  for (let t = clockMs(period.from.slice(0, 10) + ' 00:00:00'); t < clockMs(period.to); t += DAY_MS) days.push(clockTimestamp(t).slice(0, 10));
  return days;
}
