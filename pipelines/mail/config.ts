import { z } from 'zod';

/**
 * The `mail` section of hotline.config.json. Every key has a default, so a missing section
 * means: no SMTP, alert mails are written as .eml files into the outbox for the dashboard.
 *
 * ```json
 * "mail": {
 *   "smtp": { "host": "smtp.example.gov.cn", "port": 465, "secure": true, "user": "hotline", "pass": "…" },
 *   "from": "12345 热线预警 <hotline-pulse@example.gov.cn>",
 *   "dashboardUrl": "https://hotline.example.gov.cn",
 *   "routes": [
 *     { "name": "生态环境局", "to": ["huanjing@example.gov.cn"], "categories": ["噪声扰民", "大气污染"] },
 *     { "name": "昌吉市值班室", "to": ["zhiban@example.gov.cn"], "districts": ["昌吉市"] }
 *   ],
 *   "to": ["12345 值班室 <zhiban@example.gov.cn>"],
 *   "digest": { "to": ["rexian@example.gov.cn"] },
 *   "leadership": { "to": ["lingdao@example.gov.cn"] }
 * }
 * ```
 */

/** One mailbox: a bare address or 'Name <address>'. One per entry: a comma would hide a second one. */
const MailboxSchema = z
  .string()
  .trim()
  .min(3)
  .refine((value) => /^[^,;<>\s]+@[^,;<>\s]+$/.test(value) || /^[^,;<>]*<[^,;<>\s]+@[^,;<>\s]+>$/.test(value), {
    message: 'an e-mail address such as "name@example.gov.cn" or "姓名 <name@example.gov.cn>", one per list entry',
  });

const SmtpSchema = z.strictObject({
  host: z.string().min(1),
  port: z.number().int().min(1).max(65535),
  /** true: TLS from the first byte (usually port 465); false: plain, upgraded by STARTTLS when offered (587/25). */
  secure: z.boolean().default(false),
  user: z.string().min(1).optional(),
  pass: z.string().optional(),
  /** false accepts a self-signed or expired server certificate: only for an internal relay you trust. */
  rejectUnauthorized: z.boolean().default(true),
});

/** Who gets the alerts of some series. Empty `categories` / `districts` match every series. */
const RouteSchema = z.strictObject({
  name: z.string().min(1),
  to: z.array(MailboxSchema).min(1),
  /** category_l1 or category_l2 names. */
  categories: z.array(z.string().min(1)).default([]),
  /** District (county-level division) names; a route with districts does not get prefecture-wide alerts. */
  districts: z.array(z.string().min(1)).default([]),
});

const ListSchema = z.strictObject({ to: z.array(MailboxSchema).default([]) });

export const MailConfigSchema = z
  .strictObject({
    /** Without it nothing is sent: mails are written to the outbox. */
    smtp: SmtpSchema.optional(),
    from: MailboxSchema.default('Hotline Pulse <hotline-pulse@localhost>'),
    /** Base address of the dashboard when it differs from `server.publicUrl` (see dashboardAddress). */
    dashboardUrl: z.url({ protocol: /^https?$/ }).optional(),
    /** Folder of written .eml files (no SMTP) and of `pending/` (sends that kept failing). */
    outbox: z.string().min(1).default('data/outbox'),
    /** An alert goes to every route that matches its series … */
    routes: z.array(RouteSchema).default([]),
    /** … and to these (the duty desk) when none does (else to the digest list). */
    to: z.array(MailboxSchema).default([]),
    /** The daily digest of the day's incidents; `quiet: true` also sends it on days without any. */
    digest: z.strictObject({ to: z.array(MailboxSchema).default([]), quiet: z.boolean().default(false) }).prefault({}),
    leadership: ListSchema.prefault({}),
  })
  .prefault({});

export type MailConfig = z.infer<typeof MailConfigSchema>;

/**
 * The dashboard's address in mails: `mail.dashboardUrl`, else `server.publicUrl`, else the local
 * address the service listens on (http://127.0.0.1:PORT/ for 0.0.0.0).
 */
export function dashboardAddress(config: { mail: Pick<MailConfig, 'dashboardUrl'>; server: { port: number; host: string; publicUrl?: string } }): string {
  if (config.mail.dashboardUrl) return config.mail.dashboardUrl;
  if (config.server.publicUrl) return config.server.publicUrl;
  const host = config.server.host === '0.0.0.0' || config.server.host === '::' ? '127.0.0.1' : config.server.host;
  return `http://${host.includes(':') ? `[${host}]` : host}:${config.server.port}/`;
}
export type MailConfigInput = NonNullable<z.input<typeof MailConfigSchema>>;
export type MailRoute = MailConfig['routes'][number];
