import ExcelJS from 'exceljs';
import { readFileSync, writeFileSync } from 'node:fs';
import { crc32 } from 'node:zlib';
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

/** A workbook zipped by hand (entries stored, not deflated), for XML as other writers spell it. */
function zipStored(path: string, files: Record<string, string>): void {
  const parts: Buffer[] = [];
  const directory: Buffer[] = [];
  let offset = 0;
  for (const [name, text] of Object.entries(files)) {
    const data = Buffer.from(text, 'utf8');
    const nameBytes = Buffer.from(name, 'utf8');
    const check = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt32LE(check, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBytes.length, 26);
    parts.push(local, nameBytes, data);
    const entry = Buffer.alloc(46);
    entry.writeUInt32LE(0x02014b50, 0);
    entry.writeUInt16LE(20, 4);
    entry.writeUInt16LE(20, 6);
    entry.writeUInt32LE(check, 16);
    entry.writeUInt32LE(data.length, 20);
    entry.writeUInt32LE(data.length, 24);
    entry.writeUInt16LE(nameBytes.length, 28);
    entry.writeUInt32LE(offset, 42);
    directory.push(entry, nameBytes);
    offset += 30 + nameBytes.length + data.length;
  }
  const central = Buffer.concat(directory);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(Object.keys(files).length, 8);
  end.writeUInt16LE(Object.keys(files).length, 10);
  end.writeUInt32LE(central.length, 12);
  end.writeUInt32LE(offset, 16);
  writeFileSync(path, Buffer.concat([...parts, central, end]));
}

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

  it('reads XML as other writers spell it: prefixes, attributes in any order and spaced, CDATA, comments, entities, reading guides', async () => {
    const main = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
    const path = temp.file('by-hand.xlsx');
    zipStored(path, {
      'xl/workbook.xml': `<?xml version="1.0" encoding="UTF-8"?><x:workbook xmlns:x="${main}" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><x:sheets><x:sheet name="工单" sheetId="1" r:id="rId1"/></x:sheets></x:workbook>`,
      'xl/_rels/workbook.xml.rels': `<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="worksheet" Target="worksheets/sheet1.xml"/></Relationships>`,
      'xl/sharedStrings.xml': `<?xml version="1.0"?><sst xmlns="${main}"><si><t>编号</t></si><si><t>诉求内容</t><rPh sb="0" eb="2"><t>そきゅう</t></rPh></si><si><r><t>停</t></r><r><rPr><b/></rPr><t xml:space="preserve">水 </t></r></si></sst>`,
      'xl/worksheets/sheet1.xml':
        `<?xml version="1.0" encoding="UTF-8"?>\n<!-- written by hand, <c> in a comment -->\n<x:worksheet xmlns:x="${main}">\n  <x:sheetData>\n` +
        `    <x:row r="1"><x:c t="s" r="A1"><x:v>0</x:v></x:c><x:c r="B1" t="s"><x:v>1</x:v></x:c></x:row>\n` +
        `    <x:row r = "3"><x:c r = 'A3' t = "inlineStr"><x:is><x:t>噪声 &amp; &#x6270;民</x:t></x:is></x:c><x:c r="B3" t="str"><x:v><![CDATA[<停水> & 停电]]></x:v></x:c></x:row>\n` +
        `    <x:row><x:c t="s"><x:v>2</x:v></x:c><x:c t="n"><x:v>12.5</x:v></x:c></x:row>\n` +
        `  </x:sheetData>\n</x:worksheet>`,
    });
    const { source, csv } = await read(path);
    expect(source).toMatchObject({ headers: ['编号', '诉求内容'], records: 2, sheet: '工单', rejected: [] });
    // (the reading guide そきゅう is not part of the text; the row without a number follows row 3)
    expect(csv.trimEnd().split('\n').slice(1)).toEqual(['3,噪声 & 扰民,<停水> & 停电', '4,停水 ,12.5']);
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
