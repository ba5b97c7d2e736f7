/**
 * The two lists the text models add to existing pages: 疑似分类不符 on 诉求分析 (the text strongly
 * disagrees with the operator's category) and 退单工单与建议承办单位 on 承办单位. Each is one panel,
 * appended by its page.
 */
import { getJson } from '../api.js';
import { h, panel, table, type Column } from '../dom.js';

interface ModelSummary {
  trainedAt: string;
  mismatchConfidence: number;
}

interface Misfiling {
  ticket_id: string;
  received_at: string;
  operator_l1: string;
  operator_l2: string | null;
  suggested_l1: string;
  suggested_l2: string | null;
  mismatch: 'l1' | 'l2';
  confidence: number;
  operator_confidence: number | null;
  content: string | null;
  /** The period's suspected mis-filings in all (the list holds at most 200). */
  total: number;
}

interface Returned {
  ticket_id: string;
  received_at: string;
  category_l1: string;
  category_l2: string | null;
  district: string | null;
  unit: string | null;
  returned_count: number;
  status: string;
  content: string | null;
  suggested_unit: string | null;
  unit_confidence: number | null;
  unit_basis: string | null;
  /** The suggestion is a unit other than the one the ticket went to. */
  suggests_other: boolean;
  /** The period's returned tickets, and those whose suggestion is another unit (the list holds at most 200). */
  total: number;
  total_other: number;
}

/** "；本页列出前 N 件" when a list holds fewer rows than the period has. */
const listed = (shown: number, total: number) => (shown < total ? `；本页列出前 ${shown} 件` : '');

const BASIS: Record<string, string> = { place: '同一地点', township: '同一乡镇街道', district: '同一区县', category: '同类诉求', category_l1: '同一大类' };
const percent = (x: number | null | undefined) => (x === null || x === undefined ? '—' : `${(x * 100).toFixed(0)}%`);
const path = (...parts: (string | null)[]) => parts.filter(Boolean).join(' › ');
const noModel = (what: string) => h('p', { class: 'empty' }, `还没有文本模型，暂无${what}（模型每晚用历史工单训练，也可运行 hotline classify train）`);

export async function misfilingsPanel(month: string | undefined): Promise<HTMLElement> {
  const data = await getJson<{ rows: Misfiling[]; model: ModelSummary | null }>('/api/text/misfilings', { month });
  return panel(
    ['疑似分类不符', ' ', h('span', { class: 'tag' }, '文本模型')],
    h(
      'p',
      { class: 'sub' },
      `诉求内容与所填分类明显不符：模型对自己的判断至少 ${percent(data.model?.mismatchConfidence ?? 0.9)} 把握，而所填分类不到 ${percent(1 - (data.model?.mismatchConfidence ?? 0.9))}。仅供核对，不改动工单。` +
        (data.rows.length ? `本月共 ${Number(data.rows[0].total).toLocaleString('zh-CN')} 件${listed(data.rows.length, Number(data.rows[0].total))}。` : ''),
    ),
    data.model
      ? table(
          data.rows,
          [
            { label: '工单编号', value: (r) => r.ticket_id },
            { label: '受理时间', value: (r) => r.received_at, className: 'num' },
            { label: '所填分类', value: (r) => path(r.operator_l1, r.operator_l2) },
            { label: '建议分类', value: (r) => h('strong', {}, path(r.suggested_l1, r.suggested_l2)) },
            { label: '把握', value: (r) => percent(r.confidence), className: 'num' },
            { label: '所填分类的概率', value: (r) => percent(r.operator_confidence), className: 'num' },
            { label: '诉求内容（已脱敏）', value: (r) => r.content ?? '—', className: 'text' },
          ],
          { empty: '本月没有疑似分类不符的工单' },
        )
      : noModel('疑似分类不符'),
  );
}

/** The month's returned tickets and the units the model suggests; `noReturns`: the export has no 退单次数. */
export async function returnedPanel(month: string | undefined, noReturns = false): Promise<HTMLElement> {
  const data = await getJson<{ rows: Returned[]; model: ModelSummary | null }>('/api/text/returned', { month });
  const columns: Column<Returned>[] = [
    { label: '工单编号', value: (r) => r.ticket_id },
    { label: '受理时间', value: (r) => r.received_at, className: 'num' },
    { label: '分类', value: (r) => path(r.category_l1, r.category_l2) },
    { label: '区县', value: (r) => r.district ?? '—' },
    { label: '承办单位', value: (r) => r.unit ?? '—' },
    { label: '退单次数', value: (r) => String(r.returned_count), className: 'num' },
    {
      label: '建议承办单位',
      value: (r) =>
        r.suggested_unit
          ? h('span', {}, r.suggests_other ? h('strong', {}, r.suggested_unit) : r.suggested_unit, ' ', h('span', { class: 'tag', title: `依据：${BASIS[r.unit_basis ?? ''] ?? '—'}的历史派单，占 ${percent(r.unit_confidence)}` }, BASIS[r.unit_basis ?? ''] ?? '建议'))
          : '—',
    },
    { label: '诉求内容（已脱敏）', value: (r) => r.content ?? '—', className: 'text' },
  ];
  const other = data.rows.filter((r) => r.suggests_other);
  const same = data.rows.filter((r) => !r.suggests_other);
  return panel(
    ['退单工单与建议承办单位', ' ', h('span', { class: 'tag' }, '文本模型')],
    h('p', { class: 'sub' }, '建议单位来自历史派单：同类诉求在同一地点（小区、道路、村）、同一乡镇街道或同一区县最常由哪个单位办理。'),
    data.rows.length
      ? h(
          'p',
          { class: 'sub', id: 'returned-summary' },
          `本月退单 ${Number(data.rows[0].total).toLocaleString('zh-CN')} 件，其中 ${Number(data.rows[0].total_other).toLocaleString('zh-CN')} 件的建议单位不是原承办单位，列在下表${listed(data.rows.length, Number(data.rows[0].total))}。`,
        )
      : null,
    table(other, columns, { empty: data.rows.length ? '本月的退单工单，建议单位都是原承办单位' : noReturns ? '导出文件没有退单次数，无法列出退单工单' : '本月没有退单工单' }),
    // The rest says little to act on: folded, so that the page does not run to hundreds of rows.
    same.length
      ? h('details', { id: 'returned-same' }, h('summary', {}, `其余 ${same.length.toLocaleString('zh-CN')} 件：建议单位与原承办单位相同，或没有建议`), table(same, columns))
      : null,
  );
}
