import { incidentLines, type IncidentLine } from '../pipelines/incidents.js';
import { chinesePart } from '../pipelines/cli-error.js';
import type { Config } from '../pipelines/config.js';
import {
  breakdown,
  conventions,
  definitions,
  KPI_JSON_KEYS,
  kpiJson,
  kpiWithComparisons,
  KpiSession,
  metricKind,
  metricName,
  monthPeriod,
  periodLabel,
  readerOf,
  categoryRises,
  shiftPeriod,
  UNCATEGORISED,
  unitRanking,
  type BreakdownReport,
  type CategoryRiser,
  type KpiComparisonReport,
  type KpiJsonKey,
  type KpiSettings,
  type UnitRankingRow,
} from '../pipelines/kpi.js';
import { missingOutlookReason, seasonalOutlook, type SeasonalOutlook } from '../pipelines/outlook.js';
import { sqlFile, type Warehouse } from '../pipelines/warehouse.js';
import { channelMixOption, expectedText, rankedBarOption } from './charts/dashboard-options.js';
import { unitScoreDistributionOption } from './charts/ranking-options.js';
import { dailyVolumeOption } from './charts/options.js';
import { districtPicture, oneDistrictText, reportRegion, type MapConfig } from './maps.js';
import type { RegionMap } from './charts/map-options.js';
import { CHART_WIDTH, numberFigures, renderHtml, type Block, type ReportDocument, type Section } from './document.js';
import {
  caseText,
  daySpanWords,
  countText,
  foldNotes,
  hoursText,
  monthWords,
  pctChangeText,
  riseFigure,
  riseText,
  pctChangeWords,
  ppChangeText,
  ppChangeWords,
  rateText,
  rateWords,
  shareText,
  topTownshipsText,
  whereText,
} from './format.js';

/**
 * The monthly report (月报). Every KPI number comes from kpi.ts (the same functions as `hotline kpi`,
 * `hotline breakdown` and `hotline ranking`); the month's alert incidents from pipelines/incidents.ts;
 * only the daily trend and the typical cases are read by queries/reports/*.sql. The data model is built first; the
 * narrative, the HTML and the DOCX are all written from it.
 */

export interface KpiLine {
  key: KpiJsonKey;
  name: string;
  kind: 'count' | 'rate' | 'mean';
  value: number | null;
  previous_month: number | null;
  same_month_last_year: number | null;
  /** 环比: percent for counts and means, percentage points for rates. */
  mom: number | null;
  /** 同比: percent for counts and means, percentage points for rates. */
  yoy: number | null;
  measure: 'pct' | 'pp';
  /** Why the KPI cannot be computed from this export (the value is null), or null. */
  missing: string | null;
  /** Still moving: some of the month's dispatched tickets are not yet due (未满期). */
  young: boolean;
  /** Why 环比 / 同比 is not given, when it is withheld. */
  mom_withheld: string | null;
  yoy_withheld: string | null;
  /** The bases are the earlier periods at the same age (a young month). */
  same_age: boolean;
}

export interface NamedShare {
  name: string;
  received: number;
  share: number | null;
}

export interface TreeShare extends NamedShare {
  children: NamedShare[];
}

/** An alert incident of the month as the report lists it (bursts included). */
export type { IncidentLine };

export interface TypicalCase {
  ticket_id: string;
  received_at: string;
  category_l1: string;
  category: string;
  district: string | null;
  township: string | null;
  /** Masked and cut; plain text (escaped when rendered). */
  content: string;
  unit: string | null;
  /** 转办 / 直接答复 (a case without a unit was answered by the hotline only when 直接答复). */
  handling: string | null;
  status: string;
  satisfaction: string | null;
  resolved: string | null;
}

