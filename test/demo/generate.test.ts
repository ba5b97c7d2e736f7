import { readFileSync, rmSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import iconv from 'iconv-lite';
import { afterAll, describe, expect, it } from 'vitest';
import { generateDemoExports, type DemoResult } from '../../pipelines/demo/generate.js';
import { ingestPaths } from '../../pipelines/ingest/ingest.js';
import { loadProfiles } from '../../pipelines/ingest/profiles.js';
import { Warehouse } from '../../pipelines/warehouse.js';

describe('demo exports', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hotline-demo-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  let first: DemoResult;

  it('writes GBK ticket CSVs, a monthly XLSX, call CSVs and the unit list; the same seed gives the same bytes', async () => {
    first = await generateDemoExports({ outDir: join(dir, 'a'), seed: 7, endDate: '2025-08-31', years: 1, ticketsPerDay: 120 });
    const again = await generateDemoExports({ outDir: join(dir, 'b'), seed: 7, endDate: '2025-08-31', years: 1, ticketsPerDay: 120 });
    const other = await generateDemoExports({ outDir: join(dir, 'c'), seed: 8, endDate: '2025-08-31', years: 1, ticketsPerDay: 120 });
    const names = first.files.map((f) => f.split('/').pop());
    expect(names).toEqual(['承办单位名录.csv', '工单导出_2024.csv', '工单导出_2025.csv', '工单导出_2025-08.xlsx', '话务记录_2024.csv', '话务记录_2025.csv']);
    const csv = first.files.find((f) => f.endsWith('工单导出_2025.csv'))!;
    expect(readFileSync(csv)).toEqual(readFileSync(csv.replace('/a/', '/b/')));
    expect(readFileSync(csv)).not.toEqual(readFileSync(csv.replace('/a/', '/c/')));
    expect(again.tickets).toBe(first.tickets);
    expect(other.tickets).not.toBe(first.tickets);
    const text = iconv.decode(readFileSync(csv), 'gbk');
    expect(text.split('\n')[0]).toBe('工单编号,受理时间,来源渠道,诉求类型,一级分类,二级分类,三级分类,诉求内容,诉求地址,所属区县,乡镇街道,诉求人,联系电话,办理方式,承办单位,协办单位,派单时间,签收时间,办理时限,办结时间,工单状态,退单次数,是否涉企,是否紧急,回访时间,回访结果,是否解决');
  });

  it('loads through the real ingest path with nothing quarantined, and looks like Changji', async () => {
    const warehouse = await Warehouse.open(join(dir, 'demo.duckdb'));
    try {
      const summaries = await ingestPaths(warehouse, first.files, { profiles: loadProfiles(), key: '12'.repeat(32), maxFieldBytes: 1e6 });
      expect(summaries.map((s) => [s.kind, s.status, s.quarantined])).toEqual([
        ['units', 'loaded', 0],
        ['tickets', 'loaded', 0],
        ['tickets', 'loaded', 0],
        ['tickets', 'loaded', 0],
        ['calls', 'loaded', 0],
        ['calls', 'loaded', 0],
      ]);
      const stats = (await warehouse.one<Record<string, number>>(`
        select count(*) as tickets,
          avg((handling = '直接答复')::int) as direct,
          avg((satisfaction in ('满意', '基本满意'))::int) filter (where satisfaction in ('满意', '基本满意', '不满意')) as satisfied,
          avg((district = '昌吉市')::int) as changji,
          count(*) filter (where category_l2 = '噪声扰民' and month(received_at) = 7) as noise_july,
          count(*) filter (where category_l2 = '噪声扰民' and month(received_at) = 1) as noise_january,
          count(*) filter (where category_l2 = '供暖不热' and month(received_at) = 12) as heating_december,
          count(*) filter (where category_l2 = '供暖不热' and month(received_at) = 7) as heating_july
        from tickets`))!;
      expect(stats.tickets).toBe(first.tickets);
      expect(stats.direct).toBeGreaterThan(0.5);
      expect(stats.direct).toBeLessThan(0.7);
      expect(stats.satisfied).toBeGreaterThan(0.95);
      expect(stats.changji).toBeGreaterThan(0.33);
      expect(stats.changji).toBeLessThan(0.47);
      expect(stats.noise_july).toBeGreaterThan(2 * stats.noise_january);
      expect(stats.heating_december).toBeGreaterThan(5 * stats.heating_july);
      // The water outage of the manifest is in the warehouse: dozens of tickets at one compound within hours.
      const outage = first.incidents.find((i) => i.kind === '停水')!;
      const burst = (await warehouse.one<{ n: number }>(
        `select count(*) as n from tickets where address like $place || '%' and received_at between $start::timestamp and $start::timestamp + interval 5 hour`,
        { place: outage.address, start: outage.start },
      ))!;
      expect(burst.n).toBeGreaterThanOrEqual(outage.tickets);
    } finally {
      warehouse.close();
    }
  });
});
