import { districtMapAt, type RegionMap } from '../../reports/charts/map-options.js';
import { alertTrendOption, type AlertHistoryDay } from '../../reports/charts/options.js';
import { renderPngAsync } from '../../reports/charts/render.js';
import { expectedText, plainNumber } from '../../reports/charts/dashboard-options.js';
import { CHART_FONT_FAMILY, chartColors } from '../../reports/charts/theme.js';
import { dayWords, unnamedText } from '../../reports/format.js';
import { formatP } from '../incident-names.js';
import type { AlertSeries } from './routes.js';

export { formatP };

/** A related alarm listed inside an incident's mail: '供水 · 全辖区 · 11 月 21 日 61 件，预期 9.8 件'. */
export interface RelatedAlarm {
  name: string;
  day: string;
  count: number;
  expected: number;
  /** 'hour' for a burst within hours, 'week' for a streak (its count is of 7 days). */
  window: 'day' | 'hour' | 'week';
}

/** A sustained rise found by the detector's multi-day channel. */
export interface RiseEvidence {
  start: string;
  days: number;
  observed: number;
  expected: number;
}

/** Everything an alert mail says about one incident; ticket texts arrive masked by ingest. */
export interface AlertEvidence {
  incidentId: number;
  /** 'grown': mailed before, and its excess has doubled since; 'continuing' (digest only): alarming again, not mailed again. */
  kind: 'new' | 'grown' | 'continuing';
  /** What routing looks at. */
  series: AlertSeries;
  /** '停水', '全部诉求'. */
  topic: string;
  /** '昌吉市 · 翠苑华府', '全辖区'. */
  where: string;
  /** The incident's township and place (compound), when it is about one place. */
  township?: string | null;
  place?: string | null;
  /** The head's peak day, YYYY-MM-DD; and the incident's first and last day. */
  date: string;
  firstDay: string;
  lastDay: string;
  count: number;
  expected: number;
  upper: number;
  /** The smallest multiplicity-adjusted p-value of the incident's alarms, and how many tests it was adjusted for. */
  adjustedP: number;
  tests: number;
  /**
   * 'hour': the head is a burst at one place; 'week': a streak there (its count covers the week
   * before the day); `windowFrom`/`windowTo` their first and last ticket.
   */
  window: 'day' | 'hour' | 'week';
  /**
   * The head is a hot issue's surge (话题突增): its expectation is the similar requests of the four
   * weeks before, its bound the count from which the day is a surge, its p-value Bonferroni over
   * the day's hot issues — not a series' model, bound and Benjamini–Hochberg step.
   */
  topicSurge?: boolean;
  windowFrom?: string;
  windowTo?: string;
  rise: RiseEvidence | null;
  /** The other alarms of the incident (the same tickets in wider series, other days). */
  related: RelatedAlarm[];
  /** The last 56 days of the chart's series, ending with the incident's last day. */
  history: AlertHistoryDay[];
  historyTitle: string;
  topTownships: { name: string; count: number }[];
  topAddresses: { name: string; count: number }[];
  /** How many of the tickets those two lists were counted from name no township / no place. */
  unnamed?: { townships: number; places: number };
  samples: { ticket_id: string; received_at: string; content: string | null; address: string | null }[];
  /** The measured false-incident rate at the current settings, as a sentence (see calibration.ts). */
  falseIncidents: string | null;
  dashboardUrl?: string;
}

export interface MailAttachment {
  filename: string;
  content: Buffer;
  contentType: string;
  /** Set for images shown inside the HTML as `cid:…`. */
  cid?: string;
}

/** A composed mail, independent of how it is delivered. */
export interface MailMessage {
  subject: string;
  html: string;
  text: string;
  attachments: MailAttachment[];
  /** Extra headers, e.g. X-Hotline-Incident, so that the dashboard can link an outbox file to its incident. */
  headers?: Record<string, string>;
}

