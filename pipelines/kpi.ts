/**
 * The official KPIs (kpi-definitions.md), their breakdowns, comparisons and the unit ranking.
 *
 * Where each number is defined: one SQL file per metric under queries/kpi/, and nowhere else. A
 * metric file is `with final as (select <additive aggregates> from <anchor>) select * from final`,
 * where the anchor says which rows a period counts ("received in M" = received_tickets.sql,
 * "callback_at in M" = called_back_tickets.sql, "completed_at in M" = completed_tickets.sql,
 * "calls in M" = offered_calls.sql). A rate's file gives `<key>_numerator` and `<key>_denominator`;
 * its value is numerator / denominator, null when the denominator is 0 — that rule is written once,
 * below (valueColumns). Counts give `<key>`.
 *
 * Because every aggregate is additive, the same select lists serve two paths:
 *  - direct: the metric files' aggregates over the anchors restricted to the period;
 *  - rollup: the same aggregates per day × dimension, stored by refreshRollups (rollups.ts) in
 *    `kpi_daily`, then summed over the period's days.
 * Both paths end in the same SQL (sums → values), so a rollup answer can only differ from the direct
 * one if the rollup is stale — which `source: 'auto'` (the default) detects, falling back to direct.
 */
import { createHash } from 'node:crypto';
import { CliError } from './cli-error.js';
import type { Config } from './config.js';
import { sqlFile, type Params, type Row, type Warehouse } from './warehouse.js';

// ---------------------------------------------------------------------------------------------
// Settings, metrics, dimensions

/** The KPI settings of hotline.config.json (`kpi`): the few definitions cities set differently. */
export type KpiSettings = Config['kpi'];

export const DEFAULT_KPI_SETTINGS: KpiSettings = Object.freeze({
  signLimitHours: 2,
  basicallySatisfiedCounts: true,
  minTicketsForRanking: 10,
  rankingWeights: Object.freeze({ response: 0.3, resolution: 0.35, satisfaction: 0.35 }),
});

export type MetricKind = 'count' | 'rate' | 'mean';

/** The KPIs of kpi-definitions.md, in the order of its table (and of the `hotline kpi` JSON). */
export const KPI_METRICS = [
  { key: 'received', name: '受理量', kind: 'count' },
  { key: 'dispatched', name: '转办量', kind: 'count' },
  { key: 'direct_answer_rate', name: '直接答复率', kind: 'rate' },
  { key: 'completion_rate', name: '办结率', kind: 'rate' },
  { key: 'ontime_completion_rate', name: '按时办结率', kind: 'rate' },
  { key: 'ontime_sign_rate', name: '按期签收率', kind: 'rate' },
  { key: 'return_rate', name: '退单率', kind: 'rate' },
  { key: 'satisfaction_rate', name: '满意率', kind: 'rate' },
  { key: 'callback_rate', name: '回访率', kind: 'rate' },
  { key: 'resolution_rate', name: '解决率', kind: 'rate' },
  { key: 'connection_rate', name: '接通率', kind: 'rate' },
  { key: 'answered_within_15s_rate', name: '15秒接通率', kind: 'rate' },
  { key: 'repeat_rate', name: '重复诉求率', kind: 'rate' },
  { key: 'avg_handling_hours', name: '平均办理时长', kind: 'mean' },
  { key: 'enterprise', name: '涉企诉求量', kind: 'count' },
] as const satisfies readonly { key: string; name: string; kind: MetricKind }[];

/** Counts that are another metric's numerator or denominator: a second name, never a second definition. */
export const DERIVED_COUNTS = [
  { key: 'calls_offered', name: '呼入量', from: 'connection_rate_denominator' },
  { key: 'calls_answered', name: '接通量', from: 'connection_rate_numerator' },
  { key: 'completed', name: '办结量', from: 'completion_rate_numerator' },
] as const;

/** Figures the unit ranking shows beside the KPIs (not part of the KPI JSON). */
const SUPPORTING_COUNTS = [
  { key: 'overdue', name: '超期件数', kind: 'count' },
  { key: 'returns', name: '退单次数', kind: 'count' },
] as const;

export type KpiKey = (typeof KPI_METRICS)[number]['key'];
export type DerivedKey = (typeof DERIVED_COUNTS)[number]['key'];
export type KpiJsonKey = KpiKey | DerivedKey;
/** Every key of the KPI JSON after "month" (or "from"/"to"), in order. */
export const KPI_JSON_KEYS: readonly KpiJsonKey[] = [...KPI_METRICS.map((m) => m.key), ...DERIVED_COUNTS.map((d) => d.key)];

/** A KPI's value: counts are numbers, a rate or mean is null when its denominator is 0. */
export type KpiValues = { [K in KpiKey]: number | null } & { [K in DerivedKey]: number | null };

export function metricKind(key: KpiJsonKey): MetricKind {
  return KPI_METRICS.find((m) => m.key === key)?.kind ?? 'count';
}

export function metricName(key: string): string {
  return (
    KPI_METRICS.find((m) => m.key === key)?.name ??
    DERIVED_COUNTS.find((m) => m.key === key)?.name ??
    SUPPORTING_COUNTS.find((m) => m.key === key)?.name ??
    key
  );
}

