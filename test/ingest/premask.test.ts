import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { NotPlain, preMaskFile, type PreMasked, type PreMaskPlan } from '../../pipelines/ingest/premask.js';
import { csvText, dump, ingest, TEST_KEY, tempFolder, ticket, TICKET_HEADERS, Warehouse, wasmMatchesSource, type TicketRow } from './helpers.js';

// The pass of premask.ts masks the plain free-text cells of a UTF-8 export before DuckDB reads it
// and marks the rest for the SQL. What it stores must be exactly what the SQL alone stores (the
// masking privacy.test.ts checks against hp_mask_all): each test loads the same export both ways.

const temp = tempFolder('premask');
afterAll(() => temp.cleanup());

const CONTENT = TICKET_HEADERS.indexOf('诉求内容');
const ADDRESS = TICKET_HEADERS.indexOf('诉求地址');
const NAME = TICKET_HEADERS.indexOf('诉求人');
const KEY = Buffer.from(TEST_KEY, 'hex');
const PHONE = TICKET_HEADERS.indexOf('联系电话');
const PLAN: PreMaskPlan = { delimiter: 0x2c, columns: TICKET_HEADERS.length, masked: [CONTENT, ADDRESS], name: NAME, phone: PHONE, key: Array.from({ length: 8 }, (_, i) => KEY.readUInt32BE(4 * i)) };

/** A small random generator (the same texts on every run). */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

/** Pieces a request text is made of: words, numbers of every kind and near misses, white space, quotes. */
const PIECES = [
  '反映', '小区', '楼下', '噪声', '，', '。', '、', '「', '」', '联系电话', '电话', '电话：', '手机号码是', '固话', '座机', '联系方式:', '号楼', '单元',
  '13912345678', '15800001111', '19987654321', '12345678901', '1391234567', '139123456789', '013912345678', '+86 13912345678', '8613912345678',
  '139-1234-5678', '139 1234 5678', '1391234-5678', '139-12345678', '0994-2345678', '09942345678', '0994 2345678', '2345678', '23456789',
  '1234-5678', '652301199001011234', '65230119900101123X', '12', '123', '1234', '12345', '123456', '2025-07-01', '3 号', '-', ' ', '  ',
  '\t', '\n', '\r\n', '\f', '\v', '\u3000', '\u3001', '"', ',', '*', '***', '王某', '张3', '\u0001', 'A', 'z', '电话2345678', '电话：23456789', '手机1391234567',
];

/** The pieces a plain text (one the pass masks itself) is made of. */
const PLAIN_PIECES = ['反映', '小区', '噪声', '，', '。', '、', '联系电话', '电话', '号楼', '13912345678', '15800001111', '12', '123', '123456', '3 号', '-', ' ', 'A', '王某'];

/**
 * A text of plain pieces; most get one piece of any kind among them (so that each kind is often
 * the only thing in its text the pass must see), some two.
 */
function text(next: () => number): string {
  const pick = (pieces: string[]) => pieces[Math.floor(next() * pieces.length)];
  const parts = Array.from({ length: Math.floor(next() * 7) }, () => pick(PLAIN_PIECES));
  for (let extra = next() < 0.8 ? (next() < 0.8 ? 1 : 2) : 0; extra > 0; extra--) parts.splice(Math.floor(next() * (parts.length + 1)), 0, pick(PIECES));
  return parts.join('');
}

/** Phone cells: mobile numbers (hashed by the pass), and every other kind (left to the SQL). */
const PHONES = ['13912345678', '15800001111', '19987654321', '13800000000', '12345678901', '139-1234-5678', '+86 13912345678', '8613912345678', '0994-2345678', '', '1391234567', '139123456789', ' 13912345678', '"13912345678"', '１３９１２３４５６７８'];

const NAMES = ['王某', '张三', '李', '', '张3', '1391', '*某', '**', '反映', '王 某', '小区', ' 王某', '王某 ', '王"某', '噪声'];

