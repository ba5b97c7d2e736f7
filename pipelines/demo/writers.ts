import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { closeSync, openSync, readFileSync, renameSync, writeFileSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/**
 * Writers for the demo exports. Each file is written under a hidden `.name.part` and renamed when
 * complete, so an inbox watcher never picks up half a file.
 */

const partPath = (path: string) => join(dirname(path), `.${basename(path)}.part`);

export type Cell = string | number | null;

/** Flush to disk once this many bytes are buffered. */
const CHUNK_BYTES = 1 << 20;

/** Unicode → GBK code (high byte << 8 | low byte) for the BMP, built once from iconv-lite. */
let gbkTable: Uint16Array | null = null;
function gbk(): Uint16Array {
  if (!gbkTable) {
    gbkTable = new Uint16Array(65536);
    for (let c = 0x80; c < 0x10000; c++) {
      if (c >= 0xd800 && c < 0xe000) continue;
      const bytes = iconv.encode(String.fromCharCode(c), 'gbk');
      if (bytes.length === 2) gbkTable[c] = (bytes[0] << 8) | bytes[1];
    }
  }
  return gbkTable;
}

/**
 * A CSV file in GBK (as Windows-era platforms export) or UTF-8, encoded field by field straight
 * into a byte buffer: a million-row export never exists as one string. GBK bytes are those of
 * iconv-lite (characters GBK lacks become "?", as iconv-lite writes them).
 */
export class CsvWriter {
  readonly path: string;
  rows = 0;
  private readonly fd: number;
  private readonly table: Uint16Array | null;
  private readonly eol: string;
  private buffer = Buffer.allocUnsafe(CHUNK_BYTES + 65536);
  private length = 0;

  constructor(path: string, headers: readonly string[], format: { encoding: 'gbk' | 'utf8'; eol: '\r\n' | '\n'; bom?: boolean }) {
    this.path = path;
    this.table = format.encoding === 'gbk' ? gbk() : null;
    this.eol = format.eol;
    this.fd = openSync(partPath(path), 'w');
    if (format.bom && !this.table) this.text('\ufeff');
    this.line(headers);
  }

  write(values: readonly Cell[]): void {
    this.rows++;
    this.line(values);
  }

  private line(values: readonly Cell[]): void {
    for (let i = 0; i < values.length; i++) {
      if (i > 0) this.byte(44);
      const value = values[i];
      if (value === null || value === '') continue;
      const text = typeof value === 'number' ? String(value) : value;
      if (needsQuotes(text)) {
        this.byte(34);
        this.text(text.includes('"') ? text.replaceAll('"', '""') : text);
        this.byte(34);
      } else this.text(text);
    }
    this.text(this.eol);
    if (this.length >= CHUNK_BYTES) this.flush();
  }

  private byte(b: number): void {
    if (this.length >= this.buffer.length) this.grow(1);
    this.buffer[this.length++] = b;
  }

  private text(text: string): void {
    // At most 3 bytes per UTF-16 unit in either encoding.
    if (this.length + text.length * 3 > this.buffer.length) this.grow(text.length * 3);
    if (!this.table) {
      this.length += this.buffer.write(text, this.length, 'utf8');
      return;
    }
    const out = this.buffer;
    const table = this.table;
    let at = this.length;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c < 0x80) out[at++] = c;
      else {
        const code = table[c];
        if (code) {
          out[at++] = code >> 8;
          out[at++] = code & 0xff;
        } else out[at++] = 0x3f;
      }
    }
    this.length = at;
  }

  private grow(extra: number): void {
    const bigger = Buffer.allocUnsafe(Math.max(this.buffer.length * 2, this.length + extra + 1024));
    this.buffer.copy(bigger, 0, 0, this.length);
    this.buffer = bigger;
  }

  private flush(): void {
    if (this.length) writeSync(this.fd, this.buffer, 0, this.length);
    this.length = 0;
  }

  close(): void {
    this.flush();
    closeSync(this.fd);
    renameSync(partPath(this.path), this.path);
  }
}

function needsQuotes(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 34 || c === 44 || c === 10 || c === 13) return true;
  }
  return false;
}

export type XlsxCell = string | number | Date | null;

/**
 * One sheet streamed into an .xlsx workbook. Dates are written as real Excel date cells. The zip
 * entries and document properties carry the export time instead of the clock, so the same data
 * gives the same bytes.
 */
export class XlsxWriter {
  readonly path: string;
  rows = 0;
  private readonly workbook: ExcelJS.stream.xlsx.WorkbookWriter;
  private readonly sheet: ExcelJS.Worksheet;
  private readonly dateColumns: boolean[];

  constructor(
    path: string,
    sheetName: string,
    headers: readonly string[],
    private readonly exportedAt: Date,
  ) {
    this.path = path;
    this.workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: partPath(path), useStyles: true, useSharedStrings: false });
    this.workbook.creator = '12345政务服务便民热线';
    this.workbook.lastModifiedBy = '12345政务服务便民热线';
    this.workbook.created = exportedAt;
    this.workbook.modified = exportedAt;
    this.sheet = this.workbook.addWorksheet(sheetName);
    this.dateColumns = headers.map((h) => /时间/.test(h));
    this.sheet.columns = headers.map((header, i) => ({ header, key: `c${i}`, width: this.dateColumns[i] ? 20 : header.includes('描述') ? 60 : 16 }));
  }

  write(values: readonly XlsxCell[]): void {
    this.rows++;
    const row = this.sheet.addRow(values.map((v) => (v === null ? undefined : v)));
    values.forEach((value, i) => {
      if (value instanceof Date) row.getCell(i + 1).numFmt = 'yyyy-mm-dd hh:mm:ss';
    });
    row.commit();
  }

  async close(): Promise<void> {
    this.sheet.commit();
    await this.workbook.commit();
    const part = partPath(this.path);
    writeFileSync(part, stampZipEntries(readFileSync(part), this.exportedAt));
    renameSync(part, this.path);
  }
}

/**
 * Sets the modification time of every entry of a zip archive (local headers and central
 * directory) to `when` (read as UTC wall-clock), in place. The archiver stamps entries with the
 * current time, which would make two identical exports differ.
 */
export function stampZipEntries(zip: Buffer, when: Date): Buffer {
  const dosTime = (when.getUTCHours() << 11) | (when.getUTCMinutes() << 5) | (when.getUTCSeconds() >> 1);
  const dosDate = ((when.getUTCFullYear() - 1980) << 9) | ((when.getUTCMonth() + 1) << 5) | when.getUTCDate();
  let end = zip.length - 22;
  while (end >= 0 && zip.readUInt32LE(end) !== 0x06054b50) end--;
  if (end < 0) throw new Error('not a zip archive: no end-of-central-directory record');
  const entries = zip.readUInt16LE(end + 10);
  let at = zip.readUInt32LE(end + 16);
  for (let i = 0; i < entries; i++) {
    if (zip.readUInt32LE(at) !== 0x02014b50) throw new Error('damaged zip central directory');
    zip.writeUInt16LE(dosTime, at + 12);
    zip.writeUInt16LE(dosDate, at + 14);
    const local = zip.readUInt32LE(at + 42);
    if (zip.readUInt32LE(local) !== 0x04034b50) throw new Error('damaged zip local header');
    zip.writeUInt16LE(dosTime, local + 10);
    zip.writeUInt16LE(dosDate, local + 12);
    at += 46 + zip.readUInt16LE(at + 28) + zip.readUInt16LE(at + 30) + zip.readUInt16LE(at + 32);
  }
  return zip;
}
