import { createReadStream, closeSync, openSync, writeSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { isUtf8 } from 'node:buffer';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { gb18030Module, gb18030Transcoder, pairTable, type Gb18030Transcoder } from './gb18030.js';
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

/** What LayoutCounter needs of a piece of text it did not see (see lineSummary). */
interface LineSummary {
  bytes: number;
  lineFeeds: number;
  /** Offsets of the first and last line feed (−1: none). */
  firstFeed: number;
  lastFeed: number;
  /** The longest line between two line feeds of the piece. */
  longestInner: number;
  /** CRs followed by something other than a line feed inside the piece (one at its end is not counted). */
  loneCarriageReturns: number;
  firstByte: number;
  lastByte: number;
}

/** The line summary of `text[0, length)`. Self-contained: it also runs on transcoding threads. */
function lineSummary(text: Uint8Array, length: number): LineSummary {
  let lineFeeds = 0;
  let firstFeed = -1;
  let lastFeed = -1;
  let longestInner = 0;
  let lone = 0;
  for (let i = text.indexOf(0x0a); i >= 0 && i < length; i = text.indexOf(0x0a, i + 1)) {
    if (firstFeed < 0) firstFeed = i;
    else if (i - lastFeed - 1 > longestInner) longestInner = i - lastFeed - 1;
    lastFeed = i;
    lineFeeds++;
  }
  for (let i = text.indexOf(0x0d); i >= 0 && i < length; i = text.indexOf(0x0d, i + 1)) {
    if (i + 1 < length && text[i + 1] !== 0x0a) lone++;
  }
  return { bytes: length, lineFeeds, firstFeed, lastFeed, longestInner, loneCarriageReturns: lone, firstByte: length ? text[0] : -1, lastByte: length ? text[length - 1] : -1 };
}

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

  /**
   * Takes in a piece of text measured elsewhere (a segment of a parallel transcode) as `feed`
   * would have measured it, from its line summary and its first line.
   */
  feedSummary(summary: LineSummary, firstLine: Buffer): void {
    if (!summary.bytes) return;
    if (this.crAtEnd && summary.firstByte !== LF) this.lone++;
    if (!this.firstDone) {
      if (this.firstBytes < FIRST_LINE_LIMIT) {
        this.first.push(firstLine);
        this.firstBytes += firstLine.length;
      }
      if (summary.firstFeed >= 0) this.firstDone = true;
    }
    if (summary.firstFeed >= 0) {
      const at = this.position + summary.firstFeed;
      this.longest = Math.max(this.longest, at - this.lineStart, summary.longestInner);
      this.lineStart = this.position + summary.lastFeed + 1;
      this.lineFeeds += summary.lineFeeds;
    }
    this.lone += summary.loneCarriageReturns;
    this.crAtEnd = summary.lastByte === CR;
    this.last = summary.lastByte;
    this.position += summary.bytes;
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
  /** A GB18030 file from this size on is transcoded on worker threads (tests make it small). */
  parallelMinBytes?: number;
  /** Bytes per segment of a parallel transcode (tests make it small). */
  segmentBytes?: number;
  /** The thread that gets this segment fails on it (tests: a failed thread loses nothing). */
  failThreadAt?: number;
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
 * From byte `start` of the file (progress counts the bytes before it as done).
 */
async function readConsuming(path: string, options: TextPassOptions, consume: (chunk: Buffer) => number, start = 0): Promise<Buffer> {
  const buffer = Buffer.allocUnsafe(CHUNK_BYTES + 3);
  const handle = await open(path, 'r');
  let kept = 0;
  let done = start;
  try {
    for (;;) {
      const { bytesRead } = await handle.read(buffer, kept, CHUNK_BYTES, done);
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
// A large GB18030 file is transcoded on worker threads, a segment each: the file is cut right after
// a line feed (a byte that is never part of a multi-byte GB18030 character), each thread turns its
// segment into UTF-8, measures its lines and writes it at its place in the copy, while this thread
// hashes the original bytes and sums the lines in file order (the wait before DuckDB can read the
// copy of a 581 MB export: ≈ 1.45 s on two cores, 2.6 CPU s). A segment with anything irregular —
// an undecodable byte, a character cut by the segment's end — stops the parallel part there; the
// sequential transcoder goes on from that segment's first byte, so a refusal names the same byte
// and line as it would without threads.

/** Files below this are transcoded on the calling thread (starting threads costs more). */
const PARALLEL_MIN_BYTES = 32 << 20;
/** Bytes per segment; each thread holds one in and three times that out. */
const SEGMENT_BYTES = 8 << 20;

// A thread transcodes each segment it is sent, measures its lines and answers with the summary
// (and the raw bytes, handed back); once the main thread knows where the segment's text begins in
// the UTF-8 copy — every earlier segment's length — it tells the thread to write it there.
const GB18030_THREAD = `
const { writeSync } = require('node:fs');
const { parentPort, workerData } = require('node:worker_threads');
const lineSummary = ${lineSummary.toString()};
const transcode = (${gb18030Transcoder.toString()})(workerData.module, new Uint32Array(workerData.table));
const held = new Map();
const spare = [];
parentPort.on('message', (message) => {
  if (message.write !== undefined) {
    const out = held.get(message.id);
    held.delete(message.id);
    try {
      for (let done = 0; done < out.length; ) done += writeSync(workerData.fd, out, done, out.length - done, message.write + done);
      spare.push(out.buffer);
      parentPort.postMessage({ id: message.id, wrote: true });
    } catch (error) {
      parentPort.postMessage({ id: message.id, wrote: false, error: String(error && error.message || error) });
    }
    return;
  }
  const { id, input, length } = message;
  if (id === workerData.failAt) throw new Error('transcoding thread failed (test)');
  const bytes = new Uint8Array(input, 0, length);
  // (room for the worst case, three bytes out per byte in; rounded up, so that buffers are reused)
  const size = Math.ceil((length * 3 + 16) / 4194304) * 4194304;
  const reused = spare.length && spare[spare.length - 1].byteLength >= size ? spare.pop() : null;
  const out = reused ? Buffer.from(reused) : Buffer.allocUnsafeSlow(size);
  const { read, written, bad } = transcode(bytes, out);
  const summary = lineSummary(out, written);
  const firstLine = id === 0 ? Buffer.from(out.subarray(0, Math.min(summary.firstFeed < 0 ? written : summary.firstFeed, 1 << 20))) : null;
  held.set(id, out.subarray(0, written));
  parentPort.postMessage({ id, input, read, written, bad, summary, firstLine }, [input]);
});`;

interface SegmentResult {
  input: ArrayBuffer;
  read: number;
  written: number;
  bad: number;
  summary: LineSummary;
  firstLine: Uint8Array | null;
}

/** Threads for a parallel transcode: the cores, at most 4 (reading and hashing stay on this thread). */
function transcodeThreads(): number {
  return Math.min(4, availableParallelism());
}

/**
 * The parallel part of a GB18030 transcode into `fd`: segments of the file, each ending right after
 * a line feed, transcoded and written by worker threads; `emit` gets each segment's raw bytes, line
 * summary and (the first segment's) first line in file order. Returns the offset where the
 * sequential transcoder must go on: the file's size when every segment was regular; the first byte
 * of the first segment that was not (a bad byte, a character cut by the end of the file, a line
 * longer than a segment, a thread that failed); 0 for a file under `parallelMinBytes`. The UTF-8
 * text of the segments before that offset is in `fd` from its start when this returns.
 */
async function transcodeSegments(
  path: string,
  transcodeHere: Gb18030Transcoder,
  fd: number,
  options: TextPassOptions,
  emit: (raw: Buffer, summary: LineSummary, firstLine: Buffer) => void,
): Promise<number> {
  const segmentBytes = options.segmentBytes ?? SEGMENT_BYTES;
  const handle = await open(path, 'r');
  const workers: Worker[] = [];
  // Segments counted (hashed, measured) whose text a thread was asked to write at `at`.
  const writes: { start: number; length: number; at: number; reply: Promise<Reply> }[] = [];
  type Reply = SegmentResult & { wrote?: boolean; error?: string };
  try {
    const size = (await handle.stat()).size;
    const threads = transcodeThreads();
    if (size < (options.parallelMinBytes ?? PARALLEL_MIN_BYTES) || threads < 2) return 0;
    const waiting = new Map<string, { resolve: (reply: Reply) => void; reject: (error: unknown) => void }>();
    const expect = (key: string) => {
      const reply = new Promise<Reply>((resolve, reject) => waiting.set(key, { resolve, reject }));
      reply.catch(() => undefined); // awaited in order below; a failure must not go unhandled meanwhile
      return reply;
    };
    const failAll = (error: unknown) => {
      for (const { reject } of waiting.values()) reject(error);
      waiting.clear();
    };
    for (let i = 0; i < threads; i++) {
      const worker = new Worker(GB18030_THREAD, { eval: true, workerData: { module: gb18030Module(), table: pairTable().buffer, fd, failAt: options.failThreadAt ?? -1 } });
      worker.on('message', (reply: Reply & { id: number }) => {
        const key = `${reply.wrote === undefined ? 'segment' : 'write'} ${reply.id}`;
        waiting.get(key)?.resolve(reply);
        waiting.delete(key);
      });
      worker.on('error', failAll);
      worker.on('exit', () => failAll(new Error('transcoding thread exited')));
      workers.push(worker);
    }
    // Segments in flight, in file order: where each starts, how long it is, its result.
    const queue: { id: number; start: number; length: number; result: Promise<Reply> }[] = [];
    let position = 0; // next byte of the file to read
    let carry = Buffer.alloc(0); // the bytes after the last segment's final line feed
    let ended = false; // nothing left to cut (end of file, or a line longer than a segment)
    let next = 0;
    const spare: ArrayBuffer[] = []; // segments' raw buffers back from their threads, hashed
    const cut = async () => {
      const start = position - carry.length;
      const room = carry.length + segmentBytes;
      const reused = spare.pop();
      const buffer = reused && reused.byteLength >= room ? Buffer.from(reused, 0, room) : Buffer.allocUnsafeSlow(Math.ceil(room / 65536) * 65536);
      carry.copy(buffer, 0);
      const { bytesRead } = await handle.read(buffer, carry.length, segmentBytes, position);
      position += bytesRead;
      const filled = carry.length + bytesRead;
      let length = filled;
      if (position < size) {
        length = buffer.lastIndexOf(LF, filled - 1) + 1;
        if (length === 0) {
          ended = true; // a line longer than a segment: the sequential transcoder takes it from here
          return;
        }
      } else ended = true;
      carry = Buffer.from(buffer.subarray(length, filled));
      if (length === 0) return;
      const id = next++;
      const result = expect(`segment ${id}`);
      workers[id % workers.length].postMessage({ id, input: buffer.buffer, length }, [buffer.buffer]);
      queue.push({ id, start, length, result });
    };
    const transcode = async (): Promise<number> => {
      while (queue.length < threads + 1 && !ended) await cut();
      let resume = 0;
      let textAt = 0; // where the next segment's UTF-8 text goes in the copy
      while (queue.length) {
        const segment = queue.shift()!;
        let result: SegmentResult;
        try {
          result = await segment.result;
        } catch {
          return segment.start; // its thread failed
        }
        // Irregular (a bad byte, or a character the segment's end cut: the file's end, as every
        // other segment ends with a line feed): the sequential transcoder finds and names it.
        if (result.bad >= 0 || result.read < segment.length) return segment.start;
        writes.push({ start: segment.start, length: segment.length, at: textAt, reply: expect(`write ${segment.id}`) });
        workers[segment.id % workers.length].postMessage({ id: segment.id, write: textAt });
        textAt += result.written;
        emit(Buffer.from(result.input, 0, segment.length), result.summary, Buffer.from(result.firstLine ?? []));
        spare.push(result.input);
        resume = segment.start + segment.length;
        if (!ended) await cut();
      }
      return ended && position >= size && carry.length === 0 ? size : resume;
    };
    const resume = await transcode();
    // Every segment counted is in the copy before the sequential part goes on: a write its thread
    // could not make (the thread failed) is made here, from the same bytes.
    for (const write of writes) {
      const reply = await write.reply.catch(() => null);
      if (reply && !reply.wrote) throw new Error(`写入转码文件失败 / writing the UTF-8 copy failed: ${reply.error}`);
      if (reply) continue;
      const raw = Buffer.allocUnsafe(write.length);
      await handle.read(raw, 0, write.length, write.start);
      const out = Buffer.allocUnsafe(write.length * 3 + 16);
      const { written } = transcodeHere(raw, out);
      for (let done = 0; done < written; ) done += writeSync(fd, out, done, written - done, write.at + done);
    }
    return resume;
  } finally {
    await Promise.all(workers.map((worker) => worker.terminate()));
    await handle.close();
  }
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
  let textAt = 0; // bytes of UTF-8 text written
  const write = (bytes: Buffer) => {
    layout.feed(bytes);
    for (let done = 0; done < bytes.length; ) done += writeSync(fd, bytes, done, bytes.length - done, textAt + done);
    textAt += bytes.length;
  };
  try {
    if (encoding === 'gb18030') {
      const transcode = gb18030Transcoder(gb18030Module(), pairTable());
      // Whole segments on worker threads first; from the first one that is not regular (or when
      // the file is small), chunk by chunk here.
      let done = 0;
      offset = await transcodeSegments(path, transcode, fd, options, (raw, summary, firstLine) => {
        options.onRawChunk?.(raw);
        layout.feedSummary(summary, firstLine);
        textAt += summary.bytes;
        done += raw.length;
        options.onProgress?.(done);
      });
      lines = layout.lines;
      const out = Buffer.allocUnsafe((CHUNK_BYTES + 3) * 3 + 16);
      const rest = await readConsuming(
        path,
        options,
        (chunk) => {
          const result = transcode(chunk, out);
          if (result.bad >= 0) refuse(offset + result.bad, chunk, result.bad);
          write(out.subarray(0, result.written));
          lines = layout.lines; // a line feed of the file is one of the text
          offset += result.read;
          return result.read;
        },
        offset,
      );
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
