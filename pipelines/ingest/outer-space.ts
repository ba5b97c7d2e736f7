import { createReadStream, readFileSync } from 'node:fs';

/**
 * Whether a CSV text may hold a cell that starts or ends with a space. The mapping trims every
 * cell that does (`clean` in mapping.ts), and testing each of a 2 M-row export's 54 M cells for it
 * costs ≈ 3 of a load's 30 CPU s. A look at the bytes settles it for the whole file: a cell begins
 * after a delimiter, a quote, a line break or the file's start and ends before one of them or the
 * file's end, so with no space beside any of those no cell can have an outer space. The look is
 * outer-space.wat (its binary outer-space.wasm beside it), 16 pairs of bytes at a time; it rides on
 * the pass over the bytes that hashes the file (0.27 CPU s for the benchmark's 714 MB) and stops
 * at the first space it finds beside one. An export with English text (", " in its cells) stops at
 * once and is trimmed as before.
 */

/** Bytes looked at per call: the loop's memory holds the byte before them and them. */
const CHUNK_BYTES = 1 << 22;

let compiled: WebAssembly.Module | null = null;

function outerSpaceModule(): WebAssembly.Module {
  compiled ??= new WebAssembly.Module(readFileSync(new URL('./outer-space.wasm', import.meta.url)));
  return compiled;
}

/** The look over one text, fed its bytes in order (UTF-8, or GB18030: the same ASCII bytes). */
export class OuterSpaceLook {
  private readonly memory: Uint8Array;
  private readonly touches: (at: number, n: number) => number;
  /** The byte before the next chunk: the text's start counts as a line break. */
  private before = 0x0a;
  private seen = false;

  constructor() {
    const exports = new WebAssembly.Instance(outerSpaceModule()).exports as unknown as { memory: WebAssembly.Memory; touches: (at: number, n: number) => number };
    this.memory = new Uint8Array(exports.memory.buffer);
    this.touches = exports.touches;
  }

  /** Looks at the next bytes; true once a space has been found beside a cell's edge. */
  feed(bytes: Uint8Array): boolean {
    for (let at = 0; !this.seen && at < bytes.length; at += CHUNK_BYTES) {
      const chunk = bytes.subarray(at, at + CHUNK_BYTES);
      this.memory[0] = this.before;
      this.memory.set(chunk, 1);
      this.seen = this.touches(0, chunk.length + 1) === 1;
      this.before = chunk[chunk.length - 1];
    }
    return this.seen;
  }

  /** The text has ended: whether any cell may start or end with a space (a last byte that is one ends a cell). */
  end(): boolean {
    return this.seen || this.before === 0x20;
  }
}

/** The look over a whole text in memory. */
export function mayHaveOuterSpaces(text: Uint8Array): boolean {
  const look = new OuterSpaceLook();
  look.feed(text);
  return look.end();
}

/** The look over a whole file, read a chunk at a time (it stops reading once it finds one). */
export async function lookOverFile(path: string): Promise<boolean> {
  const look = new OuterSpaceLook();
  const stream = createReadStream(path, { highWaterMark: CHUNK_BYTES });
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    if (look.feed(chunk)) {
      stream.destroy();
      break;
    }
  }
  return look.end();
}
