import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { CliError } from './cli-error.js';
import type { Warehouse } from './warehouse.js';

/**
 * The secret behind the phone-number hash. It lives in its own file outside the database, so a
 * copy of the warehouse alone cannot be used to test guessed phone numbers.
 */
export function ensureHashKey(keyFile: string): { key: string; created: boolean } {
  if (existsSync(keyFile)) return { key: readHashKey(keyFile), created: false };
  mkdirSync(dirname(keyFile), { recursive: true });
  const key = randomBytes(32).toString('hex');
  writeFileSync(keyFile, key + '\n', { mode: 0o600, flag: 'wx' });
  chmodSync(keyFile, 0o600);
  return { key, created: true };
}

export function readHashKey(keyFile: string): string {
  if (!existsSync(keyFile)) {
    throw new CliError(`找不到电话号码哈希密钥 ${keyFile}；请先运行 hotline init / the hashing key ${keyFile} is missing: run hotline init first`);
  }
  const key = readFileSync(keyFile, 'utf8').trim();
  if (!/^[0-9a-f]{64}$/.test(key)) throw new CliError(`哈希密钥文件 ${keyFile} 内容无效（应为 64 位十六进制）/ the key file is damaged`);
  return key;
}

/**
 * How a warehouse turns a phone number's digits into the stored hash. Both schemes are keyed
 * SHA-256, so nobody without the key file can hash guessed numbers and compare. A warehouse keeps
 * the scheme it began with (`warehouse_settings`, set by migration 009): stored hashes cannot be
 * recomputed without the numbers, and a caller's hash must not change between two loads.
 * - `sha256-twice`: sha256(key ‖ ':' ‖ sha256(key ‖ ':' ‖ digits)), the key as hex text — the
 *   warehouses that stored hashes before migration 009. Five SHA-256 blocks per number.
 * - `sha256-once`: sha256(key bytes ‖ digits) — one block for any number of up to 23 digits, about
 *   a fifth of the work in the load's hottest expression. Hashing twice guarded against length
 *   extension, which cannot hurt here: an extended message carries SHA-256's padding bytes (0x80,
 *   0x00…), so it is never the digits of a phone number, and the hash authenticates nothing.
 *   Warehouses that stored hashes between migrations 009 and 011.
 * - `sha256-16`: the first 16 hex digits (64 bits) of `sha256-once` — new warehouses (migration
 *   011). The hash only tells callers apart: among even 10⁸ distinct numbers two share a hash with
 *   a probability under 3 × 10⁻⁴, and then two callers count as one. A quarter of the text to store.
 */
export type PhoneHashScheme = 'sha256-twice' | 'sha256-once' | 'sha256-16';

/** The hash of `digits` (an SQL text expression) under the key bound as `$key` (64 hex digits). */
export function phoneHashSql(scheme: PhoneHashScheme, digits: string): string {
  const once = `sha256(unhex($key) || encode(${digits}))`;
  if (scheme === 'sha256-16') return `left(${once}, 16)`;
  return scheme === 'sha256-once' ? once : `sha256($key || ':' || sha256($key || ':' || ${digits}))`;
}

/** The warehouse's scheme; one not migrated yet keeps the old one, which every older warehouse has. */
export async function phoneHashScheme(warehouse: Warehouse): Promise<PhoneHashScheme> {
  const migrated = await warehouse.one<{ n: number }>(`select count(*) as n from duckdb_tables() where schema_name = 'main' and table_name = 'warehouse_settings'`);
  if (!migrated?.n) return 'sha256-twice';
  const setting = await warehouse.one<{ value: string }>(`select value from warehouse_settings where name = 'phone_hash'`);
  return setting?.value === 'sha256-16' || setting?.value === 'sha256-once' ? setting.value : 'sha256-twice';
}