interface DimensionKey {
  /** Name of the key in results (JSON / CSV column). */
  name: string;
  label: string;
  /** Column of the anchor rows it groups by. */
  column: string;
  /** How the grouped column becomes the key text, when not as is. */
  expr?: string;
}

interface DimensionDefinition {
  label: string;
  keys: readonly DimensionKey[];
  /** Whether the calls carry this dimension (only the queue does). */
  calls: boolean;
}

/** What a breakdown can be by. Multi-level dimensions are trees: category l1 → l2 → l3, district → township. */
export const BREAKDOWN_DIMENSIONS = {
  category: {
    label: '诉求分类',
    keys: [
      { name: 'category_l1', label: '一级分类', column: 'category_l1' },
      { name: 'category_l2', label: '二级分类', column: 'category_l2' },
      { name: 'category_l3', label: '三级分类', column: 'category_l3' },
    ],
    calls: false,
  },
  district: {
    label: '区县 / 乡镇街道',
    keys: [
      { name: 'district', label: '区县', column: 'district' },
      { name: 'township', label: '乡镇街道', column: 'township' },
    ],
    calls: false,
  },
  channel: { label: '来源渠道', keys: [{ name: 'channel', label: '来源渠道', column: 'channel' }], calls: false },
  appeal_type: { label: '诉求类型', keys: [{ name: 'appeal_type', label: '诉求类型', column: 'appeal_type' }], calls: false },
  enterprise: {
    label: '是否涉企',
    keys: [
      {
        name: 'is_enterprise',
        label: '是否涉企',
        column: 'is_enterprise',
        expr: `case when is_enterprise then '是' when not is_enterprise then '否' end`,
      },
    ],
    calls: false,
  },
  unit: { label: '承办单位', keys: [{ name: 'unit', label: '承办单位', column: 'unit' }], calls: false },
  queue: { label: '专席队列', keys: [{ name: 'queue', label: '专席队列', column: 'queue' }], calls: true },
} as const satisfies Record<string, DimensionDefinition>;

export type BreakdownDimension = keyof typeof BREAKDOWN_DIMENSIONS;
export const BREAKDOWN_DIMENSION_NAMES = Object.keys(BREAKDOWN_DIMENSIONS) as BreakdownDimension[];
type Dimension = BreakdownDimension | 'total';

function dimensionDefinition(dimension: Dimension): DimensionDefinition {
  return dimension === 'total' ? { label: '合计', keys: [], calls: true } : BREAKDOWN_DIMENSIONS[dimension];
}

// ---------------------------------------------------------------------------------------------
// Periods: Beijing wall-clock, half-open [from, to)

export type Period =
  | { kind: 'month'; month: string; from: string; to: string }
  | { kind: 'dates'; fromDate: string; toDate: string; from: string; to: string }
  | { kind: 'time'; from: string; to: string };

const MONTH = /^(\d{4})-(\d{2})$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/;

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
  const after = new Date(end.getTime() + 86_400_000);
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

function asPeriod(period: Period | string): Period {
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
    const last = new Date(new Date(`${to.slice(0, 10)}T00:00:00Z`).getTime() - 86_400_000);
    return datePeriod(from.slice(0, 10), ymd(last) < from.slice(0, 10) ? from.slice(0, 10) : ymd(last));
  }
  return timePeriod(from, to);
}

function isWholeDays(period: Period): boolean {
  return period.from.endsWith(' 00:00:00') && period.to.endsWith(' 00:00:00');
}

// ---------------------------------------------------------------------------------------------
// The metric files and the SQL built from them

const ANCHORS = ['received_tickets', 'called_back_tickets', 'completed_tickets', 'offered_calls'] as const;
type Anchor = (typeof ANCHORS)[number];
const CALL_ANCHORS: ReadonlySet<Anchor> = new Set(['offered_calls']);

interface MetricFile {
  key: string;
  anchor: Anchor;
  /** The aggregates: `<expression> as <column>` each. */
  aggregates: { expression: string; column: string }[];
  columns: string[];
}

interface Measure {
  column: string;
  /** Counts are bigint; the hours of avg_handling_hours an exact decimal (so days add up to months). */
  type: 'bigint' | 'decimal(38, 6)';
  anchor: Anchor;
}

function stripComments(sql: string): string {
  return sql.replace(/--[^\n]*/g, '');
}

function parseMetricFile(key: string, text: string, kind: MetricKind): MetricFile {
  const where = `queries/kpi/${key}.sql`;
  const match = /^\s*with\s+final\s+as\s*\(\s*select\s+([\s\S]*?)\s+from\s+(\w+)\s*\)\s*select\s+\*\s+from\s+final\s*;?\s*$/i.exec(
    stripComments(text),
  );
  if (!match) throw new Error(`${where}: expected "with final as (select <aggregates> from <anchor>) select * from final"`);
  const [, selectList, anchor] = match;
  if (!(ANCHORS as readonly string[]).includes(anchor)) throw new Error(`${where}: unknown anchor ${anchor} (one of ${ANCHORS.join(', ')})`);
  const aggregates = [...`${selectList.trim()}\n`.matchAll(/([\s\S]*?)\bas\s+(\w+)\s*,\s*(?=\n|$)/g)].map((m) => ({
    expression: m[1].trim(),
    column: m[2],
  }));
  const columns = aggregates.map((a) => a.column);
  const expected = kind === 'count' ? [key] : [`${key}_numerator`, `${key}_denominator`];
  if (columns.join() !== expected.join()) {
    throw new Error(`${where}: must produce exactly ${expected.join(', ')} (each "… as name," ending its line); found ${columns.join(', ') || 'nothing'}`);
  }
  return { key, anchor: anchor as Anchor, aggregates, columns };
}

