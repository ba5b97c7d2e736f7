import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Scheduler, type Job } from '../../pipelines/scheduler.js';
import { Warehouse } from '../../pipelines/warehouse.js';
import { tempSetup } from './helpers.js';

describe('scheduler', () => {
  const setup = tempSetup('scheduler');
  let warehouse: Warehouse;
  beforeAll(async () => {
    warehouse = await Warehouse.open(setup.config.db);
  });
  afterAll(() => {
    warehouse.close();
    setup.cleanup();
  });

  it('records every run with its outcome, and never overlaps a job with itself', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let calls = 0;
    const jobs: Record<string, Job> = {
      slow: async () => {
        calls++;
        await gate;
        return 'done slowly';
      },
      broken: async () => {
        throw new Error('export server unreachable');
      },
      idle: async () => 'skipped: nothing to do',
    };
    const scheduler = await Scheduler.create({ warehouse, config: setup.config, log: () => undefined }, jobs);
    const first = scheduler.run('slow', 'manual');
    await new Promise((r) => setTimeout(r, 50));
    const second = await scheduler.run('slow', 'schedule');
    expect(second.status).toBe('skipped');
    release();
    expect((await first).status).toBe('ok');
    expect(calls).toBe(1);
    expect((await scheduler.run('broken', 'manual')).status).toBe('failed');
    expect((await scheduler.run('idle', 'manual')).status).toBe('skipped');
    await scheduler.stop();

    const runs = await warehouse.all<{ job: string; trigger: string; status: string; message: string; finished_at: string | null }>(
      'select job, trigger, status, message, finished_at from job_runs order by run_id',
    );
    expect(runs.map((r) => [r.job, r.trigger, r.status])).toEqual([
      ['slow', 'manual', 'ok'],
      ['slow', 'schedule', 'skipped'],
      ['broken', 'manual', 'failed'],
      ['idle', 'manual', 'skipped'],
    ]);
    expect(runs.find((r) => r.job === 'broken')!.message).toBe('export server unreachable');
    expect(runs.every((r) => r.finished_at !== null)).toBe(true);
  });
});
