import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, utimesSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createApp } from '../dashboard/server.js';
import { CliError } from './cli-error.js';
import { openCommandChannel, type CommandChannel } from './command-channel.js';
import { dataFolders, type Config } from './config.js';
import { JOBS } from './jobs.js';
import { dataCalendar } from './kpi/freshness.js';
import { ensureHashKey } from './privacy.js';
import { Scheduler, STOP_GRACE_MS, type JobProgress } from './scheduler.js';
import { ensureFirstAdmin, usersFile } from './users.js';
import { Warehouse, WarehouseBusyError } from './warehouse.js';

export interface Service {
  url: string;
  scheduler: Scheduler;
  warehouse: Warehouse;
  /** Settles when the start-up work (demo, first inbox run, first monthly report) is done. */
  ready: Promise<void>;
  /** Stops serving and scheduling, lets a running load finish (or rolls it back), checkpoints, closes. */
  stop(options?: { graceMs?: number }): Promise<void>;
}

function log(message: string) {
  process.stderr.write(`[${new Date().toLocaleString('zh-CN', { timeZone: 'Asia/Shanghai', hour12: false })}] ${message}\n`);
}

/** Whether the hotspot check ever ran on this warehouse (a job of the service, or alarms recorded by the CLI). */
async function hotspotsEverChecked(warehouse: Warehouse): Promise<boolean> {
  const row = await warehouse.one<{ n: number }>(
    `select (select count(*) from job_runs where job like 'hotspots-%' and status = 'ok') + (select count(*) from alert_days) as n`,
  );
  return Number(row!.n) > 0;
}

/** Yesterday in Beijing: the demo's history ends there, like a real nightly export. */
export function beijingYesterday(now = new Date()): string {
  return new Date(now.getTime() + 8 * 3600_000 - 86_400_000).toISOString().slice(0, 10);
}

/** The last month that has ended, Beijing time (YYYY-MM). */
function lastCompleteMonth(now = new Date()): string {
  const beijing = new Date(now.getTime() + 8 * 3600_000);
  return new Date(Date.UTC(beijing.getUTCFullYear(), beijing.getUTCMonth() - 1, 1)).toISOString().slice(0, 7);
}

/** Files in the inbox a load would take (hidden files and folders are not exports). */
function inboxIsEmpty(inbox: string): boolean {
  return readdirSync(inbox).every((name) => name.startsWith('.'));
}

/**
 * What the first data in a warehouse calls for, each step only where it is missing: the text
 * model, a first look at the hotspots of the data's last 14 days (the demo's mailed; a city's own
 * recorded only — days gone by are no news), the rollup mended after them, and a 月报 in the
 * archive. Run at start-up after the first inbox run, and after a load into a running service
 * (an export uploaded on the 数据 page after `serve --no-demo`).
 */
