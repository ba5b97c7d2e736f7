/**
 * The KPIs of a period (or of each month of a run of them), what cannot be computed and why, how
 * settled the figures are, and 环比 / 同比 with the rules that keep a comparison honest:
 *  - a KPI whose input the export lacks is null with a one-line note, never 0;
 *  - a change against a period holding much less (a fifth of the volume, or half the coverage of
 *    an input) is withheld with the reason, never printed as +49775 %;
 *  - a young month (未满期: some of its dispatched tickets are still due) is compared like with like:
 *    the earlier period as it stood the same time after its end, rewound from the timestamps;
 *  - a period that ends before the data's first ticket was never exported: every figure of it is
 *    null ("无数据"), never 受理量 0, and a comparison with it is withheld in one note.
 */
import type { Row, Warehouse } from '../warehouse.js';
import {
  DERIVED_COUNTS,
  governingMetric,
  KPI_JSON_KEYS,
  metricKind,
  metricName,
  type KpiJsonKey,
  type KpiSettings,
  type KpiValues,
  type MetricDefinition,
} from './catalogue.js';
import { measures, seriesSql, totalsSql, WHOLE_HOTLINE, type Scope } from './compile.js';
import { addMonths, addMs, asPeriod, clockMs, monthPeriod, monthsBetween, shiftPeriod, type Period } from './period.js';
import { sessionOf, type FigureOptions, type KpiQuery, type KpiSession, type QueryOptions } from './session.js';

/** How far a month's figures can keep moving after it: deadlines later than this are taken as wrong. */
const MAX_SETTLING_DAYS = 60;
/** A comparison base below this share of the current volume (or coverage) is not compared with. */
const MIN_VOLUME_RATIO = 1 / 5;
const MIN_VOLUME_FOR_RATIO = 100;
const MIN_COVERAGE_RATIO = 1 / 2;

export interface Maturity {
  /** The data's as-of time the figures were read at (its newest activity). */
  asOf: string | null;
  /** When the figures stop moving: the period's end, or the last deadline of its dispatched tickets. */
  settlesAt: string;
  /** The period has not ended at asOf (its counts are still growing). */
  partial: boolean;
  /** The KPI JSON keys still moving at asOf because tickets of the period are still due: 未满期. */
  young: KpiJsonKey[];
}

export interface KpiReport {
  period: Period;
  source: 'rollup' | 'direct';
  settings: KpiSettings;
  values: KpiValues;
  /** Every numerator, denominator and input count behind the values: to re-derive them by hand. */
  sums: Record<string, number>;
  /** For each KPI that cannot be computed from this export: the one-line note why. */
  missing: Partial<Record<KpiJsonKey, string>>;
  maturity: Maturity;
  /** The tickets it is about when not all of them: a scope's keys or a topic, in words. */
  about: string | null;
  /** The data's first day ('YYYY-MM-DD') when the period ends before it: no export covers the period. */
  beforeData: string | null;
}

const CALL_KEYS: ReadonlySet<KpiJsonKey> = new Set(['connection_rate', 'answered_within_15s_rate', 'calls_offered', 'calls_answered']);

function pickValues(row: Row | undefined, withCalls: boolean): KpiValues {
  const values = {} as Record<KpiJsonKey, number | null>;
  for (const key of KPI_JSON_KEYS) {
    const value = row?.[key];
    values[key] = value === null || value === undefined ? (metricKind(key) === 'count' && row === undefined ? 0 : null) : Number(value);
  }
  // Calls carry no district, category or topic: a figure narrowed by one has no call figures at all
  // (nor has a period whose calls were not loaded: noCallRecords).
  if (!withCalls) for (const key of CALL_KEYS) values[key] = null;
  return values as KpiValues;
}

function pickSums(row: Row | undefined): Record<string, number> {
  return Object.fromEntries(measures().filter((m) => m.combine === 'sum').map((m) => [m.column, Number(row?.[m.column] ?? 0)]));
}

function periodWord(period: Period): string {
  return period.kind === 'month' ? '本月' : '本期';
}

/** The input of a metric that the export lacks in these sums, if any. */
function lackedInput(metric: MetricDefinition, sums: Record<string, number>) {
  return metric.inputs.find((input) => !sums[`${metric.key}_with_${input.column}`] && sums[`${metric.key}_without_${input.column}`] > 0);
}

