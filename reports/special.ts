import type { Config } from '../pipelines/config.js';
import { breakdown, datePeriod, definitions, KpiSession, percentChange, periodKpis, readerOf, shiftPeriod, topicFilter, isUnknownPlace, UNKNOWN_TOWNSHIP, type KpiReport, type KpiSettings, type Period } from '../pipelines/kpi.js';
import { hotTopics, specialReportTopic, type Topic } from '../pipelines/text/topics.js';
import { sqlFile, type Params, type Warehouse } from '../pipelines/warehouse.js';
import { rankedBarOption } from './charts/dashboard-options.js';
import { hourWeekdayHeatmapOption, topicTrendOption, WEEKDAY_NAMES } from './charts/report-options.js';
import { CHART_WIDTH, numberFigures, renderHtml, type Block, type ReportDocument, type Section } from './document.js';
import { countText, pctChangeWords, rateText, rateWords, shareText, topTownshipsText } from './format.js';
import type { ReportTopic } from './topics.js';
import { districtPicture, oneDistrictText, pinnedIncidents, reportRegion, type MapConfig } from './maps.js';
import type { RegionMap } from './charts/map-options.js';

/**
 * The special report (专报) on one topic over [from, to] (whole days, Beijing time): volume against
 * the same days a year earlier, the trend with the season shaded, where (district → township →
 * address), when (hour × weekday), what kind of request, who handled it and how, repeat callers,
 * satisfaction, and recommendations phrased from these figures. Every KPI (办结率, 满意率 …, also per
 * unit) is the metric files' own with the topic as the ticket filter — exactly `hotline kpi --topic`;
 * the descriptive figures (places, hours, callers) come from queries/reports/topic_*.sql.
 */

export interface TopicSummary {
  received: number;
  dispatched: number;
  /** 办结量 (completion_rate's numerator); null when the export has no completion times. */
  completed: number | null;
  /** Callbacks with a rating in the period: 满意率's denominator. */
  rated: number;
  /** Callers (phone hashes) with at least two tickets of the topic in the period: a count, never the hashes. */
  repeat_callers: number;
  repeat_caller_tickets: number;
  callers: number;
}

export interface TopicUnit {
  unit: string;
  dispatched: number;
  completed: number | null;
  ontime_completion_rate: number | null;
  /** Dispatched tickets returned at least once; null without return counts. */
  returned: number | null;
  satisfaction_rate: number | null;
  /** Callbacks in the period that said 已解决. */
  resolved: number;
}

export interface SpecialReportData {
  kind: 'special';
  topic: ReportTopic;
  from: string;
  to: string;
  lastYear: { from: string; to: string };
  dataAsOf: string | null;
  settings: KpiSettings;
  empty: boolean;
  summary: TopicSummary;
  lastYearSummary: TopicSummary;
  /** The topic's KPIs over the period: what `hotline kpi --topic NAME --from --to` prints. */
  kpis: KpiReport;
  /** Percent change of the volume on the same days a year earlier (null without tickets then). */
  yoy_pct: number | null;
  satisfaction_rate: number | null;
  resolution_rate: number | null;
  completion_rate: number | null;
  ontime_completion_rate: number | null;
  daily: { date: string; count: number; lastYear: number }[];
  districts: { name: string; received: number; share: number | null; townships: { name: string; received: number }[] }[];
  addresses: { district: string; township: string; address: string; received: number }[];
  heatmap: { weekday: number; hour: number; count: number }[];
  appealTypes: { name: string; received: number; share: number | null }[];
  units: TopicUnit[];
  recommendations: string[];
}

export interface SpecialReport {
  data: SpecialReportData;
  document: ReportDocument;
  html: string;
}

const ratio = (n: number, d: number) => (d > 0 ? n / d : null);
const DAY_MS = 86_400_000;

function topicParams(topic: ReportTopic, period: Period): Params {
  return { from: period.from, to: period.to, ...topicFilter(topic).params };
}

