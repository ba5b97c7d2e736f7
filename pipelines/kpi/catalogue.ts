/**
 * The metric catalogue: every official KPI (and the few counts shown beside them) with its name, its
 * kind, its formula in words, the export columns it needs, and how it settles after its month. The
 * SQL of each is one file under queries/kpi/ (compile.ts checks that the file and this entry agree);
 * the words here are what the 指标定义 page, the reports' appendix and docs/kpi-definitions.md print
 * (definitions.ts), so none of them can drift from another.
 */
import type { Config } from '../config.js';

/** The KPI settings of hotline.config.json (`kpi`): the few definitions cities set differently. */
export type KpiSettings = Config['kpi'];

export const DEFAULT_KPI_SETTINGS: KpiSettings = Object.freeze({
  signLimitHours: 2,
  basicallySatisfiedCounts: true,
  minTicketsForRanking: 10,
  rankingWeights: Object.freeze({ response: 0.3, resolution: 0.35, satisfaction: 0.35 }),
});

export type MetricKind = 'count' | 'rate' | 'mean';

/**
 * An export column a metric needs. `expectedOn` names the rows that should carry it: when some of
 * them lack it and no row of the period carries it at all, the export does not have the column and
 * the metric is null, never 0 (a dispatched ticket still open has no completion time, so that alone
 * never makes 办结率 missing). `of` names the rows in a note: 工单 / 来电.
 */
export interface MetricInput {
  column: string;
  label: string;
  of: '工单' | '来电';
  expectedOn: string;
}

export const INPUTS = {
  completed_at: { column: 'completed_at', label: '办结时间', of: '工单', expectedOn: '状态为已办结或待回访、或已回访的转办工单' },
  deadline_at: { column: 'deadline_at', label: '办理时限', of: '工单', expectedOn: '每张转办工单' },
  signed_at: { column: 'signed_at', label: '签收时间', of: '工单', expectedOn: '状态为办理中、已办结或待回访，或已有办结时间的转办工单' },
  dispatched_at: { column: 'dispatched_at', label: '派单时间', of: '工单', expectedOn: '每张转办工单' },
  returned_count: { column: 'returned_count', label: '退单次数', of: '工单', expectedOn: '每张转办工单（未退单为 0）' },
  callback_at: { column: 'callback_at', label: '回访时间', of: '工单', expectedOn: '办结的转办工单（转办工单办结后回访）' },
  is_enterprise: { column: 'is_enterprise', label: '是否涉企', of: '工单', expectedOn: '每张工单' },
  handling: { column: 'handling', label: '办理方式', of: '工单', expectedOn: '每张工单（导出没有办理方式时，映射方案给的固定值不算）' },
  answered_at: { column: 'answered_at', label: '应答时间', of: '来电', expectedOn: '有话务员工号的来电' },
} as const satisfies Record<string, MetricInput>;

/**
 * When a month's figure stops changing: at the month's end (everything it counts happened inside
 * the month), or only once the deadlines of the month's dispatched tickets have passed (it counts
 * completions, signatures, returns or callbacks that come later).
 */
export type Settling = 'month_end' | 'deadlines';

export interface MetricDefinition {
  key: string;
  name: string;
  kind: MetricKind;
  /** What is counted (a count), or the numerator (a rate, a mean's sum), in words; M = the period. */
  numerator: (settings: KpiSettings) => string;
  /** The denominator in words; null for a count. */
  denominator: ((settings: KpiSettings) => string) | null;
  /** Columns the export must carry (see MetricInput): without one, the value is null. */
  inputs: readonly MetricInput[];
  settles: Settling;
  /**
   * Whether the value can be recomputed as it stood at an earlier moment from the timestamps
   * (a like-with-like comparison of young months). 退单次数 has no time of its own, so not 退单率.
   */
  asOf: boolean;
  /** Which way is better news (null: a volume, neither). */
  better: 'higher' | 'lower' | null;
}

const received = '受理时间在本期内的工单（已撤销的不计，下同）';
const dispatched = '本期受理且办理方式为“转办”的工单';

