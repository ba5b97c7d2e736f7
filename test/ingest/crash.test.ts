import { DuckDBInstance } from '@duckdb/node-api';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT, csvText, tempFolder, ticket } from './helpers.js';

/**
 * Crash atomicity with a real process (issue: atomic per file): `hotline ingest BIG.csv` is killed
 * with SIGKILL while it merges the file inside its transaction; the warehouse must then hold
 * exactly what it held before that file, and the next run loads every row.
 *
 * The moment to kill: with HOTLINE_TIMINGS set, the ingest prints each phase on stderr as it ends.
 * "quarantine:" is printed inside the transaction, after the quarantined rows were inserted and
 * before the merge of the good rows (about a second for 300k rows), so a kill on that line lands
 * in the middle of the file's writes. The test checks that it did.
 */

const temp = tempFolder('crash');
afterAll(() => temp.cleanup());

const ROWS = 300_000;
const BAD_EVERY = 50_000; // rows r ≡ 7 (mod 50 000) have an unknown channel
const BAD = Math.ceil((ROWS - 7) / BAD_EVERY);
const db = temp.file('warehouse.duckdb');
const env = { ...process.env, HOTLINE_DATA_DIR: temp.file('data'), HOTLINE_TIMINGS: '1' };

const id = (r: number) => `2025${String(1_000_000 + r).padStart(9, '0')}`;
/** Receipt time of generated row r (the same expression in SQL below). */
const receivedSql = `timestamp '2025-01-01' + to_seconds(r * 37 % (150 * 86400))`;

/** A big cn-12345 export written by DuckDB itself (fast), every row valid but the BAD ones. */
async function writeBigExport(path: string): Promise<void> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  const at = (offset: string) => `strftime(${receivedSql} + ${offset}, '%Y-%m-%d %H:%M:%S')`;
  try {
    await connection.run(`copy (
      select '2025' || lpad((1000000 + r)::varchar, 9, '0') as 工单编号, ${at('interval 0 minute')} as 受理时间,
        case when r % ${BAD_EVERY} = 7 then '传真' else ['电话', '微信', '网站'][1 + r % 3] end as 来源渠道,
        '投诉' as 诉求类型, ['城乡建设', '环境保护', '交通运输'][1 + r % 3] as 一级分类, '物业管理' as 二级分类, '' as 三级分类,
        '反映小区问题，联系电话139' || lpad((r % 100000000)::varchar, 8, '0') as 诉求内容, '昌吉市某小区' || (r % 300)::varchar || '号楼' as 诉求地址,
        '昌吉市' as 所属区县, '宁边路街道' as 乡镇街道, '张三' as 诉求人, '139' || lpad((r % 100000000)::varchar, 8, '0') as 联系电话,
        '转办' as 办理方式, '单位' || (r % 500)::varchar as 承办单位, '协办甲；协办乙' as 协办单位,
        ${at('interval 20 minute')} as 派单时间, ${at('interval 80 minute')} as 签收时间, ${at('interval 5 day')} as 办理时限,
        '' as 办结时间, '办理中' as 工单状态, '0' as 退单次数, '否' as 是否涉企, '否' as 是否紧急, '' as 回访时间, '' as 回访结果, '' as 是否解决
      from range(${ROWS}) as t(r)
    ) to '${path}' (header true)`);
  } finally {
    connection.closeSync();
  }
}

/** The first five tickets of the big export in an older state (not yet signed), plus a bad row. */
async function smallExportRows() {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    const reader = await connection.runAndReadAll(
      `select r, strftime(${receivedSql}, '%Y-%m-%d %H:%M:%S') as received, strftime(${receivedSql} + interval 20 minute, '%Y-%m-%d %H:%M:%S') as dispatched,
         strftime(${receivedSql} + interval 5 day, '%Y-%m-%d %H:%M:%S') as deadline from range(5) as t(r)`,
    );
    const rows = (reader.getRowObjectsJson() as { r: number; received: string; dispatched: string; deadline: string }[]).map((row) =>
      ticket(id(Number(row.r)), { 受理时间: row.received, 派单时间: row.dispatched, 签收时间: '', 办理时限: row.deadline, 办结时间: '', 工单状态: '待签收', 回访时间: '', 回访结果: '', 是否解决: '' }),
    );
    return [...rows, ticket('2025099999999', { 来源渠道: '传真' })];
  } finally {
    connection.closeSync();
  }
}

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** `npx tsx pipelines/cli.ts ingest …` in its own process group; `killOn` kills the whole group when stderr shows it. */
function cli(args: string[], killOn?: RegExp): Promise<Run & { killedAfter?: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('npx', ['tsx', 'pipelines/cli.ts', ...args], { cwd: ROOT, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let killedAfter: string | undefined;
    child.stdout.on('data', (data) => (stdout += data));
    child.stderr.on('data', (data) => {
      stderr += data;
      if (killOn && killedAfter === undefined && killOn.test(stderr)) {
        killedAfter = stderr;
        process.kill(-child.pid!, 'SIGKILL'); // npx, tsx and the node process that holds the warehouse
      }
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      // npx may be gone before the node process under it (a killed process with a big heap takes a
      // moment to die, and holds the warehouse lock until then): wait for the whole group.
      waitForGroup(child.pid!).then(() => resolve({ code, signal, stdout, stderr, killedAfter }), reject);
    });
  });
}

