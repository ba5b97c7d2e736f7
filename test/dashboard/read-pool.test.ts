import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReadPool } from '../../dashboard/read-pool.js';
import { Warehouse } from '../../pipelines/warehouse.js';

describe('ReadPool', () => {
  let warehouse: Warehouse;
  let pool: ReadPool;
  beforeAll(async () => {
    warehouse = await Warehouse.open(':memory:', { migrate: false });
    await warehouse.run('create table counter (n integer)');
    await warehouse.run('insert into counter values (1)');
    pool = new ReadPool(warehouse, 2);
  });
  afterAll(() => {
    pool.close();
    warehouse.close();
  });

  it('runs an identical small read once per request, and again in the next request', async () => {
    // nextval() makes each execution visible: a shared result keeps its first value.
    await warehouse.run('create sequence calls');
    const sql = `select nextval('calls') as n, $x as x from counter`;
    const request = pool.request();
    const [a, b] = await Promise.all([request.use((w) => w.one<{ n: number }>(sql, { x: 1 })), request.use((w) => w.one<{ n: number }>(sql, { x: 1 }))]);
    expect(a!.n).toBe(b!.n);
    const other = await request.use((w) => w.one<{ n: number }>(sql, { x: 2 }));
    expect(other!.n).not.toBe(a!.n);
    const next = await pool.request().use((w) => w.one<{ n: number }>(sql, { x: 1 }));
    expect(next!.n).not.toBe(a!.n);
  });

  it('does not keep large results, and lets one connection serve one statement at a time', async () => {
    const request = pool.request();
    const big = `select nextval('calls') as n from range(100)`;
    await warehouse.run(`create sequence if not exists calls`);
    const first = await request.use((w) => w.all<{ n: number }>(big));
    const second = await request.use((w) => w.all<{ n: number }>(big));
    expect(second[0].n).not.toBe(first[0].n);
    const results = await Promise.all(Array.from({ length: 6 }, (_, i) => pool.use((w) => w.one<{ i: number }>('select $i as i', { i }))));
    expect(results.map((r) => r!.i)).toEqual([0, 1, 2, 3, 4, 5]);
  });
});
