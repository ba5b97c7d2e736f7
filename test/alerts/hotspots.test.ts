import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { dailyHotspots, hourlyIncidents, runHotspots, type Deliver } from '../../pipelines/alert-job.js';
import { run as incidentsCommand } from '../../pipelines/commands/incidents.js';
import {
  benjaminiHochberg,
  DEFAULT_HOTSPOT_SETTINGS,
  findBursts,
  judgeDays,
  loadSeries,
  type SeriesDetector,
} from '../../pipelines/hotspots.js';
import {
  dueForMail,
  getIncident,
  groupAlarms,
  handleIncident,
  headOf,
  listIncidents,
  markMailed,
  memberOfAlarm,
  memberOfBurst,
  recordIncidents,
  samePlaceAndTopic,
  type Member,
} from '../../pipelines/incidents.js';
import { ingestFile } from '../../pipelines/ingest/ingest.js';
import { loadProfiles } from '../../pipelines/ingest/profiles.js';
import type { MailMessage } from '../../pipelines/mail/compose.js';
import { sqlFile, Warehouse } from '../../pipelines/warehouse.js';
import { tempSetup, ticketRow, writeTicketsCsv } from '../service/helpers.js';

/** A plain Poisson test on the mean of the previous 28 days: enough to exercise the job's logic. */
const poissonDetector: SeriesDetector = (series, from) => {
  const results = [];
  for (let i = 0; i < series.dates.length; i++) {
    if (series.dates[i] < from) continue;
    const window = series.counts.slice(Math.max(0, i - 28), i);
    if (window.length < 7) {
      results.push({ date: series.dates[i], count: series.counts[i], expected: Number.NaN, upper: Number.NaN, pValue: 1, score: 0, alarm: false });
      continue;
    }
    const expected = Math.max(0.5, window.reduce((a, b) => a + b, 0) / window.length);
    const count = series.counts[i];
    let term = Math.exp(-expected);
    let below = 0;
    for (let k = 0; k < count; k++) {
      below += term;
      term *= expected / (k + 1);
    }
    const pValue = Math.max(1e-300, 1 - below);
    results.push({ date: series.dates[i], count, expected, upper: expected + 3 * Math.sqrt(expected), pValue, score: -Math.log10(pValue), alarm: pValue < 0.001 });
  }
  return results;
};

const SETTINGS = { ...DEFAULT_HOTSPOT_SETTINGS, historyDays: 60 };

/** A member as the job would make it, for the rules that need no data. */
function member(key: string, fields: Partial<Member>): Member {
  return { series_key: key, level: 'l2', category_l1: null, category_l2: null, district: null, township: null, place: null, day: '2025-07-20', count: 10, expected: 2, upper: 6, pValue: 1e-6, qValue: 1e-4, tests: 100, score: 6, channel: 'day', rise: null, window: null, ...fields };
}

