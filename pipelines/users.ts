import { randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { CliError } from './cli-error.js';
import type { Config } from './config.js';

/**
 * Dashboard accounts: a JSON file beside the warehouse (never in it), passwords as scrypt hashes.
 * leader: pages and reports; analyst: + SQL console and exports; admin: + data and settings.
 */
export const ROLES = ['leader', 'analyst', 'admin'] as const;
export type Role = (typeof ROLES)[number];

const UserSchema = z.object({
  name: z.string().regex(/^[\p{L}\p{N}_.-]{2,40}$/u),
  role: z.enum(ROLES),
  hash: z.string(),
  created: z.string(),
});
export type User = z.infer<typeof UserSchema>;

export function usersFile(config: Config): string {
  return join(config.dataDir, 'users.json');
}

export function readUsers(file: string): User[] {
  if (!existsSync(file)) return [];
  const parsed = z.array(UserSchema).safeParse(JSON.parse(readFileSync(file, 'utf8')));
  if (!parsed.success) throw new CliError(`账户文件 ${file} 无效: ${parsed.error.issues[0]?.path.join('.')} ${parsed.error.issues[0]?.message}`);
  return parsed.data;
}

function writeUsers(file: string, users: User[]): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(`${file}.tmp`, JSON.stringify(users, null, 2) + '\n', { mode: 0o600 });
  renameSync(`${file}.tmp`, file);
}

const SCRYPT = { N: 16384, r: 8, p: 1 };

export function hashPassword(password: string): string {
  const salt = randomBytes(16);
  const key = scryptSync(password, salt, 32, SCRYPT);
  return `scrypt$${SCRYPT.N}$${SCRYPT.r}$${SCRYPT.p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

function parseHash(stored: string) {
  const [scheme, n, r, p, salt, key] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !key) return null;
  return { salt: Buffer.from(salt, 'base64'), key: Buffer.from(key, 'base64'), options: { N: Number(n), r: Number(r), p: Number(p) } };
}

/**
 * scrypt for sign-ins runs on a thread of its own: not on the event loop (a sign-in would hold every
 * other request for its ~50 ms), and not on libuv's pool either, where DuckDB runs every statement —
 * during a load the pool is busy for seconds and a sign-in would wait behind it.
 */
const SCRYPT_THREAD = `
const { parentPort } = require('node:worker_threads');
const { scryptSync } = require('node:crypto');
parentPort.on('message', ({ id, password, salt, length, options }) => {
  try { parentPort.postMessage({ id, key: scryptSync(password, Buffer.from(salt), length, options) }); }
  catch (error) { parentPort.postMessage({ id, error: String(error && error.message || error) }); }
});`;

let scryptThread: Worker | null = null;
const pending = new Map<number, { resolve(key: Buffer): void; reject(error: Error): void }>();
let nextRequest = 0;

function scryptOffThread(password: string, salt: Buffer, length: number, options: { N: number; r: number; p: number }): Promise<Buffer> {
  if (!scryptThread) {
    const thread = new Worker(SCRYPT_THREAD, { eval: true });
    thread.on('message', ({ id, key, error }: { id: number; key?: Uint8Array; error?: string }) => {
      const request = pending.get(id);
      pending.delete(id);
      if (error !== undefined || !key) request?.reject(new Error(error));
      else request?.resolve(Buffer.from(key));
    });
    thread.on('error', (error) => {
      for (const request of pending.values()) request.reject(error);
      pending.clear();
      scryptThread = null;
    });
    // after the listeners: listening to the thread holds the process open again
    thread.unref();
    scryptThread = thread;
  }
  const id = nextRequest++;
  return new Promise((resolve, reject) => {
    pending.set(id, { resolve, reject });
    scryptThread!.postMessage({ id, password, salt, length, options });
  });
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const hash = parseHash(stored);
  if (!hash) return false;
  const actual = await scryptOffThread(password, hash.salt, hash.key.length, hash.options);
  return timingSafeEqual(actual, hash.key);
}

export function checkPasswordStrength(password: string): void {
  if (password.length < 10) throw new CliError('密码至少 10 个字符 / the password needs at least 10 characters', 2);
}

export function addUser(file: string, name: string, role: Role, password: string): User {
  const users = readUsers(file);
  if (!UserSchema.shape.name.safeParse(name).success) throw new CliError(`用户名“${name}”无效：2–40 个字母、数字、_ . - / invalid user name`, 2);
  checkPasswordStrength(password);
  const user: User = { name, role, hash: hashPassword(password), created: new Date().toISOString() };
  const existing = users.findIndex((u) => u.name === name);
  if (existing >= 0) users[existing] = user;
  else users.push(user);
  writeUsers(file, users);
  return user;
}

export function removeUser(file: string, name: string): void {
  const users = readUsers(file);
  const left = users.filter((u) => u.name !== name);
  if (left.length === users.length) throw new CliError(`没有用户 ${name} / no user ${name}`);
  if (!left.some((u) => u.role === 'admin') && users.some((u) => u.role === 'admin')) {
    throw new CliError('不能删除最后一个管理员 / cannot remove the last admin');
  }
  writeUsers(file, left);
}

/** A hash of nothing, checked when the user does not exist: the same cost whether or not they do. */
let timingEqualiser: string | null = null;

export async function authenticate(file: string, name: string, password: string): Promise<User | null> {
  const user = readUsers(file).find((u) => u.name === name);
  if (!user) {
    timingEqualiser ??= hashPassword(randomBytes(12).toString('base64url'));
    await verifyPassword(password, timingEqualiser);
    return null;
  }
  return (await verifyPassword(password, user.hash)) ? user : null;
}

/** On a fresh install: an admin with a generated password, printed once and stored only hashed. */
export function ensureFirstAdmin(file: string): { name: string; password: string } | null {
  if (readUsers(file).length > 0) return null;
  const password = randomBytes(12).toString('base64url');
  addUser(file, 'admin', 'admin', password);
  return { name: 'admin', password };
}
