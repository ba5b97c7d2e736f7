import { usageError } from '../cli-error.js';
import {
  KPI_JSON_KEYS,
  dataCalendar,
  datePeriod,
  definitionsMarkdown,
  DERIVED_COUNTS,
  governingMetric,
  isMonth,
  kpiJson,
  kpiWithComparisons,
  metricKind,
  metricName,
  monthPeriod,
  periodKpis,
  periodKpisSql,
  periodLabel,
  rollupState,
  topicFilter,
  type KpiComparisonReport,
  type KpiChange,
  type KpiReport,
  type KpiSettings,
  type Period,
  type Source,
} from '../kpi.js';
import { refreshRollups } from '../rollups.js';
import type { Warehouse } from '../warehouse.js';
import { COMMON_HELP, commandConfig, log, openWarehouse, parseCommand, printJson } from './common.js';

const HELP = `hotline kpi — 月度或任意时段的全部考核指标（受理量、办结率、满意率、接通率 …）
Every KPI of kpi-definitions.md for one month or a range of days (Beijing time).

Usage: hotline kpi [--month YYYY-MM] [--compare] [--topic NAME] [--json]
       hotline kpi --from YYYY-MM-DD --to YYYY-MM-DD [--compare] [--topic NAME] [--json]
       hotline kpi --definitions
  --month YYYY-MM   one calendar month (without a period: the last complete month with data)
  --from DATE       first day of a range (YYYY-MM-DD)
  --to DATE         last day of the range, included
  --compare         add 环比 (vs the month before) and 同比 (vs a year before): counts in %,
                    rates in percentage points (个百分点); a young month (未满期) is compared at
                    the same age, a base with far less data is not compared (the reason is printed)
  --topic NAME      only the tickets of a special-report topic (config reports.topics), as 专报
  --definitions     print every definition (Markdown: docs/kpi-definitions.md)
A KPI the export cannot give (e.g. no completion times) is — (null in --json), with a note.
  --source S        auto (default: the rollup when up to date, else the tickets), rollup, direct
  --refresh         rebuild the rollup tables first
  --sql             print the SQL and its parameters instead of the numbers
${COMMON_HELP}`;

/** The period options shared by kpi, breakdown and ranking. */
export const PERIOD_OPTIONS = {
  month: { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
  source: { type: 'string' },
} as const;

export const PERIOD_HELP = `  --month YYYY-MM   one calendar month (Beijing time); without a period, the last complete month with data
  --from DATE       first day of a range (YYYY-MM-DD), with --to DATE (last day, included)
  --source S        auto (default: the rollup when up to date, else the tickets), rollup, direct`;

/**
 * --month, or --from with --to; neither is null (the data's last complete month, by
 * periodOrDefault once the warehouse is open); anything else is a usage error that names the flag.
 */
export function periodFromFlags(values: { month?: string; from?: string; to?: string }): Period | null {
  const { month, from, to } = values;
  if (month !== undefined) {
    if (from !== undefined || to !== undefined) throw usageError('give either --month or --from/--to, not both');
    if (!isMonth(month)) throw usageError(`--month expects a month as YYYY-MM, e.g. 2025-07 (got "${month}")`);
    return monthPeriod(month);
  }
  if (from === undefined && to === undefined) return null;
  if (from === undefined) throw usageError('--to needs --from YYYY-MM-DD');
  if (to === undefined) throw usageError('--from needs --to YYYY-MM-DD');
  for (const [flag, value] of [['--from', from], ['--to', to]] as const) {
    try {
      datePeriod(value, value);
    } catch {
      throw usageError(`${flag} expects a date as YYYY-MM-DD, e.g. 2025-07-01 (got "${value}")`);
    }
  }
  try {
    return datePeriod(from, to);
  } catch (error) {
    throw usageError(`--from/--to: ${(error as Error).message}`);
  }
}

/**
 * The period asked for, or without one the last complete month with data — the month the
 * dashboard opens on — said on stderr (stdout stays data).
 */
export async function periodOrDefault(period: Period | null, warehouse: Warehouse): Promise<Period> {
  return period ?? monthPeriod(await defaultMonth(warehouse));
}

/** The last complete month with data, for a command given no period, said on stderr. */
export async function defaultMonth(warehouse: Warehouse): Promise<string> {
  const month = (await dataCalendar(warehouse)).defaultMonth;
  if (!month) throw usageError('the warehouse has no tickets yet: give --month YYYY-MM, or --from YYYY-MM-DD --to YYYY-MM-DD');
  log(`未指定时段，按数据中最近的完整月份 ${month} / no period given: ${month}, the last complete month with data`);
  return month;
}

export function sourceFromFlag(value: string | undefined): Source {
  if (value === undefined) return 'auto';
  if (value === 'auto' || value === 'rollup' || value === 'direct') return value;
  throw usageError(`--source expects auto, rollup or direct (got "${value}")`);
}

/** A whole number flag ≥ min, or the fallback when absent. */
export function wholeFlag(name: string, value: string | undefined, fallback: number, min = 1): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw usageError(`--${name} takes a whole number ≥ ${min} (got "${value}")`);
  return n;
}