export interface MonthlyReportData {
  kind: 'monthly';
  month: string;
  previousMonth: string;
  sameMonthLastYear: string;
  /** The newest activity in the warehouse when the report was built: the inputs' time stamp. */
  dataAsOf: string | null;
  settings: KpiSettings;
  /** Nothing received in the month: the report says so. */
  empty: boolean;
  /** Exactly what `hotline kpi --month M --json` prints. */
  kpiJson: Record<string, string | number | null>;
  kpis: KpiLine[];
  /** One line per rule the comparison applied and per KPI that cannot be computed. */
  notes: string[];
  daily: { date: string; count: number }[];
  channels: NamedShare[];
  appealTypes: NamedShare[];
  categories: TreeShare[];
  risers: CategoryRiser[];
  /** Why no risers are told (a month before with far less data), or null. */
  risersWithheld: string | null;
  districts: TreeShare[];
  ranking: { ranked: number; /** Units with dispatched tickets this month (ranked or not). */ listed: number; red: UnitRankingRow[]; black: UnitRankingRow[]; scores: Pick<UnitRankingRow, 'unit_kind' | 'composite_score'>[] };
  alerts: IncidentLine[];
  outlook: SeasonalOutlook[];
  /** Why there is no outlook (the Chinese words of missingOutlookReason); null when there is one. */
  outlookMissing: string | null;
  cases: TypicalCase[];
  headline: string;
}

export interface MonthlyReport {
  data: MonthlyReportData;
  document: ReportDocument;
  html: string;
}

const TOP_CATEGORIES = 8;
const TOP_SUBCATEGORIES = 5;
const LIST_SIZE = 5;

function lines(comparison: KpiComparisonReport): KpiLine[] {
  const { changes, current } = comparison;
  return KPI_JSON_KEYS.map((key) => {
    const change = changes[key];
    const base = {
      key,
      name: metricName(key),
      kind: metricKind(key),
      value: change.value,
      previous_month: change.previous_month,
      same_month_last_year: change.same_month_last_year,
      missing: current.missing[key] ?? null,
      young: current.maturity.young.includes(key),
      mom_withheld: change.mom_withheld ?? null,
      yoy_withheld: change.yoy_withheld ?? null,
      same_age: !!change.same_age,
    };
    return change.measure === 'pp'
      ? { ...base, measure: 'pp' as const, mom: change.mom_pp, yoy: change.yoy_pp }
      : { ...base, measure: 'pct' as const, mom: change.mom_pct, yoy: change.yoy_pct };
  });
}

/** The name a breakdown gives a group without a value (a ticket without a second-level category). */
const UNFILLED = '未填';

function flat(report: BreakdownReport, key: string): NamedShare[] {
  return report.rows.filter((r) => r.level === 1).map((r) => ({ name: r.keys[key] ?? UNFILLED, received: r.values.received ?? 0, share: r.share }));
}

function tree(report: BreakdownReport, key1: string, key2: string): TreeShare[] {
  const parents = report.rows.filter((r) => r.level === 1);
  return parents.map((p) => ({
    name: p.keys[key1] ?? UNFILLED,
    received: p.values.received ?? 0,
    share: p.share,
    children: report.rows
      .filter((r) => r.level === 2 && r.keys[key1] === p.keys[key1])
      .map((r) => ({ name: r.keys[key2] ?? UNFILLED, received: r.values.received ?? 0, share: r.share })),
  }));
}

/** The first day of every day of the month, with 0 where nothing was received. */
function fillDays(month: string, rows: { day: string; received: number }[], start: string | null): { date: string; count: number }[] {
  const counts = new Map(rows.map((r) => [r.day, Number(r.received)]));
  const period = monthPeriod(month);
  const days: { date: string; count: number }[] = [];
  for (let t = Date.parse(`${period.from.slice(0, 10)}T00:00:00Z`); t < Date.parse(`${period.to.slice(0, 10)}T00:00:00Z`); t += 86_400_000) {
    const date = new Date(t).toISOString().slice(0, 10);
    // (the days before the data's first ticket were never exported: not 0 件)
    if (start === null || date >= start.slice(0, 10)) days.push({ date, count: counts.get(date) ?? 0 });
  }
  return days;
}

/** The sorted ranked units: best composite score first, ties on volume. */
function rankedUnits(rows: UnitRankingRow[]): UnitRankingRow[] {
  return rows
    .filter((r) => r.rank !== null && r.composite_score !== null)
    .sort((a, b) => Number(b.composite_score) - Number(a.composite_score) || Number(b.volume) - Number(a.volume) || a.unit.localeCompare(b.unit));
}

