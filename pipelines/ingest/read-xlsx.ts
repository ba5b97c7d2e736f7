import { closeSync, createReadStream, fstatSync, openSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createInflateRaw } from 'node:zlib';
import { csvRelation, HEADER_LOOKAHEAD, headerRowIndex, NormalisedWriter, PREVIEW_CHARS, RefusedFile, type ReadOptions, type RejectedRecord, type SourceTable } from './source.js';

/**
 * A streaming .xlsx reader: the workbook's ZIP entries are inflated as streams and the sheet's
 * XML is parsed as it arrives, so a workbook of any size is read in one pass with memory for its
 * shared strings only. Only the texts kept are decoded, each whole (see the XML parser below).
 * Cells come out as text the way Excel shows their values: dates (number formats with y/m/d/h/s)
 * as `YYYY-MM-DD[ HH:MM:SS]`, numbers without float noise, formulas as their cached result. The
 * first non-empty row is the header; each row keeps its sheet row number.
 */

// ---------------------------------------------------------------------------------------------
// ZIP: the central directory tells where each entry's data lies.

interface ZipEntry {
  name: string;
  method: number;
  compressedSize: number;
  offset: number;
}

class DamagedWorkbook extends Error {}

function readAt(fd: number, position: number, length: number): Buffer {
  const buffer = Buffer.alloc(length);
  const read = readSync(fd, buffer, 0, length, position);
  return buffer.subarray(0, read);
}

function zipEntries(path: string): Map<string, ZipEntry> {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    const tail = readAt(fd, Math.max(0, size - 65557), Math.min(size, 65557));
    const end = tail.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
    if (end < 0 || end + 22 > tail.length) throw new DamagedWorkbook('no end of central directory');
    const count = tail.readUInt16LE(end + 10);
    const directorySize = tail.readUInt32LE(end + 12);
    const directoryOffset = tail.readUInt32LE(end + 16);
    if (directoryOffset === 0xffffffff || count === 0xffff) throw new DamagedWorkbook('ZIP64 workbooks (over 4 GB) are not supported');
    const directory = readAt(fd, directoryOffset, directorySize);
    const entries = new Map<string, ZipEntry>();
    for (let at = 0, n = 0; n < count; n++) {
      if (directory.readUInt32LE(at) !== 0x02014b50) throw new DamagedWorkbook('damaged central directory');
      const method = directory.readUInt16LE(at + 10);
      const compressedSize = directory.readUInt32LE(at + 20);
      const nameLength = directory.readUInt16LE(at + 28);
      const extraLength = directory.readUInt16LE(at + 30);
      const commentLength = directory.readUInt16LE(at + 32);
      const local = directory.readUInt32LE(at + 42);
      const name = directory.subarray(at + 46, at + 46 + nameLength).toString('utf8');
      const header = readAt(fd, local, 30);
      if (header.length < 30 || header.readUInt32LE(0) !== 0x04034b50) throw new DamagedWorkbook(`damaged entry ${name}`);
      const offset = local + 30 + header.readUInt16LE(26) + header.readUInt16LE(28);
      if (offset + compressedSize > size) throw new DamagedWorkbook(`entry ${name} is cut off`);
      entries.set(name.replace(/^\//, ''), { name, method, compressedSize, offset });
      at += 46 + nameLength + extraLength + commentLength;
    }
    return entries;
  } finally {
    closeSync(fd);
  }
}

/** The bytes of one entry, chunk by chunk (inflated). */
async function* entryBytes(path: string, entry: ZipEntry): AsyncGenerator<Buffer> {
  if (entry.compressedSize === 0) return;
  const raw = createReadStream(path, { start: entry.offset, end: entry.offset + entry.compressedSize - 1, highWaterMark: 1 << 20 });
  let stream: AsyncIterable<Buffer> = raw;
  if (entry.method === 8) stream = raw.pipe(createInflateRaw({ chunkSize: 1 << 18 }));
  else if (entry.method !== 0) throw new DamagedWorkbook(`unsupported compression ${entry.method} in ${entry.name}`);
  yield* stream;
}

// ---------------------------------------------------------------------------------------------
// XML: a small push parser for the parts of SpreadsheetML we read (elements, attributes, text).
// It works on the entry's bytes and hands over positions in them, not strings: a sheet of
// 200,000 rows has millions of tags, nearly all ASCII, and only the texts a handler keeps are
// decoded (UTF-8, entities). A text is handed over whole, never cut inside a character: the
// bytes after the last tag of a chunk wait for the next one.

interface XmlHandler {
  /** An element opens; its attributes are the bytes of `source` from `from` to `to` (see `readRefAttributes`). */
  open(name: string, source: Buffer, from: number, to: number, empty: boolean): void;
  close(name: string): void;
  /** Character data: `source` from `start` to `end`, entities not decoded yet unless `cdata` (see `textAt`). */
  text(source: Buffer, start: number, end: number, cdata: boolean): void;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decodeEntities(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-z]+);/g, (whole, code: string) => {
    if (code[0] !== '#') return ENTITIES[code] ?? whole;
    const point = code[1] === 'x' ? Number.parseInt(code.slice(2), 16) : Number.parseInt(code.slice(1), 10);
    return Number.isFinite(point) ? String.fromCodePoint(point) : whole;
  });
}

