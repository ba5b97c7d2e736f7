/**
 * The definitions page: every KPI's name and key from pipelines/kpi.ts, the formula in words
 * (kpi-definitions.md, the contract the numbers meet) and the header comment and text of the one SQL
 * file that computes it. Every number on the dashboard links here (`/definitions#<key>`).
 */
import { DERIVED_COUNTS, KPI_METRICS, metricKind, metricName, type KpiJsonKey } from '../pipelines/kpi.js';
import { sqlFile } from '../pipelines/warehouse.js';

/** Numerator and denominator in words, as kpi-definitions.md states them ("—" for a plain count). */
export const FORMULAS: Record<KpiJsonKey, { numerator: string; denominator: string }> = {
  received: { numerator: '受理时间在本月的工单（已撤销除外）', denominator: '—' },
  dispatched: { numerator: '本月受理且办理方式为“转办”的工单', denominator: '—' },
  direct_answer_rate: { numerator: '本月受理且办理方式为“直接答复”的工单', denominator: '本月受理的工单' },
  completion_rate: { numerator: '本月受理且已办结的工单（有办结时间；直接答复件无办结时间时以受理时间为办结）', denominator: '本月受理的工单' },
  ontime_completion_rate: { numerator: '本月转办且办结时间不晚于办理时限的工单', denominator: '本月转办的工单' },
  ontime_sign_rate: { numerator: '本月转办且签收时间不晚于派单时间 + 签收时限（设置 signLimitHours，默认 2 小时）的工单', denominator: '本月转办的工单' },
  return_rate: { numerator: '本月转办且退单次数 > 0 的工单', denominator: '本月转办的工单' },
  satisfaction_rate: {
    numerator: '回访时间在本月、回访结果为“满意”或“基本满意”（设置 basicallySatisfiedCounts，默认计入）的工单',
    denominator: '回访时间在本月、回访结果为满意 / 基本满意 / 不满意的工单',
  },
  callback_rate: { numerator: '本月办结的转办工单（任意受理月份）中已回访的', denominator: '本月办结的转办工单' },
  resolution_rate: { numerator: '回访时间在本月且“是否解决”为已解决的工单', denominator: '回访时间在本月且“是否解决”不为空的工单' },
  connection_rate: { numerator: '本月来电中（不含仅自助语音）已应答的', denominator: '本月来电（不含仅自助语音）' },
  answered_within_15s_rate: { numerator: '本月已应答来电中应答时间 − 来电时间 ≤ 15 秒的', denominator: '本月已应答来电（不含仅自助语音）' },
  repeat_rate: {
    numerator: '本月受理、有电话号码，且同一号码在此前 30 天内有同一二级分类（无二级分类时按一级分类）另一张工单的',
    denominator: '本月受理且有电话号码的工单',
  },
  avg_handling_hours: { numerator: '办结时间 − 派单时间（小时）之和', denominator: '本月转办且已办结的工单数（即平均值）' },
  enterprise: { numerator: '本月受理且“是否涉企”为是的工单', denominator: '—' },
  calls_offered: { numerator: '接通率的分母：本月来电（不含仅自助语音）', denominator: '—' },
  calls_answered: { numerator: '接通率的分子：本月已应答来电', denominator: '—' },
  completed: { numerator: '办结率的分子：本月受理且已办结的工单', denominator: '—' },
};

export interface Definition {
  key: KpiJsonKey;
  name: string;
  kind: 'count' | 'rate' | 'mean';
  numerator: string;
  denominator: string;
  /** The SQL file that computes the number (relative to queries/). */
  file: string;
  /** That file's header comment, in its own words. */
  comment: string;
  sql: string;
}

let cache: Definition[] | null = null;

/** Every KPI of kpi.ts with its formula, in the order of kpi-definitions.md. */
export function definitions(): Definition[] {
  if (cache) return cache;
  const headerComment = (text: string) =>
    text
      .split('\n')
      .filter((line) => line.startsWith('--'))
      .map((line) => line.replace(/^--\s?/, ''))
      .join('\n');
  const metrics = KPI_METRICS.map((m) => {
    const file = `kpi/${m.key}.sql`;
    const sql = sqlFile(file);
    return { key: m.key, name: m.name, kind: m.kind, ...FORMULAS[m.key], file, comment: headerComment(sql.split(/\bwith\b/i)[0]), sql };
  });
  const derived = DERIVED_COUNTS.map((d) => {
    const source = d.from.replace(/_(numerator|denominator)$/, '');
    const file = `kpi/${source}.sql`;
    const sql = sqlFile(file);
    return { key: d.key, name: metricName(d.key), kind: metricKind(d.key), ...FORMULAS[d.key], file, comment: headerComment(sql.split(/\bwith\b/i)[0]), sql };
  });
  cache = [...metrics, ...derived];
  return cache;
}

/** The unit ranking's figures and the conventions, in words (kpi-definitions.md). */
export const RANKING_TEXT = [
  ['响应率', '该单位的按期签收率'],
  ['解决率', '该单位的解决率；没有回访说明是否解决时，改用按时办结率'],
  ['满意率', '该单位的满意率'],
  ['综合得分', '0.30 × 响应率 + 0.35 × 解决率 + 0.35 × 满意率（权重可在设置 kpi.rankingWeights 中调整）'],
  ['排名', '本月转办给该单位的工单不少于 minTicketsForRanking（默认 10）件的单位，在同一单位类别内按综合得分排名，得分相同时件数多者在前；不足者列出但不排名'],
] as const;

export const CONVENTIONS = [
  '时间一律为北京时间；“本月”指 [本月 1 日 0 时, 下月 1 日 0 时)。',
  '已撤销的工单不计入任何指标。',
  '比率的分母为 0 时显示“—”，而不是 0 或 100%。页面上的比率保留 2 位小数。',
  '环比：与上一个月比较；同比：与上一年同月比较。件数（量）的变化以百分比（%）表示，比率的变化以百分点（个百分点）表示，二者从不混用。',
] as const;
