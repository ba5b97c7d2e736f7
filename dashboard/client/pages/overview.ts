import { channelMixOption, kpiSparklineOption } from '../../../reports/charts/dashboard-options.js';
import { dailyVolumeOption } from '../../../reports/charts/options.js';
import { fitsRegion } from '../../../reports/charts/map-options.js';
import { addMonths } from '../../../pipelines/kpi/period.js';
import { foldNotes } from '../../../reports/format.js';
import { getJson } from '../api.js';
import { chartBox, h, notice, panel, replace, table, youngTag } from '../dom.js';
import { readFilters } from '../filters.js';
import { changeClass, changeText, defined, expectedText, formatValue, share } from '../format.js';
import { districtMapBox, loadMap, type MapPayload } from '../map.js';
import type { Card, Districts, Incident, Overview } from '../types.js';
import { topicOf } from '../../../pipelines/incident-names.js';
import { incidentTitle, statusTag } from './alerts.js';

const UNITS: Record<string, string> = { received: '件', dispatched: '件', avg_handling_hours: '小时' };

/** 环比 / 同比 of a card: the change, "不作比较" with the reason, or "—". */
function change(c: Card, which: 'mom' | 'yoy'): HTMLElement {
  const delta = which === 'mom' ? (c.measure === 'pp' ? c.mom_pp : c.mom_pct) : c.measure === 'pp' ? c.yoy_pp : c.yoy_pct;
  const withheld = which === 'mom' ? c.mom_withheld : c.yoy_withheld;
  const base = which === 'mom' ? c.previous_month : c.same_month_last_year;
  const label = `${which === 'mom' ? '环比' : '同比'}${c.same_age ? '（同龄）' : ''}`;
  const title = withheld ?? `${which === 'mom' ? '上月' : '去年同月'}${c.same_age ? '同龄时' : ''} ${formatValue(base, c.kind)}`;
  return h('span', { class: withheld ? 'flat withheld' : changeClass(c.key, delta), title }, `${label} ${withheld ? '不作比较' : changeText(delta, c.measure)}`);
}

function card(c: Card): HTMLElement {
  return h(
    'article',
    { class: `card${c.young ? ' young' : ''}${c.missing ? ' missing' : ''}`, 'data-kpi': c.key },
    defined(c.key, h('span', { class: 'name' }, c.name, c.young ? youngTag() : null)),
    defined(c.key, h('span', { class: 'value' }, formatValue(c.value, c.kind), UNITS[c.key] && c.value !== null ? h('small', {}, UNITS[c.key]) : null)),
    c.missing ? h('span', { class: 'coverage' }, c.missing) : h('span', { class: 'changes' }, change(c, 'mom'), change(c, 'yoy')),
    chartBox(kpiSparklineOption(c.spark, c.kind), 'spark'),
  );
}

/** The daily chart's span: the last three months, or from the data's first day when it is later. */
function dailySpan(data: Overview): string {
  const first = data.daily[0]?.date;
  return first && first > `${addMonths(data.month, -2)}-01` ? `数据始于 ${first}` : '近三个月';
}

function scopeText(data: Overview): string {
  if (data.scope.dimension === 'total') return '全部工单';
  return `${data.scope.keys.join(' › ')}（占全部 ${share(data.share)}）`;
}

export function alertList(alerts: Incident[]): HTMLElement {
  return table(
    alerts,
    [
      { label: '状态', value: (e) => statusTag(e.status) },
      { label: '预警事件', value: (e) => h('a', { href: `/alerts?incident=${e.incident_id}` }, incidentTitle(e)) },
      { label: '最近', value: (e) => e.last_day, className: 'nowrap' },
      { label: '峰值', value: (e) => `${e.peak_count} 件（预期 ${expectedText(e.peak_expected)}）`, className: 'num' },
    ],
    { empty: '当前没有未关闭的预警' },
  );
}

/** The month's volume by district with the open alerts as pins; a click opens 区域分析 for the district. */
function overviewMap(map: MapPayload, districts: Districts, alerts: Incident[] | null, selected?: string): HTMLElement | null {
  // (a map none of the data's districts is on would read 无数据 everywhere: 区域分析 says why)
  if (!map.region || !fitsRegion(map.region, districts.districts.map((d) => d.name))) return null;
  const month = districts.month;
  const open = (alerts ?? []).filter((e) => e.status !== 'closed');
  return panel(
    [defined('received', `各区县受理量`), h('span', { class: 'tag' }, open.length ? `红色标记：${open.length} 个未关闭预警` : '点击区县查看区域分析')],
    districtMapBox(
      map.region,
      districts.districts.map((d) => ({ name: d.name, value: d.received })),
      { kind: 'count', valueName: '受理量', highlight: selected, incidents: open.map((e) => ({ label: topicOf(e), district: e.district, township: e.township, address: e.place })) },
      (name) => (location.href = `/districts?${new URLSearchParams({ month, district: name })}`),
    ),
  );
}

export async function renderOverview(content: HTMLElement): Promise<void> {
  const filters = readFilters();
  const [data, channels, map, districts] = await Promise.all([
    getJson<Overview>('/api/overview', { ...filters }),
    getJson<{ rows: { name: string; count: number; share: number | null }[] }>('/api/channels', { month: filters.month }),
    loadMap(),
    getJson<Districts>('/api/districts', { month: filters.month }),
  ]);
  const notes: string[] = [];
  if (data.ignored.includes('category')) notes.push('同时选择了区县和分类：汇总表一次只按一个维度汇总，指标按区县统计。');
  if (!data.rollup.usable) notes.push(`汇总表正在更新（${data.rollup.reason ?? ''}）：指标直接从工单计算，趋势图可能稍旧。`);
  if (data.calendar.partial && data.calendar.last === data.month) notes.push(`${data.month} 的数据截至 ${data.calendar.lastDay}，本月尚未结束：环比、同比按不完整的月份计算。`);
  notes.push(...foldNotes(data.notes));
  notice(notes.join('\n') || null);
  replace(
    content,
    h('p', { class: 'lead' }, `${data.month.slice(0, 4)}年${data.month.slice(5)}月 · ${scopeText(data)} · 点击数字查看口径`),
    h('div', { class: 'cards' }, data.cards.map(card)),
    h(
      'div',
      { class: 'grid two' },
      panel(
        [defined('received', '每日受理量'), h('span', { class: 'tag' }, dailySpan(data))],
        chartBox(dailyVolumeOption(data.daily, { movingAverage: true }), 'chart'),
      ),
      panel(
        '来源渠道',
        data.scope.dimension !== 'total' ? h('p', { class: 'sub' }, '渠道构成为全部工单口径（汇总表不按区县、分类细分渠道）') : null,
        // (one channel — a message board's, a 311 export's — is a sentence, not a ring of 100 %, as in the 月报)
        channels.rows.length === 1
          ? h('p', { class: 'single' }, `工单的来源渠道均为“${channels.rows[0].name}”（${channels.rows[0].count.toLocaleString('en-US')} 件）。`)
          : chartBox(channelMixOption(channels.rows), 'chart'),
      ),
    ),
    overviewMap(map, districts, data.alerts, filters.district?.split('/')[0]),
    data.alerts === null
      ? panel('当前预警', h('p', { class: 'empty' }, '预警模块尚未启用（数据仓库中没有预警表）。'))
      : panel([h('a', { href: '/alerts' }, '当前预警'), h('span', { class: 'tag' }, `${data.alerts.length} 个未关闭`)], alertList(data.alerts)),
  );
}
