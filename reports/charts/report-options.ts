import type { EChartsOption } from 'echarts';
import { baseOption, chartColors, titleOption } from './theme.js';

/**
 * Chart option builders the reports add to the shared ones (options.ts, dashboard-options.ts):
 * pure, data in `dataset` where the chart type allows, no functions inside (JSON-safe).
 */

/** One day of a period with the count of the same day a year earlier. */
export interface ComparedDay {
  date: string;
  count: number;
  lastYear: number;
}

const shortDate = (date: string) => date.slice(5, 10);

/**
 * Daily volume of a topic against the same days a year earlier; the topic's season shaded.
 * `seasonMonths` are calendar months (1–12).
 */
export function topicTrendOption(days: ComparedDay[], seasonMonths: number[], title?: string): EChartsOption {
  const source = days.map((d) => ({ date: d.date, label: shortDate(d.date), count: d.count, lastYear: d.lastYear }));
  const inSeason = (date: string) => seasonMonths.includes(Number(date.slice(5, 7)));
  const bands: [{ xAxis: string; name?: string }, { xAxis: string }][] = [];
  for (let i = 0; i < source.length; i++) {
    if (!inSeason(source[i].date) || (i > 0 && inSeason(source[i - 1].date))) continue;
    let j = i;
    while (j + 1 < source.length && inSeason(source[j + 1].date)) j++;
    bands.push([{ xAxis: source[i].label, name: '高发季' }, { xAxis: source[j].label }]);
  }
  return {
    ...baseOption(),
    title: titleOption(title),
    grid: { left: 16, right: 24, top: title ? 56 : 28, bottom: 48, outerBoundsMode: 'same', outerBoundsContain: 'axisLabel' },
    legend: { data: ['本期', '上年同期'], bottom: 4, itemWidth: 18, itemHeight: 10, textStyle: { color: chartColors.subtext } },
    tooltip: { trigger: 'axis' },
    dataset: { dimensions: ['date', 'label', 'count', 'lastYear'], source },
    xAxis: { type: 'category', axisLabel: { color: chartColors.subtext, hideOverlap: true }, axisLine: { lineStyle: { color: chartColors.axis } } },
    yAxis: { type: 'value', name: '件', minInterval: 1, axisLabel: { color: chartColors.subtext }, splitLine: { lineStyle: { color: chartColors.splitLine } } },
    series: [
      {
        type: 'line',
        name: '本期',
        encode: { x: 'label', y: 'count' },
        showSymbol: false,
        lineStyle: { color: chartColors.count, width: 2 },
        itemStyle: { color: chartColors.count },
        markArea: bands.length
          ? { silent: true, itemStyle: { color: 'rgba(232, 137, 12, 0.08)' }, label: { color: chartColors.subtext, fontSize: 11 }, data: bands }
          : undefined,
      },
      {
        type: 'line',
        name: '上年同期',
        encode: { x: 'label', y: 'lastYear' },
        showSymbol: false,
        lineStyle: { color: chartColors.axis, width: 1.5, type: 'dashed' },
        itemStyle: { color: chartColors.axis },
      },
    ],
  };
}

export const WEEKDAY_NAMES = ['周一', '周二', '周三', '周四', '周五', '周六', '周日'];

/** Tickets by hour of day (x) and weekday (y, Monday on top): when people call about a topic. */
export function hourWeekdayHeatmapOption(cells: { weekday: number; hour: number; count: number }[], title?: string): EChartsOption {
  const max = Math.max(1, ...cells.map((c) => c.count));
  const source = cells.map((c) => ({ hour: `${c.hour}时`, weekday: WEEKDAY_NAMES[c.weekday - 1], count: c.count }));
  return {
    ...baseOption(),
    title: titleOption(title),
    grid: { left: 8, right: 16, top: title ? 52 : 12, bottom: 56, outerBoundsMode: 'same', outerBoundsContain: 'axisLabel' },
    tooltip: { trigger: 'item', formatter: '{@weekday} {@hour}：{@count} 件' },
    dataset: { dimensions: ['hour', 'weekday', 'count'], source },
    xAxis: { type: 'category', data: Array.from({ length: 24 }, (_, h) => `${h}时`), axisLabel: { color: chartColors.subtext, interval: 1, fontSize: 10 }, splitArea: { show: true } },
    yAxis: { type: 'category', data: WEEKDAY_NAMES, inverse: true, axisLabel: { color: chartColors.text } },
    visualMap: {
      type: 'continuous',
      min: 0,
      max,
      dimension: 2,
      orient: 'horizontal',
      left: 'center',
      bottom: 4,
      itemHeight: 160,
      itemWidth: 10,
      calculable: false,
      text: ['多', '少'],
      textStyle: { color: chartColors.subtext },
      inRange: { color: ['#f4f7fd', '#9db8ea', chartColors.count, '#1d3f8f'] },
    },
    series: [{ type: 'heatmap', encode: { x: 'hour', y: 'weekday', value: 'count' }, itemStyle: { borderColor: '#fff', borderWidth: 1 } }],
  };
}
