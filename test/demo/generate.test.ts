import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CATEGORIES, DISTRICTS, GIVEN, MINORITY_FATHER_NAMES, MINORITY_NAMES, SURNAMES } from '../../pipelines/demo/changji.js';
import { CALL_HEADERS, generateDemoExports, MANIFEST_FILE, TICKET_HEADERS, UNIT_HEADERS, XLSX_TICKET_HEADERS, type DemoManifest, type DemoResult } from '../../pipelines/demo/generate.js';

type Row = Record<string, string>;

/** RFC 4180 CSV (quoted fields may hold commas, quotes and line breaks). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  if (field || row.length) rows.push([...row, field]);
  return rows;
}

const records = (rows: string[][]): Row[] => rows.slice(1).map((r) => Object.fromEntries(rows[0].map((h, i) => [h, r[i] ?? ''])));

const stampOf = (d: Date) => d.toISOString().slice(0, 19).replace('T', ' ');

/** Every ticket of an output folder under the primary (CSV) header names, the XLSX mapped back. */
async function readTickets(dir: string): Promise<Row[]> {
  const rows: Row[] = [];
  for (const name of readdirSync(dir).sort()) {
    if (/^工单导出_\d{4}\.csv$/.test(name)) rows.push(...records(parseCsv(iconv.decode(readFileSync(join(dir, name)), 'gbk'))));
    if (name.endsWith('.xlsx')) {
      const workbook = new ExcelJS.Workbook();
      await workbook.xlsx.readFile(join(dir, name));
      const sheet = workbook.getWorksheet('工单')!;
      const headers = (sheet.getRow(1).values as unknown[]).slice(1).map(String);
      for (let n = 2; n <= sheet.rowCount; n++) {
        const values = sheet.getRow(n).values as unknown[];
        const cell = (header: string) => {
          const v = values[headers.indexOf(header) + 1];
          return v === undefined || v === null ? '' : v instanceof Date ? stampOf(v) : String(v);
        };
        const [l1, l2 = '', l3 = ''] = cell('诉求分类').split('/');
        const row: Row = { 一级分类: l1, 二级分类: l2, 三级分类: l3 };
        XLSX_TICKET_HEADERS.forEach((h) => h !== '诉求分类' && (row[SYNONYM_OF[h]] = cell(h)));
        rows.push(row);
      }
    }
  }
  return rows;
}

const SYNONYM_OF: Record<string, string> = { 工单号: '工单编号', 来电时间: '受理时间', 渠道: '来源渠道', 诉求性质: '诉求类型', 诉求描述: '诉求内容', 事发地址: '诉求地址', 区县: '所属区县', 街道: '乡镇街道', 来电人: '诉求人', 来电号码: '联系电话', 办理方式: '办理方式', 主办单位: '承办单位', 协办单位: '协办单位', 转办时间: '派单时间', 签收时间: '签收时间', 截止时间: '办理时限', 结案时间: '办结时间', 工单状态: '工单状态', 退单次数: '退单次数', 是否涉企: '是否涉企', 是否紧急: '是否紧急', 回访时间: '回访时间', 满意度: '回访结果', 解决情况: '是否解决' };

const share = (rows: Row[], test: (r: Row) => boolean) => rows.filter(test).length / rows.length;

