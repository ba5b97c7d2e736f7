/**
 * The definitions in words, from the catalogue and the metric files: what the 指标定义 page, the
 * reports' appendix and docs/kpi-definitions.md (`hotline kpi --definitions`, checked by a test)
 * print. One source, so none of them can say something another does not.
 */
import { sqlFile } from '../warehouse.js';
import { DEFAULT_KPI_SETTINGS, DERIVED_COUNTS, INPUTS, KPI_METRICS, METRICS, metricDefinition, RANKING_WORDS, SUPPORTING_COUNTS, type KpiJsonKey, type KpiSettings, type MetricKind } from './catalogue.js';

export interface Definition {
  key: KpiJsonKey | string;
  name: string;
  kind: MetricKind;
  numerator: string;
  /** "—" for a count. */
  denominator: string;
  /** The inputs the export must carry, in words ("" when none). */
  inputs: string;
  /** When the month's value stops moving, in words. */
  settles: string;
  /** The SQL file that computes the number (relative to queries/). */
  file: string;
  /** That file's header comment, in its own words. */
  comment: string;
  sql: string;
}

const SETTLES = {
  month_end: '月末即定：只计本月内发生的事',
  deadlines: '办理时限全部到期后才定：月内转办工单仍有未到时限的，本月为“未满期”',
} as const;

const headerComment = (text: string) =>
  text
    .split(/\bwith\b/i)[0]
    .split('\n')
    .filter((line) => line.startsWith('--'))
    .map((line) => line.replace(/^--\s?/, ''))
    .join('\n');

/** Every KPI of the JSON, then the ranking's supporting counts, with their formulas in words. */
export function definitions(settings: KpiSettings = DEFAULT_KPI_SETTINGS): Definition[] {
  const of = (key: string, name: string, source: string, numerator: string, denominator: string): Definition => {
    const metric = metricDefinition(source)!;
    const file = `kpi/${source}.sql`;
    const sql = sqlFile(file);
    return {
      key,
      name,
      kind: key === source ? metric.kind : 'count',
      numerator,
      denominator,
      inputs: metric.inputs.map((i) => i.label).join('、'),
      settles: SETTLES[metric.settles],
      file,
      comment: headerComment(sql),
      sql,
    };
  };
  const metrics = METRICS.map((m) => of(m.key, m.name, m.key, m.numerator(settings), m.denominator ? m.denominator(settings) : '—'));
  const derived = DERIVED_COUNTS.map((d) => {
    const source = metricDefinition(d.of)!;
    const side = d.from.endsWith('_numerator') ? source.numerator(settings) : source.denominator!(settings);
    return of(d.key, d.name, d.of, `${source.name}的${d.from.endsWith('_numerator') ? '分子' : '分母'}：${side}`, '—');
  });
  const order = [...KPI_METRICS.map((m) => m.key), ...DERIVED_COUNTS.map((d) => d.key), ...SUPPORTING_COUNTS.map((m) => m.key)] as string[];
  return [...metrics, ...derived].sort((a, b) => order.indexOf(a.key) - order.indexOf(b.key));
}

/** The rules every number follows, in words. */
export function conventions(): string[] {
  return [
    '时间一律为北京时间。“本月”指 [本月 1 日 0 时, 下月 1 日 0 时)；按日期查询（--from/--to）时含首尾两日。',
    '计入的工单：已撤销的工单不计入任何数字；没有区县的工单归入“未知区县”、没有乡镇街道的归入“未知乡镇街道”、没有一级分类的归入“未分类”——它们是各自独立的一项，不会变成“全辖区”的第二份。',
    '比率 = 分子 ÷ 分母，在 0 到 1 之间，以百分比显示并保留 2 位小数；分母为 0 时显示“—”（JSON 中为 null），从不显示为 0 或 100%。',
    `缺失即缺失：指标所需的字段（输入）由导出文件提供。本应带有该字段的记录（见各指标的“所需字段”）缺少它、而本期没有任何一条记录带有它时，说明导出文件没有这一列：该指标显示“—”（JSON 中为 null），并附一行说明，如“本月工单无办结时间，办结率无法计算”，从不显示为 0。各字段“本应带有”的记录：${Object.values(INPUTS)
      .map((i) => `${i.label}——${i.expectedOn}`)
      .join('；')}。本期有工单而没有一条话务记录时，话务导出未导入：呼入量、接通量、接通率与 15 秒接通率同样显示“—”并注明“本月无话务记录”，不显示为 0；本期有办结的转办工单而没有一条回访结果（或是否解决）时，满意率（或解决率）的“—”也注明原因；本期有工单而没有一条留有联系电话时，重复诉求率同样注明。`,
    '未满期：办结率、按时办结率、按期签收率、退单率、回访率、平均办理时长与办结量要等转办工单的办理时限到期后才不再变化。某月转办工单中最晚的办理时限（最多算到月末后 60 天）晚于数据截至时间（仓库中最新的一条记录时间）时，这些指标在该月标为“未满期”。',
    '环比与上一个月比较，同比与上一年同月（按日期查询时为前一个月、上一年的同样日期）比较。件数和平均时长的变化以百分比（%）表示，比率的变化以百分点（个百分点）表示，二者从不混用。',
    '同龄比较：未满期月份的上述指标，环比、同比的基期取其“同样年龄”时的数值——上月（或去年同月）在其结束后同样长的时间点上的数值，由各时间字段还原（在那之后才发生的派单、签收、办结、回访一律视为尚未发生）。退单次数没有时间记录，无法还原，未满期月份的退单率不作比较并注明原因。',
    '数据起始之前：一个时期若在仓库最早一件工单的受理时间之前就已结束，说明没有任何导出覆盖它，它的各项指标都是“无数据”（JSON 中为 null），而不是受理量 0 件；与它的环比、同比不作比较，并只注明一次（如“上月（2024-05）早于数据的起始日（2024-06-01），不作比较”）。趋势图和迷你图在这些月份留空，每日受理量从数据的第一天画起。',
    '不作比较的情形：基期的数据量不足本期的五分之一（本期至少 100 件时），或基期某一所需字段的覆盖率不到本期的一半时，该项环比 / 同比不显示数值，而写明原因（如“上月仅 8 件，不足本月（3,990 件）的五分之一，数据可能不完整，不作比较”）。',
    '数据截至时间：仓库中最新的一条记录时间（工单的最新活动时间）；超期件数也以它为“现在”判断，同样的数据永远得到同样的数字。',
  ];
}

