import { rankedBarOption } from '../../../reports/charts/dashboard-options.js';
import { getJson } from '../api.js';
import { chartBox, h, panel, replace, table } from '../dom.js';
import { readFilters } from '../filters.js';
import { count, defined, formatValue, rate } from '../format.js';
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
  const returned = await returnedPanel(data.month).catch((error: Error) => h('p', { class: 'error' }, `退单工单加载失败：${error.message}`));
  const setParam = (key: string, value: string) => {
    const next = new URLSearchParams(location.search);
    if (value) next.set(key, value);
    else next.delete(key);
    history.pushState(null, '', `${location.pathname}?${next.toString()}`);
    void renderUnits(content);
  };
  const rows = [...data.rows].sort((a, b) => {
    if (sort === 'rank') return (a.rank ?? 1e9) - (b.rank ?? 1e9) || a.unit_kind.localeCompare(b.unit_kind) || b.volume - a.volume;
    return (b[sort] as number) - (a[sort] as number);
  });
  const ranked = data.rows.filter((r) => r.composite_score !== null && r.rank !== null).sort((a, b) => (b.composite_score ?? 0) - (a.composite_score ?? 0));
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
  const shown = showAll ? rows : rows.slice(0, 30);
  const link = (r: UnitRow, which: string, text: string) => h('a', { href: '#unit-drill', onclick: (e: Event) => (e.preventDefault(), void openDrill(r.unit, which)) }, text);
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
      `综合得分 = ${data.settings.rankingWeights.response} × 响应率 + ${data.settings.rankingWeights.resolution} × 解决率 + ${data.settings.rankingWeights.satisfaction} × 满意率（× 100）；本月转办不少于 ${data.settings.minTicketsForRanking} 件的单位在同类别内排名。`,
      defined('unit_ranking', '口径'),
    ),
    ranked.length ? panel('综合得分前 15 名', chartBox(rankedBarOption(ranked.slice(0, 15).map((r) => ({ name: r.unit, value: (r.composite_score ?? 0) * 100 })), { kind: 'mean', valueName: '综合得分' }), ranked.length > 8 ? 'chart tall' : 'chart')) : null,
    panel(
      [`“三率”考评（${rows.length} 个单位）`],
      table(
        shown,
        [
          { label: '排名', value: (r: UnitRow) => (r.rank === null ? h('span', { class: 'tag' }, REASONS[r.unranked_reason ?? ''] ?? '未排名') : String(r.rank)), className: 'num' },
          { label: '单位', value: (r) => link(r, 'overdue', r.unit), className: 'nowrap' },
          { label: '类别', value: (r) => r.unit_kind, className: 'nowrap' },
          { label: defined('dispatched', '件数'), value: (r) => count(r.volume), className: 'num' },
          { label: defined('ontime_sign_rate', '响应率'), value: (r) => rate(r.response_rate), className: 'num' },
          { label: defined('resolution_rate', '解决率'), value: (r) => h('span', { title: r.resolution_basis === 'ontime_completion_rate' ? '无回访解决情况，按按时办结率计' : '' }, rate(r.resolution_score), r.resolution_basis === 'ontime_completion_rate' ? '*' : ''), className: 'num' },
          { label: defined('satisfaction_rate', '满意率'), value: (r) => rate(r.satisfaction_rate), className: 'num' },
          { label: defined('unit_ranking', '综合得分'), value: (r) => formatValue(r.composite_score === null ? null : r.composite_score * 100, 'mean'), className: 'num' },
          { label: '超期', value: (r) => (r.overdue ? link(r, 'overdue', String(r.overdue)) : '0'), className: 'num' },
          { label: defined('return_rate', '退单'), value: (r) => (r.returned_tickets ? link(r, 'returned', String(r.returned_tickets)) : '0'), className: 'num' },
          { label: '不满意', value: (r) => link(r, 'dissatisfied', '查看'), className: 'nowrap' },
        ],
        { empty: '本月没有转办工单' },
      ),
      rows.length > shown.length ? h('p', {}, h('button', { type: 'button', onclick: () => setParam('all', '1') }, `显示全部 ${rows.length} 个单位`)) : null,
      h('p', { class: 'sub' }, '* 没有回访说明是否解决时，解决率按按时办结率计。点击单位名称或数字查看超期、退单、不满意工单。'),
    ),
    drill,
    returned,
  );
  if (selectedUnit) void openDrill(selectedUnit, params.get('drill') ?? 'overdue');
}