/** The KPIs, in the order of the `hotline kpi` JSON. */
export const KPI_METRICS = [
  {
    key: 'received',
    name: '受理量',
    kind: 'count',
    numerator: () => received,
    denominator: null,
    inputs: [],
    settles: 'month_end',
    asOf: true,
    better: null,
  },
  {
    key: 'dispatched',
    name: '转办量',
    kind: 'count',
    numerator: () => dispatched,
    denominator: null,
    inputs: [],
    settles: 'month_end',
    asOf: true,
    better: null,
  },
  {
    key: 'direct_answer_rate',
    name: '直接答复率',
    kind: 'rate',
    numerator: () => '本期受理且办理方式为“直接答复”的工单',
    denominator: () => '本期受理的工单',
    inputs: [INPUTS.handling],
    settles: 'month_end',
    asOf: true,
    better: 'higher',
  },
  {
    key: 'completion_rate',
    name: '办结率',
    kind: 'rate',
    numerator: () => '本期受理且已办结的工单：有办结时间，或为直接答复（直接答复件没有办结时间时以受理时间为办结）',
    denominator: () => '本期受理的工单',
    inputs: [INPUTS.completed_at],
    settles: 'deadlines',
    asOf: true,
    better: 'higher',
  },
  {
    key: 'ontime_completion_rate',
    name: '按时办结率',
    kind: 'rate',
    numerator: () => '本期转办且办结时间不晚于办理时限的工单（未办结或没有时限的不算按时）',
    denominator: () => '本期转办的工单',
    inputs: [INPUTS.deadline_at, INPUTS.completed_at],
    settles: 'deadlines',
    asOf: true,
    better: 'higher',
  },
  {
    key: 'ontime_sign_rate',
    name: '按期签收率',
    kind: 'rate',
    numerator: (s) => `本期转办且签收时间不晚于派单时间 + ${s.signLimitHours} 小时（设置 kpi.signLimitHours）的工单（未签收的不算按期）`,
    denominator: () => '本期转办的工单',
    inputs: [INPUTS.signed_at, INPUTS.dispatched_at],
    settles: 'deadlines',
    asOf: true,
    better: 'higher',
  },
  {
    key: 'return_rate',
    name: '退单率',
    kind: 'rate',
    numerator: () => '本期转办且退单次数大于 0 的工单',
    denominator: () => '本期转办的工单',
    inputs: [INPUTS.returned_count],
    settles: 'deadlines',
    asOf: false,
    better: 'lower',
  },
  {
    key: 'satisfaction_rate',
    name: '满意率',
    kind: 'rate',
    numerator: (s) =>
      `回访时间在本期内（不论受理时间）、回访结果为“满意”${s.basicallySatisfiedCounts ? '或“基本满意”' : '（“基本满意”不计入，设置 kpi.basicallySatisfiedCounts）'}的工单`,
    denominator: () => '回访时间在本期内、回访结果为满意 / 基本满意 / 不满意的工单（未评价与空白不计）',
    inputs: [],
    settles: 'month_end',
    asOf: true,
    better: 'higher',
  },
  {
    key: 'callback_rate',
    name: '回访率',
    kind: 'rate',
    numerator: () => '办结时间在本期内的转办工单（不论受理时间）中有回访时间的',
    denominator: () => '办结时间在本期内的转办工单',
    inputs: [INPUTS.callback_at],
    settles: 'deadlines',
    asOf: true,
    better: 'higher',
  },
  {
    key: 'resolution_rate',
    name: '解决率',
    kind: 'rate',
    numerator: () => '回访时间在本期内且“是否解决”为“已解决”的工单',
    denominator: () => '回访时间在本期内且“是否解决”不为空的工单',
    inputs: [],
    settles: 'month_end',
    asOf: true,
    better: 'higher',
  },
  {
    key: 'connection_rate',
    name: '接通率',
    kind: 'rate',
    numerator: () => '来电时间在本期内、不是仅自助语音、已应答的来电',
    denominator: () => '来电时间在本期内、不是仅自助语音的来电',
    inputs: [INPUTS.answered_at],
    settles: 'month_end',
    asOf: true,
    better: 'higher',
  },
  {
    key: 'answered_within_15s_rate',
    name: '15秒接通率',
    kind: 'rate',
    numerator: () => '本期已应答来电中应答时间 − 来电时间 ≤ 15 秒的',
    denominator: () => '本期已应答的来电（不是仅自助语音）',
    inputs: [],
    settles: 'month_end',
    asOf: true,
    better: 'higher',
  },
  {
    key: 'repeat_rate',
    name: '重复诉求率',
    kind: 'rate',
    numerator: () => '本期受理且留有电话的工单中，同一号码（加密哈希）在此前 30 天内有同一二级分类（无二级分类时按一级）另一张工单的',
    denominator: () => '本期受理且留有电话的工单',
    inputs: [],
    settles: 'month_end',
    asOf: true,
    better: 'lower',
  },
  {
    key: 'avg_handling_hours',
    name: '平均办理时长',
    kind: 'mean',
    numerator: () => '本期转办且已办结工单的（办结时间 − 派单时间）小时数之和',
    denominator: () => '这些工单的件数（结果为平均小时数）',
    inputs: [],
    settles: 'deadlines',
    asOf: true,
    better: 'lower',
  },
  {
    key: 'enterprise',
    name: '涉企诉求量',
    kind: 'count',
    numerator: () => '本期受理且“是否涉企”为是的工单',
    denominator: null,
    inputs: [INPUTS.is_enterprise],
    settles: 'month_end',
    asOf: true,
    better: null,
  },
] as const satisfies readonly MetricDefinition[];

/** Counts that are another metric's numerator or denominator: a second name, never a second definition. */
export const DERIVED_COUNTS = [
  { key: 'calls_offered', name: '呼入量', from: 'connection_rate_denominator', of: 'connection_rate', needsInputs: false },
  { key: 'calls_answered', name: '接通量', from: 'connection_rate_numerator', of: 'connection_rate', needsInputs: true },
  { key: 'completed', name: '办结量', from: 'completion_rate_numerator', of: 'completion_rate', needsInputs: true },
] as const;

