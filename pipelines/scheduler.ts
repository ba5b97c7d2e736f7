import cron from 'node-cron';
import type { Config } from './config.js';
import type { Warehouse } from './warehouse.js';

export const TIME_ZONE = 'Asia/Shanghai';

export interface JobContext {
  warehouse: Warehouse;
  config: Config;
  log: (message: string) => void;
}

/** A job returns a one-line outcome for job_runs, or 'skipped: …' when it had nothing to do. */
export type Job = (context: JobContext) => Promise<string>;

export interface JobRun {
  runId: number;
  job: string;
  status: 'ok' | 'failed' | 'skipped';
  message: string;
}

/**
 * Runs the configured jobs on their cron schedules (Asia/Shanghai). A job never overlaps itself,
 * and because DuckDB has one writer, jobs that write run one after another through a queue.
 * Every run, including a skipped one, is recorded in job_runs with its outcome.
 */
export class Scheduler {
  private readonly running = new Set<string>();
  private queue: Promise<unknown> = Promise.resolve();
  private readonly tasks: { stop(): void | Promise<void> }[] = [];

  /** job_runs are written through their own connection, outside any job's transaction. */
  private constructor(
    private readonly context: JobContext,
    private readonly jobs: Record<string, Job>,
    private readonly bookkeeping: Warehouse,
  ) {}

  static async create(context: JobContext, jobs: Record<string, Job>): Promise<Scheduler> {
    return new Scheduler(context, jobs, await context.warehouse.session());
  }

  start(): string[] {
    const started: string[] = [];
    for (const [name, entry] of Object.entries(this.context.config.jobs)) {
      if (!entry.enabled) continue;
      if (!this.jobs[name]) {
        this.context.log(`定时任务配置中的 ${name} 不是已知任务，已忽略；已知：${Object.keys(this.jobs).join(', ')}`);
        continue;
      }
      if (!cron.validate(entry.cron)) throw new Error(`jobs.${name}.cron: "${entry.cron}" is not a valid cron expression`);
      const task = cron.schedule(entry.cron, () => void this.run(name, 'schedule'), { timezone: TIME_ZONE, name });
      this.tasks.push(task);
      started.push(`${name} (${entry.cron})`);
    }
    return started;
  }

  /** Runs a job now (or records that it was skipped because it is still running). */
  async run(name: string, trigger: 'schedule' | 'manual' | 'startup'): Promise<JobRun> {
    const job = this.jobs[name];
    if (!job) throw new Error(`unknown job ${name}`);
    const warehouse = this.bookkeeping;
    if (this.running.has(name)) {
      const runId = await this.record(name, trigger, 'skipped', '上一次运行尚未结束 / the previous run is still going');
      return { runId, job: name, status: 'skipped', message: 'previous run still going' };
    }
    this.running.add(name);
    const execute = async (): Promise<JobRun> => {
      const runId = (await warehouse.one<{ id: number }>(`select nextval('job_run_ids') as id`))!.id;
      await warehouse.run(
        `insert into job_runs (run_id, job, trigger, started_at, status) values ($id, $job, $trigger, current_localtimestamp(), 'running')`,
        { id: runId, job: name, trigger },
      );
      let status: JobRun['status'] = 'ok';
      let message: string;
      try {
        message = await job(this.context);
        if (message.startsWith('skipped:')) status = 'skipped';
      } catch (error) {
        status = 'failed';
        message = (error as Error).message ?? String(error);
        this.context.log(`任务 ${name} 失败 / job ${name} failed: ${(error as Error).stack ?? message}`);
      }
      await warehouse.run(`update job_runs set finished_at = current_localtimestamp(), status = $status, message = $message where run_id = $id`, {
        id: runId,
        status,
        message: message.slice(0, 2000),
      });
      return { runId, job: name, status, message };
    };
    const result = this.queue.then(execute, execute);
    this.queue = result.catch(() => undefined);
    try {
      return await result;
    } finally {
      this.running.delete(name);
    }
  }

  private async record(name: string, trigger: string, status: string, message: string): Promise<number> {
    const warehouse = this.bookkeeping;
    const runId = (await warehouse.one<{ id: number }>(`select nextval('job_run_ids') as id`))!.id;
    await warehouse.run(
      `insert into job_runs (run_id, job, trigger, started_at, finished_at, status, message)
       values ($id, $job, $trigger, current_localtimestamp(), current_localtimestamp(), $status, $message)`,
      { id: runId, job: name, trigger, status, message },
    );
    return runId;
  }

  /** Waits for queued runs to finish; used at shutdown. */
  async idle(): Promise<void> {
    await this.queue;
  }

  async stop(): Promise<void> {
    for (const task of this.tasks) await task.stop();
    await this.idle();
    this.bookkeeping.close();
  }
}