export interface ComposeOptions {
  /** Dashboard base address; `evidence.dashboardUrl` wins when set. */
  dashboardUrl?: string;
  /** Names of the routes that sent this mail to its readers (see recipientsFor). */
  routes?: string[];
  /** Why the reader gets the mail when no route applies, e.g. '您在预警日报收件人名单中'. */
  reason?: string;
  /** Today in Asia/Shanghai (YYYY-MM-DD): the subject says 今日 for an alert of today. Default: the clock. */
  today?: string;
  /** Embed the 8-week chart (default true). */
  chart?: boolean;
  /** The region's boundaries: the mail then shows where the alert is on a map (with `chart` not false). */
  region?: RegionMap | null;
}

const SAMPLE_COUNT = 3;
const SAMPLE_MAX_CHARS = 300;
const RELATED_MAX = 8;
// Narrow enough that axis labels stay legible when a phone shrinks the picture to its width.
const CHART_WIDTH = 480;
const CHART_HEIGHT = 280;

/**
 * The subject and body of the one mail of a new incident (or of one that has doubled). Its PNGs
 * are rasterised on a worker thread (renderPngAsync): a mail's chart and map take about a second of
 * resvg, which on the service's event loop would hold every request (a sign-in) as long.
 */
export async function composeAlertMail(evidence: AlertEvidence, options: ComposeOptions = {}): Promise<MailMessage> {
  const { topic, where } = evidence;
  const today = options.today ?? shanghaiToday();
  const when =
    evidence.window === 'hour'
      ? `${dayLabel(evidence.date, today)}数小时内`
      : evidence.window === 'week'
        ? weekLabel(dayLabel(evidence.date, today))
        : dayLabel(evidence.date, today);
  const tag = evidence.kind === 'grown' ? '【预警升级】' : '【预警】';
  const subject = `${tag}${topic} · ${where} · ${when} ${evidence.count} 件，${expectedPhrase(evidence.expected)}`;
  const link = incidentLink(evidence.dashboardUrl ?? options.dashboardUrl, evidence.incidentId);
  const reason = reasonLine(options);

  const attachments: MailAttachment[] = [];
  const cid = `trend-${evidence.incidentId}@hotline-pulse`;
  if (options.chart !== false && evidence.history.length > 0) {
    const png = await renderPngAsync(alertTrendOption(evidence.history, evidence.historyTitle, evidence.date, evidence.rise?.start), {
      width: CHART_WIDTH,
      height: CHART_HEIGHT,
      scale: 2,
    });
    attachments.push({ filename: `trend-${evidence.incidentId}.png`, content: png, contentType: 'image/png', cid });
  }

  const chartAttached = attachments.length > 0;
  const location = options.chart !== false && options.region ? await locationMap(evidence, options.region, topic) : null;
  if (location) attachments.push(location.attachment);

  const headline = headlineOf(evidence);
  const words = [sizeWords(evidence), statisticsWords(evidence)];
  const span = evidence.firstDay === evidence.lastDay ? null : `本事件自 ${dayWords(evidence.firstDay)}至 ${dayWords(evidence.lastDay)}持续预警。`;
  const grown =
    evidence.kind === 'grown' ? `该预警事件（编号 ${evidence.incidentId}）此前已发出过邮件，现超出预期的工单数已翻番，请优先关注。` : null;
  const samples = evidence.samples.slice(0, SAMPLE_COUNT);
  const related = evidence.related.slice(0, RELATED_MAX).map(relatedLine);
  const moreRelated = evidence.related.length > RELATED_MAX ? `另有 ${evidence.related.length - RELATED_MAX} 条` : null;
  const calibration = evidence.falseIncidents;

  const html = page(subject, [
    banner(evidence.kind === 'grown' ? '热线预警 · 升级' : '热线预警'),
    `<div style="background:#ffffff;padding:16px 16px 8px;">`,
    `<h1 style="margin:0 0 8px;font-size:20px;line-height:1.4;">${esc(topic)} · ${esc(where)}</h1>`,
    grown ? `<p style="margin:0 0 12px;padding:8px 12px;background:#fff4e6;border-left:4px solid ${chartColors.upper};">${esc(grown)}</p>` : '',
    `<p style="margin:0 0 12px;">${esc(headline)}</p>`,
    figures([
      ['受理工单', `${evidence.count} 件`, true],
      ['预期', expectedAmount(evidence.expected), false],
      [boundName(evidence), `${plainNumber(evidence.upper)} 件`, false],
      ['校正后 p 值', formatP(evidence.adjustedP), false],
    ]),
    ...words.map((w) => `<p style="margin:12px 0;">${esc(w)}</p>`),
    span ? `<p style="margin:12px 0;">${esc(span)}</p>` : '',
    chartAttached
      ? `<img src="cid:${esc(cid)}" width="${CHART_WIDTH}" alt="${esc(`${evidence.historyTitle} 近 8 周每日工单走势`)}" style="display:block;width:100%;max-width:${CHART_WIDTH}px;height:auto;border:0;margin:8px 0 4px;">` +
        `<p style="margin:0 0 12px;font-size:12px;color:${chartColors.subtext};">${esc(evidence.historyTitle)}。柱：每日工单量（红色为超出预警上限）；绿线：预期；橙色虚线：${boundName(evidence)}。</p>`
      : '',
    section('同一事件的相关预警', related.length ? `<ul style="margin:0;padding-left:20px;">${related.map((r) => `<li>${esc(r)}</li>`).join('')}</ul>${moreRelated ? muted(moreRelated) : ''}` : muted('无其他序列预警')),
    location
      ? section('位置', `<img src="cid:${esc(location.attachment.cid!)}" width="${MAP_WIDTH}" alt="${esc(`${topic} 发生位置：${location.where}`)}" style="display:block;width:100%;max-width:${MAP_WIDTH}px;height:auto;border:0;margin:4px 0;">`) +
        `<p style="margin:0 0 12px;font-size:12px;color:${chartColors.subtext};">${esc(location.caption)}</p>`
      : '',
    section('工单集中的乡镇街道', rankTable(evidence.topTownships, '乡镇街道', evidence.unnamed?.townships)),
    section('工单集中的地点', rankTable(evidence.topAddresses, '地点', evidence.unnamed?.places)),
    section('工单示例', samples.length > 0 ? samples.map(sampleCard).join('') : muted('暂无可展示的工单')),
    link ? button(link, '在看板中查看并处置此事件') : '',
    `</div>`,
    footer([calibration, reason].filter(Boolean).join(' ')),
  ]);

  const text = [
    subject,
    '',
    grown,
    headline,
    ...words,
    span,
    '',
    `受理工单：${evidence.count} 件`,
    `预期：${expectedAmount(evidence.expected)}`,
    `${boundName(evidence)}：${plainNumber(evidence.upper)} 件`,
    `校正后 p 值：${formatP(evidence.adjustedP)}`,
    '',
    '同一事件的相关预警：',
    ...(related.length ? related.map((r) => `  ${r}`) : ['  无']),
    ...(moreRelated ? [`  ${moreRelated}`] : []),
    '',
    ...(location ? [`位置：${location.caption}`, ''] : []),
    '工单集中的乡镇街道：',
    ...rankLines(evidence.topTownships, '乡镇街道', evidence.unnamed?.townships),
    '',
    '工单集中的地点：',
    ...rankLines(evidence.topAddresses, '地点', evidence.unnamed?.places),
    '',
    '工单示例：',
    ...(samples.length > 0 ? samples.flatMap(sampleLines) : ['  暂无可展示的工单']),
    '',
    link ? `预警详情：${link}` : null,
    '',
    '-- ',
    calibration,
    reason,
  ]
    .filter((line) => line !== null)
    .join('\n');

  return {
    subject,
    html,
    text,
    attachments,
    headers: { 'X-Hotline-Kind': 'alert', 'X-Hotline-Incident': String(evidence.incidentId) },
  };
}

