import { ticketDays } from './hotspots.js';
import { sqlFile, type Warehouse } from './warehouse.js';
import { UNCATEGORISED } from './kpi/catalogue.js';

/**
 * Seasonal profiles and next month's outlook (未诉先办): per category, which calendar months run
 * above the yearly mean and by how much, whether that holds across years, and the expected
 * volume of the coming month with an interval, in a sentence a report can use.
 */

export interface SeasonalOutlook {
  level: 'l1' | 'l2';
  category: string;
  /** index[m] for months 1–12: the mean over years of (month's count ÷ that year's monthly mean). */
  index: (number | null)[];
  /** Months whose index is at least 1.15, with the index. */
  highMonths: { month: number; index: number }[];
  /** Spread (sd) of the target month's ratio across years; small = a stable season. */
  stability: number | null;
  stable: boolean;
  targetMonth: string;
  currentCount: number;
  forecast: number;
  low: number;
  high: number;
  /** forecast ÷ this month − 1. */
  change: number;
  lastYearPeakWeek: string | null;
  sentence: string;
}

const monthOf = (s: string) => Number(s.slice(5, 7));
const nextMonth = (month: string) => {
  const [y, m] = month.split('-').map(Number);
  return m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`;
};
const WEEK_NAMES = ['第一周', '第二周', '第三周', '第四周', '第五周'];

export async function seasonalOutlook(warehouse: Warehouse, month: string, options: { level?: 'l1' | 'l2'; minMonthly?: number; limit?: number } = {}): Promise<SeasonalOutlook[]> {
  const level = options.level ?? 'l2';
  const target = nextMonth(month);
  const rows = await warehouse.all<{ level: string; category: string; month: string; n: number }>(sqlFile('alerts/monthly_category_counts.sql'), { to: `${target}-01 00:00:00` });
  const byCategory = new Map<string, Map<string, number>>();
  for (const row of rows) {
    if (row.level !== level) continue;
    let months = byCategory.get(row.category);
    if (!months) byCategory.set(row.category, (months = new Map()));
    months.set(String(row.month).slice(0, 7), row.n);
  }
  const targetNumber = monthOf(target);
  const outlooks: SeasonalOutlook[] = [];
  for (const [category, months] of byCategory) {
    if (category === UNCATEGORISED) continue; // not a kind of request that has a season
    // Whole years only (12 months each, ending with `month`), so every ratio has a fair yearly mean.
    const ratios: number[][] = Array.from({ length: 12 }, () => []);
    const years: number[] = [];
    for (let end = month; ; ) {
      const span: string[] = [];
      let cursor = end;
      for (let i = 0; i < 12; i++) {
        span.unshift(cursor);
        const [y, m] = cursor.split('-').map(Number);
        cursor = m === 1 ? `${y - 1}-12` : `${y}-${String(m - 1).padStart(2, '0')}`;
      }
      if (!months.has(span[0]) && ![...months.keys()].some((k) => k < span[0])) break;
      const counts = span.map((m) => months.get(m) ?? 0);
      const mean = counts.reduce((a, b) => a + b, 0) / 12;
      if (mean <= 0) break;
      span.forEach((m, i) => ratios[monthOf(m) - 1].push(counts[i] / mean));
      years.push(mean);
      end = cursor;
      if (years.length >= 5) break;
    }
    if (!years.length || years[0] < (options.minMonthly ?? 20)) continue;
    const index = ratios.map((r) => (r.length ? r.reduce((a, b) => a + b, 0) / r.length : null));
    const targetRatios = ratios[targetNumber - 1];
    const logs = targetRatios.filter((r) => r > 0).map(Math.log);
    const meanLog = logs.reduce((a, b) => a + b, 0) / Math.max(logs.length, 1);
    const sd = logs.length >= 2 ? Math.sqrt(logs.reduce((a, b) => a + (b - meanLog) ** 2, 0) / (logs.length - 1)) : null;
    const level12 = years[0];
    const growth = years.length >= 2 ? Math.min(1.3, Math.max(0.7, years[0] / years[1])) : 1;
    // Next month = the last 12 months' level × the month's seasonal index × a year's growth share.
    const forecast = level12 * (index[targetNumber - 1] ?? 1) * Math.pow(growth, 1 / 12);
    const spread = Math.max(sd ?? 0.25, 0.08) * 1.96;
    const currentCount = months.get(month) ?? 0;
    const change = currentCount > 0 ? forecast / currentCount - 1 : 0;
    const peak = await warehouse.one<{ week: string; n: number }>(sqlFile('alerts/weekly_category_peak.sql'), { to: `${target}-01 00:00:00`, level, category });
    let peakText: string | null = null;
    if (peak) {
      const week = String(peak.week).slice(0, 10);
      const day = Number(week.slice(8, 10));
      peakText = `${Number(week.slice(5, 7))} 月${WEEK_NAMES[Math.min(4, Math.floor((day - 1) / 7))]}`;
    }
    const direction = change >= 0 ? `增加约 ${Math.round(change * 100)}%` : `减少约 ${Math.round(-change * 100)}%`;
    const highMonths = index.map((v, i) => ({ month: i + 1, index: v ?? 0 })).filter((m) => m.index >= 1.15);
    outlooks.push({
      level,
      category,
      index,
      highMonths,
      stability: sd,
      stable: sd !== null && sd < 0.25,
      targetMonth: target,
      currentCount,
      forecast: Math.round(forecast),
      low: Math.round(forecast * Math.exp(-spread)),
      high: Math.round(forecast * Math.exp(spread)),
      change,
      lastYearPeakWeek: peakText,
      sentence: `预计 ${targetNumber} 月${category}诉求约 ${Math.round(forecast)} 件（${Math.round(forecast * Math.exp(-spread))}–${Math.round(forecast * Math.exp(spread))}），较 ${monthOf(month)} 月${direction}${peakText ? `；过去一年高峰在 ${peakText}` : ''}。`,
    });
  }
  return outlooks.sort((a, b) => b.change * Math.sqrt(b.forecast) - a.change * Math.sqrt(a.forecast)).slice(0, options.limit ?? 50);
}

/**
 * Why there is no outlook for `month`, in words (null when the history is long enough): the
 * seasonal index needs twelve whole months ending with `month`, and a category with at least
 * `minMonthly` tickets a month over them.
 */
export async function missingOutlookReason(warehouse: Warehouse, month: string, options: { level?: 'l1' | 'l2'; minMonthly?: number } = {}): Promise<string> {
  const { first, last } = await ticketDays(warehouse);
  if (!first || !last) return '数据仓库中还没有工单，无法做季节性展望 / no tickets yet';
  const firstMonth = first.slice(0, 7);
  const [fy, fm] = firstMonth.split('-').map(Number);
  const [y, m] = month.split('-').map(Number);
  const months = (y - fy) * 12 + (m - fm) + 1;
  if (month > last.slice(0, 7)) return `数据截止于 ${last}，没有 ${month} 的工单；请用 --month ${last.slice(0, 7)} 或更早的月份 / the data ends on ${last}`;
  if (months < 12 || (months === 12 && first.slice(8) !== '01')) {
    return `历史不足：季节性展望需要截至 ${month} 的至少 12 个完整月份，而数据从 ${first} 开始（${Math.max(0, months)} 个月）/ too little history: the seasonal outlook needs 12 whole months`;
  }
  return `没有月均不少于 ${options.minMonthly ?? 20} 件的${options.level === 'l1' ? '一级' : '二级'}分类，暂无展望 / no category with enough tickets a month`;
}
