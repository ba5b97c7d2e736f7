import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { chooseMapping, loadProfiles } from '../../pipelines/ingest/profiles.js';
import { monthlyKpis } from '../../pipelines/kpi.js';
import { Warehouse, csvText, ingest, tempFolder } from './helpers.js';

/**
 * Profiles written by analysts (issue: profiles): a custom JSON profile for an imaginary city's
 * English export works through loadProfiles([dir]); a bad profile is refused naming the bad key;
 * a file that two profiles fit equally is refused with a request for --profile/--kind.
 */

const temp = tempFolder('profiles');
afterAll(() => temp.cleanup());

function profileDir(name: string, profiles: Record<string, unknown>): string {
  const dir = temp.file(name);
  mkdirSync(dir, { recursive: true });
  for (const [file, json] of Object.entries(profiles)) writeFileSync(join(dir, file), typeof json === 'string' ? json : JSON.stringify(json, null, 2));
  return dir;
}

const springfield = {
  name: 'springfield',
  title: 'Springfield City Hotline (English export)',
  description: 'An imaginary city export: English headers, day-first dates, its own status words.',
  dateFormats: ['%d.%m.%Y %H:%M'],
  kinds: {
    tickets: {
      columns: {
        ticket_id: ['Case No'],
        received_at: ['Opened'],
        channel: ['Source'],
        appeal_type: ['Type'],
        category_l1: ['Category'],
        content: ['Details'],
        caller_name: ['Caller'],
        phone: ['Phone'],
        handling: ['Routing'],
        unit: ['Department'],
        dispatched_at: ['Routed At'],
        deadline_at: ['Due'],
        completed_at: ['Closed'],
        status: ['State'],
      },
      split: [{ column: ['Topic Path'], separator: '\\s*>\\s*', into: ['category_l2', 'category_l3'] }],
      derive: { district: { value: '斯普林菲尔德' } },
      values: {
        channel: { hotline: '电话', web: '网站', '*': '其他' },
        appeal_type: { complaint: '投诉', question: '咨询', request: '求助' },
        handling: { dispatch: '转办', answered: '直接答复' },
        status: { closed: '已办结', open: '办理中', 'waiting for agency': '待签收' },
      },
    },
  },
};

const headers = ['Case No', 'Opened', 'Source', 'Type', 'Category', 'Topic Path', 'Details', 'Caller', 'Phone', 'Routing', 'Department', 'Routed At', 'Due', 'Closed', 'State'];
const cases = [
  { 'Case No': 'SPR-1', Opened: '01.07.2025 09:00', Source: 'Hotline', Type: 'Complaint', Category: 'Noise', 'Topic Path': 'Construction > Night work', Details: 'Jackhammer at 2 am, call 13912345678', Caller: 'Homer Simpson', Phone: '13912345678', Routing: 'Dispatch', Department: 'Public Works', 'Routed At': '01.07.2025 09:30', Due: '06.07.2025 09:30', Closed: '03.07.2025 17:00', State: 'Closed' },
  { 'Case No': 'SPR-2', Opened: '02.07.2025 10:15', Source: 'Carrier pigeon', Type: 'Question', Category: 'Taxes', 'Topic Path': '', Details: 'When is the deadline?', Caller: 'Ned Flanders', Phone: '', Routing: 'Answered', Department: '', 'Routed At': '', Due: '', Closed: '', State: 'Open' },
  { 'Case No': 'SPR-3', Opened: '03.07.2025 11:00', Source: 'Web', Type: 'Request', Category: 'Streets', 'Topic Path': 'Potholes', Details: '', Caller: '', Phone: '', Routing: 'Dispatch', Department: 'Public Works', 'Routed At': '03.07.2025 11:20', Due: '08.07.2025 11:20', Closed: '', State: 'Waiting for agency' },
  { 'Case No': 'SPR-4', Opened: '04.07.2025 12:00', Source: 'Web', Type: 'Praise', Category: 'Parks', 'Topic Path': '', Details: 'Nice park', Caller: '', Phone: '', Routing: 'Answered', Department: '', 'Routed At': '', Due: '', Closed: '', State: 'Open' },
];