/** One mail listing the day's incidents, grown ones first, each with a link. */
export function composeDigestMail(items: AlertEvidence[], date: string, options: ComposeOptions & { falseIncidents?: string | null } = {}): MailMessage {
  const grown = items.filter((item) => item.kind === 'grown').length;
  const subject =
    items.length === 0
      ? `【预警日报】${date} · 无预警事件`
      : `【预警日报】${date} · ${items.length} 起预警事件${grown > 0 ? `（其中升级 ${grown} 起）` : ''}`;
  const sorted = [...items].sort((a, b) => Number(b.kind === 'grown') - Number(a.kind === 'grown') || a.adjustedP - b.adjustedP || b.count - a.count);
  const reason = reasonLine({ ...options, reason: options.reason ?? '您在预警日报收件人名单中' });
  const rows = sorted.map((item) => ({
    item,
    level: item.kind === 'grown' ? '升级' : item.kind === 'continuing' ? '持续' : '新',
    what: item.topic,
    where: item.where,
    link: incidentLink(item.dashboardUrl ?? options.dashboardUrl, item.incidentId),
  }));

  const cell = 'padding:8px 6px;border-bottom:1px solid #e5e6eb;vertical-align:top;';
  const head = `${cell}white-space:nowrap;font-size:13px;`;
  const table =
    `<table role="presentation" cellpadding="0" cellspacing="0" style="width:100%;border-collapse:collapse;font-size:14px;">` +
    `<tr style="background:#f2f3f5;text-align:left;"><th style="${head}">级别</th><th style="${head}">事件</th>` +
    `<th style="${head}text-align:right;">工单 / 预期</th><th style="${head}text-align:right;">校正后 p 值</th><th style="${head}">详情</th></tr>` +
    rows
      .map(
        (row) =>
          `<tr><td style="${cell}white-space:nowrap;color:${row.item.kind === 'grown' ? chartColors.alert : chartColors.text};font-weight:bold;">${row.level}</td>` +
          `<td style="${cell}">${esc(row.what)}<br><span style="color:${chartColors.subtext};font-size:13px;">${esc(row.where)} · ${esc(row.item.date)}</span></td>` +
          `<td style="${cell}text-align:right;white-space:nowrap;"><b>${row.item.count}</b> / ${esc(expectedText(row.item.expected))}</td>` +
          `<td style="${cell}text-align:right;white-space:nowrap;">${esc(formatP(row.item.adjustedP))}</td>` +
          `<td style="${cell}white-space:nowrap;">${row.link ? `<a href="${esc(row.link)}" style="color:${chartColors.count};">查看 #${row.item.incidentId}</a>` : `#${row.item.incidentId}`}</td></tr>`,
      )
      .join('') +
    `</table>`;

  const html = page(subject, [
    banner(`热线预警日报 · ${date}`),
    `<div style="background:#ffffff;padding:16px 16px 8px;">`,
    items.length === 0
      ? `<p style="margin:0 0 12px;">${esc(date)} 没有预警事件。</p>`
      : `<p style="margin:0 0 12px;">${esc(date)} 共 ${items.length} 起预警事件${grown > 0 ? `，其中 ${grown} 起为升级` : ''}。按紧急程度排列：</p>` + table,
    options.dashboardUrl && isHttpUrl(options.dashboardUrl) ? button(`${trimSlash(options.dashboardUrl)}/alerts`, '在看板中查看全部预警') : '',
    `</div>`,
    footer([options.falseIncidents, reason].filter(Boolean).join(' ')),
  ]);

  const text = [
    subject,
    '',
    ...(items.length === 0
      ? [`${date} 没有预警事件。`]
      : rows.map(
          (row) =>
            `[${row.level}] ${row.what} · ${row.where} · ${row.item.date}：${row.item.count} 件，${expectedPhrase(row.item.expected)}，校正后 p = ${formatP(row.item.adjustedP)}` +
            (row.link ? `\n    ${row.link}` : ''),
        )),
    '',
    '-- ',
    ...(options.falseIncidents ? [options.falseIncidents] : []),
    reason,
  ].join('\n');

  return { subject, html, text, attachments: [], headers: { 'X-Hotline-Kind': 'digest', 'X-Hotline-Date': date } };
}