function exportRows(seed: number, count: number): TicketRow[] {
  const next = random(seed);
  return [
    ticket(`P${seed}-plain`, { 诉求内容: '噪声扰民，联系电话13912345678，请处理', 诉求人: '王某' }),
    ...Array.from({ length: count }, (_, i) =>
      ticket(`P${seed}-${String(i).padStart(5, '0')}`, {
        诉求内容: text(next),
        诉求地址: next() < 0.3 ? '' : text(next),
        诉求人: NAMES[Math.floor(next() * NAMES.length)],
        联系电话: PHONES[Math.floor(next() * PHONES.length)],
        // (a bad row now and then: quarantined with its line and masked record)
        ...(i % 37 === 5 ? { 来源渠道: '传真' } : {}),
      }),
    ),
  ];
}

type Outcome = PreMasked | null | undefined;

/** The export loaded with the pass (in two halves if asked) and without: what each stored. */
async function loadBothWays(path: string, halves = false): Promise<{ premasked: string; sql: string; outcome: Outcome }> {
  const stored: string[] = [];
  let outcome: Outcome;
  for (const preMask of [true, false]) {
    const warehouse = await Warehouse.open(temp.file(`w-${Math.random().toString(36).slice(2)}.duckdb`));
    try {
      const summary = await ingest(warehouse, path, { preMask, preMaskHalves: halves, onPreMask: (o) => (outcome = o) });
      expect(summary.status === 'loaded' || summary.status === 'quarantined', summary.message ?? '').toBe(true);
      const quarantined = await warehouse.all(`select row_number, reason, record from quarantine order by row_number`);
      stored.push((await dump(warehouse, 'tickets', ['first_run_id', 'last_run_id'])) + JSON.stringify(quarantined));
    } finally {
      warehouse.close();
    }
  }
  return { premasked: stored[0], sql: stored[1], outcome };
}

