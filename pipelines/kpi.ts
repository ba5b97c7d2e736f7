/**
 * The official KPIs: the public face of pipelines/kpi/ (see ARCHITECTURE.md, "KPIs").
 *   period.ts      Beijing-time periods and their arithmetic
 *   catalogue.ts   every metric: name, kind, formula in words, inputs, how it settles
 *   compile.ts     the metric files (queries/kpi/*.sql) → SQL for every path
 *   freshness.ts   whether the rollup answers exactly as the tickets would
 *   session.ts     one request's view: freshness and as-of read once, rollup or tickets per period
 *   totals.ts      a period's KPIs, missing inputs, young months, 环比 / 同比
 *   breakdowns.ts  per dimension, top and rising categories
 *   ranking.ts     承办单位“三率”考评
 *   definitions.ts the definitions in words (docs, the 指标定义 page, the reports' appendix)
 */
export * from './kpi/period.js';
export * from './kpi/catalogue.js';
export { bindParams, MONTHLY_ROLLUP_TABLE, ROLLUP_STATE_TABLE, ROLLUP_TABLE, settingParams, topicFilter, WHOLE_HOTLINE, SCOPE_COLUMNS, type Scope, type TicketFilter } from './kpi/compile.js';
export * from './kpi/freshness.js';
export * from './kpi/session.js';
export * from './kpi/totals.js';
export * from './kpi/breakdowns.js';
export * from './kpi/ranking.js';
export * from './kpi/definitions.js';
