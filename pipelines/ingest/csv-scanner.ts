import { PREVIEW_CHARS, RefusedFile, type RejectedRecord } from './source.js';

/**
 * A byte-level, quote-aware CSV scanner for UTF-8 text, without any I/O: it is fed chunks and
 * tells a sink about the header, every good record (its bytes and the line it starts on) and every
 * record it rejects with the reason. The load uses it when DuckDB's own reader found a file
 * irregular (a wrong field count, a stray quote, blank lines, a lone CR, an oversized field), so
 * that only the bad records are quarantined and every good one still loads with its line.
 *
 * The rules follow DuckDB's reader in strict mode, so that every record the scanner passes is one
 * DuckDB reads the same way: a quote opens a quoted field only at the start of a field (after
 * optional spaces); inside an unquoted field it is an ordinary character; after a closing quote
 * only spaces may follow before the delimiter or the line end; a CR must be part of CRLF.
 */

export interface ScanSink {
  header(headers: string[], delimiter: number): void;
  /** A good record: its bytes without the line ending, and the line it starts on. */
  record(line: number, body: Buffer): void;
  reject(record: RejectedRecord): void;
}

/** Where to scan again after a quote that never closed swallowed the rest of the file. */
export interface Resume {
  position: number;
  line: number;
}

const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;

// Field states.
const FIELD_START = 0;
const UNQUOTED = 1;
const QUOTED = 2;
const QUOTE_IN_QUOTED = 3; // a quote inside a quoted field: the closing one, or the first of ""
const CLOSED = 4; // spaces after the closing quote

const TEXT_AFTER_QUOTE = '结束引号后还有其他文字（字段中的引号应写成两个引号 ""）/ text after a closing quote (a quote inside a quoted field must be doubled)';
const LONE_CR = '字段中有单独的回车符（CR），不是 CRLF 换行 / a lone carriage return (CR) that is not part of a CRLF line ending';