/** The text a handler was handed, decoded: UTF-8, then its entities (not in a CDATA section). */
function textAt(source: Buffer, start: number, end: number, cdata: boolean): string {
  const text = source.toString('utf8', start, end);
  return cdata ? text : decodeEntities(text);
}

function localName(name: string): string {
  const colon = name.indexOf(':');
  return colon < 0 ? name : name.slice(colon + 1);
}

const LT = 0x3c;
const GT = 0x3e;
const SLASH = 0x2f;
const COLON = 0x3a;
const isSpace = (byte: number) => byte === 32 || byte === 9 || byte === 10 || byte === 13;
/** One-character names (c, v, t, r …) as shared strings: no string is made for them. */
const ONE_CHARACTER = Array.from({ length: 128 }, (_, code) => String.fromCharCode(code));

/** An element's local name from `source` between start and end (white space around it and a prefix dropped). */
function nameAt(source: Buffer, start: number, end: number): string {
  while (start < end && isSpace(source[start])) start++;
  while (end > start && isSpace(source[end - 1])) end--;
  for (let i = start; i < end; i++) {
    if (source[i] === COLON) {
      start = i + 1;
      break;
    }
  }
  if (end - start === 1 && source[start] < 128) return ONE_CHARACTER[source[start]];
  if (end - start <= 3) {
    // (row, rPh, si …: short names, kept once each — up to a few hundred, whatever a file holds)
    const key = (end - start) * 0x1000000 + (source[start] << 16) + (source[start + 1] << 8) + (end - start === 3 ? source[start + 2] : 0);
    let name = SHORT_NAMES.get(key);
    if (name === undefined) {
      name = source.toString('utf8', start, end);
      if (SHORT_NAMES.size < 512) SHORT_NAMES.set(key, name);
    }
    return name;
  }
  return source.toString('utf8', start, end);
}

const SHORT_NAMES = new Map<number, string>();

/** The digits of `source` from start to end as a whole number, or undefined (empty, or not digits only). */
function digitsAt(source: Buffer, start: number, end: number): number | undefined {
  if (start === end || end - start > 15) return undefined;
  let value = 0;
  for (let i = start; i < end; i++) {
    const digit = source[i] - 48;
    if (digit < 0 || digit > 9) return undefined;
    value = value * 10 + digit;
  }
  return value;
}

/** A number read in place from `source` between start and end: plain digits, else as Number reads the decoded text. */
function numberAt(source: Buffer, start: number, end: number): number {
  return digitsAt(source, start, end) ?? Number(decodeEntities(source.toString('utf8', start, end)));
}

/**
 * The attributes r, t and s of a row or cell element, found in one pass over its bytes (`source`
 * from `from` to `to`; a prefix ignored, white space around `=` allowed): each value's start and
 * end, start -1 when absent. A sheet has an element for every cell, and three searches of its few
 * bytes, one per attribute, were a tenth of the reading.
 */
const refAttributes = { r: -1, rEnd: 0, t: -1, tEnd: 0, s: -1, sEnd: 0 };

