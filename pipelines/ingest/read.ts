import { createReadStream, createWriteStream, openSync, readSync, closeSync, statSync, type WriteStream } from 'node:fs';
import { isUtf8 } from 'node:buffer';
import { extname } from 'node:path';
import { once } from 'node:events';
import { CliError } from '../cli-error.js';

/**
 * The reading layer: turns an export file of any supported format and encoding into a
 * normalised UTF-8 CSV (`__row` + the original columns) that DuckDB reads with fixed options.
 * Structural problems (wrong number of fields, a field too large, a truncated quote) are found
 * here and reported as rejected records with their line; the rest of the file still loads.
 */

export type Format = 'csv' | 'xlsx' | 'json' | 'ndjson' | 'parquet';
export type Encoding = 'utf-8' | 'utf-8-bom' | 'utf-16le' | 'utf-16be' | 'gb18030';

/** A file that cannot be read at all: refused as a whole, with the reason. */
export class RefusedFile extends CliError {}

export interface RejectedRecord {
  row: number;
  reason: string;
  /** Field values (truncated previews), used for the quarantine record after masking. */
  fields: string[];
  /**
   * Fields from this index on may hold text of other columns (an unclosed quote, an oversized
   * field): the quarantine record does not show them when a personal column could be among them.
   */
  trustedFields?: number;
}

export interface SourceTable {
  format: Format;
  encoding: Encoding | null;
  headers: string[];
  /** A DuckDB table function call that yields `__row` then one VARCHAR column per header, named c0…cN. */
  relation: string;
  rejected: RejectedRecord[];
  /** The relation reads the original file; `__row` is then the row order + 2 (header on line 1). */
  inPlace?: boolean;
  /** Data records seen (good + rejected), empty rows not counted. */
  records: number;
  sheet?: string;
}

export interface ReadOptions {
  format?: Format;
  encoding?: Encoding;
  sheet?: string;
  maxFieldBytes: number;
  /** Folder for the normalised copy; the caller deletes it. */
  workFile: string;
  onProgress?: (bytesDone: number, bytesTotal: number) => void;
  /** Fed with the file's raw bytes by the first CSV pass, so the file is not read twice for its hash. */
  onRawChunk?: (chunk: Buffer) => void;
}

const PREVIEW_CHARS = 200;

export function detectFormat(path: string, head: Buffer): Format {
  const ext = extname(path).toLowerCase();
  if (head.subarray(0, 4).toString('latin1') === 'PAR1') return 'parquet';
  if (head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04) {
    if (ext === '.xlsx' || ext === '.xlsm' || ext === '') return 'xlsx';
    throw new RefusedFile(`${path}: 这是一个 ZIP 压缩文件而不是 ${ext} 文件 / a ZIP archive, not a ${ext} file`);
  }
  if (ext === '.xls' && head[0] === 0xd0 && head[1] === 0xcf) {
    throw new RefusedFile(`${path}: 旧版 Excel 97-2003 (.xls) 格式不受支持，请在 Excel 中另存为 .xlsx / the old .xls format is not supported; save it as .xlsx`);
  }
  if (ext === '.parquet') return 'parquet';
  if (ext === '.xlsx') return 'xlsx';
  if (ext === '.ndjson' || ext === '.jsonl') return 'ndjson';
  if (ext === '.json') return 'json';
  return 'csv';
}

function readHead(path: string, bytes: number): Buffer {
  const fd = openSync(path, 'r');
  try {
    const buffer = Buffer.alloc(bytes);
    const read = readSync(fd, buffer, 0, bytes, 0);
    return buffer.subarray(0, read);
  } finally {
    closeSync(fd);
  }
}

