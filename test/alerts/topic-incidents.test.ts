import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runHotspots, type HotspotRun } from '../../pipelines/alert-job.js';
import { listIncidents, seriesName, type IncidentWithMembers } from '../../pipelines/incidents.js';
import { ingestFile } from '../../pipelines/ingest/ingest.js';
import { loadProfiles } from '../../pipelines/ingest/profiles.js';
import { deliver } from '../../pipelines/mail/send.js';
import { Warehouse } from '../../pipelines/warehouse.js';
import { startSmtp, type TestSmtp } from '../mail/smtp.js';
import { tempSetup, ticketRow, writeTicketsCsv } from '../service/helpers.js';

/**
 * Topic surges in the alert job, on a warehouse loaded through the real ingest path and mailed
 * through a real SMTP server on loopback: a gas leak at one compound filed under three categories
 * (no series alarms) is one incident of its own with one mail; a water outage at another compound
 * (an address burst) whose tickets are also a topic surge stays one incident. At the gas leak's
 * compound, a burst of 停水 the next day is an incident of its own, and a burst of 燃气 the day after
 * continues the gas leak's. The other way round, a power cut's burst at 金桥小区 is continued the
 * next day by the hot issue of the same requests there.
 */
const DAY = '2025-07-20';
const ROUTINE: [string, string, string][] = [
  ['环境保护', '噪声扰民', '楼下夜间施工噪声扰民，影响休息'],
  ['交通运输', '公交线路', '建议增加公交线路班次，等车时间太长'],
  ['政务服务', '办事咨询', '咨询社保卡补办需要哪些材料'],
  ['城乡建设', '道路维修', '路面坑洼不平，请尽快维修'],
  ['市场监管', '价格投诉', '超市商品标价与结算价格不一致'],
];
const DISTRICTS = [['昌吉市', '宁边路街道'], ['玛纳斯县', '玛纳斯镇'], ['阜康市', '阜新街道']];
const addDays = (day: string, n: number) => new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);

