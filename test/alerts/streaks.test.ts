import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runHotspots, type Deliver } from '../../pipelines/alert-job.js';
import { DEFAULT_HOTSPOT_SETTINGS, findBursts, findStreaks, type SeriesDetector } from '../../pipelines/hotspots.js';
import { incidentJson } from '../../pipelines/commands/incidents.js';
import { getIncident, listIncidents, memberOfBurst } from '../../pipelines/incidents.js';
import { ingestFile } from '../../pipelines/ingest/ingest.js';
import { loadProfiles } from '../../pipelines/ingest/profiles.js';
import type { MailMessage } from '../../pipelines/mail/compose.js';
import { Warehouse } from '../../pipelines/warehouse.js';
import { tempSetup, ticketRow, writeTicketsCsv } from '../service/helpers.js';

/**
 * A week at one place: wage arrears at a building site, three tickets a day for twelve days and six
 * on the thirteenth, never eight within six hours (no burst) and never enough to lift its district's series (the detector
 * here alarms on nothing). Around it: a busy compound whose last week doubles (not five times its
 * month), a compound as busy from the export's first day as ever after (new in its first week
 * only because the data starts there), and a one-day water outage (a burst), whose tickets stay
 * in the week of every day after it.
 */
const OUTAGE = '2026-01-02';
/** 新建小区: a water outage in the morning and construction noise in the evening, one day. */
const TWO_BURSTS = '2025-12-20';
const START = '2025-11-01';
const SITE_FROM = '2025-12-31';
const LAST = '2026-01-12';
const addDays = (day: string, n: number) => new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);

/** Never alarms: the place checks alone are under test. */
const silent: SeriesDetector = (series, from) =>
  series.dates.filter((d) => d >= from).map((date) => ({ date, count: 0, expected: Number.NaN, upper: Number.NaN, pValue: 1, score: 0, alarm: false }));

