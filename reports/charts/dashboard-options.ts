import type { EChartsOption, LineSeriesOption } from 'echarts';
import { baseOption, chartColors, chartPalette, chartTheme, titleOption } from './theme.js';

/**
 * The dashboard's chart option builders, one pure function per chart, shared with the reports
 * (server-side SVG) like the builders in options.ts. Data goes in `dataset` and the series pick their
 * columns with `encode`; labels and tooltips use `{@column}` templates over pre-formatted text
 * columns, never functions, so an option survives JSON. Rates arrive as fractions in [0, 1] (or null)
 * and are drawn as percentages.
 *
 * The one exception to `dataset`: the category treemap is a tree, which a dataset cannot hold.
 * This module imports nothing at run time except the theme, so the browser bundle can import it.
 */

export type ValueKind = 'count' | 'rate' | 'mean';

/** One month of one KPI; `young` when the month's value is still moving (未满期). */
export interface MonthPoint {
  month: string;
  value: number | null;
  young?: boolean;
}

/** A named count with an optional share of the total (a pie slice, a bar). */
export interface NamedCount {
  name: string;
  count: number;
  share?: number | null;
}

/** One bar of a ranking: `value` in the unit of `kind` (rates as fractions). */
export interface RankedValue {
  name: string;
  value: number | null;
}

/** A node of the category tree (一级 → 二级 → 三级), with its path as the key to drill by. */
export interface CategoryNode {
  name: string;
  path: string;
  value: number;
  children?: CategoryNode[];
}

/** One month of a trend: the volume and, optionally, a rate drawn on a second axis. */
export interface TrendMonth {
  month: string;
  received: number;
  rate?: number | null;
}

/** One day of an alert incident's head series: observed count; the model's expected and upper bound where it alarmed. */
export interface IncidentDay {
  date: string;
  count: number;
  expected: number | null;
  upper: number | null;
  alarm: boolean;
}

const percent = (value: number | null) => (value === null ? null : Math.round(value * 10000) / 100);
const plain = (value: number | null, kind: ValueKind) => (kind === 'rate' ? percent(value) : value === null ? null : Math.round(value * 100) / 100);

/** The text a label shows: counts grouped by thousands, rates as percent with 2 decimals. */
/** A share as a percentage with one decimal: '21.5%'; a share above 0 that would print 0.0% is '<0.1%'. */
export function shareText(share: number | null | undefined): string {
  if (share === null || share === undefined || Number.isNaN(share)) return '—';
  return share > 0 && share < 0.0005 ? '<0.1%' : `${(share * 100).toFixed(1)}%`;
}

export function formatValue(value: number | null | undefined, kind: ValueKind): string {
  if (value === null || value === undefined || Number.isNaN(value)) return '—';
  if (kind === 'rate') return `${(value * 100).toFixed(2)}%`;
  if (kind === 'mean') return value.toLocaleString('zh-CN', { maximumFractionDigits: 1 });
  return Math.round(value).toLocaleString('zh-CN');
}

/**
 * An expected count in a table or a line of text: one decimal ('0.4', '16.1'); '<0.1' for a tiny
 * one, never '0.0' for a place that is merely quiet; '0' only when nothing at all was expected (a
 * topic whose weeks before held no similar request). Rounded as plainNumber rounds, so that a
 * page and the mail about the same alarm print the same figure (toFixed(1) made 0.15 '0.1', the
 * mail's plainNumber '0.2').
 */
export function expectedText(value: number | null | undefined): string {
  if (value === null || value === undefined || Number.isNaN(value)) return '—';
  if (value === 0) return '0';
  return value < 0.05 ? '<0.1' : oneDecimal(value).toFixed(1);
}

/** A count or a bound in a line of text or a table: one decimal without a trailing .0 ('8', '16.1'). */
export function plainNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const rounded = oneDecimal(value);
  return Number.isInteger(rounded) ? String(rounded) : rounded.toFixed(1);
}

/** Rounded to one decimal, halves away from zero (0.15 → 0.2, 0.25 → 0.3). */
function oneDecimal(value: number): number {
  return Math.round(value * 10) / 10;
}

/**
 * The width of a label in pixels, roughly: a CJK or full-width character is as wide as the font
 * size, a Latin capital 0.64 of it (LA's neighbourhood names are written in capitals), a space
 * 0.3, the rest 0.6.
 */