let metricFilesCache: MetricFile[] | null = null;

/** Every metric file, parsed once per process. */
function metricFiles(): MetricFile[] {
  metricFilesCache ??= [...KPI_METRICS, ...SUPPORTING_COUNTS].map((m) => parseMetricFile(m.key, sqlFile(`kpi/${m.key}.sql`), m.kind));
  return metricFilesCache;
}

function measures(): Measure[] {
  return metricFiles().flatMap((file) =>
    file.columns.map((column) => ({
      column,
      anchor: file.anchor,
      type: column === 'avg_handling_hours_numerator' ? ('decimal(38, 6)' as const) : ('bigint' as const),
    })),
  );
}

/**
 * The text of a query file as a CTE body. `not materialized` for the wide ticket rows that several
 * anchors read: each anchor then scans only the rows of its own period (filters reach the table
 * scan) instead of DuckDB materializing every ticket with every column first.
 */
function cte(name: string, body: string, materialized?: 'materialized' | 'not materialized'): string {
  return `${name} as ${materialized ? `${materialized} ` : ''}(\n${body.trim()}\n)`;
}

const KEY_COLUMNS = ['key1', 'key2', 'key3'] as const;

/** The select list and grouping that put one anchor's aggregates on the wanted grain. */
function grain(anchor: Anchor, scope: { mode: 'direct'; dimension: Dimension } | { mode: 'rollup' }) {
  const applicable = (dimension: Dimension) => !CALL_ANCHORS.has(anchor) || dimensionDefinition(dimension).calls;
  if (scope.mode === 'direct') {
    const keys = dimensionDefinition(scope.dimension).keys;
    const select = [
      `'${scope.dimension}' as dimension,`,
      ...KEY_COLUMNS.map((name, i) => `${keys[i] ? `cast(${keys[i].expr ?? keys[i].column} as varchar)` : 'null::varchar'} as ${name},`),
    ];
    const groupBy = keys.length ? `group by ${keys.map((k) => k.column).join(', ')}` : '';
    return { select, from: anchor, groupBy };
  }
  const dimensions = BREAKDOWN_DIMENSION_NAMES.filter(applicable);
  const marker = (d: BreakdownDimension) => `grouping(${BREAKDOWN_DIMENSIONS[d].keys[0].column}) = 0`;
  const select = [
    'day,',
    `case\n${dimensions.map((d) => `    when ${marker(d)} then '${d}'`).join('\n')}\n    else 'total'\n  end as dimension,`,
    ...KEY_COLUMNS.map((name, i) => {
      const whens = dimensions
        .filter((d) => BREAKDOWN_DIMENSIONS[d].keys[i])
        .map((d) => {
          const key: DimensionKey = BREAKDOWN_DIMENSIONS[d].keys[i];
          return `    when ${marker(d)} then cast(${key.expr ?? key.column} as varchar)`;
        });
      return whens.length ? `case\n${whens.join('\n')}\n  end as ${name},` : `null::varchar as ${name},`;
    }),
  ];
  const sets = ['(day)', ...dimensions.map((d) => `(day, ${BREAKDOWN_DIMENSIONS[d].keys.map((k) => k.column).join(', ')})`)];
  return {
    select,
    from: `(select *, cast(counted_at as date) as day from ${anchor}) as ${anchor}`,
    groupBy: `group by grouping sets (\n    ${sets.join(',\n    ')}\n  )`,
  };
}

/**
 * The CTEs ending in `grouped_measures`: every metric file's aggregates, on the grain of a period
 * (direct, one dimension) or of day × every dimension (rollup). Nothing in here depends on the
 * path taken except the grain.
 */