function readRefAttributes(source: Buffer, from: number, to: number): typeof refAttributes {
  const found = refAttributes;
  found.r = found.t = found.s = -1;
  let at = from;
  while (at < to) {
    while (at < to && isSpace(source[at])) at++;
    let nameStart = at;
    while (at < to && source[at] !== 0x3d /* = */ && !isSpace(source[at])) {
      if (source[at] === COLON) nameStart = at + 1;
      at++;
    }
    const single = at - nameStart === 1 ? source[nameStart] : 0;
    while (at < to && source[at] !== 0x22 && source[at] !== 0x27) at++; // to the opening quote
    if (at >= to) break;
    const start = at + 1;
    let end = source.indexOf(source[at], start);
    if (end < 0 || end > to) end = to;
    if (single === 0x72 /* r */ && found.r < 0) {
      found.r = start;
      found.rEnd = end;
    } else if (single === 0x74 /* t */ && found.t < 0) {
      found.t = start;
      found.tEnd = end;
    } else if (single === 0x73 /* s */ && found.s < 0) {
      found.s = start;
      found.sEnd = end;
    }
    at = end + 1;
  }
  return found;
}

/** A cell's type (the value of `t` between start and end), the common ones without decoding: s, str, n, b, e, d. */
function typeAt(source: Buffer, start: number, end: number): string {
  const first = source[start];
  if (end - start === 1 && (first === 0x73 || first === 0x6e || first === 0x62 || first === 0x65 || first === 0x64)) return ONE_CHARACTER[first];
  if (end - start === 3 && first === 0x73 && source[start + 1] === 0x74 && source[start + 2] === 0x72) return 'str';
  return decodeEntities(source.toString('utf8', start, end));
}

/** Parses XML bytes fed in chunks, calling the handler as elements open and close. */
class XmlParser {
  private rest: Buffer | null = null;

  constructor(private readonly handler: XmlHandler) {}

  feed(chunk: Buffer): void {
    const source = this.rest ? Buffer.concat([this.rest, chunk]) : chunk;
    const handler = this.handler;
    let at = 0;
    for (;;) {
      const lt = source.indexOf(LT, at);
      if (lt < 0) break; // (the text after the last tag waits: it may end inside a character)
      if (lt > at) handler.text(source, at, lt, false);
      at = lt;
      const next = source[at + 1];
      if (next === 0x21 /* ! */ || next === 0x3f /* ? */) {
        if (source.subarray(at, at + 9).toString('latin1') === '<![CDATA[') {
          const end = source.indexOf(']]>', at, 'latin1');
          if (end < 0) break;
          handler.text(source, at + 9, end, true);
          at = end + 3;
          continue;
        }
        // a comment, a processing instruction or a declaration: skipped
        if (at + 9 > source.length && next === 0x21) break; // (not known yet whether a CDATA section starts)
        const closer = next === 0x3f ? '?>' : source.subarray(at, at + 4).toString('latin1') === '<!--' ? '-->' : '>';
        const end = source.indexOf(closer, at, 'latin1');
        if (end < 0) break;
        at = end + closer.length;
        continue;
      }
      const end = source.indexOf(GT, at);
      if (end < 0) break;
      if (next === SLASH) handler.close(nameAt(source, at + 2, end));
      else {
        const empty = source[end - 1] === SLASH;
        const stop = empty ? end - 1 : end;
        let space = at + 1;
        while (space < stop && !isSpace(source[space])) space++;
        const name = nameAt(source, at + 1, space);
        handler.open(name, source, space, stop, empty);
        if (empty) handler.close(name);
      }
      at = end + 1;
    }
    // (a copy: the chunk's memory is not ours to keep)
    this.rest = at < source.length ? Buffer.from(source.subarray(at)) : null;
  }
}

/** Feeds an entry's text to the handler; `onChunk` runs after each chunk (to flush output). */
async function parseEntry(path: string, entry: ZipEntry, handler: XmlHandler, onChunk?: () => Promise<void>): Promise<void> {
  const parser = new XmlParser(handler);
  for await (const chunk of entryBytes(path, entry)) {
    parser.feed(chunk);
    await onChunk?.();
  }
}

// ---------------------------------------------------------------------------------------------
// The workbook: sheets, shared strings, which styles are dates.