/** Decides the text encoding from the bytes: BOMs, then strict UTF-8, then strict GB18030. */
export function detectEncoding(path: string, head: Buffer): Encoding {
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return 'utf-8-bom';
  if (head[0] === 0xff && head[1] === 0xfe) return 'utf-16le';
  if (head[0] === 0xfe && head[1] === 0xff) return 'utf-16be';
  const sample = head.subarray(0, 65536);
  const nul = sample.indexOf(0);
  if (nul >= 0) {
    // UTF-16 without a BOM: every other byte of ASCII text is NUL (judged on enough bytes only).
    let evenNul = 0;
    let oddNul = 0;
    for (let i = 0; i < Math.min(sample.length, 4096); i++) if (sample[i] === 0) (i % 2 ? oddNul++ : evenNul++);
    const half = Math.min(sample.length, 4096) / 2;
    if (half >= 16 && oddNul > half * 0.3 && evenNul < half * 0.05) return 'utf-16le';
    if (half >= 16 && evenNul > half * 0.3 && oddNul < half * 0.05) return 'utf-16be';
    throw new RefusedFile(`${path}: 不是文本文件（第 ${nul + 1} 字节是 NUL，像是二进制数据）/ not a text file (NUL byte at ${nul + 1})`);
  }
  // The sample may end inside a multi-byte character: drop up to 3 trailing bytes before testing.
  for (let cut = 0; cut <= 3 && cut < sample.length; cut++) if (isUtf8(sample.subarray(0, sample.length - cut))) return 'utf-8';
  // Plenty of Chinese text in valid UTF-8 before the first bad byte: a UTF-8 file with pieces in
  // another encoding (GBK bytes read as GB18030 would turn its UTF-8 part into garbage).
  const bad = firstInvalidUtf8(sample);
  const before = sample.subarray(0, bad).toString('utf8');
  if ([...before].filter((ch) => ch.charCodeAt(0) > 0x7f).length >= 4) {
    const line = before.split('\n').length;
    throw new RefusedFile(
      `${path}: 文件前 ${bad} 字节是 UTF-8，第 ${line} 行第 ${bad + 1} 字节起却不是——文件混用了编码（如 UTF-8 与 GBK）；整个文件未导入 / the file mixes encodings: UTF-8 up to byte ${bad}, then bytes that are not UTF-8 on line ${line}; nothing was loaded`,
    );
  }
  try {
    new TextDecoder('gb18030', { fatal: true }).decode(sample.subarray(0, lastNewline(sample)));
    return 'gb18030';
  } catch {
    throw new RefusedFile(`${path}: 无法识别文件编码——既不是 UTF-8/UTF-16，也不是 GBK/GB18030（第 ${bad + 1} 字节起不是 UTF-8）/ unknown text encoding (not UTF-8, UTF-16 or GBK/GB18030; not UTF-8 from byte ${bad + 1})`);
  }
}

function lastNewline(buffer: Buffer): number {
  const at = buffer.lastIndexOf(0x0a);
  return at > 0 ? at + 1 : buffer.length;
}

/** Reads any supported file into a SourceTable. Throws RefusedFile when nothing can be read. */
export async function readSource(path: string, options: ReadOptions): Promise<SourceTable> {
  const size = statSync(path).size;
  if (size === 0) throw new RefusedFile(`${path}: 文件为空 / the file is empty`);
  const head = readHead(path, 65536);
  const format = options.format ?? detectFormat(path, head);
  switch (format) {
    case 'parquet':
      return readParquet(path);
    case 'xlsx': {
      const { readXlsx } = await import('./read-xlsx.js');
      return readXlsx(path, options);
    }
    case 'json':
    case 'ndjson':
      return readJson(path, format, options);
    case 'csv':
      return readCsv(path, options.encoding ?? detectEncoding(path, head), size, options);
  }
}

function readParquet(path: string): SourceTable {
  // Column names come from the Parquet schema; the caller asks DuckDB for them.
  return { format: 'parquet', encoding: null, headers: [], relation: `read_parquet(${sqlString(path)}, file_row_number = true)`, rejected: [], records: 0 };
}

