import cron from 'node-cron';
import type { Config } from './config.js';
import type { Warehouse } from './warehouse.js';

export const TIME_ZONE = 'Asia/Shanghai';

/** What a running job has done so far, for the 数据 page and the "数据加载中" answers. */
export interface JobProgress {
  step?: string;
  filesDone?: number;
  filesTotal?: number;
  /** The file being read now. */
  file?: string;
  bytesDone?: number;
  bytesTotal?: number;
  /** Rows added or updated by the files finished so far. */
  rows?: number;
  /** The current file's load: its phase in words (读取, 导入 …), rows processed by it and their rate. */
  phase?: string;
  phaseRows?: number | null;
  rowsPerSecond?: number | null;
}

export interface JobContext {
  warehouse: Warehouse;
  config: Config;
  log: (message: string) => void;
  /** Aborted when the service stops: a job stops between units of work (files, days). */
  signal: AbortSignal;
  progress: (update: JobProgress) => void;
}

/** A job returns a one-line outcome for job_runs, or 'skipped: …' when it had nothing to do. */
export type Job = (context: JobContext, args?: Record<string, unknown>) => Promise<string>;

export interface JobRun {
  runId: number;
  job: string;
  status: 'ok' | 'failed' | 'skipped';
  message: string;
}

export interface RunningJob {
  job: string;
  trigger: string;
  startedAt: string;
  progress: JobProgress;
}

/**
 * Lets the event loop serve waiting requests (a sign-in, a page) in the middle of long CPU work:
 * the service is one process, and a job that computes for seconds would otherwise hold every
 * request for as long.
 */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** How long a stop waits for the running job before it interrupts it (its transaction rolls back). */
export const STOP_GRACE_MS = 15_000;

/**
 * Runs the configured jobs on their cron schedules (Asia/Shanghai). A job never overlaps itself,
 * and because DuckDB has one writer, jobs that write run one after another through a queue.
 * Every run, including a skipped one, is recorded in job_runs with its outcome; a failure is
 * recorded in words, with the technical detail in the service log.
 */
/** Why a job ran: its schedule, a person (the dashboard, the CLI), the start-up work, or the work a load calls for. */
export type Trigger = 'schedule' | 'manual' | 'startup' | 'after-load';

export class Scheduler {
  private readonly running = new Map<string, RunningJob>();
  private queue: Promise<unknown> = Promise.resolve();
  private readonly tasks: { stop(): void | Promise<void> }[] = [];
  private readonly stopping = new AbortController();
  private readonly finished: ((run: JobRun, trigger: Trigger) => void)[] = [];
  /** Why scheduled runs are skipped now (start-up work that must come first), or null. */
  private held: string | null = null;

  /** job_runs are written through their own connection, outside any job's transaction. */
  private constructor(
    private readonly context: Omit<JobContext, 'signal' | 'progress'>,
    private readonly jobs: Record<string, Job>,
    private readonly bookkeeping: Warehouse,
  ) {}