function measureCtes(scope: { mode: 'direct'; dimension: Dimension } | { mode: 'rollup' }): string[] {
  const needsQueue = scope.mode === 'rollup' || scope.dimension === 'queue';
  const withCalls = scope.mode === 'rollup' || dimensionDefinition(scope.dimension).calls;
  const anchors = ANCHORS.filter((anchor) => withCalls || !CALL_ANCHORS.has(anchor));
  const files = metricFiles();
  const ctes: string[] = [];
  // narrow (ticket_id, queue) and read by every ticket anchor: computed once
  if (needsQueue) ctes.push(cte('ticket_queues', sqlFile('breakdowns/ticket_queues.sql'), 'materialized'));
  // stg_tickets (queries/staging/stg_tickets.sql) is the counted tickets with their fallbacks
  ctes.push(
    cte(
      'kpi_tickets',
      needsQueue
        ? 'select stg_tickets.*, ticket_queues.queue as queue\nfrom stg_tickets\nleft join ticket_queues on ticket_queues.ticket_id = stg_tickets.ticket_id'
        : 'select *, null::varchar as queue\nfrom stg_tickets',
      'not materialized',
    ),
  );
  // The same aggregate written in several files (count(*) is the denominator of three rates) is
  // computed once per anchor: with 8 grouping sets every aggregate costs.
  const sameAs = new Map<string, string>();
  for (const anchor of anchors) {
    ctes.push(cte(anchor, sqlFile(`kpi/${anchor}.sql`)));
    const { select, from, groupBy } = grain(anchor, scope);
    const first = new Map<string, string>();
    const aggregates: string[] = [];
    for (const file of files.filter((f) => f.anchor === anchor)) {
      aggregates.push(`  -- ${file.key}.sql`);
      for (const { expression, column } of file.aggregates) {
        const normalized = expression.replace(/\s+/g, ' ');
        const earlier = first.get(normalized);
        if (earlier) {
          sameAs.set(column, earlier);
          aggregates.push(`  -- ${column}: the same as ${earlier}`);
        } else {
          first.set(normalized, column);
          aggregates.push(`  ${expression.replace(/\n/g, '\n  ')} as ${column},`);
        }
      }
    }
    ctes.push(cte(`${anchor}_measures`, `select\n  ${select.join('\n  ')}\n${aggregates.join('\n')}\nfrom ${from}\n${groupBy}`));
  }
  // One row per anchor and grain (the anchors' columns are disjoint; a reader sums them all), so no
  // costly regrouping: the rollup's key is (day, dimension, key1, key2, key3, anchor).
  const columns = (anchor: Anchor) => [
    ...(scope.mode === 'rollup' ? ['day'] : []),
    'dimension',
    ...KEY_COLUMNS,
    `'${anchor}' as anchor`,
    ...measures().map((m) =>
      m.anchor === anchor ? `cast(${sameAs.get(m.column) ?? m.column} as ${m.type}) as ${m.column}` : `null::${m.type} as ${m.column}`,
    ),
  ];
  ctes.push(
    cte('grouped_measures', anchors.map((anchor) => `select\n  ${columns(anchor).join(',\n  ')},\nfrom ${anchor}_measures`).join('\n\nunion all\n\n')),
  );
  return ctes;
}

/** The rows of one dimension for a period, from the tickets (direct) or the rollup. */
function periodMeasureCtes(dimension: Dimension, source: 'direct' | 'rollup'): string[] {
  if (source === 'rollup') return [cte('period_measures', sqlFile('rollups/kpi_daily_period.sql'))];
  return [...measureCtes({ mode: 'direct', dimension }), cte('period_measures', 'select * exclude (anchor) from grouped_measures')];
}

/** Sums of the period's rows, then every value: the one place a rate becomes numerator / denominator. */
function valueColumns(): string[] {
  const rates = KPI_METRICS.filter((m) => m.kind !== 'count').map(
    (m) => `case when ${m.key}_denominator = 0 then null else ${m.key}_numerator / ${m.key}_denominator end as ${m.key},`,
  );
  const derived = DERIVED_COUNTS.map((d) => `${d.from} as ${d.key},`);
  return [...rates, ...derived];
}

function sumColumns(): string[] {
  return measures().map((m) => `cast(coalesce(sum(${m.column}), 0) as ${m.type}) as ${m.column},`);
}

function totalSql(source: 'direct' | 'rollup'): string {
  const ctes = [
    ...periodMeasureCtes('total', source),
    cte('sums', `select\n  ${sumColumns().join('\n  ')}\nfrom period_measures`),
    cte('final', `select\n  sums.*,\n  ${valueColumns().join('\n  ')}\nfrom sums`),
  ];
  return `with\n${ctes.join(',\n\n')}\n\nselect * from final`;
}

function breakdownCtes(dimension: BreakdownDimension, depth: number, source: 'direct' | 'rollup'): string[] {
  const keys = KEY_COLUMNS.slice(0, depth);
  const level = keys.map((k) => `(1 - grouping(${k}))`).join(' + ');
  return [
    ...periodMeasureCtes(dimension, source),
    cte(
      'sums',
      `select\n  ${level} as level,\n  ${keys.map((k) => `${k},`).join('\n  ')}\n  ${sumColumns().join('\n  ')}\nfrom period_measures\ngroup by rollup (${keys.join(', ')})`,
    ),
    cte(
      'breakdown',
      `select\n  sums.*,\n  ${valueColumns().join('\n  ')}\n  case when max(received) filter (where level = 0) over () = 0 then null\n    else received / max(received) filter (where level = 0) over () end as share,\nfrom sums`,
    ),
  ];
}

function breakdownSql(dimension: BreakdownDimension, depth: number, source: 'direct' | 'rollup'): string {
  return `with\n${breakdownCtes(dimension, depth, source).join(',\n\n')}\n\nselect * from breakdown`;
}