/**
 * Tickets but not one call record: the call export was not loaded for the period (a ticket-only
 * export, as a US 311 one). 呼入量 0 would read as a hotline nobody rang.
 */
function noCallRecords(row: Row | undefined, sums: Record<string, number>): boolean {
  return Number(row?.received ?? 0) > 0 && !sums.connection_rate_denominator;
}

function missingNotes(period: Period, sums: Record<string, number>, withCalls: boolean, noCalls: boolean): Partial<Record<KpiJsonKey, string>> {
  const notes: Partial<Record<KpiJsonKey, string>> = {};
  for (const key of KPI_JSON_KEYS) {
    if (!withCalls && CALL_KEYS.has(key)) continue;
    if (noCalls && CALL_KEYS.has(key)) {
      notes[key] = `${periodWord(period)}无话务记录，${metricName(key)}无法计算`;
      continue;
    }
    const metric = governingMetric(key);
    const input = lackedInput(metric, sums);
    const derived = DERIVED_COUNTS.find((d) => d.key === key);
    if (input && (!derived || derived.needsInputs)) {
      notes[key] = `${periodWord(period)}${input.of}无${input.label}，${derived ? derived.name : metric.name}无法计算`;
    }
  }
  // Completed dispatched tickets, every one of which is to be called back, and not one callback
  // answer in the period: the export has no such column. — with a note, like a missing input.
  if (sums.callback_rate_denominator > 0) {
    if (!sums.satisfaction_rate_denominator) notes.satisfaction_rate ??= `${periodWord(period)}工单无回访结果，满意率无法计算`;
    if (!sums.resolution_rate_denominator) notes.resolution_rate ??= `${periodWord(period)}工单无是否解决，解决率无法计算`;
  }
  // Tickets, and not one with a phone: the export has no 联系电话 (a US 311 export), so 重复诉求率 has nothing to go by.
  if (sums.received > 0 && !sums.repeat_rate_denominator) notes.repeat_rate ??= `${periodWord(period)}工单无联系电话，重复诉求率无法计算`;
  return notes;
}

function maturityOf(period: Period, latestDeadline: string | null, asOf: string | null): Maturity {
  const cap = addMs(period.to, MAX_SETTLING_DAYS * 86_400_000);
  const deadline = latestDeadline && latestDeadline > period.to ? (latestDeadline < cap ? latestDeadline : cap) : null;
  const settlesAt = deadline ?? period.to;
  const young = asOf !== null && asOf < settlesAt && asOf >= period.from ? KPI_JSON_KEYS.filter((key) => governingMetric(key).settles === 'deadlines') : [];
  return { asOf, settlesAt, partial: asOf !== null && asOf < period.to, young };
}

/** "本月早于数据的起始日（2025-03-01），无数据": why a period before the data has no figures. */
function beforeDataText(period: Period, start: string): string {
  return `${periodWord(period)}早于数据的起始日（${start}），无数据`;
}

/** A report from one values row (undefined: nothing counted in the period); `start`: the data's first ticket. */
function report(
  query: Pick<KpiQuery, 'source'>,
  period: Period,
  settings: KpiSettings,
  row: Row | undefined,
  asOf: string | null,
  about: string | null,
  withCalls: boolean,
  start: string | null,
): KpiReport {
  if (start !== null && period.to <= start) {
    const day = start.slice(0, 10);
    const note = beforeDataText(period, day);
    return {
      period,
      source: query.source,
      settings,
      values: Object.fromEntries(KPI_JSON_KEYS.map((key) => [key, null])) as unknown as KpiValues,
      sums: pickSums(undefined),
      missing: Object.fromEntries(KPI_JSON_KEYS.map((key) => [key, note])),
      maturity: maturityOf(period, null, asOf),
      about,
      beforeData: day,
    };
  }
  const sums = pickSums(row);
  const latest = (row?.latest_deadline_at as string | null | undefined) ?? null;
  const withCallFigures = withCalls && !noCallRecords(row, sums);
  return {
    period,
    source: query.source,
    settings,
    values: pickValues(row, withCallFigures),
    sums,
    missing: missingNotes(period, sums, withCalls, withCalls && !withCallFigures),
    maturity: maturityOf(period, latest, asOf),
    about,
    beforeData: null,
  };
}

