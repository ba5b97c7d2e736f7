import iconv from 'iconv-lite';
import { existsSync, mkdirSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, type Config } from '../../pipelines/config.js';
import { dataFolders } from '../../pipelines/config.js';
import { ingestInbox } from '../../pipelines/inbox.js';
import { checkFile, lintProfile } from '../../pipelines/ingest/check.js';
import { chooseMapping, inspectProfiles, loadProfiles, type Profile } from '../../pipelines/ingest/profiles.js';
import { Warehouse, csvText, ingest, quarantine, tempFolder } from './helpers.js';

/**
 * Real exports never block anything (issue 11, item 4): an export of a city the project ships no
 * profile for — Haikou-like: GB18030, ~4,000 tickets, the date only in the ticket number, no
 * completion or deadline columns, no appeal type — loads through a profile written from
 * docs/export-format.md alone; a truncated file is rejected and the inbox goes on; a file whose
 * profile was fixed loads again; a header that does not match its columns maps by position.
 */

const temp = tempFolder('real-exports');
afterAll(() => temp.cleanup());

/**
 * The profile, written from docs/export-format.md: ticket_id and received_at are key fields (the
 * date derived from the id), channel/status are required (mapped through `values`), appeal_type
 * and deadline_at are left unknown (optional), a dispatched ticket needs unit and dispatched_at.
 */
function haikouProfile(dateRegex = '^HK([0-9]{8})'): Record<string, unknown> {
  return {
    name: 'haikou',
    title: '海口 12345 工单导出',
    description: 'GB18030 export: the ticket number HKyyyymmddNNNN carries the day of receipt; no completion or deadline columns.',
    kinds: {
      tickets: {
        columns: {
          ticket_id: ['工单编号'],
          channel: ['诉求渠道'],
          district: ['所在区'],
          unit: ['办理单位'],
          status: ['办理状态'],
          caller_name: ['诉求人'],
          phone: ['联系电话'],
        },
        split: [{ column: ['诉求类别'], separator: '/', into: ['category_l1', 'category_l2'] }],
        derive: {
          received_at: { from: 'ticket_id', regex: dateRegex, format: '%Y%m%d' },
          content: { template: '{诉求标题}：{诉求内容}' },
          handling: { from: '办理单位', ifPresent: '转办', ifEmpty: '直接答复' },
          dispatched_at: { from: 'received_at' },
        },
        values: {
          channel: { '12345热线': '电话', 网络问政: '网站', 微信: '微信', '*': '其他' },
          status: { 已回复: '已办结', 已办结: '已办结', 办理中: '办理中', 待处理: '待签收' },
        },
        optional: ['appeal_type', 'deadline_at'],
      },
    },
  };
}

/** The same export read by column positions, for a header row that does not match its columns. */
function haikouByPosition(): Record<string, unknown> {
  const profile = haikouProfile() as { name: string; kinds: { tickets: Record<string, unknown> } };
  return {
    ...profile,
    name: 'haikou-by-position',
    kinds: {
      tickets: {
        ...profile.kinds.tickets,
        columns: { ticket_id: ['#1'], channel: ['#2'], district: ['#6'], unit: ['#7'], status: ['#8'], caller_name: ['#9'], phone: ['#10'] },
        split: [{ column: ['#3'], separator: '/', into: ['category_l1', 'category_l2'] }],
        derive: {
          received_at: { from: 'ticket_id', regex: '^HK([0-9]{8})', format: '%Y%m%d' },
          content: { template: '{#4}：{#5}' },
          handling: { from: '#7', ifPresent: '转办', ifEmpty: '直接答复' },
          dispatched_at: { from: 'received_at' },
        },
      },
    },
  };
}