/** A topic_*.sql file after the topic's tickets (topic_tickets.sql) narrowed to the period (topic_received.sql). */
async function query<T>(warehouse: Warehouse, file: string, params: Params): Promise<T[]> {
  const body = (name: string) => sqlFile(`reports/${name}`).replace(/^(--.*\n)*/, '');
  const sql = `with topic_tickets as (\n${body('topic_tickets.sql')}\n),\ntopic_received as (\n${body('topic_received.sql')}\n),\n${body(file)}`;
  const used = Object.fromEntries(Object.entries(params).filter(([name]) => new RegExp(`\\$${name}\\b`).test(sql)));
  const rows = await warehouse.all<Record<string, unknown>>(sql, used);
  // Counts arrive as numbers or bigints: reports work with numbers.
  return rows.map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, typeof v === 'bigint' ? Number(v) : v]))) as T[];
}

function days(period: Period): string[] {
  const out: string[] = [];
  for (let t = Date.parse(`${period.from.slice(0, 10)}T00:00:00Z`); t < Date.parse(`${period.to.slice(0, 10)}T00:00:00Z`); t += DAY_MS) out.push(new Date(t).toISOString().slice(0, 10));
  return out;
}

/** The topic's volume and callers over a period: KPI counts from the metric files, callers from topic_summary.sql. */
async function topicSummary(warehouse: Warehouse, kpis: KpiReport, topic: ReportTopic): Promise<TopicSummary> {
  const [callers] = await query<Pick<TopicSummary, 'repeat_callers' | 'repeat_caller_tickets' | 'callers'>>(warehouse, 'topic_summary.sql', topicParams(topic, kpis.period));
  return {
    received: kpis.values.received ?? 0,
    dispatched: kpis.values.dispatched ?? 0,
    completed: kpis.values.completed,
    rated: kpis.sums.satisfaction_rate_denominator ?? 0,
    ...callers,
  };
}