export function textWidth(text: string, fontSize: number): number {
  let width = 0;
  for (const char of text) width += fontSize * (/[\u1100-\uffff]/.test(char) ? 1 : /[A-Z]/.test(char) ? 0.64 : char === ' ' ? 0.3 : 0.6);
  return Math.ceil(width);
}

/** The room of a bar chart's name axis: nine CJK characters at most, less when every name is shorter. */
export function nameAxisWidth(names: readonly string[]): number {
  return Math.min(Math.max(2, ...names.map((n) => [...n].length)), 9) * 13;
}

/**
 * Axis labels for names that may be too long for `width` pixels, no two alike. A name that fits
 * stays whole; a longer one loses its end to an ellipsis. Where that makes names look alike —
 * LA's five "EMPOWERMENT CONGRESS … AREA NDC" neighbourhood councils all read "EMPOWERMENT C…" —
 * what they share in front is dropped instead (…SOUTHEAST AREA NDC, …NORTH AREA NDC); names alike
 * even then keep their head and their tail. The whole name stays in the tooltip and the tables.
 */
export function distinctLabels(names: readonly string[], width: number, fontSize = 12): string[] {
  const fits = (text: string) => textWidth(text, fontSize) <= width;
  const cutEnd = (text: string, lead = '') => {
    if (fits(lead + text)) return lead + text;
    const chars = [...text];
    while (chars.length > 1 && !fits(`${lead}${chars.join('').trimEnd()}…`)) chars.pop();
    return `${lead}${chars.join('').trimEnd()}…`;
  };
  const labels = names.map((name) => cutEnd(name));
  const alike = () => {
    const seen = new Map<string, number[]>();
    labels.forEach((label, i) => seen.set(label, [...(seen.get(label) ?? []), i]));
    return [...seen.values()].filter((group) => group.length > 1);
  };
  for (const group of alike()) {
    const chars = group.map((i) => [...names[i]]);
    let shared = 0;
    while (chars.every((c) => shared < c.length - 1 && c[shared] === chars[0][shared])) shared += 1;
    // (cut at the last word break inside what they share, so that no word is split)
    const space = chars[0].slice(0, shared).lastIndexOf(' ');
    if (space > 0) shared = space + 1;
    for (const i of group) labels[i] = cutEnd([...names[i]].slice(shared).join('').trimStart(), '…');
  }
  for (const group of alike()) {
    for (const i of group) {
      const chars = [...names[i]];
      const label = (head: number, tail: number) => `${chars.slice(0, head).join('')}…${chars.slice(-tail).join('')}`;
      let [head, tail] = [1, 1];
      for (let turn = 0; head + tail < chars.length - 1; turn += 1) {
        const next: [number, number] = turn % 2 === 0 ? [head + 1, tail] : [head, tail + 1];
        if (!fits(label(...next))) break;
        [head, tail] = next;
      }
      labels[i] = label(head, tail);
    }
  }
  return labels;
}

/** A bar chart's name axis: labels no two alike (distinctLabels), and the axis label style they fit. */
export function nameAxis(names: readonly string[]) {
  const width = nameAxisWidth(names);
  return { labels: distinctLabels(names, width), axisLabel: { color: chartColors.text, width, overflow: 'truncate' as const, ellipsis: '…', interval: 0 } };
}

const shortMonth = (month: string) => (/^\d{4}-\d{2}$/.test(month) ? `${month.slice(2, 4)}/${month.slice(5, 7)}` : month);

const axisLabel = { color: chartColors.subtext, hideOverlap: true };
const splitLine = { lineStyle: { color: chartTheme.valueAxis.splitLine.lineStyle.color } };

/**
 * A KPI card's sparkline: the last months of one KPI as a small area line, no axes. Young months
 * (未满期: tickets still due, the value still moving) continue the line dashed and hollow, so the
 * last point's dip reads as unfinished, not as a fall. The tooltip names the month and the value.
 */
