/**
 * A small, realistic warehouse for the browser tests, loaded through the real ingest path: 14 months
 * (2024-06 … 2025-07) of cn-12345 ticket exports, call records and the unit directory written as
 * CSV, ingested with ingestFile, then afterIngest (rollups + analyst snapshot). It holds a noise
 * spike in 昌吉市 in late July 2025 with its alert incident, a quarantined row, a ticket whose text
 * tries to inject HTML, and two archived reports.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dataFolders, type Config } from '../../pipelines/config.js';
import { ingestFile } from '../../pipelines/ingest/ingest.js';
import { loadProfiles } from '../../pipelines/ingest/profiles.js';
import { afterIngest } from '../../pipelines/refresh.js';
import type { Warehouse } from '../../pipelines/warehouse.js';
import { ticketRow, writeTicketsCsv } from '../service/helpers.js';

export const XSS_TEXT = '<img src=x onerror="window.__xss=1">小区门口<b>积水</b>';
export const XSS_TICKET = '2025071599999';

/** A deterministic generator: the same warehouse on every run. */
function seeded(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 4294967296;
  };
  return { next, pick: <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)], chance: (p: number) => next() < p };
}

const CATEGORIES: [string, string, string][] = [
  ['城乡建设', '物业管理', '物业服务'],
  ['城乡建设', '物业管理', '物业收费'],
  ['城乡建设', '房屋建设', ''],
  ['环境保护', '噪声扰民', '施工噪声'],
  ['环境保护', '噪声扰民', '社会生活噪声'],
  ['环境保护', '大气污染', ''],
  ['劳动和社会保障', '欠薪', '农民工工资'],
  ['劳动和社会保障', '社保', '养老保险'],
  ['交通运输', '农村道路', ''],
  ['交通运输', '公交', ''],
  ['供暖', '供暖不热', ''],
  ['供水', '停水', ''],
  ['市场监管', '消费纠纷', '预付卡'],
  ['卫生健康', '医疗服务', ''],
];
const DISTRICTS: [string, string[]][] = [
  ['昌吉市', ['宁边路街道', '延安北路街道', '北京南路街道', '绿洲路街道', '三工镇']],
  ['阜康市', ['博峰街道', '阜新街街道', '九运街镇']],
  ['呼图壁县', ['呼图壁镇', '五工台镇']],
  ['玛纳斯县', ['玛纳斯镇', '乐土驿镇']],
  ['奇台县', ['奇台镇', '老奇台镇']],
  ['吉木萨尔县', ['吉木萨尔镇']],
  ['木垒哈萨克自治县', ['木垒镇']],
];
const UNIT_NAMES = ['生态环境局', '住房和城乡建设局', '人力资源和社会保障局', '交通运输局', '市场监督管理局', '卫生健康委员会', '供热公司', '水务公司'];
const CHANNELS = ['电话', '电话', '电话', '电话', '微信', '网站', '移动APP', '小程序'];
const APPEAL_TYPES = ['咨询', '咨询', '求助', '投诉', '投诉', '投诉', '举报', '建议', '表扬'];

const pad = (n: number) => String(n).padStart(2, '0');
const stamp = (ms: number) => {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
};
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

export const FIRST_DAY = '2024-06-01';
export const LAST_DAY = '2025-07-31';
export const SPIKE_DAYS = ['2025-07-20', '2025-07-21', '2025-07-22'];

function unitFor(district: string, category: string): string {
  const index = { 环境保护: 0, 城乡建设: 1, 劳动和社会保障: 2, 交通运输: 3, 市场监管: 4, 卫生健康: 5, 供暖: 6, 供水: 7 }[category] ?? 1;
  return `${district}${UNIT_NAMES[index]}`;
}

