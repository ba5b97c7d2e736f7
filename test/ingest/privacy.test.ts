import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureHashKey, readHashKey } from '../../pipelines/privacy.js';
import { sqlFile } from '../../pipelines/warehouse.js';
import { OTHER_KEY, TEST_KEY, TICKET_HEADERS, Warehouse, csvLine, csvText, ingest, tempFolder, ticket, writeJson } from './helpers.js';

/**
 * Personal data (issue: privacy): the phone number, an ID number in the text and the caller's
 * name never reach the warehouse file or its WAL in clear; the phone becomes a keyed hash that is
 * stable for one key (repeat callers) and different under another key.
 */

const temp = tempFolder('privacy');
const PHONE = '13912345678';
const ID_NUMBER = '652301199001011234';
const NAME = '欧阳娜娜';

const rows = [
  ticket('2025070100001', { 诉求人: NAME, 联系电话: PHONE, 诉求内容: `我是${NAME}，电话${PHONE}，身份证号${ID_NUMBER}，请回电`, 诉求地址: `昌吉市宁边路 1 号，联系 ${PHONE}` }),
  ticket('2025070200002', { 诉求人: NAME, 联系电话: `+86 139 1234 5678`, 诉求内容: `再次反映，手机 139-1234-5678 或 139 1234 5678，座机 09942345678` }),
  ticket('2025070300003', { 诉求人: '李某', 联系电话: '13800001111', 诉求内容: '咨询社保' }),
  // Quarantined by the mapping (unknown channel) …
  ticket('2025070400004', { 诉求人: NAME, 联系电话: PHONE, 来源渠道: '传真', 诉求内容: `身份证${ID_NUMBER}` }),
];

/** The byte patterns under which the secrets could sit in a file. */
function patterns(): [string, Buffer][] {
  const int64 = (value: bigint) => {
    const buffer = Buffer.alloc(8);
    buffer.writeBigInt64LE(value);
    return buffer;
  };
  return [
    ['phone (UTF-8)', Buffer.from(PHONE)],
    ['phone (UTF-16LE)', Buffer.from(PHONE, 'utf16le')],
    ['phone (int64)', int64(BigInt(PHONE))],
    ['phone (spaced)', Buffer.from('139 1234 5678')],
    ['phone (dashed)', Buffer.from('139-1234-5678')],
    ['landline', Buffer.from('09942345678')],
    ['ID number (UTF-8)', Buffer.from(ID_NUMBER)],
    ['ID number (UTF-16LE)', Buffer.from(ID_NUMBER, 'utf16le')],
    ['ID number (int64)', int64(BigInt(ID_NUMBER))],
    ['birth date of the ID number', Buffer.from('652301' + '19900101')],
    ['name (UTF-8)', Buffer.from(NAME)],
    ['name (UTF-16LE)', Buffer.from(NAME, 'utf16le')],
    ['name (GB18030)', Buffer.from([0xc5, 0xb7, 0xd1, 0xf4, 0xc4, 0xc8, 0xc4, 0xc8])],
  ];
}

function expectClean(file: string) {
  const bytes = readFileSync(file);
  for (const [what, pattern] of patterns()) expect(bytes.indexOf(pattern), `${what} in ${file}`).toBe(-1);
}

/** Every text value of every table, for a search that compression cannot hide. */
async function allText(warehouse: Warehouse): Promise<string> {
  const columns = await warehouse.all<{ table_name: string; column_name: string }>(
    `select table_name, column_name from information_schema.columns where table_schema = 'main' and data_type = 'VARCHAR'`,
  );
  const parts: string[] = [];
  for (const { table_name, column_name } of columns) {
    const values = await warehouse.all<{ v: string | null }>(`select "${column_name}" as v from "${table_name}"`);
    parts.push(...values.map((r) => r.v ?? ''));
  }
  return parts.join('\n');
}

let dbFile: string;
let walBeforeCheckpoint: Buffer | null = null;
let stored: string;
let hashes: Record<string, string | null>;

