import { chinesePart } from '../../../pipelines/cli-error.js';
import { formatP, levelName, seriesName, windowOf } from '../../../pipelines/incident-names.js';
import { incidentEvidenceOption } from '../../../reports/charts/dashboard-options.js';
import { getJson, postJson } from '../api.js';
import { beijingTime, expectedText, plainNumber } from '../format.js';
import { chartBox, h, panel, replace, table } from '../dom.js';
import type { Incident, IncidentChartDay } from '../types.js';

const STATUS: Record<string, string> = { open: '未处理', acknowledged: '已确认', closed: '已关闭' };
const CHANNELS: Record<string, string> = { day: '单日超限', rise: '持续上升', cusum: '持续上升', burst: '数小时内集中', streak: '一周内集中', topic: '话题突增' };

export function statusTag(status: string): HTMLElement {
  return h('span', { class: `tag ${status}` }, STATUS[status] ?? status);
}

/** '停水 · 昌吉市 · 翠苑华府': the incident by its head series. */
export function incidentTitle(i: Incident): string {
  return seriesName(i);
}

const days = (i: Incident) => (i.first_day === i.last_day ? i.first_day : `${i.first_day} 至 ${i.last_day}`);
const pText = (p: number | null) => (p === null ? '—' : formatP(p));
const seriesCount = (i: Incident) => new Set(i.members.map((m) => m.series_key)).size;

const canHandle = () => ['analyst', 'admin'].includes(document.body.dataset.role ?? '');

interface HotspotCheck {
  job: string;
  finished_at: string;
  status: string;
  message: string | null;
}

/** '每天 06:30' for the daily check's cron '30 6 * * *' (another schedule as it is written). */
function scheduleWords(cron: string): string {
  const daily = /^(\d{1,2}) (\d{1,2}) \* \* \*$/.exec(cron.trim());
  return daily ? `每天 ${daily[2].padStart(2, '0')}:${daily[1].padStart(2, '0')}` : `按计划（${cron}）`;
}

/**
 * Why the list is empty: when the check last ran and what it said (a warehouse whose data ended
 * long ago, series with too little history), or that it has not run yet and when it will.
 */
function checkState(last: HotspotCheck | null, daily: string | null): HTMLElement {
  const when = daily ? `热点检测${scheduleWords(daily)}检验前一天的数据。` : '每日热点检测未启用（jobs.hotspots-daily）。';
  if (!last) return h('p', { class: 'sub', id: 'hotspot-check' }, `${when}尚未运行过。`);
  const lines = (last.message ?? '').split('\n').filter(Boolean);
  return h(
    'div',
    { id: 'hotspot-check' },
    h('p', { class: 'sub' }, `${when}最近一次检测：${last.finished_at}${last.status === 'failed' ? '（失败）' : ''}${lines.length ? '，结果：' : ''}`),
    lines.length ? h('ul', { class: 'sub' }, ...lines.slice(0, 4).map((line) => h('li', {}, chinesePart(line)))) : null,
  );
}

export async function renderAlerts(content: HTMLElement): Promise<void> {
  const data = await getJson<{ available: boolean; incidents: Incident[]; falseIncidents: string | null; lastCheck: HotspotCheck | null; dailyCheck: string | null }>('/api/alerts');
  if (!data.available) {
    replace(content, panel('预警', h('p', { class: 'empty' }, '预警模块尚未启用：数据仓库中还没有预警表。')));
    return;
  }
  const selectedId = Number(new URLSearchParams(location.search).get('incident')) || data.incidents[0]?.incident_id;
  const detail = h('div', { id: 'incident' });
  const select = (id: number) => {
    history.replaceState(null, '', `${location.pathname}?incident=${id}`);
    void renderAlerts(content);
  };
  replace(
    content,
    h(
      'div',
      { class: 'grid halves' },
      panel(
        `预警事件（${data.incidents.filter((i) => i.status !== 'closed').length} 起未关闭，共 ${data.incidents.length} 起）`,
        h('p', { class: 'sub' }, '同一批工单在多个序列（全辖区、区县、分类、地点）引起的告警，以及同一地点、同一类问题连续几天的告警，合并为一起事件，只发一封邮件；事件规模翻番时再发。'),
        data.falseIncidents ? h('p', { class: 'sub', id: 'false-incidents' }, data.falseIncidents) : null,
        table(
          data.incidents,
          [
            { label: '状态', value: (i) => statusTag(i.status) },
            { label: '事件', value: (i) => incidentTitle(i), className: 'wrap' },
            { label: '日期', value: (i) => days(i), className: 'nowrap' },
            { label: '相关序列', value: (i) => String(seriesCount(i)), className: 'num' },
            { label: '峰值', value: (i) => `${i.peak_count} 件（预期 ${expectedText(i.peak_expected)}）`, className: 'num' },
            { label: '邮件', value: (i) => `${i.notified} 封`, className: 'num' },
          ],
          { onRow: (i) => select(i.incident_id), selected: (i) => i.incident_id === selectedId, empty: '还没有预警事件' },
        ),
        data.incidents.length ? null : checkState(data.lastCheck, data.dailyCheck),
      ),
      detail,
    ),
  );
  if (selectedId) await renderIncident(detail, selectedId, () => void renderAlerts(content));
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
        { label: '时间', value: (m) => beijingTime(Date.parse(m.date)), className: 'num' },
      ],
      { empty: '发件箱为空' },
    ),
  );
}

