import { describe, expect, it } from 'vitest';
import { composeAlertMail, composeDigestMail, escapeHtml, formatP, timesWords } from '../../pipelines/mail/compose.js';
import { evidence } from './fixtures.js';

describe('composeAlertMail', () => {
  const today = '2025-07-30';

  it('says what, where and how many in the subject', async () => {
    expect((await composeAlertMail(evidence(), { today, chart: false })).subject).toBe('【预警】噪声扰民 · 昌吉市 · 今日 46 件，预期 12.3 件');
    expect((await composeAlertMail(evidence({ kind: 'grown' }), { today, chart: false })).subject).toBe('【预警升级】噪声扰民 · 昌吉市 · 今日 46 件，预期 12.3 件');
    // Read the next morning, yesterday's alert names its day; a small expectation keeps its decimal.
    expect((await composeAlertMail(evidence({ expected: 0.4 }), { today: '2025-07-31', chart: false })).subject).toBe('【预警】噪声扰民 · 昌吉市 · 7 月 30 日 46 件，预期 0.4 件');
    const prefectureWide = evidence({ topic: '劳动保障', where: '全辖区', series: { category_l1: '劳动保障', category_l2: null, district: null } });
    expect((await composeAlertMail(prefectureWide, { today, chart: false })).subject).toBe('【预警】劳动保障 · 全辖区 · 今日 46 件，预期 12.3 件');
    const burst = evidence({ topic: '停水', where: '昌吉市 · 翠苑华府', window: 'hour', count: 55, expected: 0.33, windowFrom: '2025-07-30 07:35:01', windowTo: '2025-07-30 10:58:45' });
    expect((await composeAlertMail(burst, { today: '2025-07-31', chart: false })).subject).toBe('【预警】停水 · 昌吉市 · 翠苑华府 · 7 月 30 日数小时内 55 件，预期 0.3 件');
    expect((await composeAlertMail(burst, { today: '2025-07-31', chart: false })).text).toContain('7 月 30 日 7:35–10:58，停水（昌吉市 · 翠苑华府）集中受理 55 件');
  });

  it('gives the multiple of the expectation the mail prints, to two figures from 10 times on', async () => {
    // The demo's burst mail read "预期约 0.4 件 … 是预期的 150 倍" (55 against an unprinted 0.367).
    const burst = await composeAlertMail(evidence({ window: 'hour', count: 55, expected: 0.367, windowFrom: '2025-07-30 07:35:01', windowTo: '2025-07-30 10:58:45' }), { today, chart: false });
    expect(burst.text).toContain('这么长的时间内预期约 0.4 件');
    expect(burst.text).toContain('约为预期的 140 倍');
    expect(burst.text).not.toMatch(/150 倍|137\.5/);
    expect(timesWords(34, 0.2667)).toBe('约为预期的 110 倍');
    expect(timesWords(46, 12.3)).toBe('是预期的 3.7 倍');
    expect(timesWords(66, 11.94)).toBe('是预期的 5.5 倍');
    expect(timesWords(2500, 1.04)).toBe('约为预期的 2,500 倍');
    expect(timesWords(8, 0.04)).toBeNull();
  });

  it('never says 预期 0 件: a baseline with none at all is said in words, a tiny one as 不足 0.1', async () => {
    const related = [
      { name: '话题：小区停暖 · 阜康市 · 明珠华府', day: '2025-07-30', count: 15, expected: 0, window: 'day' as const },
      { name: '话题：暖气不热 · 阜康市 · 明珠华府', day: '2025-07-30', count: 8, expected: 0.02, window: 'day' as const },
    ];
    const mail = await composeAlertMail(evidence({ related }), { today, chart: false });
    expect(mail.text).toContain('话题：小区停暖 · 阜康市 · 明珠华府 · 7 月 30 日 15 件，此前几周没有同类');
    expect(mail.text).toContain('话题：暖气不热 · 阜康市 · 明珠华府 · 7 月 30 日 8 件，预期不足 0.1 件');
    expect(mail.text).not.toMatch(/预期 0 件/);
  });

  it('says the expectation in the body as the subject does: 不足 0.1 件 and 此前几周没有同类, never 约 0 件 or a multiple of it', async () => {
    const tiny = await composeAlertMail(evidence({ expected: 0.02 }), { today, chart: false });
    expect(tiny.subject).toContain('预期不足 0.1 件');
    for (const body of [tiny.text, tiny.html]) {
      expect(body).toContain('按历史规律预期不足 0.1 件');
      expect(body).not.toMatch(/预期约 0 件|：0 件|>0 件|是预期的/);
    }
    expect(tiny.text).toContain('预期：不足 0.1 件');
    const burst = await composeAlertMail(evidence({ window: 'hour', count: 55, expected: 0.02, windowFrom: '2025-07-30 07:35:01', windowTo: '2025-07-30 10:58:45' }), { today, chart: false });
    expect(burst.text).toContain('这么长的时间内预期不足 0.1 件');
    expect(burst.text).not.toMatch(/预期约 0 件|是预期的/);
    const none = await composeAlertMail(evidence({ expected: 0 }), { today, chart: false });
    expect(none.text).toContain('当日受理 46 件，此前几周没有同类，单日预警上限 22.1 件。');
    expect(none.text).not.toMatch(/预期约 0 件|预期接近 0 件/);
  });

  it('words a hot issue\'s surge by its own test: four weeks of similar requests, its surge bound reached, Bonferroni over the day\'s hot issues', async () => {
    // The demo's first start mailed 话题：公租房维修不及时 (9 requests, its bound 9) as "未超过单日预警上限，
    // 但近期持续偏高" and "按当天检验的 737 个序列做 Benjamini–Hochberg 校正": neither is how a surge is judged.
    const surge = evidence({ topic: '话题：公租房维修不及时', where: '全辖区', topicSurge: true, count: 9, expected: 1.22, upper: 9, adjustedP: 0.0041, tests: 737, rise: null });
    const mail = await composeAlertMail(surge, { today, chart: false });
    for (const body of [mail.text, mail.html]) {
      expect(body).toContain('当日受理 9 件，按此前四周的同类诉求，每天预期约 1.2 件，话题突增判定下限 9 件。');
      expect(body).toContain('达到话题突增判定下限（9 件）');
      expect(body).toContain('按当天的 737 个热点话题做 Bonferroni 校正');
      expect(body).not.toMatch(/持续偏高|Benjamini|单日预警上限/);
    }
    const above = await composeAlertMail(evidence({ topicSurge: true, count: 17, expected: 3, upper: 14, rise: null }), { today, chart: false });
    expect(above.text).toContain('比话题突增判定下限（14 件）多 3 件');
    const none = await composeAlertMail(evidence({ topicSurge: true, count: 7, expected: 0, upper: 5, rise: null }), { today, chart: false });
    expect(none.text).toContain('当日受理 7 件，此前四周没有同类诉求，话题突增判定下限 5 件。');
  });

  it('puts the evidence, the related series, three escaped samples, the link and the reasons in HTML and text', async () => {
    const mail = await composeAlertMail(evidence(), { today, chart: false, dashboardUrl: 'https://hotline.example.gov.cn/', routes: ['生态环境局', '热线中心'] });
    for (const body of [mail.html, mail.text]) {
      expect(body).toContain('46 件');
      expect(body).toContain('12.3');
      expect(body).toContain('22.1');
      expect(body).toContain('3.2 × 10⁻⁶');
      expect(body).toContain('是预期的 3.7 倍');
      expect(body).toContain('按当天检验的 862 个序列做 Benjamini–Hochberg 校正');
      expect(body).toContain('环境保护 · 全辖区 · 7 月 30 日 71 件，预期 35.2 件');
      expect(body).toContain('噪声扰民 · 全辖区 · 7 月 30 日 58 件，预期 24 件');
      expect(body).toContain('宁边路街道');
      expect(body).toContain('昌吉市北京南路工地');
      expect(body).toContain('2025073000103');
      expect(body).not.toContain('第四条不应出现在邮件中');
      expect(body).toContain('https://hotline.example.gov.cn/alerts?incident=17');
      expect(body).toContain('「生态环境局」「热线中心」');
      expect(body).toContain('实测每月约 0.8 起误报事件');
      expect(body).not.toContain('年一遇');
      expect(body).not.toContain('看板地址未配置');
    }
    expect(mail.html).not.toMatch(/<script/i);
    expect(mail.html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; 广场舞音响 &amp; 噪声');
    expect(mail.html).toContain('昌吉市&lt;b&gt;延安北路&lt;/b&gt;');
    expect(mail.text).toContain('<script>alert("x")</script>'); // plain text needs no escaping
    expect(mail.attachments).toEqual([]);
    expect(mail.html).not.toContain('cid:');
    expect(mail.headers).toEqual({ 'X-Hotline-Kind': 'alert', 'X-Hotline-Incident': '17' });
  });

  it('says how many tickets name no township or place beside the places they concentrate in', async () => {
    // 17 tickets, one of them with a township: 绿洲路街道 is not where they concentrate.
    const scattered = evidence({ count: 17, topTownships: [{ name: '绿洲路街道', count: 1 }], topAddresses: [], unnamed: { townships: 16, places: 17 } });
    const mail = await composeAlertMail(scattered, { today, chart: false });
    expect(mail.text).toContain('工单集中的乡镇街道：\n  绿洲路街道：1 件\n  另有 16 件未写乡镇街道');
    expect(mail.text).toContain('工单集中的地点：\n  17 件都未写地点');
    expect(mail.html).toContain('另有 16 件未写乡镇街道');
    expect(mail.html).toContain('17 件都未写地点');
    // every ticket named: nothing added
    const named = await composeAlertMail(evidence({ unnamed: { townships: 0, places: 0 } }), { today, chart: false });
    expect(named.text).not.toContain('未写');
  });

  it('embeds the 8-week chart as an inline PNG referenced by cid, bursts included', async () => {
    for (const window of ['day', 'hour'] as const) {
      const mail = await composeAlertMail(evidence({ window }), { today });
      expect(mail.attachments).toHaveLength(1);
      const [chart] = mail.attachments;
      expect(chart).toMatchObject({ contentType: 'image/png', cid: 'trend-17@hotline-pulse' });
      expect(chart.content.subarray(1, 4).toString()).toBe('PNG');
      expect(mail.html).toContain('src="cid:trend-17@hotline-pulse"');
    }
  });

  it('says 持续上升 and shows the rise when the rise channel alarms below the day\'s bound', async () => {
    const rise = { start: '2025-07-19', days: 12, observed: 250, expected: 170 };
    const mail = await composeAlertMail(evidence({ count: 20, upper: 22.1, rise }), { chart: false });
    expect(mail.text).toContain('持续上升：自 7 月 19 日起 12 天共受理 250 件，预期 170 件（高出 47%）；当日 20 件');
    expect(mail.text).toContain('未超过单日预警上限');
    expect(mail.text).not.toMatch(/比单日预警上限（[^）]*）多/);
    // Above the day's bound the day itself is the news, even when a rise was under way.
    expect((await composeAlertMail(evidence({ rise }), { chart: false })).text).toContain('比单日预警上限（22.1 件）多 23.9 件');
    // A burst names its own bound, with its value: "超出判定下限 47 件" was read as a bound of 47.
    const burst = await composeAlertMail(evidence({ window: 'hour', count: 55, expected: 0.33, upper: 8, windowFrom: '2025-07-30 07:35:01', windowTo: '2025-07-30 10:58:45' }), { chart: false });
    expect(burst.text).toContain('比突发判定下限（8 件）多 47 件');
  });

  it('prefers the evidence dashboard link, and has none without an http(s) base', async () => {
    expect((await composeAlertMail(evidence({ dashboardUrl: 'http://10.0.0.5:8080' }), { chart: false, dashboardUrl: 'https://x.example' })).text).toContain('http://10.0.0.5:8080/alerts?incident=17');
    const noLink = (await composeAlertMail(evidence({ dashboardUrl: 'javascript:alert(1)' }), { chart: false }));
    expect(noLink.html).not.toContain('javascript:');
    expect(noLink.html).not.toContain('href=');
  });
});

describe('composeDigestMail', () => {
  it('lists the day\'s incidents, grown ones first, each with a link', () => {
    const items = [
      evidence(),
      evidence({ incidentId: 18, kind: 'grown', topic: '供暖', where: '阜康市', series: { category_l1: '城乡建设', category_l2: '供暖', district: '阜康市' }, count: 30, expected: 8, adjustedP: 0.0004 }),
    ];
    const mail = composeDigestMail(items, '2025-07-30', { dashboardUrl: 'https://hotline.example.gov.cn', falseIncidents: '实测每月约 0.8 起误报事件' });
    expect(mail.subject).toBe('【预警日报】2025-07-30 · 2 起预警事件（其中升级 1 起）');
    expect(mail.html).toContain('<table');
    expect(mail.html.indexOf('供暖')).toBeLessThan(mail.html.indexOf('噪声扰民'));
    expect(mail.html).toContain('href="https://hotline.example.gov.cn/alerts?incident=17"');
    expect(mail.html).toContain('href="https://hotline.example.gov.cn/alerts?incident=18"');
    expect(mail.text).toContain('[升级] 供暖 · 阜康市 · 2025-07-30：30 件，预期 8 件，校正后 p = 4 × 10⁻⁴');
    expect(mail.text).toContain('预警日报收件人名单');
    expect(mail.text).toContain('实测每月约 0.8 起误报事件');
    expect(composeDigestMail([], '2025-07-31').subject).toBe('【预警日报】2025-07-31 · 无预警事件');
    // A tiny expectation reads as on the 预警 page (<0.1) and in the alert mail (不足 0.1 件), never 0.
    const tiny = composeDigestMail([evidence({ expected: 0.02 })], '2025-07-30');
    expect(tiny.text).toContain('46 件，预期不足 0.1 件，校正后 p');
    expect(tiny.html).toContain('<b>46</b> / &lt;0.1');
  });
});

describe('wording helpers', () => {
  it('formats p-values and escapes HTML', async () => {
    expect(formatP(0.0032)).toBe('0.0032');
    expect(formatP(3.2e-6)).toBe('3.2 × 10⁻⁶');
    expect(formatP(1e-10)).toBe('10⁻¹⁰');
    expect(formatP(9.96e-5)).toBe('10⁻⁴');
    expect(formatP(0)).toBe('< 10⁻¹⁶');
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });
});