/** Every attribute of an element, for the small parts (workbook, relations, styles). */
function parseAttributes(text: string): Record<string, string> {
  const attributes: Record<string, string> = {};
  for (const match of text.matchAll(/([^\s=]+)\s*=\s*("([^"]*)"|'([^']*)')/g)) attributes[localName(match[1])] = decodeEntities(match[3] ?? match[4] ?? '');
  return attributes;
}

/** Built-in number formats that show a date or a time (incl. the CJK ones 27–36, 50–58). */
const DATE_FORMAT_IDS = new Set([14, 15, 16, 17, 18, 19, 20, 21, 22, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 45, 46, 47, 50, 51, 52, 53, 54, 55, 56, 57, 58]);

function isDateFormat(code: string): boolean {
  const bare = code.replace(/\[[^\]]*\]|"[^"]*"|\\./g, '');
  return /[ymdhs]/i.test(bare) && !/^[#0.,%\s]*$/.test(bare);
}

async function textOf(path: string, entries: Map<string, ZipEntry>, name: string): Promise<string | null> {
  const entry = entries.get(name);
  if (!entry) return null;
  const chunks: Buffer[] = [];
  for await (const chunk of entryBytes(path, entry)) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

async function sharedStrings(path: string, entries: Map<string, ZipEntry>): Promise<string[]> {
  const entry = entries.get('xl/sharedStrings.xml');
  const strings: string[] = [];
  if (!entry) return strings;
  let current: string | null = null;
  let inText = false;
  let phonetic = 0; // <rPh> holds a reading guide, not part of the text
  await parseEntry(path, entry, {
    open(name, _source, _from, _to, empty) {
      if (name === 'si') current = '';
      else if (name === 'rPh') phonetic++;
      else if (name === 't') inText = !empty;
    },
    close(name) {
      if (name === 'si') {
        strings.push(current ?? '');
        current = null;
      } else if (name === 'rPh') phonetic--;
      else if (name === 't') inText = false;
    },
    text(source, start, end, cdata) {
      if (inText && phonetic === 0 && current !== null) current += textAt(source, start, end, cdata);
    },
  });
  return strings;
}

/** Per cell style index: whether its number format shows a date. */
async function dateStyles(path: string, entries: Map<string, ZipEntry>): Promise<boolean[]> {
  const xml = await textOf(path, entries, 'xl/styles.xml');
  if (!xml) return [];
  const custom = new Map<number, string>();
  for (const match of xml.matchAll(/<(?:\w+:)?numFmt\b([^>]*)\/?>/g)) {
    const attributes = parseAttributes(match[1]);
    custom.set(Number(attributes.numFmtId), attributes.formatCode ?? '');
  }
  const cellXfs = /<(?:\w+:)?cellXfs\b[^>]*>([\s\S]*?)<\/(?:\w+:)?cellXfs>/.exec(xml)?.[1] ?? '';
  return [...cellXfs.matchAll(/<(?:\w+:)?xf\b([^>]*?)\/?>/g)].map((match) => {
    const id = Number(parseAttributes(match[1]).numFmtId ?? 0);
    return custom.has(id) ? isDateFormat(custom.get(id)!) : DATE_FORMAT_IDS.has(id);
  });
}

interface SheetRef {
  name: string;
  entry: string;
}

async function sheetList(path: string, entries: Map<string, ZipEntry>): Promise<{ sheets: SheetRef[]; date1904: boolean }> {
  const workbook = await textOf(path, entries, 'xl/workbook.xml');
  if (!workbook) throw new DamagedWorkbook('no xl/workbook.xml');
  const relations = (await textOf(path, entries, 'xl/_rels/workbook.xml.rels')) ?? '';
  const targets = new Map<string, string>();
  for (const match of relations.matchAll(/<(?:\w+:)?Relationship\b([^>]*)\/?>/g)) {
    const attributes = parseAttributes(match[1]);
    targets.set(attributes.Id, attributes.Target);
  }
  const sheets: SheetRef[] = [];
  for (const match of workbook.matchAll(/<(?:\w+:)?sheet\b([^>]*)\/?>/g)) {
    const attributes = parseAttributes(match[1]);
    const target = targets.get(attributes.id) ?? '';
    const entry = target.startsWith('/') ? target.slice(1) : `xl/${target}`.replace(/\/\.\//g, '/');
    sheets.push({ name: attributes.name, entry });
  }
  const properties = /<(?:\w+:)?workbookPr\b([^>]*)\/?>/.exec(workbook);
  const date1904 = properties ? ['1', 'true'].includes(parseAttributes(properties[1]).date1904 ?? '') : false;
  return { sheets, date1904 };
}

/** Excel's wall-clock dates: a serial day number, rounded to whole seconds (float noise). */
function serialDate(serial: number, date1904: boolean): string {
  const ms = Math.round((serial - (date1904 ? -1462 : 0) - 25569) * 86400) * 1000;
  const iso = new Date(ms).toISOString();
  return iso.endsWith('T00:00:00.000Z') ? iso.slice(0, 10) : `${iso.slice(0, 10)} ${iso.slice(11, 19)}`;
}

function numberText(value: number): string {
  return Number.isInteger(value) ? String(value) : String(Math.round(value * 1e9) / 1e9);
}

/** The column of a cell reference (`AB12` → 27), read in place from `source` between start and end. */
function columnAt(source: Buffer, start: number, end: number): number {
  let index = 0;
  for (let i = start; i < end; i++) {
    const code = source[i];
    if (code < 65 || code > 90) break;
    index = index * 26 + (code - 64);
  }
  return index - 1;
}

type SheetRow = { number: number; values: string[] };

/** Reads one sheet, handing each row (sheet row number, cell texts by column, '' when empty) to `onRow`. */
async function readSheet(
  path: string,
  entry: ZipEntry,
  book: { strings: string[]; dates: boolean[]; date1904: boolean },
  onRow: (row: SheetRow) => void,
  onChunk: () => Promise<void>,
): Promise<void> {
  let row: string[] | null = null;
  let rowNumber = 0;
  let column = -1;
  let type = 'n';
  let style = 0;
  let value: string | null = null;
  let inline = '';
  let reading: 'v' | 't' | null = null;
  let inInline = false;
  await parseEntry(
    path,
    entry,
    {
      open(name, source, from, to, empty) {
        switch (name) {
          case 'row': {
            row = [];
            const { r, rEnd } = readRefAttributes(source, from, to);
            rowNumber = r < 0 || rEnd === r ? rowNumber + 1 : numberAt(source, r, rEnd);
            column = -1;
            break;
          }
          case 'c': {
            const { r, rEnd, t, tEnd, s, sEnd } = readRefAttributes(source, from, to);
            column = r >= 0 && rEnd > r ? columnAt(source, r, rEnd) : column + 1;
            type = t >= 0 ? typeAt(source, t, tEnd) : 'n';
            style = s < 0 ? 0 : numberAt(source, s, sEnd);
            value = null;
            inline = '';
            break;
          }
          case 'v':
            reading = empty ? null : 'v';
            value = '';
            break;
          case 'is':
            inInline = true;
            break;
          case 't':
            if (inInline && !empty) reading = 't';
            break;
        }
      },
      text(source, start, end, cdata) {
        if (reading === 'v') {
          // A shared string's index is read in place, and the cell takes the string itself.
          const index = type === 's' && value === '' && !cdata ? digitsAt(source, start, end) : undefined;
          if (index !== undefined) {
            type = 'str';
            value = book.strings[index] ?? '';
          } else value += textAt(source, start, end, cdata);
        } else if (reading === 't') inline += textAt(source, start, end, cdata);
      },
      close(name) {
        switch (name) {
          case 'v':
          case 't':
            reading = null;
            break;
          case 'is':
            inInline = false;
            break;
          case 'c': {
            if (!row) break;
            const text = cellText(type, value, inline, style, book);
            while (row.length < column) row.push('');
            row[column] = text;
            break;
          }
          case 'row':
            if (row) onRow({ number: rowNumber, values: row });
            row = null;
            break;
        }
      },
    },
    onChunk,
  );
}

/** A cell's value as the text Excel shows (dates by their number format, numbers without float noise). */
function cellText(type: string, value: string | null, inline: string, style: number, book: { strings: string[]; dates: boolean[]; date1904: boolean }): string {
  if (type === 'inlineStr') return inline;
  if (value === null) return '';
  switch (type) {
    case 's':
      return book.strings[Number(value)] ?? '';
    case 'str':
      return value;
    case 'b':
      return value === '1' ? 'true' : 'false';
    case 'e':
      return '';
    case 'd':
      return value.replace('T', ' ').replace(/(\.\d+)?Z?$/, '').replace(/ 00:00:00$/, '');
  }
  if (value === '') return '';
  const number = Number(value);
  if (Number.isNaN(number)) return value;
  return book.dates[style] ? serialDate(number, book.date1904) : numberText(number);
}

export async function readXlsx(path: string, options: ReadOptions): Promise<SourceTable> {
  // (set inside the row callback: typed so that the compiler does not narrow them to null)
  let headers = null as string[] | null;
  let writer = null as NormalisedWriter | null;
  let chosen: string | null = null;
  const rejected: RejectedRecord[] = [];
  let records = 0;
  let preamble: string[] = [];
  let seen: string[] = [];
  try {
    const entries = zipEntries(path);
    const { sheets, date1904 } = await sheetList(path, entries);
    seen = sheets.map((s) => s.name);
    if (options.sheet && !seen.includes(options.sheet)) throw new RefusedFile(`${path}: 没有名为“${options.sheet}”的工作表；现有：${seen.join('、')} / no sheet named ${options.sheet}`);
    const book = { strings: await sharedStrings(path, entries), dates: await dateStyles(path, entries), date1904 };
    for (const sheet of sheets) {
      if (options.sheet && sheet.name !== options.sheet) continue;
      const entry = entries.get(sheet.entry);
      if (!entry) throw new DamagedWorkbook(`missing ${sheet.entry}`);
      // The first non-empty rows wait until the header is known: it is the first of them that is
      // nearly as full as the fullest (headerRowIndex), so a title or 导出时间 row above it is skipped.
      const waiting: SheetRow[] = [];
      const settleHeader = () => {
        const filled = waiting.map((row) => row.values.filter((v) => v.trim() !== '').length);
        const at = headerRowIndex(filled);
        preamble = waiting.slice(0, at).map((row) => row.values.filter((v) => v.trim() !== '').map((v) => v.trim()).join(' '));
        headers = waiting[at].values.map((h) => h.replace(/[\s\u3000]+/g, ' ').trim());
        writer = new NormalisedWriter(join(options.workDir, 'normalised.csv'), headers);
        for (const row of waiting.slice(at + 1)) take(row);
        waiting.length = 0;
      };
      const onRow = (row: SheetRow) => {
        if (!row.values.some((v) => v.trim() !== '')) return;
        if (headers === null) {
          waiting.push({ number: row.number, values: [...row.values] });
          if (waiting.length >= HEADER_LOOKAHEAD) settleHeader();
          return;
        }
        take(row);
      };
      const take = ({ number, values }: SheetRow) => {
        const names = headers!;
        records++;
        const fields = names.map((_, i) => values[i] ?? '');
        const extra = values.slice(names.length).filter((v) => v.trim() !== '');
        if (extra.length) {
          rejected.push({ row: number, reason: `第 ${number} 行在表头之外还有 ${extra.length} 个非空单元格 / ${extra.length} non-empty cells beyond the header's columns`, fields: values.map((v) => v.slice(0, PREVIEW_CHARS)) });
          return;
        }
        // (a character takes at most 3 bytes in UTF-8, a surrogate pair 4 for its 2: only a cell
        // that could be too long is measured)
        const tooLong = fields.findIndex((f) => f.length * 3 > options.maxFieldBytes && Buffer.byteLength(f) > options.maxFieldBytes);
        if (tooLong >= 0) {
          rejected.push({ row: number, reason: `单元格“${names[tooLong]}”超过上限 ${options.maxFieldBytes} 字节 / cell "${names[tooLong]}" over the size limit`, fields: fields.map((f) => f.slice(0, PREVIEW_CHARS)) });
          return;
        }
        writer!.append(number, fields);
      };
      await readSheet(path, entry, book, onRow, async () => {
        await writer?.flushIfFull();
      });
      if (headers === null && waiting.length) settleHeader();
      if (headers !== null) {
        chosen = sheet.name;
        break; // the first sheet with data (or the named one)
      }
    }
  } catch (error) {
    writer?.destroy();
    if (error instanceof RefusedFile) throw error;
    throw new RefusedFile(`${path}: 无法读取 Excel 文件（${(error as Error).message}）——文件可能损坏或被截断 / cannot read the workbook: damaged or truncated?`);
  }
  if (!writer || !headers) throw new RefusedFile(`${path}: 工作簿中没有任何数据 / the workbook has no data`);
  await writer.close();
  return {
    format: 'xlsx', encoding: null, headers, relation: csvRelation(writer.file, headers.length, { numbered: true }), numbered: true,
    rejected, records, sheet: chosen ?? undefined, bytes: statSync(path).size, preamble,
  };
}