// Wide enough for the prefecture's names; a phone scales it down like the trend chart.
const MAP_WIDTH = 480;

/**
 * Where the alert is, as a PNG locator map (the district tinted, a pin at its top address's known
 * place, else its top township's, else the district's centre) and a caption that says how precise
 * the pin is. Null when the alert has no place on the map (a prefecture-wide series).
 */
async function locationMap(evidence: AlertEvidence, region: RegionMap, what: string): Promise<{ attachment: MailAttachment; where: string; caption: string } | null> {
  // The incident's own compound when it has one, else where most of its tickets came from.
  const incident = { label: what, district: evidence.series.district, township: evidence.township ?? evidence.topTownships[0]?.name ?? null, address: evidence.place ?? evidence.topAddresses[0]?.name ?? null };
  const map = districtMapAt(region, [], { kind: 'count', valueName: '受理量', width: MAP_WIDTH, locator: true, compact: true, highlight: evidence.series.district, incidents: [incident] });
  const place = map.incidents[0].place;
  if (!place) return null;
  const png = await renderPngAsync(map.option, { width: MAP_WIDTH, height: map.height, scale: 2 });
  // (without map.places there is nothing to place an address on: saying it "could not be located"
  // read as a fault of the address, on every demo mail)
  const unplaced = region.places.length ? '标在区县中心（地址未能定位到已知地点）' : '标在区县中心（未配置小区和乡镇街道坐标 map.places）';
  const precision = { place: '按地址定位', township: '标在乡镇街道中心', district: unplaced }[place.precision];
  return {
    attachment: { filename: `location-${evidence.incidentId}.png`, content: png, contentType: 'image/png', cid: `location-${evidence.incidentId}@hotline-pulse` },
    where: place.where,
    caption: `${place.where}：红色标记${precision}。${region.attribution}。`,
  };
}