// ----------------------------------------------------------------------------------------------
// Formatting shared by kpi, breakdown and ranking

export function formatRate(value: number | null | undefined): string {
  return value === null || value === undefined ? '—' : `${(value * 100).toFixed(2)}%`;
}

export function formatCount(value: number | null | undefined): string {
  return value === null || value === undefined ? '—' : value.toLocaleString('en-US');
}

export function formatValue(key: string, value: number | null | undefined): string {
  const kind = (KPI_JSON_KEYS as readonly string[]).includes(key) ? metricKind(key as (typeof KPI_JSON_KEYS)[number]) : 'count';
  if (kind === 'rate') return formatRate(value);
  if (kind === 'mean') return value === null || value === undefined ? '—' : `${value.toFixed(2)} 小时`;
  return formatCount(value);
}

function signed(value: number): string {
  return `${value > 0 ? '+' : value < 0 ? '−' : '±'}${Math.abs(value).toFixed(2)}`;
}

export function formatChange(change: KpiChange, which: 'mom' | 'yoy'): string {
  if (which === 'mom' ? change.mom_withheld : change.yoy_withheld) return '不作比较';
  const age = change.same_age ? '（同龄）' : '';
  if (change.measure === 'pp') {
    const value = which === 'mom' ? change.mom_pp : change.yoy_pp;
    return value === null ? '—' : `${signed(value)} 个百分点${age}`;
  }
  const value = which === 'mom' ? change.mom_pct : change.yoy_pct;
  return value === null ? '—' : `${signed(value)}%${age}`;
}

/** Terminal columns of a string: CJK and full-width characters take two. */
export function displayWidth(text: string): number {
  let width = 0;
  for (const char of text) {
    const code = char.codePointAt(0)!;
    const wide =
      (code >= 0x1100 && code <= 0x115f) ||
      (code >= 0x2e80 && code <= 0xa4cf) ||
      (code >= 0xac00 && code <= 0xd7a3) ||
      (code >= 0xf900 && code <= 0xfaff) ||
      (code >= 0xfe30 && code <= 0xfe4f) ||
      (code >= 0xff00 && code <= 0xff60) ||
      (code >= 0xffe0 && code <= 0xffe6) ||
      code >= 0x20000;
    width += wide ? 2 : 1;
  }
  return width;
}

/** A plain-text table; columns after the first are right-aligned unless `left` says otherwise. */
export function formatTable(headers: string[], rows: string[][], left: number[] = [0]): string {
  const widths = headers.map((header, i) => Math.max(displayWidth(header), ...rows.map((row) => displayWidth(row[i] ?? ''))));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => {
        const pad = ' '.repeat(widths[i] - displayWidth(cell));
        return left.includes(i) ? cell + pad : pad + cell;
      })
      .join('  ')
      .trimEnd();
  const rule = widths.map((w) => '─'.repeat(w)).join('  ');
  return [line(headers), rule, ...rows.map(line)].join('\n') + '\n';
}

export { toCsv } from '../csv.js';

export function describePeriod(period: Period): string {
  const label = periodLabel(period);
  return `${label}（[${period.from.slice(0, 16)}, ${period.to.slice(0, 16)})，北京时间）`;
}

/** One line saying which settings and which source produced the numbers. */
export async function describeSettings(warehouse: Warehouse, settings: KpiSettings, source: 'rollup' | 'direct'): Promise<string> {
  let from = '数据来源：工单明细（直接查询）';
  if (source === 'rollup') {
    const state = await rollupState(warehouse);
    from = `数据来源：汇总表 kpi_daily（${state?.refreshed_at ?? '?'} 生成）`;
  }
  return (
    `口径：签收时限 ${settings.signLimitHours} 小时；“基本满意”${settings.basicallySatisfiedCounts ? '计入' : '不计入'}满意率；` +
    `已撤销工单不计；空分母显示“—”。${from}`
  );
}

// ----------------------------------------------------------------------------------------------

function comparisonJson(report: KpiComparisonReport) {
  const metrics: Record<string, Record<string, number | null>> = {};
  const withheld: Record<string, Record<string, string>> = {};
  for (const key of KPI_JSON_KEYS) {
    const change = report.changes[key];
    metrics[key] =
      change.measure === 'pp'
        ? { previous_month: change.previous_month, mom_pp: change.mom_pp, same_month_last_year: change.same_month_last_year, yoy_pp: change.yoy_pp }
        : { previous_month: change.previous_month, mom_pct: change.mom_pct, same_month_last_year: change.same_month_last_year, yoy_pct: change.yoy_pct };
    if (change.mom_withheld || change.yoy_withheld) withheld[key] = { ...(change.mom_withheld ? { mom: change.mom_withheld } : {}), ...(change.yoy_withheld ? { yoy: change.yoy_withheld } : {}) };
  }
  return {
    previous_month: periodLabel(report.previousMonth.period),
    same_month_last_year: periodLabel(report.sameMonthLastYear.period),
    /** 未满期: the keys still moving; their previous_month / same_month_last_year are the bases at the same age. */
    young: report.current.maturity.young,
    metrics,
    withheld,
    notes: report.notes,
  };
}

