/**
 * How the reports write numbers (kpi-definitions.md): rates as percentages with 2 decimals, "—"
 * for a rate without denominator; 环比/同比 of counts in percent, of rates in percentage points.
 */
// (the catalogue itself, not pipelines/kpi.js: the dashboard's browser bundle imports this module)
import { isUnknownPlace } from '../pipelines/kpi/catalogue.js';

export function rateText(value: number | null | undefined): string {
  return value === null || value === undefined ? '—' : `${(value * 100).toFixed(2)}%`;
}

/** A rate in a sentence: "满意率 97.69%", or "满意率无法计算" — never a bare dash in prose. */
export function rateWords(name: string, value: number | null | undefined): string {
  return value === null || value === undefined ? `${name}无法计算` : `${name} ${rateText(value)}`;
}

export function countText(value: number | null | undefined): string {
  return value === null || value === undefined ? '—' : Math.round(value).toLocaleString('zh-CN');
}

export function hoursText(value: number | null | undefined): string {
  return value === null || value === undefined ? '—' : `${value.toFixed(2)} 小时`;
}

const sign = (value: number) => (value > 0 ? '+' : value < 0 ? '−' : '±');

/** A count's change: "+12.34%". */
export function pctChangeText(value: number | null | undefined): string {
  return value === null || value === undefined ? '—' : `${sign(value)}${Math.abs(value).toFixed(2)}%`;
}

/**
 * A count's rise from an earlier count, in a sentence: "环比 +35.20%"; from twice it on, as a
 * multiple — "是上月的 42.5 倍" — where "+4150.00%" would state a rise from 4 to 170 with false precision.
 */
export function riseText(current: number, previous: number, changePct: number | null, period = '上月'): string {
  const figure = riseFigure(current, previous, changePct);
  return figure.endsWith('倍') ? `是${period}的 ${figure}` : `环比 ${figure}`;
}

/** The same rise as a table cell: "42.5 倍" from twice the earlier count on, else "+35.20%". */
export function riseFigure(current: number, previous: number, changePct: number | null): string {
  if (previous > 0 && current >= 2 * previous) {
    const times = current / previous;
    return `${times >= 10 ? Math.round(times).toLocaleString('en-US') : (Math.round(times * 10) / 10).toString()} 倍`;
  }
  return pctChangeText(changePct);
}

/** A rate's change: "+1.20 个百分点". */
export function ppChangeText(value: number | null | undefined): string {
  return value === null || value === undefined ? '—' : `${sign(value)}${Math.abs(value).toFixed(2)} 个百分点`;
}

/** In a sentence: "增长 12.34%" / "下降 3.00%" / "持平". */
export function pctChangeWords(value: number | null): string {
  if (value === null) return '无可比数据';
  if (Math.abs(value) < 0.005) return '持平';
  return `${value > 0 ? '增长' : '下降'} ${Math.abs(value).toFixed(2)}%`;
}

/** In a sentence: "上升 1.20 个百分点" / "下降 …" / "持平". */
export function ppChangeWords(value: number | null): string {
  if (value === null) return '无可比数据';
  if (Math.abs(value) < 0.005) return '持平';
  return `${value > 0 ? '上升' : '下降'} ${Math.abs(value).toFixed(2)} 个百分点`;
}

/**
 * A district's leading townships in a table cell, largest first: "建国路街道 968、北京南路街道 948".
 * Tickets without a township are not a township, so they never take a place among the leaders:
 * they follow as "另有 2,317 件未写乡镇街道" (as in the alert mails).
 */
export function topTownshipsText(townships: { name: string; received: number }[], n = 3): string {
  const unnamed = townships.filter((t) => isUnknownPlace(t.name)).reduce((sum, t) => sum + t.received, 0);
  const named = townships.filter((t) => !isUnknownPlace(t.name)).slice(0, n).map((t) => `${t.name} ${countText(t.received)}`);
  const note = unnamedText(named.length > 0, unnamed, '乡镇街道');
  return [named.join('、'), note].filter(Boolean).join('；') || '—';
}

/**
 * What a list of places leaves out: the tickets that name none. "另有 16 件未写乡镇街道" after a
 * list, "17 件都未写地点" instead of one; null when every ticket names one. Reports and mails.
 */
export function unnamedText(listed: boolean, unnamed: number | undefined, what: string): string | null {
  if (!unnamed) return null;
  return listed ? `另有 ${countText(unnamed)} 件未写${what}` : `${countText(unnamed)} 件都未写${what}`;
}

export { shareText } from './charts/dashboard-options.js';