// ---------------------------------------------------------------------------------------------
// Wording

/** What happened, where and against what. */
function headlineOf(e: AlertEvidence): string {
  const what = `${e.topic}（${e.where}）`;
  if (e.window === 'week') {
    const span = e.windowFrom && e.windowTo ? `${dayWords(e.windowFrom.slice(0, 10))}至 ${dayWords(e.windowTo.slice(0, 10))}` : weekLabel(dayWords(e.date));
    return `${span}，${what}受理 ${e.count} 件，每天不多，合起来却远超该地点平时：按该地点此前 30 天的情况，一周内${expectedPhrase(e.expected, { about: true, none: '从未有过同类' })}。`;
  }
  if (e.window === 'hour') {
    const span = e.windowFrom && e.windowTo ? `${clock(e.windowFrom)}–${clock(e.windowTo)}` : '数小时内';
    return `${dayWords(e.date)} ${span}，${what}集中受理 ${e.count} 件，按该地点近 30 天的情况，这么长的时间内${expectedPhrase(e.expected, { about: true, none: '从未有过同类' })}。`;
  }
  if (e.topicSurge) {
    return `${dayWords(e.date)}，${what}当日受理 ${e.count} 件，${e.expected === 0 ? '此前四周没有同类诉求' : `按此前四周的同类诉求，每天${expectedPhrase(e.expected, { about: true })}`}，${boundName(e)} ${plainNumber(e.upper)} 件。`;
  }
  return `${dayWords(e.date)}，${what}当日受理 ${e.count} 件，${e.expected === 0 ? '此前几周没有同类' : `按历史规律${expectedPhrase(e.expected, { about: true })}`}，单日预警上限 ${plainNumber(e.upper)} 件。`;
}