export function kpiSparklineOption(points: MonthPoint[], kind: ValueKind): EChartsOption {
  const firstYoung = points.findIndex((p) => p.young);
  const settled = (i: number) => i >= 0 && i < points.length && points[i].value !== null && (firstYoung < 0 || i < firstYoung);
  // a month with no settled neighbour (the first month of the data, after months before it) draws no
  // line: it gets a dot of its own
  const lone = (i: number) => settled(i) && !settled(i - 1) && !settled(i + 1) && !(i === firstYoung - 1);
  const source = points.map((p, i) => ({
    month: p.month,
    value: firstYoung >= 0 && i >= firstYoung ? null : plain(p.value, kind),
    lone: lone(i) ? plain(p.value, kind) : null,
    // the young run starts at the last settled point, so the two lines join
    young: firstYoung >= 0 && i >= firstYoung - 1 ? plain(p.value, kind) : null,
    display: formatValue(p.value, kind) + (p.young ? '（未满期）' : ''),
  }));
  const line = { type: 'line' as const, showSymbol: false, symbolSize: 6, connectNulls: false };
  return {
    ...baseOption(),
    grid: { left: 4, right: 4, top: 4, bottom: 4, outerBoundsMode: 'none' }, // (room for the last point's circle)
    tooltip: { trigger: 'item', formatter: '{@month}：{@display}', confine: true },
    dataset: { dimensions: ['month', 'value', 'lone', 'young', 'display'], source },
    xAxis: { type: 'category', show: false, boundaryGap: false },
    yAxis: { type: 'value', show: false, scale: true },
    series: [
      {
        ...line,
        encode: { x: 'month', y: 'value' },
        lineStyle: { color: chartColors.count, width: 1.5 },
        itemStyle: { color: chartColors.count },
        areaStyle: { color: 'rgba(78, 127, 217, 0.12)' },
      },
      ...(source.some((p) => p.lone !== null) ? [{ type: 'scatter' as const, encode: { x: 'month', y: 'lone' }, symbolSize: 6, itemStyle: { color: chartColors.count } }] : []),
      ...(firstYoung >= 0
        ? [
            {
              ...line,
              name: '未满期',
              encode: { x: 'month', y: 'young' },
              showSymbol: true,
              symbol: 'emptyCircle',
              lineStyle: { color: chartColors.subtext, width: 1.5, type: 'dashed' as const },
              itemStyle: { color: chartColors.subtext },
            },
          ]
        : []),
    ],
  };
}

/** Where the tickets came from: a ring of channels with each share in the label. */
export function channelMixOption(rows: NamedCount[], title?: string): EChartsOption {
  const total = rows.reduce((sum, r) => sum + r.count, 0);
  const source = rows.map((r) => ({
    name: r.name,
    count: r.count,
    // Two short lines fit beside the ring even on a phone.
    label: `${r.name}\n${total ? shareText(r.count / total) : '0.0%'}`,
    display: r.count.toLocaleString('zh-CN'),
  }));
  return {
    ...baseOption(),
    title: titleOption(title),
    tooltip: { trigger: 'item', formatter: '{@name}：{@display} 件（{d}%）', confine: true },
    legend: { bottom: 0, type: 'scroll', itemWidth: 12, itemHeight: 10, textStyle: { color: chartColors.subtext } },
    dataset: { dimensions: ['name', 'count', 'label', 'display'], source },
    series: [
      {
        type: 'pie',
        radius: ['38%', '62%'],
        center: ['50%', title ? '52%' : '45%'],
        avoidLabelOverlap: true,
        encode: { itemName: 'name', value: 'count' },
        label: { formatter: '{@label}', color: chartColors.text, fontSize: 12, lineHeight: 15 },
        labelLine: { length: 8, length2: 6 },
        itemStyle: { borderColor: '#fff', borderWidth: 2 },
      },
    ],
  };
}

/**
 * The category tree as a treemap: 一级 blocks holding their 二级 (and 三级) blocks, sized by tickets
 * received. Clicking a block zooms in; the node's `path` tells the page which category was chosen.
 */
