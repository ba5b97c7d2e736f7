import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { composeAlertMail, composeDigestMail } from '../../pipelines/mail/compose.js';
import type { MailConfigInput } from '../../pipelines/mail/config.js';
import { recipientsFor } from '../../pipelines/mail/routes.js';
import { deliver, retryPending } from '../../pipelines/mail/send.js';
import { evidence, mailConfig } from './fixtures.js';
import { decodePng, PNG_SIGNATURE } from './png.js';
import { closedPort, startSmtp, type TestSmtp } from './smtp.js';

const FAST = { attempts: 2, backoffMs: 1 };
const dirs: string[] = [];
function tempOutbox(): string {
  const dir = mkdtempSync(join(tmpdir(), 'hotline-mail-'));
  dirs.push(dir);
  return join(dir, 'outbox');
}
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const ROUTES: MailConfigInput['routes'] = [
  { name: '生态环境局', to: ['环境局 <huanjing@example.gov.cn>'], categories: ['噪声扰民'] },
  { name: '昌吉市值班室', to: ['zhiban@example.gov.cn'], districts: ['昌吉市'] },
  { name: '阜康市值班室', to: ['fukang@example.gov.cn'], districts: ['阜康市'] },
  { name: '供暖专班', to: ['gongnuan@example.gov.cn'], categories: ['供暖'] },
];

