import { unitScoreDistributionOption, unitsToSuperviseOption } from '../../../reports/charts/ranking-options.js';
import { getJson } from '../api.js';
import { chartBox, h, panel, replace, table } from '../dom.js';
import { readFilters } from '../filters.js';
import { count, defined, rate, scoreText } from '../format.js';
import type { Ticket, UnitRow, Units } from '../types.js';
import { ticketTable } from './categories.js';
import { returnedPanel } from './text-lists.js';

const REASONS: Record<string, string> = {
  volume_below_minimum: '件数不足',
  no_response_rate: '无响应率',
  no_resolution_rate: '无解决率',
  no_satisfaction_rate: '无满意率',
};
const DRILLS = [
  ['overdue', '超期工单'],
  ['returned', '退单工单'],
  ['dissatisfied', '不满意工单'],
] as const;

type SortKey = 'rank' | 'volume' | 'overdue' | 'returned_tickets';

export async function renderUnits(content: HTMLElement): Promise<void> {
  const filters = readFilters();
  const params = new URLSearchParams(location.search);
  const kind = params.get('kind') ?? '';
  const sort = (params.get('sort') ?? 'rank') as SortKey;
  const data = await getJson<Units>('/api/units', { month: filters.month, kind: kind || undefined });
  // Built before the page is replaced: a chart box must be in the document on its first frame.
  // (an export without 退单次数: every unit's figure is null, and the list says why it is empty)
  const noReturns = data.rows.length > 0 && data.rows.every((r) => r.returned_tickets === null);
  const returned = await returnedPanel(data.month, noReturns).catch((error: Error) => h('p', { class: 'error' }, `退单工单加载失败：${error.message}`));
  const setParam = (key: string, value: string) => {
    const next = new URLSearchParams(location.search);
    if (value) next.set(key, value);
    else next.delete(key);
    history.pushState(null, '', `${location.pathname}?${next.toString()}`);
    void renderUnits(content);
  };
  // Ranks only mean something within a unit kind: the rows stay grouped by kind, in the server's order.
  const sortRows = (rows: UnitRow[]) =>
    sort === 'rank' ? rows : [...rows].sort((a, b) => ((b[sort] as number | null) ?? -1) - ((a[sort] as number | null) ?? -1));
  const kinds = data.kinds.filter((k) => data.rows.some((r) => r.unit_kind === k));
  const ranked = data.rows.filter((r) => r.rank !== null && r.composite_score !== null);
  // The units to supervise: the bottom of each kind's ranking (the five last, or fifteen of one kind).
  const bottom = kinds.flatMap((k) => {
    const ofKind = ranked.filter((r) => r.unit_kind === k);
    return ofKind.slice(-(kinds.length > 1 ? 5 : 15)).reverse();
  });
  const drill = h('div', { id: 'unit-drill' });
  const selectedUnit = params.get('unit');

  async function openDrill(unit: string, which: string) {
    replace(drill, h('p', { class: 'loading' }, '加载中…'));
    const result = await getJson<{ tickets: Ticket[]; label: string; asOf: string | null }>('/api/units/tickets', { month: data.month, unit, kind: which });
    replace(
      drill,
      panel(
        `${unit}：${result.label}（${result.tickets.length} 件）`,
        h('div', { class: 'chips' }, DRILLS.map(([k, label]) => h('button', { type: 'button', 'aria-pressed': String(k === which), onclick: () => void openDrill(unit, k) }, label))),
        which === 'overdue' && result.asOf ? h('p', { class: 'sub' }, `超期以数据截至时间 ${result.asOf} 判断`) : null,
        ticketTable(result.tickets, which === 'overdue' ? [{ label: '办理时限', key: 'deadline_at' }, { label: '办结时间', key: 'completed_at' }] : which === 'returned' ? [{ label: '退单次数', key: 'returned_count' }] : [{ label: '回访结果', key: 'satisfaction' }]),
      ),
    );
    drill.scrollIntoView({ behavior: 'smooth', block: 'start' });
  }

  const sortButton = (key: SortKey, label: string) => h('button', { type: 'button', 'aria-pressed': String(sort === key), onclick: () => setParam('sort', key === 'rank' ? '' : key) }, label);
  const showAll = params.get('all') === '1';
  const link = (r: UnitRow, which: string, text: string) => h('a', { href: '#unit-drill', onclick: (e: Event) => (e.preventDefault(), void openDrill(r.unit, which)) }, text);
  const figure = (value: number | null, r: UnitRow, which: string) => (value === null ? '—' : value ? link(r, which, String(value)) : '0');
  // a function: the header links are DOM nodes, one set per table
  const columns = () => [
    { label: '类内名次', value: (r: UnitRow) => (r.rank === null ? h('span', { class: 'tag' }, REASONS[r.unranked_reason ?? ''] ?? '未排名') : String(r.rank)), className: 'num' },
    { label: '单位', value: (r: UnitRow) => link(r, 'overdue', r.unit), className: 'nowrap' },
    { label: defined('dispatched', '件数'), value: (r: UnitRow) => count(r.volume), className: 'num' },
    { label: defined('ontime_sign_rate', '响应率'), value: (r: UnitRow) => rate(r.response_rate), className: 'num' },
    {
      label: defined('resolution_rate', '解决率'),
      value: (r: UnitRow) => h('span', { title: r.resolution_basis === 'ontime_completion_rate' ? '无回访解决情况，按按时办结率计' : '' }, rate(r.resolution_score), r.resolution_basis === 'ontime_completion_rate' ? '*' : ''),
      className: 'num',
    },
    { label: defined('satisfaction_rate', '满意率'), value: (r: UnitRow) => rate(r.satisfaction_rate), className: 'num' },
    { label: defined('unit_ranking', '综合得分'), value: (r: UnitRow) => scoreText(r.composite_score), className: 'num' },
    { label: defined('overdue', '超期'), value: (r: UnitRow) => figure(r.overdue, r, 'overdue'), className: 'num' },
    { label: defined('return_rate', '退单'), value: (r: UnitRow) => figure(r.returned_tickets, r, 'returned'), className: 'num' },
    // (no satisfaction figure — no callbacks, or an export without 回访结果 — has no dissatisfied tickets to list)
    { label: '不满意', value: (r: UnitRow) => (r.satisfaction_rate === null ? '—' : link(r, 'dissatisfied', '查看')), className: 'nowrap' },
  ];
  const perKind = showAll ? Infinity : kinds.length > 1 ? 10 : 30;
  const sections = kinds.map((k) => {
    const rows = sortRows(data.rows.filter((r) => r.unit_kind === k));
    const rankedCount = rows.filter((r) => r.rank !== null).length;
    return h(
      'section',
      { class: 'kind-section', 'data-kind': k },
      h('h3', {}, `${k}（${rankedCount} 个参与排名，共 ${rows.length} 个）`),
      table(rows.slice(0, perKind), columns(), { empty: '本月没有转办工单' }),
    );
  });
  const hidden = data.rows.length - kinds.reduce((n, k) => n + Math.min(perKind, data.rows.filter((r) => r.unit_kind === k).length), 0);
  replace(
    content,
    h(
      'div',
      { class: 'form-row' },
      h('label', {}, '单位类别 ', h('select', { 'aria-label': '单位类别', onchange: (e: Event) => setParam('kind', (e.target as HTMLSelectElement).value) }, h('option', { value: '' }, '全部类别'), data.kinds.map((k) => h('option', { value: k, selected: k === kind }, k)))),
      h('span', { class: 'chips' }, '排序：', sortButton('rank', '排名'), sortButton('volume', '件数'), sortButton('overdue', '超期'), sortButton('returned_tickets', '退单')),
    ),
    h(
      'p',
      { class: 'sub' },
      `综合得分 = ${data.settings.rankingWeights.response} × 响应率 + ${data.settings.rankingWeights.resolution} × 解决率 + ${data.settings.rankingWeights.satisfaction} × 满意率（× 100）；本月转办不少于 ${data.settings.minTicketsForRanking} 件的单位只在本类别内排名，同分时件数多者在前。`,
      defined('unit_ranking', '口径'),
    ),
    ranked.length
      ? h(
          'div',
          { class: 'grid two' },
          panel(kinds.length > 1 ? '需督办：各类别综合得分末 5 名' : `需督办：${kinds[0]}综合得分末 ${bottom.length} 名`, chartBox(unitsToSuperviseOption(bottom), bottom.length > 8 ? 'chart tall' : 'chart')),
          panel('综合得分分布（按单位类别）', chartBox(unitScoreDistributionOption(ranked), 'chart')),
        )
      : null,
    panel(
      [`“三率”考评（${data.rows.length} 个单位）`],
      sections.length ? sections : h('p', { class: 'empty' }, '本月没有转办工单'),
      hidden > 0 ? h('p', {}, h('button', { type: 'button', onclick: () => setParam('all', '1') }, `显示全部 ${data.rows.length} 个单位`)) : null,
      h('p', { class: 'footnote' }, '* 没有回访说明是否解决时，解决率按按时办结率计。名次只在同一单位类别内比较。点击单位名称或数字查看超期、退单、不满意工单；“—”表示导出文件没有相应字段。'),
    ),
    drill,
    returned,
  );
  if (selectedUnit) void openDrill(selectedUnit, params.get('drill') ?? 'overdue');
}