/** Gathers every figure of the month. */
export async function monthlyReportData(warehouse: Warehouse, month: string, config: Pick<Config, 'kpi'>): Promise<MonthlyReportData> {
  const period = monthPeriod(month);
  // one session: the rollup's freshness and the data's as-of time are read once for every figure
  const session = new KpiSession(readerOf(warehouse), config.kpi);
  const comparison = await kpiWithComparisons(session, period);
  const current = comparison.current.values;
  const empty = (current.received ?? 0) === 0;
  const [channel, appeal, category, district, ranking] = [
    await breakdown(session, 'channel', period),
    await breakdown(session, 'appeal_type', period),
    await breakdown(session, 'category', period, { depth: 2 }),
    await breakdown(session, 'district', period, { depth: 2 }),
    await unitRanking(session, period),
  ];
  const { risers, withheld: risersWithheld } = await categoryRises(session, period, { level: 2, limit: 5, minVolume: 10 });
  const daily = await warehouse.all<{ day: string; received: number }>(sqlFile('reports/daily_received.sql'), { from: period.from, to: period.to });
  const alerts = await incidentLines(warehouse, period.from.slice(0, 10), period.to.slice(0, 10));
  const cases = (await warehouse.all<TypicalCase>(sqlFile('reports/typical_cases.sql'), { from: period.from, to: period.to, limit: 3 })).map((c) => ({
    ticket_id: c.ticket_id,
    received_at: c.received_at,
    category_l1: c.category_l1,
    category: c.category,
    district: c.district,
    township: c.township,
    content: caseText(c.content),
    unit: c.unit,
    handling: c.handling,
    status: c.status,
    satisfaction: c.satisfaction,
    resolved: c.resolved,
  }));
  const outlook = empty ? [] : await seasonalOutlook(warehouse, month, { level: 'l2', limit: 5 });
  const outlookMissing = empty || outlook.length ? null : chinesePart(await missingOutlookReason(warehouse, month, { level: 'l2' }));
  const ranked = rankedUnits(ranking.rows);
  const categories = tree(category, 'category_l1', 'category_l2')
    .slice(0, TOP_CATEGORIES)
    .map((c) => ({ ...c, children: c.children.slice(0, TOP_SUBCATEGORIES) }));
  const data: MonthlyReportData = {
    kind: 'monthly',
    month,
    previousMonth: periodLabel(shiftPeriod(period, -1)),
    sameMonthLastYear: periodLabel(shiftPeriod(period, -12)),
    dataAsOf: await session.asOf(),
    settings: config.kpi,
    empty,
    kpiJson: kpiJson(comparison.current),
    kpis: lines(comparison),
    notes: [...Object.values(comparison.current.missing), ...comparison.notes],
    daily: fillDays(month, daily, await session.dataStart()),
    channels: flat(channel, 'channel'),
    appealTypes: flat(appeal, 'appeal_type'),
    categories,
    risers,
    risersWithheld,
    districts: tree(district, 'district', 'township'),
    ranking: {
      ranked: ranked.length,
      listed: ranking.rows.length,
      red: ranked.slice(0, LIST_SIZE),
      // Bottom five, worst last; never the same unit on both lists.
      black: ranked.slice(Math.max(LIST_SIZE, ranked.length - LIST_SIZE)),
      scores: ranked.map((r) => ({ unit_kind: r.unit_kind, composite_score: r.composite_score })),
    },
    alerts,
    outlook,
    outlookMissing,
    cases,
    headline: '',
  };
  data.headline = headline(data);
  return data;
}

const line = (data: MonthlyReportData, key: KpiJsonKey) => data.kpis.find((k) => k.key === key)!;