/** How much above expectation; a sustained rise under the day's bound says so and shows the rise. */
function sizeWords(e: AlertEvidence): string {
  const times = timesWords(e.count, e.expected);
  if (e.rise && e.count <= e.upper) {
    const share = e.rise.expected > 0 ? Math.round((e.rise.observed / e.rise.expected - 1) * 100) : null;
    return (
      `持续上升：自 ${dayWords(e.rise.start)}起 ${e.rise.days} 天共受理 ${plainNumber(e.rise.observed)} 件，预期 ${plainNumber(e.rise.expected)} 件` +
      `${share !== null ? `（高出 ${share}%）` : ''}；当日 ${e.count} 件${times ? `，${times}` : ''}，未超过单日预警上限。`
    );
  }
  const excess = e.count - e.upper;
  // (the bound named with its value: "超出判定下限 48 件" read as a bound of 48)
  const bound = boundName(e);
  const against =
    excess > 0
      ? `比${bound}（${plainNumber(e.upper)} 件）多 ${plainNumber(excess)} 件。`
      : // a burst, a week or a hot issue's surge alarms on reaching its bound (at least so many tickets)
        e.window !== 'day' || e.topicSurge
        ? `达到${bound}（${plainNumber(e.upper)} 件）。`
        : '未超过单日预警上限，但近期持续偏高。';
  return (times ? `${times}，` : '') + against;
}

/** What the statistics support: the adjusted p-value and the number of tests it accounts for. */
function statisticsWords(e: AlertEvidence): string {
  const n = e.tests.toLocaleString('en-US');
  const tests =
    e.window !== 'day' ? `按当时有工单的 ${n} 个地点做 Bonferroni 校正` : e.topicSurge ? `按当天的 ${n} 个热点话题做 Bonferroni 校正` : `按当天检验的 ${n} 个序列做 Benjamini–Hochberg 校正`;
  return `在没有异常的情况下，出现这样的结果的概率经多重检验校正后为 ${formatP(e.adjustedP)}（${tests}），${rarity(e.adjustedP)}。`;
}

function relatedLine(r: RelatedAlarm): string {
  return `${r.name} · ${r.window === 'week' ? weekLabel(dayWords(r.day)) : `${dayWords(r.day)}${r.window === 'hour' ? '数小时内' : ''}`} ${r.count} 件，${expectedPhrase(r.expected)}`;
}

/** A streak's count covers the week up to its day: '截至 1 月 4 日的一周内', '截至今日的一周内'. */
function weekLabel(day: string): string {
  return `截至${/^\d/.test(day) ? ' ' : ''}${day}的一周内`;
}

/** The bound an alarm's count was held against, by its window. */
function boundName(e: Pick<AlertEvidence, 'window' | 'topicSurge'>): string {
  return e.window === 'hour' ? '突发判定下限' : e.window === 'week' ? '一周集中判定下限' : e.topicSurge ? '话题突增判定下限' : '单日预警上限';
}

/** 今日 for an alert of today, otherwise the date: a mail read the next morning must not say 今日. */
function dayLabel(date: string, today: string): string {
  return date === today ? '今日' : dayWords(date);
}

/** '2025-11-21 07:35:01' → '7:35'. */
function clock(stamp: string): string {
  const match = /\d{2}:\d{2}/.exec(stamp.slice(11));
  return match ? match[0].replace(/^0/, '') : stamp;
}

function shanghaiToday(): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
}

/**
 * '预期 12.3 件', '预期 8 件', '预期 0.4 件', '预期不足 0.1 件' ('预期约 12.3 件' with `about`): the
 * number the 预警 page shows (expectedText: 12.3, 8.0, 0.4, <0.1; prose drops a trailing .0), never
 * '预期 0 件' for a place that is merely quiet. An expectation of exactly 0 comes only from a
 * baseline with none at all (a topic that first appeared that day: its weeks before held no similar
 * request), and is said in words (`none`).
 */
