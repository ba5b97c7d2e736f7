/**
 * From the metric files to SQL. Where each number is defined: one file per metric under
 * queries/kpi/, and nowhere else. A metric file is `with final as (select <aggregates> from
 * <anchor>) select * from final`, where the anchor says which rows a period counts ("received in
 * M" = received_tickets.sql, "callback_at in M" = called_back_tickets.sql, "completed_at in M" =
 * completed_tickets.sql, "calls in M" = offered_calls.sql). A rate's file gives `<key>_numerator`
 * and `<key>_denominator`, a count `<key>`; each input column of the catalogue adds
 * `<key>_with_<column>` (rows that carry it) and `<key>_without_<column>` (rows that should and do
 * not). Values are made in one place, below (valueColumns): numerator / denominator, null when the
 * denominator is 0 or an input is missing (lacked where expected, carried nowhere).
 *
 * Every aggregate is additive (or a max), so the same select lists serve every path:
 *  - direct: the aggregates over the anchors, for a period, per month or per day, for one dimension;
 *  - rollup: the same aggregates per day × every dimension in `kpi_daily`, and per month in
 *    `kpi_monthly` (rollups.ts builds both), then summed over the period.
 * All paths end in the same SQL (sums → values).
 */
import { createHash } from 'node:crypto';
import { sqlFile, type Params } from '../warehouse.js';
import {
  BREAKDOWN_DIMENSIONS,
  BREAKDOWN_DIMENSION_NAMES,
  DERIVED_COUNTS,
  dimensionDefinition,
  KPI_METRICS,
  METRICS,
  metricDefinition,
  type BreakdownDimension,
  type Dimension,
  type KpiSettings,
  type MetricDefinition,
} from './catalogue.js';

export const ROLLUP_TABLE = 'kpi_daily';
export const MONTHLY_ROLLUP_TABLE = 'kpi_monthly';
export const MONTHLY_VALUES_TABLE = 'kpi_monthly_values';
/** Each unit's overdue, returned and dissatisfied tickets by month (queries/tickets/unit_tickets.sql). */
export const UNIT_TICKETS_TABLE = 'kpi_unit_tickets';
export const ROLLUP_STATE_TABLE = 'kpi_rollup_state';

const ANCHORS = ['received_tickets', 'received_callers', 'called_back_tickets', 'completed_tickets', 'offered_calls'] as const;
type Anchor = (typeof ANCHORS)[number];
const CALL_ANCHORS: ReadonlySet<Anchor> = new Set(['offered_calls']);

interface MetricFile {
  key: string;
  anchor: Anchor;
  /** The aggregates: `<expression> as <column>` each. */
  aggregates: { expression: string; column: string }[];
  columns: string[];
}

export interface Measure {
  column: string;
  /** Counts are bigint; the hours of avg_handling_hours an exact decimal (so days add up to months). */
  type: 'bigint' | 'decimal(38, 6)' | 'timestamp';
  anchor: Anchor;
  /** How rows of the same period combine: additive sums, or the latest of timestamps. */
  combine: 'sum' | 'max';
}

/** The file that is not a metric but rides along: when the period's deadlines have all passed. */
const LATEST_DEADLINE = 'latest_deadline';

export function stripComments(sql: string): string {
  return sql.replace(/--[^\n]*/g, '');
}

function expectedColumns(metric: MetricDefinition | null): string[] {
  if (!metric) return ['latest_deadline_at'];
  const values = metric.kind === 'count' ? [metric.key] : [`${metric.key}_numerator`, `${metric.key}_denominator`];
  return [...values, ...metric.inputs.flatMap((input) => [`${metric.key}_with_${input.column}`, `${metric.key}_without_${input.column}`])];
}