async function firstDataWork(
  warehouse: Warehouse,
  config: Config,
  scheduler: Scheduler,
  options: { generatedDemo: boolean; trigger: 'startup' | 'after-load' },
): Promise<void> {
  const { modelPath } = await import('./text/model.js');
  const loaded = (await warehouse.one<{ n: number }>('select count(*) as n from tickets'))!.n > 0;
  // (the days the tickets cover: neither the model nor the look-back changes them)
  const calendar = await dataCalendar(warehouse);
  let changed = false;
  if (loaded && !existsSync(modelPath(config.dataDir))) {
    const training = await scheduler.run('text-models', options.trigger);
    // The demo's texts come from templates: its held-out scores say nothing about real requests.
    const caveat = options.generatedDemo ? '（演示数据的诉求内容由模板生成，留出准确率因此偏高，不代表真实数据上的效果 / the demo texts come from templates, so these held-out scores are optimistic）' : '';
    log(`文本模型 / text model: ${training.message}${caveat}`);
    changed = training.status === 'ok'; // (skipped: too few categorised tickets, no suggestions written)
  }
  if (options.generatedDemo) {
    log('正在回溯检测最近 14 天的热点预警… / looking for hotspots in the last 14 days');
    const backfill = await scheduler.run('hotspots-backfill', 'startup');
    log(`预警 / alerts: ${backfill.message}`);
    changed = true;
  } else if (loaded && !(await hotspotsEverChecked(warehouse))) {
    // A city's own first export: 预警 shows what the last 14 days of its data hold (or why
    // nothing could be judged) at once, not after tomorrow's 06:30 run. Recorded only: a replay
    // of days gone by mails nobody.
    const last = calendar.lastDay;
    if (last) {
      const end = last < beijingYesterday() ? last : beijingYesterday();
      log(`正在回溯检测数据最后 14 天（至 ${end}）的热点预警，只记录，不发邮件… / looking back over the data's last 14 days, recording only`);
      const backfill = await scheduler.run('hotspots-backfill', options.trigger, { last: end, mail: false });
      log(`预警 / alerts: ${backfill.message}`);
      changed = true;
    }
  }
  // The suggestions and alarms just written make the rollup and the snapshot stale: mend them now
  // rather than at the next inbox tick, so the first pages answer from the rollup.
  if (changed) log(`收件箱 / inbox: ${(await scheduler.run('ingest-inbox', options.trigger)).message}`);
  // The report archive is never empty once there is data: the report of last month — or, for
  // an export that ends earlier, of the month the dashboard opens on — built once.
  const { listArchivedReports } = await import('../reports/archive.js');
  const dataMonth = calendar.defaultMonth;
  const month = dataMonth && dataMonth < lastCompleteMonth() ? dataMonth : lastCompleteMonth();
  const hasTickets = await warehouse.one<{ n: number }>(
    `select count(*) as n from tickets where received_at >= $from::timestamp and received_at < $from::timestamp + interval 1 month`,
    { from: `${month}-01 00:00:00` },
  );
  if (!scheduler.stopped && hasTickets!.n > 0 && !listArchivedReports(config.dataDir).some((report) => report.kind === 'monthly')) {
    log(`正在生成 ${month} 月报，存入报告归档… / building last month's report into the archive`);
    const report = await scheduler.run('monthly-report', options.trigger, { month, mail: false });
    log(`月报 / monthly report: ${report.message}`);
  }
}

/**
 * `npm start`: the web server and the scheduled jobs in one process, which holds the warehouse.
 * With no data at all, it first writes a realistic demo export into the inbox, so a newcomer sees
 * a living system that was loaded through the same path as real exports. Until the first load has
 * built the summary tables the pages answer "数据加载中" with its progress.
 */