/** A query file's chain of CTEs without its closing `select * from final`, to continue another chain. */
function cteChain(relativePath: string): string {
  const text = sqlFile(relativePath).trim();
  const opening = /^((?:\s*--[^\n]*\n)*)\s*with\s+/i;
  const closing = /\s*select\s+\*\s+from\s+final\s*;?\s*$/i;
  if (!opening.test(text) || !closing.test(text)) throw new Error(`queries/${relativePath}: expected a chain of CTEs ending in select * from final`);
  return text.replace(opening, '$1').replace(closing, '');
}

function unitRankingSql(source: 'direct' | 'rollup'): string {
  const ctes = [
    ...breakdownCtes('unit', 1, source),
    cte('unit_kpis', 'select key1 as unit, * exclude (level, key1)\nfrom breakdown\nwhere level = 1'),
    cteChain('kpi/unit_ranking.sql'),
  ];
  return `with\n${ctes.join(',\n\n')}\n\nselect * from final`;
}

let rollupBuildCache: { sql: string; definition: string } | null = null;

/**
 * The query that builds the rollup's rows (day × dimension × keys × anchor), used by refreshRollups,
 * and a hash of it that tells whether a stored rollup was built by these very definitions.
 */
export function rollupBuildSql(): { sql: string; definition: string } {
  if (!rollupBuildCache) {
    // ordered by dimension and day so that a month of one dimension is a few row groups to read
    const sql = `with\n${measureCtes({ mode: 'rollup' }).join(',\n\n')}\n\nselect * from grouped_measures\norder by dimension, day`;
    rollupBuildCache = { sql, definition: createHash('sha256').update(sql).digest('hex').slice(0, 16) };
  }
  return rollupBuildCache;
}

/** Bind exactly the parameters a statement names (DuckDB refuses unknown ones). */
export function bindParams(sql: string, all: Params): Params {
  const names = new Set([...stripComments(sql).matchAll(/\$([a-z_][a-z0-9_]*)/gi)].map((m) => m[1]));
  const params: Params = {};
  for (const name of names) {
    if (!(name in all)) throw new Error(`query parameter $${name} has no value`);
    params[name] = all[name];
  }
  return params;
}

/** The bound settings of the metric files. */
export function settingParams(settings: KpiSettings): Params {
  return {
    sign_limit_hours: settings.signLimitHours,
    basically_satisfied_counts: settings.basicallySatisfiedCounts,
    weight_response: settings.rankingWeights.response,
    weight_resolution: settings.rankingWeights.resolution,
    weight_satisfaction: settings.rankingWeights.satisfaction,
    min_tickets: settings.minTicketsForRanking,
  };
}

/** The newest activity_at in the warehouse: the data's own "now" for overdue tickets. */
export async function dataAsOf(warehouse: Warehouse): Promise<string | null> {
  const row = await warehouse.one<{ as_of: string | null }>(sqlFile('rollups/data_as_of.sql'));
  return row?.as_of ?? null;
}

// ---------------------------------------------------------------------------------------------
// Rollup freshness: the read side (refreshRollups lives in rollups.ts)

export type Source = 'auto' | 'rollup' | 'direct';

export interface QueryOptions {
  settings?: KpiSettings;
  /** 'auto' (default): the rollup when it is up to date for these settings and whole days, else direct. */
  source?: Source;
}

export interface RollupState {
  refreshed_at: string;
  tickets: number;
  tickets_last_run: number;
  calls: number;
  calls_last_run: number;
  as_of: string | null;
  sign_limit_hours: number;
  basically_satisfied_counts: boolean;
  definition: string;
  rows: number;
  duration_ms: number;
}

export interface Fingerprint {
  tickets: number;
  tickets_last_run: number;
  calls: number;
  calls_last_run: number;
}

export const ROLLUP_TABLE = 'kpi_daily';
export const ROLLUP_STATE_TABLE = 'kpi_rollup_state';

export async function dataFingerprint(warehouse: Warehouse): Promise<Fingerprint> {
  return (await warehouse.one<Fingerprint>(sqlFile('rollups/kpi_rollup_fingerprint.sql')))!;
}

export async function rollupState(warehouse: Warehouse): Promise<RollupState | null> {
  const exists = await warehouse.one<{ n: number }>(
    `select count(*) as n from duckdb_tables() where schema_name = 'main' and table_name in ($state, $daily)`,
    { state: ROLLUP_STATE_TABLE, daily: ROLLUP_TABLE },
  );
  if (!exists || exists.n < 2) return null;
  return (await warehouse.one<RollupState>(`select * from ${ROLLUP_STATE_TABLE}`)) ?? null;
}

export interface RollupStatus {
  usable: boolean;
  /** Why the rollup cannot answer, in words. */
  reason: string | null;
  state: RollupState | null;
}

