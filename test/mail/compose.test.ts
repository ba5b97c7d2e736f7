import { describe, expect, it } from 'vitest';
import { composeAlertMail, composeDigestMail, escapeHtml, formatP, returnPeriod } from '../../pipelines/mail/compose.js';
import { evidence } from './fixtures.js';

describe('composeAlertMail', () => {
  const today = '2025-07-30';

  it('says what, where and how many in the subject', () => {
    expect(composeAlertMail(evidence(), { today, chart: false }).subject).toBe('【预警】噪声扰民 · 昌吉市 · 今日 46 件，预期 12 件');
    expect(composeAlertMail(evidence({ level: 'escalated' }), { today, chart: false }).subject).toBe('【预警升级】噪声扰民 · 昌吉市 · 今日 46 件，预期 12 件');
    // Read the next morning, yesterday's alert names its day; a small expectation keeps its decimal.
    expect(composeAlertMail(evidence({ expected: 0.4 }), { today: '2025-07-31', chart: false }).subject).toBe('【预警】噪声扰民 · 昌吉市 · 7 月 30 日 46 件，预期 0.4 件');
    const prefectureWide = evidence({ series: { category_l1: '劳动保障', category_l2: null, district: null } });
    expect(composeAlertMail(prefectureWide, { today, chart: false }).subject).toBe('【预警】劳动保障 · 全辖区 · 今日 46 件，预期 12 件');
  });

  it('puts the evidence, three escaped samples, the link and the reason in HTML and text', () => {
    const mail = composeAlertMail(evidence(), { today, chart: false, dashboardUrl: 'https://hotline.example.gov.cn/', routes: ['生态环境局', '热线中心'] });
    for (const body of [mail.html, mail.text]) {
      expect(body).toContain('46 件');
      expect(body).toContain('12.3');
      expect(body).toContain('22.1');
      expect(body).toContain('3.2 × 10⁻⁶');
      expect(body).toContain('是预期的 3.7 倍');
      expect(body).toContain('宁边路街道');
      expect(body).toContain('昌吉市北京南路工地');
      expect(body).toContain('2025073000103');
      expect(body).not.toContain('第四条不应出现在邮件中');
      expect(body).toContain('https://hotline.example.gov.cn/alerts/17');
      expect(body).toContain('「生态环境局」「热线中心」');
    }
    expect(mail.html).not.toMatch(/<script/i);
    expect(mail.html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; 广场舞音响 &amp; 噪声');
    expect(mail.html).toContain('昌吉市&lt;b&gt;延安北路&lt;/b&gt;');
    expect(mail.text).toContain('<script>alert("x")</script>'); // plain text needs no escaping
    expect(mail.attachments).toEqual([]);
    expect(mail.html).not.toContain('cid:');
    expect(mail.headers).toEqual({ 'X-Hotline-Kind': 'alert', 'X-Hotline-Episode': '17' });
  });

  it('embeds the 8-week chart as an inline PNG referenced by cid', () => {
    const mail = composeAlertMail(evidence(), { today });
    expect(mail.attachments).toHaveLength(1);
    const [chart] = mail.attachments;
    expect(chart).toMatchObject({ contentType: 'image/png', cid: 'trend-17@hotline-pulse' });
    expect(chart.content.subarray(1, 4).toString()).toBe('PNG');
    expect(mail.html).toContain('src="cid:trend-17@hotline-pulse"');
  });

  it('does not claim the upper bound was exceeded when it was not (sustained-rise alerts)', () => {
    const mail = composeAlertMail(evidence({ count: 20, upper: 22.1 }), { chart: false });
    expect(mail.text).toContain('未超过单日预警上限');
    expect(mail.text).not.toContain('超出预警上限');
  });

  it('prefers the evidence dashboard link, and has none without an http(s) base', () => {
    expect(composeAlertMail(evidence({ dashboardUrl: 'http://10.0.0.5:8080' }), { chart: false, dashboardUrl: 'https://x.example' }).text).toContain('http://10.0.0.5:8080/alerts/17');
    const noLink = composeAlertMail(evidence({ dashboardUrl: 'javascript:alert(1)' }), { chart: false });
    expect(noLink.html).not.toContain('javascript:');
    expect(noLink.html).not.toContain('href=');
  });
});

describe('composeDigestMail', () => {
  it('lists the day\'s alerts, escalations first, each with a link', () => {
    const items = [
      evidence(),
      evidence({ episodeId: 18, level: 'escalated', series: { category_l1: '城乡建设', category_l2: '供暖', district: '阜康市' }, count: 30, expected: 8, pValue: 0.0004 }),
    ];
    const mail = composeDigestMail(items, '2025-07-30', { dashboardUrl: 'https://hotline.example.gov.cn' });
    expect(mail.subject).toBe('【预警日报】2025-07-30 · 2 条预警（其中升级 1 条）');
    expect(mail.html).toContain('<table');
    expect(mail.html.indexOf('供暖')).toBeLessThan(mail.html.indexOf('噪声扰民'));
    expect(mail.html).toContain('href="https://hotline.example.gov.cn/alerts/17"');
    expect(mail.html).toContain('href="https://hotline.example.gov.cn/alerts/18"');
    expect(mail.text).toContain('[升级] 供暖 · 阜康市 · 2025-07-30：30 件，预期 8 件，p = 4 × 10⁻⁴');
    expect(mail.text).toContain('预警日报收件人名单');
    expect(composeDigestMail([], '2025-07-31').subject).toBe('【预警日报】2025-07-31 · 无新预警');
  });
});

describe('wording helpers', () => {
  it('formats p-values and return periods', () => {
    expect(formatP(0.0032)).toBe('0.0032');
    expect(formatP(3.2e-6)).toBe('3.2 × 10⁻⁶');
    expect(formatP(1e-10)).toBe('10⁻¹⁰');
    expect(formatP(9.96e-5)).toBe('10⁻⁴');
    expect(formatP(0)).toBe('< 10⁻¹⁶');
    expect(returnPeriod(0.05, 'day')).toBe('约 20 天一遇');
    expect(returnPeriod(0.002, 'day')).toBe('约 17 个月一遇');
    expect(returnPeriod(3.2e-6, 'day')).toBe('约 856 年一遇');
    expect(returnPeriod(1e-12, 'day')).toBe('万年一遇以上');
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });
});
