import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pulseDetector, runHotspots } from '../../pipelines/alert-job.js';
import { incidentEvidence, listIncidents, seriesName } from '../../pipelines/incidents.js';
import { ingestFile } from '../../pipelines/ingest/ingest.js';
import { loadProfiles } from '../../pipelines/ingest/profiles.js';
import { Warehouse } from '../../pipelines/warehouse.js';
import { tempSetup } from '../service/helpers.js';

/**
 * The hotspot job on real exports nobody here wrote (../shared/data/real): too short a history
 * to model, and data that ended long ago. Before incidents, two weeks of a real export alarmed on
 * every series with titles like "【预警】 · 未知区县 · 1 月 1 日 273 件，预期 0 件".
 */
const REAL = resolve(import.meta.dirname, '..', '..', '..', 'shared', 'data', 'real');
const present = existsSync(REAL);
if (!present) console.warn(`test/alerts/real-data: ${REAL} is absent; the hotspot tests on real exports are skipped`);

describe.skipIf(!present)('hotspots on real exports', () => {
  const setup = tempSetup('hotspots-real');
  let la: Warehouse;
  let board: Warehouse;
  let nyc: Warehouse;
  beforeAll(async () => {
    const options = { profiles: loadProfiles(), key: '56'.repeat(32), maxFieldBytes: 1e6 };
    la = await Warehouse.open(join(setup.dir, 'la.duckdb'));
    expect((await ingestFile(la, join(REAL, 'la311', 'MyLA311_Service_Request_Data_2017_Subset.csv'), options)).status).toBe('loaded');
    nyc = await Warehouse.open(join(setup.dir, 'nyc.duckdb'));
    expect((await ingestFile(nyc, join(REAL, 'nyc311', 'fedhere_PyBOOT_311_2022-05-01.csv'), options)).status).toBe('loaded');
    board = await Warehouse.open(join(setup.dir, 'board.duckdb'));
    expect((await ingestFile(board, join(REAL, 'teddy2020C', '附件3.xlsx'), options)).status).toBe('loaded');
  }, 120_000);
  afterAll(() => {
    la?.close();
    nyc?.close();
    board?.close();
    setup.cleanup();
  });

  it('LA 311, five days of history: no series is judged by the daily model, each counted with its reason, and no title is empty', async () => {
    const run = await runHotspots(la, setup.config, { days: ['2017-12-31'], detector: await pulseDetector() });
    const [day] = run.days;
    expect(day.tested).toBe(0);
    expect(day.alarms).toBe(0);
    expect(day.skipped).toMatch(/数据不足 28 天 \d+ 个/);
    expect(run.message).toContain('2017-12-31: 检验 0 个序列（未检验：');
    for (const incident of await listIncidents(la, {})) {
      const title = seriesName(incident);
      expect(title, title).not.toMatch(/^ ·|· $|未知区县|未分类|null|undefined/);
    }
  });

  it('NYC 311, one day: the loud party at one address is a burst, and its chart starts on the data’s first day, not with weeks of 0', async () => {
    const run = await runHotspots(nyc, setup.config, { days: ['2022-05-01'], detector: await pulseDetector() });
    expect(run.days[0].bursts).toBe(1);
    const [incident] = await listIncidents(nyc, {});
    expect(seriesName(incident)).toMatch(/Loud Music\/Party · MANHATTAN · 364 WEST 127 STREET/);
    const evidence = (await incidentEvidence(nyc, incident.incident_id))!;
    expect(evidence.days.map((d) => d.date)).toEqual(['2022-05-01']);
    expect(evidence.days[0]).toMatchObject({ alarm: true });
    expect(evidence.days[0].count).toBeGreaterThanOrEqual(9);
  });

  it('the message board, whose data ends in 2020: a run for a later day says where the data ends', async () => {
    const { last } = (await board.one<{ last: string }>(`select strftime(max(received_at), '%Y-%m-%d') as last from stg_tickets`))!;
    expect(last < '2021-01-01').toBe(true);
    const run = await runHotspots(board, setup.config, { days: ['2025-11-30'], detector: await pulseDetector() });
    expect(run).toMatchObject({ days: [], staleDays: ['2025-11-30'], dataEnd: last, incidents: [] });
    expect(run.message).toContain(`数据截止于 ${last}`);
    expect(run.message).toContain(`--day ${last}`);
  });

  it('the message board’s last 14 days (the first start’s look-back): says there is no series to judge and why, not "每天检验约 0 个序列"', async () => {
    const { last } = (await board.one<{ last: string }>(`select strftime(max(received_at), '%Y-%m-%d') as last from stg_tickets`))!;
    const days = Array.from({ length: 14 }, (_, i) => new Date(Date.parse(`${last}T00:00:00Z`) - (13 - i) * 86_400_000).toISOString().slice(0, 10));
    const run = await runHotspots(board, setup.config, { days, detector: await pulseDetector() });
    expect(run.days.map((d) => d.tested)).toEqual(new Array(14).fill(0));
    expect(run.message).toContain(`${days[0]} 至 ${last} 共 14 天，均无告警（没有可检验的序列：工单既无分类也无区县；集中突发照常检测）`);
    expect(run.message).not.toContain('检验约 0 个序列');
    expect(run.message).toContain('没有事件，未发送邮件');
  });
});
