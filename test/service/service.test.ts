import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startService, type Service } from '../../pipelines/service.js';
import { addUser, usersFile } from '../../pipelines/users.js';
import { ROOT, hotline, hotlineAsync, tempSetup, ticketRow, writeTicketsCsv } from './helpers.js';

describe('the service (npm start)', () => {
  const setup = tempSetup('service');
  let service: Service | undefined;
  afterAll(async () => {
    await service?.stop();
    setup.cleanup();
  });

  it('serves the status page and the status API on the configured port, and runs the inbox job at start-up', async () => {
    service = await startService(setup.config, { port: 0, demo: false });
    await service.ready;
    const anonymous = await fetch(service.url);
    expect(anonymous.url).toMatch(/\/login$/);
    expect(await anonymous.text()).toContain('登录');
    addUser(usersFile(setup.config), 'leader', 'leader', 'a long enough password');
    const login = await fetch(new URL('api/login', service.url), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'leader', password: 'a long enough password' }) });
    const cookie = login.headers.get('set-cookie')!.split(';')[0];
    const page = await fetch(service.url, { headers: { cookie } });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await page.text()).toContain('12345 热线数据仓库');
    const status = await (await fetch(new URL('api/status', service.url), { headers: { cookie } })).json();
    expect(status.tickets.count).toBe(0);
    // An empty install: nothing to load, but the (empty) summary tables and the analysts' snapshot
    // are built, so the pages and the SQL console answer from the first minute.
    expect(status.jobRuns[0]).toMatchObject({ job: 'ingest-inbox', trigger: 'startup', status: 'ok' });
    expect(status.jobRuns[0].message).toMatch(/收件箱为空；汇总表已重建.*；分析快照已更新/);
    const missing = await fetch(new URL('nope', service.url));
    expect(missing.status).toBe(404);
  });

  it('tells a CLI user that the service holds the warehouse, and to use the inbox instead', async () => {
    const file = join(setup.dir, 'new.csv');
    writeTicketsCsv(file, [ticketRow('2025070100009')]);
    const env = { HOTLINE_DB: setup.config.db, HOTLINE_DATA_DIR: setup.config.dataDir };
    // The service runs in this process; a second process cannot open the file.
    const result = await hotlineAsync(['ingest', file], env);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/正被另一个进程占用/);
    expect(result.stderr).toContain(join(setup.config.dataDir, 'inbox'));
    // a writer says what to do instead, and which of the service's jobs does the same
    const hotspots = await hotlineAsync(['hotspots'], env);
    expect(hotspots.code).toBe(1);
    expect(hotspots.stderr).toMatch(/正被另一个进程占用[\s\S]*先停止服务（Ctrl-C）再运行。服务按计划自己运行它（任务 hotspots-daily 与 incidents-hourly/);
  });
});

describe('the hotline command', () => {
  it('prints help for every command and exits 0; unknown commands and bad flags exit 2', async () => {
    const top = hotline(['--help']);
    expect(top.code).toBe(0);
    const commands = [...top.stdout.matchAll(/^ {2}([a-z]+) {2,}/gm)].map((m) => m[1]);
    expect(commands).toEqual(expect.arrayContaining(['init', 'ingest', 'demo', 'serve', 'status', 'export', 'profiles']));
    // Four at a time: each is a fresh Node process that compiles its command on the fly.
    for (let i = 0; i < commands.length; i += 4) {
      const batch = commands.slice(i, i + 4);
      const helps = await Promise.all(batch.map((command) => hotlineAsync([command, '--help'])));
      helps.forEach((help, j) => {
        expect(help.code, batch[j]).toBe(0);
        expect(help.stdout.length, batch[j]).toBeGreaterThan(40);
      });
    }
    expect(hotline(['frobnicate']).code).toBe(2);
    expect(hotline(['ingest', '--frob']).code).toBe(2);
    expect(hotline(['ingest']).code).toBe(2);
  });

  it('loads a file, prints data as JSON on stdout with logs on stderr, and exports month-partitioned Parquet', () => {
    const setup = tempSetup('cli');
    try {
      const env = { HOTLINE_DATA_DIR: join(setup.dir, 'data') };
      const db = join(setup.dir, 'side', 'by-side.duckdb');
      const file = join(setup.dir, 'tickets.csv');
      writeTicketsCsv(file, [ticketRow('2025063000001', { 受理时间: '2025-06-30 23:59:59' }), ticketRow('2025070100001', { 受理时间: '2025-07-01 00:00:00' })], 'gbk');
      const ingest = hotline(['ingest', file, '--db', db, '--json'], env);
      expect(ingest.code, ingest.stderr).toBe(0);
      const [summary] = JSON.parse(ingest.stdout);
      expect(summary).toMatchObject({ status: 'loaded', profile: 'cn-12345', kind: 'tickets', encoding: 'gb18030', loaded: 2, quarantined: 0 });
      const again = JSON.parse(hotline(['ingest', file, '--db', db, '--json'], env).stdout);
      expect(again[0].status).toBe('unchanged');
      const lake = join(setup.dir, 'lake');
      const exported = hotline(['export', '--parquet', lake, '--db', db, '--json'], env);
      expect(exported.code, exported.stderr).toBe(0);
      const check = spawnSync(
        process.execPath,
        ['--input-type=module', '-e', `
          import { DuckDBInstance } from '@duckdb/node-api';
          const c = await (await DuckDBInstance.create(':memory:')).connect();
          const r = await c.runAndReadAll("select month, count(*)::int as n from read_parquet('${lake}/tickets/*/*.parquet', hive_partitioning = true) group by month order by month");
          console.log(JSON.stringify(r.getRowObjectsJson()));`],
        { encoding: 'utf8', cwd: ROOT },
      );
      expect(JSON.parse(check.stdout)).toEqual([{ month: '2025-06', n: 1 }, { month: '2025-07', n: 1 }]);
      const status = JSON.parse(hotline(['status', '--db', db, '--json'], env).stdout);
      expect(status.tickets.count).toBe(2);
    } finally {
      setup.cleanup();
    }
  });
});