/** Whether the rollup answers for these settings and this period exactly as the direct query would. */
export async function rollupStatus(warehouse: Warehouse, settings: KpiSettings, period?: Period): Promise<RollupStatus> {
  const state = await rollupState(warehouse);
  const unusable = (reason: string) => ({ usable: false, reason, state });
  if (!state) return unusable('汇总表尚未生成 / the rollup has not been built');
  if (state.definition !== rollupBuildSql().definition) return unusable('指标定义已变更 / the metric definitions changed since the rollup was built');
  if (state.sign_limit_hours !== settings.signLimitHours || state.basically_satisfied_counts !== settings.basicallySatisfiedCounts) {
    return unusable(
      `汇总表按其他口径生成 / the rollup was built with signLimitHours=${state.sign_limit_hours}, basicallySatisfiedCounts=${state.basically_satisfied_counts}`,
    );
  }
  const now = await dataFingerprint(warehouse);
  if (now.tickets !== state.tickets || now.tickets_last_run !== state.tickets_last_run || now.calls !== state.calls || now.calls_last_run !== state.calls_last_run) {
    return unusable('数据在汇总后有变化 / the data changed since the rollup was built');
  }
  if (period && !isWholeDays(period)) return unusable('汇总表按整日汇总 / the rollup holds whole days only');
  return { usable: true, reason: null, state };
}

async function resolveSource(warehouse: Warehouse, period: Period, settings: KpiSettings, requested: Source = 'auto'): Promise<'rollup' | 'direct'> {
  if (requested === 'direct') return 'direct';
  const status = await rollupStatus(warehouse, settings, period);
  if (status.usable) return 'rollup';
  if (requested === 'rollup') throw new CliError(`不能使用汇总表 / cannot answer from the rollup: ${status.reason}（运行 hotline kpi --refresh 重建 / rebuild with hotline kpi --refresh）`);
  return 'direct';
}

/** A query ready to run: the SQL, exactly the parameters it names, and where it reads from. */
export interface KpiQuery {
  sql: string;
  params: Params;
  source: 'rollup' | 'direct';
}

async function plan(
  warehouse: Warehouse,
  period: Period,
  settings: KpiSettings,
  requested: Source | undefined,
  build: (source: 'rollup' | 'direct') => string,
  extra: Params = {},
): Promise<KpiQuery> {
  const source = await resolveSource(warehouse, period, settings, requested);
  const sql = build(source);
  const all: Params = { ...settingParams(settings), ...extra, from: period.from, to: period.to };
  if (source === 'rollup') {
    all.from_day = period.from.slice(0, 10);
    all.to_day = period.to.slice(0, 10);
  } else if (/\$as_of\b/.test(stripComments(sql))) {
    all.as_of = await dataAsOf(warehouse);
  }
  return { sql, params: bindParams(sql, all), source };
}

// ---------------------------------------------------------------------------------------------
// KPIs of a period

export interface KpiReport {
  period: Period;
  source: 'rollup' | 'direct';
  settings: KpiSettings;
  values: KpiValues;
  /** Every numerator and denominator behind the values: the numbers to re-derive them by hand. */
  sums: Record<string, number>;
}

function pickValues(row: Row): KpiValues {
  const values = {} as Record<KpiJsonKey, number | null>;
  for (const key of KPI_JSON_KEYS) values[key] = row[key] === null || row[key] === undefined ? null : Number(row[key]);
  return values as KpiValues;
}

function pickSums(row: Row): Record<string, number> {
  return Object.fromEntries(measures().map((m) => [m.column, Number(row[m.column] ?? 0)]));
}

/** The SQL and parameters that answer periodKpis — for `hotline kpi --sql` and for people who check. */
export async function periodKpisSql(warehouse: Warehouse, period: Period | string, options: QueryOptions = {}): Promise<KpiQuery> {
  const settings = options.settings ?? DEFAULT_KPI_SETTINGS;
  return plan(warehouse, asPeriod(period), settings, options.source, totalSql, { dimension: 'total' });
}

/** Every KPI of any period [from, to). */
export async function periodKpis(warehouse: Warehouse, period: Period | string, options: QueryOptions = {}): Promise<KpiReport> {
  const settings = options.settings ?? DEFAULT_KPI_SETTINGS;
  const resolved = asPeriod(period);
  const { sql, params, source } = await periodKpisSql(warehouse, resolved, options);
  const row = (await warehouse.all(sql, params))[0];
  return { period: resolved, source, settings, values: pickValues(row), sums: pickSums(row) };
}

