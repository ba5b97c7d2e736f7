import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReadPool } from '../../dashboard/read-pool.js';
import { Warehouse } from '../../pipelines/warehouse.js';

describe('ReadPool', () => {
  let warehouse: Warehouse;
  let pool: ReadPool;
  beforeAll(async () => {
    warehouse = await Warehouse.open(':memory:', { migrate: false });
    pool = new ReadPool(warehouse, 2);
  });
  afterAll(() => {
    pool.close();
    warehouse.close();
  });

  it('lets one connection serve one statement at a time, and every statement runs', async () => {
    await warehouse.run('create sequence calls');
    const results = await Promise.all(Array.from({ length: 6 }, (_, i) => pool.use((w) => w.one<{ i: number; n: number }>(`select $i as i, nextval('calls') as n`, { i }))));
    expect(results.map((r) => r!.i)).toEqual([0, 1, 2, 3, 4, 5]);
    // nothing is shared between statements: six executions, six values
    expect(new Set(results.map((r) => r!.n)).size).toBe(6);
  });
});