/** Gathers every figure of the topic over [from, to] (YYYY-MM-DD, both included). */
export async function specialReportData(warehouse: Warehouse, topic: ReportTopic, from: string, to: string, config: Pick<Config, 'kpi'>): Promise<SpecialReportData> {
  const period = datePeriod(from, to);
  const lastYear = shiftPeriod(period, -12);
  const params = topicParams(topic, period);
  const lastParams = topicParams(topic, lastYear);
  const session = new KpiSession(readerOf(warehouse), config.kpi);
  const filter = topicFilter(topic);
  const kpis = await periodKpis(session, period, { filter });
  const lastYearKpis = await periodKpis(session, lastYear, { filter });
  const summary = await topicSummary(warehouse, kpis, topic);
  const lastYearSummary = await topicSummary(warehouse, lastYearKpis, topic);
  const daily = await query<{ day: string; received: number }>(warehouse, 'topic_daily.sql', params);
  const lastDaily = await query<{ day: string; received: number }>(warehouse, 'topic_daily.sql', lastParams);
  const places = await query<{ level: string; district: string; township: string | null; address: string | null; received: number }>(warehouse, 'topic_places.sql', params);
  const heat = await query<{ weekday: number; hour: number; received: number }>(warehouse, 'topic_heatmap.sql', params);
  const types = await query<{ appeal_type: string; received: number }>(warehouse, 'topic_appeal_types.sql', params);
  const byUnit = await breakdown(session, 'unit', period, { depth: 1, filter });
  const units: TopicUnit[] = byUnit.rows
    .filter((r) => r.level === 1 && r.keys.unit && (r.values.dispatched ?? 0) > 0)
    .map((r) => ({
      unit: r.keys.unit!,
      dispatched: r.values.dispatched ?? 0,
      completed: r.values.completed,
      ontime_completion_rate: r.values.ontime_completion_rate,
      returned: r.values.return_rate === null ? null : r.sums.return_rate_numerator,
      satisfaction_rate: r.values.satisfaction_rate,
      resolved: r.sums.resolution_rate_numerator,
    }))
    .sort((a, b) => b.dispatched - a.dispatched || a.unit.localeCompare(b.unit));

  const current = new Map(daily.map((d) => [d.day, d.received]));
  const before = new Map(lastDaily.map((d) => [d.day, d.received]));
  const lastDays = days(lastYear);
  const dailySeries = days(period).map((date, i) => ({ date, count: current.get(date) ?? 0, lastYear: before.get(lastDays[i] ?? '') ?? 0 }));
  const heatmap: SpecialReportData['heatmap'] = [];
  const heatCounts = new Map(heat.map((h) => [`${h.weekday}-${h.hour}`, h.received]));
  for (let weekday = 1; weekday <= 7; weekday++) for (let hour = 0; hour < 24; hour++) heatmap.push({ weekday, hour, count: heatCounts.get(`${weekday}-${hour}`) ?? 0 });
  const total = summary.received;
  const districts = places
    .filter((p) => p.level === 'district')
    .map((d) => ({
      name: d.district,
      received: d.received,
      share: ratio(d.received, total),
      townships: places.filter((p) => p.level === 'township' && p.district === d.district).map((t) => ({ name: t.township ?? UNKNOWN_TOWNSHIP, received: t.received })),
    }));
  const addresses = places
    .filter((p) => p.level === 'address')
    .slice(0, 10)
    .map((a) => ({ district: a.district, township: a.township ?? '', address: a.address ?? '', received: a.received }));
  const data: SpecialReportData = {
    kind: 'special',
    topic,
    from,
    to,
    lastYear: { from: lastYear.from.slice(0, 10), to: lastDays.at(-1) ?? lastYear.from.slice(0, 10) },
    dataAsOf: await session.asOf(),
    settings: config.kpi,
    empty: total === 0,
    summary,
    lastYearSummary,
    kpis,
    yoy_pct: percentChange(total, lastYearSummary.received),
    satisfaction_rate: kpis.values.satisfaction_rate,
    resolution_rate: kpis.values.resolution_rate,
    completion_rate: kpis.values.completion_rate,
    ontime_completion_rate: kpis.values.ontime_completion_rate,
    daily: dailySeries,
    districts,
    addresses,
    heatmap,
    appealTypes: types.map((t) => ({ name: t.appeal_type, received: t.received, share: ratio(t.received, total) })),
    units,
    recommendations: [],
  };
  data.recommendations = recommendations(data);
  return data;
}