type Member = Incident['members'][number];

/** What the member's alarm says: 单日超限, 持续上升 (with the rise), 数小时内集中, 一周内集中. */
function channelText(m: Member): string {
  if (m.rise && m.count <= m.upper) return `持续上升：自 ${m.rise.start} 起 ${m.rise.days} 天 ${Math.round(m.rise.observed)} 件，预期 ${expectedText(m.rise.expected)} 件`;
  if (m.window && windowOf(m) === 'week') return `${CHANNELS.streak}（${m.window.first.slice(5, 10)} 至 ${m.window.last.slice(5, 10)}）`;
  if (m.window) return `${CHANNELS.burst}（${m.window.first.slice(11, 16)}–${m.window.last.slice(11, 16)}）`;
  return CHANNELS[m.channel] ?? m.channel;
}

async function renderIncident(box: HTMLElement, id: number, reload: () => void): Promise<void> {
  const evidence = await getJson<{ incident: Incident; days: IncidentChartDay[] }>(`/api/alerts/${id}`);
  const i = evidence.incident;
  const comment = h('textarea', { id: 'incident-comment', placeholder: '处理意见（必填），如：已通知属地街道核实', 'aria-label': '处理意见' });
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
  // 昌吉市延安北路街道翠苑华府 reads as one address; MANHATTAN 364 WEST 127 STREET needs its spaces
  const parts = [i.district, i.township, i.place].filter((part): part is string => !!part);
  const place = parts.join(parts.some((part) => /[A-Za-z0-9]$/.test(part)) ? ' ' : '');
  const head = i.members.find((m) => m.series_key === i.head_series);
  const streak = !!head && windowOf(head) === 'week';
  replace(
    box,
    panel(
      [`#${i.incident_id} ${incidentTitle(i)} `, statusTag(i.status)],
      h(
        'p',
        { class: 'sub' },
        `${streak ? '一周集中' : levelName(i.level)}${place ? ` · ${place}` : ''} · ${days(i)} · 峰值 ${i.peak_day} ${i.peak_count} 件（预期 ${expectedText(i.peak_expected)}） · 校正后 p 值 ${pText(i.p_value)} · 邮件 ${i.notified} 封${i.closed_on ? ` · ${i.closed_on} 关闭` : ''}`,
      ),
      chartBox(incidentEvidenceOption(evidence.days), 'chart'),
      // A burst's peak counts its hours only, a streak's the week before the day; the bars are whole
      // days. Said under the chart, in the page's text: as the chart's title it ran off a phone's screen.
      streak || i.level === 'burst'
        ? h('p', { class: 'sub', id: 'incident-chart-note' }, streak ? '柱为每天全天的工单量；一周集中的峰值为截至当天 7 天的合计。' : '柱为每天全天的工单量；集中突发的峰值只计集中的数小时。')
        : null,
      table(
        i.members,
        [
          { label: '序列', value: (m) => seriesName(m), className: 'wrap' },
          { label: '日期', value: (m) => m.day, className: 'nowrap' },
          { label: '工单量', value: (m) => String(m.count), className: 'num' },
          { label: '预期', value: (m) => expectedText(m.expected), className: 'num' },
          { label: '上限', value: (m) => plainNumber(m.upper), className: 'num' },
          { label: '校正后 p 值', value: (m) => pText(m.qValue), className: 'num' },
          { label: '依据', value: (m) => channelText(m), className: 'wrap' },
        ],
        { empty: '没有逐日检验记录' },
      ),
      i.comment ? h('p', {}, h('b', {}, '处理意见：'), i.comment, h('span', { class: 'muted' }, ` —— ${i.handled_by ?? ''} ${i.handled_at ?? ''}`)) : null,
      canHandle() && i.status !== 'closed'
        ? h(
            'div',
            { class: 'form-row' },
            comment,
            i.status === 'open' ? h('button', { type: 'button', onclick: () => void act('acknowledge') }, '确认') : null,
            h('button', { type: 'button', class: 'primary', onclick: () => void act('close') }, '关闭'),
            message,
          )
        : null,
    ),
  );
}