  static async create(context: Omit<JobContext, 'signal' | 'progress'>, jobs: Record<string, Job>): Promise<Scheduler> {
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
      const task = cron.schedule(entry.cron, () => void this.run(name, 'schedule').catch(() => undefined), { timezone: TIME_ZONE, name });
      this.tasks.push(task);
      started.push(`${name} (${entry.cron})`);
    }
    return started;
  }

  /** The jobs running or queued now, with what they have done so far. */
  activity(): RunningJob[] {
    return [...this.running.values()].map((run) => ({ ...run, progress: { ...run.progress } }));
  }

  /**
   * Skips scheduled runs (recorded, with `reason`) until the returned function is called: for
   * start-up work that must come before any tick, such as the demo exports being written. Manual
   * and start-up runs go on.
   */
  hold(reason: string): () => void {
    this.held = reason;
    return () => {
      if (this.held === reason) this.held = null;
    };
  }

  get stopped(): boolean {
    return this.stopping.signal.aborted;
  }

  /** Runs a job now (or records that it was skipped because it is still running). */
  async run(name: string, trigger: Trigger, args?: Record<string, unknown>): Promise<JobRun> {
    const job = this.jobs[name];
    if (!job) throw new Error(`unknown job ${name}`);
    if (this.stopped) return { runId: 0, job: name, status: 'skipped', message: 'skipped: 服务正在停止 / the service is stopping' };
    if (trigger === 'schedule' && this.held) {
      const message = `skipped: ${this.held}`;
      const runId = await this.record(name, trigger, 'skipped', message);
      return { runId, job: name, status: 'skipped', message };
    }
    if (this.running.has(name)) {
      const message = 'skipped: 上一次运行尚未结束 / the previous run is still going';
      const runId = await this.record(name, trigger, 'skipped', message);
      return { runId, job: name, status: 'skipped', message };
    }
    const entry: RunningJob = { job: name, trigger, startedAt: new Date().toISOString(), progress: { step: 'queued' } };
    this.running.set(name, entry);
    const warehouse = this.bookkeeping;
    const execute = async (): Promise<JobRun> => {
      if (this.stopped) return { runId: 0, job: name, status: 'skipped', message: 'skipped: 服务正在停止 / the service is stopping' };
      entry.progress = {};
      entry.startedAt = new Date().toISOString();
      const runId = (await warehouse.one<{ id: number }>(`select nextval('job_run_ids') as id`))!.id;
      await warehouse.run(
        `insert into job_runs (run_id, job, trigger, started_at, status) values ($id, $job, $trigger, current_localtimestamp(), 'running')`,
        { id: runId, job: name, trigger },
      );
      let status: JobRun['status'] = 'ok';
      let message: string;
      try {
        message = await job({ ...this.context, signal: this.stopping.signal, progress: (update) => Object.assign(entry.progress, update) }, args);
        if (message.startsWith('skipped:')) status = 'skipped';
      } catch (error) {
        status = 'failed';
        message = failureInWords(error, this.stopped);
        this.context.log(`任务 ${name} 失败 / job ${name} failed: ${(error as Error).stack ?? String(error)}`);
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
    let done: JobRun;
    try {
      done = await result;
    } finally {
      this.running.delete(name);
    }
    for (const listener of this.finished) listener(done, trigger);
    return done;
  }

  /** Tells `listener` of every run that has finished (after it is recorded), with its trigger. */
  onFinished(listener: (run: JobRun, trigger: Trigger) => void): void {
    this.finished.push(listener);
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

  /** Waits for queued runs to finish. */
  async idle(): Promise<void> {
    await this.queue;
  }

  /**
   * Stops the schedules, tells the running job to stop after its current unit of work (a file
   * finishes loading), and after `graceMs` interrupts it: its transaction rolls back and the
   * warehouse is as before that unit. Queued runs do not start.
   */
  async stop(graceMs = STOP_GRACE_MS): Promise<void> {
    for (const task of this.tasks) await task.stop();
    this.stopping.abort();
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), graceMs)));
    if ((await Promise.race([this.idle(), late])) === 'late') {
      this.context.log('正在运行的任务未在限时内结束，已中断并回滚 / the running job was interrupted and rolled back');
      this.context.warehouse.connection.interrupt();
      await this.idle();
    }
    clearTimeout(timer);
    this.bookkeeping.close();
  }
}

/**
 * A failed run's message in job_runs, in words: a CliError is already meant for people; a DuckDB
 * or system error is summarised (the 数据 page shows this text) and its detail goes to the log.
 */
export function failureInWords(error: unknown, stopping = false): string {
  const message = String((error as Error)?.message ?? error).split('\n')[0];
  if ((error as { exitCode?: unknown })?.exitCode !== undefined) return message;
  if (/interrupt/i.test(message) || stopping) return '服务停止时中断，已回滚；下次启动时重做 / interrupted by the service stopping and rolled back';
  if (/^(IO Error|Out of Memory Error)|ENOSPC|EACCES|EPERM/i.test(message)) return '读写文件或内存不足导致失败，详情见服务日志 / a file or memory error; details in the service log';
  if (/^(TransactionContext Error|Conflict)|write-write conflict|other write transactions/i.test(message)) return '与其他写入冲突，下次运行时重试 / conflicted with another write; retried at the next run';
  if (/^[A-Za-z ]+ Error:/.test(message)) return '数据库内部错误，详情见服务日志 / a database error; details in the service log';
  return message;
}
