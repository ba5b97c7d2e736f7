import { describe, expect, it } from 'vitest';
import { dashboardAddress, MailConfigSchema } from '../../pipelines/mail/config.js';
import { alertRecipients, recipientsFor, routeMatches } from '../../pipelines/mail/routes.js';
import { mailConfig } from './fixtures.js';

describe('MailConfigSchema', () => {
  it('defaults everything: no SMTP, outbox data/outbox, no routes', () => {
    expect(MailConfigSchema.parse(undefined)).toEqual({
      from: 'Hotline Pulse <hotline-pulse@localhost>',
      outbox: 'data/outbox',
      routes: [],
      to: [],
      digest: { to: [], quiet: false },
      leadership: { to: [] },
    });
  });

  it('fills SMTP and route defaults', () => {
    const config = mailConfig({
      smtp: { host: 'smtp.example.gov.cn', port: 465, secure: true, user: 'hotline', pass: 'secret' },
      dashboardUrl: 'https://hotline.example.gov.cn/',
      routes: [{ name: '昌吉市值班室', to: ['值班室 <zhiban@example.gov.cn>'], districts: ['昌吉市'] }],
    });
    expect(config.smtp).toEqual({ host: 'smtp.example.gov.cn', port: 465, secure: true, user: 'hotline', pass: 'secret', rejectUnauthorized: true });
    expect(config.routes[0]).toEqual({ name: '昌吉市值班室', to: ['值班室 <zhiban@example.gov.cn>'], categories: [], districts: ['昌吉市'] });
  });

  it('names what is wrong', () => {
    const result = MailConfigSchema.safeParse({
      smtp: { host: 'smtp.example.gov.cn' },
      dashboardUrl: 'javascript:alert(1)',
      routes: [{ name: '环保', to: ['a@example.gov.cn, b@example.gov.cn'] }],
      digest: { to: ['nobody'] },
      unknown: 1,
    });
    expect(result.success).toBe(false);
    const paths = result.error!.issues.map((issue) => issue.path.join('.') || issue.code);
    expect(paths).toEqual(expect.arrayContaining(['smtp.port', 'dashboardUrl', 'routes.0.to.0', 'digest.to.0', 'unrecognized_keys']));
  });
});

describe('recipientsFor', () => {
  const config = mailConfig({
    routes: [
      { name: '生态环境局', to: ['huanjing@example.gov.cn'], categories: ['噪声扰民'] },
      { name: '昌吉市值班室', to: ['zhiban@example.gov.cn', 'Huanjing@example.gov.cn'], districts: ['昌吉市'] },
      { name: '阜康市值班室', to: ['fukang@example.gov.cn'], districts: ['阜康市'] },
      { name: '城管委', to: ['chengguan@example.gov.cn'], categories: ['城市管理'], districts: ['昌吉市'] },
      { name: '热线中心', to: ['rexian@example.gov.cn'] },
    ],
  });

  it('sends an alert to every route whose categories and districts match, each address once', () => {
    const noise = { category_l1: '环境保护', category_l2: '噪声扰民', district: '昌吉市' };
    expect(recipientsFor(noise, config)).toEqual({
      to: ['huanjing@example.gov.cn', 'zhiban@example.gov.cn', 'rexian@example.gov.cn'],
      routes: ['生态环境局', '昌吉市值班室', '热线中心'],
    });
  });

  it('matches category_l1 as well as category_l2; a prefecture-wide series skips district routes', () => {
    const cityWide = { category_l1: '城市管理', category_l2: '占道经营', district: null };
    expect(recipientsFor(cityWide, config).routes).toEqual(['热线中心']);
    expect(recipientsFor({ ...cityWide, district: '昌吉市' }, config).routes).toEqual(['昌吉市值班室', '城管委', '热线中心']);
    expect(routeMatches({ categories: [], districts: [] }, cityWide)).toBe(true);
  });

  it('returns no one when no route matches', () => {
    expect(recipientsFor({ category_l1: '供暖' }, mailConfig({ routes: [{ name: 'x', to: ['x@example.gov.cn'], categories: ['噪声扰民'] }] }))).toEqual({ to: [], routes: [] });
  });

  it('sends an alert no route matches to the duty list, else to the digest list, and says why', () => {
    const routes = [{ name: '阜康市值班室', to: ['fukang@example.gov.cn'], districts: ['阜康市'] }];
    const series = { category_l1: '供水', category_l2: '停水', district: '昌吉市' };
    expect(alertRecipients(series, mailConfig({ routes, to: ['值班室 <zhiban@example.gov.cn>'], digest: { to: ['rexian@example.gov.cn'] } }))).toMatchObject({ to: ['值班室 <zhiban@example.gov.cn>'], routes: [], reason: expect.stringContaining('mail.to') });
    expect(alertRecipients(series, mailConfig({ routes, digest: { to: ['rexian@example.gov.cn'] } }))).toMatchObject({ to: ['rexian@example.gov.cn'], reason: expect.stringContaining('预警日报') });
    expect(alertRecipients({ ...series, district: '阜康市' }, mailConfig({ routes, to: ['zhiban@example.gov.cn'] }))).toEqual({ to: ['fukang@example.gov.cn'], routes: ['阜康市值班室'] });
    expect(alertRecipients(series, mailConfig({}))).toMatchObject({ to: [], reason: expect.stringContaining('尚未配置预警收件人') });
  });

  it('takes the dashboard address from mail.dashboardUrl, else server.publicUrl, else the port', () => {
    const server = { port: 8104, host: '0.0.0.0' };
    expect(dashboardAddress({ mail: {}, server })).toBe('http://127.0.0.1:8104/');
    expect(dashboardAddress({ mail: {}, server: { ...server, host: '10.1.2.3' } })).toBe('http://10.1.2.3:8104/');
    expect(dashboardAddress({ mail: {}, server: { ...server, publicUrl: 'https://rexian.example.gov.cn/' } })).toBe('https://rexian.example.gov.cn/');
    expect(dashboardAddress({ mail: { dashboardUrl: 'https://a.example/' }, server: { ...server, publicUrl: 'https://b.example/' } })).toBe('https://a.example/');
  });
});