beforeAll(async () => {
  dbFile = temp.file('privacy.duckdb');
  const warehouse = await Warehouse.open(dbFile);
  const csv = temp.file('calls-july.csv');
  // … and a row broken by a lost delimiter, whose columns shifted.
  const shifted = csvLine(ticket('2025070500005', { 诉求人: NAME, 联系电话: PHONE })).replace('噪声扰民,', '噪声扰民');
  writeFileSync(csv, csvText(rows) + shifted + '\n');
  const summary = await ingest(warehouse, csv);
  expect(summary).toMatchObject({ status: 'loaded', loaded: 3, quarantined: 2 });
  // The same caller again, from a JSON export.
  const json = await ingest(warehouse, writeJson(temp.file('more.json'), [ticket('2025070600006', { 诉求人: NAME, 联系电话: `86${PHONE}` })]));
  expect(json).toMatchObject({ status: 'loaded', loaded: 1 });
  if (existsSync(dbFile + '.wal')) walBeforeCheckpoint = readFileSync(dbFile + '.wal');
  stored = await allText(warehouse);
  hashes = Object.fromEntries(
    (await warehouse.all<{ ticket_id: string; phone_hash: string | null }>(`select ticket_id, phone_hash from tickets`)).map((r) => [r.ticket_id, r.phone_hash]),
  );
  await warehouse.checkpoint();
  warehouse.close();
});
afterAll(() => temp.cleanup());

describe('personal data never reaches the warehouse in clear', () => {
  it('the database file holds neither the phone number, the ID number nor the name', () => {
    expectClean(dbFile);
    // The scan does see stored text: the masked forms are there.
    const bytes = readFileSync(dbFile);
    expect(bytes.indexOf(Buffer.from('139****5678'))).toBeGreaterThan(-1);
    expect(bytes.indexOf(Buffer.from('652301********1234'))).toBeGreaterThan(-1);
  });

  it('nor does the write-ahead log, before or after the checkpoint', () => {
    // A few rows stay in the WAL until the checkpoint (far below DuckDB's auto-checkpoint size).
    expect(walBeforeCheckpoint).not.toBeNull();
    expect(walBeforeCheckpoint!.indexOf(Buffer.from('139****5678'))).toBeGreaterThan(-1);
    for (const [what, pattern] of patterns()) expect(walBeforeCheckpoint!.indexOf(pattern), `${what} in the WAL`).toBe(-1);
    if (existsSync(dbFile + '.wal')) expectClean(dbFile + '.wal');
  });

  it('no stored text value holds them either (whatever the compression)', () => {
    expect(stored).not.toContain(PHONE);
    expect(stored).not.toContain(ID_NUMBER);
    expect(stored).not.toContain(NAME);
    expect(stored).not.toMatch(/1[3-9][0-9]{9}/);
    // The text itself is kept, with the numbers masked and the caller's own name replaced.
    expect(stored).toContain('我是***，电话139****5678，身份证号652301********1234，请回电');
    expect(stored).toContain('再次反映，手机 139****5678 或 139****5678，座机 0994***5678');
    expect(stored).toContain('"诉求人":"***"');
  });
});