/** The headline paragraph, written from the data. */
export function headline(data: MonthlyReportData): string {
  const m = monthWords(data.month);
  if (data.empty) return `${m}数据仓库中没有受理工单记录，本月报不含统计数据。请确认当月工单导出文件已导入（数据截至 ${data.dataAsOf ?? '—'}）。`;
  const received = line(data, 'received');
  const parts: string[] = [];
  parts.push(
    `${m}，12345 热线共受理群众诉求 ${countText(received.value)} 件，环比${pctChangeWords(received.mom)}，同比${pctChangeWords(received.yoy)}；` +
      `其中转办 ${countText(line(data, 'dispatched').value)} 件，${rateWords('直接答复率', line(data, 'direct_answer_rate').value)}。`,
  );
  const rate = (key: KpiJsonKey) => {
    const l = line(data, key);
    if (l.value === null) return `${l.name}无法计算`;
    const mom = l.mom_withheld ? '环比不作比较' : `${l.same_age ? '与上月同龄相比' : '环比'}${ppChangeWords(l.mom)}`;
    return `${l.name} ${rateText(l.value)}（${l.young ? '未满期，' : ''}${mom}）`;
  };
  parts.push(`${rate('completion_rate')}，${rate('ontime_completion_rate')}，${rate('satisfaction_rate')}，${rate('connection_rate')}。`);
  // What stands out: the key rate that moved most against last month.
  const moved = data.kpis
    .filter((k) => k.measure === 'pp' && k.mom !== null && Math.abs(k.mom) >= 1)
    .sort((a, b) => Math.abs(b.mom!) - Math.abs(a.mom!))[0];
  if (moved) parts.push(`变化最大的指标是${moved.name}，环比${ppChangeWords(moved.mom)}。`);
  // (未分类 is no 领域: the largest named category, or the fact that none is named)
  const top = data.categories.find((c) => c.name !== UNCATEGORISED);
  if (!top && data.categories.length) parts.push('本月工单均未记录分类。');
  if (top) {
    // (its largest named second level: tickets without one are not a "领域" to name)
    const sub = top.children.find((c) => c.name !== UNFILLED);
    parts.push(`诉求最集中的领域是“${top.name}”（${countText(top.received)} 件，占 ${shareText(top.share)}）${sub ? `，其中“${sub.name}”${countText(sub.received)} 件` : ''}。`);
  }
  const riser = data.risers[0];
  if (riser) {
    const name = riser.keys.category_l2 ?? riser.keys.category_l1 ?? '';
    parts.push(
      riser.is_new
        ? `“${name}”类诉求为本月新增（${countText(riser.received)} 件）。`
        : `上升最快的是“${name}”，由上月 ${countText(riser.previous_received)} 件增至 ${countText(riser.received)} 件（${riseText(riser.received, riser.previous_received, riser.change_pct)}）。`,
    );
  }
  parts.push(data.alerts.length ? `本月热点预警事件 ${data.alerts.length} 起。` : '本月未触发热点预警。');
  return parts.join('');
}

/** A KPI's name in the table, marked when the month is still moving for it. */
const kpiNameText = (line: KpiLine) => (line.young ? `${line.name}（未满期）` : line.name);

/** A change in the table: the number, or "不作比较" when a rule withholds it (the reason is in the notes). */
function changeCell(line: KpiLine, which: 'mom' | 'yoy'): string {
  if (which === 'mom' ? line.mom_withheld : line.yoy_withheld) return '不作比较';
  const text = changeText(line, which === 'mom' ? line.mom : line.yoy);
  return line.same_age && text !== '—' ? `${text}（同龄）` : text;
}

function kpiValueText(line: KpiLine, value: number | null): string {
  return line.kind === 'rate' ? rateText(value) : line.kind === 'mean' ? hoursText(value) : countText(value);
}

const changeText = (line: KpiLine, value: number | null) => (line.measure === 'pp' ? ppChangeText(value) : pctChangeText(value));

function barHeight(rows: number): number {
  return Math.max(120, rows * 28 + 24);
}

function unitRows(rows: UnitRankingRow[]): string[][] {
  return rows.map((r) => [
    r.unit,
    r.unit_kind ?? '—',
    r.rank === null ? '—' : String(r.rank),
    countText(Number(r.volume)),
    rateText(r.response_rate),
    rateText(r.resolution_score) + (r.resolution_basis === 'ontime_completion_rate' ? '*' : ''),
    rateText(r.satisfaction_rate),
    r.composite_score === null ? '—' : (Number(r.composite_score) * 100).toFixed(2),
  ]);
}

const UNIT_HEADERS = ['承办单位', '类别', '类内名次', '转办量', '响应率', '解决率', '满意率', '综合得分'];

