import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../pipelines/config.js';
import { MANIFEST_FILE, type DemoManifest } from '../../pipelines/demo/generate.js';
import { ingestInbox } from '../../pipelines/inbox.js';
import { Warehouse } from '../../pipelines/warehouse.js';
import { request, running, signIn, startServiceProcess, tempSetup, type ServiceProcess } from './helpers.js';

interface Activity {
  job: string;
  progress: { step?: string; filesDone?: number; filesTotal?: number };
}

/**
 * `npm start`, stopped the way a user or a process manager stops it — SIGTERM to the npm process —
 * in the middle of the first load.
 */
describe('stopping npm start during the first load', () => {
  const setup = tempSetup('stop');
  const data = join(setup.dir, 'data');
  const configFile = join(setup.dir, 'hotline.config.json');
  let service: ServiceProcess | undefined;
  afterAll(async () => {
    if (service && service.child.exitCode === null) {
      service.child.kill('SIGKILL');
      await service.exited;
    }
    setup.cleanup();
  });

  it('lets the file being loaded finish, checkpoints, and leaves no process; the rest loads later, nothing twice', async () => {
    // Two years at 150 a day: the load takes long enough to be stopped in the middle.
    writeFileSync(configFile, JSON.stringify({ dataDir: data, db: join(data, 'hotline.duckdb'), demo: { years: 2, ticketsPerDay: 150 } }));
    service = await startServiceProcess({ npm: true, env: { HOTLINE_CONFIG: configFile, PORT: '0' } });
    const serviceProcess = (JSON.parse(readFileSync(join(data, 'service.json'), 'utf8')) as { pid: number }).pid;
    // One process under npm: the service itself (no shell, no tsx child in between).
    expect(serviceProcess).not.toBe(service.child.pid);
    if (existsSync(`/proc/${serviceProcess}/status`)) {
      expect(readFileSync(`/proc/${serviceProcess}/status`, 'utf8')).toMatch(new RegExp(`^PPid:\\s+${service.child.pid}$`, 'm'));
    }
    const agent = await signIn(service.url, 'admin', service.password!);
    let seen: Activity | undefined;
    for (let i = 0; i < 1200 && !seen; i++) {
      const status = (await (await request(new URL('/api/status', service.url), { headers: { cookie: agent.cookie } })).json()) as { activity: Activity[] };
      seen = status.activity.find((run) => run.job === 'ingest-inbox' && run.progress.step === 'ingest' && (run.progress.filesDone ?? 0) >= 1);
      if (!seen) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(seen, service.log().slice(-2000)).toBeDefined();
    expect(seen!.progress.filesTotal).toBeGreaterThan(seen!.progress.filesDone!);

    service.child.kill('SIGTERM');
    expect(await service.exited).toBe(0);
    for (let i = 0; i < 100 && running(serviceProcess); i++) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(running(serviceProcess)).toBe(false);
    expect(service.log()).toMatch(/服务停止，其余 \d+ 个文件留在收件箱/);
    expect(existsSync(join(data, 'service.json'))).toBe(false);
    expect(existsSync(join(data, 'hotline.duckdb.wal'))).toBe(false);

    // Every file is either loaded whole (and archived) or still in the inbox, untouched.
    const config = loadConfig({ file: configFile });
    const warehouse = await Warehouse.open(config.db);
    try {
      const runs = await warehouse.all<{ file_name: string; status: string }>('select file_name, status from ingest_runs order by run_id');
      expect(runs.every((run) => run.status === 'loaded')).toBe(true);
      const archived = readdirSync(join(data, 'archive'), { recursive: true }).map(String).filter((path) => !path.endsWith('/') && /\.(csv|xlsx)$/.test(path));
      expect(archived.map((path) => path.split('/').at(-1)).sort()).toEqual(runs.map((run) => run.file_name).sort());
      const waiting = readdirSync(join(data, 'inbox')).filter((name) => !name.startsWith('.'));
      expect(waiting.length).toBeGreaterThan(0);
      const manifest = JSON.parse(readFileSync(join(data, 'inbox', MANIFEST_FILE), 'utf8')) as DemoManifest;
      expect(runs.length + waiting.length).toBe(manifest.files.length);
      // The next load takes the rest: every ticket once.
      const rest = await ingestInbox(warehouse, config, Date.now() + 60_000);
      expect(rest.summaries.map((s) => s.status)).toEqual(waiting.map(() => 'loaded'));
      expect((await warehouse.one<{ n: number }>('select count(*) as n from tickets'))!.n).toBe(manifest.tickets);
    } finally {
      warehouse.close();
    }
  }, 300_000);
});