/** Figures the unit ranking shows beside the KPIs (not part of the KPI JSON). */
export const SUPPORTING_COUNTS = [
  {
    key: 'overdue',
    name: '超期件数',
    kind: 'count',
    numerator: () => '本期转办、有办理时限且已超期的工单：办结晚于时限，或至数据截至时间仍未办结而时限已过',
    denominator: null,
    inputs: [INPUTS.deadline_at],
    settles: 'deadlines',
    asOf: true,
    better: 'lower',
  },
  {
    key: 'returns',
    name: '退单次数',
    kind: 'count',
    numerator: () => '本期转办工单的退单次数之和（一张工单可退多次）',
    denominator: null,
    inputs: [INPUTS.returned_count],
    settles: 'deadlines',
    asOf: false,
    better: 'lower',
  },
] as const satisfies readonly MetricDefinition[];

export type KpiKey = (typeof KPI_METRICS)[number]['key'];
export type DerivedKey = (typeof DERIVED_COUNTS)[number]['key'];
export type KpiJsonKey = KpiKey | DerivedKey;
/** Every key of the KPI JSON after "month" (or "from"/"to"), in order. */
export const KPI_JSON_KEYS: readonly KpiJsonKey[] = [...KPI_METRICS.map((m) => m.key), ...DERIVED_COUNTS.map((d) => d.key)];

/** A KPI's value: a number, or null when it cannot be computed (no denominator, or no input). */
export type KpiValues = { [K in KpiJsonKey]: number | null };

/** Every metric with a SQL file of its own: the KPIs and the supporting counts. */
export const METRICS: readonly MetricDefinition[] = [...KPI_METRICS, ...SUPPORTING_COUNTS];

export function metricDefinition(key: string): MetricDefinition | undefined {
  return METRICS.find((m) => m.key === key);
}

/** The metric whose coverage and settling a KPI JSON key follows (a derived count follows its source). */
export function governingMetric(key: KpiJsonKey): MetricDefinition {
  const derived = DERIVED_COUNTS.find((d) => d.key === key);
  return metricDefinition(derived ? derived.of : key)!;
}

export function metricKind(key: KpiJsonKey): MetricKind {
  return KPI_METRICS.find((m) => m.key === key)?.kind ?? 'count';
}

export function metricName(key: string): string {
  return METRICS.find((m) => m.key === key)?.name ?? DERIVED_COUNTS.find((m) => m.key === key)?.name ?? key;
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

export interface DimensionDefinition {
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
export type Dimension = BreakdownDimension | 'total';

export function dimensionDefinition(dimension: Dimension): DimensionDefinition {
  return dimension === 'total' ? { label: '合计', keys: [], calls: true } : BREAKDOWN_DIMENSIONS[dimension];
}

export function isBreakdownDimension(name: string): name is BreakdownDimension {
  return (BREAKDOWN_DIMENSION_NAMES as string[]).includes(name);
}

/** The unit ranking's figures in words (the scores are unit_ranking.sql). */
export const RANKING_WORDS = (s: KpiSettings): [string, string][] => [
  ['响应率', '该单位的按期签收率'],
  ['解决率', '该单位的解决率；本期没有回访说明是否解决时，改用该单位的按时办结率（标 *）'],
  ['满意率', '该单位的满意率'],
  [
    '综合得分',
    `${s.rankingWeights.response} × 响应率 + ${s.rankingWeights.resolution} × 解决率 + ${s.rankingWeights.satisfaction} × 满意率（权重为设置 kpi.rankingWeights），以百分制显示，保留 2 位小数`,
  ],
  [
    '排名',
    `本期转办给该单位的工单不少于 ${s.minTicketsForRanking} 件（设置 kpi.minTicketsForRanking）且三项比率齐全的单位，只在同一单位类别内排名；` +
      '综合得分高者在前；同分时转办量多者在前；得分与转办量都相同的单位名次相同，按单位名称（字符编码）先后列出。其余单位列出但不排名，并写明原因。“全部类别”视图分类别显示各自的名次，不把不同类别的名次混在一列',
  ],
];

/**
 * What staging calls a ticket without a district or a township (queries/staging/stg_tickets.sql):
 * a value of its own in every breakdown, never a place to rank or to send anyone to.
 */
export const UNKNOWN_DISTRICT = '未知区县';
export const UNKNOWN_TOWNSHIP = '未知乡镇街道';
/** Staging's first-level category of a ticket with none (and no suggestion from the text model). */
export const UNCATEGORISED = '未分类';

/** A district or township name that names no place: missing, or staging's 未知区县 / 未知乡镇街道. */
export function isUnknownPlace(name: string | null | undefined): boolean {
  return !name || name === UNKNOWN_DISTRICT || name === UNKNOWN_TOWNSHIP;
}
