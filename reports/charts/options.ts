import type { EChartsOption } from 'echarts';
import { baseOption, chartColors, chartTheme, titleOption } from './theme.js';

/**
 * One pure option builder per chart. The same option is drawn by the dashboard (browser),
 * the reports (server-side SVG) and the e-mails (PNG): data goes in `dataset`, the series say
 * which columns they draw through `encode`. No functions inside options, so an option can also
 * travel as JSON.
 */

/** One evaluated day of an alert series: observed count, expected count and alert threshold. */
export interface AlertHistoryDay {
  date: string;
  count: number;
  expected: number;
  upper: number;
}

/** One day of a volume series. */
export interface DailyVolumeDay {
  date: string;
  count: number;
}

/** Eight weeks: what an alert chart shows. */
export const ALERT_TREND_DAYS = 56;

const round1 = (value: number) => Math.round(value * 10) / 10;
/** '2025-07-01' → '07-01': short axis labels; the full date stays in the dataset. */
const shortDate = (date: string) => (/^\d{4}-\d{2}-\d{2}/.test(date) ? date.slice(5, 10) : date);

const categoryAxis = {
  type: 'category' as const,
  axisLine: { lineStyle: { color: chartColors.axis } },
  axisTick: { alignWithLabel: true },
  axisLabel: { color: chartColors.subtext, hideOverlap: true },
};

const countAxis = {
  type: 'value' as const,
  name: '件',
  minInterval: 1,
  nameTextStyle: { color: chartColors.subtext },
  axisLabel: { color: chartColors.subtext },
  splitLine: { lineStyle: { color: chartTheme.valueAxis.splitLine.lineStyle.color } },
};

const legend = (names: string[]): EChartsOption['legend'] => ({
  data: names,
  bottom: 4,
  itemWidth: 18,
  itemHeight: 10,
  textStyle: { color: chartColors.subtext },
});

const ALERT_DIMENSIONS = ['date', 'label', 'count', 'expected', 'upper', 'above'] as const;

/**
 * The last eight weeks of an alert series: daily counts as bars (red above the upper bound),
 * the expected count as a line, the upper bound dashed, the alert day shaded and labelled.
 * `alertDate` defaults to the last day of the history; `shadeFrom` (a sustained rise's first day)
 * widens the shading back to it.
 */
export function alertTrendOption(history: AlertHistoryDay[], title?: string, alertDate?: string, shadeFrom?: string): EChartsOption {
  const days = history.slice(-ALERT_TREND_DAYS);
  const alertDay = alertDate ?? days.at(-1)?.date;
  const source = days.map((day) => ({
    date: day.date,
    label: shortDate(day.date),
    count: day.count,
    expected: round1(day.expected),
    upper: round1(day.upper),
    // 1 marks a day above its threshold; a hidden visualMap colours those bars.
    above: day.count > day.upper ? 1 : 0,
  }));
  const alert = source.find((day) => day.date === alertDay);
  const shadeStart = (shadeFrom && alert ? source.find((day) => day.date >= shadeFrom && day.date <= alert.date) : undefined) ?? alert;
  const weeklyLabels = source.filter((_, index) => (source.length - 1 - index) % 7 === 0).map((day) => day.label);
  return {
    ...baseOption(),
    title: titleOption(title),
    grid: { left: 16, right: 24, top: title ? 56 : 28, bottom: 48 },
    legend: legend(['工单量', '预期', '预警上限']),
    tooltip: { trigger: 'axis' },
    dataset: { dimensions: [...ALERT_DIMENSIONS], source },
    xAxis: {
      ...categoryAxis,
      // Weekly labels counted back from the last day, so that the alert day always has its date.
      axisLabel: { ...categoryAxis.axisLabel, customValues: weeklyLabels },
      axisTick: { customValues: weeklyLabels },
    },
    yAxis: { ...countAxis },
    visualMap: {
      type: 'piecewise',
      show: false,
      seriesIndex: 0,
      dimension: ALERT_DIMENSIONS.indexOf('above'),
      pieces: [
        { value: 0, color: chartColors.count },
        { value: 1, color: chartColors.alert },
      ],
    },
    series: [
      {
        type: 'bar',
        name: '工单量',
        encode: { x: 'label', y: 'count', tooltip: ['count'] },
        barMaxWidth: 14,
        itemStyle: { color: chartColors.count },
        markArea: alert
          ? { silent: true, itemStyle: { color: chartColors.alertBand }, data: [[{ xAxis: shadeStart!.label }, { xAxis: alert.label }]] }
          : undefined,
        markPoint: alert
          ? {
              symbol: 'pin',
              symbolSize: 44,
              itemStyle: { color: chartColors.alert },
              label: { color: '#ffffff', fontSize: 12 },
              data: [{ name: '预警', coord: [alert.label, alert.count], value: alert.count }],
            }
          : undefined,
      },
      {
        type: 'line',
        name: '预期',
        encode: { x: 'label', y: 'expected', tooltip: ['expected'] },
        showSymbol: false,
        lineStyle: { color: chartColors.expected, width: 2 },
        itemStyle: { color: chartColors.expected },
      },
      {
        type: 'line',
        name: '预警上限',
        encode: { x: 'label', y: 'upper', tooltip: ['upper'] },
        showSymbol: false,
        lineStyle: { color: chartColors.upper, width: 1.5, type: 'dashed' },
        itemStyle: { color: chartColors.upper },
      },
    ],
  };
}

export interface DailyVolumeOptions {
  title?: string;
  /** Adds the trailing 7-day mean (drawn from the seventh day on; none for fewer days). */
  movingAverage?: boolean;
}

/**
 * Daily ticket volume as a line, with an optional trailing 7-day mean. The days should be
 * consecutive (a missing day is a day with no tickets: fill it with 0 before calling).
 */
export function dailyVolumeOption(days: DailyVolumeDay[], options: DailyVolumeOptions = {}): EChartsOption {
  const source = days.map((day, index) => {
    const window = days.slice(Math.max(0, index - 6), index + 1);
    const mean7 = window.length === 7 ? round1(window.reduce((sum, d) => sum + d.count, 0) / 7) : null;
    return { date: day.date, label: shortDate(day.date), count: day.count, mean7 };
  });
  // Fewer than seven days have no 7-day mean: no line, and no legend entry for one.
  const movingAverage = !!options.movingAverage && days.length >= 7;
  const series: EChartsOption['series'] = [
    {
      type: 'line',
      name: '日工单量',
      encode: { x: 'label', y: 'count', tooltip: ['count'] },
      showSymbol: days.length <= 31,
      symbolSize: 4,
      lineStyle: { color: chartColors.count, width: 1.5 },
      itemStyle: { color: chartColors.count },
    },
  ];
  if (movingAverage) {
    series.push({
      type: 'line',
      name: '7 日均值',
      encode: { x: 'label', y: 'mean7', tooltip: ['mean7'] },
      showSymbol: false,
      connectNulls: false,
      lineStyle: { color: chartColors.mean, width: 2.5 },
      itemStyle: { color: chartColors.mean },
    });
  }
  return {
    ...baseOption(),
    title: titleOption(options.title),
    grid: { left: 16, right: 24, top: options.title ? 56 : 28, bottom: movingAverage ? 48 : 24 },
    legend: movingAverage ? legend(['日工单量', '7 日均值']) : undefined,
    tooltip: { trigger: 'axis' },
    dataset: { dimensions: ['date', 'label', 'count', 'mean7'], source },
    xAxis: { ...categoryAxis },
    yAxis: { ...countAxis },
    series,
  };
}
