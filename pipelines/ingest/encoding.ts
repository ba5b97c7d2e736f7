import { createReadStream, closeSync, openSync, writeSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { isUtf8 } from 'node:buffer';
import { RefusedFile, type Encoding } from './source.js';

/**
 * Text encodings: which one a file uses, and one pass over its bytes that checks them (UTF-8) or
 * turns them into UTF-8 (GB18030/GBK, UTF-16), counting lines on the way. Any byte that does not
 * belong to the encoding — a file cut in the middle of a character included — refuses the file
 * with its byte and line; nothing here throws anything else.
 */

const LF = 0x0a;
const CR = 0x0d;

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
    const end = sample.lastIndexOf(LF);
    new TextDecoder('gb18030', { fatal: true }).decode(sample.subarray(0, end > 0 ? end + 1 : sample.length));
    return 'gb18030';
  } catch {
    throw new RefusedFile(`${path}: 无法识别文件编码——既不是 UTF-8/UTF-16，也不是 GBK/GB18030（第 ${bad + 1} 字节起不是 UTF-8）/ unknown text encoding (not UTF-8, UTF-16 or GBK/GB18030; not UTF-8 from byte ${bad + 1})`);
  }
}

/** Offset of the first byte that breaks UTF-8 (only called once a piece failed validation). */
export function firstInvalidUtf8(buffer: Buffer): number {
  let i = 0;
  while (i < buffer.length) {
    const b = buffer[i];
    const length = b < 0x80 ? 1 : b >= 0xc2 && b < 0xe0 ? 2 : b >= 0xe0 && b < 0xf0 ? 3 : b >= 0xf0 && b < 0xf5 ? 4 : 0;
    if (length === 0 || !isUtf8(buffer.subarray(i, i + length))) return i;
    i += length;
  }
  return i;
}

function countLineFeeds(buffer: Buffer, end = buffer.length): number {
  let n = 0;
  for (let i = buffer.indexOf(LF); i >= 0 && i < end; i = buffer.indexOf(LF, i + 1)) n++;
  return n;
}

/** What the pass learnt about the UTF-8 text: enough to tell whether DuckDB can read it as is. */
export interface TextLayout {
  /** Line feeds in the text. */
  lineFeeds: number;
  /** The last byte is a line feed (else the last line has none). */
  endsWithNewline: boolean;
  /** Carriage returns not followed by a line feed (a lone CR breaks a record). */
  loneCarriageReturns: number;
  /** The longest line in bytes: no field can be longer. */
  longestLine: number;
  /** The first line's bytes (no line ending, BOM removed), up to 1 MiB. */
  firstLine: Buffer;
  /** Bytes of UTF-8 text. */
  bytes: number;
}

const FIRST_LINE_LIMIT = 1 << 20;

/** Counts lines of UTF-8 text fed chunk by chunk. */
class LayoutCounter {
  private lineFeeds = 0;
  private lineStart = 0;
  private longest = 0;
  private position = 0;
  private lone = 0;
  private crAtEnd = false;
  private last = -1;
  private first: Buffer[] = [];
  private firstBytes = 0;
  private firstDone = false;

  /** Line feeds fed so far. */
  get lines(): number {
    return this.lineFeeds;
  }

  feed(chunk: Buffer): void {
    if (!chunk.length) return;
    if (this.crAtEnd && chunk[0] !== LF) this.lone++;
    if (!this.firstDone) {
      const end = chunk.indexOf(LF);
      const piece = chunk.subarray(0, end < 0 ? chunk.length : end);
      if (this.firstBytes < FIRST_LINE_LIMIT) {
        this.first.push(Buffer.from(piece));
        this.firstBytes += piece.length;
      }
      if (end >= 0) this.firstDone = true;
    }
    for (let i = chunk.indexOf(LF); i >= 0; i = chunk.indexOf(LF, i + 1)) {
      const at = this.position + i;
      if (at - this.lineStart > this.longest) this.longest = at - this.lineStart;
      this.lineStart = at + 1;
      this.lineFeeds++;
    }
    for (let i = chunk.indexOf(CR); i >= 0; i = chunk.indexOf(CR, i + 1)) {
      if (i + 1 < chunk.length && chunk[i + 1] !== LF) this.lone++;
    }
    this.crAtEnd = chunk[chunk.length - 1] === CR;
    this.last = chunk[chunk.length - 1];
    this.position += chunk.length;
  }

