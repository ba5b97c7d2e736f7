import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { CliError } from '../cli-error.js';

/**
 * What the readers hand to the load: the file as a DuckDB relation of text columns c0…cN, its
 * headers, and the records the reader itself had to reject. Shared by every reader (CSV, XLSX,
 * JSON, Parquet) and by the load, so that no reader imports another.
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

/** What the pre-masking pass (premask.ts) did to the columns of the copy DuckDB reads. */
export interface PreMaskedColumns {
  /** Free-text columns: a plain cell masked, any other with the marker 0x01 in front. */
  texts: ReadonlySet<number>;
  /** The phone column whose mobile numbers it hashed (such a cell: 0x02, the hash, the first 3 and last 4 digits), if any. */
  phone: number | null;
}

export interface SourceTable {
  format: Format;
  encoding: Encoding | null;
  headers: string[];
  /** A DuckDB table function call yielding one VARCHAR column per header, named c0…cN (and `__row` when numbered). */
  relation: string;
  /**
   * The relation has `__row`, each record's line (CSV) or row (workbook, JSON). Otherwise it reads
   * a CSV file in place, whose records are numbered by their order: see `lines`.
   */
  numbered: boolean;
  /**
   * For a relation read in place: the file's physical lines after the header. When DuckDB reads
   * exactly that many records, every record is one line and record n sits on line n + 1.
   */
  lines?: number;
  rejected: RejectedRecord[];
  /** Data records seen by the reader (good + rejected, empty rows not counted); unknown (null) in place. */
  records: number | null;
  sheet?: string;
  /** Bytes read (for progress and rows/s). */
  bytes: number;
  /** A CSV's text as UTF-8: the file itself, or its transcoded copy (for a second, scanning read). */
  text?: string;
  /**
   * A UTF-8 CSV read in place is checked and hashed by a pass over its bytes that runs while DuckDB
   * reads it: `lines` is known once it is settled (read.ts, settleText).
   */
  pending?: Promise<import('./encoding.js').TextLayout>;
  /**
   * A CSV read in place whose first MiB has no space at a cell's edge (outer-space.ts): whether the
   * rest has any, found by a look at the bytes that runs while DuckDB reads the text. Until it
   * answers, the load may take the cells untrimmed, and does it again trimmed if it answers true.
   * Absent: cells are trimmed.
   */
  outerSpaces?: Promise<boolean>;
  /**
   * Stops the look (outer-space.ts) that rides on the pass over the bytes, while it has not
   * answered yet, and gives its answer to the caller to make: the pass that pre-masks the text
   * (premask.ts) does the look on its way. Null once the look has answered.
   */
  takeOverLook?: () => ((found: boolean) => void) | null;
  /** A CSV read in place: its delimiter's byte. */
  delimiter?: number;
  /**
   * Columns whose free text a pass over the bytes masked before DuckDB reads the relation (the
   * copy premask.ts writes): a plain cell is masked, any other carries the marker 0x01.
   */
  preMasked?: PreMaskedColumns;
  /**
   * Rows above the header that the export's report layout put there (a title, 导出时间, 制表人),
   * each as its filled cells' text: skipped, and said so in the load's summary.
   */
  preamble?: string[];
  /** Where a CSV's header starts when rows above it were skipped (for the scanner). */
  headerAt?: { position: number; line: number };
}

/** Non-empty rows looked at for the header: a title, 导出时间 or 制表人 above it takes a few. */
export const HEADER_LOOKAHEAD = 10;

/**
 * A row above the header holds a title or a few words about the export (导出时间, 2026-12-01,
 * 导出人, 张三): never more cells than this.
 */
const PREAMBLE_MAX_CELLS = 4;

/**
 * Which of a file's first non-empty rows is its header, given how many cells each has filled: the
 * first with at least half as many as the fullest of them, or with more cells than a title or an
 * export note has (a broken line of many fields below a real header does not push it down). A
 * title in one merged cell, or a line of 导出时间 and 导出人 above a header of 17 columns, is
 * skipped; a file whose first row is its header (the usual case) starts there.
 */
export function headerRowIndex(filled: readonly number[]): number {
  const widest = Math.max(0, ...filled);
  return Math.max(0, filled.findIndex((n) => n > PREAMBLE_MAX_CELLS || n * 2 >= widest));
}

