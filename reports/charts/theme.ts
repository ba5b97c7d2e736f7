import type { EChartsOption } from 'echarts';

/**
 * The one chart theme: colours and fonts shared by the dashboard (browser), the reports
 * (server-side SVG) and the e-mails (PNG), so that a chart looks the same everywhere.
 * This module holds data only; it imports nothing at run time and is safe in the browser.
 */

/** Chinese first: the PNG renderer and the browser pick the first family they have. */
export const CHART_FONT_FAMILY = "'Noto Sans CJK SC', 'Noto Sans SC', 'PingFang SC', 'Microsoft YaHei', sans-serif";

export const chartColors = {
  /** Daily ticket counts. */
  count: '#4e7fd9',
  /** A day above its upper bound, and the alert day. */
  alert: '#e03e36',
  /** Background band on the alert day. */
  alertBand: 'rgba(224, 62, 54, 0.10)',
  /** The model's expected count. */
  expected: '#2b8a3e',
  /** The alert threshold (upper bound). */
  upper: '#e8890c',
  /** Moving averages. */
  mean: '#7048e8',
  text: '#1f2329',
  subtext: '#646a73',
  axis: '#8f959e',
  splitLine: '#e5e6eb',
  background: '#ffffff',
} as const;

/** Series colours in order, for charts with several comparable series. */
export const chartPalette = [chartColors.count, chartColors.expected, chartColors.upper, chartColors.mean, '#0c8599', '#c2255c', '#5c940d', '#868e96'];

/**
 * The theme as ECharts understands it: `echarts.registerTheme('hotline', chartTheme)` in the
 * browser. Option builders do not rely on it being registered (server-side rendering does not
 * register it): they start from `baseOption()`, which carries the same values.
 */
export const chartTheme = {
  color: chartPalette,
  backgroundColor: chartColors.background,
  textStyle: { fontFamily: CHART_FONT_FAMILY, color: chartColors.text },
  title: {
    textStyle: { fontFamily: CHART_FONT_FAMILY, color: chartColors.text, fontSize: 16, fontWeight: 'bold' },
    subtextStyle: { fontFamily: CHART_FONT_FAMILY, color: chartColors.subtext, fontSize: 12 },
  },
  legend: { textStyle: { fontFamily: CHART_FONT_FAMILY, color: chartColors.subtext } },
  categoryAxis: {
    axisLine: { lineStyle: { color: chartColors.axis } },
    axisLabel: { color: chartColors.subtext },
    splitLine: { show: false },
  },
  valueAxis: {
    axisLabel: { color: chartColors.subtext },
    splitLine: { lineStyle: { color: chartColors.splitLine } },
  },
} as const;

/** What every option builder starts from: no animation (server rendering), theme colours and fonts. */
export function baseOption(): EChartsOption {
  return {
    animation: false,
    backgroundColor: chartColors.background,
    color: [...chartPalette],
    textStyle: { fontFamily: CHART_FONT_FAMILY, color: chartColors.text },
  };
}

/** Title block in the theme's style; no block at all without a title. */
export function titleOption(text: string | undefined, subtext?: string): EChartsOption['title'] {
  if (!text) return undefined;
  return {
    text,
    subtext,
    left: 'center',
    top: 8,
    textStyle: { ...chartTheme.title.textStyle },
    subtextStyle: { ...chartTheme.title.subtextStyle },
  };
}