  result(): TextLayout {
    let firstLine = Buffer.concat(this.first);
    if (firstLine[0] === 0xef && firstLine[1] === 0xbb && firstLine[2] === 0xbf) firstLine = firstLine.subarray(3);
    if (firstLine[firstLine.length - 1] === CR) firstLine = firstLine.subarray(0, firstLine.length - 1);
    const tail = this.position - this.lineStart;
    return {
      lineFeeds: this.lineFeeds,
      endsWithNewline: this.last === LF,
      loneCarriageReturns: this.lone + (this.crAtEnd ? 1 : 0),
      longestLine: Math.max(this.longest, tail),
      firstLine,
      bytes: this.position,
    };
  }
}

export interface TextPassOptions {
  onRawChunk?: (chunk: Buffer) => void;
  onProgress?: (bytesDone: number) => void;
}

async function* rawChunks(path: string, options: TextPassOptions): AsyncGenerator<Buffer> {
  let done = 0;
  for await (const raw of createReadStream(path, { highWaterMark: 1 << 22 }) as AsyncIterable<Buffer>) {
    options.onRawChunk?.(raw);
    done += raw.length;
    options.onProgress?.(done);
    yield raw;
  }
}

/** Bytes at the end of `chunk` that may be an unfinished UTF-8 character (a lead byte and what follows it). */
function unfinishedTail(chunk: Buffer): number {
  for (let back = 1; back <= 3 && back <= chunk.length; back++) {
    const b = chunk[chunk.length - back];
    if ((b & 0xc0) === 0xc0) return back;
    if ((b & 0x80) === 0) return 0;
  }
  return 0;
}

const CHUNK_BYTES = 1 << 22;

/**
 * Reads a file chunk by chunk into one buffer: `consume` takes what it can of a chunk and returns
 * how many bytes it took; the rest (a character cut by the chunk's end, at most 3 bytes) starts
 * the next chunk, so nothing but those bytes is ever copied. Returns the bytes left at the end.
 */
async function readConsuming(path: string, options: TextPassOptions, consume: (chunk: Buffer) => number): Promise<Buffer> {
  const buffer = Buffer.allocUnsafe(CHUNK_BYTES + 3);
  const handle = await open(path, 'r');
  let kept = 0;
  let done = 0;
  try {
    for (;;) {
      const { bytesRead } = await handle.read(buffer, kept, CHUNK_BYTES, null);
      if (bytesRead === 0) break;
      options.onRawChunk?.(buffer.subarray(kept, kept + bytesRead));
      done += bytesRead;
      options.onProgress?.(done);
      const filled = kept + bytesRead;
      const taken = consume(buffer.subarray(0, filled));
      buffer.copyWithin(0, taken, filled);
      kept = filled - taken;
    }
  } finally {
    await handle.close();
  }
  return Buffer.from(buffer.subarray(0, kept));
}

