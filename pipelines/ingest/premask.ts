import * as fs from 'node:fs';
import { Worker } from 'node:worker_threads';

/**
 * Masking the free-text cells of a UTF-8 CSV before DuckDB reads it. In SQL the masking of a 2 M-row
 * export's request texts and addresses costs ≈ 9 of a load's 28 CPU s (queries/ingest/macros.sql,
 * hp_clean_text): every text is scanned by a regular expression with no literal to skip to, and
 * every mobile number is replaced through capture groups. One pass over the bytes here does the
 * common case for a fraction of that, and leaves every other cell to the SQL:
 *
 * - A cell is *plain* when it is not empty and has no white space for hp_squash to change (tab,
 *   line break, form feed, two spaces, U+3000, a space at either end), does not begin with the
 *   marker byte 0x01, and each of its runs of ASCII digits is either at most 6 long or a mobile
 *   number of exactly 11 (1[3-9]…), with no run of 3 or more followed by `-` or a space and 4
 *   digits. Every text that hp_mask_pattern finds needs one of these (a run of 17, of 7–8 after
 *   电话…, of 10–11 for a landline, of 12 for a mobile number after a digit, or a separator between
 *   runs of 3–4 and 4 or more), so a plain cell needs at most its mobile numbers masked, as
 *   hp_mask_mobiles does: the pass masks them in place (the middle four digits become `****`).
 * - Any other cell gets the marker 0x01 in front of its text and is otherwise left alone: the
 *   mapping takes the marker off and masks the text in SQL exactly as before.
 * - The caller's name (hp_mask_name, after the numbers) is looked for here too: a plain cell that
 *   holds the name cell's bytes is marked, so an unmarked cell needs nothing more. The bytes are the
 *   name the SQL looks for, and masking numbers cannot change where it stands, only when the name
 *   holds no digit or `*` and no space at either end: a row whose name cell does has all its
 *   free-text cells marked.
 * - A phone cell that is a mobile number and nothing else (1[3-9] and nine digits, as the SQL's
 *   hp_phone_digits keeps it) is hashed here when the warehouse's scheme is sha256-16: the cell
 *   becomes 0x02, the hash's 16 hex digits — SHA-256 of the key and the digits, four numbers at
 *   once in the module's 128-bit lanes (the SQL's sha256 took ≈ 1.3 of a 2 M-row load's CPU s) —
 *   and the number's first 3 and last 4 digits, all a quarantined row shows of it. The clear
 *   number is then not in the copy either. Any other phone cell is hashed in SQL as before.
 *
 * The pass follows CSV as DuckDB reads it in place (quote `"`, doubled to escape it, LF or CRLF
 * line ends, the header on line 1). Anything DuckDB would reject or read otherwise — a quote inside
 * an unquoted cell, a character after a closing quote, a row with too many or too few cells —
 * ends the pass: the file is then masked wholly in SQL. test/ingest/premask.test.ts loads random
 * exports both ways and compares what is stored.
 *
 * The loop is premask.wat (its binary premask.wasm beside it), 64 bytes at a time; the file is read
 * straight into its memory and written from there, on a thread of its own for a large file (the
 * pass that hashes the file goes on meanwhile on this one). DuckDB starts once it is done.
 */

export interface PreMaskPlan {
  delimiter: number;
  /** Cells per row (the header's), at most 256. */
  columns: number;
  /** The columns whose text is masked (the free-text fields taken from one column each). */
  masked: readonly number[];
  /** The caller's name column, if the mapping takes one. */
  name: number | null;
  /** The phone column, if its mobile numbers are to be hashed here (the key's 8 words are given). */
  phone?: number | null;
  /** The phone-hash key (32 bytes) as 8 big-endian words: the warehouse's scheme is sha256-16. */
  key?: readonly number[] | null;
}

export interface PreMasked {
  /** Free-text cells marked for the SQL. */
  marked: number;
  /** Mobile numbers masked here. */
  maskedNumbers: number;
  /** Phone cells hashed here. */
  hashedPhones: number;
  /**
   * Whether a cell of a row may start or end with a space: the look of outer-space.ts over the
   * rows (not the header), with the file's delimiter.
   */
  outerSpaces: boolean;
  /** The copy: one file, or two halves read in this order. */
  files: string[];
}

/** The text is not CSV as DuckDB reads it in place: the SQL masks the file. */
export class NotPlain extends Error {}

/** Files below this are masked on the calling thread (a thread costs more to start). */
const THREAD_MIN_BYTES = 32 << 20;
const CHUNK_BYTES = 4 << 20;

let compiled: WebAssembly.Module | null = null;