describe('hotspot job', () => {
  const setup = tempSetup('hotspots');
  let warehouse: Warehouse;
  const day = '2025-07-20';

  beforeAll(async () => {
    warehouse = await Warehouse.open(setup.config.db);
    const rows: string[][] = [];
    let n = 0;
    const id = (date: string) => `${date.replaceAll('-', '')}${String(n++).padStart(5, '0')}`;
    for (let d = 0; d < 60; d++) {
      const date = new Date(Date.parse('2025-05-22T00:00:00Z') + d * 86_400_000).toISOString().slice(0, 10);
      const noise = date === day ? 30 : 4; // noise complaints in 昌吉市 spike on the last day
      for (let k = 0; k < noise; k++) rows.push(ticketRow(id(date), { 受理时间: `${date} 10:${String(k % 60).padStart(2, '0')}:00`, 一级分类: '环境保护', 二级分类: '噪声扰民', 所属区县: '昌吉市', 乡镇街道: '宁边路街道', 诉求地址: `昌吉市宁边路街道幸福小区${k % 7 + 1}号楼` }));
      for (let k = 0; k < 2; k++) rows.push(ticketRow(id(date), { 受理时间: `${date} 20:0${k}:00`, 一级分类: '环境保护', 二级分类: '噪声扰民', 所属区县: '阜康市', 乡镇街道: '阜新街道', 诉求地址: `阜康市阜新街道明珠华府${k + 1}号楼` }));
      for (let k = 0; k < 6; k++) rows.push(ticketRow(id(date), { 受理时间: `${date} 11:${String(k).padStart(2, '0')}:00`, 一级分类: '交通运输', 二级分类: '公交线路', 所属区县: '阜康市', 乡镇街道: '阜新街道', 诉求地址: `阜康市某路${k}号` }));
      // Consultations without a district: in the prefecture's series only, never as "未知区县".
      for (let k = 0; k < 3; k++) rows.push(ticketRow(id(date), { 受理时间: `${date} 12:0${k}:00`, 一级分类: '政务服务', 二级分类: '办事咨询', 所属区县: '', 乡镇街道: '', 诉求地址: '' }));
    }
    // A water outage: 12 tickets from one compound within an hour on the evening of the last day.
    for (let k = 0; k < 12; k++) rows.push(ticketRow(id(day), { 受理时间: `${day} 19:${String(k * 5).padStart(2, '0')}:00`, 一级分类: '供水', 二级分类: '停水', 所属区县: '昌吉市', 乡镇街道: '延安北路街道', 诉求地址: `昌吉市延安北路街道翠苑华府${k + 1}号楼2单元` }));
    const file = join(setup.dir, 'tickets.csv');
    writeTicketsCsv(file, rows.map((r) => r.map((v, i) => (i === 17 || i === 19 || i === 24 ? '' : v))).map((r) => { r[13] = '直接答复'; r[14] = ''; r[16] = ''; r[18] = ''; r[20] = '已办结'; return r; }));
    const summary = await ingestFile(warehouse, file, { profiles: loadProfiles(), key: 'aa'.repeat(32), maxFieldBytes: 1e6 });
    expect(summary.quarantined).toBe(0);
  });
  afterAll(() => {
    warehouse.close();
    setup.cleanup();
  });

  it('controls the false discovery rate with Benjamini–Hochberg (hand-computed)', () => {
    // p sorted: 0.001 (rank 1), 0.01 (2), 0.03 (3), 0.04 (4); m = 4
    // raw p*m/rank: 0.004, 0.02, 0.04, 0.04 → cumulative min from the top: 0.004, 0.02, 0.04, 0.04
    expect(benjaminiHochberg([0.04, 0.001, 0.03, 0.01]).map((q) => Number(q.toFixed(4)))).toEqual([0.04, 0.004, 0.04, 0.02]);
  });

  it('names the compound in full from the address (stg_tickets.place), without district or township, never cut inside a name', async () => {
    const cases: [string | null, string | null, string | null, string | null][] = [
      ['昌吉市延安北路街道翠苑华府3号楼2单元301', '昌吉市', '延安北路街道', '翠苑华府'],
      ['延安北路街道翠苑华府', '昌吉市', '延安北路街道', '翠苑华府'],
      ['昌吉市中山路街道御景苑小区5号楼', '昌吉市', '中山路街道', '御景苑小区'],
      ['昌吉市中山路街道金域新城小区23号楼1单元503室', '昌吉市', '中山路街道', '金域新城小区'],
      ['昌吉市建国路街道丽水名邸2期6号楼', '昌吉市', '建国路街道', '丽水名邸'],
      ['昌吉市六工镇西地村三组12号', '昌吉市', '六工镇', '西地村'],
      ['奇台县老奇台镇红旗村5队', '奇台县', '老奇台镇', '红旗村'],
      ['红星二队5号', null, null, '红星二队'],
      ['昌吉高新区高新区南区片区枫林公寓6号楼5单元', '昌吉高新区', '高新区南区片区', '枫林公寓'],
      ['呼图壁县大丰镇西域家园项目工地', '呼图壁县', '大丰镇', '西域家园项目工地'],
      ['海南省海口市美兰区白龙街道金色港湾二期3栋', null, null, '金色港湾'],
      ['海口市龙华区金宇街道世纪花园A栋1202', null, null, '世纪花园'],
      ['昌吉市北京南路123号', '昌吉市', '宁边路街道', '北京南路123号'],
      ['昌吉市宁边路街道', '昌吉市', '宁边路街道', null],
      ['', '昌吉市', null, null],
      [null, '昌吉市', null, null],
    ];
    // The staging model's own text, over a stand-in for the tickets table with just these rows.
    const staging = sqlFile('staging/stg_tickets.sql').replace(/\nwith counted as \(/, '\n, counted as (');
    const rows = await warehouse.all<{ n: number; place: string | null }>(
      `select n, place from (
         with tickets as (select * from (values ${cases.map((_, i) => `(${i}, 'T${i}', $a${i}, $d${i}, $t${i}, '已办结', '供水', null, null)`).join(', ')})
           as t(n, ticket_id, address, district, township, status, category_l1, category_l2, category_l3))
         ${staging}
       ) order by n`,
      Object.fromEntries(cases.flatMap(([address, district, township], i) => [[`a${i}`, address], [`d${i}`, district], [`t${i}`, township]])),
    );
    expect(rows.map((r) => r.place)).toEqual(cases.map((c) => c[3]));
  });

  it('loads series from where the data starts, leaves out sparse and duplicate ones, and never makes 未知区县 a series', async () => {
    const set = await loadSeries(warehouse, day, { ...SETTINGS, historyDays: 400 });
    expect(set.dataStart).toBe('2025-05-22');
    expect(set.dates[0]).toBe('2025-05-22'); // not 400 days of zeros before the data
    expect(set.dates.at(-1)).toBe(day);
    const keys = set.series.map((s) => s.info.series_key).sort();
    expect(keys.some((k) => k.includes('未知区县') || k.includes('district=null'))).toBe(false);
    // One l2 per l1 here, so each l1 is its l2 (the l2 stays); 公交线路 is all in 阜康市, so its l2,
    // l1 and l1 × district are the same tickets as l2 × 阜康市; 噪声扰民 × district is its l1 × district;
    // 停水 has 12 tickets in all (sparse).
    expect(keys).toEqual([
      'district=昌吉市',
      'district=阜康市',
      'l2=公交线路|district=阜康市',
      'l2=办事咨询',
      'l2=噪声扰民',
      'l2=噪声扰民|district=昌吉市',
      'l2=噪声扰民|district=阜康市',
    ]);
    expect(set.skipped).toEqual({ sparse: 4, duplicate: 7 });
    const [verdict] = await judgeDays(set, [day], poissonDetector, SETTINGS);
    expect(verdict.tested).toBe(7);
    expect(verdict.skipped).toEqual({ sparse: 4, duplicate: 7 });
    // Too early for the detector (under 28 days of data): counted as skipped, not tested.
    const [early] = await judgeDays(set, ['2025-06-01'], poissonDetector, SETTINGS);
    expect(early).toMatchObject({ tested: 0, skipped: { 'short-history': 7 } });
  });

  it('finds the spiking series and the bursts, and groups what shares tickets into incidents', async () => {
    const set = await loadSeries(warehouse, day, SETTINGS);
    const [verdict] = await judgeDays(set, [day], poissonDetector, SETTINGS);
    expect(verdict.alarms.map((a) => a.series_key).sort()).toEqual(['district=昌吉市', 'l2=噪声扰民', 'l2=噪声扰民|district=昌吉市']);
    const bursts = await findBursts(warehouse, `${day} 00:00:00`, '2025-07-21 00:00:00', SETTINGS);
    expect(bursts.map((b) => [b.district, b.place, b.category_l2, b.n, b.first_at, b.last_at])).toEqual([
      ['昌吉市', '幸福小区', '噪声扰民', 30, '2025-07-20 10:00:00', '2025-07-20 10:29:00'],
      ['昌吉市', '翠苑华府', '停水', 12, '2025-07-20 19:00:00', '2025-07-20 19:55:00'],
    ]);
    // 幸福小区 had 4 a day for 30 days: 120 / 720 h × 6 h = 1 expected in six hours.
    expect(bursts[0].expected).toBeCloseTo(1, 9);
    // 翠苑华府 had none: half a ticket a month is the floor, 0.5 / 720 × 6.
    expect(bursts[1].expected).toBeCloseTo(0.5 / 120, 9);
    const groups = groupAlarms(day, [...verdict.alarms.map((a) => memberOfAlarm(a, verdict.tested)), ...bursts.map(memberOfBurst)], verdict.observed, SETTINGS);
    const described = groups.map((g) => [g.head.series_key, g.members.map((m) => m.series_key).sort()]).sort();
    // The outage (12 tickets) explains under half of 昌吉市's excess (42 − 4), so it stays an incident of its own.
    expect(described).toEqual([
      ['burst=昌吉市|幸福小区|噪声扰民', ['burst=昌吉市|幸福小区|噪声扰民', 'district=昌吉市', 'l2=噪声扰民', 'l2=噪声扰民|district=昌吉市']],
      ['burst=昌吉市|翠苑华府|停水', ['burst=昌吉市|翠苑华府|停水']],
    ]);
  });

  it('links alarms by the excess of the tickets they share (hand-computed), and heads a group by its most specific member', () => {
    const observed = new Map([['l2=停水|district=昌吉市', { count: 30, expected: 5 }]]);
    const wide = member('l2=停水', { level: 'l2', category_l1: '供水', category_l2: '停水', count: 40, expected: 12 }); // excess 28
    const district = member('district=昌吉市', { level: 'district', district: '昌吉市', count: 360, expected: 280 }); // excess 80
    const districtTopic = member('l1=供水|district=昌吉市', { level: 'l1_district', category_l1: '供水', district: '昌吉市', count: 35, expected: 8 }); // excess 27
    // l2=停水 ∩ district=昌吉市 = l2=停水|district=昌吉市, excess 25: ≥ ½ × 28 but < ½ × 80 → not linked.
    // district=昌吉市 ∩ l1=供水|district=昌吉市 = the latter, excess 27 < ½ × 80 → not linked.
    // l2=停水 ∩ l1=供水|district=昌吉市 = l2=停水|district=昌吉市: 25 ≥ ½ × 28 and ≥ ½ × 27 → linked.
    const groups = groupAlarms('2025-07-20', [wide, district, districtTopic], observed);
    expect(groups.map((g) => g.members.map((m) => m.series_key).sort()).sort()).toEqual([['district=昌吉市'], ['l1=供水|district=昌吉市', 'l2=停水']]);
    // Head: the most specific member whose excess is ≥ ½ of the largest (28): l1 × district (27) beats l2 (28).
    expect(groups.find((g) => g.members.length === 2)!.head.series_key).toBe('l1=供水|district=昌吉市');
    expect(headOf([wide, districtTopic, member('burst=昌吉市|翠苑华府', { level: 'burst', category_l1: '供水', category_l2: '停水', district: '昌吉市', place: '翠苑华府', count: 13, expected: 0.1 })]).series_key).toBe('l1=供水|district=昌吉市');
    // Same place and topic: nested topics and places, both with a topic.
    const head = { category_l1: '供水', category_l2: '停水', district: '昌吉市', place: '翠苑华府' };
    expect(samePlaceAndTopic(head, { category_l1: '供水', category_l2: '停水', district: '昌吉市' })).toBe(true);
    expect(samePlaceAndTopic(head, { category_l1: '供水' })).toBe(true);
    expect(samePlaceAndTopic(head, { category_l1: '供水', category_l2: '停水', district: '阜康市' })).toBe(false);
    expect(samePlaceAndTopic(head, { district: '昌吉市' })).toBe(false);
  });

  it('records one incident per group, continues it on the next days, mails it once and again only when it doubles', async () => {
    const outage = (d: string, count: number) => [
      member('burst=昌吉市|绿洲家园', { level: 'burst', category_l1: '供水', category_l2: '停水', district: '昌吉市', township: '延安北路街道', place: '绿洲家园', day: d, count, expected: 0.1, channel: 'burst' }),
      member('l2=停水|district=昌吉市', { level: 'l2_district', category_l1: '供水', category_l2: '停水', district: '昌吉市', day: d, count: count + 3, expected: 3 }),
    ];
    const first = groupAlarms('2025-08-01', outage('2025-08-01', 12), new Map());
    expect(first).toHaveLength(1);
    const [id] = await recordIncidents(warehouse, '2025-08-01', first);
    let incident = (await getIncident(warehouse, id))!;
    expect(incident).toMatchObject({ first_day: '2025-08-01', last_day: '2025-08-01', head_series: 'burst=昌吉市|绿洲家园', level: 'burst', place: '绿洲家园', township: '延安北路街道', peak_count: 12, status: 'open', notified: 0 });
    expect(incident.excess).toBeCloseTo(12, 9);
    expect((await dueForMail(warehouse, [id])).map((i) => [i.incident_id, i.kind])).toEqual([[id, 'new']]);
    await markMailed(warehouse, incident);
    // The next day, the same place and topic: the same incident; 20 tickets do not double 12 → no mail.
    const second = groupAlarms('2025-08-02', outage('2025-08-02', 20).slice(1), new Map());
    expect(await recordIncidents(warehouse, '2025-08-02', second)).toEqual([id]);
    expect(await dueForMail(warehouse, [id])).toEqual([]);
    // Run again over the same day (a replay): nothing new, the day's rows are replaced, not added.
    expect(await recordIncidents(warehouse, '2025-08-02', second)).toEqual([id]);
    expect((await getIncident(warehouse, id))!.members).toHaveLength(3);
    // Two days later it has doubled (excess 27 ≥ 2 × 12): mailed again, as grown.
    expect(await recordIncidents(warehouse, '2025-08-04', groupAlarms('2025-08-04', outage('2025-08-04', 27), new Map()))).toEqual([id]);
    incident = (await getIncident(warehouse, id))!;
    expect(incident).toMatchObject({ first_day: '2025-08-01', last_day: '2025-08-04', peak_day: '2025-08-04', peak_count: 27 });
    expect((await dueForMail(warehouse, [id])).map((i) => i.kind)).toEqual(['grown']);
    // Elsewhere (阜康市): another incident. And after three quiet days the first one closes by itself.
    const other = groupAlarms('2025-08-04', [member('l2=停水|district=阜康市', { level: 'l2_district', category_l1: '供水', category_l2: '停水', district: '阜康市', day: '2025-08-04' })], new Map());
    const [otherId] = await recordIncidents(warehouse, '2025-08-04', other);
    expect(otherId).not.toBe(id);
    await recordIncidents(warehouse, '2025-08-08', []);
    expect((await getIncident(warehouse, id))!).toMatchObject({ status: 'closed', closed_on: '2025-08-08', handled_by: null });
    // Acknowledged and closed as one, by a person.
    expect(await handleIncident(warehouse, otherId, 'close', 'duty', '供水公司已抢修')).toBe(true);
    expect(await getIncident(warehouse, otherId)).toMatchObject({ status: 'closed', comment: '供水公司已抢修', handled_by: 'duty' });
    expect(await dueForMail(warehouse, [otherId])).toEqual([]);
    expect(await handleIncident(warehouse, 9999, 'close', 'duty', 'x')).toBe(false);
    expect((await listIncidents(warehouse, { from: '2025-08-01', to: '2025-08-31' })).map((i) => i.incident_id).sort()).toEqual([id, otherId].sort());
  });

  it('continues an incident when one of its series alarms again, whatever else joined it meanwhile', async () => {
    // A week at 翠苑小区 of 供暖不热 on two days: on the second the prefecture's 供暖不热 joins the
    // incident first (and heads it), and the week's tickets come out under another 一级分类 — by
    // place and topic alone the week made a second incident.
    const week = (d: string, l1: string, count: number) =>
      member('streak=阜康市|翠苑小区|供暖不热', { level: 'burst', category_l1: l1, category_l2: '供暖不热', district: '阜康市', township: '阜新街道', place: '翠苑小区', day: d, count, expected: 3, channel: 'streak' });
    const [id] = await recordIncidents(warehouse, '2025-09-01', groupAlarms('2025-09-01', [week('2025-09-01', '供暖', 18)], new Map()));
    const wide = member('l2=供暖不热', { level: 'l2', category_l1: '供暖', category_l2: '供暖不热', day: '2025-09-02', count: 140, expected: 60 });
    const second = [...groupAlarms('2025-09-02', [wide], new Map()), ...groupAlarms('2025-09-02', [week('2025-09-02', '住房保障', 21)], new Map())];
    expect(second).toHaveLength(2);
    expect(await recordIncidents(warehouse, '2025-09-02', second)).toEqual([id]);
    const incidents = await listIncidents(warehouse, { from: '2025-09-01', to: '2025-09-30' });
    expect(incidents.map((i) => [i.incident_id, i.first_day, i.last_day])).toEqual([[id, '2025-09-01', '2025-09-02']]);
  });

  it('the hourly check records today\'s bursts and surges; the next morning\'s alarms on the same tickets join those incidents', async () => {
    const message = await hourlyIncidents(warehouse, setup.config, { now: new Date('2025-07-20T12:30:00Z'), detector: poissonDetector, settings: SETTINGS }); // 20:30 Beijing
    expect(message).toContain('2025-07-20: 检验 7 个序列');
    const hourly = await listIncidents(warehouse, { from: day, to: day });
    // Every ticket here has the same default text: each compound's tickets are also a topic surge, inside its burst's incident.
    expect(hourly.map((i) => [i.head_series, i.members.length]).sort()).toEqual([
      ['burst=昌吉市|幸福小区|噪声扰民', 5],
      ['burst=昌吉市|翠苑华府|停水', 2],
    ]);
    const daily = await runHotspots(warehouse, setup.config, { days: [day], detector: poissonDetector, settings: SETTINGS });
    expect(daily.incidents.sort()).toEqual(hourly.map((i) => i.incident_id).sort());
    expect((await listIncidents(warehouse, { from: day, to: day })).map((i) => i.members.length).sort()).toEqual([2, 5]);
  });

  it('a replay records without mailing; with a deliver function it mails each incident once, at the end', async () => {
    const sent: { message: MailMessage; to: string[] }[] = [];
    const deliver: Deliver = async (message, to) => {
      sent.push({ message, to });
      return { status: 'written' };
    };
    const config = { ...setup.config, mail: { ...setup.config.mail, to: ['值班室 <zhiban@example.gov.cn>'] } };
    const days = ['2025-07-18', '2025-07-19', '2025-07-20'];
    const quiet = await runHotspots(warehouse, config, { days, replay: true, detector: poissonDetector, settings: SETTINGS });
    expect(quiet.mails).toEqual([]);
    expect(quiet.days.map((d) => [d.day, d.tested, d.alarms, d.bursts, d.incidents.length])).toEqual([
      ['2025-07-18', 7, 0, 0, 0],
      ['2025-07-19', 7, 0, 0, 0],
      ['2025-07-20', 7, 3, 2, 2],
    ]);
    expect(quiet.message).toContain('2025-07-20: 检验 7 个序列（未检验：历史工单不足 60 件 4 个，与所含序列工单完全相同 7 个），告警 3 个、集中突发 2 处');
    expect(quiet.message).toContain('未发送邮件');
    const loud = await runHotspots(warehouse, config, { days, replay: true, detector: poissonDetector, settings: SETTINGS, deliver });
    expect(loud.incidents.sort()).toEqual(quiet.incidents.sort()); // the same incidents, not new ones
    // (the run's message, on the 数据 page, says what became of each mail in words)
    expect(loud.message).toMatch(/邮件 2 封（#\d+ 已写入发件箱，#\d+ 已写入发件箱）/);
    expect(sent.map((s) => s.message.subject).sort()).toEqual([
      '【预警】停水 · 昌吉市 · 翠苑华府 · 7 月 20 日数小时内 12 件，预期不足 0.1 件',
      '【预警】噪声扰民 · 昌吉市 · 幸福小区 · 7 月 20 日数小时内 30 件，预期 1 件',
    ]);
    for (const { message, to } of sent) {
      expect(to).toEqual(['值班室 <zhiban@example.gov.cn>']);
      expect(message.text).not.toContain('年一遇');
      expect(message.text).toContain('http://127.0.0.1:8080/alerts?incident=');
    }
    const noise = sent.find((s) => s.message.subject.includes('幸福小区'))!.message;
    // The related series are listed inside; the samples come from the compound.
    expect(noise.text).toContain('噪声扰民 · 全辖区 · 7 月 20 日 32 件，预期 6 件');
    expect(noise.text).toContain('全部诉求 · 昌吉市 · 7 月 20 日 42 件，预期 4 件');
    expect(noise.text).toMatch(/工单示例：\n {2}\d+ · 2025-07-20 10:\d\d · 昌吉市宁边路街道幸福小区/);
    // Mailed once: a second replay sends nothing.
    sent.length = 0;
    await runHotspots(warehouse, config, { days, replay: true, detector: poissonDetector, settings: SETTINGS, deliver });
    expect(sent).toEqual([]);
  });

  it('the daily job sends the digest of the day\'s incidents to the digest list, and on a quiet day only when asked', async () => {
    const sent: { message: MailMessage; to: string[] }[] = [];
    const deliver: Deliver = async (message, to) => {
      sent.push({ message, to });
      return { status: 'written' };
    };
    const config = (quiet: boolean) => ({ ...setup.config, mail: { ...setup.config.mail, digest: { to: ['rexian@example.gov.cn'], quiet } } });
    // 07-20 is recorded and mailed already (the replay above): the digest still lists its incidents.
    await dailyHotspots(warehouse, config(false), { day, detector: poissonDetector, deliver, settings: SETTINGS });
    expect(sent.map((s) => [s.message.subject, s.to])).toEqual([['【预警日报】2025-07-20 · 2 起预警事件', ['rexian@example.gov.cn']]]);
    expect(sent[0].message.text).toContain('[新] 噪声扰民 · 昌吉市 · 幸福小区');
    sent.length = 0;
    await dailyHotspots(warehouse, config(false), { day: '2025-07-10', detector: poissonDetector, deliver, settings: SETTINGS });
    expect(sent).toEqual([]);
    await dailyHotspots(warehouse, config(true), { day: '2025-07-10', detector: poissonDetector, deliver, settings: SETTINGS });
    expect(sent.map((s) => s.message.subject)).toEqual(['【预警日报】2025-07-10 · 无预警事件']);
  });

  it('hotline incidents --json prints exactly the contract fields, one object per incident with a day in the range', async () => {
    const printed: string[] = [];
    const stdout = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => (printed.push(String(chunk)), true));
    try {
      await incidentsCommand(['--from', day, '--to', day, '--json', '--db', setup.config.db]);
    } finally {
      stdout.mockRestore();
    }
    const rows = JSON.parse(printed.join('')) as Record<string, unknown>[];
    expect(rows.map((r) => Object.keys(r))).toEqual(rows.map(() => ['id', 'firstDay', 'lastDay', 'district', 'township', 'place', 'category_l1', 'category_l2', 'series', 'peakCount', 'expected', 'pValue', 'notified']));
    expect(rows.map((r) => [r.place, r.series, r.notified])).toEqual([
      ['幸福小区', ['噪声扰民 · 昌吉市 · 幸福小区', '全部诉求 · 昌吉市', '噪声扰民 · 全辖区', '噪声扰民 · 昌吉市', '话题：楼下夜间施工噪声扰民 · 昌吉市 · 幸福小区'], 1],
      ['翠苑华府', ['停水 · 昌吉市 · 翠苑华府', '话题：楼下夜间施工噪声扰民 · 昌吉市 · 翠苑华府'], 1],
    ]);
    expect(rows[1]).toMatchObject({ firstDay: day, lastDay: day, district: '昌吉市', township: '延安北路街道', category_l1: '供水', category_l2: '停水', peakCount: 12 });
    expect(rows[1].pValue as number).toBeLessThan(1e-10);
  });

  it('a sustained rise under the day\'s bound alarms by its window, is stored with its rise, and its mail says 持续上升', async () => {
    // A stand-in for the detector's rise channel (pipelines/detect): on 07-20 l2=公交线路|district=阜康市
    // has 6 tickets (under the day's bound of 10) after ten days that together ran well above expectation.
    const rising: SeriesDetector = (series, from) =>
      poissonDetector(series, from).map((r) =>
        r.date === day && series.counts.at(-1) === 6 && series.counts.slice(-10).every((c) => c === 6)
          ? { ...r, expected: 4, upper: 10, pValue: 1e-9, score: 9, alarm: true, channel: 'rise' as const, riseStart: '2025-07-11', riseDays: 10, riseObserved: 60, riseExpected: 38 }
          : r,
      );
    const set = await loadSeries(warehouse, day, SETTINGS);
    const [verdict] = await judgeDays(set, [day], rising, SETTINGS);
    const alarm = verdict.alarms.find((a) => a.series_key === 'l2=公交线路|district=阜康市')!;
    expect(alarm).toBeDefined();
    const member = memberOfAlarm(alarm, verdict.tested);
    expect(member).toMatchObject({ channel: 'rise', count: 6, rise: { start: '2025-07-11', days: 10, observed: 60, expected: 38 } });
    const [id] = await recordIncidents(warehouse, day, groupAlarms(day, [member], verdict.observed, SETTINGS), SETTINGS);
    const stored = (await getIncident(warehouse, id))!;
    expect(stored.members[0]).toMatchObject({ channel: 'rise', rise: { start: '2025-07-11', days: 10, observed: 60, expected: 38 } });
    const sent: MailMessage[] = [];
    await runHotspots(warehouse, setup.config, { days: [day], detector: rising, settings: SETTINGS, deliver: async (message) => (sent.push(message), { status: 'written' }) });
    const mail = sent.find((m) => m.subject.includes('公交线路'))!;
    expect(mail.text).toContain('持续上升：自 7 月 11 日起 10 天共受理 60 件，预期 38 件（高出 58%）；当日 6 件');
    expect(mail.text).toContain('未超过单日预警上限');
    // Under the window rule a rise of too few tickets is no alarm: 60 − 38 ≥ 5 and 60 ≥ 1.5 × 38 is needed.
    const weak: SeriesDetector = (series, from) => rising(series, from).map((r) => ('riseObserved' in r ? { ...r, riseObserved: 50 } : r));
    expect((await judgeDays(set, [day], weak, SETTINGS))[0].alarms.some((a) => a.series_key === 'l2=公交线路|district=阜康市')).toBe(false);
  });

  it('on a day after the data ends, says where the data ends instead of testing nothing', async () => {
    const run = await runHotspots(warehouse, setup.config, { days: ['2025-09-01'], detector: poissonDetector, settings: SETTINGS });
    expect(run).toMatchObject({ days: [], staleDays: ['2025-09-01'], dataEnd: '2025-07-20' });
    expect(run.message).toContain('数据截止于 2025-07-20');
    expect(run.message).toContain('--day 2025-07-20');
  });
});

describe('a burst mail', () => {
  const setup = tempSetup('burst-mail');
  afterAll(() => setup.cleanup());

  it('counts in its place table the tickets the burst counted: its whole hours, not the six hours before its last ticket', async () => {
    const warehouse = await Warehouse.open(setup.config.db);
    try {
      const day = '2025-07-20';
      const rows: string[][] = [];
      let n = 0;
      const id = (date: string) => `${date.replaceAll('-', '')}${String(n++).padStart(5, '0')}`;
      // Five weeks of ordinary requests elsewhere, so the day has series around it.
      for (let d = 0; d < 35; d++) {
        const date = new Date(Date.parse('2025-06-15T00:00:00Z') + d * 86_400_000).toISOString().slice(0, 10);
        for (let k = 0; k < 3; k++) rows.push(ticketRow(id(date), { 受理时间: `${date} 10:0${k}:00`, 诉求地址: `昌吉市宁边路街道幸福小区${k + 1}号楼` }));
      }
      // An outage: 12 tickets from one compound between 19:00 and 19:55 (the burst's six whole hours
      // are 14:00–20:00), and one from the same compound at 13:57, within six hours of the last.
      rows.push(ticketRow(id(day), { 受理时间: `${day} 13:57:00`, 一级分类: '供水', 二级分类: '停水', 乡镇街道: '延安北路街道', 诉求地址: '昌吉市延安北路街道翠苑华府30号楼1单元' }));
      for (let k = 0; k < 12; k++) rows.push(ticketRow(id(day), { 受理时间: `${day} 19:${String(k * 5).padStart(2, '0')}:00`, 一级分类: '供水', 二级分类: '停水', 乡镇街道: '延安北路街道', 诉求地址: `昌吉市延安北路街道翠苑华府${k + 1}号楼2单元` }));
      const file = join(setup.dir, 'tickets.csv');
      // (answered directly, without the template's dispatch and completion times of 2025-07-01)
      writeTicketsCsv(file, rows.map((r) => r.map((v, i) => (i === 17 || i === 19 || i === 24 ? '' : v))).map((r) => { r[13] = '直接答复'; r[14] = ''; r[16] = ''; r[18] = ''; r[20] = '已办结'; return r; }));
      expect((await ingestFile(warehouse, file, { profiles: loadProfiles(), key: 'ab'.repeat(32), maxFieldBytes: 1e6 })).quarantined).toBe(0);
      const sent: MailMessage[] = [];
      const deliver: Deliver = async (message) => {
        sent.push(message);
        return { status: 'written' };
      };
      await runHotspots(warehouse, setup.config, { days: [day], replay: true, detector: poissonDetector, settings: SETTINGS, deliver });
      const mail = sent.find((m) => m.subject.includes('翠苑华府'));
      expect(mail?.subject).toContain('数小时内 12 件');
      expect(mail!.text).toContain('工单集中的地点：\n  翠苑华府：12 件');
      expect(mail!.text).toContain('工单集中的乡镇街道：\n  延安北路街道：12 件');
    } finally {
      warehouse.close();
    }
  });
});