async function waitForGroup(pgid: number): Promise<void> {
  for (let i = 0; i < 600; i++) {
    try {
      process.kill(-pgid, 0);
    } catch {
      return; // ESRCH: no process of the group is left
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`process group ${pgid} still alive after 30 s`);
}

/** Every table of the warehouse, read by a short-lived instance of this process (closed again, so the CLI can open the file). */
async function warehouseState(): Promise<Record<string, string>> {
  const instance = await DuckDBInstance.create(db);
  const connection = await instance.connect();
  try {
    const state: Record<string, string> = {};
    for (const table of ['tickets', 'ticket_units', 'calls', 'units', 'categories', 'quarantine', 'ingest_runs', 'schema_migrations']) {
      const reader = await connection.runAndReadAll(`select count(*) as n, coalesce(sum(hash(t)), 0) as checksum from ${table} as t`);
      state[`${table}`] = JSON.stringify(reader.getRowObjectsJson()[0]);
    }
    for (const table of ['tickets', 'quarantine', 'ingest_runs']) {
      const reader = await connection.runAndReadAll(`select * from ${table} order by all`);
      state[`${table} rows`] = JSON.stringify(reader.getRowObjectsJson());
    }
    return state;
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

async function one<T>(sql: string): Promise<T> {
  const instance = await DuckDBInstance.create(db);
  const connection = await instance.connect();
  try {
    return (await connection.runAndReadAll(sql)).getRowObjectsJson()[0] as T;
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

describe('a load killed in the middle of a file', () => {
  it('leaves the warehouse exactly as before that file; the next run loads every row', { timeout: 180_000 }, async () => {
    const big = temp.file('big.csv');
    const small = temp.file('small.csv');
    await writeBigExport(big);
    const { writeFileSync } = await import('node:fs');
    writeFileSync(small, csvText(await smallExportRows()));

    // The state before the big file: five tickets (which the big file updates) and one quarantined row.
    const first = await cli(['ingest', small, '--db', db]);
    expect(first.code, first.stderr).toBe(0);
    const before = await warehouseState();
    expect(JSON.parse(before.tickets).n).toBe('5');
    expect(JSON.parse(before.quarantine).n).toBe('1');

    const killed = await cli(['ingest', big, '--db', db], /quarantine: [\d.]+ s\n/);
    expect(killed.killedAfter, `the ingest was not killed; stderr:\n${killed.stderr}`).toBeDefined();
    expect(killed.signal).toBe('SIGKILL');
    // Killed inside the transaction, before the merge of the good rows had finished.
    expect(killed.killedAfter).toMatch(/map: [\d.]+ s\n {2}quarantine: [\d.]+ s\n$/);
    expect(killed.stderr).not.toMatch(/merge:/);
    expect(killed.stderr).not.toContain('✓');

    // The killed load's scratch folder is still there (its process had no time to remove it).
    const orphans = scratchFoldersOfDeadProcesses();
    expect(orphans.length).toBeGreaterThan(0);

    const after = await warehouseState();
    expect(after).toEqual(before);
    expect(await one(`select count(*) as n from ingest_runs where file_name = 'big.csv'`)).toEqual({ n: '0' });

    const again = await cli(['ingest', big, '--db', db, '--json']);
    expect(again.code, again.stderr).toBe(0);
    const [summary] = JSON.parse(again.stdout);
    expect(summary).toMatchObject({ status: 'loaded', profile: 'cn-12345', kind: 'tickets', rowsRead: ROWS, loaded: ROWS - 5 - BAD, updated: 5, unchanged: 0, quarantined: BAD });
    expect(await one(`select count(*) as n, count(*) filter (where status = '办理中' and signed_at is not null) as signed from tickets`)).toEqual({ n: String(ROWS - BAD + 0), signed: String(ROWS - BAD) });
    expect(await one(`select count(*) as n from quarantine`)).toEqual({ n: String(1 + BAD) });
    expect(await one(`select count(*) as n from ticket_units`)).toEqual({ n: String((ROWS - BAD) * 3) });
    expect(await one(`select count(*) as n, sum(rows_read) as rows from ingest_runs where file_name = 'big.csv' and status = 'loaded'`)).toEqual({ n: '1', rows: String(ROWS) });
    expect(existsSync(db)).toBe(true);
    // The next load removed it.
    for (const folder of orphans) expect(existsSync(folder), folder).toBe(false);
  });
});

/** Scratch folders whose owner file names a process that no longer runs. */
function scratchFoldersOfDeadProcesses(): string[] {
  const found: string[] = [];
  for (const root of new Set(['/dev/shm', tmpdir()])) {
    let names: string[] = [];
    try {
      names = readdirSync(root).filter((n) => n.startsWith('hotline-scratch-ingest-'));
    } catch {
      continue;
    }
    for (const name of names) {
      try {
        const pid = Number(readFileSync(join(root, name, 'owner.pid'), 'utf8').split('@')[0]);
        process.kill(pid, 0);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ESRCH') found.push(join(root, name));
      }
    }
  }
  return found;
}
