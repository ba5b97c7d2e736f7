/**
 * 热点话题: the hot issues of a period (default: the 30 days up to the newest request) — requests
 * about the same place and matter grouped across categories — with their daily trend, heat,
 * people and reactions, and a few tickets of each to read. 生成专报 builds a special report of
 * exactly an issue's requests into the archive (the server finds the issue again by period and rank).
 */
import { isUnknownPlace } from '../../../pipelines/kpi/catalogue.js';
import type { Topic } from '../../../pipelines/text/topics.js';
import { topicTrendOption } from '../../../reports/charts/topic-options.js';
import { getJson, postJson } from '../api.js';
import { chartBox, h, panel, replace, table } from '../dom.js';
import { count } from '../format.js';

interface Sample {
  ticket_id: string;
  received_at: string;
  content: string | null;
  category_l1: string;
  category_source: string | null;
  district: string | null;
}

/** A hot issue as /api/text/topics sends it: the pipeline's Topic with a few of its tickets. */
export interface TopicRow extends Topic {
  samples: Sample[];
}

/** Where an issue is, for its detail: its place, or its districts with their requests when it has no one place. */
function spread(topic: Topic): string {
  if (topic.place || topic.districts.length < 2) return topic.where || '未识别地点';
  const shown = topic.districts.slice(0, 4).map((d) => `${d.name} ${count(d.count)}`);
  return `${topic.districts.length} 个区县：${shown.join('、')}${topic.districts.length > shown.length ? ' 等' : ''}`;
}

/** A category as shown next to a ticket: a suggested one is marked so. */
export function categoryLabel(name: string, source: string | null | undefined): Node | string {
  return source === 'suggested' ? h('span', {}, name, ' ', h('span', { class: 'tag', title: '工单未填分类，此为文本模型的建议分类' }, '建议')) : name;
}

/** Why the list is empty: no requests, none with a text to read, or no two about one matter. */
function emptyWords(requests: { total: number; with_text: number } | null): string {
  if (!requests || requests.total === 0) return '所选时段没有诉求';
  if (requests.with_text === 0) return `所选时段的 ${count(requests.total)} 件诉求都没有诉求内容（导出文件没有这一列），无法归纳话题`;
  return `所选时段没有热点话题：${count(requests.with_text)} 件有内容的诉求中，没有两件以上同属一事`;
}

