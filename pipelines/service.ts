import { existsSync, mkdirSync, readdirSync, utimesSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp } from '../dashboard/server.js';
import { dataFolders, type Config } from './config.js';
import { JOBS } from './jobs.js';
import { ensureHashKey } from './privacy.js';
import { Scheduler } from './scheduler.js';
import { Warehouse, WarehouseBusyError } from './warehouse.js';
import { CliError } from './cli-error.js';
import { ensureFirstAdmin, usersFile } from './users.js';

export interface Service {
  url: string;
  scheduler: Scheduler;
  warehouse: Warehouse;
  /** Settles when the start-up work (demo generation, first inbox run) is done. */
  ready: Promise<void>;
  stop(): Promise<void>;
}

function log(message: string) {
  process.stderr.write(`[${new Date().toLocaleString('zh-CN', { timeZone: 'Asia/Shanghai', hour12: false })}] ${message}\n`);
}

/** Yesterday in Beijing: the demo's history ends there, like a real nightly export. */
export function beijingYesterday(now = new Date()): string {
  return new Date(now.getTime() + 8 * 3600_000 - 86_400_000).toISOString().slice(0, 10);
}

/**
 * `npm start`: the web server and the scheduled jobs in one process, which holds the warehouse.
 * With no data at all, it first writes a realistic demo export into the inbox, so a newcomer sees
 * a living system that was loaded through the same path as real exports.
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

  const app = createApp({ warehouse: reader, config, startedAt: new Date() });
  const port = options.port ?? config.server.port;
  const server: Server = await new Promise((resolve, reject) => {
    const s = app.listen(port, config.server.host, () => resolve(s));
    s.once('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'EADDRINUSE' ? new CliError(`端口 ${port} 已被占用；用 --port 或 PORT 换一个 / port ${port} is in use: choose another with --port or PORT`) : error),
    );
  });
  const address = server.address() as AddressInfo;
  const url = config.server.publicUrl ?? `http://${config.server.host === '0.0.0.0' ? '127.0.0.1' : config.server.host}:${address.port}/`;

  const ready = (async () => {
    const empty = (await warehouse.one<{ n: number }>('select (select count(*) from tickets) + (select count(*) from ingest_runs) as n'))!.n === 0;
    let generatedDemo = false;
    if (empty && options.demo !== false && readdirSync(folders.inbox).length === 0) {
      log('数据仓库为空：正在生成演示数据（昌吉州 12345，约 4 年）… / empty warehouse: generating the demo exports');
      const { generateDemoExports } = await import('./demo/generate.js');
      const result = await generateDemoExports({ outDir: folders.inbox, seed: config.demo.seed, endDate: beijingYesterday(), years: config.demo.years, ticketsPerDay: config.demo.ticketsPerDay, onProgress: log });
      // The files are complete: mark them settled so the inbox job takes them now, not in five minutes.
      const past = new Date(Date.now() - 60_000);
      for (const file of result.files) utimesSync(file, past, past);
      generatedDemo = true;
      log(`演示导出已写入收件箱：${result.files.length} 个文件，${result.tickets} 条工单 / demo exports written to the inbox`);
    }
    const run = await scheduler.run('ingest-inbox', 'startup');
    log(`收件箱 / inbox: ${run.message}`);
    const { modelPath } = await import('./text/model.js');
    const loaded = (await warehouse.one<{ n: number }>('select count(*) as n from tickets'))!.n > 0;
    if (loaded && !existsSync(modelPath(config.dataDir))) {
      const training = await scheduler.run('text-models', 'startup');
      log(`文本模型 / text model: ${training.message}`);
    }
    if (generatedDemo) {
      log('正在回溯检测最近 14 天的热点预警… / looking for hotspots in the last 14 days');
      const backfill = await scheduler.run('hotspots-backfill', 'startup');
      log(`预警 / alerts: ${backfill.message}`);
    }
  })().catch((error) => log(`启动任务失败 / start-up work failed: ${(error as Error).stack ?? error}`));

  const jobs = scheduler.start();
  log(`定时任务 / jobs: ${jobs.join(', ') || '—'}`);
  log(`Hotline Pulse 已启动 / is running: ${url}`);

  return {
    url,
    scheduler,
    warehouse,
    ready,
    async stop() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await ready;
      await scheduler.stop();
      reader.close();
      warehouse.close();
    },
  };
}