export function categoryTreemapOption(nodes: CategoryNode[], title?: string): EChartsOption {
  const toData = (node: CategoryNode): Record<string, unknown> => ({
    name: node.name,
    value: node.value,
    path: node.path,
    children: node.children?.length ? node.children.map(toData) : undefined,
  });
  return {
    ...baseOption(),
    title: titleOption(title),
    tooltip: { trigger: 'item', formatter: '{b}：{c} 件', confine: true },
    series: [
      {
        type: 'treemap',
        name: '全部分类',
        top: title ? 48 : 8,
        left: 4,
        right: 4,
        bottom: 36,
        roam: false,
        nodeClick: 'zoomToNode',
        drillDownIcon: '',
        leafDepth: 2,
        breadcrumb: { show: true, bottom: 4, itemStyle: { color: '#eef2f7', textStyle: { color: chartColors.text } } },
        label: { show: true, formatter: '{b}\n{c}', fontSize: 12, overflow: 'truncate' },
        upperLabel: { show: true, height: 22, color: '#fff', fontSize: 12 },
        levels: [
          { itemStyle: { borderColor: '#fff', borderWidth: 3, gapWidth: 3 }, upperLabel: { show: false } },
          { colorSaturation: [0.35, 0.6], itemStyle: { borderColorSaturation: 0.7, gapWidth: 2, borderWidth: 2 } },
          { colorSaturation: [0.3, 0.5], itemStyle: { borderColorSaturation: 0.6, gapWidth: 1 } },
        ],
        data: nodes.map(toData),
      },
    ],
  } as EChartsOption;
}

/**
 * Monthly volume as bars, with one rate (e.g. 满意率) as a line on a percent axis at the right.
 */
export function monthlyTrendOption(months: TrendMonth[], options: { title?: string; rateName?: string } = {}): EChartsOption {
  // A rate the export never had (no 回访结果: every month null) gets no line, axis or legend entry.
  const withRate = options.rateName !== undefined && months.some((m) => m.rate !== null && m.rate !== undefined);
  const source = months.map((m) => ({
    month: m.month,
    label: shortMonth(m.month),
    received: m.received,
    rate: percent(m.rate ?? null),
    receivedText: m.received.toLocaleString('zh-CN'),
    rateText: formatValue(m.rate ?? null, 'rate'),
  }));
  const series: EChartsOption['series'] = [
    {
      type: 'bar',
      name: '受理量',
      encode: { x: 'label', y: 'received' },
      barMaxWidth: 28,
      itemStyle: { color: chartColors.count },
      tooltip: { formatter: '{@month} 受理量：{@receivedText} 件' },
    },
  ];
  if (withRate) {
    series.push({
      type: 'line',
      name: options.rateName,
      yAxisIndex: 1,
      encode: { x: 'label', y: 'rate' },
      connectNulls: false,
      symbolSize: 5,
      lineStyle: { color: chartColors.expected, width: 2 },
      itemStyle: { color: chartColors.expected },
      tooltip: { formatter: `{@month} ${options.rateName}：{@rateText}` },
    });
  }
  return {
    ...baseOption(),
    title: titleOption(options.title),
    grid: { left: 8, right: withRate ? 8 : 16, top: options.title ? 60 : 32, bottom: withRate ? 52 : 16 },
    legend: withRate ? { bottom: 4, itemWidth: 16, itemHeight: 10, textStyle: { color: chartColors.subtext } } : undefined,
    tooltip: { trigger: 'item', confine: true },
    dataset: { dimensions: ['month', 'label', 'received', 'rate', 'receivedText', 'rateText'], source },
    xAxis: { type: 'category', axisLabel, axisTick: { alignWithLabel: true }, axisLine: { lineStyle: { color: chartColors.axis } } },
    yAxis: [
      { type: 'value', name: '件', minInterval: 1, axisLabel: { color: chartColors.subtext }, nameTextStyle: { color: chartColors.subtext }, splitLine },
      ...(withRate
        ? [{ type: 'value' as const, name: '%', scale: true, max: 100, axisLabel: { color: chartColors.subtext }, nameTextStyle: { color: chartColors.subtext }, splitLine: { show: false } }]
        : []),
    ],
    series,
  };
}

/**
 * A ranking as horizontal bars, the first row on top: districts, townships, request types, units.
 * Counts are labelled with their share when given; rates are drawn and labelled as percentages.
 * `highlight` colours one bar (the selected district, say).
 */