const HAIKOU_HEADERS = ['工单编号', '诉求渠道', '诉求类别', '诉求标题', '诉求内容', '所在区', '办理单位', '办理状态', '诉求人', '联系电话'];
const DISTRICTS = ['美兰区', '龙华区', '秀英区', '琼山区'];
const TOPICS: [string, string, string][] = [
  ['城乡建设/物业管理', '小区物业不作为', '电梯坏了一周没人修'],
  ['环境保护/噪声扰民', '夜间施工噪声', '工地晚上十一点还在施工'],
  ['交通运输/公交', '公交班次太少', '早高峰等车半小时'],
  ['劳动和社会保障/欠薪', '工资被拖欠', '老板拖欠三个月工资'],
];
const CHANNELS = ['12345热线', '12345热线', '网络问政', '微信', '来信'];

/** Haikou-like rows: `bad` rows have an id without a date ("2", "HK-12"), the rest are valid. */
function haikouRows(count: number, bad: Set<number> = new Set()): Record<string, string>[] {
  return Array.from({ length: count }, (_, i) => {
    const day = new Date(Date.UTC(2023, 0, 1) + (i % 180) * 86400_000).toISOString().slice(0, 10).replaceAll('-', '');
    const [category, title, text] = TOPICS[i % TOPICS.length];
    const dispatched = i % 5 !== 0;
    return {
      工单编号: bad.has(i) ? (i % 2 ? '2' : `HK-${i}`) : `HK${day}${String(i).padStart(4, '0')}`,
      诉求渠道: CHANNELS[i % CHANNELS.length],
      诉求类别: category,
      诉求标题: title,
      诉求内容: `${text}，联系电话1390000${String(i % 10000).padStart(4, '0')}`,
      所在区: DISTRICTS[i % DISTRICTS.length],
      办理单位: dispatched ? `${DISTRICTS[i % DISTRICTS.length]}住建局` : '',
      办理状态: ['已回复', '办理中', '已办结', '待处理'][i % 4],
      诉求人: '符某',
      联系电话: `1390000${String(i % 10000).padStart(4, '0')}`,
    };
  });
}

function writeGb18030(path: string, rows: Record<string, string>[], headers = HAIKOU_HEADERS): string {
  writeFileSync(path, iconv.encode(csvText(rows, { headers }), 'gb18030'));
  return path;
}

function profileFolder(name: string, ...profiles: Record<string, unknown>[]): string {
  const dir = temp.file(name);
  mkdirSync(dir, { recursive: true });
  for (const profile of profiles) writeFileSync(join(dir, `${profile.name}.json`), JSON.stringify(profile, null, 2));
  return dir;
}

const BAD = new Set([17, 1234, 2500]);
const ROWS = 4000;
let exportFile: string;
let profiles: Profile[];

beforeAll(() => {
  exportFile = writeGb18030(temp.file('海口工单_2023上半年.csv'), haikouRows(ROWS, BAD));
  profiles = loadProfiles([profileFolder('profiles-v2', haikouProfile())]);
});

