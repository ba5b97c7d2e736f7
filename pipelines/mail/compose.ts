import { districtMapAt, type RegionMap } from '../../reports/charts/map-options.js';
import { alertTrendOption, type AlertHistoryDay } from '../../reports/charts/options.js';
import { renderPng } from '../../reports/charts/render.js';
import { CHART_FONT_FAMILY, chartColors } from '../../reports/charts/theme.js';
import type { AlertSeries } from './routes.js';

/** Everything an alert mail says about one episode; ticket texts arrive masked by ingest. */
export interface AlertEvidence {
  episodeId: number;
  level: 'new' | 'escalated';
  series: AlertSeries;
  /** The evaluated day, YYYY-MM-DD. */
  date: string;
  count: number;
  expected: number;
  upper: number;
  pValue: number;
  score: number;
  window: 'day' | 'hour';
  /** The last 56 days, ending with `date`. */
  history: AlertHistoryDay[];
  topTownships: { name: string; count: number }[];
  topAddresses: { name: string; count: number }[];
  samples: { ticket_id: string; received_at: string; content: string | null; address: string | null }[];
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
  /** Extra headers, e.g. X-Hotline-Episode, so that the dashboard can link an outbox file to its episode. */
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
// Narrow enough that axis labels stay legible when a phone shrinks the picture to its width.
const CHART_WIDTH = 480;
const CHART_HEIGHT = 280;

/** The subject and body of the mail for one new or escalated alert episode. */
export function composeAlertMail(evidence: AlertEvidence, options: ComposeOptions = {}): MailMessage {
  const what = seriesName(evidence.series);
  const where = evidence.series.district ?? '全辖区';
  const when = whenLabel(evidence, options.today ?? shanghaiToday());
  const tag = evidence.level === 'escalated' ? '【预警升级】' : '【预警】';
  const subject = `${tag}${what} · ${where} · ${when} ${evidence.count} 件，预期 ${formatCount(evidence.expected)} 件`;
  const link = episodeLink(evidence.dashboardUrl ?? options.dashboardUrl, evidence.episodeId);
  const reason = reasonLine(options);

  const attachments: MailAttachment[] = [];
  const cid = `trend-${evidence.episodeId}@hotline-pulse`;
  if (options.chart !== false && evidence.history.length > 0) {
    const png = renderPng(alertTrendOption(evidence.history, `${what} · ${where} 近 8 周每日工单`, evidence.date), {
      width: CHART_WIDTH,
      height: CHART_HEIGHT,
      scale: 2,
    });
    attachments.push({ filename: `trend-${evidence.episodeId}.png`, content: png, contentType: 'image/png', cid });
  }

  const location = options.chart !== false && options.region ? locationMap(evidence, options.region, what) : null;
  if (location) attachments.push(location.attachment);

  const ratio = evidence.expected > 0 ? evidence.count / evidence.expected : Infinity;
  const excess = evidence.count - evidence.upper;
  const headline =
    `${monthDay(evidence.date)}，${what}（${where}）${evidence.window === 'hour' ? '数小时内' : '当日'}受理 ${evidence.count} 件，` +
    `按历史规律预期约 ${formatNumber(evidence.expected)} 件，预警上限 ${formatNumber(evidence.upper)} 件。`;
  const words =
    `${ratio === Infinity ? '预期接近 0 件' : `是预期的 ${formatNumber(ratio)} 倍`}，` +
    // An alert from the sustained-rise channel (CUSUM) may stay under the one-day bound.
    (excess > 0 ? `超出预警上限 ${formatNumber(excess)} 件。` : '未超过单日预警上限，但近期持续偏高。') +
    `在正常情况下出现这么多工单的概率为 ${formatP(evidence.pValue)}（${returnPeriod(evidence.pValue, evidence.window)}），${rarity(evidence.pValue)}。`;
  const escalation =
    evidence.level === 'escalated' ? `该预警事件（编号 ${evidence.episodeId}）此前已发出过预警，现进一步升级，请优先关注。` : null;
  const samples = evidence.samples.slice(0, SAMPLE_COUNT);

  const html = page(subject, [
    banner(evidence.level === 'escalated' ? '热线预警 · 升级' : '热线预警'),
    `<div style="background:#ffffff;padding:16px 16px 8px;">`,
    `<h1 style="margin:0 0 8px;font-size:20px;line-height:1.4;">${esc(what)} · ${esc(where)}</h1>`,
    escalation ? `<p style="margin:0 0 12px;padding:8px 12px;background:#fff4e6;border-left:4px solid ${chartColors.upper};">${esc(escalation)}</p>` : '',
    `<p style="margin:0 0 12px;">${esc(headline)}</p>`,
    figures([
      ['受理工单', `${evidence.count} 件`, true],
      ['预期', `${formatNumber(evidence.expected)} 件`, false],
      ['预警上限', `${formatNumber(evidence.upper)} 件`, false],
      ['p 值', formatP(evidence.pValue), false],
      ['异常分数', formatNumber(evidence.score), false],
    ]),
    `<p style="margin:12px 0;">${esc(words)}</p>`,
    attachments.length > 0
      ? `<img src="cid:${esc(cid)}" width="${CHART_WIDTH}" alt="${esc(`${what} 近 8 周每日工单走势`)}" style="display:block;width:100%;max-width:${CHART_WIDTH}px;height:auto;border:0;margin:8px 0 4px;">` +
        `<p style="margin:0 0 12px;font-size:12px;color:${chartColors.subtext};">柱：每日工单量（红色为超出预警上限）；绿线：预期；橙色虚线：预警上限。</p>`
      : '',
    location
      ? section('位置', `<img src="cid:${esc(location.attachment.cid!)}" width="${MAP_WIDTH}" alt="${esc(`${what} 发生位置：${location.where}`)}" style="display:block;width:100%;max-width:${MAP_WIDTH}px;height:auto;border:0;margin:4px 0;">`) +
        `<p style="margin:0 0 12px;font-size:12px;color:${chartColors.subtext};">${esc(location.caption)}</p>`
      : '',
    section('工单集中的乡镇街道', rankTable(evidence.topTownships, '乡镇街道')),
    section('工单集中的地址', rankTable(evidence.topAddresses, '地址')),
    section('工单示例', samples.length > 0 ? samples.map(sampleCard).join('') : muted('暂无可展示的工单')),
    link ? button(link, '在看板中查看预警详情') : muted('看板地址未配置，请在热线看板的“预警”页查看详情。'),
    `</div>`,
    footer(reason),
  ]);

  const text = [
    subject,
    '',
    escalation,
    headline,
    words,
    '',
    `受理工单：${evidence.count} 件`,
    `预期：${formatNumber(evidence.expected)} 件`,
    `预警上限：${formatNumber(evidence.upper)} 件`,
    `p 值：${formatP(evidence.pValue)}`,
    `异常分数：${formatNumber(evidence.score)}`,
    '',
    ...(location ? [`位置：${location.caption}`, ''] : []),
    '工单集中的乡镇街道：',
    ...rankLines(evidence.topTownships),
    '',
    '工单集中的地址：',
    ...rankLines(evidence.topAddresses),
    '',
    '工单示例：',
    ...(samples.length > 0 ? samples.flatMap(sampleLines) : ['  暂无可展示的工单']),
    '',
    link ? `预警详情：${link}` : '看板地址未配置，请在热线看板的“预警”页查看详情。',
    '',
    '-- ',
    reason,
  ]
    .filter((line) => line !== null)
    .join('\n');

  return {
    subject,
    html,
    text,
    attachments,
    headers: { 'X-Hotline-Kind': 'alert', 'X-Hotline-Episode': String(evidence.episodeId) },
  };
}

/** One mail listing the day's alerts, most urgent first, each with a link to its episode. */
export function composeDigestMail(items: AlertEvidence[], date: string, options: ComposeOptions = {}): MailMessage {
  const escalated = items.filter((item) => item.level === 'escalated').length;
  const subject =
    items.length === 0
      ? `【预警日报】${date} · 无新预警`
      : `【预警日报】${date} · ${items.length} 条预警${escalated > 0 ? `（其中升级 ${escalated} 条）` : ''}`;
  const sorted = [...items].sort(
    (a, b) => Number(b.level === 'escalated') - Number(a.level === 'escalated') || a.pValue - b.pValue || b.count - a.count,
  );
  const reason = reasonLine({ ...options, reason: options.reason ?? '您在预警日报收件人名单中' });
  const rows = sorted.map((item) => ({
    item,
    level: item.level === 'escalated' ? '升级' : '新',
    what: seriesName(item.series),
    where: item.series.district ?? '全辖区',
    link: episodeLink(item.dashboardUrl ?? options.dashboardUrl, item.episodeId),
  }));

  const cell = 'padding:8px 6px;border-bottom:1px solid #e5e6eb;vertical-align:top;';
  const head = `${cell}white-space:nowrap;font-size:13px;`;
  const table =
    `<table role="presentation" cellpadding="0" cellspacing="0" style="width:100%;border-collapse:collapse;font-size:14px;">` +
    `<tr style="background:#f2f3f5;text-align:left;"><th style="${head}">级别</th><th style="${head}">类别 · 区县</th>` +
    `<th style="${head}text-align:right;">工单 / 预期</th><th style="${head}text-align:right;">p 值</th><th style="${head}">详情</th></tr>` +
    rows
      .map(
        (row) =>
          `<tr><td style="${cell}white-space:nowrap;color:${row.item.level === 'escalated' ? chartColors.alert : chartColors.text};font-weight:bold;">${row.level}</td>` +
          `<td style="${cell}">${esc(row.what)}<br><span style="color:${chartColors.subtext};font-size:13px;">${esc(row.where)} · ${esc(row.item.date)}</span></td>` +
          `<td style="${cell}text-align:right;white-space:nowrap;"><b>${row.item.count}</b> / ${formatNumber(row.item.expected)}</td>` +
          `<td style="${cell}text-align:right;white-space:nowrap;">${esc(formatP(row.item.pValue))}</td>` +
          `<td style="${cell}white-space:nowrap;">${row.link ? `<a href="${esc(row.link)}" style="color:${chartColors.count};">查看 #${row.item.episodeId}</a>` : `#${row.item.episodeId}`}</td></tr>`,
      )
      .join('') +
    `</table>`;

  const html = page(subject, [
    banner(`热线预警日报 · ${date}`),
    `<div style="background:#ffffff;padding:16px 16px 8px;">`,
    items.length === 0
      ? `<p style="margin:0 0 12px;">${esc(date)} 没有新的或升级的预警。</p>`
      : `<p style="margin:0 0 12px;">${esc(date)} 共 ${items.length} 条预警${escalated > 0 ? `，其中 ${escalated} 条为升级` : ''}。按紧急程度排列：</p>` + table,
    options.dashboardUrl && isHttpUrl(options.dashboardUrl)
      ? button(`${trimSlash(options.dashboardUrl)}/alerts`, '在看板中查看全部预警')
      : '',
    `</div>`,
    footer(reason),
  ]);

  const text = [
    subject,
    '',
    ...(items.length === 0
      ? [`${date} 没有新的或升级的预警。`]
      : rows.map(
          (row) =>
            `[${row.level}] ${row.what} · ${row.where} · ${row.item.date}：${row.item.count} 件，预期 ${formatNumber(row.item.expected)} 件，p = ${formatP(row.item.pValue)}` +
            (row.link ? `\n    ${row.link}` : ''),
        )),
    '',
    '-- ',
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
function locationMap(evidence: AlertEvidence, region: RegionMap, what: string): { attachment: MailAttachment; where: string; caption: string } | null {
  const incident = { label: what, district: evidence.series.district, township: evidence.topTownships[0]?.name ?? null, address: evidence.topAddresses[0]?.name ?? null };
  const map = districtMapAt(region, [], { kind: 'count', valueName: '受理量', width: MAP_WIDTH, locator: true, compact: true, highlight: evidence.series.district, incidents: [incident] });
  const place = map.incidents[0].place;
  if (!place) return null;
  const png = renderPng(map.option, { width: MAP_WIDTH, height: map.height, scale: 2 });
  const precision = { place: '按地址定位', township: '标在乡镇街道中心', district: '标在区县中心（地址未能定位到已知地点）' }[place.precision];
  return {
    attachment: { filename: `location-${evidence.episodeId}.png`, content: png, contentType: 'image/png', cid: `location-${evidence.episodeId}@hotline-pulse` },
    where: place.where,
    caption: `${place.where}：红色标记${precision}。${region.attribution}。`,
  };
}

// ---------------------------------------------------------------------------------------------
// Wording

function seriesName(series: AlertSeries): string {
  return series.category_l2 ?? series.category_l1;
}

/** 今日 for an alert of today, otherwise the date: a mail read the next morning must not say 今日. */
function whenLabel(evidence: AlertEvidence, today: string): string {
  if (evidence.window === 'hour') return '数小时内';
  return evidence.date === today ? '今日' : monthDay(evidence.date);
}

function monthDay(date: string): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})/.exec(date);
  return match ? `${Number(match[2])} 月 ${Number(match[3])} 日` : date;
}