export function sniffDelimiter(headerLine: string): number {
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

/** Splits one record (bytes, no line ending) into fields by the scanner's rules; for headers and rejected records only. */
export function splitRecord(bytes: Buffer, delimiter: number, maxChars = Infinity): string[] {
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

/** The header row as column names: BOM and surrounding white space removed, inner runs squashed. */
export function headerNames(body: Buffer, delimiter: number): string[] {
  return splitRecord(body, delimiter).map((h) => h.replace(/^\uFEFF/, '').replace(/[\s\u3000]+/g, ' ').trim());
}

export interface ScannerOptions {
  /** The file's name for messages. */
  label: string;
  maxFieldBytes: number;
  /** Where this scan starts: the file's start, or the line after an unclosed quote. */
  start?: Resume;
  /** The header and delimiter, when a scan resumes after the header was read. */
  header?: { names: string[]; delimiter: number };
}

export class CsvScanner {
  headers: string[] | null;
  delimiter: number;
  /** Data records seen (good + rejected), empty rows not counted. */
  records = 0;

  private readonly label: string;
  private readonly maxFieldBytes: number;
  private expectedFields: number;
  // The current record. Positions are offsets in the UTF-8 text.
  private position: number; // position of the next chunk's first byte
  private line: number; // physical line of the current byte
  private recordLine: number; // line where the current record started
  private recordStartPos: number;
  private state = FIELD_START;
  private fields = 1;
  private fieldStart: number;
  private longestField = 0;
  private longestFieldIndex = 0;
  private pending: Buffer[] = []; // bytes of the current record from earlier chunks
  private pendingBytes = 0;
  private recordHasContent = false;
  private malformed: string | null = null;
  private afterCr = false; // the previous byte was a CR outside quotes
  private quoteLine = 0; // line where the current quoted field opened
  private quoteFieldIndex = 0;
  private quoteLineEnd = -1; // position of the first LF inside the current quoted field

  constructor(private readonly sink: ScanSink, options: ScannerOptions) {
    this.label = options.label;
    this.maxFieldBytes = options.maxFieldBytes;
    const start = options.start ?? { position: 0, line: 1 };
    this.position = start.position;
    this.line = start.line;
    this.recordLine = start.line;
    this.recordStartPos = start.position;
    this.fieldStart = start.position;
    this.headers = options.header?.names ?? null;
    this.delimiter = options.header?.delimiter ?? 0x2c;
    this.expectedFields = this.headers?.length ?? 0;
  }

  /** Scans the next chunk of text (the one that starts at the position the scanner is at). */
  push(chunk: Buffer): void {
    // The per-byte state lives in locals (the hot loop), written back when a record ends and at the end.
    const base = this.position;
    let delimiter = this.delimiter;
    let state = this.state;
    let afterCr = this.afterCr;
    let fields = this.fields;
    let fieldStart = this.fieldStart;
    let longestField = this.longestField;
    let longestFieldIndex = this.longestFieldIndex;
    let recordHasContent = this.recordHasContent;
    let malformed = this.malformed;
    let line = this.line;
    let recordStart = 0; // within chunk
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i];
      if (state === QUOTED) {
        if (b === QUOTE) state = QUOTE_IN_QUOTED;
        else if (b === LF) {
          line++;
          if (this.quoteLineEnd < 0) this.quoteLineEnd = base + i;
        }
        continue;
      }
      if (afterCr) {
        afterCr = false;
        if (b !== LF) malformed ??= LONE_CR;
      }
      if (b === delimiter) {
        if (base + i - fieldStart > longestField) {
          longestField = base + i - fieldStart;
          longestFieldIndex = fields - 1;
        }
        fields++;
        fieldStart = base + i + 1;
        state = FIELD_START;
      } else if (b === LF) {
        if (base + i - fieldStart > longestField) {
          longestField = base + i - fieldStart;
          longestFieldIndex = fields - 1;
        }
        let record: Buffer;
        if (this.pendingBytes) {
          this.pending.push(chunk.subarray(recordStart, i));
          record = Buffer.concat(this.pending, this.pendingBytes + i - recordStart);
          this.pending = [];
          this.pendingBytes = 0;
        } else {
          record = chunk.subarray(recordStart, i);
        }
        this.fields = fields;
        this.longestField = longestField;
        this.longestFieldIndex = longestFieldIndex;
        this.recordHasContent = recordHasContent;
        this.malformed = malformed;
        this.line = line;
        // A record whose field is too large is not copied into memory twice: keep only a head.
        this.finishRecord(longestField > this.maxFieldBytes ? Buffer.from(record.subarray(0, 64 * 1024)) : record);
        delimiter = this.delimiter; // known once the header has been read
        line++;
        this.recordLine = line;
        this.recordStartPos = base + i + 1;
        fields = 1;
        fieldStart = base + i + 1;
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
          this.quoteLine = line;
          this.quoteFieldIndex = fields - 1;
          this.quoteLineEnd = -1;
        } else if (state === QUOTE_IN_QUOTED) state = QUOTED; // "" inside a quoted field
        else if (state === CLOSED) malformed ??= TEXT_AFTER_QUOTE;
        // in an unquoted field a quote is an ordinary character
      } else if (b === CR) {
        afterCr = true;
      } else if (b === SPACE) {
        if (state === QUOTE_IN_QUOTED) state = CLOSED;
      } else {
        recordHasContent = true;
        if (state === QUOTE_IN_QUOTED || state === CLOSED) malformed ??= TEXT_AFTER_QUOTE;
        state = UNQUOTED;
      }
    }
    this.state = state;
    this.afterCr = afterCr;
    this.fields = fields;
    this.fieldStart = fieldStart;
    this.longestField = longestField;
    this.longestFieldIndex = longestFieldIndex;
    this.recordHasContent = recordHasContent;
    this.malformed = malformed;
    this.line = line;
    if (recordStart < chunk.length) {
      const rest = chunk.subarray(recordStart);
      // Beyond the field limit only the record's head is kept; the scan still counts its length.
      if (this.pendingBytes < this.maxFieldBytes + 65536) {
        this.pending.push(Buffer.from(rest));
        this.pendingBytes += rest.length;
      }
    }
    this.position += chunk.length;
  }

  /**
   * The end of the text. Returns where to scan again when the text ends inside a quoted field that
   * opened on an earlier line (a stray quote swallowed the lines after it: that record is rejected
   * and the scan resumes on the next line), else null.
   */
  finish(): Resume | null {
    if (this.state !== QUOTED) {
      // The last record, when the text does not end with a newline.
      if (this.pendingBytes) {
        if (this.position - this.fieldStart > this.longestField) {
          this.longestField = this.position - this.fieldStart;
          this.longestFieldIndex = this.fields - 1;
        }
        this.finishRecord(Buffer.concat(this.pending, this.pendingBytes));
      }
      return null;
    }
    if (this.headers === null) throw new RefusedFile(`${this.label}: 表头行的引号没有闭合 / the header row has an unclosed quote`);
    this.records++;
    const record = Buffer.concat(this.pending, this.pendingBytes);
    const more = this.quoteLineEnd >= 0 && this.quoteLineEnd + 1 < this.position;
    const shown = this.quoteLineEnd >= 0 ? record.subarray(0, Math.max(0, this.quoteLineEnd - this.recordStartPos)) : record;
    this.sink.reject({
      row: this.recordLine,
      reason: more
        ? `第 ${this.quoteLine} 行的引号一直到文件末尾都没有闭合（多了一个引号？）；这一行未导入，从第 ${this.quoteLine + 1} 行起继续读取 / the quote opened on line ${this.quoteLine} never closes (a stray quote?); that line was skipped and reading went on from line ${this.quoteLine + 1}`
        : `文件在第 ${this.recordLine} 行开始的引号内结束，这一行不完整（文件可能被截断）/ the file ends inside a quoted field that starts on line ${this.recordLine}: truncated?`,
      fields: splitRecord(shown.length && shown[shown.length - 1] === CR ? shown.subarray(0, shown.length - 1) : shown, this.delimiter, PREVIEW_CHARS),
      trustedFields: this.quoteFieldIndex,
    });
    return more ? { position: this.quoteLineEnd + 1, line: this.quoteLine + 1 } : null;
  }

  private finishRecord(record: Buffer): void {
    // Strip a trailing CR (CRLF files).
    const body = record.length && record[record.length - 1] === CR ? record.subarray(0, record.length - 1) : record;
    if (this.headers === null) {
      if (!this.recordHasContent) return; // blank lines above the header
      const headerText = body.toString('utf8');
      this.delimiter = sniffDelimiter(headerText);
      if (/[\u0000-\u0008\u000e-\u001f\u007f\ufffd]/.test(headerText)) {
        throw new RefusedFile(`${this.label}: 第一行含有控制字符，不像文本表格（二进制文件或编码错误）/ the first line holds control characters: not a text table`);
      }
      if (this.malformed) throw new RefusedFile(`${this.label}: 表头行有误：${this.malformed}`);
      this.headers = headerNames(body, this.delimiter);
      this.expectedFields = this.headers.length;
      this.sink.header(this.headers, this.delimiter);
      return;
    }
    if (!this.recordHasContent) return; // an empty line, or only delimiters
    this.records++;
    const headers = this.headers;
    if (this.longestField > this.maxFieldBytes) {
      const name = headers[this.longestFieldIndex] ?? `第 ${this.longestFieldIndex + 1} 列`;
      this.sink.reject({
        row: this.recordLine,
        reason: `字段“${name}”长 ${this.longestField.toLocaleString('en')} 字节，超过上限 ${this.maxFieldBytes.toLocaleString('en')} 字节 / field "${name}" is ${this.longestField} bytes, over the ${this.maxFieldBytes}-byte limit`,
        fields: splitRecord(body, this.delimiter, PREVIEW_CHARS),
        // What such a field holds is unknown (a stray quote can swallow whole lines).
        trustedFields: this.longestFieldIndex,
      });
      return;
    }
    if (this.malformed) {
      this.sink.reject({ row: this.recordLine, reason: this.malformed, fields: splitRecord(body, this.delimiter, PREVIEW_CHARS) });
      return;
    }
    if (this.fields !== this.expectedFields) {
      this.sink.reject({
        row: this.recordLine,
        reason: `字段数不符：表头有 ${this.expectedFields} 列，这一行有 ${this.fields} 列（可能缺少引号或分隔符）/ ${this.fields} fields where the header has ${this.expectedFields} (a missing quote or delimiter?)`,
        fields: splitRecord(body, this.delimiter, PREVIEW_CHARS),
      });
      return;
    }
    this.sink.record(this.recordLine, body);
  }
}