function preMaskModule(): WebAssembly.Module {
  compiled ??= new WebAssembly.Module(fs.readFileSync(new URL('./premask.wasm', import.meta.url)));
  return compiled;
}

/** What one part's pass did (the module's counters). */
type Counts = { marked: number; numbers: number; spaced: boolean; hashed: number };
type LoopResult = Counts | { notPlain: string };

/**
 * The bytes start … end − 1 of the file, whose first line is the header (`header` null) or which
 * start at a row (then `header`, the file's header line, is written first).
 */
interface Part {
  start: number;
  end: number;
  header: Uint8Array | null;
}

/**
 * The pass: reads `path` a chunk at a time into the module's memory (after the cut row of the
 * chunk before), writes the header line as it is and each whole row as work() gives it back.
 * Self-contained, as it also runs as a worker thread's source (fs is passed in).
 */
function preMaskLoop(files: typeof fs, module: WebAssembly.Module, path: string, target: string, plan: PreMaskPlan, chunkBytes: number, part: Part): LoopResult {
  type Exports = { memory: WebAssembly.Memory; work: (at: number, n: number, out: number, delimiter: number, columns: number) => number; written: WebAssembly.Global; problem: WebAssembly.Global; marked: WebAssembly.Global; numbers: WebAssembly.Global; spaced: WebAssembly.Global; hashed: WebAssembly.Global };
  const exports = new WebAssembly.Instance(module).exports as unknown as Exports;
  const ROWS_AT = 65536;
  const KEY_AT = 6400;
  let memory = new Uint8Array(exports.memory.buffer);
  for (const column of plan.masked) memory[column] = 1;
  if (plan.name !== null && plan.name < plan.columns && memory[plan.name] === 0) memory[plan.name] = 2;
  if (plan.phone != null && plan.key && plan.phone < plan.columns && memory[plan.phone] === 0) {
    memory[plan.phone] = 3;
    const words = new DataView(exports.memory.buffer, KEY_AT, 32);
    plan.key.forEach((word, i) => words.setUint32(4 * i, word, true)); // (as the module's i32.load reads them)
  }
  const input = files.openSync(path, 'r');
  const output = files.openSync(target, 'w');
  const writeAll = (at: number, length: number, bytes: Uint8Array = memory) => {
    for (let done = 0; done < length; ) done += files.writeSync(output, bytes, at + done, length - done);
  };
  try {
    let carried = 0; // a cut row's bytes, at ROWS_AT
    let header = part.header === null;
    if (part.header) writeAll(0, part.header.length, part.header);
    let offset = part.start; // the file's bytes before ROWS_AT
    let position = part.start;
    for (;;) {
      // room for the carried row and the chunk, 64 zeros after them, and three times that for the
      // copy (a marker per free-text cell; an 11-digit number becomes 24 bytes)
      const need = ROWS_AT + (carried + chunkBytes + 64) * 4 + 16;
      if (exports.memory.buffer.byteLength < need) exports.memory.grow(Math.ceil((need - exports.memory.buffer.byteLength) / 65536));
      memory = new Uint8Array(exports.memory.buffer);
      let got = 0;
      let ended = false;
      while (got < chunkBytes) {
        const read = files.readSync(input, memory, ROWS_AT + carried + got, Math.min(chunkBytes - got, part.end - position), position);
        position += read;
        if (read === 0) {
          ended = true;
          break;
        }
        got += read;
      }
      let start = ROWS_AT;
      let n = carried + got;
      if (header) {
        const feed = memory.subarray(ROWS_AT, ROWS_AT + n).indexOf(0x0a);
        if (feed < 0) {
          if (ended) {
            writeAll(ROWS_AT, n);
            break;
          }
          carried = n;
          continue;
        }
        writeAll(ROWS_AT, feed + 1);
        header = false;
        start += feed + 1;
        n -= feed + 1;
        offset += feed + 1;
      }
      // (a last row without a line end is worked out as if it had one, which is left out again)
      const appended = ended && n > 0 && memory[start + n - 1] !== 0x0a;
      if (appended) memory[start + n++] = 0x0a;
      memory.fill(0, start + n, start + n + 64);
      const out = start + n + 64;
      const used = exports.work(start, n, out, plan.delimiter, plan.columns);
      if (used < 0) return { notPlain: `at byte ${offset + (exports.problem.value as number)}` };
      writeAll(out, (exports.written.value as number) - (appended && used === n ? 1 : 0));
      offset += used;
      if (ended) {
        if (used < n) return { notPlain: `the last row is not complete (byte ${offset})` };
        break;
      }
      memory.copyWithin(ROWS_AT, start + used, start + n);
      carried = n - used;
    }
    return { marked: exports.marked.value as number, numbers: exports.numbers.value as number, spaced: exports.spaced.value === 1, hashed: exports.hashed.value as number };
  } finally {
    files.closeSync(input);
    files.closeSync(output);
  }
}

