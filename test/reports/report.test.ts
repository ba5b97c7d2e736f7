import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { chinesePart, CliError } from '../../pipelines/cli-error.js';
import { run as kpiCommand } from '../../pipelines/commands/kpi.js';
import { run as reportCommand } from '../../pipelines/commands/report.js';
import { breakdown, DEFAULT_KPI_SETTINGS, KPI_JSON_KEYS, unitRanking } from '../../pipelines/kpi.js';
import { listArchivedReports } from '../../reports/archive.js';
import { previousBeijingMonth, monthlyReportJob } from '../../reports/job.js';
import { buildMonthlyReport, headline, type MonthlyReport } from '../../reports/monthly.js';
import { CHROMIUM_PATH, hasChromium, htmlToPdf } from '../../reports/output.js';
import { buildSpecialReport, recommendations } from '../../reports/special.js';
import { findTopic } from '../../reports/topics.js';
import { countText, daySpanWords, foldNotes, hoursText, ppChangeText, pctChangeText, rateText, riseFigure, riseText, topTownshipsText, whereText } from '../../reports/format.js';
import { tempSetup } from '../service/helpers.js';
import { reportWarehouse } from './fixture.js';
import { insertTickets, tempWarehouse, ticket } from '../kpi/helpers.js';

const config = { kpi: DEFAULT_KPI_SETTINGS };
let demo: Awaited<ReturnType<typeof reportWarehouse>>;
let august: MonthlyReport;

beforeAll(async () => {
  demo = await reportWarehouse('test');
  // One ticket in an otherwise empty month whose text tries to run a script.
  await demo.warehouse.run(`
    insert into tickets
    select * replace (
      'XSS-1' as ticket_id, timestamp '2030-01-15 10:00:00' as received_at, '<script>alert(1)</script> 楼下 "噪声" & 扰民' as content,
      timestamp '2030-01-15 10:00:00' as activity_at, null as dispatched_at, null as signed_at, null as deadline_at,
      null as completed_at, null as callback_at, '办理中' as status
    )
    from tickets where handling = '转办' limit 1`);
  august = await buildMonthlyReport(demo.warehouse, '2025-08', config);
}, 120_000);
afterAll(() => demo?.close());

async function stdout(command: (argv: string[]) => Promise<void>, argv: string[]): Promise<string> {
  const chunks: string[] = [];
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    chunks.push(String(chunk));
    return true;
  });
  const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    await command(argv);
  } finally {
    spy.mockRestore();
    err.mockRestore();
  }
  return chunks.join('');
}

