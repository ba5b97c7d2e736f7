import { isUtf8 } from 'node:buffer';
import { closeSync, createReadStream, createWriteStream, openSync, readSync, statSync } from 'node:fs';
import { once } from 'node:events';
import { extname, join } from 'node:path';
import { CsvScanner, headerNames, sniffDelimiter, type Resume } from './csv-scanner.js';
import { detectEncoding, inspectUtf8, transcodeToUtf8, type TextLayout } from './encoding.js';
import { mayHaveOuterSpaces, OuterSpaceLook } from './outer-space.js';
import { csvRelation, HEADER_LOOKAHEAD, headerRowIndex, NormalisedWriter, PREVIEW_CHARS, RefusedFile, sqlString, type Format, type ReadOptions, type RejectedRecord, type SourceTable } from './source.js';

/**
 * The reading layer: turns an export file of any supported format and encoding into a DuckDB
 * relation of text columns. A UTF-8 CSV (or the UTF-8 copy of a GBK or UTF-16 one) is read by
 * DuckDB in place, at DuckDB's speed; only when DuckDB finds it irregular does the JavaScript
 * scanner (csv-scanner.ts) rewrite it as a normalised CSV with each record's line, rejecting the
 * structurally broken records. Workbooks (read-xlsx.ts) and JSON are written as normalised CSV.
 */

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

