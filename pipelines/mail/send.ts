import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import nodemailer from 'nodemailer';
import MailComposer from 'nodemailer/lib/mail-composer';
import type { MailMessage } from './compose.js';
import type { MailConfig } from './config.js';
import { addressOf } from './routes.js';

/**
 * Delivery of composed mails. With SMTP configured a mail is sent, retried with backoff, and if it
 * still fails, parked in `outbox/pending/` (the RFC 822 file plus a JSON note of its recipients)
 * for `retryPending`. Without SMTP it is written to the outbox as an .eml file that the dashboard
 * lists. Either way an alert is never dropped.
 */

export type DeliveryStatus = 'sent' | 'written' | 'queued';

/** A delivery in the words of the job messages (数据 page, service log). */
export const DELIVERY_WORDS: Record<DeliveryStatus, string> = { sent: '已发送', written: '已写入发件箱', queued: '暂未发出，稍后重试' };

export interface DeliveryResult {
  status: DeliveryStatus;
  messageId?: string;
  /** The .eml file: in the outbox ('written') or in outbox/pending ('queued'). */
  file?: string;
  /** Recipients the SMTP server accepted / rejected ('sent'). */
  accepted?: string[];
  rejected?: string[];
  /** Why the mail was queued. */
  error?: string;
  /** SMTP attempts made by this call. */
  attempts?: number;
}

export interface DeliverOptions {
  /** SMTP attempts before the mail is queued (default 4). */
  attempts?: number;
  /** Wait before the second attempt, doubled for each further one (default 2000 ms). */
  backoffMs?: number;
}

type DeliveryConfig = Pick<MailConfig, 'smtp' | 'from' | 'outbox'>;

/** What outbox/pending/<name>.json says about <name>.eml. */
interface PendingNote {
  version: 1;
  /** Envelope sender and recipients: the addresses the SMTP server is given. */
  from: string;
  to: string[];
  messageId: string;
  queuedAt: string;
  attempts: number;
  lastError: string;
}

const DEFAULT_ATTEMPTS = 4;
const DEFAULT_BACKOFF_MS = 2000;

/** Where delivered-by-file mails and parked mails live. */
export function outboxFolders(config: Pick<MailConfig, 'outbox'>): { outbox: string; pending: string } {
  return { outbox: config.outbox, pending: join(config.outbox, 'pending') };
}

/**
 * Delivers `message` to `recipients` (mailboxes, 'Name <a@b>' or 'a@b'). A mail without
 * recipients (no route matched) is written to the outbox so that somebody can still see it.
 */
export async function deliver(
  message: MailMessage,
  recipients: string[],
  config: DeliveryConfig,
  options: DeliverOptions = {},
): Promise<DeliveryResult> {
  const messageId = newMessageId(config.from);
  const raw = await buildRaw(message, recipients, config.from, messageId);
  const name = fileName(message);
  if (!config.smtp || recipients.length === 0) {
    const file = join(config.outbox, `${name}.eml`);
    await writeAtomic(file, raw);
    return { status: 'written', messageId, file };
  }
  const envelope = { from: addressOf(config.from), to: recipients.map(addressOf) };
  const outcome = await sendWithRetry(raw, envelope, config.smtp, options);
  if (outcome.ok) {
    return { status: 'sent', messageId, accepted: outcome.accepted, rejected: outcome.rejected, attempts: outcome.attempts };
  }
  const { pending } = outboxFolders(config);
  const file = join(pending, `${name}.eml`);
  await writeAtomic(file, raw);
  const note: PendingNote = {
    version: 1,
    ...envelope,
    messageId,
    queuedAt: new Date().toISOString(),
    attempts: outcome.attempts,
    lastError: outcome.error,
  };
  await writeAtomic(join(pending, `${name}.json`), JSON.stringify(note, null, 2) + '\n');
  return { status: 'queued', messageId, file, error: outcome.error, attempts: outcome.attempts };
}

export interface RetryResult extends DeliveryResult {
  /** The pending .eml this result is about. */
  pendingFile: string;
}

/**
 * Tries every mail in outbox/pending once more (oldest first). A sent mail leaves pending; a
 * failing one stays there with its attempt count raised. Without SMTP configured any more, the
 * parked mails are moved to the outbox as written files. Run it from one job at a time.
 */