describe('the pass that masks free text before DuckDB reads it', () => {
  it('runs the binary assembled from premask.wat (UPDATE_WASM=1 writes it again)', async () => {
    expect(await wasmMatchesSource('premask')).toBe(true);
  });

  it('stores what the SQL alone stores, on random texts full of numbers, near misses, white space and quotes', async () => {
    for (const [seed, eol, halves] of [
      [1, '\n', false],
      [2, '\r\n', false],
      [3, '\n', true],
    ] as const) {
      const path = temp.file(`random-${seed}.csv`);
      writeFileSync(path, csvText(exportRows(seed, 400), { eol }));
      const { premasked, sql, outcome } = await loadBothWays(path, halves);
      expect(outcome?.files.length).toBe(halves ? 2 : 1);
      // the pass did the work: plain cells masked here, the others marked for the SQL
      expect(outcome?.maskedNumbers ?? 0).toBeGreaterThan(20);
      expect(outcome?.marked ?? 0).toBeGreaterThan(20);
      expect(outcome?.hashedPhones ?? 0).toBeGreaterThan(80);
      expect(premasked).toBe(sql);
      expect(premasked).toContain('联系电话139****5678');
      expect(sql).toMatch(/"row_number":\d+,"reason":"来源渠道“传真”/);
    }
  });

  it('hashes a phone cell that is a mobile number as the warehouse does, four at a time, and leaves any other', async () => {
    const next = random(11);
    // 4 × 3 + 2 numbers (the last lanes of a batch are left empty), among other phone cells
    const phones = Array.from({ length: 30 }, (_, i) => (i % 2 ? `1${3 + Math.floor(next() * 7)}${String(Math.floor(next() * 1e9)).padStart(9, '0')}` : PHONES[i % PHONES.length]));
    const path = temp.file('phones.csv');
    writeFileSync(path, csvText(phones.map((phone, i) => ticket(`H${i}`, { 联系电话: phone }))));
    for (const chunkBytes of [97, 4096]) {
      const copy = temp.file(`phones-copy-${chunkBytes}.csv`);
      const outcome = await preMaskFile(path, copy, PLAN, { chunkBytes, thread: false });
      const cells = readFileSync(copy, 'utf8').split('\n').slice(1, -1).map((line) => line.split(',')[PHONE]);
      const mobile = (p: string) => /^1[3-9][0-9]{9}$/.test(p);
      expect(outcome.hashedPhones).toBe(phones.filter(mobile).length);
      expect(outcome.hashedPhones % 4).not.toBe(0);
      phones.forEach((phone, i) => {
        const digits = phone;
        if (!mobile(phone)) return expect(cells[i]).toBe(csvText([ticket('x', { 联系电话: phone })]).split('\n')[1].split(',')[PHONE]);
        const hash = createHash('sha256').update(Buffer.concat([KEY, Buffer.from(digits)])).digest('hex').slice(0, 16);
        expect(cells[i]).toBe(`\u0002${hash}${digits.slice(0, 3)}${digits.slice(7)}`);
      });
    }
  });

  it('marks a plain cell for the SQL only when it holds the caller\'s name', async () => {
    const cases: [name: string, content: string, marked: boolean][] = [
      ['王某', '王某反映噪声', true],
      ['王某', '反映噪声王某', true],
      ['王某', '王平反映某事', false],
      ['ab', 'xaXbx', false],
      ['ab', 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxab', true], // (the name after a block of 16)
      ['ab', 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxa', false],
      ['王"某', '反映王"某', true],
      ['王"某', '反映王某', false],
      ['', '反映', false],
      [' 王某', '反映王某', true], // (a trimming load looks for 王某: every cell of the row is marked)
    ];
    const rows = cases.map(([name, content], i) => ticket(`N${i}`, { 诉求人: name, 诉求内容: content, 诉求地址: '小区' }));
    const path = temp.file('names.csv');
    writeFileSync(path, csvText(rows));
    const copy = temp.file('names-copy.csv');
    const outcome = await preMaskFile(path, copy, PLAN, { thread: false });
    const lines = readFileSync(copy, 'utf8').split('\n').slice(1);
    cases.forEach(([name, content, marked], i) => expect(lines[i].includes(`\u0001${content.replaceAll('"', '""')}`), `${name} in ${content}`).toBe(marked));
    expect(outcome.marked).toBe(cases.filter(([, , marked]) => marked).length + 1); // (and the address of the row with ' 王某')
    const { premasked, sql } = await loadBothWays(path);
    expect(premasked).toBe(sql);
    expect(premasked).not.toContain('王某反映');
  });

  it('tells whether a cell of a row may start or end with a space, as the look would with the file\'s delimiter', async () => {
    // the look's rule over the rows (not the header): a space beside the delimiter, a quote, a CR or a line feed
    const reference = (text: Buffer) => {
      const rows = text.subarray(text.indexOf(0x0a) + 1);
      const edge = (b: number) => b === 0x2c || b === 0x22 || b === 0x0a || b === 0x0d;
      if (rows[0] === 0x20 || rows[rows.length - 1] === 0x20) return true;
      return rows.some((b, i) => i + 1 < rows.length && ((b === 0x20 && edge(rows[i + 1])) || (edge(b) && rows[i + 1] === 0x20)));
    };
    const fields = ['诉求内容', '诉求地址', '诉求人', '工单状态', '承办单位', '是否解决'];
    const seen = new Set<boolean>();
    let checked = 0;
    const pieces = ['反映', '小区', '3 号', '噪声', '13912345678', '"', ',', '、'];
    for (let seed = 0; seed < 24; seed++) {
      const next = random(100 + seed);
      const pick = () => pieces[Math.floor(next() * pieces.length)];
      const rows = Array.from({ length: 30 }, (_, i) => ticket(`S${seed}-${i}`, { 诉求内容: pick() + pick() + pick(), 诉求地址: pick() + pick() }));
      // half the files get one outer space, somewhere
      if (seed % 2) {
        const row = rows[Math.floor(next() * rows.length)];
        const field = fields[Math.floor(next() * fields.length)];
        row[field] = next() < 0.5 ? ' ' + row[field] : row[field] + ' ';
      }
      const path = temp.file(`spaces-${seed}.csv`);
      writeFileSync(path, csvText(rows, { eol: seed % 3 ? '\n' : '\r\n' }).replace(/\r?\n$/, seed % 2 ? '' : '$&'));
      let outcome: PreMasked;
      try {
        outcome = await preMaskFile(path, temp.file(`spaces-copy-${seed}.csv`), PLAN, { chunkBytes: 997, halves: seed % 4 === 0 });
      } catch (error) {
        expect(error).toBeInstanceOf(NotPlain); // (a random text may leave the file to the SQL)
        continue;
      }
      const expected = reference(readFileSync(path));
      expect(outcome.outerSpaces, `seed ${seed}`).toBe(expected);
      seen.add(expected);
      checked++;
    }
    expect(checked).toBeGreaterThan(20);
    expect([...seen].sort()).toEqual([false, true]);
  });

  it('stores the same when the last row has no line end, or cells are quoted that need not be', async () => {
    const rows = exportRows(4, 50);
    const quoted = (value: string) => `"${value.replaceAll('"', '""')}"`;
    const body = [TICKET_HEADERS.join(','), ...rows.map((row) => TICKET_HEADERS.map((h) => quoted(row[h] ?? '')).join(','))].join('\n');
    const path = temp.file('quoted-no-end.csv');
    writeFileSync(path, body);
    const { premasked, sql, outcome } = await loadBothWays(path);
    expect(outcome).not.toBeNull();
    expect(premasked).toBe(sql);
  });

  it('writes the same copy whatever the chunks, on this thread or its own', async () => {
    const path = temp.file('chunks.csv');
    writeFileSync(path, csvText(exportRows(5, 200), { eol: '\r\n' }));
    const whole = temp.file('whole.csv');
    const outcome = await preMaskFile(path, whole, PLAN, { thread: false });
    expect(outcome.files).toEqual([whole]);
    const expected = readFileSync(whole);
    expect(expected.length).toBe(readFileSync(path).length + outcome.marked + 13 * outcome.hashedPhones);
    expect(outcome.hashedPhones).toBeGreaterThan(50);
    for (const chunkBytes of [1, 7, 64, 97, 1000]) {
      for (const thread of [false, true]) {
        const copy = temp.file(`copy-${chunkBytes}-${thread}.csv`);
        expect(await preMaskFile(path, copy, PLAN, { chunkBytes, thread })).toEqual({ ...outcome, files: [copy] });
        expect(readFileSync(copy).equals(expected)).toBe(true);
      }
      // in two halves on two threads: the second copy begins with the header again
      const half = temp.file(`half-${chunkBytes}.csv`);
      const cut = await preMaskFile(path, half, PLAN, { chunkBytes, halves: true });
      expect(cut.files).toHaveLength(2);
      expect({ ...cut, files: [] }).toEqual({ ...outcome, files: [] });
      const [first, rest] = cut.files.map((file) => readFileSync(file));
      const header = expected.subarray(0, expected.indexOf(0x0a) + 1);
      expect(rest.subarray(0, header.length).equals(header)).toBe(true);
      expect(Buffer.concat([first, rest.subarray(header.length)]).equals(expected)).toBe(true);
    }
  });

  it('leaves the file to the SQL when the halves are cut inside a quoted cell', async () => {
    // every content cell spans lines, so the middle's first line feed lies inside one
    const rows = exportRows(7, 100).map((row) => ({ ...row, 诉求内容: `第一行\n${'第二行'.repeat(40)}\n第三行` }));
    const path = temp.file('cut-inside.csv');
    writeFileSync(path, csvText(rows));
    await expect(preMaskFile(path, temp.file('cut-inside-copy.csv'), PLAN, { halves: true })).rejects.toThrow(NotPlain);
    const { premasked, sql, outcome } = await loadBothWays(path, true);
    expect(outcome).toBeNull();
    expect(premasked).toBe(sql);
  });

  it('leaves a text that is not plain CSV to the SQL, which stores the same', async () => {
    const rows = exportRows(6, 20);
    const good = csvText(rows).split('\n');
    const cases = {
      'a quote inside an unquoted cell': [...good.slice(0, 5), good[5].replace('投诉', '投"诉'), ...good.slice(6)].join('\n'),
      'a character after a closing quote': [...good.slice(0, 5), good[5].replace(/,[^,]*$/, ',"已解决"x'), ...good.slice(6)].join('\n'),
      'a row with a cell too many': [...good.slice(0, 5), good[5] + ',多余', ...good.slice(6)].join('\n'),
      'a blank line': [...good.slice(0, 5), '', ...good.slice(5)].join('\n'),
    };
    for (const [name, body] of Object.entries(cases)) {
      const path = temp.file(`${name}.csv`);
      writeFileSync(path, body);
      await expect(preMaskFile(path, temp.file('unused.csv'), PLAN), name).rejects.toThrow(NotPlain);
      const { premasked, sql, outcome } = await loadBothWays(path);
      expect(outcome, name).toBeNull();
      expect(premasked, name).toBe(sql);
    }
  });
});