function parseMetricFile(key: string, text: string): MetricFile {
  const where = `queries/kpi/${key}.sql`;
  const match = /^\s*with\s+final\s+as\s*\(\s*select\s+([\s\S]*?)\s+from\s+(\w+)\s*\)\s*select\s+\*\s+from\s+final\s*;?\s*$/i.exec(stripComments(text));
  if (!match) throw new Error(`${where}: expected "with final as (select <aggregates> from <anchor>) select * from final"`);
  const [, selectList, anchor] = match;
  if (!(ANCHORS as readonly string[]).includes(anchor)) throw new Error(`${where}: unknown anchor ${anchor} (one of ${ANCHORS.join(', ')})`);
  const aggregates = [...`${selectList.trim()}\n`.matchAll(/([\s\S]*?)\bas\s+(\w+)\s*,\s*(?=\n|$)/g)].map((m) => ({ expression: m[1].trim(), column: m[2] }));
  const columns = aggregates.map((a) => a.column);
  const expected = expectedColumns(key === LATEST_DEADLINE ? null : metricDefinition(key)!);
  if (columns.join() !== expected.join()) {
    throw new Error(
      `${where}: must produce exactly ${expected.join(', ')} (each "… as name," ending its line, an input column of the catalogue as <key>_with_<column>); found ${columns.join(', ') || 'nothing'}`,
    );
  }
  return { key, anchor: anchor as Anchor, aggregates, columns };
}

let metricFilesCache: MetricFile[] | null = null;

/** Every metric file, parsed once per process, checked against the catalogue. */
function metricFiles(): MetricFile[] {
  metricFilesCache ??= [...METRICS.map((m) => m.key), LATEST_DEADLINE].map((key) => parseMetricFile(key, sqlFile(`kpi/${key}.sql`)));
  return metricFilesCache;
}

let measuresCache: Measure[] | null = null;

export function measures(): Measure[] {
  measuresCache ??= metricFiles().flatMap((file) =>
    file.columns.map((column) => ({
      column,
      anchor: file.anchor,
      type: column === 'avg_handling_hours_numerator' ? ('decimal(38, 6)' as const) : column === 'latest_deadline_at' ? ('timestamp' as const) : ('bigint' as const),
      combine: column === 'latest_deadline_at' ? ('max' as const) : ('sum' as const),
    })),
  );
  return measuresCache;
}

/**
 * The text of a query file as a CTE body. `not materialized` for the wide ticket rows that several
 * anchors read: each anchor then scans only the rows of its own period (filters reach the table
 * scan) instead of DuckDB materializing every ticket with every column first.
 */
export function cte(name: string, body: string, materialized?: 'materialized' | 'not materialized'): string {
  return `${name} as ${materialized ? `${materialized} ` : ''}(\n${body.trim()}\n)`;
}

export const KEY_COLUMNS = ['key1', 'key2', 'key3'] as const;

/** The columns of stg_tickets a scope's keys narrow: [district, township] or [l1, l2, l3]. */
export const SCOPE_COLUMNS = { district: ['district', 'township'], category: ['category_l1', 'category_l2', 'category_l3'] } as const;

/** What a figure is about: all tickets, one district (→ township), or one category (→ sub-categories). */
export interface Scope {
  dimension: 'total' | 'district' | 'category';
  /** The path of keys: [district, township?] or [l1, l2?, l3?]. */
  keys: string[];
}

export const WHOLE_HOTLINE: Scope = { dimension: 'total', keys: [] };

/** A share of the tickets named by a model file that reads stg_tickets (e.g. a special report's topic). */
export interface TicketFilter {
  /** The model, relative to queries/ (e.g. reports/topic_tickets.sql). */
  model: string;
  params: Params;
  /** In words, for notes and --sql. */
  label: string;
}

/** A special-report topic (config reports.topics) as a ticket filter: queries/reports/topic_tickets.sql. */
export function topicFilter(topic: { name: string; title: string; categories: readonly string[]; keywords: readonly string[]; ticketIds?: readonly string[] }): TicketFilter {
  const listed = topic.ticketIds?.length ? topic.ticketIds : null;
  return {
    model: 'reports/topic_tickets.sql',
    params: { categories: topic.categories.join('|'), keywords: topic.keywords.join('|'), ticket_ids: listed ? listed.join('|') : '' },
    label: listed
      ? `热点话题“${topic.title}”（${listed.length} 件工单）`
      : `专题“${topic.title}”（分类 ${topic.categories.join('、') || '—'}；关键词 ${topic.keywords.join('、') || '—'}）`,
  };
}