function shanghaiToday(): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
}

/** Counts in subjects: whole numbers from 10 on, one decimal below (预期 0.4 件, not 0 件). */
function formatCount(value: number): string {
  return value >= 10 ? String(Math.round(value)) : formatNumber(value);
}

/** One decimal, without a trailing .0. */
function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const rounded = Math.round(value * 10) / 10;
  return Number.isInteger(rounded) ? String(rounded) : rounded.toFixed(1);
}

const SUPERSCRIPT: Record<string, string> = { '-': '⁻', '0': '⁰', '1': '¹', '2': '²', '3': '³', '4': '⁴', '5': '⁵', '6': '⁶', '7': '⁷', '8': '⁸', '9': '⁹' };

/** 0.0032 → '0.0032'; 3.2e-6 → '3.2 × 10⁻⁶'. */
export function formatP(p: number): string {
  if (!(p > 0)) return '< 10⁻¹⁶';
  if (p >= 0.001) return String(Number(p.toPrecision(2)));
  const exponent = Math.floor(Math.log10(p));
  let mantissa = Number((p / 10 ** exponent).toPrecision(2));
  let power = exponent;
  if (mantissa >= 10) {
    mantissa /= 10;
    power += 1;
  }
  const sup = String(power).split('').map((c) => SUPERSCRIPT[c] ?? c).join('');
  return mantissa === 1 ? `10${sup}` : `${mantissa} × 10${sup}`;
}