/** Every KPI of month 'YYYY-MM' (Beijing time). */
export async function monthlyKpis(warehouse: Warehouse, month: string, options: QueryOptions = {}): Promise<KpiReport> {
  return periodKpis(warehouse, monthPeriod(month), options);
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

/** Counts (and the mean duration) change in percent; rates change in percentage points. */
export type KpiChange =
  | { key: KpiJsonKey; measure: 'pct'; value: number | null; previous_month: number | null; mom_pct: number | null; same_month_last_year: number | null; yoy_pct: number | null }
  | { key: KpiJsonKey; measure: 'pp'; value: number | null; previous_month: number | null; mom_pp: number | null; same_month_last_year: number | null; yoy_pp: number | null };

export interface KpiComparisonReport {
  current: KpiReport;
  /** 环比: the period one calendar month earlier. */
  previousMonth: KpiReport;
  /** 同比: the same period a year earlier. */
  sameMonthLastYear: KpiReport;
  changes: Record<KpiJsonKey, KpiChange>;
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

export function compareKpis(current: KpiValues, previousMonth: KpiValues, sameMonthLastYear: KpiValues): Record<KpiJsonKey, KpiChange> {
  const changes = {} as Record<KpiJsonKey, KpiChange>;
  for (const key of KPI_JSON_KEYS) {
    const value = current[key];
    const prev = previousMonth[key];
    const last = sameMonthLastYear[key];
    changes[key] =
      metricKind(key) === 'rate'
        ? { key, measure: 'pp', value, previous_month: prev, mom_pp: pointChange(value, prev), same_month_last_year: last, yoy_pp: pointChange(value, last) }
        : { key, measure: 'pct', value, previous_month: prev, mom_pct: percentChange(value, prev), same_month_last_year: last, yoy_pct: percentChange(value, last) };
  }
  return changes;
}

/** The period's KPIs with 环比 (vs one month earlier) and 同比 (vs one year earlier). */
export async function kpiWithComparisons(warehouse: Warehouse, period: Period | string, options: QueryOptions = {}): Promise<KpiComparisonReport> {
  const resolved = asPeriod(period);
  const [current, previousMonth, sameMonthLastYear] = [
    await periodKpis(warehouse, resolved, options),
    await periodKpis(warehouse, shiftPeriod(resolved, -1), options),
    await periodKpis(warehouse, shiftPeriod(resolved, -12), options),
  ];
  return { current, previousMonth, sameMonthLastYear, changes: compareKpis(current.values, previousMonth.values, sameMonthLastYear.values) };
}

// ---------------------------------------------------------------------------------------------
// Breakdowns

export interface BreakdownRow {
  /** 0 = the total of all rows, 1 = first key (e.g. 一级分类), 2 = second, 3 = third. */
  level: number;
  /** The keys down to this level; deeper keys are absent. A key can be null (not recorded). */
  keys: Record<string, string | null>;
  /** received / the total's received (null when nothing was received). */
  share: number | null;
  values: KpiValues;
  sums: Record<string, number>;
}

export interface BreakdownReport {
  dimension: BreakdownDimension;
  period: Period;
  source: 'rollup' | 'direct';
  settings: KpiSettings;
  /** Total first, then a tree: each parent before its children, siblings by received, most first. */
  rows: BreakdownRow[];
}

export interface BreakdownOptions extends QueryOptions {
  /** How deep a tree dimension goes (category 1–3, district 1–2); default all levels. */
  depth?: number;
}

export function isBreakdownDimension(name: string): name is BreakdownDimension {
  return (BREAKDOWN_DIMENSION_NAMES as string[]).includes(name);
}

function breakdownRow(dimension: BreakdownDimension, row: Row): BreakdownRow {
  const level = Number(row.level);
  const keyDefs = BREAKDOWN_DIMENSIONS[dimension].keys;
  const keys: Record<string, string | null> = {};
  keyDefs.slice(0, level).forEach((key, i) => (keys[key.name] = (row[KEY_COLUMNS[i]] as string | null) ?? null));
  const values = pickValues(row);
  if (!BREAKDOWN_DIMENSIONS[dimension].calls) {
    // Calls carry no category, district, …: a breakdown along these has no call figures at all
    // (the rates are null already: their denominators are 0).
    values.calls_offered = null;
    values.calls_answered = null;
  }
  return { level, keys, share: row.share === null ? null : Number(row.share), values, sums: pickSums(row) };
}

/** Parents before children; siblings by received (most first), then by key. */
function treeOrder(rows: BreakdownRow[]): BreakdownRow[] {
  const path = (row: BreakdownRow) => Object.values(row.keys);
  const received = new Map(rows.map((row) => [JSON.stringify(path(row)), row.values.received ?? 0]));
  const sortKey = (row: BreakdownRow) =>
    path(row).map((key, i) => ({ received: received.get(JSON.stringify(path(row).slice(0, i + 1))) ?? 0, key: key ?? '\uffff' }));
  return [...rows].sort((a, b) => {
    const ka = sortKey(a);
    const kb = sortKey(b);
    for (let i = 0; i < Math.min(ka.length, kb.length); i++) {
      if (ka[i].received !== kb[i].received) return kb[i].received - ka[i].received;
      if (ka[i].key !== kb[i].key) return ka[i].key < kb[i].key ? -1 : 1;
    }
    return ka.length - kb.length;
  });
}

/** Every KPI per value of a dimension (a tree for category and district), with the total. */
export async function breakdown(
  warehouse: Warehouse,
  dimension: BreakdownDimension,
  period: Period | string,
  options: BreakdownOptions = {},
): Promise<BreakdownReport> {
  if (!isBreakdownDimension(dimension)) throw new RangeError(`unknown breakdown dimension: ${dimension}`);
  const settings = options.settings ?? DEFAULT_KPI_SETTINGS;
  const resolved = asPeriod(period);
  const maxDepth = BREAKDOWN_DIMENSIONS[dimension].keys.length;
  const depth = options.depth ?? maxDepth;
  if (!Number.isInteger(depth) || depth < 1 || depth > maxDepth) throw new RangeError(`depth for ${dimension} must be 1…${maxDepth}`);
  const { sql, params, source } = await plan(warehouse, resolved, settings, options.source, (s) => breakdownSql(dimension, depth, s), { dimension });
  const rows = (await warehouse.all(sql, params)).map((row) => breakdownRow(dimension, row));
  return { dimension, period: resolved, source, settings, rows: treeOrder(rows) };
}

export interface CategoryRank {
  level: number;
  keys: Record<string, string | null>;
  received: number;
  share: number | null;
}

/** The N categories with most tickets received in the period, at level 1 (一级), 2 or 3. */
export async function topCategories(
  warehouse: Warehouse,
  period: Period | string,
  options: QueryOptions & { level?: number; limit?: number } = {},
): Promise<CategoryRank[]> {
  const level = options.level ?? 1;
  const report = await breakdown(warehouse, 'category', period, { ...options, depth: level });
  return report.rows
    .filter((row) => row.level === level)
    .sort((a, b) => (b.values.received ?? 0) - (a.values.received ?? 0))
    .slice(0, options.limit ?? 10)
    .map((row) => ({ level, keys: row.keys, received: row.values.received ?? 0, share: row.share }));
}

export interface CategoryRiser extends CategoryRank {
  previous_received: number;
  change: number;
  /** Percent change on the previous month; null when the category had no tickets then (is_new). */
  change_pct: number | null;
  is_new: boolean;
}

/**
 * The categories rising fastest against the previous month: at least minVolume tickets received in
 * the period, ordered by percent change (categories new this month first, by volume).
 */
export async function risingCategories(
  warehouse: Warehouse,
  period: Period | string,
  options: QueryOptions & { level?: number; limit?: number; minVolume?: number } = {},
): Promise<CategoryRiser[]> {
  const level = options.level ?? 2;
  const minVolume = options.minVolume ?? 20;
  const resolved = asPeriod(period);
  const [current, previous] = [
    await breakdown(warehouse, 'category', resolved, { ...options, depth: level }),
    await breakdown(warehouse, 'category', shiftPeriod(resolved, -1), { ...options, depth: level }),
  ];
  const before = new Map(previous.rows.filter((r) => r.level === level).map((r) => [JSON.stringify(r.keys), r.values.received ?? 0]));
  const risers = current.rows
    .filter((row) => row.level === level && (row.values.received ?? 0) >= minVolume)
    .map((row) => {
      const received = row.values.received ?? 0;
      const previous_received = before.get(JSON.stringify(row.keys)) ?? 0;
      return {
        level,
        keys: row.keys,
        received,
        share: row.share,
        previous_received,
        change: received - previous_received,
        change_pct: percentChange(received, previous_received),
        is_new: previous_received === 0,
      };
    });
  const rank = (r: CategoryRiser) => (r.is_new ? Number.POSITIVE_INFINITY : (r.change_pct ?? 0));
  return risers
    .sort((a, b) => rank(b) - rank(a) || b.received - a.received || JSON.stringify(a.keys).localeCompare(JSON.stringify(b.keys)))
    .filter((r) => r.change > 0)
    .slice(0, options.limit ?? 10);
}

// ---------------------------------------------------------------------------------------------
// 承办单位“三率”考评

export type UnrankedReason = 'volume_below_minimum' | 'no_response_rate' | 'no_resolution_rate' | 'no_satisfaction_rate';

export interface UnitRankingRow {
  unit_kind: string;
  /** Rank within unit_kind (1 = best); null when the unit is listed but not ranked. */
  rank: number | null;
  unit: string;
  /** Tickets dispatched to the unit in the period. */
  volume: number;
  /** 响应率 = ontime_sign_rate. */
  response_rate: number | null;
  /** 解决率 as scored: resolution_rate, or ontime_completion_rate when no callback said. */
  resolution_score: number | null;
  resolution_basis: 'resolution_rate' | 'ontime_completion_rate' | null;
  /** 满意率 = satisfaction_rate. */
  satisfaction_rate: number | null;
  composite_score: number | null;
  overdue: number;
  /** Dispatched tickets returned at least once (return_rate's numerator). */
  returned_tickets: number;
  /** Sum of returned_count. */
  returns: number;
  ontime_completion_rate: number | null;
  resolution_rate: number | null;
  unranked_reason: UnrankedReason | null;
}

export interface UnitRankingReport {
  period: Period;
  source: 'rollup' | 'direct';
  settings: KpiSettings;
  rows: UnitRankingRow[];
}

/** The lead units' “三率” scores, ranked within unit_kind (kpi-definitions.md, unit ranking). */
export async function unitRanking(warehouse: Warehouse, period: Period | string, options: QueryOptions = {}): Promise<UnitRankingReport> {
  const settings = options.settings ?? DEFAULT_KPI_SETTINGS;
  const resolved = asPeriod(period);
  const { sql, params, source } = await plan(warehouse, resolved, settings, options.source, unitRankingSql, { dimension: 'unit' });
  const rows = (await warehouse.all<UnitRankingRow>(sql, params)).map((row) => ({
    ...row,
    rank: row.rank === null ? null : Number(row.rank),
  }));
  return { period: resolved, source, settings, rows };
}