describe('the phone hash', () => {
  it('repeat callers share one hash, whatever the spelling of the number; others differ', () => {
    const caller = hashes['2025070100001'];
    expect(caller).toMatch(/^[0-9a-f]{16}$/);
    expect(hashes['2025070200002']).toBe(caller); // +86 139 1234 5678
    expect(hashes['2025070600006']).toBe(caller); // 8613912345678
    expect(hashes['2025070300003']).not.toBe(caller);
    // Keyed: not the plain SHA-256 of the number.
    expect(caller).not.toBe(createHash('sha256').update(PHONE).digest('hex').slice(0, 16));
  });

  it('is the same across runs and warehouses with the same key, different with another key', async () => {
    const hashWith = async (key: string, name: string) => {
      const warehouse = await Warehouse.open(temp.file(`${name}.duckdb`));
      try {
        const path = temp.file(`${name}.csv`);
        writeFileSync(path, csvText([ticket('2025070100001', { 联系电话: PHONE })], { headers: TICKET_HEADERS }));
        expect(await ingest(warehouse, path, { key })).toMatchObject({ status: 'loaded', loaded: 1 });
        return (await warehouse.one<{ phone_hash: string }>(`select phone_hash from tickets`))!.phone_hash;
      } finally {
        warehouse.close();
      }
    };
    expect(await hashWith(TEST_KEY, 'same-key')).toBe(hashes['2025070100001']);
    const other = await hashWith(OTHER_KEY, 'other-key');
    expect(other).toMatch(/^[0-9a-f]{16}$/);
    expect(other).not.toBe(hashes['2025070100001']);
  });

  const ONCE = createHash('sha256').update(Buffer.concat([Buffer.from(TEST_KEY, 'hex'), Buffer.from(PHONE)])).digest('hex');

  it('a new warehouse stores the first 16 hex digits of sha256 of the key bytes and the digits', () => {
    expect(hashes['2025070100001']).toBe(ONCE.slice(0, 16));
  });

  /**
   * A warehouse as it was before `migration` (`before` sets it up, `loaded` runs after its first
   * load) keeps hashing as it did: after the migration, the same caller gets the same `hash`.
   */
  async function keepsItsHashes(name: string, migration: string, hash: string, before: (w: Warehouse) => Promise<void>, loaded: (w: Warehouse) => Promise<void>) {
    const warehouse = await Warehouse.open(temp.file(`${name}.duckdb`));
    try {
      await before(warehouse);
      const earlier = temp.file(`${name}-first.csv`);
      writeFileSync(earlier, csvText([ticket('2025070100001', { 联系电话: PHONE })], { headers: TICKET_HEADERS }));
      await ingest(warehouse, earlier);
      await loaded(warehouse);
      expect(await warehouse.migrate()).toEqual([migration]);
      const later = temp.file(`${name}-later.csv`);
      writeFileSync(later, csvText([ticket('2025070200002', { 联系电话: '+86 139 1234 5678' })], { headers: TICKET_HEADERS }));
      expect(await ingest(warehouse, later)).toMatchObject({ status: 'loaded', loaded: 1 });
      const stored = await warehouse.all<{ phone_hash: string }>(`select phone_hash from tickets order by ticket_id`);
      expect(stored.map((r) => r.phone_hash)).toEqual([hash, hash]);
    } finally {
      warehouse.close();
    }
  }

  it('a warehouse that stored full single hashes before migration 011 keeps them, so its callers keep their hashes', async () => {
    await keepsItsHashes(
      'before-011',
      '011_short_phone_hash.sql',
      ONCE,
      // The warehouse as it was before 011: scheme sha256-once …
      async (warehouse) => {
        await warehouse.run(`update warehouse_settings set value = 'sha256-once' where name = 'phone_hash'`);
        await warehouse.run(`delete from schema_migrations where version = 11`);
      },
      // … and one full hash stored by its first load.
      async (warehouse) => expect((await warehouse.one<{ phone_hash: string }>(`select phone_hash from tickets`))!.phone_hash).toBe(ONCE),
    );
  });

  it('a warehouse that stored hashes before migration 009 keeps hashing twice, so its callers keep their hashes', async () => {
    const inner = createHash('sha256').update(`${TEST_KEY}:${PHONE}`).digest('hex');
    const twice = createHash('sha256').update(`${TEST_KEY}:${inner}`).digest('hex');
    await keepsItsHashes(
      'older',
      '009_phone_hash_scheme.sql',
      twice,
      // The warehouse as it was before 009 …
      async (warehouse) => {
        await warehouse.run(`drop table warehouse_settings`);
        await warehouse.run(`delete from schema_migrations where version = 9`);
      },
      // … holding a hash of the old scheme.
      async (warehouse) => void (await warehouse.run(`update tickets set phone_hash = $twice`, { twice })),
    );
  });

  it('the key file is created once and then reused', () => {
    const keyFile = temp.file('data/hotline.key');
    const created = ensureHashKey(keyFile);
    expect(created.created).toBe(true);
    expect(created.key).toMatch(/^[0-9a-f]{64}$/);
    expect(ensureHashKey(keyFile)).toEqual({ key: created.key, created: false });
    expect(readHashKey(keyFile)).toBe(created.key);
  });
});