export async function renderTopics(content: HTMLElement): Promise<void> {
  const params = new URLSearchParams(location.search);
  // 不含咨询 (consultations=0): hot issues of problems only, without the routine questions that
  // otherwise fill the top of the list
  const noConsultations = params.get('consultations') === '0';
  const data = await getJson<{ from: string | null; to: string | null; topics: TopicRow[]; requests?: { total: number; with_text: number } | null }>('/api/text/topics', {
    from: params.get('from') ?? undefined,
    to: params.get('to') ?? undefined,
    consultations: noConsultations ? '0' : undefined,
  });
  const setPeriod = (from: string, to: string, withoutConsultations: boolean) => {
    const next = new URLSearchParams(location.search);
    next.set('from', from);
    next.set('to', to);
    if (withoutConsultations) next.set('consultations', '0');
    else next.delete('consultations');
    history.pushState(null, '', `${location.pathname}?${next.toString()}`);
    void renderTopics(content);
  };
  const fromInput = h('input', { type: 'date', value: data.from ?? '', 'aria-label': '起始日期' });
  const toInput = h('input', { type: 'date', value: data.to ?? '', 'aria-label': '截止日期' });
  const show = () => fromInput.value && toInput.value && setPeriod(fromInput.value, toInput.value, consultInput.checked);
  const consultInput = h('input', { type: 'checkbox', id: 'topics-no-consultations', checked: noConsultations, onchange: show });
  const detail = h('div', { id: 'topic-detail' });
  const open = (topic: TopicRow) => {
    const status = h('span', { class: 'sub', role: 'status', id: 'topic-report-status' });
    const build = async (button: HTMLButtonElement) => {
      button.disabled = true;
      status.textContent = '正在生成专报…';
      try {
        const built = await postJson<{ title: string; tickets: number; files: string[] }>('/api/text/topics/special-report', {
          from: data.from,
          to: data.to,
          rank: topic.rank,
          consultations: !noConsultations,
          description: topic.description,
        });
        replace(status, `已生成专报“${built.title}”（${built.tickets} 件工单），已存入报告归档：`, h('a', { href: '/reports' }, '查看报告 →'));
      } catch (error) {
        status.textContent = `生成失败：${(error as Error).message}`;
      } finally {
        button.disabled = false;
      }
    };
    replace(
      detail,
      panel(
        [`${topic.rank}. ${topic.description}`, ' ', h('span', { class: 'tag' }, `热度 ${topic.heat}`)],
        h('p', { class: 'sub' }, `${spread(topic)} · ${topic.firstDay} — ${topic.lastDay} · ${topic.count} 件、${topic.callers} 人${topic.likes || topic.dislikes ? `，点赞 ${topic.likes}、反对 ${topic.dislikes}` : ''} · 分类：${topic.categories.map((c) => `${c.name} ${c.count}`).join('、')}`),
        h('p', {}, h('button', { type: 'button', id: 'topic-report', onclick: (e: Event) => void build(e.currentTarget as HTMLButtonElement) }, '生成专报'), ' ', status),
        table(topic.samples, [
          { label: '工单编号', value: (s) => s.ticket_id },
          { label: '受理时间', value: (s) => s.received_at, className: 'num' },
          { label: '分类', value: (s) => categoryLabel(s.category_l1, s.category_source) },
          { label: '区县', value: (s) => (isUnknownPlace(s.district) ? '未写区县' : s.district!) },
          { label: '诉求内容（已脱敏）', value: (s) => s.content ?? '—', className: 'text' },
        ]),
      ),
    );
  };
  const top = data.topics.slice(0, 6);
  replace(
    content,
    h(
      'div',
      { class: 'form-row' },
      h('label', {}, '起 ', fromInput),
      h('label', {}, '止 ', toInput),
      h('label', { title: '不计诉求类型为“咨询”的工单：只看需要解决的问题' }, consultInput, ' 不含咨询'),
      h('button', { type: 'button', onclick: show }, '查看'),
      h('span', { class: 'sub' }, '同一地点（或同一群体）、同一事项的诉求归为一个话题，跨分类统计；热度 = 人数 + 重复诉求的一半 + √(点赞 + 反对)，近三分之一时段增长快的最多加倍。'),
    ),
    data.topics.length
      ? [
          panel(`前 ${top.length} 个话题的每日诉求（${data.from} — ${data.to}）`, chartBox(topicTrendOption(top.map((t) => ({ name: t.description, daily: t.daily })), data.from!, data.to!), 'chart tall')),
          panel(
            `热点话题（${data.topics.length} 个）`,
            table(
              data.topics,
              [
                { label: '排名', value: (t) => String(t.rank), className: 'num' },
                { label: '热度', value: (t) => t.heat.toFixed(1), className: 'num' },
                { label: '话题', value: (t) => h('a', { href: '#topic-detail', onclick: (e: Event) => (e.preventDefault(), open(t)) }, t.description), className: 'text' },
                { label: '地点', value: (t) => t.where || '—' },
                { label: '件数', value: (t) => count(t.count), className: 'num' },
                { label: '人数', value: (t) => count(t.callers), className: 'num' },
                { label: '增长', value: (t) => `×${t.growth.toFixed(1)}`, className: 'num' },
                { label: '时段', value: (t) => (t.firstDay === t.lastDay ? t.firstDay : `${t.firstDay} — ${t.lastDay}`), className: 'nowrap' },
                { label: '涉及分类', value: (t) => t.categories.map((c) => c.name).join('、') },
              ],
              { onRow: open },
            ),
          ),
          detail,
        ]
      : h('p', { class: 'empty' }, emptyWords(data.requests ?? null)),
  );
  if (data.topics.length) open(data.topics[0]);
}