describe('a week at one place (streak)', () => {
  const setup = tempSetup('streaks');
  let warehouse: Warehouse;

  beforeAll(async () => {
    warehouse = await Warehouse.open(setup.config.db);
    const rows: string[][] = [];
    let n = 0;
    const id = (date: string) => `${date.replaceAll('-', '')}${String(n++).padStart(5, '0')}`;
    for (let date = START; date <= LAST; date = addDays(date, 1)) {
      const lastWeek = date > addDays(LAST, -7);
      for (let k = 0; k < (lastWeek ? 4 : 2); k++) {
        rows.push(ticketRow(id(date), { 受理时间: `${date} 1${k}:00:00`, 一级分类: '环境保护', 二级分类: '噪声扰民', 所属区县: '昌吉市', 乡镇街道: '宁边路街道', 诉求地址: `昌吉市宁边路街道幸福小区${k + 1}号楼` }));
      }
      for (let k = 0; k < 3; k++) {
        rows.push(ticketRow(id(date), { 受理时间: `${date} 0${k + 7}:30:00`, 一级分类: '城乡建设', 二级分类: '物业管理', 所属区县: '阜康市', 乡镇街道: '阜新街道', 诉求地址: `阜康市阜新街道新建小区${k + 1}号楼` }));
      }
      for (let k = 0; k < 6; k++) {
        rows.push(ticketRow(id(date), { 受理时间: `${date} 11:0${k}:00`, 一级分类: '交通运输', 二级分类: '公交线路', 所属区县: '阜康市', 乡镇街道: '阜新街道', 诉求地址: `阜康市某路${k}号` }));
      }
      if (date === TWO_BURSTS) {
        for (let k = 0; k < 9; k++) {
          rows.push(ticketRow(id(date), { 受理时间: `${date} 07:${String(k * 6).padStart(2, '0')}:00`, 一级分类: '供水', 二级分类: '停水', 诉求内容: '小区一早就停水了', 所属区县: '阜康市', 乡镇街道: '阜新街道', 诉求地址: `阜康市阜新街道新建小区${k + 1}号楼` }));
          rows.push(ticketRow(id(date), { 受理时间: `${date} 21:${String(k * 6).padStart(2, '0')}:00`, 一级分类: '环境保护', 二级分类: '噪声扰民', 诉求内容: '晚上工地施工太吵', 所属区县: '阜康市', 乡镇街道: '阜新街道', 诉求地址: `阜康市阜新街道新建小区${k + 1}号楼` }));
        }
      }
      if (date === OUTAGE) {
        for (let k = 0; k < 20; k++) {
          rows.push(ticketRow(id(date), { 受理时间: `${date} ${String(8 + Math.floor(k / 2)).padStart(2, '0')}:${k % 2 ? '30' : '00'}:00`, 一级分类: '供水', 二级分类: '停水', 诉求内容: '小区停水了', 所属区县: '昌吉市', 乡镇街道: '延安北路街道', 诉求地址: `昌吉市延安北路街道翠苑华府${(k % 9) + 1}号楼` }));
        }
      }
      if (date >= SITE_FROM) {
        for (const hour of date === LAST ? ['08', '09', '12', '13', '16', '17'] : ['08', '12', '16']) {
          rows.push(ticketRow(id(date), { 受理时间: `${date} ${hour}:15:00`, 一级分类: '劳动和社会保障', 二级分类: '欠薪', 诉求内容: '工地拖欠工资三个月，多次讨要无果', 所属区县: '呼图壁县', 乡镇街道: '大丰镇', 诉求地址: '呼图壁县大丰镇西域家园项目工地' }));
        }
      }
    }
    const file = join(setup.dir, 'tickets.csv');
    writeTicketsCsv(file, rows.map((r) => { r[13] = '直接答复'; r[14] = ''; r[16] = ''; r[17] = ''; r[18] = ''; r[19] = ''; r[24] = ''; return r; }));
    const summary = await ingestFile(warehouse, file, { profiles: loadProfiles(), key: 'aa'.repeat(32), maxFieldBytes: 1e6 });
    expect(summary.quarantined).toBe(0);
  });
  afterAll(() => {
    warehouse.close();
    setup.cleanup();
  });

  it('finds the site on each day its week reaches a new high from 15 tickets, the outage on its day only, and nothing else', async () => {
    const run = { from: `${SITE_FROM} 00:00:00`, to: `${addDays(LAST, 1)} 00:00:00` };
    // Three a day is never a burst; the outage is.
    expect((await findBursts(warehouse, run.from, run.to)).map((b) => [b.day, b.place])).toEqual([[OUTAGE, '翠苑华府']]);
    const streaks = await findStreaks(warehouse, run.from, run.to, START);
    // 3 a day from 12-31: 15 in the week by 01-04 16:15, 18 on 01-05, 21 (the whole week) from
    // 01-06 on — no higher until 01-12, whose 6 make 24. The outage's 20 stay in the weeks of
    // 01-03 … 01-08, which are no higher than its own day's.
    expect(streaks.map((s) => [s.day, s.place, s.district, s.category_l2, s.n])).toEqual([
      [OUTAGE, '翠苑华府', '昌吉市', '停水', 20],
      ['2026-01-04', '西域家园项目工地', '呼图壁县', '欠薪', 15],
      ['2026-01-05', '西域家园项目工地', '呼图壁县', '欠薪', 18],
      ['2026-01-06', '西域家园项目工地', '呼图壁县', '欠薪', 21],
      ['2026-01-12', '西域家园项目工地', '呼图壁县', '欠薪', 24],
    ]);
    for (const s of streaks) {
      expect(s.hours).toBe(7 * 24);
      expect(s.adjustedP).toBeLessThan(DEFAULT_HOTSPOT_SETTINGS.fdr);
    }
    // Nothing at the site in the 30 days before its first week: half a ticket a month is the floor, over 7 days.
    const site = streaks.filter((s) => s.place === '西域家园项目工地');
    expect(site[0].expected).toBeCloseTo((0.5 / 30) * 7, 9);
    expect(site[0].first_at).toBe('2025-12-31 08:15:00');
    // The daily job sees the same days one at a time (the week before each day in view).
    const daily = [];
    for (let day = SITE_FROM; day <= LAST; day = addDays(day, 1)) daily.push(...(await findStreaks(warehouse, `${day} 00:00:00`, `${addDays(day, 1)} 00:00:00`, START)));
    expect(daily.map((s) => [s.day, s.place, s.n])).toEqual(streaks.map((s) => [s.day, s.place, s.n]));
  });

  it('holds a place against the rule’s own bound: the minimum, or five times its month before over the window', () => {
    const place = { district: '昌吉市', township: null, place: '幸福小区', category_l1: '环境保护', category_l2: '噪声扰民', n: 80, first_at: '', last_at: '', window_end: '', expected: 0, pValue: 0, adjustedP: 0, places: 1, day: LAST };
    // 60 in the 30 days before: 5 × 60 × 168 / 720 = 70 in a week; 8 before: 9.33 → 10, under the minimum of 15.
    const week = { kind: 'streak' as const, hours: 168, minCount: 15 };
    const hours = { kind: 'burst' as const, hours: 6, minCount: 8 };
    expect(memberOfBurst({ ...place, ...week, previous_30_days: 60 }).upper).toBe(70);
    expect(memberOfBurst({ ...place, ...week, previous_30_days: 8 }).upper).toBe(15);
    // A burst: 5 × 300 × 6 / 720 = 12.5 → 13 tickets in six hours; a quiet place: the minimum of 8.
    expect(memberOfBurst({ ...place, ...hours, previous_30_days: 300 }).upper).toBe(13);
    expect(memberOfBurst({ ...place, ...hours, previous_30_days: 0 }).upper).toBe(8);
    expect(memberOfBurst({ ...place, ...week, previous_30_days: 0 })).toMatchObject({ series_key: 'streak=昌吉市|幸福小区|噪声扰民', channel: 'streak' });
    expect(memberOfBurst({ ...place, ...hours, previous_30_days: 0 })).toMatchObject({ series_key: 'burst=昌吉市|幸福小区|噪声扰民', channel: 'burst' });
  });

  it('does not take a place as new in the export’s first month', async () => {
    const firstWeeks = { from: `${START} 00:00:00`, to: `${addDays(START, 14)} 00:00:00` };
    // 新建小区 has 3 a day from the first day: 21 in a week against nothing before the data.
    const blind = await findStreaks(warehouse, firstWeeks.from, firstWeeks.to, null);
    // (幸福小区's 2 a day, 14 a week, stays under the minimum of 15)
    expect(blind.map((s) => s.place)).toEqual(blind.map(() => '新建小区'));
    expect(blind.length).toBeGreaterThan(0);
    expect(await findStreaks(warehouse, firstWeeks.from, firstWeeks.to, START)).toEqual([]);
  });

  it('is one incident in the daily job, the outage another, each mailed once, the week in the site’s words', async () => {
    const mails: MailMessage[] = [];
    const config = { ...setup.config, mail: { ...setup.config.mail, to: ['值班室 <zhiban@example.gov.cn>'] } };
    const deliver: Deliver = async (message) => (mails.push(message), { status: 'written' });
    for (let day = SITE_FROM; day <= LAST; day = addDays(day, 1)) {
      await runHotspots(warehouse, config, { days: [day], detector: silent, deliver });
    }
    const incidents = await listIncidents(warehouse, { from: START, to: LAST });
    expect(incidents.map((i) => [i.first_day, i.last_day, i.level, i.district, i.place, i.category_l2]).sort()).toEqual([
      [OUTAGE, OUTAGE, 'burst', '昌吉市', '翠苑华府', '停水'],
      // five quiet days (01-07 … 01-11) do not end it: its week still holds the tickets that raised it
      ['2026-01-04', '2026-01-12', 'burst', '呼图壁县', '西域家园项目工地', '欠薪'],
    ]);
    const site = (await getIncident(warehouse, incidents.find((i) => i.place === '西域家园项目工地')!.incident_id))!;
    expect(site.members.map((m) => [m.series_key, m.channel, m.day, m.count])).toEqual([
      ['streak=呼图壁县|西域家园项目工地|欠薪', 'streak', '2026-01-04', 15],
      ['streak=呼图壁县|西域家园项目工地|欠薪', 'streak', '2026-01-05', 18],
      ['streak=呼图壁县|西域家园项目工地|欠薪', 'streak', '2026-01-06', 21],
      ['streak=呼图壁县|西域家园项目工地|欠薪', 'streak', '2026-01-12', 24],
    ]);
    // The outage's burst, its week and its topic (小区停水了) are one incident: the same tickets.
    const outage = (await getIncident(warehouse, incidents.find((i) => i.place === '翠苑华府')!.incident_id))!;
    expect(outage.members.map((m) => m.channel).sort()).toEqual(['burst', 'streak', 'topic']);
    // `hotline incidents --json` names its burst and its week apart (they share the series' name).
    const names = incidentJson(outage).series;
    expect(names.filter((name) => name.startsWith('停水 · 昌吉市 · 翠苑华府'))).toEqual(['停水 · 昌吉市 · 翠苑华府', '停水 · 昌吉市 · 翠苑华府 · 一周集中']);
    expect(new Set(names).size).toBe(names.length);
    // 15 → 24 tickets: the excess grew by less than double, so no second mail.
    expect(mails.map((m) => m.subject).sort()).toEqual([
      '【预警】停水 · 昌吉市 · 翠苑华府 · 1 月 2 日数小时内 12 件，预期不足 0.1 件',
      '【预警】欠薪 · 呼图壁县 · 西域家园项目工地 · 截至 1 月 4 日的一周内 15 件，预期 0.1 件',
    ]);
    const wages = mails.find((m) => m.subject.includes('欠薪'))!;
    expect(wages.text).toContain('12 月 31 日至 1 月 4 日，欠薪（呼图壁县 · 西域家园项目工地）受理 15 件');
    expect(wages.text).toContain('一周集中判定下限：15 件');
    // Its count is the bound itself: reached, not "under the day's bound".
    expect(wages.text).toContain('达到一周集中判定下限（15 件）。');
    expect(wages.text).not.toContain('单日预警上限');
    expect(wages.text).not.toContain('数小时内');
  });

  it('keeps two bursts of different matters at one compound on one day apart, each with its own figures', async () => {
    await runHotspots(warehouse, setup.config, { days: [TWO_BURSTS], detector: silent });
    const atCompound = (await listIncidents(warehouse, { from: TWO_BURSTS, to: TWO_BURSTS })).filter((i) => i.place === '新建小区');
    // (each with its own hot issue of the day inside; the morning's six hours also hold the
    // compound's three ordinary 物业管理 tickets, 07:30 … 09:30)
    const bursts = (i: (typeof atCompound)[number]) => i.members.filter((m) => m.level === 'burst').map((m) => [m.series_key, m.count, m.window?.first]);
    expect(atCompound.map((i) => [i.category_l2, bursts(i)]).sort()).toEqual([
      ['停水', [['burst=阜康市|新建小区|停水', 12, `${TWO_BURSTS} 07:00:00`]]],
      ['噪声扰民', [['burst=阜康市|新建小区|噪声扰民', 9, `${TWO_BURSTS} 21:00:00`]]],
    ]);
  });
});