function aboutText(figure: FigureOptions): string | null {
  if (figure.filter) return figure.filter.label;
  if (figure.scope && figure.scope.dimension !== 'total') return figure.scope.keys.join(' › ');
  return null;
}

const hasCalls = (figure: FigureOptions) => !figure.filter && (!figure.scope || figure.scope.dimension === 'total');

export type PeriodOptions = QueryOptions & FigureOptions;

/** The SQL and parameters that answer periodKpis — for `hotline kpi --sql` and for people who check. */
export async function periodKpisSql(target: Warehouse | KpiSession, period: Period | string, options: PeriodOptions = {}): Promise<KpiQuery> {
  const session = sessionOf(target, options);
  const resolved = asPeriod(period);
  const source = await session.rowSource(resolved, options);
  const scope = options.scope ?? WHOLE_HOTLINE;
  return session.plan(resolved, source, options, totalsSql(source, scope), { dimension: scope.dimension });
}

/** Every KPI of any period [from, to), of all tickets or of a scope or topic. */
export async function periodKpis(target: Warehouse | KpiSession, period: Period | string, options: PeriodOptions = {}): Promise<KpiReport> {
  const session = sessionOf(target, options);
  const resolved = asPeriod(period);
  const query = await periodKpisSql(session, resolved, options);
  const [[row], asOf, start] = await Promise.all([session.run(query), options.rewindTo ?? session.asOf(), session.dataStart()]);
  return report(query, resolved, session.settings, row, asOf, aboutText(options), hasCalls(options), start);
}

/** Every KPI of month 'YYYY-MM' (Beijing time). */
export async function monthlyKpis(target: Warehouse | KpiSession, month: string, options: PeriodOptions = {}): Promise<KpiReport> {
  return periodKpis(target, monthPeriod(month), options);
}

/** Every KPI of each month from `first` to `last` (both included): one query, months without tickets included. */
export async function monthlySeries(target: Warehouse | KpiSession, first: string, last: string, options: PeriodOptions = {}): Promise<KpiReport[]> {
  const session = sessionOf(target, options);
  const whole: Period = { kind: 'time', from: monthPeriod(first).from, to: monthPeriod(last).to };
  const base = await session.rowSource(whole, options, 'each month');
  const source = base.kind === 'direct' ? { ...base, grain: 'month' as const } : base;
  const scope = options.scope ?? WHOLE_HOTLINE;
  const query = await session.plan(whole, source, options, seriesSql(source, 'month', scope), { dimension: scope.dimension });
  const [found, asOf, start] = await Promise.all([session.run(query), session.asOf(), session.dataStart()]);
  const rows = new Map(found.map((row) => [String(row.bucket), row]));
  return monthsBetween(first, last).map((month) => report(query, monthPeriod(month), session.settings, rows.get(month), asOf, aboutText(options), hasCalls(options), start));
}

/** Tickets received per day in [from, to) for a scope; days without tickets are 0, days before the data are left out. */
export async function dailyReceived(target: Warehouse | KpiSession, period: Period, options: PeriodOptions = {}): Promise<{ date: string; count: number }[]> {
  const session = sessionOf(target, options);
  // only the count is drawn: the other metrics' sums are not read
  const base = await session.rowSource(period, { ...options, metrics: new Set(['received']) }, 'days');
  const source = base.kind === 'direct' ? { ...base, grain: 'day' as const } : base;
  const scope = options.scope ?? WHOLE_HOTLINE;
  const query = await session.plan(period, source, options, seriesSql(source, 'day', scope), { dimension: scope.dimension });
  const [found, start] = await Promise.all([session.run(query), session.dataStart()]);
  const counts = new Map(found.map((row) => [String(row.bucket), Number(row.received ?? 0)]));
  const days: { date: string; count: number }[] = [];
  for (let t = clockMs(period.from.slice(0, 10) + ' 00:00:00'); t < clockMs(period.to); t += 86_400_000) {
    const date = new Date(t).toISOString().slice(0, 10);
    // (the days before the data's first ticket were never exported: not 0 件)
    if (start === null || date >= start.slice(0, 10)) days.push({ date, count: counts.get(date) ?? 0 });
  }
  return days;
}

