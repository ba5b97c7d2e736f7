import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestFile } from '../../pipelines/ingest/ingest.js';
import { loadProfiles } from '../../pipelines/ingest/profiles.js';
import { SqlConsole, currentSnapshot, openLockedSnapshot, writeAnalystSnapshot } from '../../pipelines/sql-console.js';
import { monthlyKpis } from '../../pipelines/kpi.js';
import { Warehouse } from '../../pipelines/warehouse.js';
import { tempSetup, ticketRow, writeTicketsCsv } from '../service/helpers.js';

describe('the analysts’ SQL console', () => {
  const setup = tempSetup('sql');
  const folder = join(setup.dir, 'snapshots');
  const secret = join(setup.dir, 'secret.csv');
  let warehouse: Warehouse;
  let console_: SqlConsole;
  let writtenFrom = 0;
  let writtenTo = 0;

  beforeAll(async () => {
    warehouse = await Warehouse.open(setup.config.db);
    const file = join(setup.dir, 'tickets.csv');
    // two withdrawn: tickets holds them, the dashboard's figures (and stg_tickets) do not
    writeTicketsCsv(file, Array.from({ length: 30 }, (_, i) => ticketRow(`20250701${String(i).padStart(5, '0')}`, i < 2 ? { 工单状态: '已撤销' } : {})));
    await ingestFile(warehouse, file, { profiles: loadProfiles(), key: 'cd'.repeat(32), maxFieldBytes: 1e6 });
    writeFileSync(secret, 'password\nhunter2\n');
    writtenFrom = Date.now();
    await writeAnalystSnapshot(warehouse, folder);
    writtenTo = Date.now();
    console_ = new SqlConsole(folder, { timeoutMs: 1500, maxRows: 10 });
  });
  afterAll(() => {
    console_?.close();
    warehouse?.close();
    setup.cleanup();
  });

  it('answers a query, with column names and types, capping rows', async () => {
    const result = await console_.query('select ticket_id, received_at from tickets order by ticket_id');
    expect(result.columns).toEqual([
      { name: 'ticket_id', type: 'VARCHAR' },
      { name: 'received_at', type: 'TIMESTAMP' },
    ]);
    expect(result.rows).toHaveLength(10);
    expect(result.truncated).toBe(true);
    const small = await console_.query('select count(*) as n from tickets');
    expect(small.rows).toEqual([['30']]);
    expect(small.truncated).toBe(false);
    // how current the answer is: when its snapshot was written
    const taken = Date.parse(small.snapshotTakenAt);
    expect(taken).toBeGreaterThanOrEqual(writtenFrom);
    expect(taken).toBeLessThanOrEqual(writtenTo);
  });

  it('counts as the dashboard does: stg_tickets, the tickets every figure counts, listed first with what its columns hold', async () => {
    const counted = await console_.query(`select count(*) as n from stg_tickets where received_at >= '2025-07-01' and received_at < '2025-08-01'`);
    const july = await monthlyKpis(warehouse, '2025-07', { source: 'direct' });
    expect(july.values.received).toBe(28);
    expect(counted.rows).toEqual([[String(july.values.received)]]);
    expect((await console_.query('select count(*) from tickets')).rows).toEqual([['30']]);
    const schema = await console_.schema();
    expect(schema[0]).toMatchObject({ table: 'stg_tickets', tableComment: expect.stringContaining('按它统计的件数与看板一致') });
    const comment = (table: string, column: string) => schema.find((c) => c.table === table && c.column === column)?.comment;
    expect(comment('stg_tickets', 'place')).toMatch(/小区、村或街道地址/);
    expect(comment('stg_tickets', 'received_at')).toBe('受理时间（北京时间）');
    expect(comment('tickets', 'handling_given')).toMatch(/映射方案的固定值/);
    expect(schema.find((c) => c.table === 'tickets')?.tableComment).toMatch(/含已撤销的/);
    // the pages' own model is not offered
    expect(schema.some((c) => c.table === 'stg_tickets_shown')).toBe(false);
  });

  it('hides phone hashes from analysts', async () => {
    await expect(console_.query('select phone_hash from tickets')).rejects.toThrow(/^分析快照不含电话号码哈希.*phone_hash/);
    const columns = (await console_.schema()).filter((c) => c.table === 'tickets').map((c) => c.column);
    expect(columns).toContain('content');
    expect(columns).not.toContain('phone_hash');
  });

  it.each([
    ['insert', `insert into tickets (ticket_id) values ('x')`],
    ['update', `update tickets set status = '已撤销'`],
    ['delete', `delete from tickets`],
    ['create', `create table evil as select 1`],
    ['drop', `drop table tickets`],
    ['alter', `alter table tickets add column x int`],
  ])('cannot write: %s', async (_kind, sql) => {
    await expect(console_.query(sql)).rejects.toThrow(/只接受查询|只读/);
    // Defence in depth: the instance itself refuses, even for a statement the filter let through.
    const instance = await openLockedSnapshot(currentSnapshot(folder)!);
    const connection = await instance.connect();
    await expect(connection.run(sql)).rejects.toThrow(/read-only|read only/i);
    await expect(connection.run(`select * from read_text('${secret}')`)).rejects.toThrow(/external access|disabled/i);
    await expect(connection.run(`set enable_external_access = true`)).rejects.toThrow(/lock|configuration/i);
    connection.closeSync();
    instance.closeSync();
  });

  it.each([
    ['read_csv', `select * from read_csv('SECRET')`],
    ['read_text', `select * from read_text('SECRET')`],
    ['glob', `select * from glob('/etc/*')`],
    ['copy to', `copy (select 1) to 'OUT'`],
    ['attach', `attach 'OTHER' as other`],
    ['install', `install httpfs`],
    ['load', `load httpfs`],
    ['parquet', `select * from read_parquet('SECRET')`],
  ])('cannot reach files, extensions or other databases: %s', async (_kind, template) => {
    const sql = template.replace('SECRET', secret).replace('OUT', join(setup.dir, 'out.csv')).replace('OTHER', join(setup.dir, 'other.duckdb'));
    await expect(console_.query(sql)).rejects.toThrow();
    expect(existsSync(join(setup.dir, 'out.csv'))).toBe(false);
    expect(existsSync(join(setup.dir, 'other.duckdb'))).toBe(false);
  });

  it.each([
    ['set', `set enable_external_access = true`],
    ['reset', `reset lock_configuration`],
    ['pragma', `pragma enable_profiling`],
    ['profiling output', `pragma profiling_output = '/tmp/hotline-profile.json'`],
    ['call', `call enable_logging()`],
    ['memory', `set memory_limit = '100GB'`],
  ])('cannot change settings: %s', async (_kind, sql) => {
    await expect(console_.query(sql)).rejects.toThrow();
    const after = await console_.query(`select current_setting('enable_external_access') as v`);
    expect(after.rows[0][0]).toBe(false);
  });

  it('stops a query that runs past the timeout, and keeps answering afterwards', async () => {
    const started = Date.now();
    await expect(console_.query('select count(*) from range(100000000000) a')).rejects.toThrow(/超过|limit/);
    expect(Date.now() - started).toBeLessThan(30_000);
    expect((await console_.query('select 1 as one')).rows).toEqual([[1]]);
  });

  it('says what kind of mistake a query has in Chinese, before DuckDB\'s own message', async () => {
    await expect(console_.query('select * from nope')).rejects.toThrow(/^找不到表、视图或函数.*：Catalog Error: .*nope/);
    await expect(console_.query('select no_such_column from tickets')).rejects.toThrow(/^字段名、类型或分组写法有误：Binder Error: .*no_such_column/);
    await expect(console_.query('select from where')).rejects.toThrow(/^SQL 语法错误：Parser Error/);
    await expect(console_.query(`select 'abc'::integer`)).rejects.toThrow(/^类型转换失败：Conversion Error/);
  });

  it('runs one statement at a time', async () => {
    await expect(console_.query('select 1; select 2')).rejects.toThrow(/一条语句/);
  });

  it('moves to a newer snapshot when the service writes one, and leaves the warehouse untouched', async () => {
    const file = join(setup.dir, 'more.csv');
    writeTicketsCsv(file, [ticketRow('2025070299999')]);
    await ingestFile(warehouse, file, { profiles: loadProfiles(), key: 'cd'.repeat(32), maxFieldBytes: 1e6 });
    await writeAnalystSnapshot(warehouse, folder);
    expect((await console_.query('select count(*) from tickets')).rows).toEqual([['31']]);
    expect(readdirSync(folder).filter((f) => f.startsWith('analyst-'))).toHaveLength(1);
    expect((await warehouse.one<{ n: number }>('select count(*) as n from tickets'))!.n).toBe(31);
    expect((await warehouse.all('select phone_hash from tickets limit 1')).length).toBe(1);
  });
});