export async function retryPending(config: DeliveryConfig, options: DeliverOptions = {}): Promise<RetryResult[]> {
  const { outbox, pending } = outboxFolders(config);
  let names: string[];
  try {
    names = (await readdir(pending)).filter((entry) => entry.endsWith('.json')).sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const results: RetryResult[] = [];
  for (const noteName of names) {
    const notePath = join(pending, noteName);
    const emlPath = join(pending, `${basename(noteName, '.json')}.eml`);
    let note: PendingNote;
    let raw: Buffer;
    try {
      note = JSON.parse(await readFile(notePath, 'utf8')) as PendingNote;
      raw = await readFile(emlPath);
    } catch (error) {
      // A note without its message (or unreadable) cannot be sent; leave it for a person to look at.
      results.push({ status: 'queued', pendingFile: emlPath, error: `unreadable pending mail: ${(error as Error).message}` });
      continue;
    }
    if (!config.smtp) {
      const file = join(outbox, basename(emlPath));
      await mkdir(outbox, { recursive: true });
      await rename(emlPath, file);
      await rm(notePath, { force: true });
      results.push({ status: 'written', messageId: note.messageId, file, pendingFile: emlPath });
      continue;
    }
    const outcome = await sendWithRetry(raw, { from: note.from, to: note.to }, config.smtp, { attempts: 1, ...options });
    if (outcome.ok) {
      // The note goes first: a message without its note is never sent twice.
      await rm(notePath, { force: true });
      await rm(emlPath, { force: true });
      results.push({
        status: 'sent',
        messageId: note.messageId,
        accepted: outcome.accepted,
        rejected: outcome.rejected,
        attempts: outcome.attempts,
        pendingFile: emlPath,
      });
    } else {
      const updated: PendingNote = { ...note, attempts: note.attempts + outcome.attempts, lastError: outcome.error };
      await writeAtomic(notePath, JSON.stringify(updated, null, 2) + '\n');
      results.push({ status: 'queued', messageId: note.messageId, file: emlPath, error: outcome.error, attempts: outcome.attempts, pendingFile: emlPath });
    }
  }
  return results;
}

/**
 * The To: of a mail nobody is configured to receive (it goes to the outbox): an empty address
 * group (RFC 5322), so that the mail still says whom it was for.
 */
export const UNCONFIGURED_RECIPIENTS = '未配置收件人:;';

/** The complete RFC 822 message, the same bytes whether it is sent, written or parked. */
export async function buildRaw(message: MailMessage, recipients: string[], from: string, messageId: string): Promise<Buffer> {
  const composer = new MailComposer({
    from,
    to: recipients.length ? recipients : UNCONFIGURED_RECIPIENTS,
    subject: message.subject,
    text: message.text,
    html: message.html,
    messageId,
    headers: message.headers,
    attachments: message.attachments.map((attachment) => ({
      filename: attachment.filename,
      content: attachment.content,
      contentType: attachment.contentType,
      ...(attachment.cid ? { cid: attachment.cid, contentDisposition: 'inline' } : {}),
    })),
  });
  return composer.compile().build();
}

type SmtpConfig = NonNullable<MailConfig['smtp']>;
type SendOutcome =
  | { ok: true; attempts: number; accepted: string[]; rejected: string[] }
  | { ok: false; attempts: number; error: string };

async function sendWithRetry(
  raw: Buffer,
  envelope: { from: string; to: string[] },
  smtp: SmtpConfig,
  options: DeliverOptions,
): Promise<SendOutcome> {
  const attempts = Math.max(1, options.attempts ?? DEFAULT_ATTEMPTS);
  const backoffMs = Math.max(0, options.backoffMs ?? DEFAULT_BACKOFF_MS);
  let lastError = '';
  for (let attempt = 1; attempt <= attempts; attempt++) {
    if (attempt > 1) await sleep(backoffMs * 2 ** (attempt - 2));
    const transport = nodemailer.createTransport({
      host: smtp.host,
      port: smtp.port,
      secure: smtp.secure,
      auth: smtp.user ? { user: smtp.user, pass: smtp.pass ?? '' } : undefined,
      tls: { rejectUnauthorized: smtp.rejectUnauthorized },
      connectionTimeout: 15_000,
      greetingTimeout: 15_000,
      socketTimeout: 60_000,
    });
    try {
      const info = await transport.sendMail({ envelope, raw });
      return { ok: true, attempts: attempt, accepted: info.accepted.map(String), rejected: info.rejected.map(String) };
    } catch (error) {
      lastError = describe(error);
      // A permanent refusal (bad address, bad login) gets the same answer on every try: park it now.
      if (isPermanent(error)) return { ok: false, attempts: attempt, error: lastError };
    } finally {
      transport.close();
    }
  }
  return { ok: false, attempts, error: lastError };
}

function isPermanent(error: unknown): boolean {
  const { code, responseCode } = error as { code?: string; responseCode?: number };
  if (code === 'EAUTH') return true;
  return typeof responseCode === 'number' && responseCode >= 500 && responseCode < 600 && responseCode !== 503;
}

function describe(error: unknown): string {
  const { code, responseCode, message } = error as { code?: string; responseCode?: number; message?: string };
  return [code, responseCode, message ?? String(error)].filter((part) => part !== undefined && part !== '').join(' ');
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function newMessageId(from: string): string {
  const domain = addressOf(from).split('@')[1] || 'hotline-pulse.localhost';
  return `<${Date.now().toString(36)}.${randomBytes(8).toString('hex')}@${domain}>`;
}

/** '20250730T081502Z-alert-17-1a2b3c': sorts by time; names the incident for the dashboard. */
function fileName(message: MailMessage): string {
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  const kind = message.headers?.['X-Hotline-Kind'] ?? 'mail';
  const incident = message.headers?.['X-Hotline-Incident'];
  const label = [kind, incident].filter(Boolean).join('-').replace(/[^A-Za-z0-9-]/g, '');
  return `${stamp}-${label || 'mail'}-${randomBytes(3).toString('hex')}`;
}

/** Write to a temporary name, then rename: the dashboard never lists half a file. */
async function writeAtomic(file: string, content: Buffer | string): Promise<void> {
  await mkdir(join(file, '..'), { recursive: true });
  const temp = `${file}.${process.pid}.tmp`;
  await writeFile(temp, content);
  await rename(temp, file);
}