/** The object `hotline kpi --json` prints: {"month"} (or {"from","to"}) then every KPI key. */
export function kpiJson(report: KpiReport): Record<string, string | number | null> {
  const head: Record<string, string> =
    report.period.kind === 'month'
      ? { month: report.period.month }
      : report.period.kind === 'dates'
        ? { from: report.period.fromDate, to: report.period.toDate }
        : { from: report.period.from, to: report.period.to };
  return { ...head, ...report.values };
}

// ---------------------------------------------------------------------------------------------
// 环比 and 同比

/**
 * Counts (and the mean duration) change in percent; rates change in percentage points. A change is
 * null when either value is; `mom_withheld` / `yoy_withheld` say why when there is a reason beyond
 * a missing value, and `same_age` marks a base rewound to the same age as a young period.
 */
export type KpiChange = (
  | { key: KpiJsonKey; measure: 'pct'; value: number | null; previous_month: number | null; mom_pct: number | null; same_month_last_year: number | null; yoy_pct: number | null }
  | { key: KpiJsonKey; measure: 'pp'; value: number | null; previous_month: number | null; mom_pp: number | null; same_month_last_year: number | null; yoy_pp: number | null }
) & { mom_withheld?: string; yoy_withheld?: string; same_age?: true };

export interface KpiComparisonReport {
  current: KpiReport;
  /** 环比: the period one calendar month earlier. */
  previousMonth: KpiReport;
  /** 同比: the same period a year earlier. */
  sameMonthLastYear: KpiReport;
  /** For a young period: the two bases as they stood the same time after their ends. */
  sameAge: { previousMonth: KpiReport; sameMonthLastYear: KpiReport } | null;
  changes: Record<KpiJsonKey, KpiChange>;
  /** One line per rule applied (same-age comparison, withheld changes), for tables and reports. */
  notes: string[];
}

/** Percent change, null when there is nothing to compare with (no value, or a base of 0). */
export function percentChange(value: number | null, base: number | null): number | null {
  if (value === null || base === null || base === 0) return null;
  return ((value - base) / base) * 100;
}

/** Change of a rate in percentage points (0.95 → 0.97 is +2 pp), null when either rate is null. */
export function pointChange(value: number | null, base: number | null): number | null {
  if (value === null || base === null) return null;
  return (value - base) * 100;
}

const CALL_UNIT: ReadonlySet<KpiJsonKey> = CALL_KEYS;

/** Why a base too small is not compared with: "上月仅 8 件，不足本月（3,990 件）的五分之一，数据可能不完整，不作比较". */
export function tooSmallBaseText(which: string, now: number, then: number, period: Period, unit = '件'): string {
  if (then === 0) return `${which}没有数据，不作比较`;
  return `${which}仅 ${then.toLocaleString('en-US')} ${unit}，不足${periodWord(period)}（${now.toLocaleString('en-US')} ${unit}）的五分之一，数据可能不完整，不作比较`;
}

/** A base of `then` rows is too small to compare `now` with (under a fifth of it, from 100 rows on). */
export function baseTooSmall(now: number, then: number): boolean {
  return now >= MIN_VOLUME_FOR_RATIO && then < now * MIN_VOLUME_RATIO;
}

/** The rows a KPI's value stands on: a rate's or mean's denominator, a count itself. */
function volume(key: KpiJsonKey, report: KpiReport): number {
  const metric = governingMetric(key);
  if (metric.kind === 'count') return report.sums[metric.key] ?? 0;
  return report.sums[`${metric.key}_denominator`] ?? 0;
}

function coverage(metric: MetricDefinition, column: string, report: KpiReport): number | null {
  const carried = report.sums[`${metric.key}_with_${column}`] ?? 0;
  const lacking = report.sums[`${metric.key}_without_${column}`] ?? 0;
  return carried + lacking > 0 ? carried / (carried + lacking) : null;
}

const pct = (share: number) => `${(share * 100).toFixed(0)}%`;

/** "上月（2025-02）早于数据的起始日（2025-03-01），不作比较": one note for every figure of such a base. */
function baseBeforeDataText(which: string, base: KpiReport): string {
  const name = base.period.kind === 'month' ? `（${base.period.month}）` : '';
  return `${which}${name}早于数据的起始日（${base.beforeData}），不作比较`;
}

