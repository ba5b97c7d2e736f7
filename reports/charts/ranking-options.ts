import type { EChartsOption } from 'echarts';
import { nameAxis, textWidth } from './dashboard-options.js';
import { baseOption, chartColors, chartPalette, titleOption } from './theme.js';

/**
 * The charts of the 承办单位“三率”考评, shared by the 承办单位 page and the monthly report. What a
 * leader needs from a ranking is its spread, not its top (many units score 100): how the composite
 * scores spread within each unit kind, and which units sit at the bottom of their kind — the ones to
 * supervise. Scores arrive as fractions in [0, 1] and are drawn ×100 with 2 decimals.
 */

/** A ranked unit as the charts read it. */
export interface ScoredUnit {
  unit?: string;
  unit_kind: string;
  rank?: number | null;
  composite_score: number | null;
}

const score = (value: number) => Math.round(value * 10000) / 100;

/**
 * The unit kinds in the directory's order (ENUMS.unit_kind; a test keeps the two alike — the
 * browser bundle does not import the ingest profiles). A kind keeps its place, and so its colour,
 * whatever order the units arrive in: the 承办单位 page and the monthly report drew 企业 in each
 * other's colours.
 */
export const UNIT_KIND_ORDER = ['州直部门', '县市部门', '乡镇街道', '企业', '其他'] as const;

/** Kinds in UNIT_KIND_ORDER, any other kind after them by name; each with its colour's place in the palette. */
function orderedKinds(kinds: Iterable<string>): { kind: string; colour: number }[] {
  const place = (kind: string) => {
    const at = (UNIT_KIND_ORDER as readonly string[]).indexOf(kind);
    return at < 0 ? UNIT_KIND_ORDER.length : at;
  };
  const sorted = [...new Set(kinds)].sort((a, b) => place(a) - place(b) || a.localeCompare(b, 'zh-CN'));
  let other = UNIT_KIND_ORDER.length;
  return sorted.map((kind) => ({ kind, colour: place(kind) < UNIT_KIND_ORDER.length ? place(kind) : other++ }));
}

/**
 * How the composite scores spread, per unit kind: a histogram of one-point bins (wider when the
 * scores spread over more than 25 points), the kinds stacked, from the lowest score to 100.
 */
export function unitScoreDistributionOption(units: ScoredUnit[], title?: string): EChartsOption {
  const scores = units.filter((u) => u.composite_score !== null).map((u) => ({ kind: u.unit_kind, value: score(u.composite_score!) }));
  const ordered = orderedKinds(scores.map((s) => s.kind));
  const kinds = ordered.map((k) => k.kind);
  const low = scores.length ? Math.floor(Math.min(...scores.map((s) => s.value))) : 0;
  const width = Math.max(1, Math.ceil((100 - low) / 25));
  const bins: { label: string; from: number; counts: Record<string, number> }[] = [];
  for (let from = low; from < 100 || bins.length === 0; from += width) bins.push({ label: `${from}–${Math.min(100, from + width)}`, from, counts: Object.fromEntries(kinds.map((k) => [k, 0])) });
  for (const s of scores) bins[Math.min(bins.length - 1, Math.floor((s.value - low) / width))].counts[s.kind] += 1;
  return {
    ...baseOption(),
    title: titleOption(title),
    grid: { left: 8, right: 12, top: title ? 56 : 32, bottom: 28, outerBoundsMode: 'same', outerBoundsContain: 'axisLabel' },
    legend: { top: title ? 28 : 0, itemWidth: 12, itemHeight: 10, textStyle: { color: chartColors.subtext } },
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' }, confine: true },
    dataset: { dimensions: ['label', ...kinds], source: bins.map((b) => ({ label: b.label, ...b.counts })) },
    xAxis: { type: 'category', name: '综合得分', nameLocation: 'middle', nameGap: 24, axisLabel: { color: chartColors.subtext, hideOverlap: true } },
    yAxis: { type: 'value', name: '单位数', minInterval: 1, axisLabel: { color: chartColors.subtext } },
    series: ordered.map(({ kind, colour }) => ({ type: 'bar', name: kind, stack: 'units', encode: { x: 'label', y: kind }, barMaxWidth: 32, itemStyle: { color: chartPalette[colour % chartPalette.length] } })),
  };
}

/**
 * The units at the bottom of their kind: bars of the composite score, the lowest on top, the axis
 * starting just below the lowest score so that differences of a fraction of a point show. Each bar
 * is labelled with the kind and the rank within it.
 */
export function unitsToSuperviseOption(units: ScoredUnit[], title?: string): EChartsOption {
  const named = units.filter((u) => u.composite_score !== null && u.unit);
  const { labels, axisLabel } = nameAxis(named.map((u) => u.unit!));
  const rows = named
    .map((u, i) => ({
      name: u.unit!,
      label: labels[i],
      value: score(u.composite_score!),
      display: `${score(u.composite_score!).toFixed(2)}（${u.unit_kind}${u.rank ? ` 第 ${u.rank} 名` : ''}）`,
    }));
  // a round start a little below the lowest score: the differences show, the axis reads cleanly
  const low = rows.length ? Math.floor((Math.min(...rows.map((r) => r.value)) - 1) / 5) * 5 : 0;
  return {
    ...baseOption(),
    title: titleOption(title),
    grid: { left: 8, right: 12 + Math.max(0, ...rows.map((r) => textWidth(r.display, 11))), top: title ? 48 : 8, bottom: 8, outerBoundsMode: 'same', outerBoundsContain: 'axisLabel' },
    tooltip: { trigger: 'item', formatter: '{@name}<br/>综合得分：{@display}', confine: true },
    dataset: { dimensions: ['name', 'label', 'value', 'display'], source: rows },
    xAxis: { type: 'value', min: Math.max(0, low), max: 100, axisLabel: { color: chartColors.subtext, hideOverlap: true } },
    yAxis: { type: 'category', inverse: true, axisTick: { show: false }, axisLabel },
    series: [
      {
        type: 'bar',
        name: '综合得分',
        encode: { x: 'value', y: 'label' },
        barMaxWidth: 18,
        itemStyle: { color: chartColors.upper },
        label: { show: true, position: 'right', formatter: '{@display}', color: chartColors.subtext, fontSize: 11 },
      },
    ],
  };
}
