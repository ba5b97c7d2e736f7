import { readFileSync } from 'node:fs';
import type { Config } from '../pipelines/config.js';
import type { MailAttachment, MailMessage } from '../pipelines/mail/compose.js';
import { deliver as deliverMail, type DeliveryResult } from '../pipelines/mail/send.js';
import type { Warehouse } from '../pipelines/warehouse.js';
import { escapeHtml } from './document.js';
import { countText, monthWords, rateText } from './format.js';
import { buildMonthlyReport, type MonthlyReportData } from './monthly.js';
import { archiveFolder, hasChromium, writeReport, type ReportFormat } from './output.js';

/**
 * The scheduled monthly report: at 08:00 on the 1st (cron "0 8 1 * *", Asia/Shanghai) it builds the
 * previous month's report into the archive and mails it to the leadership list through the same
 * delivery path as the alerts (SMTP, or an .eml in the outbox without SMTP). Rebuilding a month
 * overwrites its archive entry with the same inputs.
 */

/** The month before the one `now` falls in, Beijing time (YYYY-MM). */
export function previousBeijingMonth(now: Date = new Date()): string {
  const beijing = new Date(now.getTime() + 8 * 3_600_000);
  const y = beijing.getUTCFullYear();
  const m = beijing.getUTCMonth(); // 0-based: the previous month's 1-based number
  return m === 0 ? `${y - 1}-12` : `${y}-${String(m).padStart(2, '0')}`;
}

export interface MonthlyReportJobResult {
  month: string;
  files: string[];
  /** Null when the report was only archived (mail: false). */
  delivery: DeliveryResult | null;
}

export interface MonthlyReportJobOptions {
  /** The clock (tests pin it). */
  now?: Date;
  /** The month to build instead of last month. */
  month?: string;
  /** Injected for tests; default the real mail path. */
  deliver?: typeof deliverMail;
  /** false: archive only (a month built on request, or at the first start), no mail. */
  mail?: boolean;
}

/** The mail: the headline and the main figures in the body, the PDF and DOCX attached. */
export function composeMonthlyReportMail(data: MonthlyReportData, files: string[]): MailMessage {
  const subject = `【12345 热线月报】${monthWords(data.month)}运行情况`;
  const figure = (key: string) => data.kpis.find((k) => k.key === key);
  const rows = ['received', 'completion_rate', 'ontime_completion_rate', 'satisfaction_rate', 'connection_rate']
    .map((key) => figure(key)!)
    .map((k) => [k.name, k.kind === 'rate' ? rateText(k.value) : countText(k.value)]);
  const attachments: MailAttachment[] = files
    .filter((f) => f.endsWith('.pdf') || f.endsWith('.docx'))
    .map((f) => ({
      filename: `12345热线月报_${data.month}.${f.split('.').pop()}`,
      content: readFileSync(f),
      contentType: f.endsWith('.pdf') ? 'application/pdf' : 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    }));
  const html =
    `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"></head>` +
    `<body style="margin:0;padding:12px;font-size:15px;line-height:1.7;color:#1f2329;"><div style="max-width:640px;margin:0 auto;">` +
    `<h2 style="font-size:18px;">${escapeHtml(subject)}</h2><p>${escapeHtml(data.headline)}</p>` +
    (data.empty
      ? ''
      : `<table style="border-collapse:collapse;font-size:14px;">${rows.map(([n, v]) => `<tr><td style="border:1px solid #dfe1e5;padding:4px 8px;">${escapeHtml(n)}</td><td style="border:1px solid #dfe1e5;padding:4px 8px;text-align:right;">${escapeHtml(v)}</td></tr>`).join('')}</table>`) +
    `<p style="color:#646a73;font-size:13px;">完整月报见附件（PDF 便于阅读打印，Word 便于编辑转发）。数据截至 ${escapeHtml(data.dataAsOf ?? '—')}。</p></div></body></html>`;
  const text = `${subject}\n\n${data.headline}\n\n${rows.map(([n, v]) => `${n}：${v}`).join('\n')}\n\n完整月报见附件。数据截至 ${data.dataAsOf ?? '—'}。\n`;
  return { subject, html, text, attachments, headers: { 'X-Hotline-Report': `monthly/${data.month}` } };
}

/** Builds last month's report into the archive and mails it to config.mail.leadership.to. */
export async function monthlyReportJob(warehouse: Warehouse, config: Config, options: MonthlyReportJobOptions = {}): Promise<MonthlyReportJobResult> {
  const month = options.month ?? previousBeijingMonth(options.now);
  const report = await buildMonthlyReport(warehouse, month, config);
  const formats: ReportFormat[] = hasChromium() ? ['html', 'pdf', 'docx'] : ['html', 'docx'];
  const files = await writeReport(report.document, {
    outDir: archiveFolder(config.dataDir, 'monthly'),
    name: month,
    formats,
    kind: 'monthly',
    inputs: { month, settings: config.kpi },
    dataAsOf: report.data.dataAsOf,
    html: report.html,
  });
  if (options.mail === false) return { month, files, delivery: null };
  const message = composeMonthlyReportMail(report.data, files);
  const delivery = await (options.deliver ?? deliverMail)(message, config.mail.leadership.to, config.mail);
  return { month, files, delivery };
}
