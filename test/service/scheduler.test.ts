import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Scheduler, failureInWords, type Job } from '../../pipelines/scheduler.js';
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

  it('skips scheduled runs while held (recorded with the reason), runs start-up and manual ones, and schedules again once released', async () => {
    let ran = 0;
    const scheduler = await Scheduler.create({ warehouse, config: setup.config, log: () => undefined }, { tick: async () => `tick ${++ran}` });
    const before = (await warehouse.one<{ n: number }>('select count(*) as n from job_runs'))!.n;
    const release = scheduler.hold('正在生成演示数据');
    const held = await scheduler.run('tick', 'schedule');
    expect(held).toMatchObject({ status: 'skipped', message: 'skipped: 正在生成演示数据' });
    expect(ran).toBe(0);
    // The start-up run is registered before the hold ends: a tick right after is skipped as overlapping.
    const startup = scheduler.run('tick', 'startup');
    release();
    expect((await scheduler.run('tick', 'schedule')).message).toMatch(/上一次运行尚未结束/);
    expect(await startup).toMatchObject({ status: 'ok', message: 'tick 1' });
    expect(await scheduler.run('tick', 'schedule')).toMatchObject({ status: 'ok', message: 'tick 2' });
    await scheduler.stop();
    const runs = await warehouse.all<{ trigger: string; status: string; message: string }>('select trigger, status, message from job_runs order by run_id offset $n', { n: before });
    // (the overlapping tick and the start-up run may be recorded in either order)
    expect(runs.map((r) => `${r.trigger} ${r.status} ${r.message}`).sort()).toEqual(
      ['schedule ok tick 2', 'schedule skipped skipped: 上一次运行尚未结束 / the previous run is still going', 'schedule skipped skipped: 正在生成演示数据', 'startup ok tick 1'].sort(),
    );
  });

  it('stops: a job that heeds the signal finishes its unit of work; one that does not is interrupted and rolled back; queued runs never start', async () => {
    const logs: string[] = [];
    let queuedRan = false;
    let politeUnits = 0;
    const jobs: Record<string, Job> = {
      polite: async ({ signal }) => {
        while (!signal.aborted) {
          politeUnits++;
          await new Promise((r) => setTimeout(r, 20));
        }
        return `stopped after ${politeUnits} units`;
      },
      stubborn: async ({ warehouse: w }) => {
        await w.transaction(async () => {
          await w.run(`create table stubborn_rows as select 1 as i`);
          // A statement that would run for hours: only an interrupt ends it.
          await w.run(`select count(*) from range(1000000000000) a`);
        });
        return 'never';
      },
      queued: async () => {
        queuedRan = true;
        return 'ran';
      },
    };
    const polite = await Scheduler.create({ warehouse, config: setup.config, log: (m) => logs.push(m) }, jobs);
    const politeRun = polite.run('polite', 'manual');
    await new Promise((r) => setTimeout(r, 100));
    await polite.stop(10_000);
    expect(await politeRun).toMatchObject({ status: 'ok', message: expect.stringMatching(/^stopped after \d+ units$/) });

    const stubborn = await Scheduler.create({ warehouse, config: setup.config, log: (m) => logs.push(m) }, jobs);
    const stubbornRun = stubborn.run('stubborn', 'manual');
    const queuedRun = stubborn.run('queued', 'manual');
    await new Promise((r) => setTimeout(r, 300));
    await stubborn.stop(500);
    expect(await stubbornRun).toMatchObject({ status: 'failed', message: expect.stringMatching(/^服务停止时中断，已回滚/) });
    expect((await queuedRun).status).toBe('skipped');
    expect(queuedRan).toBe(false);
    expect(logs.some((m) => /已中断并回滚/.test(m))).toBe(true);
    // Rolled back: the table made inside the interrupted transaction is not there.
    expect((await warehouse.one<{ n: number }>(`select count(*) as n from duckdb_tables() where table_name = 'stubborn_rows'`))!.n).toBe(0);
  });

  it('records a failure in words: database and system errors are summarised, messages meant for people kept', () => {
    expect(failureInWords(new Error('Catalog Error: Table with name kpi_daily does not exist!\nDid you mean "pg_am"?'))).toBe('数据库内部错误，详情见服务日志 / a database error; details in the service log');
    expect(failureInWords(new Error('TransactionContext Error: Cannot CHECKPOINT: there are other write transactions active'))).toMatch(/^与其他写入冲突/);
    expect(failureInWords(new Error('IO Error: No space left on device'))).toMatch(/^读写文件或内存不足/);
    expect(failureInWords(new Error('export server unreachable'))).toBe('export server unreachable');
  });
});