describe('a custom profile', () => {
  it('maps an English export through loadProfiles([dir]): synonyms, day-first dates, value maps, "*", splits, derived fields', async () => {
    const profiles = loadProfiles([profileDir('custom', { 'springfield.json': springfield })]);
    expect(profiles.map((p) => p.name)).toEqual(['cn-12345', 'message-board', 'us-311', 'springfield']);
    const warehouse = await Warehouse.open(temp.file('springfield.duckdb'));
    try {
      const path = temp.file('springfield-export.csv');
      writeFileSync(path, csvText(cases, { headers }));
      const summary = await ingest(warehouse, path, { profiles });
      expect(summary).toMatchObject({ status: 'loaded', profile: 'springfield', kind: 'tickets', rowsRead: 4, loaded: 3, quarantined: 1 });
      expect(await warehouse.all(`select row_number, reason from quarantine where run_id = $run`, { run: summary.runId })).toEqual([
        { row_number: 5, reason: '诉求类型“Praise”不是已知取值（咨询/求助/投诉/举报/建议/表扬/其他），可在映射方案 values.appeal_type 中添加 / unknown appeal_type "Praise"' },
      ]);
      const rows = await warehouse.all(
        `select ticket_id, received_at, channel, appeal_type, category_l1, category_l2, category_l3, content, district, handling, unit, dispatched_at, deadline_at, completed_at, status, source_profile
         from tickets order by ticket_id`,
      );
      expect(rows).toEqual([
        {
          ticket_id: 'SPR-1', received_at: '2025-07-01 09:00:00', channel: '电话', appeal_type: '投诉', category_l1: 'Noise', category_l2: 'Construction', category_l3: 'Night work',
          content: 'Jackhammer at 2 am, call 139****5678', district: '斯普林菲尔德', handling: '转办', unit: 'Public Works', dispatched_at: '2025-07-01 09:30:00',
          deadline_at: '2025-07-06 09:30:00', completed_at: '2025-07-03 17:00:00', status: '已办结', source_profile: 'springfield',
        },
        {
          ticket_id: 'SPR-2', received_at: '2025-07-02 10:15:00', channel: '其他', appeal_type: '咨询', category_l1: 'Taxes', category_l2: null, category_l3: null,
          content: 'When is the deadline?', district: '斯普林菲尔德', handling: '直接答复', unit: null, dispatched_at: null, deadline_at: null, completed_at: null, status: '办理中',
          source_profile: 'springfield',
        },
        {
          ticket_id: 'SPR-3', received_at: '2025-07-03 11:00:00', channel: '网站', appeal_type: '求助', category_l1: 'Streets', category_l2: 'Potholes', category_l3: null,
          content: null, district: '斯普林菲尔德', handling: '转办', unit: 'Public Works', dispatched_at: '2025-07-03 11:20:00', deadline_at: '2025-07-08 11:20:00',
          completed_at: null, status: '待签收', source_profile: 'springfield',
        },
      ]);
    } finally {
      warehouse.close();
    }
  });

  it('an 办理方式 from the profile\'s constant is not the export\'s: 直接答复率 is missing, not 0 %, through the direct insert and the merge', async () => {
    // The export has no Routing column at all (as a US 311 export): every ticket is 转办 by the constant.
    const constant = { ...springfield, name: 'springfield-routed', kinds: { tickets: { ...springfield.kinds.tickets, derive: { ...springfield.kinds.tickets.derive, handling: { value: '转办' } } } } };
    const profiles = loadProfiles([profileDir('routed', { 'routed.json': constant })]);
    const warehouse = await Warehouse.open(temp.file('routed.duckdb'));
    try {
      // (SPR-2 would be a dispatched ticket without its unit, and is left out)
      const withoutRouting = [cases[0], cases[2]].map((c) => Object.fromEntries(Object.entries(c).filter(([h]) => h !== 'Routing')));
      const path = temp.file('routed-export.csv');
      writeFileSync(path, csvText(withoutRouting, { headers: headers.filter((h) => h !== 'Routing') }));
      for (const force of [false, true]) {
        expect(await ingest(warehouse, path, { profiles, profile: 'springfield-routed', force })).toMatchObject({ status: 'loaded', loaded: force ? 0 : 2 });
        expect(await warehouse.all(`select ticket_id, handling, handling_given from tickets order by ticket_id`)).toEqual([
          { ticket_id: 'SPR-1', handling: '转办', handling_given: false },
          { ticket_id: 'SPR-3', handling: '转办', handling_given: false },
        ]);
        const july = await monthlyKpis(warehouse, '2025-07', { source: 'direct' });
        expect(july.values.direct_answer_rate).toBeNull();
        expect(july.missing.direct_answer_rate).toBe('本月工单无办理方式，直接答复率无法计算');
        expect(july.values.dispatched).toBe(2);
      }
      // The column, filled in two rows of three: those two are the export's word, the third the constant's.
      const partly = cases.slice(0, 3).map((c, i) => ({ ...c, Routing: i === 2 ? '' : c.Routing }));
      writeFileSync(path, csvText(partly, { headers }));
      await ingest(warehouse, path, { profiles, profile: 'springfield-routed' });
      expect(await warehouse.all(`select ticket_id, handling, handling_given from tickets order by ticket_id`)).toEqual([
        { ticket_id: 'SPR-1', handling: '转办', handling_given: true },
        { ticket_id: 'SPR-2', handling: '直接答复', handling_given: true },
        { ticket_id: 'SPR-3', handling: '转办', handling_given: false },
      ]);
      const july = await monthlyKpis(warehouse, '2025-07', { source: 'direct' });
      expect(july.values.direct_answer_rate).toBeCloseTo(1 / 3);
      expect(july.missing.direct_answer_rate).toBeUndefined();
    } finally {
      warehouse.close();
    }
  });

  it('migration 012 marks the handling of rows the shipped us-311 profile loaded before it as the profile\'s', async () => {
    const as311 = { ...springfield, name: 'us-311' };
    const profiles = loadProfiles([profileDir('as-311', { 'us-311.json': as311 })]);
    const file = temp.file('before-012.duckdb');
    let warehouse = await Warehouse.open(file);
    const path = temp.file('before-012.csv');
    writeFileSync(path, csvText(cases.slice(0, 1), { headers }));
    await ingest(warehouse, path, { profiles, profile: 'us-311' });
    writeFileSync(path, csvText([{ ...cases[2], 'Case No': 'SPR-9' }], { headers }));
    await ingest(warehouse, path, { profiles: loadProfiles([profileDir('plain', { 'springfield.json': springfield })]), profile: 'springfield' });
    // the warehouse as it was before 012
    await warehouse.run(`alter table tickets drop column handling_given`);
    await warehouse.run(`delete from schema_migrations where version = 12`);
    warehouse.close();
    warehouse = await Warehouse.open(file);
    try {
      expect(await warehouse.all(`select ticket_id, source_profile, handling_given from tickets order by ticket_id`)).toEqual([
        { ticket_id: 'SPR-1', source_profile: 'us-311', handling_given: false },
        { ticket_id: 'SPR-9', source_profile: 'springfield', handling_given: true },
      ]);
    } finally {
      warehouse.close();
    }
  });

  it('a local profile of the same name replaces the built-in one', () => {
    const local = { ...springfield, name: 'us-311', title: 'our own 311 mapping' };
    const profiles = loadProfiles([profileDir('override', { 'our-311.json': local })]);
    expect(profiles.filter((p) => p.name === 'us-311')).toEqual([expect.objectContaining({ title: 'our own 311 mapping' })]);
  });
});