describe('alert mail over SMTP', () => {
  let smtp: TestSmtp;
  beforeAll(async () => {
    smtp = await startSmtp();
  });
  afterAll(async () => {
    await smtp.close();
  });
  afterEach(() => {
    smtp.received.length = 0;
    smtp.refuse = null;
  });
  const config = () =>
    mailConfig({
      smtp: { host: '127.0.0.1', port: smtp.port, secure: false },
      from: '12345 热线预警 <alerts@hotline.example.gov.cn>',
      dashboardUrl: 'https://hotline.example.gov.cn',
      outbox: tempOutbox(),
      routes: ROUTES,
      digest: { to: ['rexian@example.gov.cn'] },
    });

  it('arrives with the Chinese subject, the numbers, the inline chart and a text alternative, only for matching routes', async () => {
    const cfg = config();
    const alert = evidence();
    const recipients = recipientsFor(alert.series, cfg);
    const message = (await composeAlertMail(alert, { today: alert.date, dashboardUrl: cfg.dashboardUrl, routes: recipients.routes }));
    const result = await deliver(message, recipients.to, cfg, FAST);
    expect(result).toMatchObject({ status: 'sent', attempts: 1 });
    expect(result.accepted!.sort()).toEqual(['huanjing@example.gov.cn', 'zhiban@example.gov.cn']);

    expect(smtp.received).toHaveLength(1);
    const [{ envelope, mail }] = smtp.received;
    expect(envelope).toEqual({ from: 'alerts@hotline.example.gov.cn', to: ['huanjing@example.gov.cn', 'zhiban@example.gov.cn'] });
    expect(mail.subject).toBe('【预警】噪声扰民 · 昌吉市 · 今日 46 件，预期 12.3 件');
    expect(mail.from!.value[0]).toEqual({ name: '12345 热线预警', address: 'alerts@hotline.example.gov.cn' });
    expect(mail.messageId).toBe(result.messageId);
    expect(mail.headers.get('x-hotline-incident')).toBe('17');

    const html = mail.html as string;
    for (const figure of ['46 件', '12.3 件', '22.1 件', '3.2 × 10⁻⁶', '宁边路街道', '昌吉市宁边路某小区']) expect(html).toContain(figure);
    expect(html).toContain('https://hotline.example.gov.cn/alerts?incident=17');
    expect(html).toContain('「生态环境局」「昌吉市值班室」');
    expect(html).not.toMatch(/<script/i);
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    expect(mail.text).toContain('今日 46 件，预期 12.3 件');
    expect(mail.text).toContain('预警上限：22.1 件');

    const images = mail.attachments.filter((attachment) => attachment.contentType === 'image/png');
    expect(images).toHaveLength(1);
    const [chart] = images;
    expect(chart.cid).toBe('trend-17@hotline-pulse');
    expect(chart.related).toBe(true);
    expect(html).toContain(`src="cid:${chart.cid}"`);
    expect(chart.content.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
    expect(decodePng(chart.content)).toMatchObject({ width: 960, height: 560 });
  });

  it('routes a heating alert in Fukang to the Fukang duty office and the heating team only', async () => {
    const cfg = config();
    const alert = evidence({ incidentId: 18, kind: 'grown', topic: '供暖', where: '阜康市', series: { category_l1: '城乡建设', category_l2: '供暖', district: '阜康市' } });
    const recipients = recipientsFor(alert.series, cfg);
    const result = await deliver((await composeAlertMail(alert, { today: alert.date, chart: false, routes: recipients.routes })), recipients.to, cfg, FAST);
    expect(result.status).toBe('sent');
    expect(smtp.received).toHaveLength(1);
    expect(smtp.received[0].envelope.to).toEqual(['fukang@example.gov.cn', 'gongnuan@example.gov.cn']);
    expect(smtp.received[0].mail.subject).toBe('【预警升级】供暖 · 阜康市 · 今日 46 件，预期 12.3 件');
  });

  it('sends the daily digest to the digest list', async () => {
    const cfg = config();
    const items = [evidence(), evidence({ incidentId: 18, kind: 'grown', topic: '供暖', where: '阜康市', series: { category_l1: '城乡建设', category_l2: '供暖', district: '阜康市' } })];
    const result = await deliver(composeDigestMail(items, '2025-07-30', { dashboardUrl: cfg.dashboardUrl }), cfg.digest.to, cfg, FAST);
    expect(result.status).toBe('sent');
    const [{ envelope, mail }] = smtp.received;
    expect(envelope.to).toEqual(['rexian@example.gov.cn']);
    expect(mail.subject).toBe('【预警日报】2025-07-30 · 2 起预警事件（其中升级 1 起）');
    expect(mail.html).toContain('href="https://hotline.example.gov.cn/alerts?incident=17"');
    expect(mail.html).toContain('href="https://hotline.example.gov.cn/alerts?incident=18"');
    expect(mail.text).toContain('[升级] 供暖 · 阜康市');
  });

  it('parks a mail the server keeps refusing for now (451) in pending, and retryPending sends it later', async () => {
    const cfg = config();
    smtp.refuse = { code: 451, message: 'mailbox busy, try later' };
    const message = (await composeAlertMail(evidence(), { today: '2025-07-30', chart: false }));
    const queued = await deliver(message, ['zhiban@example.gov.cn'], cfg, FAST);
    expect(queued).toMatchObject({ status: 'queued', attempts: 2 });
    expect(queued.error).toContain('451');
    expect(smtp.received).toHaveLength(0);
    const pending = join(cfg.outbox, 'pending');
    expect(readdirSync(pending).sort()).toEqual([expect.stringMatching(/alert-17-\w+\.eml$/), expect.stringMatching(/alert-17-\w+\.json$/)]);

    // Still refused: it stays, with its attempts counted.
    expect((await retryPending(cfg))[0]).toMatchObject({ status: 'queued' });
    const note = JSON.parse(readFileSync(join(pending, readdirSync(pending).find((f) => f.endsWith('.json'))!), 'utf8'));
    expect(note).toMatchObject({ to: ['zhiban@example.gov.cn'], attempts: 3, messageId: queued.messageId });

    smtp.refuse = null;
    const [retried] = await retryPending(cfg);
    expect(retried).toMatchObject({ status: 'sent', messageId: queued.messageId });
    expect(smtp.received).toHaveLength(1);
    expect(smtp.received[0].envelope.to).toEqual(['zhiban@example.gov.cn']);
    expect(smtp.received[0].mail.subject).toBe(message.subject);
    expect(readdirSync(pending)).toEqual([]);
    expect(await retryPending(cfg)).toEqual([]);
  });

  it('does not retry a permanent refusal (550) but still keeps the mail', async () => {
    const cfg = config();
    smtp.refuse = { code: 550, message: 'no such user' };
    const result = await deliver((await composeAlertMail(evidence(), { chart: false })), ['nobody@example.gov.cn'], cfg, { attempts: 4, backoffMs: 1 });
    expect(result).toMatchObject({ status: 'queued', attempts: 1 });
    expect(existsSync(result.file!)).toBe(true);
  });
});

describe('delivery when the SMTP server is down', () => {
  it('queues the alert and retryPending delivers it once the server is up', async () => {
    const port = await closedPort();
    const cfg = mailConfig({ smtp: { host: '127.0.0.1', port, secure: false }, outbox: tempOutbox() });
    const message = (await composeAlertMail(evidence(), { today: '2025-07-30' }));
    const queued = await deliver(message, ['zhiban@example.gov.cn', '值班领导 <lingdao@example.gov.cn>'], cfg, FAST);
    expect(queued).toMatchObject({ status: 'queued', attempts: 2 });
    expect(queued.error).toMatch(/ECONNREFUSED|ECONNECTION|ESOCKET/);

    const smtp = await startSmtp(port);
    try {
      const results = await retryPending(cfg);
      expect(results).toHaveLength(1);
      expect(results[0]).toMatchObject({ status: 'sent', messageId: queued.messageId });
      expect(smtp.received).toHaveLength(1);
      const [{ envelope, mail }] = smtp.received;
      expect(envelope.to).toEqual(['zhiban@example.gov.cn', 'lingdao@example.gov.cn']);
      expect(mail.subject).toBe('【预警】噪声扰民 · 昌吉市 · 今日 46 件，预期 12.3 件');
      expect(mail.attachments.find((a) => a.cid === 'trend-17@hotline-pulse')).toBeDefined();
      expect(readdirSync(join(cfg.outbox, 'pending'))).toEqual([]);
    } finally {
      await smtp.close();
    }
  });
});

describe('delivery without SMTP', () => {
  it('writes an .eml file into the outbox that parses back to the same mail', async () => {
    const cfg = mailConfig({ outbox: tempOutbox(), from: '12345 热线预警 <alerts@hotline.example.gov.cn>' });
    const message = (await composeAlertMail(evidence(), { today: '2025-07-30', dashboardUrl: 'https://hotline.example.gov.cn', routes: ['昌吉市值班室'] }));
    const result = await deliver(message, ['zhiban@example.gov.cn'], cfg);
    expect(result.status).toBe('written');
    expect(result.file).toMatch(/outbox[\\/]\d{8}T\d{6}Z-alert-17-\w+\.eml$/);
    expect(readdirSync(cfg.outbox)).toEqual([expect.stringMatching(/\.eml$/)]); // no temp file left

    const raw = readFileSync(result.file!);
    const mail = await simpleParser(raw, { keepCidLinks: true });
    expect(mail.subject).toBe('【预警】噪声扰民 · 昌吉市 · 今日 46 件，预期 12.3 件');
    expect(mail.messageId).toBe(result.messageId);
    expect((Array.isArray(mail.to) ? mail.to[0] : mail.to)!.value.map((v) => v.address)).toEqual(['zhiban@example.gov.cn']);
    expect(mail.headers.get('x-hotline-incident')).toBe('17');
    expect(mail.html).toContain('46 件');
    expect(mail.html).toContain('src="cid:trend-17@hotline-pulse"');
    expect(mail.text).toContain('预警详情：https://hotline.example.gov.cn/alerts?incident=17');
    const [chart] = mail.attachments;
    expect(chart).toMatchObject({ contentType: 'image/png', cid: 'trend-17@hotline-pulse' });
    expect(chart.content.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
  });

  it('writes a mail that has no recipient to the outbox even with SMTP configured, with a To: that says so', async () => {
    const cfg = mailConfig({ smtp: { host: '127.0.0.1', port: await closedPort(), secure: false }, outbox: tempOutbox() });
    const result = await deliver((await composeAlertMail(evidence(), { chart: false })), [], cfg, FAST);
    expect(result.status).toBe('written');
    expect(existsSync(result.file!)).toBe(true);
    const mail = await simpleParser(readFileSync(result.file!));
    expect(mail.headers.get('to')).toMatchObject({ text: expect.stringContaining('未配置收件人') });
  });

  it('moves parked mails to the outbox when SMTP has been switched off', async () => {
    const outbox = tempOutbox();
    const down = mailConfig({ smtp: { host: '127.0.0.1', port: await closedPort(), secure: false }, outbox });
    const queued = await deliver((await composeAlertMail(evidence(), { chart: false })), ['zhiban@example.gov.cn'], down, { attempts: 1 });
    expect(queued.status).toBe('queued');
    const [moved] = await retryPending(mailConfig({ outbox }));
    expect(moved).toMatchObject({ status: 'written', messageId: queued.messageId });
    expect(existsSync(moved.file!)).toBe(true);
    expect(readdirSync(join(outbox, 'pending'))).toEqual([]);
  });
});
