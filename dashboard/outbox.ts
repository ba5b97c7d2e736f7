import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { simpleParser, type AddressObject, type EmailAddress } from 'mailparser';

/**
 * The mail outbox the dashboard shows: alert and report e-mails written as .eml files when no SMTP
 * server is configured, and those waiting in pending/ for a retry after failed sends.
 */
export interface OutboxMessage {
  name: string;
  subject: string;
  to: string;
  date: string;
  pending: boolean;
  bytes: number;
}

export async function listOutbox(outbox: string, limit = 200): Promise<OutboxMessage[]> {
  const folders: [string, boolean][] = [
    [outbox, false],
    [join(outbox, 'pending'), true],
  ];
  const files: { path: string; pending: boolean; mtime: number; bytes: number }[] = [];
  for (const [folder, pending] of folders) {
    if (!existsSync(folder)) continue;
    for (const name of readdirSync(folder)) {
      if (!name.endsWith('.eml')) continue;
      const stat = statSync(join(folder, name));
      files.push({ path: join(folder, name), pending, mtime: stat.mtimeMs, bytes: stat.size });
    }
  }
  files.sort((a, b) => b.mtime - a.mtime);
  const messages: OutboxMessage[] = [];
  for (const file of files.slice(0, limit)) {
    // The headers are all that is shown: parse only the part before the first blank line.
    const raw = readFileSync(file.path);
    const end = raw.indexOf('\r\n\r\n') > 0 ? raw.indexOf('\r\n\r\n') : raw.indexOf('\n\n');
    const parsed = await simpleParser(raw.subarray(0, end > 0 ? end + 4 : raw.length));
    const to = recipients(parsed.to);
    messages.push({
      name: basename(file.path),
      subject: parsed.subject ?? '（无主题）',
      to,
      date: new Date(parsed.date ?? file.mtime).toISOString(),
      pending: file.pending,
      bytes: file.bytes,
    });
  }
  return messages;
}

/**
 * The To: header in words: "张三 <a@b.cn>, c@d.cn"; an empty group — what a mail without configured
 * recipients carries, "未配置收件人: ;" — by its name alone.
 */
function recipients(to: AddressObject | AddressObject[] | undefined): string {
  const one = (a: EmailAddress): string =>
    a.group ? (a.group.length ? `${a.name}: ${a.group.map(one).join(', ')}` : a.name) : a.name && a.address ? `${a.name} <${a.address}>` : a.address || a.name;
  return (Array.isArray(to) ? to : to ? [to] : []).flatMap((list) => list.value.map(one)).join(', ');
}

/** The path of one outbox file by its name, or null: never a path outside the outbox. */
export function outboxFile(outbox: string, name: string): string | null {
  if (name !== basename(name) || !name.endsWith('.eml')) return null;
  for (const folder of [outbox, join(outbox, 'pending')]) {
    const path = join(folder, name);
    if (existsSync(path)) return path;
  }
  return null;
}