/** The document: the same sections for HTML, PDF and DOCX. */
export function monthlyDocument(data: MonthlyReportData, config: Pick<Config, 'kpi'>, map: { region: RegionMap | null; error: string | null } = { region: null, error: null }): ReportDocument {
  const m = monthWords(data.month);
  const title = `12345 政务服务便民热线 ${m}运行月报`;
  const cover = [`统计周期：${m}（北京时间 ${data.month}-01 00:00 至次月 1 日 00:00）`, `数据截至：${data.dataAsOf ?? '—'}`, `生成时间：${new Date().toISOString().slice(0, 10)}`];
  const sections: Section[] = [{ title: '一、总体情况', blocks: [{ kind: 'paragraph', text: data.headline, emphasis: true }] }];
  if (data.empty) {
    sections.push(definitionsSection(data, config));
    return { title, subtitle: `数据截至 ${data.dataAsOf ?? '—'}`, cover, sections };
  }
  sections[0].blocks.push({
    kind: 'table',
    caption: `主要指标（环比对比 ${data.previousMonth}，同比对比 ${data.sameMonthLastYear}；数量类变化以 % 表示，比率类以“个百分点”表示）`,
    headers: ['指标', '本月', '上月', '环比', '去年同月', '同比'],
    numeric: [1, 2, 3, 4, 5],
    rows: data.kpis.map((l) => [kpiNameText(l), kpiValueText(l, l.value), kpiValueText(l, l.previous_month), changeCell(l, 'mom'), kpiValueText(l, l.same_month_last_year), changeCell(l, 'yoy')]),
  });
  if (data.notes.length) sections[0].blocks.push({ kind: 'list', items: foldNotes(data.notes) });
  sections.push({
    title: '二、受理趋势与来源',
    pageBreak: true,
    blocks: [
      { kind: 'chart', title: `图 1　${m}每日受理量`, option: dailyVolumeOption(data.daily, { movingAverage: true }), width: CHART_WIDTH, height: 260 },
      // (one channel or one appeal type — a message board's, a 311 export's — is a sentence, not a chart of 100 %)
      data.channels.length === 1
        ? { kind: 'paragraph', text: `本月工单的来源渠道均为“${data.channels[0].name}”（${countText(data.channels[0].received)} 件）。` }
        : { kind: 'chart', title: '图 2　来源渠道构成', option: channelMixOption(data.channels.map((c) => ({ name: c.name, count: c.received, share: c.share }))), width: CHART_WIDTH, height: 300 },
      data.appealTypes.length === 1
        ? { kind: 'paragraph', text: `本月工单的诉求类型均为“${data.appealTypes[0].name}”。` }
        : {
            kind: 'chart',
            title: '图 3　诉求类型构成',
            option: rankedBarOption(data.appealTypes.map((t) => ({ name: t.name, value: t.received, share: t.share })), { kind: 'count', valueName: '受理量' }),
            width: CHART_WIDTH,
            height: barHeight(data.appealTypes.length),
          },
    ],
  });
  // (a category whose only second level is 未填 — an export without 二级分类 — has no rows under it)
  const categoryRows = data.categories.flatMap((c) => [
    [c.name, '', countText(c.received), shareText(c.share)],
    ...(c.children.length === 1 && c.children[0].name === UNFILLED ? [] : c.children).map((s) => ['', s.name, countText(s.received), shareText(s.share)]),
  ]);
  const uncategorised = data.categories.length > 0 && data.categories.every((c) => c.name === UNCATEGORISED);
  sections.push({
    title: '三、诉求热点',
    pageBreak: true,
    // An export without categories: one 未分类 bar and row picture nothing.
    blocks: uncategorised
      ? [{ kind: 'paragraph', text: `本月工单均未记录分类（${countText(data.categories[0].received)} 件），无从分析诉求热点。` }]
      : [
          {
            kind: 'chart',
            title: '图 4　受理量前列的一级分类',
            option: rankedBarOption(data.categories.map((c) => ({ name: c.name, value: c.received, share: c.share })), { kind: 'count', valueName: '受理量' }),
            width: CHART_WIDTH,
            height: barHeight(data.categories.length),
          },
          { kind: 'table', caption: '一级分类及其主要二级分类', headers: ['一级分类', '二级分类', '受理量', '占比'], numeric: [2, 3], rows: categoryRows },
          data.risers.length
            ? {
                kind: 'table',
                caption: '环比上升最快的二级分类（本月不少于 10 件）',
                headers: ['二级分类', '一级分类', '本月', '上月', '环比'],
                numeric: [2, 3, 4],
                rows: data.risers.map((r) => [r.keys.category_l2 ?? UNFILLED, r.keys.category_l1 ?? '', countText(r.received), countText(r.previous_received), r.is_new ? '新增' : riseFigure(r.received, r.previous_received, r.change_pct)]),
              }
            : { kind: 'note', text: data.risersWithheld ? `各分类不作环比：${data.risersWithheld}。` : '本月没有环比上升的二级分类（不少于 10 件）。' },
        ],
  });
  sections.push({
    title: '四、区域分布',
    // One district (or none recorded) is a sentence; else the map (or the bars) and the townships.
    blocks:
      data.districts.length === 1
        ? [{ kind: 'paragraph', text: oneDistrictText('本月工单', data.districts[0]) }]
        : [
            ...districtPicture(map, data.districts, { mapTitle: '图 5　各区县受理量分布', barTitle: '图 5　各区县受理量' }),
            {
              kind: 'table',
              caption: '各区县受理量最多的乡镇（街道）',
              headers: ['区县', '受理量', '占比', '前三位乡镇（街道）'],
              numeric: [1, 2],
              rows: data.districts.map((d) => [d.name, countText(d.received), shareText(d.share), topTownshipsText(d.children)]),
            },
          ],
  });
  const dispatched = line(data, 'dispatched').value ?? 0;
  const rankingBlocks: Block[] = [
    data.ranking.listed === 0
      ? { kind: 'paragraph', text: dispatched > 0 ? `本月转办的 ${countText(dispatched)} 件工单均未记录承办单位，无法考评。` : '本月没有转办工单，不作考评。' }
      : {
          kind: 'paragraph',
          text: `本月有转办工单的承办单位 ${countText(data.ranking.listed)} 家，其中转办不少于 ${data.settings.minTicketsForRanking} 件、三项比率齐全的 ${countText(data.ranking.ranked)} 家参与排名。综合得分 = ${data.settings.rankingWeights.response} × 响应率 + ${data.settings.rankingWeights.resolution} × 解决率 + ${data.settings.rankingWeights.satisfaction} × 满意率（× 100）。`,
        },
  ];
  if (data.ranking.ranked) {
    rankingBlocks.push(
      { kind: 'chart', title: '图 6　参与排名单位的综合得分分布（按单位类别）', option: unitScoreDistributionOption(data.ranking.scores), width: CHART_WIDTH, height: 260 },
      { kind: 'table', caption: `红榜（综合得分前 ${data.ranking.red.length} 名）`, headers: UNIT_HEADERS, numeric: [2, 3, 4, 5, 6, 7], rows: unitRows(data.ranking.red), tone: data.ranking.red.map(() => 'good' as const) },
      data.ranking.black.length
        ? { kind: 'table', caption: `黑榜（综合得分后 ${data.ranking.black.length} 名）`, headers: UNIT_HEADERS, numeric: [2, 3, 4, 5, 6, 7], rows: unitRows(data.ranking.black), tone: data.ranking.black.map(() => 'bad' as const) }
        : { kind: 'note', text: '参与排名的单位不足 6 家，不设黑榜。' },
      { kind: 'note', text: '解决率带 * 者：本月无回访说明是否解决，以按时办结率计。名次为单位类别内的名次。' },
    );
  }
  sections.push({ title: '五、承办单位“三率”考评', pageBreak: true, blocks: rankingBlocks });
  sections.push({
    title: '六、热点预警',
    blocks: data.alerts.length
      ? [
          {
            kind: 'table',
            headers: ['预警事件', '地点', '日期', '本月预警天数', '峰值（预期）', '相关序列', '状态', '处置'],
            numeric: [3, 5],
            // (a date or a state cut in two on paper reads badly)
            nowrap: [2, 6],
            rows: data.alerts.map((a) => [
              a.title,
              a.place ?? '—',
              daySpanWords(a.first_day, a.last_day),
              String(a.alarm_days),
              `${a.peak_count}（${expectedText(a.peak_expected)}）`,
              String(a.series),
              a.status === 'closed' ? '已结束' : a.status === 'acknowledged' ? '已确认' : '进行中',
              [a.handled_by, a.comment].filter(Boolean).join('：') || '—',
            ]),
          },
          { kind: 'note', text: '同一批工单在多个序列（全辖区、区县、分类、地点）引起的告警，以及同一地点同类问题连续几天的告警，合并为一起事件；峰值为事件主序列在最高一天（集中突发为数小时内）的工单量，括号内为按历史规律的预期。' },
        ]
      : [{ kind: 'note', text: '本月未触发热点预警。' }],
  });
  sections.push({
    title: '七、下月展望（未诉先办）',
    blocks: data.outlook.length
      ? [{ kind: 'list', items: data.outlook.map((o) => o.sentence) }, { kind: 'note', text: '按各二级分类过去完整年度的月度季节指数推算，区间为约 95% 范围。' }]
      : [{ kind: 'note', text: `${data.outlookMissing ?? '暂无季节性展望'}。` }],
  });
  sections.push({
    title: '八、典型案例',
    blocks: data.cases.length
      ? data.cases.map((c, i) => ({
          kind: 'paragraph' as const,
          text: `案例 ${i + 1}（${c.category}，${whereText(c.district, c.township)}，${c.received_at}）：${c.content} —— 承办：${c.unit ?? (c.handling === '直接答复' ? '热线直接答复' : '未记录')}；状态：${c.status}${c.satisfaction ? `；回访：${c.satisfaction}` : ''}${c.resolved ? `，${c.resolved}` : ''}。`,
        }))
      : [{ kind: 'note', text: '本月无可用案例。' }],
  });
  sections.push(definitionsSection(data, config));
  return numberFigures({ title, subtitle: `统计周期 ${m} · 数据截至 ${data.dataAsOf ?? '—'}`, cover, sections });
}

