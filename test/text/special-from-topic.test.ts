import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createApp } from '../../dashboard/server.js';
import { run as reportCommand } from '../../pipelines/commands/report.js';
import { run as topicsCommand } from '../../pipelines/commands/topics.js';
import { ingestFile } from '../../pipelines/ingest/ingest.js';
import { loadProfiles } from '../../pipelines/ingest/profiles.js';
import { afterIngest } from '../../pipelines/refresh.js';
import { addUser, usersFile } from '../../pipelines/users.js';
import { Warehouse } from '../../pipelines/warehouse.js';
import { tempSetup, ticketRow, writeTicketsCsv } from '../service/helpers.js';

/**
 * 热点话题 → 专报: the 生成专报 button's API and `hotline report special --hot-topic` build a special
 * report of exactly a hot issue's requests (found again from the warehouse by period and rank),
 * titled with its description, into the report archive.
 */
const PASSWORD = 'a long test password';
const FROM = '2025-07-01';
const TO = '2025-07-31';

describe('a special report started from a hot issue', () => {
  const setup = tempSetup('special-topic');
  let warehouse: Warehouse;
  let server: Server;
  let app: ReturnType<typeof createApp>;
  let base: string;
  let agent: { cookie: string; csrf: string };

  const call = (method: string, path: string, body?: unknown, signedIn = true) =>
    fetch(`${base}${path}`, {
      method,
      headers: { ...(signedIn ? { cookie: agent.cookie, 'x-csrf-token': agent.csrf } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  beforeAll(async () => {
    warehouse = await Warehouse.open(setup.config.db);
    const rows: string[][] = [];
    let n = 0;
    const routine = ['楼下夜间施工噪声扰民，影响休息', '建议增加公交线路班次', '咨询社保卡补办需要哪些材料', '路面坑洼不平，请尽快维修', '超市商品标价与结算价格不一致', '小区门口占道经营', '孩子入学咨询'];
    for (let d = 1; d <= 31; d++) {
      const date = `2025-07-${String(d).padStart(2, '0')}`;
      for (let k = 0; k < 4; k++) rows.push(ticketRow(`T${String(n++).padStart(5, '0')}`, { 受理时间: `${date} ${10 + k}:00:00`, 诉求内容: `${routine[(d + k) % routine.length]}（${d}-${k}）`, 诉求地址: `昌吉市宁边路街道北京路${d * 10 + k}号` }));
    }
    // Seven requests about one water outage at 天山小区, filed under three categories.
    const outage = ['天山小区停水两天了，什么时候恢复供水', '天山小区从前天开始停水，家里没水做饭', '天山小区一直停水，物业也不给说法', '天山小区停水，老人孩子没水喝', '反映天山小区停水问题，请尽快恢复供水', '天山小区停水第三天了', '天山小区还是停水，没人管'];
    const categories: [string, string][] = [['供水', '停水'], ['物业管理', '物业服务'], ['供水', '水质问题']];
    outage.forEach((text, k) =>
      rows.push(ticketRow(`W${k}`, { 受理时间: `2025-07-2${5 + (k % 3)} ${String(8 + k).padStart(2, '0')}:30:00`, 一级分类: categories[k % 3][0], 二级分类: categories[k % 3][1], 诉求内容: text, 乡镇街道: '延安北路街道', 诉求地址: `昌吉市延安北路街道天山小区${k + 1}号楼` })),
    );
    // A routine question asked ten times, filed as 咨询: a hot issue unless consultations are left out.
    for (let k = 0; k < 10; k++) {
      rows.push(ticketRow(`Q${k}`, { 受理时间: `2025-07-${String(3 + 2 * k).padStart(2, '0')} 15:10:00`, 诉求类型: '咨询', 一级分类: '医疗卫生', 二级分类: '医保缴费', 诉求内容: '咨询城乡居民医保缴费标准和截止时间', 诉求地址: '', 联系电话: `139000000${10 + k}` }));
    }
    const file = join(setup.dir, 'tickets.csv');
    writeTicketsCsv(file, rows.map((r) => r.map((v, i) => (i === 17 || i === 19 || i === 24 ? '' : v))).map((r) => { r[13] = '直接答复'; r[14] = ''; r[16] = ''; r[18] = ''; r[20] = '已办结'; return r; }));
    const summary = await ingestFile(warehouse, file, { profiles: loadProfiles(), key: 'cd'.repeat(32), maxFieldBytes: 1e6 });
    expect(summary.quarantined).toBe(0);
    await afterIngest(warehouse, setup.config);
    addUser(usersFile(setup.config), 'leader', 'leader', PASSWORD);
    app = createApp({ warehouse: await warehouse.session(), config: setup.config, startedAt: new Date() });
    server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const login = await fetch(`${base}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'leader', password: PASSWORD }) });
    expect(login.status).toBe(200);
    agent = { cookie: login.headers.get('set-cookie')!.split(';')[0], csrf: (await login.json()).csrf };
  }, 120_000);
  afterAll(async () => {
    if (server) await new Promise((r) => server.close(r));
    app?.close();
    warehouse?.close();
    setup.cleanup();
  });

  async function outageTopic() {
    const listed = await (await call('GET', `/api/text/topics?from=${FROM}&to=${TO}`)).json();
    const topic = listed.topics.find((t: { description: string }) => t.description.includes('天山小区'));
    expect(topic).toBeDefined();
    return topic as { rank: number; description: string; count: number; firstDay: string; lastDay: string; categories: unknown[] };
  }

  it('生成专报 archives a report titled with the issue\'s description, of exactly its requests', async () => {
    const topic = await outageTopic();
    expect(topic.count).toBe(7);
    expect(topic.categories.length).toBe(2); // 一级: 供水 and 物业管理
    expect((await call('POST', '/api/text/topics/special-report', { from: FROM, to: TO, rank: topic.rank }, false)).status).toBe(401);
    expect((await call('POST', '/api/text/topics/special-report', { from: FROM, to: TO, rank: 0 })).status).toBe(400);
    expect((await call('POST', '/api/text/topics/special-report', { from: TO, to: FROM, rank: 1 })).status).toBe(400);
    expect((await call('POST', '/api/text/topics/special-report', { from: FROM, to: TO, rank: topic.rank, description: '别的话题' })).status).toBe(409);
    const built = await call('POST', '/api/text/topics/special-report', { from: FROM, to: TO, rank: topic.rank, description: topic.description });
    expect(built.status).toBe(201);
    const answer = await built.json();
    expect(answer.title).toBe(topic.description);
    expect(answer.tickets).toBe(topic.count);
    expect(answer.files).toHaveLength(3);
    const html = answer.files.find((f: string) => f.endsWith('.html'));
    expect(html).toMatch(new RegExp(`^hot-${topic.firstDay}-[a-z0-9]+_${topic.firstDay}_${topic.lastDay}\\.html$`));
    const list = await (await call('GET', '/api/reports')).json();
    const archived = list.reports.flatMap((r: { files: { path: string }[] }) => r.files.map((f) => f.path)).find((p: string) => p.endsWith(html));
    expect(archived).toBeDefined();
    const page = await (await call('GET', `/reports/file?path=${encodeURIComponent(archived)}`)).text();
    expect(page).toContain(topic.description);
    expect(page).toContain(`共受理热点话题“${topic.description}”相关诉求 7 件`);
  });

  it('不含咨询 leaves the requests filed as 咨询 out of the hot issues, and 生成专报 finds the issue again the same way', async () => {
    const all = await (await call('GET', `/api/text/topics?from=${FROM}&to=${TO}`)).json();
    const question = all.topics.find((t: { description: string }) => t.description.includes('医保缴费'));
    expect(question).toMatchObject({ count: 10 });
    const problems = await (await call('GET', `/api/text/topics?from=${FROM}&to=${TO}&consultations=0`)).json();
    expect(problems.consultations).toBe(false);
    expect(problems.topics.some((t: { description: string }) => t.description.includes('医保缴费'))).toBe(false);
    const outage = problems.topics.find((t: { description: string }) => t.description.includes('天山小区'));
    const before = (await outageTopic()).rank;
    expect(outage.rank).toBeLessThan(before);
    // the report is of the issue at that rank among problems only; the same rank among all is another issue
    const built = await call('POST', '/api/text/topics/special-report', { from: FROM, to: TO, rank: outage.rank, consultations: false, description: outage.description });
    expect(built.status).toBe(201);
    expect((await built.json()).tickets).toBe(7);
    expect((await call('POST', '/api/text/topics/special-report', { from: FROM, to: TO, rank: outage.rank, description: outage.description })).status).toBe(409);
    // the command line the same way: hotline topics and hotline report special --hot-topic
    const printed: string[] = [];
    const stdout = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => (printed.push(String(chunk)), true));
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    let listed: { rank: number; description: string }[];
    let report: { tickets: number; title: string };
    try {
      await topicsCommand(['--from', FROM, '--to', TO, '--no-consultations', '--json', '--db', setup.config.db]);
      listed = JSON.parse(printed.join(''));
      printed.length = 0;
      await reportCommand(['special', '--hot-topic', String(outage.rank), '--no-consultations', '--from', FROM, '--to', TO, '--format', 'html', '--out', join(setup.dir, 'cli-problems'), '--json', '--db', setup.config.db]);
      report = JSON.parse(printed.join(''));
    } finally {
      stdout.mockRestore();
      stderr.mockRestore();
    }
    expect(listed.map((t) => t.description)).toEqual(problems.topics.slice(0, 10).map((t: { description: string }) => t.description));
    expect(report).toMatchObject({ title: outage.description, tickets: 7 });
  });

  it('hotline report special --hot-topic RANK builds the same report from the command line', async () => {
    const topic = await outageTopic();
    const out = join(setup.dir, 'cli-reports');
    const printed: string[] = [];
    const stdout = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => (printed.push(String(chunk)), true));
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      await reportCommand(['special', '--hot-topic', String(topic.rank), '--from', FROM, '--to', TO, '--format', 'html', '--out', out, '--json', '--db', setup.config.db]);
    } finally {
      stdout.mockRestore();
      stderr.mockRestore();
    }
    const answer = JSON.parse(printed.join(''));
    expect(answer).toMatchObject({ title: topic.description, tickets: 7, from: topic.firstDay, to: topic.lastDay });
    expect(existsSync(answer.files[0])).toBe(true);
    expect(readFileSync(answer.files[0], 'utf8')).toContain(topic.description);
    await expect(reportCommand(['special', '--hot-topic', '99', '--from', FROM, '--to', TO, '--format', 'html', '--out', out, '--db', setup.config.db])).rejects.toThrow(/没有第 99 个热点话题/);
    await expect(reportCommand(['special', '--hot-topic', '1', '--topic', 'noise', '--from', FROM, '--to', TO])).rejects.toThrow(/not both/);
  });

  it('an empty list says why: no requests, or no texts at all (an export without 诉求内容), else how many texts were read', async () => {
    const none = await (await call('GET', '/api/text/topics?from=2025-06-01&to=2025-06-30')).json();
    expect(none).toMatchObject({ topics: [], requests: { total: 0, with_text: 0 } });
    // (last in this file: it changes the fixture) 2025-07-02 without its texts
    await warehouse.run(`update tickets set content = null where received_at >= timestamp '2025-07-02' and received_at < timestamp '2025-07-03'`);
    const textless = await (await call('GET', '/api/text/topics?from=2025-07-02&to=2025-07-02')).json();
    expect(textless).toMatchObject({ topics: [], requests: { total: 4, with_text: 0 } });
    // with topics there is nothing to explain
    expect((await (await call('GET', `/api/text/topics?from=${FROM}&to=${TO}`)).json()).requests).toBeNull();
  });
});