describe('monthly report', () => {
  it('every KPI number equals `hotline kpi --month --compare --json`', async () => {
    const cli = JSON.parse(await stdout(kpiCommand, ['--month', '2025-08', '--compare', '--json', '--db', demo.db]));
    const { comparisons, ...values } = cli;
    expect(august.data.kpiJson).toEqual(values);
    expect(values.received).toBeGreaterThan(1000);
    for (const key of KPI_JSON_KEYS) {
      const line = august.data.kpis.find((k) => k.key === key)!;
      const metric = comparisons.metrics[key];
      expect(line.value).toBe(values[key]);
      expect(line.previous_month).toBe(metric.previous_month);
      expect(line.same_month_last_year).toBe(metric.same_month_last_year);
      // 环比 and 同比 never swapped; rates in percentage points, counts in percent.
      expect(line.mom).toBe(line.measure === 'pp' ? metric.mom_pp : metric.mom_pct);
      expect(line.yoy).toBe(line.measure === 'pp' ? metric.yoy_pp : metric.yoy_pct);
      // …and the HTML shows exactly these numbers.
      const shown = line.kind === 'rate' ? rateText(line.value) : line.kind === 'mean' ? hoursText(line.value) : countText(line.value);
      expect(august.html).toContain(`>${shown}<`);
      const mom = line.measure === 'pp' ? ppChangeText(line.mom) : pctChangeText(line.mom);
      expect(august.html).toContain(`>${mom}<`);
    }
    expect(comparisons.previous_month).toBe(august.data.previousMonth);
    expect(comparisons.same_month_last_year).toBe(august.data.sameMonthLastYear);
  });

  it('lists, categories and districts are the kpi.ts answers (unitRanking, breakdown), not recomputed', async () => {
    const ranking = await unitRanking(demo.warehouse, '2025-08', { settings: config.kpi });
    const ranked = ranking.rows.filter((r) => r.rank !== null).sort((a, b) => Number(b.composite_score) - Number(a.composite_score) || Number(b.volume) - Number(a.volume));
    expect(august.data.ranking.red).toEqual(ranked.slice(0, 5));
    expect(august.data.ranking.black).toEqual(ranked.slice(-5));
    const categories = await breakdown(demo.warehouse, 'category', '2025-08', { settings: config.kpi, depth: 1 });
    const top = categories.rows.filter((r) => r.level === 1).slice(0, august.data.categories.length);
    expect(august.data.categories.map((c) => [c.name, c.received])).toEqual(top.map((r) => [r.keys.category_l1, r.values.received]));
    for (const c of august.data.categories) expect(c.children.reduce((s, x) => s + x.received, 0)).toBeLessThanOrEqual(c.received);
  });

  it('an export without many fields (a US 311 export): its notes in one line per cause, and 无法计算 in the headline, not a dash', () => {
    const notes = [
      '本月工单无办理方式，直接答复率无法计算',
      '本月工单无办理时限，按时办结率无法计算',
      '本月无话务记录，接通率无法计算',
      '本月未满期（部分转办工单办理时限未到）',
      '本月无话务记录，呼入量无法计算',
      '本月工单无回访结果，满意率无法计算',
      '受理量：上月没有数据，不作比较',
      '受理量：去年同期没有数据，不作比较',
      '转办量：上月没有数据，不作比较',
      '退单率未满期，且退单没有时间记录，无法还原同龄数值，暂不比较',
    ];
    expect(foldNotes(notes)).toEqual([
      '本月工单没有以下字段，括号中的指标无法计算：办理方式（直接答复率）、办理时限（按时办结率）、回访结果（满意率）',
      '本月无话务记录：接通率、呼入量无法计算',
      '本月未满期（部分转办工单办理时限未到）',
      '受理量、转办量：上月没有数据，不作比较',
      '受理量：去年同期没有数据，不作比较',
      '退单率未满期，且退单没有时间记录，无法还原同龄数值，暂不比较',
    ]);
    expect(foldNotes([notes[0]])).toEqual([notes[0]]);
    const bare = { ...august.data, kpis: august.data.kpis.map((k) => (k.key === 'direct_answer_rate' ? { ...k, value: null } : k)) };
    expect(headline(bare)).toContain('，直接答复率无法计算。');
    expect(headline(august.data)).toMatch(/，直接答复率 \d+\.\d\d%。/);
    // a top category without second levels (an LA 311 export): no "其中“未填”"
    const [top] = august.data.categories;
    const unfilled = { ...august.data, categories: [{ ...top, children: [{ name: '未填', received: top.received, share: top.share }] }] };
    expect(headline(unfilled)).toContain(`诉求最集中的领域是“${top.name}”（`);
    expect(headline(unfilled)).not.toContain('未填');
  });

  it('the headline states volume, 环比 in %, rates, and the daily trend adds up to received', () => {
    const received = august.data.kpis.find((k) => k.key === 'received')!;
    expect(august.data.headline).toContain(`共受理群众诉求 ${countText(received.value)} 件`);
    expect(august.data.headline).toMatch(/环比(增长 \d+\.\d\d%|下降 \d+\.\d\d%|持平)，同比(增长 \d+\.\d\d%|下降 \d+\.\d\d%|持平)；/);
    expect(august.data.headline).toContain(`满意率 ${rateText(august.data.kpiJson.satisfaction_rate as number)}`);
    expect(august.data.daily).toHaveLength(31);
    expect(august.data.daily.reduce((s, d) => s + d.count, 0)).toBe(received.value);
    expect(august.data.channels.reduce((s, c) => s + c.received, 0)).toBe(received.value);
  });

  it('has the sections leadership expects, with red and black lists and a definitions appendix', () => {
    for (const title of ['总体情况', '受理趋势与来源', '诉求热点', '区域分布', '“三率”考评', '热点预警', '下月展望', '典型案例', '附录：指标口径']) {
      expect(august.html).toContain(title);
    }
    expect(august.data.ranking.red.length).toBe(5);
    expect(august.data.ranking.black.length).toBeGreaterThan(0);
    const red = new Set(august.data.ranking.red.map((r) => r.unit));
    expect(august.data.ranking.black.some((r) => red.has(r.unit))).toBe(false);
    expect(august.html).toContain('签收时限（signLimitHours）：2 小时');
    expect(august.html.match(/<svg/g)!.length).toBeGreaterThanOrEqual(5);
    expect(august.html).not.toMatch(/<script|src="http|href="http/);
    // leadership reads the rules in words, not the repository's file names
    expect(august.html).not.toMatch(/queries\/|\.sql\b|hotline [a-z]+/);
    expect(august.data.cases.length).toBe(3);
    // the units counted, not "列出 551 家" next to a list of ten
    const { listed, ranked } = august.data.ranking;
    expect(august.html).toContain(`本月有转办工单的承办单位 ${countText(listed)} 家，其中转办不少于 10 件、三项比率齐全的 ${countText(ranked)} 家参与排名。`);
    expect(august.html).not.toContain('列出');
  });

  it('says an incident\'s days in words: one day, days of one month, days across two months', () => {
    expect(daySpanWords('2025-08-11', '2025-08-11')).toBe('8 月 11 日');
    expect(daySpanWords('2025-08-09', '2025-08-11')).toBe('8 月 9 日至 11 日');
    expect(daySpanWords('2025-12-30', '2026-01-02')).toBe('12 月 30 日至 1 月 2 日');
  });

  it('lists a district\'s leading townships without the tickets that name none among them', () => {
    const townships = [
      { name: '未知乡镇街道', received: 2317 },
      { name: '建国路街道', received: 968 },
      { name: '北京南路街道', received: 948 },
      { name: '宁边路街道', received: 700 },
      { name: '绿洲路街道', received: 12 },
    ];
    expect(topTownshipsText(townships)).toBe('建国路街道 968、北京南路街道 948、宁边路街道 700；另有 2,317 件未写乡镇街道');
    expect(topTownshipsText(townships.slice(1, 3))).toBe('建国路街道 968、北京南路街道 948');
    expect(topTownshipsText(townships.slice(0, 1))).toBe('2,317 件都未写乡镇街道');
    expect(topTownshipsText([])).toBe('—');
    for (const row of august.document.sections.flatMap((s) => s.blocks).filter((b) => b.kind === 'table' && b.headers.includes('前三位乡镇（街道）'))) {
      if (row.kind === 'table') for (const cells of row.rows) expect(cells[3]).not.toContain('未知乡镇街道');
    }
  });

  it('says where a typical case is without the unknown district or township', () => {
    expect(whereText('昌吉市', '绿洲路街道')).toBe('昌吉市 绿洲路街道');
    expect(whereText('昌吉市', '未知乡镇街道')).toBe('昌吉市');
    expect(whereText('未知区县', '未知乡镇街道')).toBe('未写区县');
    expect(whereText(null, null)).toBe('未写区县');
  });

  it('tells no rises in the first month of an export (every category would be 新增): 各分类不作环比, with the reason', async () => {
    // The fixture starts on 2024-06-01: May has no tickets.
    const first = await buildMonthlyReport(demo.warehouse, '2024-06', config);
    expect(first.data.risers).toEqual([]);
    const html = first.html;
    expect(html).toMatch(/各分类不作环比：上月没有数据，不作比较。/);
    expect(first.data.headline).not.toMatch(/本月新增/);
    // The KPI table's 上月 and 去年同月 are "—" with one note, not 0 件 for months no export covered.
    const received = first.data.kpis.find((l) => l.key === 'received')!;
    expect([received.previous_month, received.same_month_last_year]).toEqual([null, null]);
    expect(html).toContain('上月（2024-05）早于数据的起始日（2024-06-01），不作比较');
    // One note per base, not one per row (the definitions appendix quotes the rule as well).
    expect(html.match(/<li>(上月|去年同期)（[^<]*早于数据的起始日[^<]*<\/li>/g)).toEqual([
      '<li>上月（2024-05）早于数据的起始日（2024-06-01），不作比较</li>',
      '<li>去年同期（2023-06）早于数据的起始日（2024-06-01），不作比较</li>',
    ]);
    // A month with a month before it still has its risers.
    expect(august.data.risers.length).toBeGreaterThan(0);
  });

  it('on an export without categories or units (a message board) says so in sentences: no 未分类 bar, riser, outlook or 领域, no ranking of 0 units', async () => {
    const { warehouse, close } = await tempWarehouse('uncategorised');
    try {
      const bare = (day: string) => ticket({ received_at: `2025-${day} 09:00:00`, category_l1: '', category_l2: null, district: null, township: null, handling: '转办', unit: null, status: '已办结' });
      await insertTickets(warehouse, [...Array.from({ length: 12 }, () => bare('06-10')), ...Array.from({ length: 30 }, () => bare('07-10'))]);
      await warehouse.run(`update tickets set content = '咨询电动车上牌办理流程' where received_at >= timestamp '2025-07-01'`);
      const report = await buildMonthlyReport(warehouse, '2025-07', config);
      expect(report.data.risers).toEqual([]); // 12 → 30 未分类 is no topic rising
      expect(report.data.headline).toContain('本月工单均未记录分类。');
      expect(report.data.headline).not.toContain('诉求最集中');
      const text = report.html.replace(/<[^>]+>/g, '');
      expect(text).toContain('本月工单均未记录分类（30 件），无从分析诉求热点。');
      expect(text).not.toContain('受理量前列的一级分类');
      expect(text).toContain('本月转办的 30 件工单均未记录承办单位，无法考评。');
      expect(text).not.toContain('承办单位 0 家');
      expect(text).toContain('承办：未记录');
      expect(text).not.toContain('热线直接答复');
      // the outlook says why there is none: two months of history, not a made-up reason
      expect(text).toContain('历史不足：季节性展望需要截至 2025-07 的至少 12 个完整月份');
      expect(text).not.toContain('too little history'); // (the reason's English half, after "）/ ")
      expect(chinesePart('数据截止于 2020-01-08 / the data ends')).toBe('数据截止于 2020-01-08');
      expect(chinesePart('（1 个月）/ too little history')).toBe('（1 个月）');
      expect(chinesePart('保存在 data/outbox/；发送失败的在 pending/ 中')).toBe('保存在 data/outbox/；发送失败的在 pending/ 中');

      // Some categorised: the headline names the largest named category, not 未分类.
      await insertTickets(warehouse, Array.from({ length: 10 }, () => ticket({ received_at: '2025-07-11 09:00:00', category_l1: '城乡建设', category_l2: '物业管理' })));
      const partial = await buildMonthlyReport(warehouse, '2025-07', config);
      expect(partial.data.categories[0].name).toBe('未分类');
      expect(partial.data.headline).toContain('诉求最集中的领域是“城乡建设”（10 件');
      // A category without a second level (LA 311's Bulky Items) has no '未填' row under it repeating its count.
      await insertTickets(warehouse, Array.from({ length: 5 }, () => ticket({ received_at: '2025-07-12 09:00:00', category_l1: 'Bulky Items', category_l2: null })));
      const firstLevel = await buildMonthlyReport(warehouse, '2025-07', config);
      const table = firstLevel.document.sections.flatMap((x) => x.blocks).find((b) => b.kind === 'table' && b.caption === '一级分类及其主要二级分类');
      expect(table?.kind === 'table' ? table.rows.map((r) => r.slice(0, 3)) : null).toEqual([
        ['未分类', '', '30'],
        ['城乡建设', '', '10'],
        ['', '物业管理', '10'],
        ['Bulky Items', '', '5'],
      ]);
    } finally {
      close();
    }
  });

  it('draws the daily chart of the first month of the data from its first day, not from 0 件 on the days before', async () => {
    const { warehouse, close } = await tempWarehouse('first-days');
    try {
      await insertTickets(warehouse, [ticket({ received_at: '2025-07-15 09:00:00' }), ticket({ received_at: '2025-07-20 09:00:00' })]);
      const report = await buildMonthlyReport(warehouse, '2025-07', config);
      expect(report.data.daily[0]).toEqual({ date: '2025-07-15', count: 1 });
      expect(report.data.daily).toHaveLength(17);
    } finally {
      close();
    }
  });

  it('says a steep rise as a multiple, not as a percentage with two decimals', () => {
    // The demo's 2026-11 report read "由上月 4 件增至 170 件（环比 +4150.00%）".
    expect(riseText(170, 4, 4150)).toBe('是上月的 43 倍');
    expect(riseText(17, 5, 240)).toBe('是上月的 3.4 倍');
    expect(riseText(10, 5, 100)).toBe('是上月的 2 倍');
    expect(riseText(135, 100, 35.2)).toBe('环比 +35.20%');
    expect(riseText(3, 0, null)).toBe('环比 —');
    // 诉求分析's table of risers writes the same figure (it read "+2371.4%" for 7 → 173).
    expect(riseFigure(173, 7, 2371.43)).toBe('25 倍');
    expect(riseFigure(135, 100, 35.2)).toBe('+35.20%');
  });

  it('escapes ticket text: <script> renders as text', async () => {
    const report = await buildMonthlyReport(demo.warehouse, '2030-01', config);
    expect(report.data.cases[0].content).toContain('<script>alert(1)</script>');
    expect(report.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt; 楼下 &quot;噪声&quot; &amp; 扰民');
    expect(report.html).not.toContain('<script');
  });

  it('one channel and one appeal type are a sentence, not a chart of 100 %, and the figures stay numbered without a gap', async () => {
    // 2030-01 holds one ticket: one channel, one appeal type
    const single = await buildMonthlyReport(demo.warehouse, '2030-01', config);
    const [ticket] = single.data.channels;
    expect(single.html).toContain(`本月工单的来源渠道均为“${ticket.name}”（1 件）。`);
    // …and one district is a sentence too, without a map or a table of one row
    expect(single.html).toContain(`本月工单均来自${single.data.districts[0].name}（1 件）。`);
    expect(single.html).not.toContain('各区县受理量最多的乡镇（街道）');
    expect(single.html).toContain(`本月工单的诉求类型均为“${single.data.appealTypes[0].name}”。`);
    expect(single.html).not.toMatch(/来源渠道构成|诉求类型构成/);
    const numbers = (html: string) => [...html.matchAll(/<figcaption>图 (\d+)　/g)].map((m) => Number(m[1]));
    const shown = numbers(single.html);
    expect(shown).toEqual(shown.map((_, i) => i + 1));
    expect(shown.length).toBeGreaterThanOrEqual(2);
    // a month with several of each keeps both charts, numbered as before
    expect(numbers(august.html).slice(0, 4)).toEqual([1, 2, 3, 4]);
    expect(august.html).toContain('图 2　来源渠道构成');
  });

  it('lists the alert incidents that alarmed in the month, bursts included, with place, days, peak and expected', async () => {
    await demo.warehouse.run(`
      insert into alert_incidents (incident_id, first_day, last_day, head_series, level, category_l1, category_l2, district, township, place, peak_day, peak_count, peak_expected, p_value, excess, status, comment, handled_by)
      values (901, date '2025-07-30', date '2025-08-02', 'l2=噪声扰民|district=昌吉市', 'l2_district', '环境保护', '噪声扰民', '昌吉市', null, null, date '2025-08-02', 19, 6.4, 0.001, 12.6, 'closed', '夜间施工已叫停', '生态环境局'),
             (902, date '2025-08-11', date '2025-08-11', 'burst=昌吉市|翠苑华府', 'burst', '供水', '停水', '昌吉市', '延安北路街道', '翠苑华府', date '2025-08-11', 56, 0.3, 1e-40, 55.7, 'open', null, null);
      insert into alert_incident_series (incident_id, series_key, level, category_l1, category_l2, district, township, place)
      values (901, 'l2=噪声扰民|district=昌吉市', 'l2_district', '环境保护', '噪声扰民', '昌吉市', null, null),
             (902, 'burst=昌吉市|翠苑华府', 'burst', '供水', '停水', '昌吉市', '延安北路街道', '翠苑华府'),
             (902, 'l2=停水', 'l2', '供水', '停水', null, null, null);
      insert into alert_days (incident_id, series_key, day, count, expected, upper, score, channel, detected_at)
      values (901, 'l2=噪声扰民|district=昌吉市', date '2025-07-30', 15, 6.1, 12, 8, 'day', timestamp '2025-07-31 06:30:00'),
             (901, 'l2=噪声扰民|district=昌吉市', date '2025-08-02', 19, 6.4, 12.4, 12.5, 'day', timestamp '2025-08-03 06:30:00'),
             (902, 'burst=昌吉市|翠苑华府', date '2025-08-11', 56, 0.3, 8, 40, 'burst', timestamp '2025-08-11 12:05:00'),
             (902, 'l2=停水', date '2025-08-11', 63, 9.4, 18, 20, 'day', timestamp '2025-08-12 06:30:00');`);
    try {
      const report = await buildMonthlyReport(demo.warehouse, '2025-08', config);
      expect(report.data.alerts).toMatchObject([
        { incident_id: 901, title: '噪声扰民 · 昌吉市', place: null, alarm_days: 1, peak_count: 19, peak_expected: 6.4, series: 1 },
        { incident_id: 902, title: '停水 · 昌吉市 · 翠苑华府', place: '昌吉市延安北路街道翠苑华府', first_day: '2025-08-11', alarm_days: 1, peak_count: 56, peak_expected: 0.3, series: 2 },
      ]);
      expect(report.data.headline).toContain('本月热点预警事件 2 起');
      expect(report.html).toContain('生态环境局：夜间施工已叫停');
      expect(report.html).toContain('昌吉市延安北路街道翠苑华府');
      // Days in words, never cut in two on paper (an incident that began the month before included).
      expect(report.html).toContain('<td class="nowrap">7 月 30 日至 8 月 2 日</td>');
      // …whose alarm days are counted inside the month only (07-30 is July's), and the header says so
      expect(report.html).toContain('本月预警天数');
      expect(report.html).toContain('<td class="nowrap">8 月 11 日</td>');
      expect(report.html).toContain('<td class="nowrap">已结束</td>');
      expect(report.html).toContain('<td>56（0.3）</td>');
      expect((await buildMonthlyReport(demo.warehouse, '2025-06', config)).data.alerts).toEqual([]);
    } finally {
      await demo.warehouse.run('delete from alert_days where incident_id in (901, 902); delete from alert_incident_series where incident_id in (901, 902); delete from alert_incidents where incident_id in (901, 902)');
    }
  });

  it('a month without data says so instead of failing', async () => {
    const report = await buildMonthlyReport(demo.warehouse, '2031-03', config);
    expect(report.data.empty).toBe(true);
    expect(report.data.kpiJson.received).toBe(0);
    expect(report.html).toContain('没有受理工单记录');
    expect(report.html).toContain('附录：指标口径');
  });
});

describe('special report', () => {
  it('of requests without a district or callbacks: one sentence for the place, and 无法计算 for the rates, never a bare dash in prose', async () => {
    await demo.warehouse.run(`
      insert into tickets
      select * replace (
        'ND-' || ticket_id as ticket_id, timestamp '2031-03-10 10:00:00' as received_at, '楼下夜间施工噪声扰民' as content,
        null as district, null as township, null as callback_at, null as satisfaction, null as resolved,
        timestamp '2031-03-10 10:00:00' as activity_at
      )
      from tickets where category_l2 = '噪声扰民' and handling = '转办' limit 2`);
    // (taken out again at once: the other tests read the fixture's own data-as-of time)
    const report = await buildSpecialReport(demo.warehouse, findTopic('noise')!, '2031-03-01', '2031-03-31', config).finally(() =>
      demo.warehouse.run(`delete from tickets where ticket_id like 'ND-%'`),
    );
    expect(report.data.summary.received).toBe(2);
    expect(report.html).toContain('这些诉求均未记录所属区县。');
    expect(report.html).not.toContain('区县 → 乡镇（街道）');
    expect(report.html).toContain('满意率无法计算');
    expect(report.html).not.toMatch(/率 —[，。]/);
    // the figures after the one left out are numbered on
    const numbers = [...report.html.matchAll(/<figcaption>图 (\d+)　/g)].map((m) => Number(m[1]));
    expect(numbers).toEqual(numbers.map((_, i) => i + 1));
  });

  it('noise over the summer: volume against last year, places, heatmap, units, repeat callers as a count', async () => {
    const report = await buildSpecialReport(demo.warehouse, findTopic('noise')!, '2025-06-01', '2025-08-31', config);
    const { data } = report;
    expect(data.summary.received).toBeGreaterThan(50);
    expect(data.daily.reduce((s, d) => s + d.count, 0)).toBe(data.summary.received);
    expect(data.heatmap).toHaveLength(7 * 24);
    expect(data.heatmap.reduce((s, c) => s + c.count, 0)).toBe(data.summary.received);
    expect(data.districts.reduce((s, d) => s + d.received, 0)).toBe(data.summary.received);
    expect(data.recommendations.length).toBeGreaterThan(0);
    expect(data.summary.repeat_callers).toBeGreaterThanOrEqual(0);
    // Phone hashes never reach the report.
    const hashes = await demo.warehouse.all<{ phone_hash: string }>(`select distinct phone_hash from tickets where phone_hash is not null limit 50`);
    for (const { phone_hash } of hashes) expect(report.html).not.toContain(phone_hash);
    expect(report.html).toContain('噪声扰民诉求专报');
    // leadership reads the rules in words, not command lines or file names
    expect(report.html).not.toMatch(/queries\/|\.sql\b|hotline [a-z]+/);
  });

  it('counts "反映最多的地址" by compound, not building by building, without repeating the district', async () => {
    const report = await buildSpecialReport(demo.warehouse, findTopic('noise')!, '2025-06-01', '2025-08-31', config);
    const compounds = ['幸福小区', '阳光花园', '天山苑', '绿洲家园', '和谐苑'];
    expect(report.data.addresses.length).toBeGreaterThan(0);
    for (const a of report.data.addresses) expect(compounds, a.address).toContain(a.address);
    // Each district × compound once, holding all its buildings' tickets.
    expect(new Set(report.data.addresses.map((a) => `${a.district}|${a.address}`)).size).toBe(report.data.addresses.length);
    const [top] = report.data.addresses;
    const byHand = await demo.warehouse.one<{ n: number }>(
      `select count(*)::integer as n from stg_tickets where received_at >= '2025-06-01' and received_at < '2025-09-01' and category_l2 = '噪声扰民' and district = $district and address like $district || $compound || '%号楼'`,
      { district: top.district, compound: top.address },
    );
    expect(top.received).toBe(byHand!.n);
    // a short table like this one is kept on one printed page (split, it left two rows under the map and a near-empty page)
    expect(report.html).toMatch(/<div class="table-wrap keep"><table><caption>反映最多的地址（小区）<\/caption>/);
    expect(report.html).toMatch(/figure,tr,\.table-wrap\.keep\{page-break-inside:avoid;break-inside:avoid\}/);
  });

  it('recommends patrols where most requests are: the busiest named township of any district, never "未知…"', async () => {
    const { data } = await buildSpecialReport(demo.warehouse, findTopic('noise')!, '2025-06-01', '2025-08-31', config);
    const named = data.districts.flatMap((d) => d.townships.map((t) => ({ district: d.name, ...t }))).sort((a, b) => b.received - a.received)[0];
    expect(recommendations(data).join('')).toContain(`诉求最集中的是${named.district}${named.name}（${countText(named.received)} 件`);
    // Tickets without a district or township lead the lists: the advice still names a real place.
    const total = data.summary.received;
    const unknown = { name: '未知区县', received: total, share: 1, townships: [{ name: '未知乡镇街道', received: total }] };
    const withUnknown = { ...data, districts: [unknown, ...data.districts.map((d) => ({ ...d, townships: [{ name: '未知乡镇街道', received: total }, ...d.townships] }))] };
    const advice = recommendations(withUnknown).join('');
    expect(advice).toContain(`诉求最集中的是${named.district}${named.name}（`);
    expect(advice).not.toContain('未知');
    // A unit is pressed on its deadlines only on as many tickets as the ranking asks for.
    const unit = (name: string, dispatched: number, ontime: number) => ({ ...data.units[0], unit: name, dispatched, ontime_completion_rate: ontime });
    const few = recommendations({ ...data, units: [unit('甲单位', data.settings.minTicketsForRanking - 1, 0.5)] }).join('');
    expect(few).not.toContain('甲单位');
    const enough = recommendations({ ...data, units: [unit('甲单位', 5, 0.5), unit('乙单位', data.settings.minTicketsForRanking, 0.8)] }).join('');
    expect(enough).toContain('乙单位按时办结率 80.00%（转办 10 件），建议督办');
    expect(enough).not.toContain('甲单位');
  });

  it('a topic without tickets says so', async () => {
    const report = await buildSpecialReport(demo.warehouse, findTopic('heating')!, '2031-01-01', '2031-01-31', config);
    expect(report.data.empty).toBe(true);
    expect(report.html).toContain('期间没有供暖类诉求记录');
  });
});

describe('hotline report (CLI), formats and archive', () => {
  const out = mkdtempSync(join(tmpdir(), 'hotline-report-out-'));
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('writes HTML and DOCX with a manifest and prints {"files", "month"}', async () => {
    const json = JSON.parse(await stdout(reportCommand, ['monthly', '--month', '2025-08', '--format', 'html,docx', '--out', out, '--json', '--db', demo.db]));
    expect(json.month).toBe('2025-08');
    expect(json.files).toEqual([join(out, '2025-08.html'), join(out, '2025-08.docx'), join(out, '2025-08.json')]);
    const docx = readFileSync(join(out, '2025-08.docx'));
    expect(docx.subarray(0, 2).toString()).toBe('PK');
    const manifest = JSON.parse(readFileSync(join(out, '2025-08.json'), 'utf8'));
    expect(manifest).toMatchObject({ kind: 'monthly', name: '2025-08', inputs: { month: '2025-08' }, dataAsOf: august.data.dataAsOf, files: ['2025-08.html', '2025-08.docx'] });
  }, 60_000);

  it('special prints one path per line', async () => {
    const text = await stdout(reportCommand, ['special', '--topic', 'water', '--from', '2025-06-01', '--to', '2025-08-31', '--format', 'html', '--out', out, '--db', demo.db]);
    expect(text.trim().split('\n')).toEqual([join(out, 'water_2025-06-01_2025-08-31.html'), join(out, 'water_2025-06-01_2025-08-31.json')]);
  });

  it('usage errors exit 2 and name the flag', async () => {
    for (const argv of [
      ['monthly'],
      ['monthly', '--month', '2025-13'],
      ['monthly', '--month', '2025-08', '--format', 'pdf,xls'],
      ['special', '--topic', 'nope', '--from', '2025-06-01', '--to', '2025-06-30'],
      ['special', '--topic', 'noise', '--from', '2025-06-31', '--to', '2025-07-30'],
      ['weekly'],
    ]) {
      const error = await reportCommand([...argv, '--db', demo.db]).then(() => null, (e: unknown) => e);
      expect(error, argv.join(' ')).toBeInstanceOf(CliError);
      expect((error as CliError).exitCode).toBe(2);
    }
  });

  it.skipIf(!hasChromium())(`PDF: A4, cover and page numbers, Chinese text; page images for a person to look at (needs ${CHROMIUM_PATH})`, async () => {
    const pdf = await htmlToPdf(august.html, august.document.title);
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    const file = join(out, 'august.pdf');
    writeFileSync(file, pdf);
    const pages = Number(/Pages:\s+(\d+)/.exec(execFileSync('pdfinfo', [file]).toString())![1]);
    expect(pages).toBeGreaterThanOrEqual(6);
    const size = /Page size:\s+([\d.]+) x ([\d.]+)/.exec(execFileSync('pdfinfo', [file]).toString())!;
    expect(Math.abs(Number(size[1]) - 595.3)).toBeLessThan(1.5); // A4: 595 × 842 points
    const text = execFileSync('pdftotext', ['-f', '1', '-l', '2', file, '-']).toString();
    expect(text).toContain('运行月报');
    expect(text).toMatch(/第\s*2\s*页\s*\/\s*共\s*\d+\s*页/);
    expect(text).toContain(`${countText(august.data.kpiJson.received as number)}`);
    execFileSync('pdftoppm', ['-r', '60', '-png', '-f', '1', '-l', '2', file, join(out, 'page')]);
    const images = readdirSync(out).filter((name) => /^page-\d+\.png$/.test(name));
    expect(images).toHaveLength(2);
    for (const image of images) expect(statSync(join(out, image)).size).toBeGreaterThan(5000);
  }, 120_000);
});

if (!hasChromium()) {
  describe('PDF', () => it.skip(`skipped: no Chromium at ${CHROMIUM_PATH} (apt-get install chromium fonts-noto-cjk)`, () => undefined));
}

describe('monthly report job', () => {
  it('last month is Beijing time', () => {
    expect(previousBeijingMonth(new Date('2025-09-01T00:00:00+08:00'))).toBe('2025-08');
    expect(previousBeijingMonth(new Date('2025-08-31T16:30:00Z'))).toBe('2025-08'); // 00:30 on 1 Sep in Beijing
    expect(previousBeijingMonth(new Date('2026-01-01T08:00:00+08:00'))).toBe('2025-12');
  });

  it('archives last month and mails it to the leadership list (outbox without SMTP)', async () => {
    const setup = tempSetup('report-job');
    try {
      const jobConfig = { ...setup.config, mail: { ...setup.config.mail, leadership: { to: ['lingdao@example.gov.cn'] } } };
      const calls: { recipients: string[]; subject: string; attachments: string[] }[] = [];
      const result = await monthlyReportJob(demo.warehouse, jobConfig, {
        now: new Date('2025-09-01T08:00:00+08:00'),
        deliver: async (message, recipients) => {
          calls.push({ recipients, subject: message.subject, attachments: message.attachments.map((a) => a.filename) });
          return { status: 'written' };
        },
      });
      expect(result.month).toBe('2025-08');
      expect(calls).toHaveLength(1);
      expect(calls[0].recipients).toEqual(['lingdao@example.gov.cn']);
      expect(calls[0].subject).toContain('2025 年 8 月');
      expect(calls[0].attachments).toContain('12345热线月报_2025-08.docx');
      for (const file of result.files) expect(existsSync(file)).toBe(true);
      const archive = listArchivedReports(jobConfig.dataDir);
      expect(archive.map((a) => [a.kind, a.name])).toEqual([['monthly', '2025-08']]);
      // The real mail path writes an .eml into the outbox when no SMTP is configured.
      const real = await monthlyReportJob(demo.warehouse, jobConfig, { month: '2025-08' });
      expect(real.delivery!.status).toBe('written');
      expect(existsSync(real.delivery!.file!)).toBe(true);
    } finally {
      setup.cleanup();
    }
  }, 120_000);
});