describe('demo exports', () => {
  const root = mkdtempSync(join(tmpdir(), 'hotline-demo-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  // 60 days at 200 a day, ending in August: June–July as CSV (2025), August as XLSX.
  const options = (name: string, seed: number) => ({ outDir: join(root, name), seed, endDate: '2025-08-20', years: 1, days: 60, ticketsPerDay: 200 });
  let first: DemoResult;
  let tickets: Row[];

  beforeAll(async () => {
    first = await generateDemoExports(options('a', 7));
    tickets = await readTickets(join(root, 'a'));
  });

  it('writes the files a platform exports, plus the manifest', () => {
    expect(first.files.map((f) => f.slice(join(root, 'a').length + 1))).toEqual(['承办单位名录.csv', '工单导出_2025.csv', '工单导出_2025-08.xlsx', '话务记录_2025.csv']);
    expect(readdirSync(join(root, 'a')).sort()).toEqual(['.demo-manifest.json', '工单导出_2025-08.xlsx', '工单导出_2025.csv', '承办单位名录.csv', '话务记录_2025.csv']);
    expect(tickets.length).toBe(first.tickets);
    expect(first.tickets).toBeGreaterThan(60 * 200 * 0.8);
    expect(first.tickets).toBeLessThan(60 * 200 * 1.3);
  });

  it('writes tickets as GBK CSV with the primary headers, quoting what needs it', () => {
    const bytes = readFileSync(join(root, 'a', '工单导出_2025.csv'));
    const text = iconv.decode(bytes, 'gbk');
    expect(text.split('\r\n')[0]).toBe(TICKET_HEADERS.join(','));
    expect(text).not.toContain('\ufffd');
    // Lossless: re-encoding gives the same bytes (no character outside GBK became "?").
    expect(iconv.encode(text, 'gbk').equals(bytes)).toBe(true);
    expect(() => new TextDecoder('utf-8', { fatal: true }).decode(bytes)).toThrow();
    const rows = parseCsv(text);
    expect(rows.every((r) => r.length === TICKET_HEADERS.length)).toBe(true);
    const contents = rows.slice(1).map((r) => r[7]);
    expect(contents.some((c) => c.includes('\n'))).toBe(true);
    expect(contents.some((c) => c.includes('"'))).toBe(true);
    expect(contents.some((c) => c.includes(','))).toBe(true);
  });

  it('writes every name it uses in GBK', () => {
    const names = [SURNAMES, GIVEN, ...MINORITY_NAMES, ...MINORITY_FATHER_NAMES, ...DISTRICTS.flatMap((d) => [d.name, ...d.townships, ...d.streets]), ...CATEGORIES.flatMap((c) => c.subs.flatMap((s) => [s.name, ...s.texts, ...(s.asks ?? []), ...(s.l3 ?? [])]))].join('|');
    expect(iconv.decode(iconv.encode(names, 'gbk'), 'gbk')).toBe(names);
  });

  it('writes the last month as XLSX with synonym headers and real date cells', async () => {
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.readFile(join(root, 'a', '工单导出_2025-08.xlsx'));
    const sheet = workbook.getWorksheet('工单')!;
    expect((sheet.getRow(1).values as unknown[]).slice(1)).toEqual([...XLSX_TICKET_HEADERS]);
    const row = sheet.getRow(2);
    expect(row.getCell(2).value).toBeInstanceOf(Date);
    expect(row.getCell(2).numFmt).toBe('yyyy-mm-dd hh:mm:ss');
    expect(String(row.getCell(5).value)).toMatch(/^[^/]+\/[^/]+(\/[^/]+)?$/);
    const august = tickets.filter((t) => t.受理时间.startsWith('2025-08'));
    expect(sheet.rowCount - 1).toBe(august.length);
    expect(august.every((t) => t.受理时间 <= '2025-08-20 23:59:59')).toBe(true);
    expect(tickets.filter((t) => t.受理时间 < '2025-08').length).toBeGreaterThan(0);
  });

  it('keeps each ticket consistent with itself', () => {
    expect(new Set(tickets.map((t) => t.工单编号)).size).toBe(tickets.length);
    const problems: string[] = [];
    const check = (t: Row, ok: boolean, what: string) => ok || problems.push(`${t.工单编号}: ${what}`);
    for (const t of tickets) {
      check(t, /^\d{13}$/.test(t.工单编号) && t.工单编号.slice(0, 8) === t.受理时间.slice(0, 10).replaceAll('-', ''), 'number carries the date received');
      check(t, ['已办结', '办理中', '待签收', '已退回', '待回访', '已撤销'].includes(t.工单状态), 'status');
      check(t, !t.联系电话 || /^(1[3-9]\d{9}|0994-\d{7})$/.test(t.联系电话), 'phone format');
      if (t.办理方式 === '转办') {
        check(t, t.承办单位 !== '' && t.派单时间 >= t.受理时间 && t.办理时限 > t.派单时间, 'dispatch');
        check(t, !t.签收时间 || t.签收时间 >= t.派单时间, 'signed after dispatch');
        check(t, !t.办结时间 || t.办结时间 >= t.签收时间, 'completed after signing');
        check(t, !t.回访时间 || t.回访时间 > t.办结时间, 'callback after completion');
      } else check(t, t.办理方式 === '直接答复' && t.承办单位 === '' && t.派单时间 === '', 'direct answer');
      check(t, t.工单状态 !== '已办结' || t.办结时间 !== '', 'completed has a time');
      check(t, !t.回访结果 || t.回访时间 !== '', 'evaluation has a callback');
      // a block of flats' complaint comes from a compound, not a village ("新户村整栋楼暖气温度偏低")
      check(t, !/村(整栋楼|顶楼|楼道|电梯|单元|物业|楼下|高层|楼顶)/.test(t.诉求内容), `a building's complaint from a village: ${t.诉求内容}`);
      // praise thanks; it does not carry a complaint's text ("暖气片冰凉……希望予以表扬")
      if (t.诉求类型 === '表扬') check(t, /感谢/.test(t.诉求内容) && !/冰凉|恶劣|没人处理|未果|不循环|催办/.test(t.诉求内容), `praise reads as praise: ${t.诉求内容}`);
    }
    expect(problems.slice(0, 10)).toEqual([]);
  });

  it('looks like the Changji hotline', () => {
    const direct = share(tickets, (t) => t.办理方式 === '直接答复');
    expect(direct).toBeGreaterThan(0.5);
    expect(direct).toBeLessThan(0.7);
    const evaluated = tickets.filter((t) => ['满意', '基本满意', '不满意'].includes(t.回访结果));
    expect(evaluated.length).toBeGreaterThan(500);
    expect(share(evaluated, (t) => t.回访结果 !== '不满意')).toBeGreaterThanOrEqual(0.95);
    const changji = share(tickets, (t) => t.所属区县 === '昌吉市');
    expect(changji).toBeGreaterThan(0.33);
    expect(changji).toBeLessThan(0.47);
    expect(share(tickets, (t) => t.所属区县 === '木垒哈萨克自治县')).toBeLessThan(share(tickets, (t) => t.所属区县 === '阜康市'));
    expect(share(tickets, (t) => t.是否涉企 === '是')).toBeGreaterThan(0.04);
    expect(share(tickets, (t) => t.是否涉企 === '是')).toBeLessThan(0.11);
    expect(share(tickets, (t) => t.是否紧急 === '是')).toBeLessThan(0.05);
    expect(share(tickets, (t) => t.工单状态 === '已撤销')).toBeLessThan(0.015);
    // Open tickets are the recent ones (and the odd hard case of long standing).
    const open = (t: Row) => t.工单状态 !== '已办结' && t.工单状态 !== '已撤销';
    expect(share(tickets.filter((t) => t.受理时间 < '2025-07-15'), open)).toBeLessThan(0.01);
    expect(share(tickets.filter((t) => t.受理时间 >= '2025-08-17' && t.办理方式 === '转办'), open)).toBeGreaterThan(0.5);
    const statuses = new Set(tickets.map((t) => t.工单状态));
    for (const status of ['已办结', '办理中', '待回访', '已撤销']) expect(statuses).toContain(status);
    // Weekends are quieter than working days.
    const perDay = new Map<string, number>();
    for (const t of tickets) perDay.set(t.受理时间.slice(0, 10), (perDay.get(t.受理时间.slice(0, 10)) ?? 0) + 1);
    const mean = (days: [string, number][]) => days.reduce((s, [, n]) => s + n, 0) / days.length;
    const weekend = [...perDay].filter(([d]) => [0, 6].includes(new Date(`${d}T00:00:00Z`).getUTCDay()));
    const weekday = [...perDay].filter(([d]) => ![0, 6].includes(new Date(`${d}T00:00:00Z`).getUTCDay()));
    expect(mean(weekend) / mean(weekday)).toBeLessThan(0.8);
    // Some people call again about the same thing.
    const seen = new Map<string, string>();
    let repeats = 0;
    const withPhone = [...tickets].filter((t) => t.联系电话).sort((a, b) => a.受理时间.localeCompare(b.受理时间));
    for (const t of withPhone) {
      const key = `${t.联系电话}|${t.二级分类}`;
      if (seen.has(key)) repeats++;
      seen.set(key, t.受理时间);
    }
    expect(repeats / withPhone.length).toBeGreaterThan(0.02);
    expect(repeats / withPhone.length).toBeLessThan(0.15);
    // About one text in a hundred quotes a phone or ID number.
    const quoting = share(tickets, (t) => /1[3-9]\d{9}|\d{17}[\dX]/.test(t.诉求内容));
    expect(quoting).toBeGreaterThan(0.003);
    expect(quoting).toBeLessThan(0.03);
  });

  it('writes calls as UTF-8 CSV: one answered call per phone ticket, about 99 % connected', () => {
    const text = readFileSync(join(root, 'a', '话务记录_2025.csv'), 'utf8');
    const rows = parseCsv(text);
    expect(rows[0]).toEqual([...CALL_HEADERS]);
    const calls = records(rows);
    expect(calls.length).toBe(first.calls);
    const offered = calls.filter((c) => c.是否自助服务 === '否');
    const answered = offered.filter((c) => c.应答时间);
    const connection = answered.length / offered.length;
    expect(connection).toBeGreaterThan(0.97);
    expect(connection).toBeLessThan(1);
    const wait = (c: Row) => (Date.parse(c.应答时间.replace(' ', 'T')) - Date.parse(c.来电时间.replace(' ', 'T'))) / 1000;
    expect(share(answered, (c) => wait(c) <= 15)).toBeGreaterThan(0.8);
    expect(answered.some((c) => wait(c) > 60)).toBe(true);
    expect(new Set(calls.map((c) => c.呼入队列))).toEqual(new Set(['综合', '涉企专席', '医保专席', '社保专席', '']));
    const linked = new Set(calls.filter((c) => c.关联工单).map((c) => c.关联工单));
    const phoneTickets = tickets.filter((t) => t.来源渠道 === '电话');
    expect(phoneTickets.every((t) => linked.has(t.工单编号))).toBe(true);
    const ids = new Set(tickets.map((t) => t.工单编号));
    expect([...linked].every((id) => ids.has(id))).toBe(true);
  });

  it('lists some 800 units of the four kinds', () => {
    const text = readFileSync(join(root, 'a', '承办单位名录.csv'), 'utf8');
    expect(text.startsWith('\ufeff')).toBe(true);
    const units = records(parseCsv(text.slice(1)));
    expect(Object.keys(units[0])).toEqual([...UNIT_HEADERS]);
    expect(units.length).toBe(first.units);
    expect(units.length).toBeGreaterThan(700);
    expect(units.length).toBeLessThan(1000);
    expect(new Set(units.map((u) => u.单位类别))).toEqual(new Set(['州直部门', '县市部门', '乡镇街道', '企业']));
    const names = new Set(units.map((u) => u.单位名称));
    expect(names.size).toBe(units.length);
    expect(names.has('昌吉州供水公司')).toBe(true);
    expect(names.has('昌吉州住房和城乡建设局')).toBe(true);
    // Every unit a ticket names is in the directory.
    const used = tickets.flatMap((t) => [t.承办单位, ...t.协办单位.split('、')]).filter(Boolean);
    expect(used.every((u) => names.has(u))).toBe(true);
  });

  it('gives the same bytes for the same seed and different ones for another seed', async () => {
    const again = await generateDemoExports(options('b', 7));
    const other = await generateDemoExports(options('c', 8));
    expect(again.tickets).toBe(first.tickets);
    for (const name of [...first.files.map((f) => f.slice(join(root, 'a').length + 1)), MANIFEST_FILE]) {
      expect(readFileSync(join(root, 'b', name)).equals(readFileSync(join(root, 'a', name))), name).toBe(true);
      if (name !== '承办单位名录.csv') expect(readFileSync(join(root, 'c', name)).equals(readFileSync(join(root, 'a', name))), name).toBe(false);
    }
    expect(other.tickets).not.toBe(first.tickets);
  });

  it('injects incidents that the files really contain, one of them in the last 60 days', () => {
    const manifest = JSON.parse(readFileSync(join(root, 'a', MANIFEST_FILE), 'utf8')) as DemoManifest;
    expect(manifest.seed).toBe(7);
    expect(manifest.endDate).toBe('2025-08-20');
    expect(manifest.incidents).toEqual(first.incidents);
    expect(manifest.incidents.map((i) => i.kind)).toContain('小区停水');
    expect(manifest.incidents.some((i) => i.start >= '2025-06-21')).toBe(true);
    expect(manifest.weakUnits.length).toBeGreaterThan(5);
    for (const incident of manifest.incidents) {
      const end = stampOf(new Date(Date.parse(`${incident.start.replace(' ', 'T')}Z`) + incident.hours * 3_600_000));
      const matching = tickets.filter((t) => t.诉求地址.startsWith(incident.address) && t.二级分类 === incident.category_l2 && t.受理时间 >= incident.start && t.受理时间 <= end);
      expect(matching.length, incident.kind).toBeGreaterThanOrEqual(incident.tickets);
      expect(matching.length, incident.kind).toBeLessThan(incident.tickets * 1.5 + 3);
      expect(matching.every((t) => t.所属区县 === incident.district && t.乡镇街道 === incident.township && t.一级分类 === incident.category_l1)).toBe(true);
      expect(incident.tickets).toBeGreaterThanOrEqual(20);
    }
  });

  it('follows the seasons: noise peaks in summer, heating in winter', async () => {
    const dir = join(root, 'year');
    const result = await generateDemoExports({ outDir: dir, seed: 3, endDate: '2025-12-31', years: 1, ticketsPerDay: 60 });
    expect(result.files.map((f) => f.slice(dir.length + 1))).toEqual(['承办单位名录.csv', '工单导出_2025.csv', '工单导出_2025-12.xlsx', '话务记录_2025.csv']);
    const year = await readTickets(dir);
    const inMonth = (l2: string, month: string) => year.filter((t) => t.二级分类 === l2 && t.受理时间.slice(5, 7) === month).length;
    expect(inMonth('噪声扰民', '07')).toBeGreaterThan(2 * inMonth('噪声扰民', '01'));
    expect(inMonth('供暖不热', '01')).toBeGreaterThan(5 * inMonth('供暖不热', '07'));
    expect(inMonth('供暖不热', '12')).toBeGreaterThan(5 * inMonth('供暖不热', '07'));
    expect(inMonth('农村道路', '10')).toBeGreaterThan(2 * inMonth('农村道路', '05'));
    // Unpaid wages build up before the Spring Festival (29 January 2025) and drop during it.
    const wages = (from: string, to: string) => year.filter((t) => t.二级分类 === '欠薪' && t.受理时间 >= from && t.受理时间 < to).length;
    expect(wages('2025-01-08', '2025-01-28')).toBeGreaterThan(2 * wages('2025-05-08', '2025-05-28'));
    // The National Day week is quiet, the first working day after it busy.
    const day = (d: string) => year.filter((t) => t.受理时间.startsWith(d)).length;
    expect(day('2025-10-09')).toBeGreaterThan(1.5 * day('2025-10-03'));
  });
});
