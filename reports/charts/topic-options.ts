import type { EChartsOption } from 'echarts';
import { baseOption, chartColors, chartTheme } from './theme.js';

/** One hot issue's daily requests, as the 热点话题 page and a topic's special report draw them. */
export interface TopicTrend {
  name: string;
  daily: { day: string; count: number }[];
}

/**
 * Daily requests of the leading hot issues over a period, one line per issue (days without a
 * request are zero, so a sudden rise stands out). Data in a dataset: one column per issue.
 */
export function topicTrendOption(topics: TopicTrend[], from: string, to: string): EChartsOption {
  const days: string[] = [];
  for (let t = Date.parse(`${from}T00:00:00Z`); t <= Date.parse(`${to}T00:00:00Z`); t += 86_400_000) days.push(new Date(t).toISOString().slice(0, 10));
  const names = topics.map((t, i) => `${i + 1}. ${t.name.length > 16 ? `${t.name.slice(0, 15)}…` : t.name}`);
  const source = days.map((day) => [day.slice(5), ...topics.map((t) => t.daily.find((d) => d.day === day)?.count ?? 0)]);
  return {
    ...baseOption(),
    grid: { left: 44, right: 16, top: 24, bottom: 28 + 22 * Math.ceil(names.length / 2) },
    dataset: { dimensions: ['day', ...names], source },
    tooltip: { trigger: 'axis' },
    legend: { type: 'scroll', bottom: 4, textStyle: { color: chartColors.subtext } },
    xAxis: { type: 'category', axisLabel: { color: chartColors.subtext, hideOverlap: true }, axisLine: { lineStyle: { color: chartColors.axis } } },
    yAxis: { type: 'value', name: '件', minInterval: 1, axisLabel: { color: chartColors.subtext }, splitLine: { lineStyle: { color: chartTheme.valueAxis.splitLine.lineStyle.color } } },
    series: names.map((name) => ({ type: 'line', name, encode: { x: 'day', y: name }, showSymbol: false, smooth: false, lineStyle: { width: 2 } })),
  };
}