/** Recommendations phrased from the figures: each one names the number that motivates it. */
export function recommendations(data: SpecialReportData): string[] {
  const out: string[] = [];
  const t = data.topic.title;
  if (data.empty) return out;
  if (data.yoy_pct !== null && data.yoy_pct >= 10) {
    out.push(`${t}诉求较上年同期${pctChangeWords(data.yoy_pct)}，建议主管部门提前研判，在高发期前部署专项工作。`);
  }
  // The named township with the most tickets, of any district ("未知…" is no place to patrol).
  const [top] = data.districts
    .filter((d) => !isUnknownPlace(d.name))
    .flatMap((d) => d.townships.filter((t) => !isUnknownPlace(t.name)).map((t) => ({ district: d.name, ...t })))
    .sort((a, b) => b.received - a.received);
  if (top && data.summary.received >= 10) {
    const share = top.received / data.summary.received;
    out.push(
      `诉求最集中的是${top.district}${top.name}（${countText(top.received)} 件，占 ${shareText(share)}），建议属地${share >= 0.15 ? '开展专项整治并' : ''}加强日常巡查。`,
    );
  }
  const hotAddresses = data.addresses.filter((a) => a.received >= 3).slice(0, 3);
  if (hotAddresses.length) {
    out.push(`${hotAddresses.map((a) => `${a.district}${isUnknownPlace(a.township) ? '' : a.township}${a.address}（${a.received} 件）`).join('、')}被反复反映，建议列入重点点位清单，由承办单位现场核查、限期整改。`);
  }
  const night = data.heatmap.filter((c) => c.hour >= 22 || c.hour < 6).reduce((s, c) => s + c.count, 0);
  const nightShare = night / data.summary.received;
  if (nightShare >= 0.2) out.push(`夜间（22 时至次日 6 时）诉求占 ${shareText(nightShare)}，建议安排夜间值守与执法巡查。`);
  const weekend = data.heatmap.filter((c) => c.weekday >= 6).reduce((s, c) => s + c.count, 0) / data.summary.received;
  if (weekend >= 0.35) out.push(`周末诉求占 ${shareText(weekend)}，建议周末保持处置力量。`);
  if (data.summary.repeat_callers > 0) {
    out.push(
      `${countText(data.summary.repeat_callers)} 位来电人在期间内反映两次及以上（合计 ${countText(data.summary.repeat_caller_tickets)} 件），建议对重复诉求逐件回访、实质性解决，避免“重复诉、反复办”。`,
    );
  }
  // A unit is named for its deadlines only on as many tickets as the 三率 ranking asks for (one late
  // ticket of five is no pattern to press a unit on).
  const slow = data.units
    .filter((u) => u.dispatched >= data.settings.minTicketsForRanking && u.ontime_completion_rate !== null)
    .map((u) => ({ ...u, ontime: u.ontime_completion_rate! }))
    .sort((a, b) => a.ontime - b.ontime)[0];
  if (slow && slow.ontime < 0.9) out.push(`${slow.unit}按时办结率 ${rateText(slow.ontime)}（转办 ${slow.dispatched} 件），建议督办并压实办理时限。`);
  if (data.satisfaction_rate !== null && data.satisfaction_rate < 0.9) out.push(`满意率 ${rateText(data.satisfaction_rate)}，低于 90%，建议对不满意件逐件复核。`);
  if (!out.length) out.push(`${t}诉求总体平稳，建议保持现有处置机制，持续跟踪。`);
  return out;
}