const THREAD_SOURCE = `
const __name = (f) => f; // (the helper a bundler that keeps names may call)
const fs = require('node:fs');
const { parentPort, workerData } = require('node:worker_threads');
const preMaskLoop = ${preMaskLoop.toString()};
const { module, path, target, plan, chunkBytes, part } = workerData;
parentPort.postMessage(preMaskLoop(fs, module, path, target, plan, chunkBytes, part));`;

function onThread(module: WebAssembly.Module, path: string, target: string, plan: PreMaskPlan, chunkBytes: number, part: Part): Promise<LoopResult> {
  return new Promise<LoopResult>((resolve, reject) => {
    const worker = new Worker(THREAD_SOURCE, { eval: true, workerData: { module, path, target, plan, chunkBytes, part } });
    worker.once('message', (reply: LoopResult) => {
      resolve(reply);
      void worker.terminate();
    });
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`the pre-masking thread ended (${code})`)));
  });
}

/**
 * Where a large file is cut in two for two threads: after the first line feed past its middle, with
 * the header line the second part's copy begins with; null when the first MiB holds no line end.
 * The cut may fall inside a quoted cell: the first part then ends in a row it cannot finish, and
 * the whole file is left to the SQL.
 */
function halves(path: string, size: number): { cut: number; header: Uint8Array } | null {
  const fd = fs.openSync(path, 'r');
  try {
    const look = Buffer.alloc(Math.min(1 << 20, size));
    const head = look.subarray(0, fs.readSync(fd, look, 0, look.length, 0));
    const headerEnd = head.indexOf(0x0a);
    if (headerEnd < 0) return null;
    const header = Uint8Array.from(head.subarray(0, headerEnd + 1));
    const middle = Math.floor(size / 2);
    const near = look.subarray(0, fs.readSync(fd, look, 0, Math.min(look.length, size - middle), middle));
    const feed = near.indexOf(0x0a);
    if (feed < 0 || middle + feed + 1 >= size || middle <= headerEnd) return null;
    return { cut: middle + feed + 1, header };
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Writes the pre-masked copy of `path`: to `target`, or — a file of twice the thread threshold or
 * more, cut in two halves masked on two threads at once — to `target` and a second file beside it,
 * each with the header line, which DuckDB reads as one relation in that order. Returns the files.
 * Throws NotPlain (no copy is then to be used) when the text is not plain CSV. The options are for
 * tests: `chunkBytes`, `thread` (false: this thread, one part), `halves` (two parts however small).
 */
export async function preMaskFile(
  path: string,
  target: string,
  plan: PreMaskPlan,
  options: { chunkBytes?: number; thread?: boolean; halves?: boolean } = {},
): Promise<PreMasked> {
  if (plan.columns > 256 || plan.masked.some((c) => c < 0 || c >= plan.columns)) throw new NotPlain('more than 256 columns');
  const chunkBytes = options.chunkBytes ?? CHUNK_BYTES;
  const size = fs.statSync(path).size;
  const thread = options.thread ?? (options.halves || size >= THREAD_MIN_BYTES);
  const module = preMaskModule();
  const whole: Part = { start: 0, end: size, header: null };
  const cut = thread && (options.halves ?? size >= 2 * THREAD_MIN_BYTES) ? halves(path, size) : null;
  const second = target.replace(/(\.csv)?$/, '-2.csv');
  const results: LoopResult[] = !thread
    ? [preMaskLoop(fs, module, path, target, plan, chunkBytes, whole)]
    : cut
      ? await Promise.all([
          onThread(module, path, target, plan, chunkBytes, { start: 0, end: cut.cut, header: null }),
          onThread(module, path, second, plan, chunkBytes, { start: cut.cut, end: size, header: cut.header }),
        ])
      : [await onThread(module, path, target, plan, chunkBytes, whole)];
  const files = results.length === 2 ? [target, second] : [target];
  const notPlain = results.find((r): r is { notPlain: string } => 'notPlain' in r);
  if (notPlain) {
    for (const file of files) fs.rmSync(file, { force: true });
    throw new NotPlain(`not plain CSV ${notPlain.notPlain}`);
  }
  const counts = results as Counts[];
  const sum = (of: (r: Counts) => number) => counts.reduce((total, r) => total + of(r), 0);
  return { marked: sum((r) => r.marked), maskedNumbers: sum((r) => r.numbers), hashedPhones: sum((r) => r.hashed), outerSpaces: counts.some((r) => r.spaced), files };
}