describe('local landline numbers without an area code', () => {
  it('are masked next to 电话/固话/座机/手机/联系方式, in the stored text and in quarantine; other numbers are not', async () => {
    const warehouse = await Warehouse.open(temp.file('landline.duckdb'));
    try {
      const texts = {
        '2025070100011': '该店电话68601516，无人接听',
        '2025070100012': '固话：6860-1516；座机号码 5812345。联系方式:68601517',
        '2025070100013': '手机是2345678，请回电',
        '2025070100014': '垫付金额68601516元，合同号20250701，住12345678号楼，门牌1234567，电话费12345678元',
      };
      const good = Object.entries(texts).map(([id, content]) => ticket(id, { 诉求内容: content }));
      const quarantined = ticket('2025070100015', { 来源渠道: '传真', 诉求内容: '商户座机68601516一直占线' });
      const path = temp.file('landline.csv');
      writeFileSync(path, csvText([...good, quarantined]));
      const summary = await ingest(warehouse, path);
      expect(summary).toMatchObject({ status: 'loaded', loaded: 4, quarantined: 1 });
      const stored = Object.fromEntries(
        (await warehouse.all<{ ticket_id: string; content: string }>(`select ticket_id, content from tickets`)).map((r) => [r.ticket_id, r.content]),
      );
      expect(stored).toEqual({
        '2025070100011': '该店电话****1516，无人接听',
        '2025070100012': '固话：****1516；座机号码 ****2345。联系方式:****1517',
        '2025070100013': '手机是****5678，请回电',
        '2025070100014': texts['2025070100014'],
      });
      const record = (await warehouse.one<{ record: string }>(`select record from quarantine where run_id = $run`, { run: summary.runId }))!.record;
      expect(JSON.parse(record).诉求内容).toBe('商户座机****1516一直占线');
      expect(record).not.toContain('68601516');
    } finally {
      warehouse.close();
    }
  });
});

