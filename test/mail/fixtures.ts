import type { AlertEvidence } from '../../pipelines/mail/compose.js';
import { MailConfigSchema, type MailConfig, type MailConfigInput } from '../../pipelines/mail/config.js';

/** 56 days ending on `date`: a gentle weekly rhythm, then the spike on the last day. */
export function history(date: string, spike = 46): AlertEvidence['history'] {
  const end = Date.parse(`${date}T00:00:00Z`);
  return Array.from({ length: 56 }, (_, index) => {
    const day = new Date(end - (55 - index) * 86_400_000).toISOString().slice(0, 10);
    const expected = 12 + 2 * Math.sin((index * 2 * Math.PI) / 7);
    const count = index === 55 ? spike : Math.max(0, Math.round(expected + ((index * 7) % 5) - 2));
    return { date: day, count, expected, upper: expected + 10 };
  });
}

export function evidence(overrides: Partial<AlertEvidence> = {}): AlertEvidence {
  const date = overrides.date ?? '2025-07-30';
  return {
    incidentId: 17,
    kind: 'new',
    series: { category_l1: '环境保护', category_l2: '噪声扰民', district: '昌吉市' },
    topic: '噪声扰民',
    where: '昌吉市',
    date,
    firstDay: date,
    lastDay: date,
    count: 46,
    expected: 12.3,
    upper: 22.1,
    adjustedP: 3.2e-6,
    tests: 862,
    window: 'day',
    rise: null,
    related: [
      { name: '环境保护 · 全辖区', day: date, count: 71, expected: 35.2, window: 'day' },
      { name: '噪声扰民 · 全辖区', day: date, count: 58, expected: 24, window: 'day' },
    ],
    history: history(date),
    historyTitle: '噪声扰民 · 昌吉市 近 8 周每日工单',
    topTownships: [
      { name: '宁边路街道', count: 21 },
      { name: '延安北路街道', count: 9 },
    ],
    topAddresses: [
      { name: '昌吉市宁边路某小区', count: 14 },
      { name: '昌吉市北京南路工地', count: 6 },
    ],
    samples: [
      { ticket_id: '2025073000101', received_at: '2025-07-30 22:14', content: '楼下工地夜间施工，噪声很大，无法入睡。', address: '昌吉市宁边路某小区' },
      { ticket_id: '2025073000102', received_at: '2025-07-30 22:40', content: '<script>alert("x")</script> 广场舞音响 & 噪声', address: '昌吉市<b>延安北路</b>' },
      { ticket_id: '2025073000103', received_at: '2025-07-30 23:05', content: null, address: null },
      { ticket_id: '2025073000104', received_at: '2025-07-30 23:30', content: '第四条不应出现在邮件中', address: null },
    ],
    falseIncidents: '按当前设置，在没有真实事件的数据上实测每月约 0.8 起误报事件（测试用语）。',
    ...overrides,
  };
}

export function mailConfig(input: MailConfigInput = {}): MailConfig {
  return MailConfigSchema.parse(input);
}
