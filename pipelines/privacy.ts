import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { CliError } from './cli-error.js';

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