function expectedPhrase(value: number, { about = false, none = '此前几周没有同类' } = {}): string {
  if (value === 0) return none;
  return value < 0.05 ? `预期${expectedAmount(value)}` : `预期${about ? '约' : ''} ${expectedAmount(value)}`;
}

/**
 * How many times the expectation, against the expectation as the mail prints it (one decimal):
 * '是预期的 3.7 倍'; from 10 times on, to two figures: 55 against 0.4 is '约为预期的 140 倍' (not 150,
 * from an unprinted 0.367, nor a precise-looking 137.5). None under 0.1 expected: "是预期的 2300
 * 倍" would only restate a rounding.
 */
export function timesWords(count: number, expected: number): string | null {
  const shown = Math.round(expected * 10) / 10;
  if (shown < 0.1) return null;
  const times = count / shown;
  if (times < 10) return `是预期的 ${plainNumber(times)} 倍`;
  const step = 10 ** (Math.floor(Math.log10(times)) - 1);
  return `约为预期的 ${(Math.round(times / step) * step).toLocaleString('en-US')} 倍`;
}

/** An expected count in a figure: '12.3 件', '0.4 件', '不足 0.1 件', '0 件' (nothing at all expected). */
function expectedAmount(value: number): string {
  return value > 0 && value < 0.05 ? '不足 0.1 件' : `${plainNumber(value)} 件`;
}

/** Plain words for an adjusted p-value; no "N 年一遇": that would ignore how many series are tested. */
function rarity(p: number): string {
  if (p < 1e-6) return '几乎不可能是偶然波动';
  if (p < 1e-3) return '很难用偶然波动解释';
  return '偏高，但仍可能是偶然波动';
}

function reasonLine(options: ComposeOptions): string {
  const routes = options.routes ?? [];
  const why =
    routes.length > 0
      ? `您收到此邮件，是因为您在预警分发规则${routes.map((name) => `「${name}」`).join('')}的收件人中。`
      : `您收到此邮件，是因为${options.reason ?? '您在预警收件人名单中'}。`;
  return `${why}此邮件由 Hotline Pulse 热线分析系统自动发送，请勿直接回复；如需调整接收范围，请联系系统管理员。`;
}

function incidentLink(base: string | undefined, incidentId: number): string | null {
  if (!base || !isHttpUrl(base)) return null;
  return `${trimSlash(base)}/alerts?incident=${encodeURIComponent(String(incidentId))}`;
}

