import { episodeEvidenceOption, type EpisodeDay } from '../../../reports/charts/dashboard-options.js';
import { getJson, postJson } from '../api.js';
import { chartBox, h, panel, replace, table } from '../dom.js';
import type { Episode } from '../types.js';

const STATUS: Record<string, string> = { open: '未处理', acknowledged: '已确认', closed: '已关闭' };
const LEVELS: Record<string, string> = { l1: '一级分类', l2: '二级分类', district: '区县', l1_district: '区县 × 一级分类', l2_district: '区县 × 二级分类', incident: '集中突发' };

export function statusTag(status: string): HTMLElement {
  return h('span', { class: `tag ${status}` }, STATUS[status] ?? status);
}

export function episodeTitle(e: Episode): string {
  if (e.level === 'incident') return `${e.district ?? ''} ${e.address ?? e.series_key.replace(/^place=/, '')} · ${e.category_l2 ?? e.category_l1 ?? ''}`.trim();
  const what = e.level.startsWith('l2') ? (e.category_l2 ?? '') : e.level.startsWith('l1') ? (e.category_l1 ?? '') : '全部诉求';
  return [e.district, what].filter(Boolean).join(' · ');
}

interface Evidence {
  episode: Episode;
  alarmDays: { day: string; count: number; expected: number; upper: number; p_value: number | null; score: number | null }[];
  days: EpisodeDay[];
}

const canHandle = () => ['analyst', 'admin'].includes(document.body.dataset.role ?? '');

export async function renderAlerts(content: HTMLElement): Promise<void> {
  const data = await getJson<{ available: boolean; episodes: Episode[] }>('/api/alerts');
  if (!data.available) {
    replace(content, panel('预警', h('p', { class: 'empty' }, '预警模块尚未启用：数据仓库中还没有预警表。')));
    return;
  }
  const selectedId = Number(new URLSearchParams(location.search).get('episode')) || data.episodes[0]?.episode_id;
  const detail = h('div', { id: 'episode' });
  const select = (id: number) => {
    history.replaceState(null, '', `${location.pathname}?episode=${id}`);
    void renderAlerts(content);
  };
  replace(
    content,
    h(
      'div',
      { class: 'grid halves' },
      panel(
        `预警事件（${data.episodes.filter((e) => e.status !== 'closed').length} 个未关闭，共 ${data.episodes.length} 个）`,
        table(
          data.episodes,
          [
            { label: '状态', value: (e) => statusTag(e.status) },
            { label: '预警', value: (e) => episodeTitle(e), className: 'nowrap' },
            { label: '类型', value: (e) => LEVELS[e.level] ?? e.level, className: 'nowrap' },
            { label: '开始', value: (e) => e.opened_on, className: 'num' },
            { label: '最近告警', value: (e) => e.last_alarm_on, className: 'num' },
            { label: '峰值', value: (e) => `${e.peak_count} 件`, className: 'num' },
          ],
          { onRow: (e) => select(e.episode_id), selected: (e) => e.episode_id === selectedId, empty: '还没有预警事件' },
        ),
      ),
      detail,
    ),
  );
  if (selectedId) await renderEpisode(detail, selectedId, () => void renderAlerts(content));
  content.append(await outboxPanel());
}

interface OutboxMessage {
  name: string;
  subject: string;
  to: string;
  date: string;
  pending: boolean;
}

/** What the mail path wrote: .eml files (no SMTP configured) and sends waiting for a retry. */
async function outboxPanel(): Promise<HTMLElement> {
  const { messages } = await getJson<{ messages: OutboxMessage[] }>('/api/outbox');
  return panel(
    `邮件发件箱（${messages.length}）`,
    h('p', { class: 'sub' }, '未配置邮件服务器时，预警与报告邮件保存在 data/outbox/；发送失败的邮件在 pending/ 中等待重试。'),
    table(
      messages,
      [
        { label: '状态', value: (m) => h('span', { class: `tag ${m.pending ? 'open' : 'closed'}` }, m.pending ? '待重发' : '已写出') },
        { label: '主题', value: (m) => h('a', { href: `/api/outbox/file?name=${encodeURIComponent(m.name)}`, download: '' }, m.subject) },
        { label: '收件人', value: (m) => m.to || '—' },
        { label: '时间', value: (m) => new Date(Date.parse(m.date) + 8 * 3600_000).toISOString().slice(0, 16).replace('T', ' '), className: 'num' },
      ],
      { empty: '发件箱为空' },
    ),
  );
}

async function renderEpisode(box: HTMLElement, id: number, reload: () => void): Promise<void> {
  const evidence = await getJson<Evidence>(`/api/alerts/${id}`);
  const e = evidence.episode;
  const comment = h('textarea', { id: 'episode-comment', placeholder: '处理意见（必填），如：已通知属地街道核实', 'aria-label': '处理意见' });
  const message = h('span', { class: 'muted', role: 'status' });
  const act = async (action: 'acknowledge' | 'close') => {
    if (!comment.value.trim()) {
      message.textContent = '请先填写处理意见';
      return;
    }
    try {
      await postJson(`/api/alerts/${id}`, { action, comment: comment.value });
      reload();
    } catch (error) {
      message.textContent = (error as Error).message;
    }
  };
  replace(
    box,
    panel(
      [`#${e.episode_id} ${episodeTitle(e)} `, statusTag(e.status)],
      h('p', { class: 'sub' }, `${LEVELS[e.level] ?? e.level} · ${e.opened_on} 开始 · 最近告警 ${e.last_alarm_on}${e.closed_on ? ` · ${e.closed_on} 关闭` : ''} · 峰值 ${e.peak_count} 件（预期 ${e.peak_expected.toFixed(1)}）`),
      chartBox(episodeEvidenceOption(evidence.days), 'chart'),
      table(
        evidence.alarmDays,
        [
          { label: '告警日', value: (d) => d.day },
          { label: '工单量', value: (d) => String(d.count), className: 'num' },
          { label: '预期', value: (d) => d.expected.toFixed(1), className: 'num' },
          { label: '上限', value: (d) => d.upper.toFixed(1), className: 'num' },
          { label: 'p 值', value: (d) => (d.p_value === null ? '—' : d.p_value < 0.0001 ? '< 0.0001' : d.p_value.toFixed(4)), className: 'num' },
        ],
        { empty: '没有逐日检验记录' },
      ),
      e.comment ? h('p', {}, h('b', {}, '处理意见：'), e.comment, h('span', { class: 'muted' }, ` —— ${e.handled_by ?? ''} ${e.handled_at ?? ''}`)) : null,
      canHandle() && e.status !== 'closed'
        ? h(
            'div',
            { class: 'form-row' },
            comment,
            e.status === 'open' ? h('button', { type: 'button', onclick: () => void act('acknowledge') }, '确认') : null,
            h('button', { type: 'button', class: 'primary', onclick: () => void act('close') }, '关闭'),
            message,
          )
        : null,
    ),
  );
}