/** The exports, as the hotline's platform would write them: tickets, calls, units; one bad row. */
export function writeExports(dir: string): { tickets: string; calls: string; units: string; count: number } {
  const random = seeded(12345);
  const rows: string[][] = [];
  const calls: string[] = ['呼叫编号,来电时间,呼入队列,是否自助服务,应答时间,挂机时间,话务员工号,关联工单'];
  const phones = Array.from({ length: 1500 }, (_, i) => `139${String(10_000_000 + i * 7919).slice(-8)}`);
  let serial = 0;
  const first = Date.parse(`${FIRST_DAY}T00:00:00Z`);
  const last = Date.parse(`${LAST_DAY}T00:00:00Z`);
  for (let day = first; day <= last; day += DAY) {
    const date = stamp(day).slice(0, 10);
    const month = new Date(day).getUTCMonth() + 1;
    const weekday = new Date(day).getUTCDay();
    const perDay = Math.round(22 + (weekday === 0 || weekday === 6 ? -6 : 0) + (month >= 11 || month <= 2 ? 6 : 0) + random.next() * 8);
    const spike = SPIKE_DAYS.includes(date) ? 14 : 0;
    for (let i = 0; i < perDay + spike; i++) {
      serial++;
      const id = `${date.replaceAll('-', '')}${String(serial).padStart(5, '0')}`;
      const received = day + (7 * HOUR + Math.floor(random.next() * 14 * HOUR));
      const isSpike = i >= perDay;
      let category = isSpike ? CATEGORIES[4] : random.pick(CATEGORIES);
      // Heating complaints in winter, noise in summer: the seasons the region knows.
      if (!isSpike && (month >= 11 || month <= 2) && random.chance(0.15)) category = CATEGORIES[10];
      if (!isSpike && month >= 6 && month <= 8 && random.chance(0.08)) category = CATEGORIES[3];
      const [district, townships] = isSpike ? DISTRICTS[0] : random.pick(DISTRICTS);
      const township = isSpike ? '宁边路街道' : random.pick(townships);
      const direct = !isSpike && random.chance(0.6);
      const withdrawn = random.chance(0.02);
      const dispatched = received + (10 + Math.floor(random.next() * 50)) * MINUTE;
      const signed = dispatched + Math.floor((random.chance(0.9) ? 1.5 : 5) * random.next() * HOUR);
      const deadline = dispatched + 5 * DAY;
      const completed = direct ? (random.chance(0.5) ? received + 20 * MINUTE : null) : random.chance(0.9) ? dispatched + Math.floor(random.next() * (random.chance(0.85) ? 5 : 8) * DAY) : null;
      const callback = !direct && completed !== null && random.chance(0.85) ? completed + Math.floor(random.next() * 48 * HOUR) : null;
      const unit = unitFor(district, category[0]);
      rows.push(
        ticketRow(id, {
          受理时间: stamp(received),
          来源渠道: random.pick(CHANNELS),
          诉求类型: isSpike ? '投诉' : random.pick(APPEAL_TYPES),
          一级分类: category[0],
          二级分类: category[1],
          三级分类: category[2],
          诉求内容: `${township}${category[1]}问题，来电人 ${random.pick(phones)} 反映情况，请尽快处理`,
          诉求地址: `${district}${township}${1 + Math.floor(random.next() * 40)}号`,
          所属区县: district,
          乡镇街道: township,
          诉求人: '张某',
          联系电话: random.pick(phones),
          办理方式: direct ? '直接答复' : '转办',
          承办单位: direct ? '' : unit,
          派单时间: direct ? '' : stamp(dispatched),
          签收时间: direct ? '' : stamp(signed),
          办理时限: direct ? '' : stamp(deadline),
          办结时间: completed === null ? '' : stamp(completed),
          工单状态: withdrawn ? '已撤销' : completed !== null || direct ? (callback ? '已办结' : direct ? '已办结' : '待回访') : '办理中',
          退单次数: !direct && random.chance(0.07) ? '1' : '0',
          是否涉企: random.chance(0.08) ? '是' : '否',
          是否紧急: '否',
          回访时间: callback === null ? '' : stamp(callback),
          回访结果: callback === null ? '' : random.pick(['满意', '满意', '满意', '满意', '满意', '基本满意', '不满意']),
          是否解决: callback === null ? '' : random.chance(0.9) ? '已解决' : '未解决',
        }),
      );
    }
    for (let c = 0; c < 30; c++) {
      const at = day + (7 * HOUR + Math.floor(random.next() * 14 * HOUR));
      const ivr = random.chance(0.05);
      const answered = !ivr && random.chance(0.96);
      const wait = Math.floor(random.next() * (random.chance(0.85) ? 15 : 60));
      calls.push([`C${date.replaceAll('-', '')}${pad(c)}`, stamp(at), random.pick(['综合', '综合', '涉企专席', '医保专席']), ivr ? '是' : '否', answered ? stamp(at + wait * 1000) : '', answered ? stamp(at + (wait + 200) * 1000) : '', `A${pad(1 + Math.floor(random.next() * 27))}`, ''].join(','));
    }
  }
  rows.push(
    ticketRow(XSS_TICKET, {
      受理时间: '2025-07-15 10:00:00', 诉求内容: XSS_TEXT, 一级分类: '供水', 二级分类: '停水', 三级分类: '', 承办单位: '昌吉市水务公司',
      派单时间: '2025-07-15 10:20:00', 签收时间: '2025-07-15 10:50:00', 办理时限: '2025-07-20 10:20:00', 办结时间: '2025-07-16 12:00:00', 回访时间: '2025-07-17 09:00:00',
    }),
  );
  // A row the ingest must quarantine with its reason: no valid receipt time.
  rows.push(ticketRow('X0000000001', { 受理时间: '去年某天' }));
  const tickets = join(dir, '工单导出_2024-2025.csv');
  writeTicketsCsv(tickets, rows);
  const callsFile = join(dir, '话务记录.csv');
  writeFileSync(callsFile, calls.join('\n') + '\n');
  const units = ['单位名称,单位类别,所属区县'];
  for (const [district] of DISTRICTS) UNIT_NAMES.forEach((name, i) => units.push(`${district}${name},${i >= 6 ? '企业' : '县市部门'},${district}`));
  const unitsFile = join(dir, '承办单位目录.csv');
  writeFileSync(unitsFile, units.join('\n') + '\n');
  return { tickets, calls: callsFile, units: unitsFile, count: rows.length };
}

