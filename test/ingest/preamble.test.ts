import { writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { checkFile } from '../../pipelines/ingest/check.js';
import { headerRowIndex, totalRowLabel } from '../../pipelines/ingest/source.js';
import { csvText, encodeText, fiveTickets, ingest, profiles, quarantine, ticket, TICKET_HEADERS, ticketIds, ticketSheet, tempFolder, Warehouse, writeXlsx, type TextEncoding } from './helpers.js';

/**
 * Exports laid out as a report: a title (often one merged cell) and a line of 导出时间 / 导出人
 * above the header, as many platforms' Excel and CSV exports have them. The header is found below
 * them, the rows above are skipped and named in the load's message, and every quarantined row keeps
 * its own line or sheet row. Such a file was refused: no profile knew the header "…工单明细表".
 */

const temp = tempFolder('preamble');
afterAll(() => temp.cleanup());

const TITLE = '昌吉州12345政务服务便民热线工单明细表';
const EXPORTED = '导出时间：2026-12-01 08:00';
const rows = () => [...fiveTickets(), ticket('2025070500006', { 受理时间: '昨天' })];

describe('the header row of an export with a title above it', () => {
  it('is the first of the first rows nearly as full as the fullest', () => {
    expect(headerRowIndex([27, 27, 25])).toBe(0);
    expect(headerRowIndex([1, 2, 27, 27, 20])).toBe(2);
    expect(headerRowIndex([1, 27])).toBe(1);
    // a two-column file keeps its first row
    expect(headerRowIndex([2, 2, 1])).toBe(0);
    expect(headerRowIndex([])).toBe(0);
    // a broken line of many fields below the header does not make the header a title
    expect(headerRowIndex([27, 60, 27])).toBe(0);
    expect(headerRowIndex([5, 27])).toBe(0);
    // a line of two labelled values (导出时间, 2026-12-01, 导出人, 张三) is still above the header
    expect(headerRowIndex([1, 4, 17])).toBe(2);
  });

  it('XLSX: a merged title and an export-time row above the header are skipped; rows keep their sheet row', async () => {
    const path = temp.file('titled.xlsx');
    const [header, ...data] = ticketSheet(rows());
    await writeXlsx(path, [{ name: '工单明细', rows: [[TITLE], [EXPORTED, null, null, null, '导出人：张三'], null, header, ...data] }]);
    const warehouse = await Warehouse.open(temp.file('xlsx.duckdb'));
    try {
      const summary = await ingest(warehouse, path);
      expect(summary).toMatchObject({ status: 'loaded', profile: 'cn-12345', kind: 'tickets', rowsRead: 6, loaded: 5, quarantined: 1 });
      expect(summary.message).toBe(`表头上方的 2 行（“${TITLE}”、“${EXPORTED} 导出人：张三”）不是数据，已跳过 / skipped 2 row(s) above the header`);
      expect(await ticketIds(warehouse)).toEqual(fiveTickets().map((t) => t['工单编号']).sort());
      // title on row 1, export time on 2, an empty row 3, the header on 4: the sixth ticket is on row 10
      expect((await quarantine(warehouse, summary.runId)).map((q) => [q.row_number, q.reason.split(' / ')[0]])).toEqual([[10, '受理时间“昨天”无法识别为日期时间']]);
    } finally {
      warehouse.close();
    }
  });

  it.each<TextEncoding>(['utf-8', 'utf-8-bom', 'gbk'])('CSV in %s: a title line above the header is skipped; lines stay the file\'s own', async (encoding) => {
    const path = temp.file(`titled-${encoding}.csv`);
    writeFileSync(path, encodeText(`${TITLE}\n${EXPORTED},,,,导出人：张三\n${csvText(rows())}`, encoding));
    const warehouse = await Warehouse.open(temp.file(`csv-${encoding}.duckdb`));
    try {
      const summary = await ingest(warehouse, path);
      expect(summary).toMatchObject({ status: 'loaded', profile: 'cn-12345', rowsRead: 6, loaded: 5, quarantined: 1 });
      expect(summary.message).toMatch(/^表头上方的 2 行（“昌吉州12345政务服务便民热线工单明细表”、/);
      expect(await ticketIds(warehouse)).toEqual(fiveTickets().map((t) => t['工单编号']).sort());
      // title on line 1, export time on 2, header on 3: the sixth ticket is on line 9
      expect((await quarantine(warehouse, summary.runId)).map((q) => q.row_number)).toEqual([9]);
    } finally {
      warehouse.close();
    }
  });

  it('a file whose header is its first line loads as before, without a message', async () => {
    const path = temp.file('plain.csv');
    writeFileSync(path, csvText(fiveTickets()));
    const warehouse = await Warehouse.open(temp.file('plain.duckdb'));
    try {
      expect(await ingest(warehouse, path)).toMatchObject({ status: 'loaded', loaded: 5, quarantined: 0, message: null });
    } finally {
      warehouse.close();
    }
  });
});

/**
 * A row of totals below the data (合计：6 件, or 合 计 centred over two cells), as report-style
 * exports end: skipped and named in the load's message, not quarantined as a ticket without a
 * 受理时间 on every daily load. A bad ticket beside it is still quarantined.
 */
describe('a row of totals', () => {
  const padded = (label: string) => [label, ...TICKET_HEADERS.slice(1).map(() => '')].join(',');

  it('is told by its first filled cell', () => {
    expect(totalRowLabel(['', '合计：6 件', ''])).toBe('合计：6 件');
    expect(totalRowLabel(['合 计', '6'])).toBe('合 计');
    expect(totalRowLabel(['Total', '6'])).toBe('Total');
    expect(totalRowLabel(['总计(件)'])).toBe('总计(件)');
    // a ticket text that only starts with the characters is not one
    expect(totalRowLabel(['合计划生育政策咨询'])).toBeNull();
    expect(totalRowLabel(['2025070500001', '合计'])).toBeNull();
    expect(totalRowLabel(['', ''])).toBeNull();
  });

  it.each<TextEncoding>(['utf-8', 'gbk'])('CSV in %s: skipped on the direct and the merge path, named with its line; a bad ticket is still quarantined', async (encoding) => {
    const path = temp.file(`totals-${encoding}.csv`);
    writeFileSync(path, encodeText(`${csvText(rows())}${padded('合计：6 件')}\n`, encoding));
    const warehouse = await Warehouse.open(temp.file(`totals-${encoding}.duckdb`));
    try {
      for (const force of [false, true]) {
        // (the second load, forced, re-imports the same bytes through the merge)
        const summary = await ingest(warehouse, path, { force });
        expect(summary).toMatchObject({ status: 'loaded', rowsRead: 7, quarantined: 1 });
        expect(summary.message).toBe('1 行合计行（第 8 行“合计：6 件”）不是数据，已跳过 / skipped 1 row(s) of totals');
        expect((await quarantine(warehouse, summary.runId)).map((q) => q.row_number)).toEqual([7]);
      }
      expect(await ticketIds(warehouse)).toEqual(fiveTickets().map((t) => t['工单编号']).sort());
    } finally {
      warehouse.close();
    }
  });

  it('CSV: a short row of totals (two fields where the header has many) is skipped too, not quarantined as a broken record', async () => {
    const path = temp.file('totals-short.csv');
    writeFileSync(path, `${csvText(fiveTickets())}合 计,5\n`);
    const warehouse = await Warehouse.open(temp.file('totals-short.duckdb'));
    try {
      const summary = await ingest(warehouse, path);
      expect(summary).toMatchObject({ status: 'loaded', loaded: 5, quarantined: 0 });
      expect(summary.message).toBe('1 行合计行（第 7 行“合 计”）不是数据，已跳过 / skipped 1 row(s) of totals');
    } finally {
      warehouse.close();
    }
  });

  it('XLSX below a title: both are named in the message; hotline profiles check says the same', async () => {
    const path = temp.file('totals.xlsx');
    const [header, ...data] = ticketSheet(rows());
    await writeXlsx(path, [{ name: '工单明细', rows: [[TITLE], header, ...data, ['合计', null, null, null, '6 件']] }]);
    const warehouse = await Warehouse.open(temp.file('totals-xlsx.duckdb'));
    try {
      const summary = await ingest(warehouse, path);
      expect(summary).toMatchObject({ status: 'loaded', loaded: 5, quarantined: 1 });
      expect(summary.message).toBe(`表头上方的 1 行（“${TITLE}”）不是数据，已跳过 / skipped 1 row(s) above the header；1 行合计行（第 9 行“合计”）不是数据，已跳过 / skipped 1 row(s) of totals`);
      const report = await checkFile(path, { profiles: profiles(), maxFieldBytes: 1_000_000 });
      expect(report).toMatchObject({ good: 5, quarantined: 1, totals: '1 行合计行（第 9 行“合计”）不是数据，已跳过 / skipped 1 row(s) of totals' });
      expect(report.problems.map((p) => p.lines)).toEqual([[8]]);
    } finally {
      warehouse.close();
    }
  });
});
