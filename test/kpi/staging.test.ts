import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QUERIES_DIR, type Warehouse } from '../../pipelines/warehouse.js';
import { insertTickets, tempWarehouse, ticket } from './helpers.js';

let warehouse: Warehouse;
let close: () => void;

beforeAll(async () => {
  ({ warehouse, close } = await tempWarehouse('staging'));
  await insertTickets(warehouse, [
    ticket({ ticket_id: 'A', district: '昌吉市', township: '宁边路街道', category_l1: '供水', category_l2: '停水' }),
    ticket({ ticket_id: 'B', district: null, township: null, category_l1: '供水', category_l2: null }),
    ticket({ ticket_id: 'C', district: '', township: '', category_l1: '', category_l2: '', category_l3: '' }),
    ticket({ ticket_id: 'W', status: '已撤销' }),
  ]);
  await warehouse.run(`update tickets set address = '昌吉市阳光小区3号楼' where ticket_id = 'A'`);
});
afterAll(() => close());

describe('stg_tickets', () => {
  it('leaves out withdrawn tickets and gives empty districts, townships and categories one explicit value', async () => {
    const rows = await warehouse.all(
      `select ticket_id, district, township, category_l1, category_l2, category_l3, category_l2_or_l1, place from stg_tickets order by ticket_id`,
    );
    expect(rows).toEqual([
      { ticket_id: 'A', district: '昌吉市', township: '宁边路街道', category_l1: '供水', category_l2: '停水', category_l3: null, category_l2_or_l1: '停水', place: '阳光小区' },
      { ticket_id: 'B', district: '未知区县', township: '未知乡镇街道', category_l1: '供水', category_l2: null, category_l3: null, category_l2_or_l1: '供水', place: null },
      { ticket_id: 'C', district: '未知区县', township: '未知乡镇街道', category_l1: '未分类', category_l2: null, category_l3: null, category_l2_or_l1: '未分类', place: null },
    ]);
  });

  it('is on every connection of the warehouse, as the text of its file', async () => {
    const session = await warehouse.session();
    try {
      expect(await session.one(`select count(*) as n from stg_tickets`)).toEqual({ n: 3 });
    } finally {
      session.close();
    }
  });
});

describe('one definition, one path', () => {
  const files = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((entry) => (entry.isDirectory() ? files(join(dir, entry.name)) : entry.name.endsWith('.sql') ? [join(dir, entry.name)] : []));
  const queries = files(QUERIES_DIR)
    .map((path) => ({ path: relative(QUERIES_DIR, path), text: readFileSync(path, 'utf8').replace(/--[^\n]*/g, '') }))
    .filter((file) => !file.path.startsWith('schema/') && !file.path.startsWith('ingest/'));

  // What the warehouse holds rather than what it counts: its newest activity, its months, its fingerprints.
  const STATE_OF_THE_DATA = ['rollups/data_as_of.sql', 'rollups/data_start.sql', 'rollups/data_calendar.sql', 'rollups/kpi_rollup_fingerprint.sql', 'versions/tickets.sql'];

  it('no query reads the raw tickets or repeats the withdrawn rule, except the staging model', () => {
    const offenders = queries.filter(
      (file) => !file.path.startsWith('staging/') && !STATE_OF_THE_DATA.includes(file.path) && (/\b(from|join)\s+tickets\b/i.test(file.text) || file.text.includes('已撤销')),
    );
    expect(offenders.map((file) => file.path)).toEqual([]);
    expect(queries.filter((file) => file.text.includes('已撤销')).map((file) => file.path)).toEqual(['staging/stg_tickets.sql']);
  });
});
