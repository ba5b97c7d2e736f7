import { readFileSync } from 'node:fs';

/**
 * GB18030 (and GBK, its two-byte part) to UTF-8 by table, in WebAssembly: one table entry per
 * character, ASCII copied 16 bytes at a time. The loop is gb18030.wat (its binary gb18030.wasm
 * beside it); the rare four-byte characters are left to the platform's decoder. The table is built
 * once from the platform's own GB18030 decoder, so the result is exactly what TextDecoder('gb18030')
 * gives. The benchmark's 581 MB GBK export, transcoded on two threads and hashed: 2.6 CPU s and
 * 1.45 s before DuckDB can read the copy, against 5.9 and 3.2–3.7 with the same loop in JavaScript
 * (docs/benchmarks.md).
 */

/** What one chunk gave: where the input stopped, the bytes written, and the first bad byte (−1: none). */
export interface ChunkResult {
  read: number;
  written: number;
  bad: number;
}

/**
 * Transcodes one chunk into `out` from 0, which has room for three bytes per input byte and 16 more.
 * An incomplete character at the chunk's end is left for the next chunk (`read` stops before it);
 * `bad` is the offset in the chunk of the first byte that is not GB18030.
 */
export type Gb18030Transcoder = (input: Uint8Array, out: Uint8Array) => ChunkResult;

let pairs: Uint32Array | null = null;

/** (lead << 8 | trail) → UTF-8 bytes of the character, first byte lowest, and their count in the top byte; 0 = not a character. */
export function pairTable(): Uint32Array {
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
      table[(lead << 8) | trail] = (bytes[0] | (bytes[1] << 8) | ((bytes[2] ?? 0) << 16) | (bytes.length << 24)) >>> 0;
    }
  }
  pairs = table;
  return table;
}

let compiled: WebAssembly.Module | null = null;

/** The compiled loop, once per process (a module can be handed to worker threads). */
export function gb18030Module(): WebAssembly.Module {
  compiled ??= new WebAssembly.Module(readFileSync(new URL('./gb18030.wasm', import.meta.url)));
  return compiled;
}

/**
 * A transcoder on its own instance of the loop (its own memory, which grows to the largest chunk:
 * the table's 256 KiB, the chunk and three times the chunk). Self-contained (no closure, no module
 * binding): its source also runs on the worker threads of a parallel transcode.
 */
export function gb18030Transcoder(module: WebAssembly.Module, table: Uint32Array): Gb18030Transcoder {
  const loop = new WebAssembly.Instance(module).exports as unknown as {
    memory: WebAssembly.Memory;
    transcode: (input: number, length: number, output: number) => number;
    read: WebAssembly.Global;
    written: WebAssembly.Global;
  };
  new Uint32Array(loop.memory.buffer, 0, 65536).set(table);
  const four = new TextDecoder('gb18030', { fatal: true });
  const utf8 = new TextEncoder();
  const INPUT = 65536 * 4;
  return (input, out) => {
    const n = input.length;
    const output = INPUT + n + (16 - (n % 16));
    const needed = output + n * 3 + 16;
    if (loop.memory.buffer.byteLength < needed) loop.memory.grow(Math.ceil((needed - loop.memory.buffer.byteLength) / 65536));
    const memory = new Uint8Array(loop.memory.buffer);
    memory.set(input, INPUT);
    let i = 0;
    let o = 0;
    let bad = -1;
    for (;;) {
      const status = loop.transcode(INPUT + i, n - i, output + o);
      i += loop.read.value as number;
      o += loop.written.value as number;
      if (status === 0 || status === 1) break;
      if (status === 2 || status === 4) {
        bad = status === 2 ? i : i + 1;
        break;
      }
      // 3: a four-byte sequence, whole in this chunk or left for the next
      if (i + 3 >= n) break;
      let text: string;
      try {
        text = four.decode(input.subarray(i, i + 4));
      } catch {
        bad = i + 2;
        break;
      }
      const encoded = utf8.encodeInto(text, memory.subarray(output + o, output + o + 4));
      o += encoded.written;
      i += 4;
    }
    out.set(memory.subarray(output, output + o));
    return { read: i, written: o, bad };
  };
}
