import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestFile } from '../../pipelines/ingest/ingest.js';
import { loadProfiles } from '../../pipelines/ingest/profiles.js';
import { benjaminiHochberg, findAlarms, findBursts, handleEpisode, recordEpisodes, recordIncidents, type SeriesDetector } from '../../pipelines/hotspots.js';
import { Warehouse } from '../../pipelines/warehouse.js';
import { tempSetup, ticketRow, writeTicketsCsv } from '../service/helpers.js';

/** A plain Poisson test on the mean of the previous 28 days: enough to exercise the job's logic. */
const poissonDetector: SeriesDetector = (series, from) => {
  const results = [];
  for (let i = 0; i < series.dates.length; i++) {
    if (series.dates[i] < from) continue;
    const window = series.counts.slice(Math.max(0, i - 28), i);
    const expected = Math.max(0.5, window.reduce((a, b) => a + b, 0) / Math.max(1, window.length));
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
      for (let k = 0; k < noise; k++) rows.push(ticketRow(id(date), { 受理时间: `${date} 10:${String(k % 60).padStart(2, '0')}:00`, 一级分类: '环境保护', 二级分类: '噪声扰民', 所属区县: '昌吉市', 诉求地址: `昌吉市幸福小区${k % 7}号楼` }));
      for (let k = 0; k < 6; k++) rows.push(ticketRow(id(date), { 受理时间: `${date} 11:${String(k).padStart(2, '0')}:00`, 一级分类: '交通运输', 二级分类: '公交线路', 所属区县: '阜康市', 诉求地址: `阜康市某路${k}号` }));
    }
    // A water outage: 12 tickets from one compound within two hours on the evening of the last day.
    for (let k = 0; k < 12; k++) rows.push(ticketRow(id(day), { 受理时间: `${day} 19:${String(k * 5).padStart(2, '0')}:00`, 一级分类: '供水', 二级分类: '停水', 所属区县: '昌吉市', 诉求地址: `昌吉市绿洲家园${k + 1}号楼` }));
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

  it('finds the spiking series (category, district and both), not the steady ones', async () => {
    const { tested, alarms } = await findAlarms(warehouse, day, poissonDetector, { ...(await import('../../pipelines/hotspots.js')).DEFAULT_HOTSPOT_SETTINGS, historyDays: 60 });
    expect(tested).toBeGreaterThanOrEqual(8);
    const keys = alarms.map((a) => a.series_key).sort();
    expect(keys).toContain('l2=噪声扰民');
    expect(keys).toContain('l2=噪声扰民|district=昌吉市');
    expect(keys).toContain('district=昌吉市');
    expect(keys.some((k) => k.includes('公交线路') || k.includes('阜康市'))).toBe(false);
  });

  it('groups alarms into episodes: one per series, escalation re-notifies, quiet days close it', async () => {
    const settings = { ...(await import('../../pipelines/hotspots.js')).DEFAULT_HOTSPOT_SETTINGS, historyDays: 60 };
    const { alarms } = await findAlarms(warehouse, day, poissonDetector, settings);
    const first = await recordEpisodes(warehouse, day, alarms, settings);
    expect(first.every((n) => n.kind === 'new')).toBe(true);
    await (await import('../../pipelines/hotspots.js')).markNotified(warehouse, first);
    // The same alarms the next day at the same strength: no new e-mails.
    const again = await recordEpisodes(warehouse, '2025-07-21', alarms.map((a) => ({ ...a, result: { ...a.result, date: '2025-07-21' } })), settings);
    expect(again).toEqual([]);
    // Twice as strong: an escalation for the episode, not a new one.
    const stronger = alarms.slice(0, 1).map((a) => ({ ...a, result: { ...a.result, date: '2025-07-22', score: a.result.score * 2 } }));
    const escalated = await recordEpisodes(warehouse, '2025-07-22', stronger, settings);
    expect(escalated.map((n) => n.kind)).toEqual(['escalated']);
    expect(escalated[0].episodeId).toBe(first.find((n) => n.alarm.series_key === stronger[0].series_key)!.episodeId);
    const count = (await warehouse.one<{ n: number }>(`select count(*) as n from alert_episodes`))!.n;
    expect(count).toBe(alarms.length);
    await recordEpisodes(warehouse, '2025-07-30', [], settings);
    const open = (await warehouse.one<{ n: number }>(`select count(*) as n from alert_episodes where status <> 'closed'`))!.n;
    expect(open).toBe(0);
    const evidence = await warehouse.all(`select * from alert_days where series_key = 'l2=噪声扰民' order by day`);
    expect(evidence.map((e) => String(e.day).slice(0, 10))).toEqual(['2025-07-20', '2025-07-21']);
  });

  it('finds the water outage at one compound within hours, once', async () => {
    const bursts = await findBursts(warehouse, new Date('2025-07-20T14:00:00Z')); // 22:00 Beijing
    expect(bursts.map((b) => [b.place, b.n])).toEqual([['昌吉市绿洲家园', 12]]);
    const first = await recordIncidents(warehouse, bursts);
    expect(first.map((n) => n.kind)).toEqual(['new']);
    expect(await recordIncidents(warehouse, bursts)).toEqual([]);
    expect(await findBursts(warehouse, new Date('2025-07-19T22:00:00Z'))).toEqual([]); // 06:00 Beijing: nothing yet
    // At 14:00 the morning's 30 noise tickets from one compound (usually 4 a day) are a burst too.
    expect((await findBursts(warehouse, new Date('2025-07-20T06:00:00Z'))).map((b) => [b.place, b.n])).toEqual([['昌吉市幸福小区', 30]]);
    expect(await handleEpisode(warehouse, first[0].episodeId, 'close', 'duty', '供水公司已抢修')).toBe(true);
    expect((await warehouse.one(`select status, comment, handled_by from alert_episodes where episode_id = $id`, { id: first[0].episodeId }))).toEqual({ status: 'closed', comment: '供水公司已抢修', handled_by: 'duty' });
  });
});