export function rankedBarOption(rows: (RankedValue & { share?: number | null })[], options: { kind: ValueKind; title?: string; valueName: string; highlight?: string }): EChartsOption {
  const { labels, axisLabel: nameLabel } = nameAxis(rows.map((r) => r.name));
  const source = rows.map((r, i) => ({
    name: r.name,
    value: plain(r.value, options.kind),
    display: formatValue(r.value, options.kind) + (r.share !== undefined && r.share !== null ? `（${shareText(r.share)}）` : ''),
    selected: r.name === options.highlight ? 1 : 0,
    label: labels[i],
  }));
  // Room at the right for the longest bar label, so that it is never cut off.
  const labelWidth = Math.max(0, ...source.map((r) => textWidth(r.display, 11)));
  return {
    ...baseOption(),
    title: titleOption(options.title),
    // Long names are shortened (distinctLabels) rather than squeezing the bars to nothing.
    grid: { left: 8, right: 12 + labelWidth, top: options.title ? 48 : 8, bottom: 8, outerBoundsMode: 'same', outerBoundsContain: 'axisLabel' },
    tooltip: { trigger: 'item', formatter: `{@name}<br/>${options.valueName}：{@display}`, confine: true },
    dataset: { dimensions: ['name', 'value', 'display', 'selected', 'label'], source },
    xAxis: {
      type: 'value',
      show: true,
      max: options.kind === 'rate' ? 100 : undefined,
      axisLabel: { color: chartColors.subtext, hideOverlap: true },
      splitLine,
    },
    yAxis: {
      type: 'category',
      inverse: true,
      axisTick: { show: false },
      axisLine: { lineStyle: { color: chartColors.axis } },
      axisLabel: nameLabel,
    },
    visualMap: {
      type: 'piecewise',
      show: false,
      dimension: 3,
      pieces: [
        { value: 0, color: chartColors.count },
        { value: 1, color: chartColors.upper },
      ],
    },
    series: [
      {
        type: 'bar',
        name: options.valueName,
        encode: { x: 'value', y: 'label' },
        barMaxWidth: 18,
        label: { show: true, position: 'right', formatter: '{@display}', color: chartColors.subtext, fontSize: 11 },
      },
    ],
  };
}

/**
 * The evidence of an alert incident: the series' daily counts (bars, red on alarm days) with the
 * model's expected count and upper bound on the days it was tested.
 */
export function incidentEvidenceOption(days: IncidentDay[]): EChartsOption {
  const source = days.map((d) => ({
    date: d.date,
    label: d.date.slice(5, 10),
    count: d.count,
    expected: d.expected === null ? null : Math.round(d.expected * 10) / 10,
    upper: d.upper === null ? null : Math.round(d.upper * 10) / 10,
    alarm: d.alarm ? 1 : 0,
  }));
  // A burst's figures are for hours, not days: its chart has no expected line, and no legend for one.
  const modelled = source.some((d) => d.expected !== null || d.upper !== null);
  const lines: LineSeriesOption[] = [
    {
      type: 'line',
      name: '预期',
      encode: { x: 'label', y: 'expected' },
      connectNulls: false,
      symbolSize: 5,
      lineStyle: { color: chartColors.expected, width: 2 },
      itemStyle: { color: chartColors.expected },
    },
    {
      type: 'line',
      name: '预警上限',
      encode: { x: 'label', y: 'upper' },
      connectNulls: false,
      symbolSize: 5,
      lineStyle: { color: chartColors.upper, width: 1.5, type: 'dashed' },
      itemStyle: { color: chartColors.upper },
    },
  ];
  return {
    ...baseOption(),
    grid: { left: 8, right: 16, top: 28, bottom: 56 },
    legend: { data: modelled ? ['工单量', '预期', '预警上限'] : ['工单量'], bottom: 4, itemWidth: 16, itemHeight: 10, textStyle: { color: chartColors.subtext } },
    tooltip: { trigger: 'axis', confine: true },
    dataset: { dimensions: ['date', 'label', 'count', 'expected', 'upper', 'alarm'], source },
    xAxis: { type: 'category', axisLabel, axisTick: { alignWithLabel: true }, axisLine: { lineStyle: { color: chartColors.axis } } },
    yAxis: { type: 'value', name: '件', minInterval: 1, axisLabel: { color: chartColors.subtext }, nameTextStyle: { color: chartColors.subtext }, splitLine },
    visualMap: {
      type: 'piecewise',
      show: false,
      seriesIndex: 0,
      dimension: 5,
      pieces: [
        { value: 0, color: chartColors.count },
        { value: 1, color: chartColors.alert },
      ],
    },
    series: [{ type: 'bar', name: '工单量', encode: { x: 'label', y: 'count' }, barMaxWidth: 14 }, ...(modelled ? lines : [])],
  };
}

/** The palette, for pages that colour legends or cards like the charts. */
export const dashboardPalette = chartPalette;
