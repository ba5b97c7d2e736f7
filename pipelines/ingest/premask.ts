import { createReadStream, createWriteStream, readFileSync } from 'node:fs';
import { once } from 'node:events';

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
 * - The caller's name is taken out of the texts in SQL, after the numbers (hp_mask_name). That is
 *   the same as before only when the name holds no digit and no `*`: a row whose name cell holds
 *   either has all its free-text cells marked.
 *
 * The pass follows CSV as DuckDB reads it in place (quote `"`, doubled to escape it, LF or CRLF
 * line ends, the header on line 1). Anything DuckDB would reject or read otherwise — a quote inside
 * an unquoted cell, a character after a closing quote, a row with too many or too few cells —
 * ends the pass: the file is then masked wholly in SQL. test/ingest/premask.test.ts loads random
 * exports both ways and compares what is stored.
 *
 * The loop is premask.wat (its binary premask.wasm beside it), 64 bytes at a time. PROTOTYPE, not
 * on main: on the benchmark's 714 MB the pass takes ≈ 2 s on its own (wasm 1.2 s, the copies in
 * and out of its memory and the file's read and write the rest; JavaScript took 3.5–5 s), and as a
 * second pass beside the one that hashes the file, before DuckDB may start, it cost more (4.6 s)
 * than the ≈ 3 s of the insert it saves. See docs/benchmarks.md.
 */

export interface PreMaskPlan {
  delimiter: number;
  /** Cells per row (the header's), at most 256. */
  columns: number;
  /** The columns whose text is masked (the free-text fields taken from one column each). */
  masked: readonly number[];
  /** The caller's name column, if the mapping takes one. */
  name: number | null;
}

/** The text is not CSV as DuckDB reads it in place: the SQL masks the file. */
export class NotPlain extends Error {}

const LF = 0x0a;
/** Where the rows go in the module's memory (below: the columns' flags and the row's tables). */
const ROWS_AT = 65536;

let compiled: WebAssembly.Module | null = null;

function preMaskModule(): WebAssembly.Module {
  compiled ??= new WebAssembly.Module(readFileSync(new URL('./premask.wasm', import.meta.url)));
  return compiled;
}

interface Exports {
  memory: WebAssembly.Memory;
  work: (at: number, n: number, out: number, delimiter: number, columns: number, name: number) => number;
  written: WebAssembly.Global;
  problem: WebAssembly.Global;
  marked: WebAssembly.Global;
  numbers: WebAssembly.Global;
}

/**
 * The pass over one text, fed in order; each call returns the output bytes it has finished. Rows
 * are worked out whole: a row cut by a chunk's end waits for the next chunk. The header line is
 * passed on as it is.
 */
export class PreMasker {
  private readonly exports: Exports;
  private carry: Buffer | null = null;
  private headerDone = false;
  /** Bytes before the current input in the text (for where a problem lies). */
  private offset = 0;

  constructor(private readonly plan: PreMaskPlan) {
    if (plan.columns > 256 || plan.masked.some((c) => c < 0 || c >= plan.columns)) throw new Error('pre-masking needs at most 256 columns');
    this.exports = new WebAssembly.Instance(preMaskModule()).exports as unknown as Exports;
    const flags = new Uint8Array(this.exports.memory.buffer, 0, 256);
    for (const column of plan.masked) flags[column] = 1;
    if (plan.name !== null && plan.name < plan.columns && flags[plan.name] === 0) flags[plan.name] = 2;
  }

  /** Cells given the marker. */
  get marked(): number {
    return this.exports.marked.value as number;
  }

  /** Mobile numbers masked. */
  get maskedNumbers(): number {
    return this.exports.numbers.value as number;
  }

  push(chunk: Buffer): Buffer[] {
    const bytes = this.carry ? Buffer.concat([this.carry, chunk]) : chunk;
    this.carry = null;
    return this.work(bytes, false);
  }

  end(): Buffer[] {
    const last = this.carry;
    this.carry = null;
    if (!last || last.length === 0) return [];
    if (last[last.length - 1] === LF) return this.work(last, true);
    // (a last row without a line end is worked out as if it had one, which is left out again)
    const out = this.work(Buffer.concat([last, Buffer.from([LF])]), true);
    const tail = out[out.length - 1];
    out[out.length - 1] = tail.subarray(0, tail.length - 1);
    return out;
  }

  private work(bytes: Buffer, final: boolean): Buffer[] {
    const out: Buffer[] = [];
    let rows = bytes;
    if (!this.headerDone) {
      const feed = bytes.indexOf(LF);
      if (feed < 0) {
        if (final) return [bytes];
        this.carry = bytes;
        return [];
      }
      this.headerDone = true;
      out.push(bytes.subarray(0, feed + 1));
      rows = bytes.subarray(feed + 1);
      this.offset += feed + 1;
    }
    if (!rows.length) return out;
    const { memory, work } = this.exports;
    // (room for the rows and 64 zeros after them, and for the rows again with a marker per cell)
    const outAt = ROWS_AT + rows.length + 64;
    const need = outAt + rows.length * 2 + 16;
    if (memory.buffer.byteLength < need) memory.grow(Math.ceil((need - memory.buffer.byteLength) / 65536));
    const input = new Uint8Array(memory.buffer, ROWS_AT, rows.length + 64);
    input.set(rows);
    input.fill(0, rows.length);
    const { delimiter, columns, name } = this.plan;
    const used = work(ROWS_AT, rows.length, outAt, delimiter, columns, name ?? -1);
    if (used < 0) throw new NotPlain(`not plain CSV at byte ${this.offset + (this.exports.problem.value as number)}`);
    if (used < rows.length) {
      if (final) throw new NotPlain(`the last row is not complete (byte ${this.offset + used})`);
      this.carry = Buffer.from(rows.subarray(used));
    }
    this.offset += used;
    const written = this.exports.written.value as number;
    out.push(Buffer.from(new Uint8Array(memory.buffer, outAt, written)));
    return out;
  }
}

/** Writes the pre-masked copy of `path` to `target`; throws NotPlain (the copy then unused) when the text is not plain CSV. */
export async function preMaskFile(path: string, target: string, plan: PreMaskPlan): Promise<{ marked: number; maskedNumbers: number }> {
  const masker = new PreMasker(plan);
  const out = createWriteStream(target);
  const write = async (pieces: Buffer[]) => {
    for (const piece of pieces) if (piece.length && !out.write(piece)) await once(out, 'drain');
  };
  try {
    for await (const chunk of createReadStream(path, { highWaterMark: 1 << 22 }) as AsyncIterable<Buffer>) await write(masker.push(chunk));
    await write(masker.end());
  } catch (error) {
    out.destroy();
    throw error;
  }
  out.end();
  await once(out, 'finish');
  return { marked: masker.marked, maskedNumbers: masker.maskedNumbers };
}
