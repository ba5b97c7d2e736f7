import iconv from 'iconv-lite';
import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { detectEncoding, inspectUtf8, transcodeToUtf8 } from '../../pipelines/ingest/encoding.js';
import { RefusedFile } from '../../pipelines/ingest/source.js';
import { tempFolder } from './helpers.js';

/**
 * Encodings: detection, the table-driven GB18030 transcoder (byte-identical to the platform's own
 * decoder, across chunk boundaries, with the four-byte range and the euro sign), UTF-16, and the
 * line layout DuckDB's in-place read depends on. Bad bytes refuse the file with their byte and line.
 */

const temp = tempFolder('encoding');
afterAll(() => temp.cleanup());

const TEXT = '工单编号,内容\n1,噪声扰民€ 𠀀 ㊣ ﹏ 〇\r\n2,“引号” 与 ×÷ 全角　空格\n';

describe('encodings', () => {
  it('detects UTF-8, UTF-8 with BOM, UTF-16 and GB18030 from the bytes', () => {
    expect(detectEncoding('x', Buffer.from(TEXT))).toBe('utf-8');
    expect(detectEncoding('x', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(TEXT)]))).toBe('utf-8-bom');
    expect(detectEncoding('x', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(TEXT, 'utf16le')]))).toBe('utf-16le');
    expect(detectEncoding('x', iconv.encode(TEXT, 'gb18030'))).toBe('gb18030');
  });

  it('transcodes GB18030 exactly as TextDecoder does, whatever the chunking, and measures the lines', async () => {
    // Long enough for several 4 MiB chunks, so that characters and CRLFs straddle chunk ends.
    const text = TEXT.repeat(200_000);
    const source = temp.file('gb.csv');
    writeFileSync(source, iconv.encode(text, 'gb18030'));
    const layout = await transcodeToUtf8(source, 'gb18030', temp.file('gb-utf8.csv'));
    const out = readFileSync(temp.file('gb-utf8.csv'));
    expect(out.equals(Buffer.from(new TextDecoder('gb18030').decode(readFileSync(source)), 'utf8'))).toBe(true);
    expect(out.toString('utf8')).toBe(text);
    expect(layout).toMatchObject({ lineFeeds: 600_000, endsWithNewline: true, loneCarriageReturns: 0, bytes: out.length });
    expect(layout.firstLine.toString('utf8')).toBe('工单编号,内容');
  });

  it('transcodes a large GB18030 file on worker threads in segments: the same bytes, layout and hash input as one thread', async () => {
    // Segments of 64 KiB (each ends after a line feed), one line longer than a segment, CRLFs.
    const text = TEXT.repeat(20_000) + `3,${'长'.repeat(50_000)}\n` + TEXT.repeat(5_000);
    const source = temp.file('gb-par.csv');
    writeFileSync(source, iconv.encode(text, 'gb18030'));
    const seen: Buffer[] = [];
    const progress: number[] = [];
    const options = { parallelMinBytes: 1, segmentBytes: 1 << 16, onRawChunk: (c: Buffer) => seen.push(Buffer.from(c)), onProgress: (n: number) => progress.push(n) };
    const layout = await transcodeToUtf8(source, 'gb18030', temp.file('gb-par-utf8.csv'), options);
    const out = readFileSync(temp.file('gb-par-utf8.csv'));
    expect(out.toString('utf8')).toBe(text);
    expect(Buffer.concat(seen).equals(readFileSync(source))).toBe(true); // every byte once, in order
    expect(progress.at(-1)).toBe(readFileSync(source).length);
    // Segment by segment (64 KiB each, the long line's on one thread): one thread reads 4 MiB chunks.
    expect(progress.length).toBeGreaterThan(readFileSync(source).length / (1 << 17));
    const single = await transcodeToUtf8(source, 'gb18030', temp.file('gb-one-utf8.csv'));
    expect(layout).toEqual(single);

    // A thread that fails (on the 6th segment) loses nothing: what it had not written is written
    // from the same bytes, and one thread goes on from the first segment not counted.
    const again: Buffer[] = [];
    const steps: number[] = [];
    const recovered = await transcodeToUtf8(source, 'gb18030', temp.file('gb-fail-utf8.csv'), {
      ...options,
      failThreadAt: 5,
      onRawChunk: (c: Buffer) => again.push(Buffer.from(c)),
      onProgress: (n: number) => steps.push(n),
    });
    expect(readFileSync(temp.file('gb-fail-utf8.csv')).equals(out)).toBe(true);
    expect(Buffer.concat(again).equals(readFileSync(source))).toBe(true);
    expect(recovered).toEqual(single);
    expect(steps.length).toBeLessThan(progress.length); // the rest came in one thread's 4 MiB chunks
  });

  it('refuses a bad byte deep in a parallel transcode with the same byte and line as one thread', async () => {
    const good = iconv.encode(TEXT.repeat(10_000), 'gb18030');
    const lines = TEXT.repeat(10_000).split('\n').length - 1;
    const bad = temp.file('bad-gb-par.csv');
    writeFileSync(bad, Buffer.concat([good, Buffer.from('4,'), Buffer.from([0x81, 0x20]), Buffer.from('\n'), good]));
    const message = `bytes that are not valid gb18030 at byte ${good.length + 4} (line ${lines + 1}); nothing was loaded`;
    await expect(transcodeToUtf8(bad, 'gb18030', temp.file('o4.csv'), { parallelMinBytes: 1, segmentBytes: 1 << 16 })).rejects.toThrow(message);
    await expect(transcodeToUtf8(bad, 'gb18030', temp.file('o5.csv'))).rejects.toThrow(message);
    const cut = temp.file('cut-gb-par.csv');
    const whole = Buffer.concat([good, iconv.encode('1,甲乙', 'gb18030')]);
    writeFileSync(cut, whole.subarray(0, whole.length - 1));
    await expect(transcodeToUtf8(cut, 'gb18030', temp.file('o6.csv'), { parallelMinBytes: 1, segmentBytes: 1 << 16 })).rejects.toThrow(
      `文件末尾（第 ${lines + 1} 行）是不完整的 GB18030 字符`,
    );
  });

  it('transcodes UTF-16 with a BOM', async () => {
    const source = temp.file('utf16.csv');
    writeFileSync(source, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(TEXT, 'utf16le')]));
    await transcodeToUtf8(source, 'utf-16le', temp.file('utf16-utf8.csv'));
    expect(readFileSync(temp.file('utf16-utf8.csv'), 'utf8')).toBe(TEXT);
  });

  it('refuses bytes that are not GB18030, and a GB18030 file cut inside a character, with byte and line', async () => {
    const good = iconv.encode('编号,内容\n1,甲\n2,乙\n', 'gb18030');
    const bad = temp.file('bad-gb.csv');
    writeFileSync(bad, Buffer.concat([good, Buffer.from([0xff, 0x0a])]));
    await expect(transcodeToUtf8(bad, 'gb18030', temp.file('o1.csv'))).rejects.toThrow(`bytes that are not valid gb18030 at byte ${good.length + 1} (line 4); nothing was loaded`);
    const cut = temp.file('cut-gb.csv');
    const whole = iconv.encode('编号,内容\n1,甲乙', 'gb18030');
    writeFileSync(cut, whole.subarray(0, whole.length - 1));
    await expect(transcodeToUtf8(cut, 'gb18030', temp.file('o2.csv'))).rejects.toThrow(/文件末尾（第 2 行）是不完整的 GB18030 字符，文件可能被截断/);
    await expect(transcodeToUtf8(cut, 'gb18030', temp.file('o3.csv'))).rejects.toBeInstanceOf(RefusedFile);
  });

  it('checks UTF-8 in place: the layout of a regular file; invalid bytes refused with byte and line', async () => {
    const file = temp.file('utf8.csv');
    writeFileSync(file, 'a,b\r\n1,2\r\n3,4');
    expect(await inspectUtf8(file, 'utf-8')).toMatchObject({ lineFeeds: 2, endsWithNewline: false, loneCarriageReturns: 0, longestLine: 4 });
    writeFileSync(file, 'a,b\n1,2\r3\n');
    expect((await inspectUtf8(file, 'utf-8')).loneCarriageReturns).toBe(1);
    writeFileSync(file, Buffer.concat([Buffer.from('a,b\n1,'), iconv.encode('甲', 'gbk'), Buffer.from('\n')]));
    await expect(inspectUtf8(file, 'utf-8')).rejects.toThrow('invalid UTF-8 at byte 7 (line 2)');
    writeFileSync(file, Buffer.from('a,b\n1,甲').subarray(0, 8));
    await expect(inspectUtf8(file, 'utf-8')).rejects.toThrow(/文件末尾（第 2 行）是不完整的 UTF-8 字符/);
  });
});