/**
 * A row of totals in a report-style export: its first filled cell starts with 合计, 总计, 小计,
 * 共计 or 汇总 (spaces between the two characters allowed, as Excel's centred labels have them), or
 * Total / Sum, then ends or goes on after a space, a colon or a bracket. Such a row, when the checks
 * would quarantine it, is not a bad record but no record at all: it is skipped, and the load says so.
 */
export const TOTAL_ROW_PATTERN = '^(合\\s*计|总\\s*计|小\\s*计|共\\s*计|汇\\s*总|total|sum)([\\s:：(（]|$)';
const TOTAL_ROW = new RegExp(TOTAL_ROW_PATTERN, 'i');

/** The first filled cell of a row the reader rejected, when it is a row of totals (else null). */
export function totalRowLabel(fields: readonly string[]): string | null {
  const first = fields.map((f) => f.trim()).find((f) => f !== '');
  return first !== undefined && TOTAL_ROW.test(first) ? first : null;
}

/** A skipped row of totals: its line and its first filled cell. */
export interface TotalRow {
  row: number;
  label: string;
}

/** What the load's summary says about skipped rows of totals (null: none). */
export function totalRowsNote(rows: readonly TotalRow[]): string | null {
  if (!rows.length) return null;
  const shown = rows.slice(0, 3).map((r) => `第 ${r.row} 行“${r.label.length > 20 ? `${r.label.slice(0, 20)}…` : r.label}”`).join('、');
  return `${rows.length} 行合计行（${shown}${rows.length > 3 ? ' 等' : ''}）不是数据，已跳过 / skipped ${rows.length} row(s) of totals`;
}

/** What the load's summary says about skipped rows above the header (null: none). */
export function preambleNote(preamble: readonly string[] | undefined): string | null {
  if (!preamble?.length) return null;
  const shown = preamble.map((text) => `“${text.length > 40 ? `${text.slice(0, 40)}…` : text}”`).join('、');
  return `表头上方的 ${preamble.length} 行（${shown}）不是数据，已跳过 / skipped ${preamble.length} row(s) above the header`;
}

export interface ReadOptions {
  format?: Format;
  encoding?: Encoding;
  sheet?: string;
  maxFieldBytes: number;
  /** Folder for the normalised or transcoded copy; the caller deletes it. */
  workDir: string;
  /** Read every CSV through the JavaScript scanner (after DuckDB found the file irregular). */
  scan?: boolean;
  onProgress?: (bytesDone: number, bytesTotal: number) => void;
  /** Fed with the file's raw bytes by the first pass, so the file is not read twice for its hash. */
  onRawChunk?: (chunk: Buffer) => void;
  /** Tests: the look for outer spaces answers only once this settles, as it would after a slow read. */
  outerSpacesAnswerAfter?: Promise<unknown>;
}

export const PREVIEW_CHARS = 200;

export function sqlString(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/**
 * The DuckDB call that reads a CSV with fixed options: every column text, strict quoting. A file
 * read in place is read with a line limit near the field limit, so that a record with an
 * oversized field stops DuckDB early (and goes to the scanner) instead of filling memory.
 */
export function csvRelation(file: string, columnCount: number, options: { delimiter?: string; numbered: boolean; maxLineBytes?: number }): string {
  const columns = [...(options.numbered ? [`'__row': 'BIGINT'`] : []), ...Array.from({ length: columnCount }, (_, i) => `'c${i}': 'VARCHAR'`)].join(', ');
  const limits = options.maxLineBytes ? `max_line_size = ${Math.max(options.maxLineBytes, 2 << 20)}` : 'max_line_size = 67108864, buffer_size = 134217728';
  return `read_csv(${sqlString(file)}, header = true, auto_detect = false, delim = ${sqlString(options.delimiter ?? ',')}, quote = '"', escape = '"', columns = {${columns}}, ${limits}, strict_mode = true)`;
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
    this.append(row, fields);
    await this.flushIfFull();
  }

  /** Adds a record without waiting; `flushIfFull` writes once enough has gathered. */
  append(row: number, fields: string[]): void {
    let line = String(row);
    for (const field of fields) line += ',' + quoteField(field);
    this.parts.push(line + '\n');
    this.pending += line.length;
  }

  async flushIfFull(): Promise<void> {
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

  destroy(): void {
    this.stream.destroy();
  }
}

function quoteField(value: string): string {
  return NEEDS_QUOTES.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

const NEEDS_QUOTES = /[",\r\n]/;