describe('topic surges raise incidents', () => {
  const setup = tempSetup('topic-incidents');
  let warehouse: Warehouse;
  let smtp: TestSmtp;
  let run: HotspotRun;
  let incidents: IncidentWithMembers[];

  beforeAll(async () => {
    warehouse = await Warehouse.open(setup.config.db);
    const rows: string[][] = [];
    let n = 0;
    const id = (date: string) => `${date.replaceAll('-', '')}${String(n++).padStart(5, '0')}`;
    for (let d = 0; d < 45; d++) {
      const date = new Date(Date.parse(`${DAY}T00:00:00Z`) - (44 - d) * 86_400_000).toISOString().slice(0, 10);
      // Routine requests in every district, every day: ongoing topics, never a surge.
      for (const [district, township] of DISTRICTS) {
        for (let k = 0; k < 15; k++) {
          const [l1, l2, text] = ROUTINE[k % ROUTINE.length];
          rows.push(ticketRow(id(date), { 受理时间: `${date} ${String(8 + (k % 10)).padStart(2, '0')}:${String(k * 3).padStart(2, '0')}:00`, 一级分类: l1, 二级分类: l2, 诉求内容: text, 所属区县: district, 乡镇街道: township, 诉求地址: `${district}${township}${['幸福路', '北京路', '延安路'][k % 3]}${k + 1}号` }));
        }
      }
    }
    // A gas leak at 天山小区 in 玛纳斯县: nine requests over the whole day under three categories.
    const gas = ['天山小区燃气泄漏味道很大，担心出事', '天山小区楼道里有很浓的燃气味', '天山小区燃气管道漏气，很危险', '天山小区闻到燃气味，请燃气公司来查', '天山小区燃气泄漏，老人孩子害怕', '天山小区燃气味越来越重了', '天山小区燃气泄漏两个小时了没人管', '天山小区燃气管道有漏气声音', '天山小区燃气泄漏，物业不管'];
    const gasCategories: [string, string][] = [['城乡建设', '燃气'], ['安全生产', '安全隐患'], ['物业管理', '物业服务']];
    gas.forEach((text, k) =>
      rows.push(ticketRow(id(DAY), { 受理时间: `${DAY} ${String(7 + k * 1.5 | 0).padStart(2, '0')}:${k % 2 ? '40' : '05'}:00`, 一级分类: gasCategories[k % 3][0], 二级分类: gasCategories[k % 3][1], 诉求内容: text, 所属区县: '玛纳斯县', 乡镇街道: '玛纳斯镇', 诉求地址: `玛纳斯县玛纳斯镇天山小区${k + 1}号楼` })),
    );
    // Thanks at 幸福里小区 in 阜康市 for a repair: six requests filed as 表扬 over the day — no surge.
    for (let k = 0; k < 6; k++) rows.push(ticketRow(id(DAY), { 受理时间: `${DAY} ${String(9 + 2 * k).padStart(2, '0')}:10:00`, 诉求类型: '表扬', 一级分类: '供水', 二级分类: '停水', 诉求内容: `幸福里小区停水问题已经解决，感谢供水公司连夜抢修（${k + 1}号楼）`, 所属区县: '阜康市', 乡镇街道: '阜新街道', 诉求地址: `阜康市阜新街道幸福里小区${k + 1}号楼` }));
    // A water outage at 翠苑华府 in 昌吉市: twelve requests within an hour (an address burst).
    for (let k = 0; k < 12; k++) rows.push(ticketRow(id(DAY), { 受理时间: `${DAY} 19:${String(k * 5).padStart(2, '0')}:00`, 一级分类: '供水', 二级分类: '停水', 诉求内容: `翠苑华府整个小区停水了，${k + 1}号楼没水做饭`, 所属区县: '昌吉市', 乡镇街道: '延安北路街道', 诉求地址: `昌吉市延安北路街道翠苑华府${k + 1}号楼2单元` }));
    // The next day a water outage at 天山小区 (another matter), the day after the gas again.
    const NEXT = addDays(DAY, 1);
    const AFTER = addDays(DAY, 2);
    for (let k = 0; k < 10; k++) rows.push(ticketRow(id(NEXT), { 受理时间: `${NEXT} 09:${String(k * 4).padStart(2, '0')}:00`, 一级分类: '供水', 二级分类: '停水', 诉求内容: `天山小区停水了，${k + 1}号楼没水`, 所属区县: '玛纳斯县', 乡镇街道: '玛纳斯镇', 诉求地址: `玛纳斯县玛纳斯镇天山小区${k + 1}号楼` }));
    for (let k = 0; k < 10; k++) rows.push(ticketRow(id(AFTER), { 受理时间: `${AFTER} 20:${String(k * 4).padStart(2, '0')}:00`, 一级分类: '城乡建设', 二级分类: '燃气', 诉求内容: `天山小区${k + 1}号楼又闻到燃气味`, 所属区县: '玛纳斯县', 乡镇街道: '玛纳斯镇', 诉求地址: `玛纳斯县玛纳斯镇天山小区${k + 1}号楼` }));
    // A power cut at 金桥小区 in 阜康市: eight requests within an hour (a burst); the next day five
    // more spread over the day — no burst, too few for a week at one place (13 < 15), a hot issue
    // far above its weeks before.
    const CUT = addDays(DAY, 4);
    for (let k = 0; k < 8; k++) rows.push(ticketRow(id(CUT), { 受理时间: `${CUT} 18:${String(k * 6).padStart(2, '0')}:00`, 一级分类: '电力', 二级分类: '停电', 诉求内容: `金桥小区突然停电了，${k + 1}号楼一片漆黑`, 所属区县: '阜康市', 乡镇街道: '阜新街道', 诉求地址: `阜康市阜新街道金桥小区${k + 1}号楼` }));
    for (let k = 0; k < 5; k++) rows.push(ticketRow(id(addDays(CUT, 1)), { 受理时间: `${addDays(CUT, 1)} ${String(8 + 3 * k).padStart(2, '0')}:20:00`, 一级分类: '电力', 二级分类: '停电', 诉求内容: `金桥小区又停电了，${k + 2}号楼还是没电`, 所属区县: '阜康市', 乡镇街道: '阜新街道', 诉求地址: `阜康市阜新街道金桥小区${k + 2}号楼` }));
    const file = join(setup.dir, 'tickets.csv');
    // Answered directly, without dispatch and callback times (those would precede the received time).
    writeTicketsCsv(file, rows.map((r) => r.map((v, i) => (i === 17 || i === 19 || i === 24 ? '' : v))).map((r) => { r[13] = '直接答复'; r[14] = ''; r[16] = ''; r[18] = ''; r[20] = '已办结'; return r; }));
    const summary = await ingestFile(warehouse, file, { profiles: loadProfiles(), key: 'ab'.repeat(32), maxFieldBytes: 1e6 });
    expect(summary.quarantined).toBe(0);
    smtp = await startSmtp();
    const config = { ...setup.config, mail: { ...setup.config.mail, smtp: { host: '127.0.0.1', port: smtp.port, secure: false, rejectUnauthorized: true }, to: ['值班室 <zhiban@example.gov.cn>'] } };
    run = await runHotspots(warehouse, config, { days: [DAY], deliver: (message, to) => deliver(message, to, config.mail, { attempts: 1 }) });
    incidents = await listIncidents(warehouse, {});
    // The same day judged again (the hourly check, a replay): nothing new to mail.
    const again = await runHotspots(warehouse, config, { days: [DAY], deliver: (message, to) => deliver(message, to, config.mail, { attempts: 1 }) });
    expect(again.mails).toEqual([]);
  }, 120_000);
  afterAll(async () => {
    warehouse?.close();
    await smtp?.close();
    setup.cleanup();
  });

  it('makes the gas leak spread over three categories one topic incident, named by its description, mailed once', () => {
    const gas = incidents.filter((i) => i.members.some((m) => m.place === '天山小区' || m.topic?.includes('天山小区')));
    expect(gas).toHaveLength(1);
    const [one] = gas;
    // No category or district series alarmed: the topic alone raised it.
    expect(one.members.map((m) => m.level)).toEqual(['topic']);
    expect(one).toMatchObject({ level: 'topic', district: '玛纳斯县', place: '天山小区', peak_count: 9, notified: 1 });
    expect(one.topic).toMatch(/天山小区.*燃气/);
    const [member] = one.members;
    expect(member.tests).toBeGreaterThan(1);
    expect(member.qValue).toBeLessThan(0.01);
    expect(member.ticketIds).toHaveLength(9);
    const mails = smtp.received.filter((m) => String(m.mail.headers.get('x-hotline-incident')) === String(one.incident_id));
    expect(mails).toHaveLength(1);
    // The description names the compound already: the subject does not say it twice.
    expect(mails[0].mail.subject).toContain(`话题：${one.topic} · 玛纳斯县`);
    expect(String(mails[0].mail.subject).split('天山小区')).toHaveLength(2);
    expect(seriesName(one)).toBe(`话题：${one.topic} · 玛纳斯县`);
    expect(seriesName({ ...one, topic: '燃气泄漏，多户闻到异味' })).toBe('话题：燃气泄漏，多户闻到异味 · 玛纳斯县 · 天山小区');
    // Its samples are its own requests, and its chart the topic's own daily counts.
    expect(mails[0].mail.text).toContain('天山小区');
    expect(mails[0].mail.html).toContain('该话题及此前四周同类诉求每日工单');
    // judged as a hot issue's surge, and worded so: not a series' bound and Benjamini–Hochberg step
    expect(mails[0].mail.text).toMatch(/按当天的 \d+ 个热点话题做 Bonferroni 校正/);
    expect(mails[0].mail.text).toContain('话题突增判定下限');
    expect(mails[0].mail.text).not.toMatch(/Benjamini|持续偏高/);
    expect(mails[0].mail.attachments.some((a) => a.contentType === 'image/png' && a.size > 1000)).toBe(true);
  });

  it('puts a surge on the same tickets as a burst into the burst\'s incident, not a second one', () => {
    const outage = incidents.filter((i) => i.members.some((m) => m.place === '翠苑华府' || m.topic?.includes('翠苑华府')));
    expect(outage).toHaveLength(1);
    const [one] = outage;
    expect(one.level).toBe('burst');
    expect(one.members.map((m) => m.level)).toContain('topic');
    expect(smtp.received.filter((m) => String(m.mail.headers.get('x-hotline-incident')) === String(one.incident_id))).toHaveLength(1);
  });

  it('says so in the run message, and mails exactly the two incidents (thanks for a repair are none)', () => {
    expect(incidents.some((i) => i.members.some((m) => m.place === '幸福里小区'))).toBe(false);
    expect(incidents).toHaveLength(2);
    expect(run.days[0].topics).toBeGreaterThanOrEqual(2);
    expect(run.message).toContain('话题突增');
    expect(smtp.received).toHaveLength(2);
  });

  it('continues the gas leak with a later burst of 燃气 at 天山小区, not with a burst of 停水 there', async () => {
    await runHotspots(warehouse, setup.config, { days: [addDays(DAY, 1), addDays(DAY, 2)] });
    const atCompound = (await listIncidents(warehouse, {})).filter((i) => i.place === '天山小区').sort((a, b) => a.incident_id - b.incident_id);
    expect(atCompound.map((i) => [i.first_day, i.last_day, i.category_l2])).toEqual([
      [DAY, addDays(DAY, 2), '燃气'],
      [addDays(DAY, 1), addDays(DAY, 1), '停水'],
    ]);
    // The gas leak's incident: its topic on the first day, the burst of 燃气 two days later.
    expect(atCompound[0].members.map((m) => [m.day, m.level])).toContainEqual([addDays(DAY, 2), 'burst']);
  });

  it('continues the power cut\'s burst at 金桥小区 with the hot issue of power there the next day, not a second incident', async () => {
    const cut = addDays(DAY, 4);
    const later = await runHotspots(warehouse, setup.config, { days: [cut, addDays(cut, 1)] });
    expect(later.days[1].topics).toBeGreaterThanOrEqual(1);
    const atCompound = (await listIncidents(warehouse, {})).filter((i) => i.place === '金桥小区' || i.members.some((m) => m.place === '金桥小区'));
    expect(atCompound).toHaveLength(1);
    expect(atCompound[0]).toMatchObject({ level: 'burst', first_day: cut, last_day: addDays(cut, 1) });
    // the next day's member is the hot issue alone: no burst and no week at one place joined it
    expect(atCompound[0].members.filter((m) => m.day === addDays(cut, 1)).map((m) => m.level)).toEqual(['topic']);
  });
});
