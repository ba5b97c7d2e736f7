import { monthlyTrendOption, rankedBarOption } from '../../../reports/charts/dashboard-options.js';
import { mapMismatch } from '../../../reports/charts/map-options.js';
import { isUnknownPlace } from '../../../pipelines/kpi/catalogue.js';
import { getJson } from '../api.js';
import { chartBox, h, notice, pageRedraw, panel, replace, table, youngTag } from '../dom.js';
import { readFilters, setFilters } from '../filters.js';
import { count, defined, rate, share } from '../format.js';
import { districtMapBox, loadMap, type MapPayload } from '../map.js';
import type { AreaRow, Districts } from '../types.js';

/** What the district map can colour by: volume, or one of the rates of the table. */
const MAP_FIGURES: { key: keyof AreaRow & string; name: string; kind: 'count' | 'rate'; lowerIsBetter?: boolean }[] = [
  { key: 'received', name: '受理量', kind: 'count' },
  { key: 'completion_rate', name: '办结率', kind: 'rate' },
  { key: 'ontime_completion_rate', name: '按时办结率', kind: 'rate' },
  { key: 'satisfaction_rate', name: '满意率', kind: 'rate' },
  { key: 'repeat_rate', name: '重复诉求率', kind: 'rate', lowerIsBetter: true },
];
let mapFigure = MAP_FIGURES[0];

/** The month's figures on the district map, with a choice of figure; click a district to choose it. */
function mapPanel(map: MapPayload, data: Districts, choose: (name: string) => void): HTMLElement | null {
  if (!map.region) return map.error ? panel('区县地图', h('p', { class: 'error' }, `地图边界文件有误，暂以条形图显示：${map.error}`)) : null;
  const region = map.region;
  const mismatch = mapMismatch(region, data.districts.map((d) => d.name));
  if (mismatch) {
    const foreign = data.districts.some((d) => !isUnknownPlace(d.name));
    return panel('区县地图', h('p', { class: 'sub', id: 'map-mismatch' }, `${mismatch}，故不绘制地图${foreign ? '；可在配置 map 中换用本地区的边界（见 README 的 Maps 一节）' : ''}。`));
  }
  const body = h('div', {});
  const draw = () =>
    replace(
      body,
      districtMapBox(
        region,
        data.districts.map((d) => ({ name: d.name, value: d[mapFigure.key] as number | null })),
        { kind: mapFigure.kind, valueName: mapFigure.name, target: map.targets[mapFigure.key], lowerIsBetter: mapFigure.lowerIsBetter, highlight: data.selected },
        choose,
      ),
    );
  const picker = h(
    'select',
    { name: 'map-figure', 'aria-label': '地图指标', onchange: (event: Event) => {
      mapFigure = MAP_FIGURES.find((f) => f.key === (event.target as HTMLSelectElement).value) ?? MAP_FIGURES[0];
      draw();
    } },
    MAP_FIGURES.map((f) => h('option', { value: f.key, selected: f.key === mapFigure.key }, f.name)),
  );
  draw();
  return panel([`${region.title}各区县`, picker, h('span', { class: 'tag' }, '点击区县查看乡镇街道')], body, h('p', { class: 'sub' }, region.attribution));
}

function areaTable(rows: AreaRow[], options: { onRow?: (row: AreaRow) => void; selected?: string | null; label: string; shareLabel: string; young: string[] }): HTMLElement {
  // a rate still moving (未满期) says so in its heading, as the overview's card does
  const heading = (key: string, name: string) => [defined(key, name), options.young.includes(key) ? youngTag() : null];
  return table(
    rows,
    [
      { label: options.label, value: (r) => r.name, className: 'wrap' },
      { label: defined('received', '受理量'), value: (r) => count(r.received), className: 'num' },
      { label: options.shareLabel, value: (r) => share(r.share), className: 'num' },
      { label: heading('completion_rate', '办结率'), value: (r) => rate(r.completion_rate), className: 'num' },
      { label: heading('ontime_completion_rate', '按时办结率'), value: (r) => rate(r.ontime_completion_rate), className: 'num' },
      { label: heading('satisfaction_rate', '满意率'), value: (r) => rate(r.satisfaction_rate), className: 'num' },
      { label: heading('repeat_rate', '重复诉求率'), value: (r) => rate(r.repeat_rate), className: 'num' },
    ],
    { onRow: options.onRow, selected: (r) => r.name === options.selected },
  );
}

export async function renderDistricts(content: HTMLElement): Promise<void> {
  const filters = readFilters();
  const [data, map] = await Promise.all([getJson<Districts>('/api/districts', { month: filters.month, district: filters.district?.split('/')[0] }), loadMap()]);
  const redraw = pageRedraw(() => renderDistricts(content));
  const choose = (name: string) => setFilters({ district: name }, redraw);
  notice(null);
  const height = (n: number) => `chart${n > 10 ? ' tall' : ''}`;
  replace(
    content,
    mapPanel(map, data, choose),
    h(
      'div',
      { class: 'grid halves' },
      panel(
        [defined('received', '各区县受理量'), h('span', { class: 'tag' }, '点击选择区县')],
        chartBox(
          rankedBarOption(data.districts.map((d) => ({ name: d.name, value: d.received, share: d.share })), { kind: 'count', valueName: '受理量', highlight: data.selected ?? undefined }),
          height(data.districts.length),
          // (the bar's whole name: its axis label may be shortened)
          (params) => {
            const name = (params.data as { name?: unknown } | undefined)?.name;
            if (typeof name === 'string') choose(name);
          },
        ),
      ),
      panel(
        [`${data.selected ?? ''} 各乡镇街道受理量`, h('span', { class: 'tag' }, '括号内为占本区县比例')],
        chartBox(rankedBarOption(data.townships.slice(0, 20).map((t) => ({ name: t.name, value: t.received, share: t.share })), { kind: 'count', valueName: '受理量' }), height(Math.min(20, data.townships.length))),
      ),
    ),
    panel('区县指标', areaTable(data.districts, { label: '区县', shareLabel: '占全部', selected: data.selected, onRow: (r) => choose(r.name), young: data.young })),
    h(
      'div',
      { class: 'grid two' },
      panel(`${data.selected ?? ''} 乡镇街道指标`, areaTable(data.townships, { label: '乡镇街道', shareLabel: '占区县', young: data.young })),
      panel(`${data.selected ?? '全部'}：近 13 个月`, chartBox(monthlyTrendOption(data.trend.map((t) => ({ month: t.month, received: t.received, rate: t.satisfaction_rate })), { rateName: '满意率' }), 'chart')),
    ),
  );
}
