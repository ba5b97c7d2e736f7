import ExcelJS from 'exceljs';
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { readXlsx } from '../../pipelines/ingest/read-xlsx.js';
import { tempFolder } from './helpers.js';

/**
 * The streaming workbook reader on its own: cells as the text Excel shows (shared and inline
 * strings, rich text, formulas by their cached result, booleans, dates by their number format in
 * both date systems), and a workbook whose shared strings span many chunks keeps every Chinese
 * character whole (the streaming reader this replaces split them).
 */

const temp = tempFolder('xlsx');
afterAll(() => temp.cleanup());

async function read(path: string, sheet?: string) {
  const source = await readXlsx(path, { maxFieldBytes: 1_000_000, workDir: temp.dir, sheet });
  const csv = readFileSync(source.relation.match(/read_csv\('([^']+)'/)![1], 'utf8');
  return { source, csv };
}

describe('the workbook reader', () => {
  it('reads every kind of cell as the text Excel shows', async () => {
    for (const date1904 of [false, true]) {
      const workbook = new ExcelJS.Workbook();
      workbook.properties.date1904 = date1904;
      const sheet = workbook.addWorksheet('工单');
      sheet.addRow(['编号', '文本', '富文本', '公式', '布尔', '日期', '日期时间', '数字', '小数']);
      const row = sheet.addRow([
        'A1', '噪声 & <扰民>', { richText: [{ text: '停' }, { font: { bold: true }, text: '水' }] }, { formula: 'B2&"!"', result: '噪声 & <扰民>!' }, true,
        new Date(Date.UTC(2025, 6, 1)), new Date(Date.UTC(2025, 6, 1, 9, 30, 15)), 42, 0.1 + 0.2,
      ]);
      row.getCell(6).numFmt = 'yyyy"年"m"月"d"日"';
      row.getCell(7).numFmt = 'yyyy-mm-dd hh:mm:ss';
      const path = temp.file(`cells-${date1904}.xlsx`);
      await workbook.xlsx.writeFile(path);
      const { source, csv } = await read(path);
      expect(source).toMatchObject({ format: 'xlsx', headers: ['编号', '文本', '富文本', '公式', '布尔', '日期', '日期时间', '数字', '小数'], records: 1, sheet: '工单', rejected: [] });
      expect(csv.split('\n')[1]).toBe('2,A1,噪声 & <扰民>,停水,噪声 & <扰民>!,true,2025-07-01,2025-07-01 09:30:15,42,0.3');
    }
  });

  it('keeps Chinese text whole across many chunks of shared strings, with sheet row numbers', async () => {
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('导出');
    sheet.addRow(['编号', '诉求内容']);
    const texts = Array.from({ length: 30_000 }, (_, i) => `第${i}号：小区楼下夜间施工噪声很大，影响休息，请尽快处理——${'投诉'.repeat(i % 7)}`);
    texts.forEach((text, i) => sheet.addRow([`N${i}`, text]));
    const path = temp.file('big.xlsx');
    await workbook.xlsx.writeFile(path);
    const { source, csv } = await read(path);
    expect(source.records).toBe(30_000);
    expect(csv).not.toContain('\ufffd');
    const lines = csv.trimEnd().split('\n');
    expect(lines).toHaveLength(30_001);
    expect(lines[30_000]).toBe(`30001,N29999,${texts[29_999]}`);
  });

  it('a named sheet, skipping the others; a missing one refused with the list', async () => {
    const workbook = new ExcelJS.Workbook();
    workbook.addWorksheet('说明').addRow(['这是说明']);
    const data = workbook.addWorksheet('七月');
    data.addRow(['编号']);
    data.addRow(['J1']);
    const path = temp.file('sheets.xlsx');
    await workbook.xlsx.writeFile(path);
    expect((await read(path, '七月')).source).toMatchObject({ sheet: '七月', headers: ['编号'], records: 1 });
    expect((await read(path)).source).toMatchObject({ sheet: '说明', headers: ['这是说明'], records: 0 });
    await expect(read(path, '八月')).rejects.toThrow('没有名为“八月”的工作表；现有：说明、七月');
  });
});