/** How often such a count happens by chance, in words: 1 / p evaluation windows. */
export function returnPeriod(p: number, window: 'day' | 'hour'): string {
  if (!(p > 0)) return '正常情况下几乎不可能出现';
  const days = window === 'hour' ? 1 / p / 24 : 1 / p;
  if (days < 2) return window === 'hour' ? `约每 ${Math.max(1, Math.round(1 / p))} 小时就会出现一次` : '几乎每天都可能出现';
  if (days < 60) return `约 ${Math.round(days)} 天一遇`;
  if (days < 730) return `约 ${Math.round(days / 30)} 个月一遇`;
  if (days < 3_652_500) return `约 ${Math.round(days / 365).toLocaleString('en-US')} 年一遇`;
  return '万年一遇以上';
}

function rarity(p: number): string {
  if (p < 1e-6) return '极不寻常，很可能是真实的聚集事件';
  if (p < 1e-4) return '非常不寻常';
  if (p < 1e-3) return '不寻常';
  return '明显偏高';
}

function reasonLine(options: ComposeOptions): string {
  const routes = options.routes ?? [];
  const why =
    routes.length > 0
      ? `您收到此邮件，是因为您在预警分发规则${routes.map((name) => `「${name}」`).join('')}的收件人中。`
      : `您收到此邮件，是因为${options.reason ?? '您在预警收件人名单中'}。`;
  return `${why}此邮件由 Hotline Pulse 热线分析系统自动发送，请勿直接回复；如需调整接收范围，请联系系统管理员。`;
}

function episodeLink(base: string | undefined, episodeId: number): string | null {
  if (!base || !isHttpUrl(base)) return null;
  return `${trimSlash(base)}/alerts/${encodeURIComponent(String(episodeId))}`;
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

function rankTable(rows: { name: string; count: number }[], what: string): string {
  if (rows.length === 0) return muted(`无${what}信息`);
  return (
    `<table role="presentation" cellpadding="0" cellspacing="0" style="width:100%;border-collapse:collapse;font-size:14px;">` +
    rows
      .map(
        (row) =>
          `<tr><td style="padding:5px 0;border-bottom:1px solid #f0f1f2;">${esc(row.name)}</td>` +
          `<td style="padding:5px 0 5px 8px;border-bottom:1px solid #f0f1f2;text-align:right;white-space:nowrap;">${row.count} 件</td></tr>`,
      )
      .join('') +
    `</table>`
  );
}

function rankLines(rows: { name: string; count: number }[]): string[] {
  return rows.length > 0 ? rows.map((row) => `  ${row.name}：${row.count} 件`) : ['  无'];
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