/** Reads a UTF-8 file once: refuses it at the first invalid byte, and measures its lines. */
export async function inspectUtf8(path: string, encoding: 'utf-8' | 'utf-8-bom', options: TextPassOptions = {}): Promise<TextLayout> {
  const layout = new LayoutCounter();
  let offset = 0; // bytes of the file validated so far
  // Each piece validated ends between characters: an unfinished one waits for the next chunk.
  const rest = await readConsuming(path, options, (chunk) => {
    const piece = chunk.subarray(0, chunk.length - unfinishedTail(chunk));
    if (!isUtf8(piece)) {
      const bad = firstInvalidUtf8(piece);
      const at = offset + bad;
      const line = layout.lines + countLineFeeds(piece, bad) + 1;
      throw new RefusedFile(
        `${path}: 第 ${line} 行（第 ${at + 1} 字节）不是合法的 UTF-8，文件可能混用了编码；整个文件未导入 / invalid UTF-8 at byte ${at + 1} (line ${line}): the file mixes encodings; nothing was loaded`,
      );
    }
    layout.feed(piece);
    offset += piece.length;
    return piece.length;
  });
  if (rest.length) {
    if (!isUtf8(rest)) {
      const line = layout.lines + 1;
      throw new RefusedFile(`${path}: 文件末尾（第 ${line} 行）是不完整的 UTF-8 字符，文件可能被截断；整个文件未导入 / the file ends inside a UTF-8 character on line ${line} (truncated?); nothing was loaded`);
    }
    layout.feed(rest);
  }
  void encoding; // a BOM is part of the first line's bytes, removed by the layout
  return layout.result();
}

// ---------------------------------------------------------------------------------------------
// GB18030 (and GBK, its two-byte part) to UTF-8 by table: one array lookup per character instead
// of a decoder call per chunk and a second encoding pass, so that a GBK export costs little more
// than its UTF-8 twin. The table is built once from the platform's own GB18030 decoder, so the
// result is exactly what TextDecoder('gb18030') gives.

let pairs: Uint32Array | null = null;

/** (lead << 8 | trail) → UTF-8 bytes of the character (up to 3) and their count in the top byte; 0 = invalid. */
function pairTable(): Uint32Array {
  if (pairs) return pairs;
  const table = new Uint32Array(65536);
  const decoder = new TextDecoder('gb18030');
  const pair = new Uint8Array(2);
  for (let lead = 0x81; lead <= 0xfe; lead++) {
    for (let trail = 0x40; trail <= 0xfe; trail++) {
      if (trail === 0x7f) continue;
      pair[0] = lead;
      pair[1] = trail;
      const text = decoder.decode(pair);
      if (text.length !== 1 || text === '\ufffd') continue;
      const bytes = Buffer.from(text, 'utf8');
      table[(lead << 8) | trail] = ((bytes.length << 24) | (bytes[0] << 16) | (bytes[1] << 8) | (bytes[2] ?? 0)) >>> 0;
    }
  }
  pairs = table;
  return table;
}

class UndecodableByte extends Error {
  constructor(readonly at: number) {
    super('undecodable');
  }
}

/**
 * Transcodes one chunk of GB18030 into `out`, from `start`; returns where the input stopped (an
 * incomplete character at the end is left for the next chunk) and the bytes written. Throws
 * UndecodableByte with the offset in `input` of the first byte that is not GB18030.
 */
function gb18030Chunk(input: Buffer, out: Buffer, table: Uint32Array, four: TextDecoder): { read: number; written: number } {
  const n = input.length;
  let o = 0;
  let i = 0;
  while (i < n) {
    const b = input[i];
    if (b < 0x80) {
      out[o++] = b;
      i++;
      continue;
    }
    if (b === 0x80) {
      // WHATWG: a lone 0x80 is the euro sign.
      out[o++] = 0xe2;
      out[o++] = 0x82;
      out[o++] = 0xac;
      i++;
      continue;
    }
    if (b === 0xff) throw new UndecodableByte(i);
    if (i + 1 >= n) break;
    const t = input[i + 1];
    if (t >= 0x30 && t <= 0x39) {
      // A four-byte sequence (rare: characters beyond GBK).
      if (i + 3 >= n) break;
      let text: string;
      try {
        text = four.decode(input.subarray(i, i + 4));
      } catch {
        throw new UndecodableByte(i + 2);
      }
      o += out.write(text, o, 'utf8');
      i += 4;
      continue;
    }
    const v = table[(b << 8) | t];
    if (v === 0) throw new UndecodableByte(i + 1);
    out[o++] = (v >>> 16) & 0xff;
    out[o++] = (v >>> 8) & 0xff;
    if (v >>> 24 === 3) out[o++] = v & 0xff;
    i += 2;
  }
  return { read: i, written: o };
}

