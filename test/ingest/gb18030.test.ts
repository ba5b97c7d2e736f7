import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { gb18030Module, gb18030Transcoder, pairTable } from '../../pipelines/ingest/gb18030.js';
import { wasmMatchesSource } from './helpers.js';

/**
 * The WebAssembly loop of the GB18030 transcoder: its binary is its source assembled, and it gives
 * what the platform's decoder gives for every two-byte pair, the euro sign, four-byte characters,
 * ASCII runs of every length and alignment, and the bad bytes (the same offsets the loop in
 * JavaScript before it reported). encoding.test.ts covers whole files, chunks and threads.
 */


const transcoder = () => gb18030Transcoder(gb18030Module(), pairTable());

function run(input: Uint8Array) {
  const out = Buffer.alloc(input.length * 3 + 16);
  const result = transcoder()(input, out);
  return { ...result, text: out.subarray(0, result.written).toString('utf8') };
}

describe('GB18030 in WebAssembly', () => {
  it('runs the binary assembled from gb18030.wat (UPDATE_WASM=1 writes it again)', async () => {
    expect(await wasmMatchesSource('gb18030')).toBe(true);
  });

  it('gives every two-byte character exactly as TextDecoder does, between ASCII runs of every length', () => {
    const decoder = new TextDecoder('gb18030');
    const pieces: Buffer[] = [];
    let filler = 0;
    for (let lead = 0x81; lead <= 0xfe; lead++) {
      for (let trail = 0x40; trail <= 0xfe; trail++) {
        if (trail === 0x7f) continue;
        const pair = Buffer.from([lead, trail]);
        if (decoder.decode(pair) === '\ufffd') continue;
        pieces.push(pair, Buffer.from('a,1\n2345678901234567890123456789012'.slice(0, filler++ % 35)));
      }
    }
    const input = Buffer.concat([Buffer.from([0x80]), ...pieces, Buffer.from([0x80])]);
    const result = run(input);
    expect(result.bad).toBe(-1);
    expect(result.read).toBe(input.length);
    expect(result.text).toBe(decoder.decode(input));
    expect(result.text.startsWith('€')).toBe(true);
  });

  it('decodes four-byte characters, and leaves a character cut by the chunk end for the next chunk', () => {
    const text = '甲𠀀乙ÿ丙€丁\u{10ffff}';
    const bytes = iconv.encode(text, 'gb18030');
    expect(run(bytes)).toMatchObject({ read: bytes.length, bad: -1, text });
    for (let cut = 1; cut < bytes.length; cut++) {
      const first = run(bytes.subarray(0, cut));
      expect(first.bad).toBe(-1);
      const second = run(bytes.subarray(first.read));
      expect(first.text + second.text).toBe(text);
    }
  });

  it('stops at the first bad byte: 0xFF, a pair that is no character, a four-byte sequence that is none', () => {
    const good = iconv.encode('编号1234567890abcdefghij,甲', 'gb18030');
    expect(run(Buffer.concat([good, Buffer.from([0xff, 0x41])]))).toMatchObject({ read: good.length, bad: good.length });
    expect(run(Buffer.concat([good, Buffer.from([0x81, 0x20])]))).toMatchObject({ read: good.length, bad: good.length + 1 });
    expect(run(Buffer.concat([good, Buffer.from([0x81, 0x30, 0x20, 0x30])]))).toMatchObject({ read: good.length, bad: good.length + 2 });
    expect(run(Buffer.concat([good, Buffer.from([0x81, 0x20])])).text).toBe('编号1234567890abcdefghij,甲');
  });

  it('reuses its memory across chunks of growing size', () => {
    const transcode = transcoder();
    for (const size of [10, 100_000, 1_000, 3_000_000, 50]) {
      const text = '受理，'.repeat(size).slice(0, size) + 'x'.repeat(size % 17);
      const bytes = iconv.encode(text, 'gb18030');
      const out = Buffer.alloc(bytes.length * 3 + 16);
      const result = transcode(bytes, out);
      expect(out.subarray(0, result.written).toString('utf8')).toBe(text);
    }
  });
});
