import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateDemoExports } from '../../pipelines/demo/generate.js';
import { ingestPaths } from '../../pipelines/ingest/ingest.js';
import { loadProfiles } from '../../pipelines/ingest/profiles.js';
import { Warehouse } from '../../pipelines/warehouse.js';

/** The demo exports must load through the ordinary ingest path, every row of them. */
describe('demo exports through the ingest', () => {
  const root = mkdtempSync(join(tmpdir(), 'hotline-demo-ingest-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('loads every file with nothing quarantined, and the warehouse sees the incidents', async () => {
    const demo = await generateDemoExports({ outDir: join(root, 'exports'), seed: 11, endDate: '2025-08-20', years: 1, days: 45, ticketsPerDay: 150 });
    const warehouse = await Warehouse.open(join(root, 'demo.duckdb'));
    try {
      const summaries = await ingestPaths(warehouse, demo.files, { profiles: loadProfiles(), key: '12'.repeat(32), maxFieldBytes: 1_000_000 });
      expect(summaries.map((s) => [s.kind, s.status, s.quarantined, s.message])).toEqual([
        ['units', 'loaded', 0, null],
        ['tickets', 'loaded', 0, null],
        ['tickets', 'loaded', 0, null],
        ['calls', 'loaded', 0, null],
      ]);
      const counts = (await warehouse.one<{ tickets: number; calls: number; units: number }>('select (select count(*) from tickets) as tickets, (select count(*) from calls) as calls, (select count(*) from units) as units'))!;
      expect(counts).toEqual({ tickets: demo.tickets, calls: demo.calls, units: demo.units });
      const xlsxMonth = (await warehouse.one<{ n: number; dispatched: number }>(`select count(*) as n, count(dispatched_at) as dispatched from tickets where received_at >= timestamptz '2025-08-01 00:00:00+08'`))!;
      expect(xlsxMonth.n).toBeGreaterThan(1000);
      expect(xlsxMonth.dispatched).toBeGreaterThan(200);
      for (const incident of demo.incidents) {
        const found = (await warehouse.one<{ n: number }>(
          `select count(*) as n from tickets
           where address like $place || '%' and category_l2 = $l2
             and received_at between ($start || '+08')::timestamptz and ($start || '+08')::timestamptz + to_hours($hours::bigint)`,
          { place: incident.address, l2: incident.category_l2, start: incident.start, hours: incident.hours },
        ))!;
        expect(found.n, incident.kind).toBeGreaterThanOrEqual(incident.tickets);
      }
    } finally {
      warehouse.close();
    }
  });
});