export function sqlString(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/** The DuckDB call that reads a normalised CSV written by NormalisedWriter. */
export function normalisedRelation(file: string, columnCount: number): string {
  const columns = [`'__row': 'BIGINT'`, ...Array.from({ length: columnCount }, (_, i) => `'c${i}': 'VARCHAR'`)].join(', ');
  return `read_csv(${sqlString(file)}, header = true, auto_detect = false, delim = ',', quote = '"', escape = '"', columns = {${columns}}, max_line_size = 67108864, buffer_size = 134217728, strict_mode = true)`;
}

/** Writes the normalised CSV: a `__row` column, then the fields, RFC 4180 quoted. */
export class NormalisedWriter {
  private readonly stream: WriteStream;
  private parts: string[] = [];
  private pending = 0;

  constructor(readonly file: string, headers: string[]) {
    this.stream = createWriteStream(file);
    this.parts.push(['__row', ...headers.map((_, i) => `c${i}`)].join(',') + '\n');
  }

  async write(row: number, fields: string[]): Promise<void> {
    let line = String(row);
    for (const field of fields) line += ',' + quoteField(field);
    this.parts.push(line + '\n');
    this.pending += line.length;
    if (this.pending > 1 << 22) await this.flush();
  }

  private async flush(): Promise<void> {
    if (!this.parts.length) return;
    const text = this.parts.join('');
    this.parts = [];
    this.pending = 0;
    if (!this.stream.write(text)) await once(this.stream, 'drain');
  }

  async close(): Promise<void> {
    await this.flush();
    this.stream.end();
    await once(this.stream, 'finish');
  }
}

function quoteField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

// ---------------------------------------------------------------------------------------------
// CSV: a byte-level, quote-aware scanner. Good records are copied through as bytes (with their
// starting line number prepended); only bad records are ever split into JS strings.

const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;

function sniffDelimiter(headerLine: string): number {
  const candidates = [',', '\t', ';', '|'];
  let best = ',';
  let bestCount = 0;
  for (const candidate of candidates) {
    const count = headerLine.split(candidate).length - 1;
    if (count > bestCount) {
      best = candidate;
      bestCount = count;
    }
  }
  return best.charCodeAt(0);
}

// Field states of the scanner. They follow DuckDB's reader (strict mode), so that every record the
// scanner passes is one DuckDB reads the same way: a quote opens a quoted field only at the start of
// a field (after optional spaces); inside an unquoted field it is an ordinary character; after a
// closing quote only spaces may follow before the delimiter or the line end; a CR must be part of CRLF.
const FIELD_START = 0;
const UNQUOTED = 1;
const QUOTED = 2;
const QUOTE_IN_QUOTED = 3; // a quote inside a quoted field: the closing one, or the first of ""
const CLOSED = 4; // spaces after the closing quote

const TEXT_AFTER_QUOTE = '结束引号后还有其他文字（字段中的引号应写成两个引号 ""）/ text after a closing quote (a quote inside a quoted field must be doubled)';
const LONE_CR = '字段中有单独的回车符（CR），不是 CRLF 换行 / a lone carriage return (CR) that is not part of a CRLF line ending';

/** Splits one record (bytes, no line ending) into fields by the scanner's rules; for headers and rejected records only. */
function splitRecord(bytes: Buffer, delimiter: number, maxChars = Infinity): string[] {
  const separator = String.fromCharCode(delimiter);
  const fields: string[] = [];
  let value = '';
  let state = FIELD_START;
  for (const ch of bytes.toString('utf8')) {
    if (state === QUOTED) {
      if (ch === '"') state = QUOTE_IN_QUOTED;
      else value += ch;
    } else if (ch === separator) {
      fields.push(value);
      value = '';
      state = FIELD_START;
    } else if (ch === '"' && state === FIELD_START) {
      value = ''; // spaces before the opening quote are not part of the value
      state = QUOTED;
    } else if (ch === '"' && state === QUOTE_IN_QUOTED) {
      value += '"';
      state = QUOTED;
    } else if (ch === ' ' && (state === QUOTE_IN_QUOTED || state === CLOSED)) {
      state = CLOSED;
    } else {
      value += ch;
      if (state !== FIELD_START || ch !== ' ') state = UNQUOTED;
    }
  }
  fields.push(value);
  return fields.map((field) => field.slice(0, maxChars));
}

/** Streams the file's bytes as UTF-8, transcoding and validating as needed. */
async function* utf8Chunks(path: string, encoding: Encoding, onBytes: (raw: Buffer) => void): AsyncGenerator<Buffer> {
  const stream = createReadStream(path, { highWaterMark: 1 << 22 });
  let offset = 0;
  if (encoding === 'utf-8' || encoding === 'utf-8-bom') {
    let carry = Buffer.alloc(0);
    let first = true;
    for await (const raw of stream as AsyncIterable<Buffer>) {
      onBytes(raw);
      let chunk = carry.length ? Buffer.concat([carry, raw]) : raw;
      if (first && chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) chunk = chunk.subarray(3);
      first = false;
      // Hold back an incomplete trailing character so each piece validates on its own.
      let end = chunk.length;
      for (let back = 1; back <= 3 && back <= chunk.length; back++) {
        const b = chunk[chunk.length - back];
        if ((b & 0xc0) === 0xc0) {
          end = chunk.length - back;
          break;
        }
        if ((b & 0x80) === 0) break;
      }
      const piece = chunk.subarray(0, end);
      carry = Buffer.from(chunk.subarray(end));
      if (!isUtf8(piece)) {
        const at = offset + firstInvalidUtf8(piece) + (encoding === 'utf-8-bom' ? 3 : 0);
        const line = lineOfByte(path, at, encoding);
        throw new RefusedFile(
          `${path}: 第 ${line} 行（第 ${at + 1} 字节）不是合法的 UTF-8，文件可能混用了编码；整个文件未导入 / invalid UTF-8 at byte ${at + 1} (line ${line}): the file mixes encodings; nothing was loaded`,
        );
      }
      offset += piece.length;
      yield piece;
    }
    if (carry.length) {
      if (!isUtf8(carry)) throw new RefusedFile(`${path}: 文件末尾是不完整的 UTF-8 字符（文件可能被截断）/ the file ends inside a UTF-8 character (truncated?)`);
      yield carry;
    }
    return;
  }
  const label = encoding === 'gb18030' ? 'gb18030' : encoding;
  const decoder = new TextDecoder(label, { fatal: true, ignoreBOM: false });
  for await (const raw of stream as AsyncIterable<Buffer>) {
    onBytes(raw);
    let text: string;
    try {
      text = decoder.decode(raw, { stream: true });
    } catch {
      const at = offset + firstUndecodable(raw, label);
      const line = lineOfByte(path, at, encoding);
      throw new RefusedFile(
        `${path}: 第 ${line} 行（第 ${at + 1} 字节）有无法按 ${encoding.toUpperCase()} 解码的字节；整个文件未导入 / bytes that are not valid ${encoding} at byte ${at + 1} (line ${line}); nothing was loaded`,
      );
    }
    offset += raw.length;
    if (text) yield Buffer.from(text, 'utf8');
  }
  let tail: string;
  try {
    tail = decoder.decode();
  } catch {
    // The last bytes start a character that never ends: the file was cut off.
    const line = lineOfByte(path, offset, encoding);
    throw new RefusedFile(
      `${path}: 文件末尾（第 ${line} 行）是不完整的 ${encoding.toUpperCase()} 字符，文件可能被截断；整个文件未导入 / the file ends inside a ${encoding} character on line ${line} (truncated?); nothing was loaded`,
    );
  }
  if (tail) yield Buffer.from(tail, 'utf8');
}

/** Offset in `raw` of the first byte the decoder rejects (a prefix that decodes stays decodable when cut shorter). */
function firstUndecodable(raw: Buffer, label: string): number {
  let good = 0;
  let bad = raw.length;
  while (bad - good > 1) {
    const middle = (good + bad) >> 1;
    try {
      new TextDecoder(label, { fatal: true }).decode(raw.subarray(0, middle), { stream: true });
      good = middle;
    } catch {
      bad = middle;
    }
  }
  return good;
}

/** The line (1-based) holding the file's byte `at`; only for error messages, so it re-reads the file. */
function lineOfByte(path: string, at: number, encoding: Encoding): number {
  const fd = openSync(path, 'r');
  const buffer = Buffer.alloc(1 << 20);
  let line = 1;
  try {
    for (let position = 0; position < at; ) {
      const read = readSync(fd, buffer, 0, Math.min(buffer.length, at - position), position);
      if (read <= 0) break;
      for (let i = 0; i < read; i++) {
        if (buffer[i] !== LF) continue;
        // In UTF-16 a line feed is 0A 00 (LE) or 00 0A (BE), on an even offset.
        const absolute = position + i;
        if (encoding === 'utf-16le' ? absolute % 2 === 0 && buffer[i + 1] === 0 : encoding === 'utf-16be' ? absolute % 2 === 1 && buffer[i - 1] === 0 : true) line++;
      }
      position += read;
    }
  } finally {
    closeSync(fd);
  }
  return line;
}

/** Offset of the first byte that breaks UTF-8 (only called once a chunk failed validation). */
function firstInvalidUtf8(buffer: Buffer): number {
  let i = 0;
  while (i < buffer.length) {
    const b = buffer[i];
    const length = b < 0x80 ? 1 : b >= 0xc2 && b < 0xe0 ? 2 : b >= 0xe0 && b < 0xf0 ? 3 : b >= 0xf0 && b < 0xf5 ? 4 : 0;
    if (length === 0 || !isUtf8(buffer.subarray(i, i + length))) return i;
    i += length;
  }
  return i;
}

/**
 * A plain UTF-8 file where every record is one line (no blank lines, no CR, nothing rejected) is
 * read by DuckDB in place, its line numbers being row order + 2; anything else is rewritten into
 * the normalised CSV with each record's starting line. The check pass costs a fraction of a copy.
 */
async function readCsv(path: string, encoding: Encoding, size: number, options: ReadOptions): Promise<SourceTable> {
  if (encoding === 'utf-8') {
    const check = await scanCsv(path, encoding, size, options, false);
    if (check.regular) {
      const columns = check.headers.map((_, i) => `'c${i}': 'VARCHAR'`).join(', ');
      return {
        format: 'csv',
        encoding,
        headers: check.headers,
        relation: `read_csv(${sqlString(path)}, header = true, auto_detect = false, delim = ${sqlString(String.fromCharCode(check.delimiter))}, quote = '"', escape = '"', columns = {${columns}}, max_line_size = 67108864, buffer_size = 134217728, strict_mode = true)`,
        inPlace: true,
        rejected: [],
        records: check.records,
      };
    }
  }
  const scan = await scanCsv(path, encoding, size, options, true);
  return {
    format: 'csv',
    encoding,
    headers: scan.headers,
    relation: normalisedRelation(options.workFile, scan.headers.length).replace(`delim = ','`, `delim = ${sqlString(String.fromCharCode(scan.delimiter))}`),
    rejected: scan.rejected,
    records: scan.records,
  };
}

/** Unclosed quotes the scanner recovers from before it gives up on the file (each costs a re-read). */
const MAX_QUOTE_RECOVERIES = 100;

async function scanCsv(path: string, encoding: Encoding, size: number, options: ReadOptions, write: boolean) {
  const rejected: RejectedRecord[] = [];
  let irregular = false;
  let done = 0;
  let firstPass = true;
  const hashing = !write || encoding !== 'utf-8' ? options.onRawChunk : undefined;
  const progress = (raw: Buffer) => {
    if (!firstPass) return; // a re-read after an unclosed quote is neither hashed nor counted again
    done += raw.length;
    hashing?.(raw);
    options.onProgress?.(done, write ? size * 2 : size);
  };
  const out = write ? createWriteStream(options.workFile) : null;
  let outParts: Buffer[] = [];
  let outBytes = 0;
  const flush = async () => {
    if (!out || !outParts.length) return;
    const data = Buffer.concat(outParts, outBytes);
    outParts = [];
    outBytes = 0;
    if (!out.write(data)) await once(out, 'drain');
  };
  const emit = (buffer: Buffer) => {
    if (!out) return;
    outParts.push(buffer);
    outBytes += buffer.length;
  };

  let headers: string[] | null = null;
  let delimiter = 0x2c;
  let expectedFields = 0;
  let records = 0;
  // Where a pass starts: 0 and line 1, or just after the line of a quote that never closed.
  let resumeAt = 0;
  let resumeLine = 1;
  let recoveries = 0;

  try {
    for (;;) {
      // Scanner state, carried across chunks. Positions are offsets in the UTF-8 stream.
      let line = resumeLine; // physical line of the current byte
      let recordLine = resumeLine; // line where the current record started
      let recordStartPos = resumeAt;
      let state = FIELD_START;
      let fields = 1;
      let fieldStart = resumeAt; // position of the current field's start
      let longestField = 0;
      let longestFieldIndex = 0;
      let position = 0; // position of chunk[0]
      let pending: Buffer[] = []; // bytes of the current record from earlier chunks
      let pendingBytes = 0;
      let recordHasContent = false;
      let malformed: string | null = null;
      let afterCr = false; // the previous byte was a CR outside quotes
      let quoteLine = 0; // line where the current quoted field opened
      let quoteFieldIndex = 0;
      let quoteLineEnd = -1; // position of the first LF inside the current quoted field

      const finishRecord = (record: Buffer) => {
        // Strip a trailing CR (CRLF files).
        const body = record.length && record[record.length - 1] === CR ? record.subarray(0, record.length - 1) : record;
        if (headers === null && !recordHasContent) {
          irregular = true;
          return; // blank lines above the header
        }
        if (headers === null) {
          const headerText = body.toString('utf8');
          delimiter = sniffDelimiter(headerText);
          if (/[\u0000-\u0008\u000e-\u001f\u007f\ufffd]/.test(headerText)) {
            throw new RefusedFile(`${path}: 第一行含有控制字符，不像文本表格（二进制文件或编码错误）/ the first line holds control characters: not a text table`);
          }
          if (malformed) throw new RefusedFile(`${path}: 表头行有误：${malformed}`);
          headers = splitRecord(body, delimiter).map((h) => h.replace(/^\uFEFF/, '').replace(/[\s\u3000]+/g, ' ').trim());
          expectedFields = headers.length;
          emit(Buffer.from(['__row', ...headers.map((_, i) => `c${i}`)].join(String.fromCharCode(delimiter)) + '\n'));
          return;
        }
        if (!recordHasContent) {
          irregular = true;
          return; // empty line, or only delimiters
        }
        records++;
        if (recordLine !== line || (record.length && record[record.length - 1] === CR)) irregular = true;
        if (longestField > options.maxFieldBytes) {
          const name = headers[longestFieldIndex] ?? `第 ${longestFieldIndex + 1} 列`;
          rejected.push({
            row: recordLine,
            reason: `字段“${name}”长 ${longestField.toLocaleString('en')} 字节，超过上限 ${options.maxFieldBytes.toLocaleString('en')} 字节 / field "${name}" is ${longestField} bytes, over the ${options.maxFieldBytes}-byte limit`,
            fields: splitRecord(body, delimiter, PREVIEW_CHARS),
            // What such a field holds is unknown (a stray quote can swallow whole lines).
            trustedFields: longestFieldIndex,
          });
          return;
        }
        if (malformed) {
          rejected.push({ row: recordLine, reason: malformed, fields: splitRecord(body, delimiter, PREVIEW_CHARS) });
          return;
        }
        if (fields !== expectedFields) {
          rejected.push({
            row: recordLine,
            reason: `字段数不符：表头有 ${expectedFields} 列，这一行有 ${fields} 列（可能缺少引号或分隔符）/ ${fields} fields where the header has ${expectedFields} (a missing quote or delimiter?)`,
            fields: splitRecord(body, delimiter, PREVIEW_CHARS),
          });
          return;
        }
        emit(Buffer.from(`${recordLine}${String.fromCharCode(delimiter)}`));
        emit(body);
        emit(Buffer.from('\n'));
      };
      const endField = (at: number) => {
        const length = at - fieldStart;
        if (length > longestField) {
          longestField = length;
          longestFieldIndex = fields - 1;
        }
      };

      for await (const chunk of utf8Chunks(path, encoding, progress)) {
        if (position + chunk.length <= resumeAt) {
          position += chunk.length;
          continue;
        }
        const from = Math.max(0, resumeAt - position);
        let recordStart = from; // within chunk
        for (let i = from; i < chunk.length; i++) {
          const b = chunk[i];
          if (state === QUOTED) {
            if (b === QUOTE) state = QUOTE_IN_QUOTED;
            else if (b === LF) {
              line++;
              if (quoteLineEnd < 0) quoteLineEnd = position + i;
            }
            continue;
          }
          if (afterCr) {
            afterCr = false;
            if (b !== LF) malformed ??= LONE_CR;
          }
          if (b === delimiter) {
            endField(position + i);
            fields++;
            fieldStart = position + i + 1;
            state = FIELD_START;
          } else if (b === LF) {
            endField(position + i);
            let record: Buffer;
            if (pendingBytes) {
              pending.push(chunk.subarray(recordStart, i));
              record = Buffer.concat(pending, pendingBytes + i - recordStart);
              pending = [];
              pendingBytes = 0;
            } else {
              record = chunk.subarray(recordStart, i);
            }
            // A record whose field is too large is not copied into memory twice: keep only a head.
            finishRecord(longestField > options.maxFieldBytes ? Buffer.from(record.subarray(0, 64 * 1024)) : record);
            line++;
            recordLine = line;
            recordStartPos = position + i + 1;
            fields = 1;
            fieldStart = position + i + 1;
            longestField = 0;
            longestFieldIndex = 0;
            recordHasContent = false;
            malformed = null;
            state = FIELD_START;
            recordStart = i + 1;
          } else if (b === QUOTE) {
            recordHasContent = true;
            if (state === FIELD_START) {
              state = QUOTED;
              quoteLine = line;
              quoteFieldIndex = fields - 1;
              quoteLineEnd = -1;
            } else if (state === QUOTE_IN_QUOTED) state = QUOTED; // "" inside a quoted field
            else if (state === CLOSED) malformed ??= TEXT_AFTER_QUOTE;
            // in an unquoted field a quote is an ordinary character
          } else if (b === CR) {
            afterCr = true;
          } else if (b === 0x20) {
            if (state === QUOTE_IN_QUOTED) state = CLOSED;
          } else {
            recordHasContent = true;
            if (state === QUOTE_IN_QUOTED || state === CLOSED) malformed ??= TEXT_AFTER_QUOTE;
            state = UNQUOTED;
          }
        }
        if (recordStart < chunk.length) {
          const rest = chunk.subarray(recordStart);
          // Beyond the field limit only the record's head is kept; the scan still counts its length.
          if (pendingBytes < options.maxFieldBytes + 65536) {
            pending.push(Buffer.from(rest));
            pendingBytes += rest.length;
          }
        }
        position += chunk.length;
        await flush();
      }

      if (state !== QUOTED) {
        // The last record, when the file does not end with a newline.
        if (pendingBytes) {
          endField(position);
          finishRecord(Buffer.concat(pending, pendingBytes));
        }
        break;
      }
      // The file ends inside a quoted field. If the quote opened on the file's last line, the file was
      // cut off there. Otherwise the quote is stray and swallowed the lines after it: the record ends
      // with the line where the quote opened, and the scan resumes on the next line.
      if (headers === null) throw new RefusedFile(`${path}: 表头行的引号没有闭合 / the header row has an unclosed quote`);
      records++;
      irregular = true;
      const record = Buffer.concat(pending, pendingBytes);
      const more = quoteLineEnd >= 0 && quoteLineEnd + 1 < position;
      const shown = quoteLineEnd >= 0 ? record.subarray(0, Math.max(0, quoteLineEnd - recordStartPos)) : record;
      rejected.push({
        row: recordLine,
        reason: more
          ? `第 ${quoteLine} 行的引号一直到文件末尾都没有闭合（多了一个引号？）；这一行未导入，从第 ${quoteLine + 1} 行起继续读取 / the quote opened on line ${quoteLine} never closes (a stray quote?); that line was skipped and reading went on from line ${quoteLine + 1}`
          : `文件在第 ${recordLine} 行开始的引号内结束，这一行不完整（文件可能被截断）/ the file ends inside a quoted field that starts on line ${recordLine}: truncated?`,
        fields: splitRecord(shown.length && shown[shown.length - 1] === CR ? shown.subarray(0, shown.length - 1) : shown, delimiter, PREVIEW_CHARS),
        trustedFields: quoteFieldIndex,
      });
      if (!more) break;
      if (++recoveries > MAX_QUOTE_RECOVERIES) {
        throw new RefusedFile(`${path}: 超过 ${MAX_QUOTE_RECOVERIES} 处引号没有闭合，文件的引号用法与 CSV 不符；整个文件未导入 / more than ${MAX_QUOTE_RECOVERIES} unclosed quotes: the file does not use CSV quoting; nothing was loaded`);
      }
      resumeAt = quoteLineEnd + 1;
      resumeLine = quoteLine + 1;
      firstPass = false;
    }
  } catch (error) {
    out?.destroy(); // refused: the caller removes the half-written copy
    throw error;
  }
  await flush();
  if (out) {
    out.end();
    await once(out, 'finish');
  }
  if (headers === null) throw new RefusedFile(`${path}: 文件没有表头行 / the file has no header row`);
  const headerList: string[] = headers;
  const regular = !irregular && rejected.length === 0 && !headerList.some((h) => h === '');
  return { headers: headerList, delimiter, rejected, records, regular };
}

// ---------------------------------------------------------------------------------------------
// JSON (an array of objects) and NDJSON (one object per line).

async function readJson(path: string, format: 'json' | 'ndjson', options: ReadOptions): Promise<SourceTable> {
  const { readFile } = await import('node:fs/promises');
  const bytes = await readFile(path);
  const encoding = detectEncoding(path, bytes.subarray(0, 65536));
  let text: string;
  try {
    text = new TextDecoder(encoding === 'gb18030' ? 'gb18030' : encoding.startsWith('utf-16') ? encoding : 'utf-8', { fatal: true }).decode(bytes).replace(/^\uFEFF/, '');
  } catch {
    throw new RefusedFile(`${path}: 文件中有无法按 ${encoding.toUpperCase()} 解码的字节（文件可能混用了编码）；整个文件未导入 / bytes that are not valid ${encoding}: nothing was loaded`);
  }
  const rejected: RejectedRecord[] = [];
  const objects: { row: number; value: Record<string, unknown> }[] = [];
  const isObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);
  const describe = (value: unknown) => (value === null ? 'null' : Array.isArray(value) ? '数组 array' : typeof value === 'object' ? '对象 object' : `${typeof value}`);
  // JSON.parse messages may quote the text around the error, which can hold personal data.
  const parseError = (error: unknown) => (error as Error).message.replace(/,? ".*" is not valid JSON$/s, '');
  let whole: { value: unknown } | null = null;
  if (format === 'json') {
    try {
      whole = { value: JSON.parse(text) };
    } catch (error) {
      // A .json file may hold one object per line (NDJSON); anything else is not JSON at all.
      if (text.trimStart().startsWith('[') || !/^\s*\{/.test(text) || !text.trim().includes('\n')) {
        throw new RefusedFile(`${path}: 不是合法的 JSON（${parseError(error)}）；整个文件未导入 / not valid JSON: nothing was loaded`);
      }
    }
  }
  if (whole) {
    const parsed = whole.value;
    if (!Array.isArray(parsed)) {
      throw new RefusedFile(`${path}: JSON 顶层应是对象数组 [{…}, {…}]，这里是${describe(parsed)} / expected an array of objects at the top level, found ${describe(parsed)}`);
    }
    parsed.forEach((value, index) => {
      if (isObject(value)) objects.push({ row: index + 1, value });
      else rejected.push({ row: index + 1, reason: `第 ${index + 1} 个元素不是对象而是${describe(value)} / element ${index + 1} is not an object but ${describe(value)}`, fields: [String(JSON.stringify(value)).slice(0, PREVIEW_CHARS)], trustedFields: 0 });
    });
  } else {
    const lines = text.split('\n');
    lines.forEach((lineText, index) => {
      const content = lineText.trim();
      if (!content) return;
      let value: unknown;
      try {
        value = JSON.parse(content);
      } catch (error) {
        rejected.push({ row: index + 1, reason: `第 ${index + 1} 行不是合法的 JSON（${parseError(error)}）/ line ${index + 1} is not valid JSON`, fields: [content.slice(0, PREVIEW_CHARS)], trustedFields: 0 });
        return;
      }
      if (isObject(value)) objects.push({ row: index + 1, value });
      else rejected.push({ row: index + 1, reason: `第 ${index + 1} 行不是 JSON 对象而是${describe(value)} / line ${index + 1} is not a JSON object but ${describe(value)}`, fields: [content.slice(0, PREVIEW_CHARS)], trustedFields: 0 });
    });
  }
  if (objects.length === 0 && rejected.length === 0) {
    throw new RefusedFile(`${path}: JSON 文件中没有任何记录，无法判断它是哪种数据 / the JSON file holds no records, so its kind cannot be told`);
  }
  if (objects.length === 0) {
    throw new RefusedFile(`${path}: 没有一个${whole ? '元素' : '行'}是 JSON 对象（第一个问题：${rejected[0].reason}）；整个文件未导入 / no ${whole ? 'element' : 'line'} is a JSON object: nothing was loaded`);
  }
  const headerIndex = new Map<string, number>();
  for (const { value } of objects) for (const key of Object.keys(value)) if (!headerIndex.has(key)) headerIndex.set(key, headerIndex.size);
  const headers = [...headerIndex.keys()];
  const writer = new NormalisedWriter(options.workFile, headers);
  for (const { row, value } of objects) {
    const fields = headers.map((key) => {
      const v = value[key];
      if (v === null || v === undefined) return '';
      return typeof v === 'object' ? JSON.stringify(v) : String(v);
    });
    const tooLong = fields.findIndex((f) => Buffer.byteLength(f) > options.maxFieldBytes);
    if (tooLong >= 0) {
      rejected.push({ row, reason: `字段“${headers[tooLong]}”超过上限 ${options.maxFieldBytes} 字节 / field "${headers[tooLong]}" over the size limit`, fields: fields.map((f) => f.slice(0, PREVIEW_CHARS)) });
      continue;
    }
    await writer.write(row, fields);
  }
  await writer.close();
  return { format, encoding, headers, relation: normalisedRelation(options.workFile, headers.length), rejected, records: objects.length + rejected.length };
}