describe('a Haikou-like export through a profile written from docs/export-format.md', () => {
  it('the dry run shows the mapping, the first rows as stored and every problem, and writes nothing', async () => {
    const before = readdirSync(temp.dir, { recursive: true }).map(String).sort();
    const report = await checkFile(exportFile, { profiles, maxFieldBytes: 1_000_000, rows: 2 });
    expect(readdirSync(temp.dir, { recursive: true }).map(String).sort()).toEqual(before);
    expect(report).toMatchObject({ format: 'csv', encoding: 'gb18030', profile: 'haikou', kind: 'tickets', rowsRead: ROWS, good: ROWS - 3, quarantined: 3, refused: null, unmapped: [] });
    expect(report.fields.find((f) => f.field === 'received_at')!.source).toContain('由 from “ticket_id” 取 regex ^HK([0-9]{8}) 按 format %Y%m%d');
    expect(report.fields.find((f) => f.field === 'deadline_at')!.source).toContain('optional, stored as NULL');
    expect(report.rows).toHaveLength(2);
    expect(report.rows[0]).toMatchObject({ 行: 2, ticket_id: 'HK202301010000', received_at: '2023-01-01 00:00:00', channel: '电话', appeal_type: null, category_l1: '城乡建设', category_l2: '物业管理', handling: '直接答复', status: '已办结', content: '小区物业不作为：电梯坏了一周没人修，联系电话139****0000' });
    // One problem (the values differ, the reason does not), shown with its first row's values.
    expect(report.problems.map((p) => [p.rows, p.lines, p.reason])).toEqual([
      [3, [19, 1236, 2502], '缺少受理时间（按映射方案由工单编号“2”推导，没有得到值）/ received_at is empty and its derive rule found nothing in "2"'],
      [2, [19, 1236], '转办工单缺少派单时间 / a dispatched ticket needs dispatched_at'],
    ]);
  });

  it('loads: every good row, NULL where the export has nothing, the bad ids quarantined with their value', async () => {
    const warehouse = await Warehouse.open(temp.file('haikou.duckdb'));
    try {
      const summary = await ingest(warehouse, exportFile, { profiles });
      expect(summary).toMatchObject({ status: 'loaded', profile: 'haikou', encoding: 'gb18030', rowsRead: ROWS, loaded: ROWS - 3, quarantined: 3, unmapped: [] });
      expect((await quarantine(warehouse, summary.runId)).map((q) => q.row_number)).toEqual([19, 1236, 2502]);
      expect(await warehouse.one(
        `select count(*) as n, count(appeal_type) as appeal, count(deadline_at) as deadline, count(completed_at) as completed,
           count(*) filter (where handling = '转办' and dispatched_at = received_at) as dispatched, min(received_at)::date::varchar as first,
           count(distinct channel) as channels, count(*) filter (where content like '%1390000%') as clear_phones from tickets`,
      )).toEqual({ n: ROWS - 3, appeal: 0, deadline: 0, completed: 0, dispatched: 3198, first: '2023-01-01', channels: 4, clear_phones: 0 });
    } finally {
      warehouse.close();
    }
  });
});

describe('re-ingest after the profile changed', () => {
  it('a profile whose date rule finds nothing quarantines every row (not "loaded", showing the value); fixed, the same file loads', async () => {
    const broken = loadProfiles([profileFolder('profiles-v1', haikouProfile('^([0-9]{8})'))]);
    const warehouse = await Warehouse.open(temp.file('reload.duckdb'));
    try {
      const first = await ingest(warehouse, exportFile, { profiles: broken });
      expect(first).toMatchObject({ status: 'quarantined', loaded: 0, quarantined: ROWS });
      expect(first.message).toContain(`全部 ${ROWS} 行都被隔离`);
      expect(first.message).toContain(`第 2 行等 ${ROWS} 行：缺少受理时间（按映射方案由工单编号“HK202301010000”推导，没有得到值）`);
      expect(await warehouse.one(`select status, loaded, quarantined from ingest_runs where run_id = $run`, { run: first.runId })).toEqual({ status: 'quarantined', loaded: 0, quarantined: ROWS });

      // The same bytes with the same broken profile are not "already loaded": they were never loaded.
      expect(await ingest(warehouse, exportFile, { profiles: broken })).toMatchObject({ status: 'quarantined' });

      const fixed = await ingest(warehouse, exportFile, { profiles });
      expect(fixed).toMatchObject({ status: 'loaded', loaded: ROWS - 3, quarantined: 3 });
      // What the earlier loads of these bytes quarantined is replaced by the new result.
      expect(await warehouse.one(`select count(*) as n from quarantine`)).toEqual({ n: 3 });
      // Now it is loaded: the same bytes and the same profile change nothing …
      expect(await ingest(warehouse, exportFile, { profiles })).toMatchObject({ status: 'unchanged', runId: fixed.runId });
      // … but --profile naming another profile is honoured (here: one that adds a column).
      const wider = { ...haikouProfile(), name: 'haikou-wide' } as unknown as { name: string; kinds: { tickets: { columns: Record<string, string[]> } } };
      wider.kinds.tickets.columns.township = ['诉求标题'];
      const both = loadProfiles([profileFolder('profiles-wide', wider)]).concat(profiles.filter((p) => p.name === 'haikou'));
      const again = await ingest(warehouse, exportFile, { profiles: both, profile: 'haikou-wide' });
      expect(again).toMatchObject({ status: 'loaded', profile: 'haikou-wide', loaded: 0, updated: ROWS - 3 });
    } finally {
      warehouse.close();
    }
  });
});