export function specialDocument(data: SpecialReportData, map: { region: RegionMap | null; error: string | null } = { region: null, error: null }): ReportDocument {
  const t = data.topic.title;
  // A hot issue (热点话题) is its listed requests, named by a sentence rather than a category word.
  const listed = data.topic.ticketIds?.length ?? 0;
  const title = listed ? `12345 政务服务便民热线 热点话题专报：${t}` : `12345 政务服务便民热线 ${t}诉求专报`;
  const kind = listed ? `热点话题“${t}”相关` : `${t}类`;
  const span = `${data.from} 至 ${data.to}`;
  const scope = listed ? `热点话题的 ${listed} 件诉求（跨分类按内容归并）` : `分类 ${data.topic.categories.join('、') || '—'}；关键词 ${data.topic.keywords.join('、') || '—'}`;
  const cover = [`统计周期：${span}（北京时间）`, `专题口径：${scope}`, `数据截至：${data.dataAsOf ?? '—'}`];
  const s = data.summary;
  const overview = data.empty
    ? `${span}期间没有${kind}诉求记录（${scope}）。`
    : `${span}，12345 热线共受理${kind}诉求 ${countText(s.received)} 件，上年同期 ${countText(data.lastYearSummary.received)} 件，同比${pctChangeWords(data.yoy_pct)}。` +
      `其中转办 ${countText(s.dispatched)} 件；${[
        rateWords('办结率', data.completion_rate),
        rateWords('按时办结率', data.ontime_completion_rate),
        rateWords('满意率', data.satisfaction_rate),
        rateWords('解决率', data.resolution_rate),
      ].join('，')}。` +
      `${countText(s.repeat_callers)} 位来电人反映两次及以上。`;
  const sections: Section[] = [{ title: '一、总体情况', blocks: [{ kind: 'paragraph', text: overview, emphasis: true }] }];
  const missing = Object.values(data.kpis.missing);
  if (missing.length) sections[0].blocks.push({ kind: 'list', items: missing });
  if (!data.empty) {
    sections[0].blocks.push({
      kind: 'chart',
      title: `图 1　${t}诉求每日受理量（阴影为高发季）`,
      option: topicTrendOption(data.daily, data.topic.seasonMonths),
      width: CHART_WIDTH,
      height: 260,
    });
    const topDistricts = data.districts.slice(0, 10);
    // One district (or none recorded) is a sentence; else the topic's districts on the map (its most
    // reported addresses pinned where they resolve to a known place), or the bars, and the table.
    const districtBlocks = (): Block[] =>
      data.districts.length === 1
        ? [{ kind: 'paragraph', text: oneDistrictText('这些诉求', data.districts[0]) }]
        : [
            ...districtPicture(map, data.districts, {
              mapTitle: `图 2　${t}诉求的区域分布`,
              barTitle: '图 2　各区县受理量',
              barLimit: topDistricts.length,
              incidents: (region) =>
                pinnedIncidents(region, data.addresses.slice(0, 5).map((a) => ({ label: `${a.address} ${a.received} 件`, district: a.district, township: a.township, address: a.address }))),
            }),
            {
              kind: 'table',
              caption: '区县 → 乡镇（街道）',
              headers: ['区县', '受理量', '占比', '前三位乡镇（街道）'],
              numeric: [1, 2],
              rows: topDistricts.map((d) => [d.name, countText(d.received), shareText(d.share), topTownshipsText(d.townships)]),
            },
          ];
    sections.push({
      title: '二、区域分布',
      blocks: [
        ...districtBlocks(),
        data.addresses.length
          ? { kind: 'table', caption: '反映最多的地址（小区）', headers: ['地址', '区县', '乡镇（街道）', '件数'], numeric: [3], rows: data.addresses.map((a) => [a.address, a.district, a.township, countText(a.received)]) }
          : { kind: 'note', text: '诉求未记录地址。' },
      ],
    });
    sections.push({
      title: '三、时间分布与诉求类型',
      blocks: [
        { kind: 'chart', title: '图 3　按星期与小时的受理量', option: hourWeekdayHeatmapOption(data.heatmap), width: CHART_WIDTH, height: 300 },
        data.appealTypes.length === 1
          ? { kind: 'paragraph', text: `这些诉求的类型均为“${data.appealTypes[0].name}”。` }
          : {
              kind: 'chart',
              title: '图 4　诉求类型',
              option: rankedBarOption(data.appealTypes.map((x) => ({ name: x.name, value: x.received, share: x.share })), { kind: 'count', valueName: '受理量' }),
              width: CHART_WIDTH,
              height: Math.max(120, data.appealTypes.length * 28 + 24),
            },
        { kind: 'note', text: `高峰时段：${peakText(data.heatmap)}。` },
      ],
    });
    sections.push({
      title: '四、承办单位办理情况',
      blocks: data.units.length
        ? [
            {
              kind: 'table',
              headers: ['承办单位', '转办', '办结', '按时办结率', '退单', '满意率', '已解决'],
              numeric: [1, 2, 3, 4, 5, 6],
              rows: data.units
                .slice(0, 12)
                .map((u) => [u.unit, countText(u.dispatched), countText(u.completed), rateText(u.ontime_completion_rate), countText(u.returned), rateText(u.satisfaction_rate), countText(u.resolved)]),
            },
            {
              kind: 'paragraph',
              text: `重复来电：期间内 ${countText(s.callers)} 位留有电话的来电人中，${countText(s.repeat_callers)} 位反映两次及以上，合计 ${countText(s.repeat_caller_tickets)} 件。${rateWords('满意率', data.satisfaction_rate)}（回访有效评价 ${countText(s.rated)} 件），${rateWords('解决率', data.resolution_rate)}。`,
            },
          ]
        : [{ kind: 'note', text: '期间内没有转办工单。' }],
    });
    sections.push({ title: '五、工作建议', blocks: [{ kind: 'list', items: data.recommendations }] });
  }
  sections.push({
    title: '附录：口径说明',
    blocks: [
      {
        kind: 'list',
        items: [
          `专题工单：非已撤销，且一级或二级分类为 ${data.topic.categories.join('、') || '—'}，或诉求内容包含 ${data.topic.keywords.join('、') || '—'} 的工单；受理量等按受理时间在 ${span}（含首尾两日，北京时间）计。`,
          `同比：与上年同期 ${data.lastYear.from} 至 ${data.lastYear.to} 比较，以百分比表示。`,
          '各项比率与全热线的指标口径完全相同，只是只计专题工单：',
          ...definitions(data.settings)
            .filter((d) => ['completion_rate', 'ontime_completion_rate', 'satisfaction_rate', 'resolution_rate'].includes(d.key))
            .map((d) => `${d.name} = ${d.numerator} ÷ ${d.denominator}。`),
          '重复来电：同一来电号码（仅以加密哈希比对，报告不含号码）在期间内有两件及以上专题工单。',
          `数据截至：${data.dataAsOf ?? '—'}。`,
        ],
      },
    ],
  });
  return numberFigures({ title, subtitle: `统计周期 ${span} · 数据截至 ${data.dataAsOf ?? '—'}`, cover, sections });
}

