import { riseFigure } from '../../../reports/format.js';
import { categoryTreemapOption, monthlyTrendOption, rankedBarOption, type CategoryNode } from '../../../reports/charts/dashboard-options.js';
import { getJson } from '../api.js';
import { chartBox, h, notice, pageRedraw, panel, replace, table, youngTag } from '../dom.js';
import { isUnknownPlace, UNCATEGORISED } from '../../../pipelines/kpi/catalogue.js';
import { readFilters, setFilters } from '../filters.js';
import { count, defined, rate, share } from '../format.js';
import type { Categories, Rising, Ticket } from '../types.js';
import { misfilingsPanel } from './text-lists.js';

const NO_SUBCATEGORY = '（未细分）';

/** The rows of the category breakdown as a tree under the selected path. */
function treeUnder(rows: Categories['tree'], selected: string[]): CategoryNode[] {
  const depth = selected.length;
  const inside = rows.filter((r) => r.level > depth && selected.every((k, i) => r.keys[i] === k));
  const build = (level: number, prefix: (string | null)[]): CategoryNode[] =>
    inside
      .filter((r) => r.level === level && prefix.every((k, i) => r.keys[i] === k))
      .map((r) => {
        const name = r.keys[level - 1];
        const path = name === null ? prefix.join('/') : [...prefix, name].join('/');
        const children = name === null || level >= 3 ? [] : build(level + 1, [...prefix, name]);
        // A single "not further split" child adds nothing to the picture.
        const shown = children.length === 1 && children[0].name === NO_SUBCATEGORY ? [] : children;
        return { name: name ?? NO_SUBCATEGORY, path, value: r.received, children: shown };
      });
  const nodes = build(depth + 1, selected);
  // A category with no further split has nothing to show as a tree.
  return nodes.length === 1 && nodes[0].name === NO_SUBCATEGORY ? [] : nodes;
}

export function ticketTable(tickets: Ticket[], extra: { label: string; key: string }[] = []): HTMLElement {
  return table(
    tickets,
    [
      { label: '工单编号', value: (t) => t.ticket_id },
      { label: '受理时间', value: (t) => t.received_at, className: 'num' },
      { label: '分类', value: (t) => [t.category_l1, t.category_l2, t.category_l3].filter(Boolean).join(' › '), className: 'wrap' },
      { label: '区县 / 乡镇街道', value: (t) => [t.district, t.township].map((name) => (name === null ? null : String(name))).filter((name) => !isUnknownPlace(name)).join(' › ') || '未写区县', className: 'wrap' },
      { label: '类型', value: (t) => t.appeal_type },
      {
        label: '诉求内容（已脱敏）',
        value: (t) => (typeof t.content === 'string' && t.content.length > 120 ? h('div', { class: 'clamp', title: '点击展开 / 收起', onclick: (e: Event) => (e.currentTarget as HTMLElement).classList.toggle('open') }, t.content) : (t.content ?? '—')),
        className: 'text',
      },
      ...extra.map((e) => ({ label: e.label, value: (t: Ticket) => t[e.key] ?? '—' })),
      { label: '状态', value: (t) => t.status },
    ],
    { empty: '没有符合条件的工单' },
  );
}