/** Why a change of `key` against `base` must not be printed, or null when it may. */
function withheld(key: KpiJsonKey, current: KpiReport, base: KpiReport, which: string): string | null {
  // Nothing to compare: the figure's own note says why it is missing (not again for each base).
  if (current.values[key] === null) return null;
  if (base.beforeData) return baseBeforeDataText(which, base);
  if (base.values[key] === null) return base.missing[key] ? `${which}${base.missing[key]!.replace(/^本[月期]/, '')}` : null;
  const metric = governingMetric(key);
  const now = volume(key, current);
  const then = volume(key, base);
  if (baseTooSmall(now, then)) return tooSmallBaseText(which, now, then, current.period, CALL_UNIT.has(key) ? '通' : '件');
  for (const input of metric.inputs) {
    const a = coverage(metric, input.column, current);
    const b = coverage(metric, input.column, base);
    if (a !== null && b !== null && b < a * MIN_COVERAGE_RATIO) {
      return `${which}仅 ${pct(b)} 的${input.of}有${input.label}（${periodWord(current.period)} ${pct(a)}），不作比较`;
    }
  }
  return null;
}

function change(key: KpiJsonKey, current: KpiReport, previous: KpiReport, lastYear: KpiReport): KpiChange {
  const value = current.values[key];
  const prev = previous.values[key];
  const last = lastYear.values[key];
  const momWithheld = withheld(key, current, previous, '上月');
  const yoyWithheld = withheld(key, current, lastYear, '去年同期');
  const notes = { ...(momWithheld ? { mom_withheld: momWithheld } : {}), ...(yoyWithheld ? { yoy_withheld: yoyWithheld } : {}) };
  const by = metricKind(key) === 'rate' ? pointChange : percentChange;
  const mom = momWithheld ? null : by(value, prev);
  const yoy = yoyWithheld ? null : by(value, last);
  return metricKind(key) === 'rate'
    ? { key, measure: 'pp', value, previous_month: prev, mom_pp: mom, same_month_last_year: last, yoy_pp: yoy, ...notes }
    : { key, measure: 'pct', value, previous_month: prev, mom_pct: mom, same_month_last_year: last, yoy_pct: yoy, ...notes };
}

/**
 * Every change of `current` against its two bases. The young keys compare with the bases rewound
 * to the same age (when given); a young key that cannot be rewound (退单率) is withheld.
 */
export function compareReports(
  current: KpiReport,
  previousMonth: KpiReport,
  sameMonthLastYear: KpiReport,
  sameAge: { previousMonth: KpiReport; sameMonthLastYear: KpiReport } | null,
): { changes: Record<KpiJsonKey, KpiChange>; notes: string[] } {
  const changes = {} as Record<KpiJsonKey, KpiChange>;
  const young = new Set(current.maturity.young);
  for (const key of KPI_JSON_KEYS) {
    if (!young.has(key) || !sameAge) {
      changes[key] = change(key, current, previousMonth, sameMonthLastYear);
      continue;
    }
    const rewound = change(key, current, sameAge.previousMonth, sameAge.sameMonthLastYear);
    if (!governingMetric(key).asOf) {
      const reason = `${governingMetric(key).name}未满期，且退单没有时间记录，无法还原同龄数值，暂不比较`;
      changes[key] = {
        ...rewound,
        previous_month: null,
        same_month_last_year: null,
        ...(rewound.measure === 'pp' ? { mom_pp: null, yoy_pp: null } : { mom_pct: null, yoy_pct: null }),
        mom_withheld: reason,
        yoy_withheld: reason,
        same_age: true,
      } as KpiChange;
    } else changes[key] = { ...rewound, same_age: true };
  }
  const notes: string[] = [];
  if (sameAge && young.size) {
    const days = current.maturity.asOf ? (clockMs(current.maturity.asOf) - clockMs(current.period.to)) / 86_400_000 : 0;
    const age = days >= 0 ? `结束后 ${formatDays(days)}` : `开始后 ${formatDays((clockMs(current.maturity.asOf!) - clockMs(current.period.from)) / 86_400_000)}`;
    notes.push(
      `${periodWord(current.period)}未满期（部分转办工单办理时限未到，数据截至 ${current.maturity.asOf}）：${[...young]
        .filter((k) => !DERIVED_COUNTS.some((d) => d.key === k) && governingMetric(k).asOf)
        .map((k) => governingMetric(k).name)
        .join('、')}的环比、同比按同龄比较，即上月与去年同期取其${age}时的数值。`,
    );
  }
  // A base before the data withholds every figure's change: said once, for all of them.
  const bases = [
    ['上月', previousMonth],
    ['上月', sameAge?.previousMonth],
    ['去年同期', sameMonthLastYear],
    ['去年同期', sameAge?.sameMonthLastYear],
  ] as const;
  const beforeData = new Set(
    bases
      .filter(([, base]) => base?.beforeData)
      .map(([which, base]) => baseBeforeDataText(which, base!))
      .filter((text) => KPI_JSON_KEYS.some((key) => changes[key].mom_withheld === text || changes[key].yoy_withheld === text)),
  );
  notes.push(...beforeData);
  // A derived count (办结量 …) is withheld for its metric's reason: said once, with the metric.
  for (const key of KPI_JSON_KEYS.filter((k) => !DERIVED_COUNTS.some((d) => d.key === k))) {
    const c = changes[key];
    for (const reason of new Set([c.mom_withheld, c.yoy_withheld].filter((r): r is string => !!r && !beforeData.has(r)))) {
      notes.push(reason.startsWith(governingMetric(key).name) ? reason : `${governingMetric(key).name}：${reason}`);
    }
  }
  return { changes, notes: [...new Set(notes)] };
}