/** The appendix: the same definitions as the 指标定义 page and docs/kpi-definitions.md (the KPI catalogue). */
function definitionsSection(data: MonthlyReportData, config: Pick<Config, 'kpi'>): Section {
  const shown = new Set<string>(data.kpis.map((k) => k.key));
  return {
    title: '附录：指标口径',
    pageBreak: true,
    blocks: [
      { kind: 'list', items: conventions() },
      {
        kind: 'table',
        headers: ['指标', '分子（件数为口径）', '分母'],
        rows: definitions(config.kpi)
          .filter((d) => shown.has(d.key))
          .map((d) => [d.name, d.numerator, d.denominator]),
      },
      {
        kind: 'list',
        items: [
          `签收时限（signLimitHours）：${config.kpi.signLimitHours} 小时`,
          `“基本满意”计入满意率（basicallySatisfiedCounts）：${config.kpi.basicallySatisfiedCounts ? '是' : '否'}`,
          `参与排名的最低转办量（minTicketsForRanking）：${config.kpi.minTicketsForRanking} 件`,
          `综合得分权重（rankingWeights）：响应率 ${config.kpi.rankingWeights.response}、解决率 ${config.kpi.rankingWeights.resolution}、满意率 ${config.kpi.rankingWeights.satisfaction}`,
          '红榜/黑榜：参与排名单位按综合得分排序的前 5 名与后 5 名；上升最快分类：本月不少于 10 件、环比增幅最大的二级分类。',
          '典型案例：受理量最多的三个二级分类中最近一件有诉求内容的工单，个人信息已脱敏。',
          `数据截至：${data.dataAsOf ?? '—'}。本报告的数字与看板中同一月份的数字一致，均按本附录的口径计算。`,
        ],
      },
    ],
  };
}

/** The monthly report of `month` (YYYY-MM): data model, document and self-contained HTML. */
export async function buildMonthlyReport(warehouse: Warehouse, month: string, config: Pick<Config, 'kpi'> & MapConfig): Promise<MonthlyReport> {
  const data = await monthlyReportData(warehouse, month, config);
  const document = monthlyDocument(data, config, reportRegion(config));
  return { data, document, html: renderHtml(document) };
}