/** '2025-08-11' (or a timestamp of that day) → '8 月 11 日'; anything else as it is. Reports and mails. */
export function dayWords(day: string): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})/.exec(day);
  return match ? `${Number(match[2])} 月 ${Number(match[3])} 日` : day;
}

/** The days of an incident: '8 月 11 日', '7 月 30 日至 31 日', '7 月 30 日至 8 月 2 日'. */
export function daySpanWords(first: string, last: string): string {
  if (first === last) return dayWords(first);
  return first.slice(0, 7) === last.slice(0, 7) ? `${dayWords(first)}至 ${Number(last.slice(8, 10))} 日` : `${dayWords(first)}至 ${dayWords(last)}`;
}

/** '2025-08' → '2025 年 8 月'. */
export function monthWords(month: string): string {
  return `${month.slice(0, 4)} 年 ${Number(month.slice(5, 7))} 月`;
}

/**
 * Ticket text for a report: personal data is masked at ingest already; runs of 6+ digits (phone,
 * ID, account numbers that slipped through) are masked again, and long texts are cut.
 */
export function caseText(text: string | null, max = 160): string {
  if (!text) return '';
  const masked = text.replace(/\d{6,}[\dXx]*/g, (digits) => `${digits.slice(0, 3)}${'*'.repeat(Math.max(0, digits.length - 5))}${digits.slice(-2)}`);
  const chars = [...masked];
  return chars.length > max ? `${chars.slice(0, max).join('')}…` : masked;
}

/**
 * Where a ticket is, in a sentence: "昌吉市 绿洲路街道", "昌吉市" when it names no township — never
 * "昌吉市 未知乡镇街道" (a typical case of the demo's report read so) — and "未写区县" when neither.
 */
export function whereText(district: string | null | undefined, township: string | null | undefined): string {
  return [district, township].filter((name) => !isUnknownPlace(name)).join(' ') || '未写区县';
}

/**
 * A period's notes folded for a reader of a report or a page, one line per cause: the notes of
 * figures an export cannot give (pipelines/kpi/totals.ts, missingNotes: "本月工单无办结时间，办结率无法
 * 计算", "本月无话务记录，接通率无法计算") become "本月工单没有以下字段，括号中的指标无法计算：办结时间（办结
 * 率）、…" and "本月无话务记录：接通率、呼入量无法计算"; comparisons withheld for the same reason
 * ("受理量：上月没有数据，不作比较", "转办量：上月没有数据，不作比较") become "受理量、转办量：上月没有数据，
 * 不作比较". Any other note is kept as it is, in its place.
 * (test/kpi/missing.test.ts feeds it missingNotes' own output, so the two keep to the same words.)
 */
export function foldNotes(notes: readonly string[]): string[] {
  const fields = new Map<string, string[]>();
  const noCalls = new Map<string, string[]>();
  const withheld = new Map<string, string[]>();
  const out: (string | { fields: string } | { calls: string } | { withheld: string })[] = [];
  const add = (map: Map<string, string[]>, key: string, value: string, marker: (typeof out)[number]) => {
    if (!map.has(key)) {
      map.set(key, []);
      out.push(marker);
    }
    map.get(key)!.push(value);
  };
  for (const note of notes) {
    const field = /^(本月|本期)(工单|来电)无(.+?)，(.+)无法计算$/.exec(note);
    const calls = /^(本月|本期)无话务记录，(.+)无法计算$/.exec(note);
    const comparison = /^([^：]+)：((?:上月|去年同期).+)$/.exec(note);
    if (field) add(fields, field[1] + field[2], `${field[3]}（${field[4]}）`, { fields: field[1] + field[2] });
    else if (calls) add(noCalls, calls[1], calls[2], { calls: calls[1] });
    else if (comparison) add(withheld, comparison[2], comparison[1], { withheld: comparison[2] });
    else out.push(note);
  }
  return out.map((item) => {
    if (typeof item === 'string') return item;
    if ('calls' in item) return `${item.calls}无话务记录：${noCalls.get(item.calls)!.join('、')}无法计算`;
    if ('withheld' in item) return `${withheld.get(item.withheld)!.join('、')}：${item.withheld}`;
    const pairs = fields.get(item.fields)!;
    if (pairs.length === 1) {
      const [, label, name] = /^(.+)（(.+)）$/.exec(pairs[0])!;
      return `${item.fields}无${label}，${name}无法计算`;
    }
    return `${item.fields}没有以下字段，括号中的指标无法计算：${pairs.join('、')}`;
  });
}