function peakText(cells: { weekday: number; hour: number; count: number }[]): string {
  const byHour = Array.from({ length: 24 }, (_, h) => cells.filter((c) => c.hour === h).reduce((s, c) => s + c.count, 0));
  const hours = byHour.map((n, h) => ({ h, n })).sort((a, b) => b.n - a.n).slice(0, 3).sort((a, b) => a.h - b.h);
  const byDay = WEEKDAY_NAMES.map((name, i) => ({ name, n: cells.filter((c) => c.weekday === i + 1).reduce((s, c) => s + c.count, 0) })).sort((a, b) => b.n - a.n);
  return `${hours.map((x) => `${x.h} 时`).join('、')}；受理最多的是${byDay[0].name}`;
}

/** The special report on `topic` over [from, to] (YYYY-MM-DD, both days included). */
export async function buildSpecialReport(warehouse: Warehouse, topic: ReportTopic, from: string, to: string, config: Pick<Config, 'kpi'> & MapConfig): Promise<SpecialReport> {
  const data = await specialReportData(warehouse, topic, from, to, config);
  const document = specialDocument(data, reportRegion(config));
  return { data, document, html: renderHtml(document) };
}

/** A special report started from a hot issue (热点话题), with the issue and the report topic made of it. */
export interface HotTopicReport {
  hot: Topic;
  topic: ReportTopic;
  from: string;
  to: string;
  report: SpecialReport;
}

/**
 * The special report on the `rank`-th hot issue of [from, to] as `hotline topics` and the 热点话题
 * page rank them — recomputed from the warehouse, never taken from the asker — over the issue's own
 * days and exactly its requests (null: fewer issues than `rank`).
 */
export async function buildHotTopicReport(
  warehouse: Warehouse,
  options: { from: string; to: string; rank: number; consultations?: boolean },
  config: Pick<Config, 'kpi'> & MapConfig,
): Promise<HotTopicReport | null> {
  const hot = (await hotTopics(warehouse, { from: options.from, to: options.to, top: options.rank, consultations: options.consultations }))[options.rank - 1];
  if (!hot) return null;
  const { topic, from, to } = specialReportTopic(hot);
  return { hot, topic, from, to, report: await buildSpecialReport(warehouse, topic, from, to, config) };
}