/** A data folder whose hotline.config.json names a relative profile folder. */
function inboxSetup(name: string, ...profiles: Record<string, unknown>[]): { config: Config; inbox: string; rejected: string; archive: string } {
  const root = temp.file(name);
  mkdirSync(join(root, 'profiles'), { recursive: true });
  for (const profile of profiles) writeFileSync(join(root, 'profiles', `${profile.name}.json`), JSON.stringify(profile));
  writeFileSync(join(root, 'hotline.config.json'), JSON.stringify({ ingest: { profileDirs: ['profiles'] } }));
  // Loaded from elsewhere: the relative folder is still read beside the config file.
  const config = loadConfig({ file: join(root, 'hotline.config.json'), env: {}, cwd: temp.dir });
  const folders = dataFolders(config);
  mkdirSync(folders.inbox, { recursive: true });
  return { config, ...folders };
}

const settle = (path: string) => utimesSync(path, new Date(Date.now() - 60_000), new Date(Date.now() - 60_000));

describe('the inbox', () => {
  it('relative profileDirs are read from the config file folder', () => {
    const { config } = inboxSetup('config-paths', haikouProfile());
    expect(config.ingest.profileDirs).toEqual([temp.file('config-paths/profiles')]);
    expect(loadProfiles(config.ingest.profileDirs).map((p) => p.name)).toContain('haikou');
  });

  it('a GB18030 file cut in the middle of a character is rejected with its reason; the good file after it loads', async () => {
    const { config, inbox, rejected, archive } = inboxSetup('inbox-truncated', haikouProfile());
    const partial = 'HK202301019999,12345热线,城乡建设/物业管理,小区物业';
    const whole = iconv.encode(csvText(haikouRows(50), { headers: HAIKOU_HEADERS }) + partial, 'gb18030');
    expect(whole[whole.length - 2]).toBeGreaterThan(0x80); // the text ends with a two-byte character …
    const cut = join(inbox, 'a_海口_截断.csv');
    writeFileSync(cut, whole.subarray(0, whole.length - 1)); // … and loses its second byte
    const good = writeGb18030(join(inbox, 'b_海口_完整.csv'), haikouRows(40));
    settle(cut);
    settle(good);
    const warehouse = await Warehouse.open(config.db);
    try {
      const { summaries } = await ingestInbox(warehouse, config);
      expect(summaries.map((s) => [s.status, s.file.split('/').pop()])).toEqual([['refused', 'a_海口_截断.csv'], ['loaded', 'b_海口_完整.csv']]);
      expect(summaries[0].message).toMatch(/文件末尾（第 52 行）是不完整的 GB18030 字符，文件可能被截断；整个文件未导入/);
      expect(readFileSync(join(rejected, 'a_海口_截断.csv.reason.txt'), 'utf8')).toContain('可能被截断');
      expect(readdirSync(inbox)).toEqual([]);
      expect(readdirSync(archive, { recursive: true }).map(String).some((p) => p.endsWith('b_海口_完整.csv'))).toBe(true);
      expect(await warehouse.one(`select count(*) as n from tickets`)).toEqual({ n: 40 });
      expect(await warehouse.all(`select file_name, status from ingest_runs order by run_id`)).toEqual([
        { file_name: 'a_海口_截断.csv', status: 'refused' },
        { file_name: 'b_海口_完整.csv', status: 'loaded' },
      ]);
    } finally {
      warehouse.close();
    }
  });

  it('inbox/<profile>/ chooses the profile: a header that does not match its columns loads by position; an unknown sub-folder is rejected', async () => {
    const { config, inbox, rejected } = inboxSetup('inbox-positions', haikouProfile(), haikouByPosition());
    // The header row is shifted by one name: 工单编号 is missing, every name sits one column left.
    const shifted = [...HAIKOU_HEADERS.slice(1), '备注'];
    const rows = haikouRows(30).map((row) => Object.fromEntries(shifted.map((h, i) => [h, row[HAIKOU_HEADERS[i]]])));
    // Detected by its names, the file would fit nothing whole (工单编号 is gone); by position it loads.
    expect(() => chooseMapping(loadProfiles(config.ingest.profileDirs), shifted)).toThrow(/缺少必需的列/);
    mkdirSync(join(inbox, 'haikou-by-position'));
    const byPosition = writeGb18030(join(inbox, 'haikou-by-position', '表头错位.csv'), rows, shifted);
    mkdirSync(join(inbox, 'nowhere'));
    const unknown = writeGb18030(join(inbox, 'nowhere', '未知方案.csv'), haikouRows(5));
    settle(byPosition);
    settle(unknown);
    const warehouse = await Warehouse.open(config.db);
    try {
      const { summaries } = await ingestInbox(warehouse, config);
      const [loaded, refused] = summaries;
      expect(loaded).toMatchObject({ status: 'loaded', profile: 'haikou-by-position', loaded: 30, quarantined: 0 });
      expect(refused).toMatchObject({ status: 'refused' });
      expect(refused.message).toContain('没有名为 nowhere 的映射方案');
      expect(existsSync(join(rejected, '未知方案.csv.reason.txt'))).toBe(true);
      expect(await warehouse.one(`select ticket_id, received_at, channel, category_l1, content, district, handling, status from tickets order by ticket_id limit 1`)).toEqual({
        ticket_id: 'HK202301010000', received_at: '2023-01-01 00:00:00', channel: '电话', category_l1: '城乡建设', content: '小区物业不作为：电梯坏了一周没人修，联系电话139****0000',
        district: '美兰区', handling: '直接答复', status: '已办结',
      });
    } finally {
      warehouse.close();
    }
  });

  it('a file whose every row is quarantined goes to rejected/ with the reason, the failing value included', async () => {
    const { config, inbox, rejected } = inboxSetup('inbox-quarantined', haikouProfile('^([0-9]{8})'));
    const file = writeGb18030(join(inbox, '海口.csv'), haikouRows(10));
    settle(file);
    const warehouse = await Warehouse.open(config.db);
    try {
      const { summaries, message } = await ingestInbox(warehouse, config);
      expect(summaries[0]).toMatchObject({ status: 'quarantined', quarantined: 10 });
      expect(message).toContain('全部隔离 1');
      expect(readFileSync(join(rejected, '海口.csv.reason.txt'), 'utf8')).toContain('由工单编号“HK202301010000”推导，没有得到值');
    } finally {
      warehouse.close();
    }
  });
});