function formatDays(days: number): string {
  return days >= 1 ? `${Math.floor(days)} 天` : `${Math.max(0, Math.round(days * 24))} 小时`;
}

/** The bases of a young period rewound to its age: the same time after their own ends. */
async function sameAgeBases(session: KpiSession, current: KpiReport, options: PeriodOptions) {
  const asOf = current.maturity.asOf!;
  const age = clockMs(asOf) - clockMs(current.period.to);
  // only the young KPIs are compared with these: their metric files alone are read
  const metrics = new Set(current.maturity.young.map((key) => governingMetric(key).key));
  const rewound = (base: Period) => periodKpis(session, base, { ...options, rewindTo: addMs(base.to, age), metrics });
  const [previousMonth, sameMonthLastYear] = await Promise.all([rewound(shiftPeriod(current.period, -1)), rewound(shiftPeriod(current.period, -12))]);
  return { previousMonth, sameMonthLastYear };
}

/** 环比 and 同比 of a period whose three reports are known, rewinding the bases if it is young. */
export async function comparisonOf(session: KpiSession, current: KpiReport, previousMonth: KpiReport, sameMonthLastYear: KpiReport, options: PeriodOptions = {}): Promise<KpiComparisonReport> {
  const sameAge = current.maturity.young.length ? await sameAgeBases(session, current, options) : null;
  return { current, previousMonth, sameMonthLastYear, sameAge, ...compareReports(current, previousMonth, sameMonthLastYear, sameAge) };
}

/** The period's KPIs with 环比 (vs one month earlier) and 同比 (vs one year earlier). */
export async function kpiWithComparisons(target: Warehouse | KpiSession, period: Period | string, options: PeriodOptions = {}): Promise<KpiComparisonReport> {
  const session = sessionOf(target, options);
  const resolved = asPeriod(period);
  const [current, previousMonth, sameMonthLastYear] = await Promise.all([
    periodKpis(session, resolved, options),
    periodKpis(session, shiftPeriod(resolved, -1), options),
    periodKpis(session, shiftPeriod(resolved, -12), options),
  ]);
  return comparisonOf(session, current, previousMonth, sameMonthLastYear, options);
}

/**
 * A month's comparison and the sparkline months before it, from one series query: the 13 months
 * up to `month` hold the month, the one before and the one a year before.
 */
export async function monthWithHistory(target: Warehouse | KpiSession, month: string, options: PeriodOptions = {}): Promise<{ series: KpiReport[]; comparison: KpiComparisonReport }> {
  const session = sessionOf(target, options);
  const series = await monthlySeries(session, addMonths(month, -12), month, options);
  const comparison = await comparisonOf(session, series[12], series[11], series[0], options);
  return { series, comparison };
}