describe('an invalid profile is refused, naming the bad key', () => {
  const bad = (name: string, json: unknown) => () => loadProfiles([profileDir(name, { [`${name}.json`]: json })]);

  it('an unknown top-level key', () => {
    expect(bad('typo', { ...springfield, kind: {} })).toThrow(/invalid profile .*typo\.json:\n {2}\(top level\): Unrecognized key: "kind"/);
  });
  it('an unknown kind', () => {
    expect(bad('kind', { ...springfield, kinds: { ticket: springfield.kinds.tickets } })).toThrow(/kinds: Unrecognized key: "ticket"/);
  });
  it('an unknown canonical field', () => {
    const json = { ...springfield, kinds: { tickets: { ...springfield.kinds.tickets, columns: { ...springfield.kinds.tickets.columns, ticket_no: ['No'] } } } };
    expect(bad('field', json)).toThrow(/kinds\.tickets\.columns 中的 "ticket_no" 不是 tickets 的标准字段；可用：ticket_id, received_at/);
  });
  it('a value map onto a value that is not canonical', () => {
    const json = { ...springfield, kinds: { tickets: { ...springfield.kinds.tickets, values: { channel: { hotline: '热线' } } } } };
    expect(bad('value', json)).toThrow('kinds.tickets.values.channel["hotline"] = "热线" 不是允许的取值（电话/微信/网站/移动APP/小程序/短信/其他）');
  });
  it('a column list that is not a list', () => {
    const json = { ...springfield, kinds: { tickets: { ...springfield.kinds.tickets, columns: { ...springfield.kinds.tickets.columns, ticket_id: 'Case No' } } } };
    expect(bad('list', json)).toThrow(/kinds\.tickets\.columns\.ticket_id: Invalid input: expected array, received string/);
  });
  it('a derive rule of no known form names the keys it has', () => {
    const json = { ...springfield, kinds: { tickets: { ...springfield.kinds.tickets, derive: { district: { valu: '斯普林菲尔德' } } } } };
    expect(bad('derive', json)).toThrow(/kinds\.tickets\.derive\.district: 写法不对，键为 "valu"/);
  });
  it('a bad name', () => {
    expect(bad('name', { ...springfield, name: 'Springfield City' })).toThrow(/ {2}name: lowercase letters, digits and dashes/);
  });
  it('a file that is not JSON', () => {
    expect(bad('notjson', '{ "name": "x", ')).toThrow(/映射方案 .*notjson\.json 不是合法的 JSON/);
  });
});