/** The time buckets of a query: none (the whole period), months or days. */
export type Grain = 'period' | 'month' | 'day';

export interface DirectShape {
  grain: Grain;
  /** One dimension, or every one at once (the rollup build). */
  dimensions: Dimension | 'all';
  scope?: Scope;
  filter?: TicketFilter;
  /** Rewind the tickets and calls to $as_of (tickets_as_of.sql, calls_as_of.sql). */
  rewind?: boolean;
  /** Only these metrics (and their anchors); the others' measures are null. Default: every one. */
  metrics?: ReadonlySet<string>;
}

const BUCKET = { month: `date_trunc('month', counted_at)::date`, day: 'cast(counted_at as date)' } as const;

/** The select list and grouping that put one anchor's aggregates on the wanted grain. */
function grouping(anchor: Anchor, shape: DirectShape) {
  const bucket = shape.grain === 'period' ? null : shape.grain;
  const from = bucket ? `(select *, ${BUCKET[bucket]} as ${bucket} from ${anchor}) as ${anchor}` : anchor;
  if (shape.dimensions !== 'all') {
    const keys = dimensionDefinition(shape.dimensions).keys;
    const select = [
      ...(bucket ? [`${bucket},`] : []),
      `'${shape.dimensions}' as dimension,`,
      ...KEY_COLUMNS.map((name, i) => `${keys[i] ? `cast(${keys[i].expr ?? keys[i].column} as varchar)` : 'null::varchar'} as ${name},`),
    ];
    const columns = [...(bucket ? [bucket] : []), ...keys.map((k) => k.column)];
    return { select, from, groupBy: columns.length ? `group by ${columns.join(', ')}` : '' };
  }
  if (!bucket) throw new Error('every dimension at once needs a time bucket');
  const applicable = (dimension: Dimension) => !CALL_ANCHORS.has(anchor) || dimensionDefinition(dimension).calls;
  const dimensions = BREAKDOWN_DIMENSION_NAMES.filter(applicable);
  const marker = (d: BreakdownDimension) => `grouping(${BREAKDOWN_DIMENSIONS[d].keys[0].column}) = 0`;
  const select = [
    `${bucket},`,
    `case\n${dimensions.map((d) => `    when ${marker(d)} then '${d}'`).join('\n')}\n    else 'total'\n  end as dimension,`,
    ...KEY_COLUMNS.map((name, i) => {
      const whens = dimensions
        .filter((d) => BREAKDOWN_DIMENSIONS[d].keys[i])
        .map((d) => {
          const key = BREAKDOWN_DIMENSIONS[d].keys[i] as { column: string; expr?: string };
          return `    when ${marker(d)} then cast(${key.expr ?? key.column} as varchar)`;
        });
      return whens.length ? `case\n${whens.join('\n')}\n  end as ${name},` : `null::varchar as ${name},`;
    }),
  ];
  const sets = [`(${bucket})`, ...dimensions.map((d) => `(${bucket}, ${BREAKDOWN_DIMENSIONS[d].keys.map((k) => k.column).join(', ')})`)];
  return { select, from, groupBy: `group by grouping sets (\n    ${sets.join(',\n    ')}\n  )` };
}

/**
 * The CTEs ending in `grouped_measures`: every metric file's aggregates on the wanted grain. Nothing
 * in here depends on the path taken except the grain and which tickets are in scope.
 */