/** The lines under a table: what cannot be computed, which KPIs are still moving, the comparison rules. */
export function reportNotes(report: KpiReport, comparison?: KpiComparisonReport): string[] {
  const notes: string[] = [...Object.values(report.missing)];
  const young = report.maturity.young.filter((k) => !DERIVED_COUNTS.some((d) => d.key === k)).map((k) => governingMetric(k).name);
  if (young.length && !comparison?.sameAge) {
    notes.push(`未满期：${young.join('、')}（部分转办工单的办理时限在数据截至时间 ${report.maturity.asOf} 之后，数值仍会变化）`);
  }
  return [...notes, ...(comparison?.notes ?? [])];
}

function label(key: string): string {
  return `${metricName(key)} ${key}`;
}

function kpiTable(report: KpiReport, comparison?: KpiComparisonReport): string {
  if (!comparison) {
    return formatTable(['指标', '本期'], KPI_JSON_KEYS.map((key) => [label(key), formatValue(key, report.values[key])]));
  }
  const headers = [
    '指标',
    '本期',
    `上月 ${periodLabel(comparison.previousMonth.period)}`,
    '环比',
    `去年同期 ${periodLabel(comparison.sameMonthLastYear.period)}`,
    '同比',
  ];
  const rows = KPI_JSON_KEYS.map((key) => {
    const change = comparison.changes[key];
    return [
      label(key),
      formatValue(key, change.value),
      formatValue(key, change.previous_month),
      formatChange(change, 'mom'),
      formatValue(key, change.same_month_last_year),
      formatChange(change, 'yoy'),
    ];
  });
  return formatTable(headers, rows);
}

export async function run(argv: string[]): Promise<void> {
  const { values } = parseCommand(argv, {
    ...PERIOD_OPTIONS,
    compare: { type: 'boolean', default: false },
    refresh: { type: 'boolean', default: false },
    sql: { type: 'boolean', default: false },
    topic: { type: 'string' },
    definitions: { type: 'boolean', default: false },
  });
  if (values.help) return void process.stdout.write(HELP + '\n');
  if (values.definitions) return void process.stdout.write(definitionsMarkdown(commandConfig(values).kpi));
  const asked = periodFromFlags(values);
  const source = sourceFromFlag(values.source);
  const config = commandConfig(values);
  const settings = config.kpi;
  const topic = values.topic === undefined ? undefined : config.reports.topics.find((t) => t.name === values.topic || t.title === values.topic);
  if (values.topic !== undefined && !topic) {
    throw usageError(`--topic: no such topic "${values.topic}" (one of ${config.reports.topics.map((t) => t.name).join(', ')}; config reports.topics)`);
  }
  const figure = topic ? { filter: topicFilter(topic) } : {};
  const about = topic ? ` · ${figure.filter!.label}` : '';
  const printNotes = (lines: string[], stream: NodeJS.WriteStream) => lines.length && stream.write(lines.map((l) => `注：${l}`).join('\n') + '\n');
  const warehouse = await openWarehouse(config);
  try {
    if (values.refresh) {
      const result = await refreshRollups(warehouse, config);
      log(`汇总表已重建 / rollup rebuilt: ${result.rows} rows in ${result.durationMs} ms`);
    }
    const period = await periodOrDefault(asked, warehouse);
    if (values.sql) {
      const plan = await periodKpisSql(warehouse, period, { settings, source, ...figure });
      process.stdout.write(`-- source: ${plan.source}\n-- parameters: ${JSON.stringify(plan.params)}\n${plan.sql}\n`);
      return;
    }
    if (values.compare) {
      const report = await kpiWithComparisons(warehouse, period, { settings, source, ...figure });
      if (values.json) return printJson({ ...kpiJson(report.current), comparisons: comparisonJson(report) });
      process.stdout.write(`12345 热线考核指标 · ${describePeriod(period)}${about}\n\n${kpiTable(report.current, report)}\n`);
      process.stdout.write(`环比 = 与上月比，同比 = 与去年同月比；数量为变化百分比，比率为变化的百分点。\n`);
      printNotes(reportNotes(report.current, report), process.stdout);
      process.stdout.write((await describeSettings(warehouse, settings, report.current.source)) + '\n');
      return;
    }
    const report = await periodKpis(warehouse, period, { settings, source, ...figure });
    if (values.json) {
      // the JSON is exactly the contract's shape: the notes go to stderr
      printNotes(reportNotes(report), process.stderr);
      return printJson(kpiJson(report));
    }
    process.stdout.write(`12345 热线考核指标 · ${describePeriod(period)}${about}\n\n${kpiTable(report)}\n`);
    printNotes(reportNotes(report), process.stdout);
    process.stdout.write((await describeSettings(warehouse, settings, report.source)) + '\n');
  } finally {
    warehouse.close();
  }
}