describe('detection', () => {
  const twin = { name: 'city-taxonomy', title: 'a city category list', kinds: { categories: { columns: { category_l1: ['一级分类'], category_l2: ['二级分类'], category_l3: ['三级分类'] } } } };

  it('two profiles that fit equally: refused with a request for --profile and --kind; given them, it loads', async () => {
    const profiles = loadProfiles([profileDir('twin', { 'twin.json': twin })]);
    const fileHeaders = ['一级分类', '二级分类', '三级分类'];
    expect(() => chooseMapping(profiles, fileHeaders)).toThrow(/无法自动判断映射方案：(cn-12345\/categories 与 city-taxonomy\/categories|city-taxonomy\/categories 与 cn-12345\/categories) 同样匹配；请用 --profile 和 --kind 指定/);
    const warehouse = await Warehouse.open(temp.file('twin.duckdb'));
    try {
      const path = temp.file('taxonomy.csv');
      writeFileSync(path, '一级分类,二级分类,三级分类\n城乡建设,物业管理,收费\n城乡建设,物业管理,维修\n');
      const refused = await ingest(warehouse, path, { profiles });
      expect(refused).toMatchObject({ status: 'refused' });
      expect(refused.message).toContain('pass --profile and --kind');
      const loaded = await ingest(warehouse, path, { profiles, profile: 'city-taxonomy', kind: 'categories' });
      expect(loaded).toMatchObject({ status: 'loaded', profile: 'city-taxonomy', kind: 'categories', loaded: 2 });
    } finally {
      warehouse.close();
    }
  });

  it('an unknown --profile names the available ones', () => {
    expect(() => chooseMapping(loadProfiles(), ['工单编号'], { profile: 'nowhere' })).toThrow('没有名为 nowhere 的映射方案；可用：cn-12345, message-board, us-311');
  });

  it('headers no profile knows: refused with a hint at the encoding and PROFILES.md', () => {
    expect(() => chooseMapping(loadProfiles(), ['foo', 'bar'])).toThrow(/没有任何映射方案认得这些表头：foo, bar。请检查文件编码，或编写映射方案（见 PROFILES\.md）/);
  });

  it('--kind decides when the headers fit a smaller kind and a ticket export missing a column', () => {
    const ticketHeaders = ['工单编号', '受理时间', '来源渠道', '诉求类型', '一级分类', '二级分类', '三级分类', '工单状态'];
    expect(() => chooseMapping(loadProfiles(), ticketHeaders)).toThrow(/missing required column\(s\) for cn-12345\/tickets: 办理方式/);
    expect(chooseMapping(loadProfiles(), ticketHeaders, { kind: 'categories' })).toMatchObject({ kind: 'categories' });
  });
});