function measureCtes(shape: DirectShape): string[] {
  const scoped = !!shape.filter || (shape.scope && shape.scope.dimension !== 'total');
  const needsQueue = shape.dimensions === 'all' || shape.dimensions === 'queue';
  // Calls carry no category, district or topic: a figure narrowed by those has no calls at all.
  const withCalls = !scoped && (shape.dimensions === 'all' || dimensionDefinition(shape.dimensions).calls);
  const files = metricFiles().filter((file) => !shape.metrics || shape.metrics.has(file.key) || file.key === LATEST_DEADLINE);
  const anchors = ANCHORS.filter((anchor) => (withCalls || !CALL_ANCHORS.has(anchor)) && files.some((file) => file.anchor === anchor));
  const ctes: string[] = [];
  // narrow (ticket_id, queue) and read by every ticket anchor: computed once
  if (needsQueue) ctes.push(cte('ticket_queues', sqlFile('breakdowns/ticket_queues.sql'), 'materialized'));
  ctes.push(cte('scoped_tickets', scopedTicketsSql(shape), 'not materialized'));
  let tickets = 'scoped_tickets';
  if (shape.rewind) {
    ctes.push(cte('rewound_tickets', sqlFile('kpi/tickets_as_of.sql'), 'not materialized'));
    tickets = 'rewound_tickets';
  }
  ctes.push(
    cte(
      'kpi_tickets',
      needsQueue
        ? `select ${tickets}.*, ticket_queues.queue as queue\nfrom ${tickets}\nleft join ticket_queues on ticket_queues.ticket_id = ${tickets}.ticket_id`
        : `select *, null::varchar as queue\nfrom ${tickets}`,
      'not materialized',
    ),
  );
  if (withCalls) ctes.push(cte('kpi_calls', shape.rewind ? sqlFile('kpi/calls_as_of.sql') : 'select * from calls', 'not materialized'));
  // The same aggregate written in several files (count(*) is the denominator of three rates) is
  // computed once per anchor: with 8 grouping sets every aggregate costs.
  const sameAs = new Map<string, string>();
  const included = new Set(files.flatMap((file) => file.columns));
  for (const anchor of anchors) {
    ctes.push(cte(anchor, sqlFile(`kpi/${anchor}.sql`)));
    const { select, from, groupBy } = grouping(anchor, shape);
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
  // One row per anchor and grain (the anchors' columns are disjoint; a reader combines them all),
  // so no costly regrouping here.
  const bucket = shape.grain === 'period' ? [] : [shape.grain];
  const columns = (anchor: Anchor) => [
    ...bucket,
    'dimension',
    ...KEY_COLUMNS,
    `'${anchor}' as anchor`,
    ...measures().map((m) => (m.anchor === anchor && included.has(m.column) ? `cast(${sameAs.get(m.column) ?? m.column} as ${m.type}) as ${m.column}` : `null::${m.type} as ${m.column}`)),
  ];
  ctes.push(cte('grouped_measures', anchors.map((anchor) => `select\n  ${columns(anchor).join(',\n  ')},\nfrom ${anchor}_measures`).join('\n\nunion all\n\n')));
  return ctes;
}

/** The counted tickets a figure is about: stg_tickets, narrowed by a filter model and a scope's keys. */
function scopedTicketsSql(shape: DirectShape): string {
  const body = shape.filter ? sqlFile(shape.filter.model).trim().replace(/;\s*$/, '') : 'select * from stg_tickets';
  const scope = shape.scope && shape.scope.dimension !== 'total' ? shape.scope : null;
  if (!scope) return body;
  const columns = SCOPE_COLUMNS[scope.dimension as 'district' | 'category'];
  const where = scope.keys.map((_, i) => `${columns[i]} = $k${i + 1}`).join(' and ');
  return `select *\nfrom (\n${body}\n) as in_scope\nwhere ${where}`;
}

/**
 * Where a period's rows come from: the tickets (direct), a rollup table of sums, or — for one
 * calendar month, or each month of a series — that month's values as the rollup stored them.
 */
export type RowSource =
  | ({ kind: 'direct' } & Omit<DirectShape, 'dimensions'>)
  | { kind: 'daily' | 'monthly'; metrics?: ReadonlySet<string> }
  | { kind: 'values' };

/** The rows of one dimension for a period, with the time bucket the caller asked for (or none). */
function periodMeasureCtes(dimension: Dimension, source: RowSource, scope?: Scope): string[] {
  if (source.kind === 'direct') {
    return [...measureCtes({ ...source, dimensions: dimension, scope }), cte('period_measures', 'select * exclude (anchor) from grouped_measures')];
  }
  if (source.kind === 'values') throw new Error('stored values are read as they are, never summed again');
  const table = source.kind === 'daily' ? ROLLUP_TABLE : MONTHLY_ROLLUP_TABLE;
  const bucket = source.kind === 'daily' ? 'day' : 'month';
  const keys = scope && scope.dimension !== 'total' ? scope.keys.map((_, i) => `\n    and ${KEY_COLUMNS[i]} = $k${i + 1}`).join('') : '';
  // the time filter first: DuckDB applies a scan's filters in the order written, and the dates are
  // the cheap, narrowing one (the names are strings)
  return [
    cte(
      'period_measures',
      `-- ${table}: the sums of the metric files, already made per ${bucket} (rollups.ts)
select *${source.kind === 'daily' ? ' exclude (anchor)' : ''}
from ${table}
where ${bucket} >= $from_${bucket}::date
    and ${bucket} < $to_${bucket}::date
    and dimension = $dimension${keys}`,
    ),
  ];
}

/** The sums of a set of rows: every measure combined its own way. */
function sumColumns(metrics?: ReadonlySet<string>): string[] {
  // the measures of metrics not asked for are 0, as a direct query gives them (their rows are null there)
  const asked = metrics ? new Set(metricFiles().filter((file) => metrics.has(file.key) || file.key === LATEST_DEADLINE).flatMap((file) => file.columns)) : null;
  return measures().map((m) => {
    if (asked && !asked.has(m.column)) return `cast(0 as ${m.type}) as ${m.column},`;
    return m.combine === 'max' ? `max(${m.column}) as ${m.column},` : `cast(coalesce(sum(${m.column}), 0) as ${m.type}) as ${m.column},`;
  });
}

/** SQL: rows that should carry an input lack it and none carries it (the export lacks the column). */
function lacksInput(metric: MetricDefinition): string | null {
  if (!metric.inputs.length) return null;
  return `(${metric.inputs.map((input) => `(${metric.key}_with_${input.column} = 0 and ${metric.key}_without_${input.column} > 0)`).join(' or ')})`;
}

/** Sums → values: the one place a rate becomes numerator / denominator, and a missing input null. */
function valueColumns(): { replace: string[]; add: string[] } {
  const replace: string[] = [];
  const add: string[] = [];
  for (const metric of METRICS) {
    const lacks = lacksInput(metric);
    if (metric.kind === 'count') {
      if (lacks) replace.push(`case when ${lacks} then null else ${metric.key} end as ${metric.key},`);
      continue;
    }
    const empty = [`${metric.key}_denominator = 0`, ...(lacks ? [lacks] : [])].join(' or ');
    add.push(`case when ${empty} then null else ${metric.key}_numerator / ${metric.key}_denominator end as ${metric.key},`);
  }
  for (const derived of DERIVED_COUNTS) {
    const lacks = derived.needsInputs ? lacksInput(metricDefinition(derived.of)!) : null;
    add.push(lacks ? `case when ${lacks} then null else ${derived.from} end as ${derived.key},` : `${derived.from} as ${derived.key},`);
  }
  return { replace, add };
}

/** `select` of the values over a `sums` CTE. */
function valuesSelect(extra: string[] = []): string {
  const { replace, add } = valueColumns();
  return `select\n  sums.*${replace.length ? ` replace (\n    ${replace.join('\n    ')}\n  )` : ''},\n  ${[...add, ...extra].join('\n  ')}\nfrom sums`;
}

function statement(ctes: string[], last: string): string {
  return `with\n${ctes.join(',\n\n')}\n\nselect * from ${last}`;
}

/**
 * The stored values of a scope's own row (its level, its keys) in the months `when` names: what
 * the values of the same months' sums are, made once by the rollup (monthlyValuesSql).
 */
function storedValues(scope: Scope, when: string, bucket?: string): string {
  const keys = scope.dimension === 'total' ? [] : scope.keys;
  return `-- ${MONTHLY_VALUES_TABLE}: each month's values, as the rollup made them (rollups.ts)
select ${bucket ? `${bucket}, ` : ''}* exclude (month, dimension, level, ${KEY_COLUMNS.join(', ')}, share)
from ${MONTHLY_VALUES_TABLE}
where ${when}
    and dimension = $dimension
    and level = ${keys.length}${keys.map((_, i) => `\n    and ${KEY_COLUMNS[i]} = $k${i + 1}`).join('')}`;
}

/** Every value of the period (one row). */
export function totalsSql(source: RowSource, scope: Scope = WHOLE_HOTLINE): string {
  const dimension: Dimension = scope.dimension === 'total' ? 'total' : scope.dimension;
  if (source.kind === 'values') return statement([cte('final', storedValues(scope, 'month = $from_month::date'))], 'final');
  return statement(
    [...periodMeasureCtes(dimension, source, scope), cte('sums', `select\n  ${sumColumns(source.metrics).join('\n  ')}\nfrom period_measures`), cte('final', valuesSelect())],
    'final',
  );
}

/** Every value per month (or day) of the period, for a scope: one row per bucket that has rows. */
export function seriesSql(source: RowSource, bucket: 'month' | 'day', scope: Scope = WHOLE_HOTLINE): string {
  const dimension: Dimension = scope.dimension === 'total' ? 'total' : scope.dimension;
  if (source.kind === 'values') {
    if (bucket !== 'month') throw new Error('stored values are per month');
    return statement([cte('final', storedValues(scope, 'month >= $from_month::date\n    and month < $to_month::date', `strftime(month, '%Y-%m') as bucket`))], 'final order by bucket');
  }
  return statement(
    [
      ...periodMeasureCtes(dimension, source, scope),
      cte('sums', `select\n  strftime(${bucket}, '${bucket === 'month' ? '%Y-%m' : '%Y-%m-%d'}') as bucket,\n  ${sumColumns(source.metrics).join('\n  ')}\nfrom period_measures\ngroup by bucket`),
      cte('final', valuesSelect()),
    ],
    'final order by bucket',
  );
}

export function breakdownCtes(dimension: BreakdownDimension, depth: number, source: RowSource): string[] {
  const keys = KEY_COLUMNS.slice(0, depth);
  if (source.kind === 'values') {
    // every level of the month's tree is stored: a shallower breakdown is its top levels
    return [
      cte(
        'breakdown',
        `-- ${MONTHLY_VALUES_TABLE}: the month's values at every level, as the rollup made them (rollups.ts)
select level, ${keys.map((k) => `${k}, `).join('')}* exclude (month, dimension, level, ${KEY_COLUMNS.join(', ')})
from ${MONTHLY_VALUES_TABLE}
where month = $from_month::date
    and dimension = $dimension
    and level <= ${depth}`,
      ),
    ];
  }
  const level = keys.map((k) => `(1 - grouping(${k}))`).join(' + ');
  return [
    ...periodMeasureCtes(dimension, source),
    cte('sums', `select\n  ${level} as level,\n  ${keys.map((k) => `${k},`).join('\n  ')}\n  ${sumColumns(source.metrics).join('\n  ')}\nfrom period_measures\ngroup by rollup (${keys.join(', ')})`),
    cte(
      'breakdown',
      valuesSelect([
        `case when max(received) filter (where level = 0) over () = 0 then null\n    else received / max(received) filter (where level = 0) over () end as share,`,
      ]),
    ),
  ];
}

export function breakdownSql(dimension: BreakdownDimension, depth: number, source: RowSource): string {
  return statement(breakdownCtes(dimension, depth, source), 'breakdown');
}

/** A query file's chain of CTEs without its closing `select * from final`, to continue another chain. */
export function cteChain(relativePath: string): string {
  const text = sqlFile(relativePath).trim();
  const opening = /^((?:\s*--[^\n]*\n)*)\s*with\s+/i;
  const closing = /\s*select\s+\*\s+from\s+final\s*;?\s*$/i;
  if (!opening.test(text) || !closing.test(text)) throw new Error(`queries/${relativePath}: expected a chain of CTEs ending in select * from final`);
  return text.replace(opening, '$1').replace(closing, '');
}

export function unitRankingSql(source: RowSource): string {
  return statement(
    [...breakdownCtes('unit', 1, source), cte('unit_kpis', 'select key1 as unit, * exclude (level, key1)\nfrom breakdown\nwhere level = 1'), cteChain('kpi/unit_ranking.sql')],
    'final',
  );
}

let rollupBuildCache: { sql: string; definition: string } | null = null;

/**
 * The query that builds the daily rollup's rows (day × dimension × keys × anchor), used by
 * refreshRollups, and a hash of it (with the monthly rollup's file) that tells whether a stored
 * rollup was built by these very definitions.
 */
export function rollupBuildSql(): { sql: string; definition: string } {
  if (!rollupBuildCache) {
    // ordered by dimension and day so that a month of one dimension is a few row groups to read
    const sql = `with\n${measureCtes({ grain: 'day', dimensions: 'all' }).join(',\n\n')}\n\nselect * from grouped_measures\norder by dimension, day`;
    const definition = createHash('sha256').update(sql).update(monthlyRollupSql()).update(monthlyValuesSql()).update(unitTicketsSql()).digest('hex').slice(0, 16);
    rollupBuildCache = { sql, definition };
  }
  return rollupBuildCache;
}

/** kpi_monthly from kpi_daily: the sums per month, anchors merged (queries/rollups/kpi_monthly.sql). */
export function monthlyRollupSql(): string {
  const text = sqlFile('rollups/kpi_monthly.sql');
  const marker = '-- <measures>';
  if (!text.includes(marker)) throw new Error(`queries/rollups/kpi_monthly.sql: expected the line "${marker}" where the measures go`);
  return text.replace(marker, sumColumns().join('\n    '));
}

/**
 * kpi_monthly_values from kpi_monthly: each month's values per dimension at every level of its
 * keys (the whole dimension, then 一级, 二级 … down to its last key), made by the same sums → values
 * SQL as a breakdown of that month — so a page asking for one month, or a series of months, reads
 * its rows as they are instead of summing and dividing again.
 */
export function monthlyValuesSql(): string {
  const level = KEY_COLUMNS.map((k) => `(1 - grouping(${k}))`).join(' + ');
  const depth = `case dimension\n    ${BREAKDOWN_DIMENSION_NAMES.map((d) => `when '${d}' then ${BREAKDOWN_DIMENSIONS[d].keys.length}`).join('\n    ')}\n    else 0\n  end`;
  return statement(
    [
      cte(
        'rolled_up',
        `select\n  month,\n  dimension,\n  ${level} as level,\n  ${KEY_COLUMNS.map((k) => `${k},`).join('\n  ')}\n  ${sumColumns().join('\n  ')}\nfrom ${MONTHLY_ROLLUP_TABLE}\ngroup by month, dimension, rollup (${KEY_COLUMNS.join(', ')})`,
      ),
      // a dimension's keys end at its depth: the levels below it would repeat the rows above
      cte('sums', `select *\nfrom rolled_up\nwhere level <= ${depth}`),
      cte(
        'final',
        valuesSelect([
          `case when max(received) filter (where level = 0) over (partition by month, dimension) = 0 then null\n    else received / max(received) filter (where level = 0) over (partition by month, dimension) end as share,`,
        ]),
      ),
    ],
    // a month of one dimension is a few neighbouring rows
    'final\norder by dimension, month, level, key1, key2, key3',
  );
}

/**
 * kpi_unit_tickets: every unit's overdue, returned and dissatisfied tickets of every month — the
 * rows of queries/tickets/unit_tickets.sql before one unit, kind and month are picked (bound with
 * $unit, $kind and $limit null).
 */
export function unitTicketsSql(): string {
  return `with ${cteChain('tickets/unit_tickets.sql')}\n\nselect * from unit_tickets`;
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

/** The KPIs' values have these keys; everything else in a values row is a sum. */
export const VALUE_KEYS: readonly string[] = [...KPI_METRICS.map((m) => m.key), ...DERIVED_COUNTS.map((d) => d.key)];