/** The unit ranking's figures and rules, in words. */
export function rankingDefinitions(settings: KpiSettings = DEFAULT_KPI_SETTINGS): [string, string][] {
  return RANKING_WORDS(settings);
}

/** docs/kpi-definitions.md: every definition in words, generated (`hotline kpi --definitions`). */
export function definitionsMarkdown(settings: KpiSettings = DEFAULT_KPI_SETTINGS): string {
  const kind = { count: '件数', rate: '比率', mean: '平均值' } as const;
  const cell = (text: string) => text.replaceAll('|', '\\|').replaceAll('\n', ' ');
  const rows = definitions(settings).map(
    (d) => `| \`${d.key}\` | ${d.name} | ${kind[d.kind]} | ${cell(d.numerator)} | ${cell(d.denominator)} | ${d.inputs || '—'} | ${d.settles.split('：')[0]} | \`queries/${d.file}\` |`,
  );
  return [
    '# 指标定义 · KPI definitions',
    '',
    '<!-- Generated by `npx hotline kpi --definitions` from pipelines/kpi/catalogue.ts and the metric files; a test keeps this file equal to that output. Do not edit by hand. -->',
    '',
    'Hotline Pulse 的每个数字都按本文的口径计算，且只在一个 SQL 文件里定义（`queries/kpi/` 下每个指标一个文件，',
    '计入哪些工单由 `queries/staging/stg_tickets.sql` 一处决定）。看板的“指标定义”页、月报与专报的附录和',
    '`hotline kpi` 打印的都是同一份定义。下表中的设置项为默认值，可在 `hotline.config.json` 的 `kpi` 中修改。',
    '',
    '## 通用约定',
    '',
    ...conventions().map((c) => `- ${c}`),
    '',
    '## 指标',
    '',
    '| 键 | 名称 | 类型 | 分子（件数为“口径”） | 分母 | 所需字段 | 何时确定 | SQL |',
    '|---|---|---|---|---|---|---|---|',
    ...rows,
    '',
    '“何时确定”：月末即定——只计本月内发生的事，月末后不再变化；办理时限全部到期后才定——月内转办工单仍有未到时限的，该月为“未满期”（见通用约定）。',
    '',
    '## 承办单位“三率”考评',
    '',
    ...rankingDefinitions(settings).map(([name, text]) => `- **${name}**：${text}`),
    '',
    '## `hotline kpi --month YYYY-MM --json`',
    '',
    `一个 JSON 对象：\`{"month": "YYYY-MM", ${[...KPI_METRICS.map((m) => m.key), ...DERIVED_COUNTS.map((d) => d.key)].map((k) => `"${k}": …`).join(', ')}}\`，`,
    '按日期查询时以 `"from"`、`"to"` 代替 `"month"`。每个值是数字，或 null（无法计算：分母为 0，或导出文件缺少所需字段）。',
    '`--compare` 另加 `comparisons`：上月与去年同月的数值、环比与同比（件数 `_pct`，比率 `_pp`），以及 `notes`（同龄比较、不作比较的原因）。',
    '',
  ].join('\n');
}