describe('profiles', () => {
  it('any field but the keys may be optional: a ticket export without channel, type or status loads with them unknown', async () => {
    const minimal = {
      name: 'minimal', title: 'id, time and text only',
      kinds: { tickets: { columns: { ticket_id: ['编号'], received_at: ['时间'], content: ['内容'] }, optional: ['channel', 'appeal_type', 'category_l1', 'handling', 'status'] } },
    };
    const dir = temp.file('minimal');
    mkdirSync(dir);
    writeFileSync(join(dir, 'minimal.json'), JSON.stringify(minimal));
    const path = temp.file('minimal.csv');
    writeFileSync(path, '编号,时间,内容,备注\nM1,2025-07-01 09:00:00,路灯不亮,x\nM2,2025-07-02 10:00:00,井盖丢失,y\n');
    const warehouse = await Warehouse.open(temp.file('minimal.duckdb'));
    try {
      const summary = await ingest(warehouse, path, { profiles: loadProfiles([dir]) });
      expect(summary).toMatchObject({ status: 'loaded', profile: 'minimal', loaded: 2, unmapped: ['备注'] });
      expect(await warehouse.one(`select unmapped_columns from ingest_runs where run_id = $run`, { run: summary.runId })).toEqual({ unmapped_columns: '备注' });
      expect(await warehouse.all(`select ticket_id, channel, appeal_type, category_l1, handling, status from tickets order by 1`)).toEqual([
        { ticket_id: 'M1', channel: null, appeal_type: null, category_l1: null, handling: null, status: null },
        { ticket_id: 'M2', channel: null, appeal_type: null, category_l1: null, handling: null, status: null },
      ]);
    } finally {
      warehouse.close();
    }
    const keyOptional = { ...minimal, name: 'bad-optional', kinds: { tickets: { ...minimal.kinds.tickets, optional: ['received_at'] } } };
    writeFileSync(join(dir, 'minimal.json'), JSON.stringify(keyOptional));
    expect(() => loadProfiles([dir])).toThrow(/optional 不能包含 "received_at"/);
  });

  it('two profiles that both fit: the closer one wins instead of "ambiguous"', () => {
    // These eight headers fit cn-12345/tickets and haikou-like "city-x" equally by count; city-x
    // expects exactly these columns, cn-12345 twenty-nine more.
    const cityX = {
      name: 'city-x', title: 'city X', file: 'city-x.json', description: '', dateFormats: [],
      kinds: { tickets: { columns: { ticket_id: ['工单编号'], received_at: ['受理时间'], channel: ['来源渠道'], appeal_type: ['诉求类型'], category_l1: ['一级分类'], handling: ['办理方式'], status: ['工单状态'], content: ['诉求内容'] }, split: [], derive: {}, values: {}, optional: ['unit', 'dispatched_at', 'deadline_at'] } },
    } as Profile;
    const headers = ['工单编号', '受理时间', '来源渠道', '诉求类型', '一级分类', '办理方式', '工单状态', '诉求内容'];
    const withDispatchOptional = loadProfiles().map((p) => (p.name === 'cn-12345' ? { ...p, kinds: { ...p.kinds, tickets: { ...p.kinds.tickets!, optional: ['unit', 'dispatched_at', 'deadline_at'] } } } : p));
    expect(chooseMapping([...withDispatchOptional, cityX], headers)).toMatchObject({ profile: { name: 'city-x' }, kind: 'tickets', score: 8, closeness: 1 });
  });

  it('hotline profiles finds what would only fail at load time', async () => {
    const dir = temp.file('lint');
    mkdirSync(dir);
    const bad = haikouProfile() as { name: string; dateFormats?: string[]; kinds: { tickets: { derive: Record<string, unknown>; split: { separator: string }[]; optional: string[] } } };
    bad.name = 'haikou-bad';
    bad.dateFormats = ['%Y年%Q'];
    bad.kinds.tickets.split[0].separator = '(?<=/)';
    bad.kinds.tickets.optional = ['appeal_type'];
    writeFileSync(join(dir, 'bad.json'), JSON.stringify(bad));
    writeFileSync(join(dir, 'broken.json'), '{ "name": ');
    const { profiles: found, problems } = inspectProfiles([dir]);
    expect(problems).toEqual([expect.objectContaining({ file: join(dir, 'broken.json'), message: expect.stringContaining('不是合法的 JSON') })]);
    const warehouse = await Warehouse.open(':memory:', { migrate: false });
    try {
      const lint = await lintProfile(found.find((p) => p.name === 'haikou-bad')!, warehouse);
      expect(lint).toEqual([
        expect.stringMatching(/^kinds\.tickets: 必需字段 deadline_at（办理时限）没有列、拆分或推导规则，也不在 optional 中/),
        expect.stringMatching(/^dateFormats: 日期格式 "%Y年%Q" 无效/),
        expect.stringMatching(/^kinds\.tickets\.split\[0\]\.separator: 正则表达式 "\(\?<=\/\)" 无效/),
      ]);
      for (const shipped of loadProfiles()) expect(await lintProfile(shipped, warehouse)).toEqual([]);
    } finally {
      warehouse.close();
    }
  });
});