export async function startService(config: Config, options: { port?: number; demo?: boolean } = {}): Promise<Service> {
  const folders = dataFolders(config);
  for (const folder of Object.values(folders)) mkdirSync(folder, { recursive: true });
  ensureHashKey(config.keyFile);
  const firstAdmin = ensureFirstAdmin(usersFile(config));
  if (firstAdmin) {
    log(`已创建首个管理员账户 / first admin account created — 用户名 user: ${firstAdmin.name}  密码 password: ${firstAdmin.password}`);
    log('此密码只显示这一次，只以哈希形式保存；忘记时用 hotline user add admin --role admin 重设 / shown once, stored only as a hash');
  }
  let warehouse: Warehouse;
  try {
    warehouse = await Warehouse.open(config.db);
  } catch (error) {
    if (error instanceof WarehouseBusyError) throw new CliError(`${error.message}\n服务可能已经在运行 / is the service already running?`);
    throw error;
  }
  const reader = await warehouse.session();
  const scheduler = await Scheduler.create({ warehouse, config, log }, JOBS);
  const startedAt = new Date();
  /** Start-up work outside the scheduler, shown on the pages while it runs. */
  let startup: JobProgress | null = null;
  const stopping = new AbortController();
  // After the start-up work, a load into the running service (an export uploaded on the 数据 page,
  // a file dropped into the inbox) gets what the start-up gives the first data — once, where missing.
  let startupDone = false;
  let followUp: Promise<void> | null = null;
  scheduler.onFinished((run, trigger) => {
    if (!startupDone || followUp || run.job !== 'ingest-inbox' || run.status !== 'ok' || trigger === 'startup' || trigger === 'after-load') return;
    followUp = firstDataWork(warehouse, config, scheduler, { generatedDemo: false, trigger: 'after-load' })
      .catch((error) => log(`导入后的首次任务失败 / the work after a load failed: ${(error as Error).stack ?? error}`))
      .finally(() => (followUp = null));
  });

  const app = createApp({ warehouse: reader, config, startedAt, scheduler, startup: () => startup });
  const port = options.port ?? config.server.port;
  const server: Server = await new Promise((resolve, reject) => {
    const s = app.listen(port, config.server.host, () => resolve(s));
    s.once('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'EADDRINUSE' ? new CliError(`端口 ${port} 已被占用；用 --port 或 PORT 换一个 / port ${port} is in use: choose another with --port or PORT`) : error),
    );
  });
  const address = server.address() as AddressInfo;
  const url = config.server.publicUrl ?? `http://${config.server.host === '0.0.0.0' ? '127.0.0.1' : config.server.host}:${address.port}/`;
  const { main, isReadCommand } = await import('./cli.js');
  const channel: CommandChannel = await openCommandChannel({ config, warehouse, isReadCommand, run: main });

  /** Ends the hold on scheduled runs that the demo's generation takes (also when it fails). */
  let releaseSchedules = (): void => undefined;
  const ready = (async () => {
    const empty = (await warehouse.one<{ n: number }>('select (select count(*) from tickets) + (select count(*) from ingest_runs) as n'))!.n === 0;
    // The demo is written beside the inbox and moved in whole: a start stopped half-way leaves no half export.
    const demoFolder = join(folders.inbox, '.demo');
    rmSync(demoFolder, { recursive: true, force: true });
    let generatedDemo = false;
    if (empty && options.demo !== false && inboxIsEmpty(folders.inbox)) {
      log('数据仓库为空：正在生成演示数据（昌吉州 12345）… / empty warehouse: generating the demo exports');
      // A tick meanwhile would find the inbox empty and build the summary tables of an empty
      // warehouse: the pages would take them for the first load and show 0 件 until it is done.
      releaseSchedules = scheduler.hold('正在生成演示数据，由启动任务导入 / the start-up work is writing the demo exports');
      startup = { step: 'demo' };
      const { generateDemoExports } = await import('./demo/generate.js');
      const result = await generateDemoExports({
        outDir: demoFolder,
        seed: config.demo.seed,
        endDate: beijingYesterday(),
        years: config.demo.years,
        ticketsPerDay: config.demo.ticketsPerDay,
        onProgress: log,
        signal: stopping.signal,
      });
      // Settled already, so the inbox job takes them now rather than in five minutes.
      const past = new Date(Date.now() - 60_000);
      for (const name of readdirSync(demoFolder)) {
        utimesSync(join(demoFolder, name), past, past);
        renameSync(join(demoFolder, name), join(folders.inbox, name));
      }
      rmSync(demoFolder, { recursive: true, force: true });
      startup = null;
      generatedDemo = true;
      log(`演示导出已写入收件箱：${result.files.length} 个文件，${result.tickets} 条工单 / demo exports written to the inbox`);
    }
    // (the start-up run is registered before the hold ends, so no tick can take the files first)
    const first = scheduler.run('ingest-inbox', 'startup');
    releaseSchedules();
    const run = await first;
    log(`收件箱 / inbox: ${run.message}`);
    await firstDataWork(warehouse, config, scheduler, { generatedDemo, trigger: 'startup' });
    startupDone = true;
  })().catch((error) => {
    startup = null;
    releaseSchedules();
    if (stopping.signal.aborted) rmSync(join(folders.inbox, '.demo'), { recursive: true, force: true });
    else log(`启动任务失败 / start-up work failed: ${(error as Error).stack ?? error}`);
  });

  const jobs = scheduler.start();
  log(`定时任务 / jobs: ${jobs.join(', ') || '—'}`);
  log(`Hotline Pulse 已启动 / is running: ${url}`);

  let stopped: Promise<void> | null = null;
  return {
    url,
    scheduler,
    warehouse,
    ready,
    stop(stopOptions = {}) {
      stopped ??= (async () => {
        stopping.abort();
        // No new requests or commands; requests in flight finish, idle keep-alive connections close.
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        await channel.close();
        await scheduler.stop(stopOptions.graceMs ?? STOP_GRACE_MS);
        await ready;
        server.closeAllConnections();
        await closed;
        app.close();
        reader.close();
        if (!(await warehouse.checkpoint())) log('停止时未能写入检查点，下次启动时 DuckDB 会重放日志 / no checkpoint at stop: DuckDB replays its log at the next start');
        warehouse.close();
      })();
      return stopped;
    },
  };
}