/** Reads any supported file into a SourceTable. Throws RefusedFile when nothing can be read. */
export async function readSource(path: string, options: ReadOptions): Promise<SourceTable> {
  const size = statSync(path).size;
  if (size === 0) throw new RefusedFile(`${path}: 文件为空 / the file is empty`);
  const head = readHead(path, 65536);
  const format = options.format ?? detectFormat(path, head);
  switch (format) {
    case 'parquet':
      return { format: 'parquet', encoding: null, headers: [], relation: `read_parquet(${sqlString(path)}, file_row_number = true)`, numbered: true, rejected: [], records: null, bytes: size };
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

/**
 * One pass over the bytes: UTF-8 is checked where it lies, other encodings are transcoded into a
 * UTF-8 copy. Then DuckDB reads the text in place when its layout allows: a header on line 1 with
 * no quote left open, no lone CR, no line longer than a field may be. Whether every record is one
 * line (so that its line is its order + 1) is settled after DuckDB has read it.
 */
async function readCsv(path: string, encoding: NonNullable<SourceTable['encoding']>, size: number, options: ReadOptions): Promise<SourceTable> {
  const source: SourceTable = { format: 'csv', encoding, headers: [], relation: '', numbered: false, rejected: [], records: null, bytes: size, text: path };
  // The look for outer spaces rides on the pass (UTF-8 and GB18030 keep the ASCII bytes it looks
  // for as they are; UTF-16 does not): it answers at the first one it finds, or when the pass ends.
  const look = encoding === 'utf-16le' || encoding === 'utf-16be' ? null : new OuterSpaceLook();
  let resolve: (found: boolean) => void = () => undefined;
  const outerSpaces = new Promise<boolean>((settle) => (resolve = settle));
  let answered = false; // (or taken over)
  const answer = (found: boolean) => {
    answered = true;
    if (options.outerSpacesAnswerAfter) void options.outerSpacesAnswerAfter.then(() => resolve(found));
    else resolve(found);
  };
  const pass = {
    onRawChunk: (chunk: Buffer) => {
      options.onRawChunk?.(chunk);
      if (!answered && look?.feed(chunk)) answer(true);
    },
    onProgress: (done: number) => options.onProgress?.(done, size),
  };
  const ended = (passed: boolean) => {
    if (!answered) answer(!look || !passed || look.end());
  };
  // Cells untrimmed when the first MiB has no outer space; trimmed again once the look finds one.
  const lookAtRest = (head: Buffer) => {
    if (!look || mayHaveOuterSpaces(head.subarray(0, head.lastIndexOf(0x0a) + 1))) return;
    source.outerSpaces = outerSpaces;
    source.takeOverLook = () => {
      if (answered) return null;
      answered = true;
      return answer;
    };
    void outerSpaces.then((found) => {
      if (found && source.outerSpaces === outerSpaces) source.outerSpaces = undefined;
    });
  };
  if (encoding === 'utf-8' || encoding === 'utf-8-bom') {
    // The pass over the bytes (check, hash, count lines) runs while DuckDB reads the file: the
    // header is all the load needs first. settleText waits for the rest.
    const head = readHead(path, 1 << 20);
    const end = head.indexOf(0x0a);
    const pending = inspectUtf8(path, encoding, pass);
    pending.then(
      () => ended(true),
      () => ended(false), // (awaited by settleText; a refusal must not go unhandled meanwhile)
    );
    const preamble = csvPreamble(head);
    if (preamble) {
      await pending;
      return scanText(path, { ...source, preamble: preamble.text, headerAt: preamble.headerAt }, options);
    }
    if (end >= 0 && !options.scan) {
      let firstLine = head.subarray(0, end);
      if (firstLine[0] === 0xef && firstLine[1] === 0xbb && firstLine[2] === 0xbf) firstLine = firstLine.subarray(3);
      if (firstLine[firstLine.length - 1] === 0x0d) firstLine = firstLine.subarray(0, firstLine.length - 1);
      // A header that is not UTF-8: the pass names the byte and line.
      if (!isUtf8(firstLine)) await pending;
      if (inPlaceHeader(path, firstLine, source, options)) {
        source.pending = pending;
        lookAtRest(head);
        return source;
      }
    }
    const layout = await pending;
    if (options.scan || !inPlaceLayout(layout, options) || !inPlaceHeader(path, layout.firstLine, source, options)) return scanText(path, source, options);
    source.lines = linesAfterHeader(layout);
    lookAtRest(head);
    return source;
  }
  source.text = join(options.workDir, 'utf8.csv');
  let layout: TextLayout;
  try {
    layout = await transcodeToUtf8(path, encoding, source.text, pass);
  } finally {
    ended(true);
  }
  const head = readHead(source.text, 1 << 20);
  const preamble = csvPreamble(head);
  if (preamble) return scanText(path, { ...source, preamble: preamble.text, headerAt: preamble.headerAt }, options);
  if (options.scan || !inPlaceLayout(layout, options) || !inPlaceHeader(path, layout.firstLine, source, options)) return scanText(path, source, options);
  source.lines = linesAfterHeader(layout);
  lookAtRest(head);
  return source;
}

/**
 * Rows above the header in a CSV's first lines (a title, 导出时间 …: see headerRowIndex), with where
 * its header line starts; null when the header is the first non-empty line (the usual case) or the
 * first lines hold a quoted line break (the scanner's business).
 */
function csvPreamble(head: Buffer): { text: string[]; headerAt: { position: number; line: number } } | null {
  const lines: { text: string; position: number; line: number }[] = [];
  let position = head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf ? 3 : 0;
  for (let line = 1; lines.length < HEADER_LOOKAHEAD; line++) {
    const end = head.indexOf(0x0a, position);
    if (end < 0) break; // (a last line cut off by the head is not looked at)
    const text = head.subarray(position, end).toString('utf8').replace(/\r$/, '');
    if ((text.split('"').length - 1) % 2 !== 0) return null;
    if (text.trim() !== '') lines.push({ text, position, line });
    position = end + 1;
  }
  if (lines.length < 2) return null;
  const cells = lines.map(({ text }) => headerNames(Buffer.from(text), sniffDelimiter(text)).filter((cell) => cell !== ''));
  const at = headerRowIndex(cells.map((c) => c.length));
  if (at === 0) return null;
  return { text: cells.slice(0, at).map((c) => c.join(' ')), headerAt: { position: lines[at].position, line: lines[at].line } };
}

/** DuckDB reads the text in place unless it has a lone CR or a line longer than a field may be. */
function inPlaceLayout(layout: TextLayout, options: ReadOptions): boolean {
  return layout.loneCarriageReturns === 0 && layout.longestLine <= options.maxFieldBytes && layout.bytes > 0;
}

/** A text's lines after the header: its records, when each is one line. */
export function linesAfterHeader(layout: TextLayout): number {
  return layout.lineFeeds - 1 + (layout.endsWithNewline ? 0 : 1);
}

/** Sets the headers and the in-place relation from the first line, when that line is a header DuckDB reads alike. */
function inPlaceHeader(path: string, firstLine: Buffer, source: SourceTable, options: ReadOptions): boolean {
  const header = firstLine.toString('utf8');
  // A blank first line (blank lines above the header), or a quote left open (a header cell that
  // spans lines): the scanner finds the header.
  if (header.trim() === '' || (header.split('"').length - 1) % 2 !== 0) return false;
  if (/[\u0000-\u0008\u000e-\u001f\u007f\ufffd]/.test(header)) {
    throw new RefusedFile(`${path}: 第一行含有控制字符，不像文本表格（二进制文件或编码错误）/ the first line holds control characters: not a text table`);
  }
  const delimiter = sniffDelimiter(header);
  source.delimiter = delimiter;
  source.headers = headerNames(firstLine, delimiter);
  source.relation = csvRelation(source.text ?? path, source.headers.length, { delimiter: String.fromCharCode(delimiter), numbered: false, maxLineBytes: options.maxFieldBytes + 65536 });
  return true;
}

/**
 * Waits for the pass over the bytes of a CSV read in place (refusing the file if they are not
 * UTF-8) and sets `lines`. False when the text turned out to need the scanner after all (a lone
 * CR, a line longer than a field may be).
 */
export async function settleText(source: SourceTable, options: Pick<ReadOptions, 'maxFieldBytes'>): Promise<boolean> {
  if (!source.pending) return true;
  const layout = await source.pending;
  source.pending = undefined;
  source.lines = linesAfterHeader(layout);
  return inPlaceLayout(layout, { ...options, workDir: '' });
}

/** Unclosed quotes the scanner recovers from before it gives up on the file (each costs a re-read). */
const MAX_QUOTE_RECOVERIES = 100;

/**
 * The CSV through the JavaScript scanner: a normalised copy with each good record's line, and the
 * structurally broken records rejected with theirs. For a source DuckDB could not read in place.
 */
export async function scanText(path: string, source: SourceTable, options: ReadOptions): Promise<SourceTable> {
  const text = source.text ?? path;
  const workFile = join(options.workDir, 'normalised.csv');
  const out = createWriteStream(workFile);
  let parts: Buffer[] = [];
  let partBytes = 0;
  const rejected: RejectedRecord[] = [];
  let separator = Buffer.from(',');
  const sink = {
    header(names: string[], delimiter: number) {
      separator = Buffer.from(String.fromCharCode(delimiter));
      const line = Buffer.from(['__row', ...names.map((_, i) => `c${i}`)].join(String.fromCharCode(delimiter)) + '\n');
      parts.push(line);
      partBytes += line.length;
    },
    record(line: number, body: Buffer) {
      const number = Buffer.from(String(line));
      parts.push(number, separator, body, NEWLINE);
      partBytes += number.length + separator.length + body.length + 1;
    },
    reject(record: RejectedRecord) {
      rejected.push(record);
    },
  };
  const flush = async () => {
    if (!parts.length) return;
    const data = Buffer.concat(parts, partBytes);
    parts = [];
    partBytes = 0;
    if (!out.write(data)) await once(out, 'drain');
  };
  let resume: Resume | null = source.headerAt ?? { position: 0, line: 1 };
  let header: { names: string[]; delimiter: number } | undefined;
  let records = 0;
  let recoveries = 0;
  try {
    while (resume) {
      const scanner: CsvScanner = new CsvScanner(sink, { label: path, maxFieldBytes: options.maxFieldBytes, start: resume, header });
      for await (const chunk of createReadStream(text, { start: resume.position, highWaterMark: 1 << 22 }) as AsyncIterable<Buffer>) {
        scanner.push(chunk);
        await flush();
      }
      const next = scanner.finish();
      records += scanner.records;
      if (scanner.headers) header = { names: scanner.headers, delimiter: scanner.delimiter };
      if (next && ++recoveries > MAX_QUOTE_RECOVERIES) {
        throw new RefusedFile(`${path}: 超过 ${MAX_QUOTE_RECOVERIES} 处引号没有闭合，文件的引号用法与 CSV 不符；整个文件未导入 / more than ${MAX_QUOTE_RECOVERIES} unclosed quotes: the file does not use CSV quoting; nothing was loaded`);
      }
      resume = next;
    }
    await flush();
  } catch (error) {
    out.destroy(); // refused: the caller removes the half-written copy
    throw error;
  }
  out.end();
  await once(out, 'finish');
  if (!header) throw new RefusedFile(`${path}: 文件没有表头行 / the file has no header row`);
  return {
    ...source,
    headers: header.names,
    relation: csvRelation(workFile, header.names.length, { delimiter: String.fromCharCode(header.delimiter), numbered: true }),
    numbered: true,
    lines: undefined,
    outerSpaces: undefined, // (the scanner's copy is trimmed as before)
    preMasked: undefined, // (and masked in SQL)
    rejected,
    records,
  };
}

const NEWLINE = Buffer.from('\n');

// ---------------------------------------------------------------------------------------------

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
  const workFile = join(options.workDir, 'normalised.csv');
  const writer = new NormalisedWriter(workFile, headers);
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
  return { format, encoding, headers, relation: csvRelation(workFile, headers.length, { numbered: true }), numbered: true, rejected, records: objects.length + rejected.length, bytes: bytes.length };
}