function isHttpUrl(value: string): boolean {
  return /^https?:\/\/[^\s"'<>]+$/i.test(value);
}

function trimSlash(url: string): string {
  return url.replace(/\/+$/, '');
}

function truncate(text: string, max: number): string {
  const chars = Array.from(text);
  return chars.length > max ? `${chars.slice(0, max).join('')}…` : text;
}

// ---------------------------------------------------------------------------------------------
// HTML: inline styles only (mail clients drop <style> and external CSS), one column for phones.

/** Escapes text for HTML content and attribute values: ticket text is untrusted. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}
const esc = escapeHtml;

function page(title: string, parts: string[]): string {
  return (
    `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">` +
    `<meta name="viewport" content="width=device-width, initial-scale=1"><title>${esc(title)}</title></head>` +
    `<body style="margin:0;padding:0;background:#f2f3f5;">` +
    `<div style="max-width:640px;margin:0 auto;padding:12px;font-family:${esc(CHART_FONT_FAMILY)};font-size:15px;line-height:1.6;color:${chartColors.text};">` +
    parts.join('') +
    `</div></body></html>`
  );
}

function banner(text: string): string {
  return `<div style="background:${chartColors.alert};color:#ffffff;padding:10px 16px;border-radius:8px 8px 0 0;font-size:16px;font-weight:bold;">${esc(text)}</div>`;
}

function figures(rows: [string, string, boolean][]): string {
  return (
    `<table role="presentation" cellpadding="0" cellspacing="0" style="width:100%;border-collapse:collapse;font-size:15px;">` +
    rows
      .map(
        ([label, value, strong]) =>
          `<tr><td style="padding:6px 0;border-bottom:1px solid #e5e6eb;color:${chartColors.subtext};">${esc(label)}</td>` +
          `<td style="padding:6px 0;border-bottom:1px solid #e5e6eb;text-align:right;${strong ? `font-size:20px;font-weight:bold;color:${chartColors.alert};` : ''}">${esc(value)}</td></tr>`,
      )
      .join('') +
    `</table>`
  );
}

function section(title: string, body: string): string {
  return `<h2 style="margin:20px 0 8px;font-size:16px;line-height:1.4;">${esc(title)}</h2>${body}`;
}

function muted(text: string): string {
  return `<p style="margin:8px 0;color:${chartColors.subtext};">${esc(text)}</p>`;
}

/**
 * A ranking of places, and what it leaves out: the tickets that name no township (or place). One
 * township named by 1 of 17 tickets is not where they concentrate, and the reader is told so.
 */
function rankTable(rows: { name: string; count: number }[], what: string, unnamed?: number): string {
  const note = unnamedText(rows.length > 0, unnamed, what);
  if (rows.length === 0) return muted(note ?? `无${what}信息`);
  return (
    `<table role="presentation" cellpadding="0" cellspacing="0" style="width:100%;border-collapse:collapse;font-size:14px;">` +
    rows
      .map(
        (row) =>
          `<tr><td style="padding:5px 0;border-bottom:1px solid #f0f1f2;">${esc(row.name)}</td>` +
          `<td style="padding:5px 0 5px 8px;border-bottom:1px solid #f0f1f2;text-align:right;white-space:nowrap;">${row.count} 件</td></tr>`,
      )
      .join('') +
    `</table>` +
    (note ? muted(note) : '')
  );
}

function rankLines(rows: { name: string; count: number }[], what: string, unnamed?: number): string[] {
  const note = unnamedText(rows.length > 0, unnamed, what);
  if (rows.length === 0) return [`  ${note ?? '无'}`];
  return [...rows.map((row) => `  ${row.name}：${row.count} 件`), ...(note ? [`  ${note}`] : [])];
}

function sampleCard(sample: AlertEvidence['samples'][number]): string {
  const content = sample.content ? truncate(sample.content, SAMPLE_MAX_CHARS) : '（无诉求内容）';
  return (
    `<div style="margin:0 0 10px;padding:10px 12px;background:#f7f8fa;border-radius:6px;">` +
    `<div style="font-size:12px;color:${chartColors.subtext};">${esc(sample.ticket_id)} · ${esc(sample.received_at)}${sample.address ? ` · ${esc(sample.address)}` : ''}</div>` +
    `<div style="margin-top:4px;white-space:pre-wrap;word-break:break-word;">${esc(content)}</div>` +
    `</div>`
  );
}

function sampleLines(sample: AlertEvidence['samples'][number]): string[] {
  const content = sample.content ? truncate(sample.content, SAMPLE_MAX_CHARS) : '（无诉求内容）';
  return [`  ${sample.ticket_id} · ${sample.received_at}${sample.address ? ` · ${sample.address}` : ''}`, `    ${content.replace(/\s*\n\s*/g, ' ')}`];
}

function button(href: string, label: string): string {
  return (
    `<p style="margin:20px 0 12px;"><a href="${esc(href)}" style="display:inline-block;background:${chartColors.count};color:#ffffff;` +
    `text-decoration:none;padding:10px 18px;border-radius:6px;font-weight:bold;">${esc(label)}</a></p>` +
    `<p style="margin:0 0 12px;font-size:12px;color:${chartColors.subtext};word-break:break-all;">${esc(href)}</p>`
  );
}

function footer(reason: string): string {
  return `<div style="padding:12px 16px;font-size:12px;line-height:1.5;color:${chartColors.subtext};">${esc(reason)}</div>`;
}
