import { writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { lookOverFile, mayHaveOuterSpaces, OuterSpaceLook } from '../../pipelines/ingest/outer-space.js';
import { csvText, dump, encodeText, ingest, tempFolder, ticket, Warehouse, wasmMatchesSource, type TextEncoding, type TicketRow } from './helpers.js';

/**
 * The look for cells with an outer space (outer-space.ts): its binary is its source assembled, it
 * finds a space beside every byte a cell can start after or end before, wherever it lies, and a
 * load that took the cells untrimmed because the first MiB had none stores exactly what a trimmed
 * load stores when a later row has one.
 */

const EDGES = [',', '\t', ';', '|', '"', '\n', '\r'];

/** The rule itself, a byte at a time. */
function reference(text: Buffer): boolean {
  if (text.length === 0) return false;
  if (text[0] === 0x20 || text[text.length - 1] === 0x20) return true;
  for (let i = 0; i + 1 < text.length; i++) {
    const [a, b] = [text[i], text[i + 1]];
    if ((a === 0x20 && EDGES.includes(String.fromCharCode(b))) || (b === 0x20 && EDGES.includes(String.fromCharCode(a)))) return true;
  }
  return false;
}

const temp = tempFolder('outer-space');
afterAll(() => temp.cleanup());

describe('the look for outer spaces', () => {
  it('runs the binary assembled from outer-space.wat (UPDATE_WASM=1 writes it again)', async () => {
    expect(await wasmMatchesSource('outer-space')).toBe(true);
  });

  it('finds a space beside each edge byte, either way round, at every offset of a block and its tail', () => {
    for (const edge of EDGES) {
      for (const pair of [` ${edge}`, `${edge} `]) {
        for (let at = 1; at < 40; at++) {
          for (const length of [at + 3, at + 17, 64]) {
            const text = Buffer.from('中'.repeat(30) + 'x'.repeat(length)); // no edge byte, no space
            const filled = Buffer.concat([text.subarray(0, 90 + at), Buffer.from(pair), text.subarray(92 + at)]);
            expect(mayHaveOuterSpaces(filled), `${JSON.stringify(pair)} at ${90 + at} of ${filled.length}`).toBe(true);
          }
        }
      }
    }
  });

  it('passes spaces inside cells, and finds one at the start or the end of the text', () => {
    expect(mayHaveOuterSpaces(Buffer.from('a,b\n2022-01-01 10:00:00,"请 处理"\n'))).toBe(false);
    expect(mayHaveOuterSpaces(Buffer.from(' a,b\n'))).toBe(true);
    expect(mayHaveOuterSpaces(Buffer.from('a,b\n1,2 '))).toBe(true);
    expect(mayHaveOuterSpaces(Buffer.from(''))).toBe(false);
  });

  it('agrees with the rule on random texts, fed whole or cut anywhere, and across its 4 MiB chunks', async () => {
    const alphabet = ['a', ' ', '中', ...EDGES];
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    for (let n = 0; n < 800; n++) {
      // (short texts end in the pair-at-a-time tail; long ones cross several 64-byte blocks)
      const length = 1 + Math.floor(random() * (n % 2 ? 60 : 400));
      // mostly letters, so that many texts hold no space beside an edge byte
      const text = Buffer.from(Array.from({ length }, () => (random() < (n % 2 ? 0.8 : 0.97) ? 'a' : alphabet[Math.floor(random() * alphabet.length)])).join(''));
      const expected = reference(text);
      expect(mayHaveOuterSpaces(text), JSON.stringify(text.toString())).toBe(expected);
      const cut = Math.floor(random() * text.length);
      const look = new OuterSpaceLook();
      look.feed(text.subarray(0, cut));
      look.feed(text.subarray(cut));
      expect(look.end(), `${JSON.stringify(text.toString())} cut at ${cut}`).toBe(expected);
    }
    const big = Buffer.alloc((4 << 20) + 100, 'a');
    expect(mayHaveOuterSpaces(big)).toBe(false);
    // the look over a file (a text the pre-masking pass leaves to the SQL), the space in its second chunk or in none
    const file = temp.file('big.txt');
    writeFileSync(file, big);
    expect(await lookOverFile(file)).toBe(false);
    writeFileSync(file, Buffer.concat([big, Buffer.from(' ,a')]));
    expect(await lookOverFile(file)).toBe(true);
    for (const at of [(4 << 20) - 1, 4 << 20, (4 << 20) + 1]) {
      const spaced = Buffer.from(big);
      spaced[at - 1] = 0x20;
      spaced[at] = 0x2c;
      expect(mayHaveOuterSpaces(spaced), `a space at ${at - 1}, a comma after it`).toBe(true);
    }
  });
});

describe('a load whose first MiB has no outer space', () => {
  // 9,000 tickets (≈ 3 MB): the first MiB decides that cells are taken untrimmed.
  // `early`: a space at the end of the first row's text as well, so the load trims from the start.
  const rows = (spaced: boolean, early = false): TicketRow[] =>
    Array.from({ length: 9000 }, (_, i) => {
      const row = ticket(`2025070${String(i).padStart(6, '0')}`, { 诉求内容: `第 ${i} 号诉求，请处理`, 联系电话: `139${String(i).padStart(8, '0')}` });
      if (early && i === 0) row.诉求内容 += ' ';
      if (spaced && i === 8500) Object.assign(row, { 工单状态: '已办结 ', 回访结果: ' 满意', 受理时间: '2025-07-01 09:00:00 ', 诉求内容: ' 第 8500 号诉求，请处理 ' });
      if (spaced && i === 8600) Object.assign(row, { 诉求人: '王某 ', 承办单位: ' 昌吉市生态环境局' });
      return row;
    });

  // With the pass that pre-masks the text (which then does the look) and without it.
  async function stored(name: string, text: string, encoding: TextEncoding, preMask: boolean) {
    const file = temp.file(`${name}.csv`);
    writeFileSync(file, encodeText(text, encoding));
    const warehouse = await Warehouse.open(temp.file(`${name}.duckdb`));
    // The look answers only once DuckDB has begun to load, as it would on a large file.
    let loading: (value?: unknown) => void = () => undefined;
    const outerSpacesAnswerAfter = new Promise((resolve) => (loading = resolve));
    const phases = new Set<string>();
    let preMasked = false;
    try {
      const summary = await ingest(warehouse, file, {
        outerSpacesAnswerAfter,
        preMask,
        onPreMask: (outcome) => (preMasked = outcome !== null),
        onProgress: (progress) => {
          phases.add(progress.phase);
          if (progress.phase === 'loading') setTimeout(loading, 50);
        },
      });
      expect(phases.has('loading')).toBe(true);
      expect(preMasked).toBe(preMask);
      return { summary, tickets: await dump(warehouse, 'tickets', ['first_run_id', 'last_run_id']) };
    } finally {
      warehouse.close();
    }
  }

  for (const [encoding, preMask] of [['utf-8', true], ['utf-8', false], ['gbk', true]] as const) {
    it(`stores what a trimmed load stores when a later row has one (${encoding}${preMask ? ', pre-masked' : ''})`, async () => {
      const late = await stored(`late-${encoding}-${preMask}`, csvText(rows(true)), encoding, preMask);
      // the same rows with a space in the first line: trimmed from the start
      const early = await stored(`early-${encoding}-${preMask}`, csvText(rows(true, true)), encoding, preMask);
      expect(mayHaveOuterSpaces(encodeText(csvText(rows(true)), encoding).subarray(0, 1 << 20))).toBe(false);
      expect(late.summary).toMatchObject({ status: 'loaded', loaded: 9000, quarantined: 0 });
      expect(early.summary).toMatchObject({ status: 'loaded', loaded: 9000, quarantined: 0 });
      expect(late.tickets).toBe(early.tickets);
      const values = (JSON.parse(late.tickets) as Record<string, unknown>[]).flatMap((row) => Object.values(row)).filter((v): v is string => typeof v === 'string');
      expect(values).toContain('已办结');
      expect(values.filter((v) => v !== v.trim())).toEqual([]);
    });
  }

  it('stores the cells as they are when no row has one', async () => {
    for (const preMask of [true, false]) {
      const clean = await stored(`clean-${preMask}`, csvText(rows(false)), 'utf-8', preMask);
      const trimmed = await stored(`clean-trimmed-${preMask}`, csvText(rows(false, true)), 'utf-8', preMask);
      expect(clean.summary).toMatchObject({ status: 'loaded', loaded: 9000, quarantined: 0 });
      expect(clean.tickets).toBe(trimmed.tickets);
    }
  });
});