export async function renderCategories(content: HTMLElement): Promise<void> {
  const filters = readFilters();
  // The page's three APIs load side by side: the rollup figures, the risers, the sample tickets.
  const categories = getJson<Categories>('/api/categories', { ...filters });
  const [data, rising, samples, misfilings] = await Promise.all([
    categories,
    getJson<Rising>('/api/categories/rising', { month: filters.month }),
    getJson<{ tickets: Ticket[] }>('/api/tickets', { ...filters }),
    // Built before the page is replaced: a chart box must be in the document on its first frame.
    // Of the month the page shows (without a month in the address, the one the rollup answers for).
    categories.then((answer) => misfilingsPanel(answer.month)).catch((error: Error) => h('p', { class: 'error' }, `疑似分类不符加载失败：${error.message}`)),
  ]);
  const redraw = pageRedraw(() => renderCategories(content));
  const choose = (path: string) => setFilters({ category: path }, redraw);
  notice(data.ignored.includes('district') ? '分类树与趋势为全部区县口径（汇总表一次只按一个维度汇总）；示例工单按所选区县筛选。' : null);
  const crumbs = h(
    'div',
    { class: 'crumbs' },
    h('a', { href: '#', onclick: (e: Event) => (e.preventDefault(), choose('')) }, '全部分类'),
    data.selected.map((name, i) => [' › ', h('a', { href: '#', onclick: (e: Event) => (e.preventDefault(), choose(data.selected.slice(0, i + 1).join('/'))) }, name)]),
  );
  const s = data.summary;
  const title = data.selected.length ? data.selected.join(' › ') : '全部分类';
  const nodes = treeUnder(data.tree, data.selected);
  // An export without categories (a message board): one 未分类 block is no picture of anything.
  const uncategorised = !data.selected.length && nodes.length > 0 && nodes.every((n) => n.name === UNCATEGORISED);
  const shown = uncategorised ? [] : nodes;
  replace(
    content,
    crumbs,
    h(
      'div',
      { class: 'cards' },
      s
        ? [
            h('article', { class: 'card' }, defined('received', h('span', { class: 'name' }, '受理量')), defined('received', h('span', { class: 'value' }, count(s.received), h('small', {}, '件'))), h('span', { class: 'changes' }, `占全部 ${share(s.share)}`)),
            ...(['completion_rate', 'satisfaction_rate', 'resolution_rate', 'repeat_rate'] as const).map((key) =>
              h(
                'article',
                { class: 'card' },
                defined(
                  key,
                  h(
                    'span',
                    { class: 'name' },
                    { completion_rate: '办结率', satisfaction_rate: '满意率', resolution_rate: '解决率', repeat_rate: '重复诉求率' }[key],
                    s.young?.includes(key) ? youngTag() : null,
                  ),
                ),
                defined(key, h('span', { class: 'value' }, rate(s[key]))),
              ),
            ),
          ]
        : h('p', { class: 'empty' }, '本月该分类没有工单'),
    ),
    h(
      'div',
      { class: shown.length ? 'grid halves' : 'grid' },
      // A category without sub-categories has no tree: its trend takes the whole row.
      shown.length
        ? panel(
            `${title}：分类构成`,
            h('p', { class: 'sub' }, '点击方块查看下一级分类、趋势和示例工单'),
            chartBox(categoryTreemapOption(nodes), 'chart tall', (params) => {
              const path = (params.data as { path?: string } | undefined)?.path;
              if (path !== undefined && path !== data.selected.join('/')) choose(path);
            }),
          )
        : null,
      panel(
        [`${title}：近 13 个月`, shown.length ? null : h('span', { class: 'tag' }, uncategorised ? `本月 ${count(nodes[0].value)} 件工单都没有一级分类` : '没有下一级分类')],
        chartBox(monthlyTrendOption(data.trend.map((t) => ({ month: t.month, received: t.received, rate: t.satisfaction_rate })), { rateName: '满意率' }), shown.length ? 'chart tall' : 'chart'),
      ),
    ),
    h(
      'div',
      { class: 'grid halves' },
      panel(
        '诉求类型',
        data.selected.length || filters.district ? h('p', { class: 'sub' }, '全部工单口径（汇总表不按分类、区县细分诉求类型）') : null,
        data.appealTypes.length === 1
          ? h('p', { class: 'single' }, `工单的诉求类型均为“${data.appealTypes[0].name}”（${data.appealTypes[0].count.toLocaleString('en-US')} 件）。`)
          : chartBox(rankedBarOption(data.appealTypes.map((r) => ({ name: r.name, value: r.count, share: r.share })), { kind: 'count', valueName: '受理量' }), 'chart'),
      ),
      panel(
        '上升最快的二级分类（与上月比）',
        table(
          rising.rows,
          [
            { label: '分类', value: (r) => h('a', { href: '#', onclick: (e: Event) => (e.preventDefault(), choose(r.keys.filter(Boolean).join('/'))) }, r.keys.filter(Boolean).join(' › ')) },
            { label: '本月', value: (r) => count(r.received), className: 'num' },
            { label: '上月', value: (r) => count(r.previous), className: 'num' },
            { label: '变化', value: (r) => (r.is_new ? '新出现' : riseFigure(r.received, r.previous, r.change_pct)), className: 'num' },
          ],
          { empty: rising.withheld ? `各分类不作环比：${rising.withheld}` : uncategorised ? '工单都没有分类，无从比较' : '没有明显上升的分类' },
        ),
      ),
    ),
    panel(`示例工单（${[title, filters.district?.split('/').join(' › ')].filter(Boolean).join('，')}，最新 ${samples.tickets.length} 件）`, ticketTable(samples.tickets)),
    misfilings,
  );
}