/**
 * Transcodes a GB18030/GBK or UTF-16 file into UTF-8 at `target`, measuring the lines of the
 * result. A byte that is not valid in the encoding, or a file that ends inside a character,
 * refuses the file with the byte and line.
 */
export async function transcodeToUtf8(path: string, encoding: 'gb18030' | 'utf-16le' | 'utf-16be', target: string, options: TextPassOptions = {}): Promise<TextLayout> {
  const layout = new LayoutCounter();
  const fd = openSync(target, 'w');
  let offset = 0; // bytes of the file consumed
  let lines = 0; // line feeds among them
  const refuse = (at: number, inside: Buffer, upTo: number): never => {
    const line = lines + countLineFeeds(inside, upTo) + 1;
    throw new RefusedFile(
      `${path}: 第 ${line} 行（第 ${at + 1} 字节）有无法按 ${encoding.toUpperCase()} 解码的字节；整个文件未导入 / bytes that are not valid ${encoding} at byte ${at + 1} (line ${line}); nothing was loaded`,
    );
  };
  const truncated = (): never => {
    throw new RefusedFile(
      `${path}: 文件末尾（第 ${lines + 1} 行）是不完整的 ${encoding.toUpperCase()} 字符，文件可能被截断；整个文件未导入 / the file ends inside a ${encoding} character on line ${lines + 1} (truncated?); nothing was loaded`,
    );
  };
  const write = (bytes: Buffer) => {
    layout.feed(bytes);
    for (let done = 0; done < bytes.length; ) done += writeSync(fd, bytes, done, bytes.length - done);
  };
  try {
    if (encoding === 'gb18030') {
      const table = pairTable();
      const four = new TextDecoder('gb18030', { fatal: true });
      const out = Buffer.allocUnsafe((CHUNK_BYTES + 3) * 3);
      const rest = await readConsuming(path, options, (chunk) => {
        let result: { read: number; written: number };
        try {
          result = gb18030Chunk(chunk, out, table, four);
        } catch (error) {
          if (!(error instanceof UndecodableByte)) throw error;
          refuse(offset + error.at, chunk, error.at);
        }
        write(out.subarray(0, result!.written));
        lines = layout.lines; // a line feed of the file is one of the text
        offset += result!.read;
        return result!.read;
      });
      if (rest.length) truncated();
    } else {
      const decoder = new TextDecoder(encoding, { fatal: true, ignoreBOM: false });
      for await (const raw of rawChunks(path, options)) {
        let text: string;
        try {
          text = decoder.decode(raw, { stream: true });
        } catch {
          const at = firstUndecodable(raw, encoding);
          refuse(offset + at, raw, at);
        }
        write(Buffer.from(text!, 'utf8'));
        lines += countUtf16LineFeeds(raw, encoding);
        offset += raw.length;
      }
      let tail = '';
      try {
        tail = decoder.decode();
      } catch {
        truncated();
      }
      if (tail) write(Buffer.from(tail, 'utf8'));
    }
  } finally {
    closeSync(fd);
  }
  return layout.result();
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

function countUtf16LineFeeds(raw: Buffer, encoding: 'utf-16le' | 'utf-16be'): number {
  let n = 0;
  for (let i = raw.indexOf(LF); i >= 0; i = raw.indexOf(LF, i + 1)) {
    if (encoding === 'utf-16le' ? i % 2 === 0 && raw[i + 1] === 0 : i % 2 === 1 && raw[i - 1] === 0) n++;
  }
  return n;
}