/** Writes the exports, loads them through the ingest path, adds the alert incident and the reports. */
export async function buildWarehouse(warehouse: Warehouse, config: Config, dir: string): Promise<void> {
  const files = writeExports(dir);
  const options = { profiles: loadProfiles(), key: 'b7'.repeat(32), maxFieldBytes: 1e6 };
  for (const file of [files.units, files.tickets, files.calls]) {
    const summary = await ingestFile(warehouse, file, options);
    if (summary.status !== 'loaded') throw new Error(`fixture: ${file} was not loaded: ${summary.message}`);
  }
  // The incident the hotspot job would have recorded for the spike (its detector is tested elsewhere).
  await warehouse.run(`insert into alert_incidents (incident_id, first_day, last_day, head_series, level, category_l1, category_l2, district, peak_day,
      peak_count, peak_expected, p_value, excess, status)
    values (1, '2025-07-20', '2025-07-22', 'l2=噪声扰民|district=昌吉市', 'l2_district', '环境保护', '噪声扰民', '昌吉市', '2025-07-21', 16, 1.6, 0.0001, 14.4, 'open'),
           (2, '2025-01-06', '2025-01-07', 'l1=供暖', 'l1', '供暖', null, null, '2025-01-06', 14, 5.2, 0.0004, 8.8, 'closed')`);
  await warehouse.run(`insert into alert_incident_series (incident_id, series_key, level, category_l1, category_l2, district)
    values (1, 'l2=噪声扰民|district=昌吉市', 'l2_district', '环境保护', '噪声扰民', '昌吉市'), (2, 'l1=供暖', 'l1', '供暖', null, null)`);
  // A topic surge among the spike's series: its name is a citizen's sentence, the longest a member has.
  const topic = '宁边路某工地夜间施工噪声很大，凌晨两点还在打桩，多次投诉无果';
  await warehouse.run(`insert into alert_incident_series (incident_id, series_key, level, category_l1, category_l2, district, topic)
    values (1, 'topic=${topic}|district=昌吉市', 'topic', '环境保护', '噪声扰民', '昌吉市', '${topic}')`);
  await warehouse.run(`insert into alert_days (incident_id, series_key, day, count, expected, upper, p_value, q_value, score, channel, detected_at)
    select 1, 'l2=噪声扰民|district=昌吉市', d::date, n, 1.6, 5.5, 0.00001, 0.0001, n / 1.6, 'day', current_localtimestamp()
    from (values ('2025-07-20', 15), ('2025-07-21', 16), ('2025-07-22', 14)) as t(d, n)`);
  await warehouse.run(`insert into alert_days (incident_id, series_key, day, count, expected, upper, p_value, q_value, score, channel, detected_at)
    values (1, 'topic=${topic}|district=昌吉市', '2025-07-21', 9, 0.2, 5, 0.000001, 0.00001, 12, 'topic', current_localtimestamp())`);
  await afterIngest(warehouse, config);
  const reports = join(dataFolders(config).reports, '2025');
  mkdirSync(reports, { recursive: true });
  writeFileSync(join(reports, '2025-07 月报.html'), '<!doctype html><html lang="zh-CN"><meta charset="utf-8"><title>2025 年 7 月月报</title><h1>昌吉州 12345 热线 2025 年 7 月月报</h1><p>受理量与办结率见正文。</p></html>');
  writeFileSync(join(reports, '2025-07 月报.pdf'), '%PDF-1.4\n% test\n');
  writeFileSync(join(reports, '2025-07 月报.docx'), 'PK test');
  writeFileSync(join(reports, '2025-06 月报.html'), '<!doctype html><meta charset="utf-8"><title>6 月月报</title><h1>6 月月报</h1>');
}

export const CHROMIUM = '/usr/bin/chromium';

/**
 * Debian's Chromium through playwright-core. Each launch runs on a fresh temporary profile
 * (playwright passes its own --user-data-dir; a persistent context would allow one signed-in role
 * only); the other flags as stack-notes.md says.
 */
export async function launchChromium(): Promise<import('playwright-core').Browser> {
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--lang=zh-CN', '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}
