import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestFile } from '../../pipelines/ingest/ingest.js';
import { loadProfiles } from '../../pipelines/ingest/profiles.js';
import { JOBS } from '../../pipelines/jobs.js';
import { refreshIfStale, snapshotFolder } from '../../pipelines/refresh.js';
import { Scheduler } from '../../pipelines/scheduler.js';
import { SqlConsole, snapshotIsCurrent } from '../../pipelines/sql-console.js';
import { Warehouse } from '../../pipelines/warehouse.js';
import { tempSetup, ticketRow, writeTicketsCsv } from './helpers.js';

describe('keeping the summary tables and the analysts’ snapshot in step with the data', () => {
  const setup = tempSetup('refresh');
  let warehouse: Warehouse;
  beforeAll(async () => {
    warehouse = await Warehouse.open(setup.config.db);
  });
  afterAll(() => {
    warehouse.close();
    setup.cleanup();
  });

  it('checkpoints once another connection’s write is committed, and gives up quietly if it never is', async () => {
    const other = await warehouse.session();
    try {
      await other.run('begin transaction');
      await other.run(`create table other_write as select 1 as i`);
      // DuckDB itself refuses while the write is open: the situation the retry exists for.
      await expect(warehouse.connection.run('checkpoint')).rejects.toThrow(/other write transactions/);
      expect(await warehouse.checkpoint({ attempts: 2, waitMs: 10 })).toBe(false);
      const checkpointed = warehouse.checkpoint({ waitMs: 50 });
      setTimeout(() => void other.run('commit'), 300);
      expect(await checkpointed).toBe(true);
    } finally {
      other.close();
    }
  });

  it('builds what is missing on an empty warehouse, then nothing until the data changes', async () => {
    expect(await refreshIfStale(warehouse, setup.config)).toEqual(['汇总表已重建 / rollup rebuilt', '分析快照已更新 / analyst snapshot written']);
    expect(await refreshIfStale(warehouse, setup.config)).toEqual([]);
    const file = join(setup.dir, 'tickets.csv');
    writeTicketsCsv(file, [ticketRow('2025070100001'), ticketRow('2025070100002')]);
    // Loaded without the refresh that normally follows (as when that refresh failed).
    await ingestFile(warehouse, file, { profiles: loadProfiles(), key: 'cd'.repeat(32), maxFieldBytes: 1e6 });
    expect(await snapshotIsCurrent(warehouse, snapshotFolder(setup.config))).toBe(false);
    expect(await refreshIfStale(warehouse, setup.config)).toEqual(['汇总表已重建 / rollup rebuilt', '分析快照已更新 / analyst snapshot written']);
    const console_ = new SqlConsole(snapshotFolder(setup.config));
    try {
      expect((await console_.query('select count(*) from tickets')).rows).toEqual([['2']]);
    } finally {
      console_.close();
    }
  });

  it('rebuilds a missing snapshot at the next inbox tick though the inbox is empty', async () => {
    rmSync(join(snapshotFolder(setup.config), 'current'));
    const scheduler = await Scheduler.create({ warehouse, config: setup.config, log: () => undefined }, JOBS);
    try {
      const run = await scheduler.run('ingest-inbox', 'schedule');
      expect(run).toMatchObject({ status: 'ok', message: '收件箱为空；分析快照已更新 / analyst snapshot written' });
      expect(await snapshotIsCurrent(warehouse, snapshotFolder(setup.config))).toBe(true);
      // Nothing stale, nothing to load: the tick is an idle one.
      expect((await scheduler.run('ingest-inbox', 'schedule')).status).toBe('skipped');
    } finally {
      await scheduler.stop();
    }
  });
});