describe('masking numbers in free text', () => {
  it('takes its shortcut only where it gives what the four rules give, on generated texts full of near misses', async () => {
    const warehouse = await Warehouse.open(temp.file('mask-shortcut.duckdb'));
    try {
      await warehouse.run(sqlFile('ingest/macros.sql'));
      // Pieces that make and break the patterns: digits, separators, +86, the words that announce
      // a phone, ID-number parts, X, Chinese text, and whole numbers of every kind.
      const pieces = [
        ...'0123456789'.split(''), '1', '3', '9', '0', '-', ' ', '+', '+86', '86', 'X', 'x', '*', '：', ':', '\t', '，', '中', 'a',
        '电话', '手机', '座机', '固话', '联系方式', '号码', '号', '是', '为', '0994', '652301', '19900101', '20250701',
        '13912345678', '139-1234-5678', '139 1234 5678', '1391234', '5678', '09942345678', '68601516', '6860-1516', '652301199001011234', '65230119900101123X',
      ];
      let seed = 20261205;
      const random = (n: number) => {
        seed = (seed * 1103515245 + 12345) % 2147483648;
        return seed % n;
      };
      const texts: string[] = [];
      for (let i = 0; i < 20000; i++) {
        const length = 1 + random(12);
        let text = '';
        for (let j = 0; j < length; j++) text += pieces[random(pieces.length)];
        texts.push(text);
      }
      await warehouse.run(`create temp table texts as select unnest(from_json($texts, '["varchar"]')) as x`, { texts: JSON.stringify(texts) });
      const differ = await warehouse.all<{ x: string; shortcut: string; rules: string }>(
        `select x, hp_mask_text(x) as shortcut, hp_mask_all(x) as rules from texts where hp_mask_text(x) is distinct from hp_mask_all(x) limit 5`,
      );
      expect(differ).toEqual([]);
      // The texts have teeth: many hold what the mobile replacement alone would get wrong, many
      // only plain mobile numbers, many nothing to mask.
      const kinds = (await warehouse.one<{ beyond_mobile: number; mobile_only: number; untouched: number }>(
        `select count(*) filter (where hp_mask_all(x) <> regexp_replace(x, '(1[3-9][0-9])[0-9]{4}([0-9]{4})', '\\1****\\2', 'g')) as beyond_mobile,
                count(*) filter (where hp_mask_all(x) <> x and hp_mask_all(x) = regexp_replace(x, '(1[3-9][0-9])[0-9]{4}([0-9]{4})', '\\1****\\2', 'g')) as mobile_only,
                count(*) filter (where hp_mask_all(x) = x) as untouched
         from texts`,
      ))!;
      expect(kinds.beyond_mobile).toBeGreaterThan(2000);
      expect(kinds.mobile_only).toBeGreaterThan(1000);
      expect(kinds.untouched).toBeGreaterThan(2000);
    } finally {
      warehouse.close();
    }
  });

  it('cleans a free-text cell in one step exactly as squashing, taking the name out and masking do one after another', async () => {
    const warehouse = await Warehouse.open(temp.file('clean-text.duckdb'));
    try {
      await warehouse.run(sqlFile('ingest/macros.sql'));
      // The near misses of the masking test, white space of every kind hp_squash looks for, and
      // names: a caller's name inside the text, a name that is a number, a one-character name.
      const pieces = [
        ...'0123456789'.split(''), '1', '3', '-', ' ', '  ', '\t', '\n', '\r', '\f', '　', '+86', 'X', '：', '，', '中', 'a',
        '电话', '手机', '号码', '是', '0994', '652301', '19900101', '张三', '李四', '三',
        '13912345678', '15800001234', '18699990000', '张三13912345678', '139-1234-5678', '139 1234 5678', '1391234', '5678', '09942345678',
        '68601516', '652301199001011234',
      ];
      const names = ['张三', '李四', '三', '13912345678', '1391234', '电话', null];
      // (xorshift32: an LCG worked out in doubles loses its low bits and never picks some pieces)
      let seed = 20261206;
      const random = (n: number) => {
        seed ^= seed << 13;
        seed ^= seed >>> 17;
        seed ^= seed << 5;
        return (seed >>> 0) % n;
      };
      const rows: { x: string; name: string | null }[] = [];
      for (let i = 0; i < 20000; i++) {
        const length = random(10);
        let text = '';
        for (let j = 0; j < length; j++) text += pieces[random(pieces.length)];
        rows.push({ x: text, name: names[random(names.length)] });
      }
      await warehouse.run(
        `create temp table texts as select r.x as x, r.name as name from (select unnest(from_json($rows, '[{"x":"varchar","name":"varchar"}]')) as r)`,
        { rows: JSON.stringify(rows) },
      );
      const differ = await warehouse.all<{ x: string; name: string; one: string; steps: string }>(
        `select x, name, hp_clean_text(x, name) as one, hp_mask_text(hp_mask_name(hp_squash(x), name)) as steps
         from texts where hp_clean_text(x, name) is distinct from hp_mask_text(hp_mask_name(hp_squash(x), name)) limit 5`,
      );
      expect(differ).toEqual([]);
      // Every way through is taken often: the whole way, the plain mobile replacement, nothing to
      // mask at all; names are taken out on the short ways too.
      const ways = (await warehouse.one<{ whole: number; mobile: number; plain: number; named: number }>(
        `select count(*) filter (where whole) as whole,
                count(*) filter (where not whole and regexp_matches(x, '1[3-9][0-9]{9}')) as mobile,
                count(*) filter (where not whole and not regexp_matches(x, '1[3-9][0-9]{9}')) as plain,
                count(*) filter (where not whole and length(name) >= 2 and contains(x, name)) as named
         from (select x, name, regexp_matches(x, hp_mask_pattern() || '|[\\t\\n\\r\\f]|  |\\x{3000}|^ | $|^$') as whole from texts)`,
      ))!;
      expect(ways.whole).toBeGreaterThan(2000);
      expect(ways.mobile).toBeGreaterThan(500);
      expect(ways.plain).toBeGreaterThan(2000);
      expect(ways.named).toBeGreaterThan(200);
    } finally {
      warehouse.close();
    }
  });
});
