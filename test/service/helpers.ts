import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import iconv from 'iconv-lite';
import { loadConfig, type Config } from '../../pipelines/config.js';

/** A throw-away data folder with its own config: warehouse, key and inbox inside it. */
export function tempSetup(prefix: string): { dir: string; config: Config; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), `hotline-${prefix}-`));
  const config = loadConfig({ env: { HOTLINE_DATA_DIR: join(dir, 'data'), HOTLINE_DB: join(dir, 'data', 'hotline.duckdb') }, cwd: dir });
  return { dir, config, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export const TICKET_HEADERS = [
  '工单编号', '受理时间', '来源渠道', '诉求类型', '一级分类', '二级分类', '三级分类', '诉求内容', '诉求地址', '所属区县', '乡镇街道',
  '诉求人', '联系电话', '办理方式', '承办单位', '协办单位', '派单时间', '签收时间', '办理时限', '办结时间', '工单状态', '退单次数',
  '是否涉企', '是否紧急', '回访时间', '回访结果', '是否解决',
];

/** A small, valid cn-12345 ticket row; override any column by its Chinese header. */
export function ticketRow(id: string, overrides: Record<string, string> = {}): string[] {
  const base: Record<string, string> = {
    工单编号: id, 受理时间: '2025-07-01 09:00:00', 来源渠道: '电话', 诉求类型: '投诉', 一级分类: '环境保护', 二级分类: '噪声扰民', 三级分类: '',
    诉求内容: '楼下夜间施工噪声扰民', 诉求地址: '昌吉市宁边路 1 号', 所属区县: '昌吉市', 乡镇街道: '宁边路街道', 诉求人: '王某', 联系电话: '13800000000',
    办理方式: '转办', 承办单位: '昌吉市生态环境局', 协办单位: '', 派单时间: '2025-07-01 09:20:00', 签收时间: '2025-07-01 10:00:00',
    办理时限: '2025-07-06 09:20:00', 办结时间: '2025-07-02 16:00:00', 工单状态: '已办结', 退单次数: '0', 是否涉企: '否', 是否紧急: '否',
    回访时间: '2025-07-03 10:00:00', 回访结果: '满意', 是否解决: '已解决',
  };
  const row = { ...base, ...overrides };
  return TICKET_HEADERS.map((h) => row[h] ?? '');
}

export function writeTicketsCsv(path: string, rows: string[][], encoding: 'utf-8' | 'gbk' = 'utf-8'): void {
  const quote = (v: string) => (/[",\n\r]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v);
  const text = [TICKET_HEADERS, ...rows].map((r) => r.map(quote).join(',')).join('\n') + '\n';
  writeFileSync(path, encoding === 'gbk' ? iconv.encode(text, 'gbk') : text);
}

export const ROOT = join(import.meta.dirname, '..', '..');
/** The real entry point, as `npx hotline` and `npm start` run it: one process. */
export const HOTLINE_BIN = join(ROOT, 'bin', 'hotline.mjs');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `hotline …` as a child process and waits for it. */
export function hotline(args: string[], env: Record<string, string> = {}, options: { cwd?: string } = {}): CliResult {
  const result = spawnSync(process.execPath, [HOTLINE_BIN, ...args], { encoding: 'utf8', env: { ...process.env, ...env }, cwd: options.cwd, timeout: 120_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** The same, without blocking the test process (several at once, or beside a service in this process). */
export function hotlineAsync(args: string[], env: Record<string, string> = {}, options: { cwd?: string; input?: string } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [HOTLINE_BIN, ...args], { env: { ...process.env, ...env }, cwd: options.cwd });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(options.input ?? '');
  });
}

/** The service as a user starts it: a child process (`node bin/hotline.mjs serve`, or `npm start`). */
export interface ServiceProcess {
  child: ChildProcess;
  url: string;
  /** The first admin's password, when this start created the account. */
  password: string | null;
  /** Everything the service wrote to stderr so far. */
  log(): string;
  /** Resolves with the first match of `pattern` in the log (rejects after `timeoutMs`). */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** Resolves with the exit code (or signal) once the process has ended. */
  exited: Promise<number | string | null>;
}

export async function startServiceProcess(options: { env: Record<string, string>; npm?: boolean; cwd?: string }): Promise<ServiceProcess> {
  const command = options.npm ? ['npm', ['start']] : [process.execPath, [HOTLINE_BIN, 'serve']];
  const child = spawn(command[0] as string, command[1] as string[], { cwd: options.cwd ?? ROOT, env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  const waiters = new Set<() => void>();
  const onText = (chunk: Buffer) => {
    text += chunk.toString('utf8');
    for (const wake of waiters) wake();
  };
  child.stdout!.on('data', onText);
  child.stderr!.on('data', onText);
  const exited = new Promise<number | string | null>((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal)));
  const waitFor = (pattern: RegExp, timeoutMs = 120_000) =>
    new Promise<RegExpMatchArray>((resolve, reject) => {
      const check = () => {
        const match = pattern.exec(text);
        if (match) {
          waiters.delete(check);
          clearTimeout(timer);
          resolve(match);
        }
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`service log never matched ${pattern} within ${timeoutMs} ms:\n${text.slice(-3000)}`));
      }, timeoutMs);
      waiters.add(check);
      void exited.then(() => setTimeout(() => {
        if (!pattern.test(text)) {
          waiters.delete(check);
          clearTimeout(timer);
          reject(new Error(`the service exited before ${pattern}:\n${text.slice(-3000)}`));
        }
      }, 50));
      check();
    });
  const url = (await waitFor(/is running: (http:\/\/\S+)/))[1];
  return { child, url, password: /密码 password: (\S+)/.exec(text)?.[1] ?? null, log: () => text, waitFor, exited };
}

/**
 * fetch as a browser does it: a kept-alive connection that the server closed just as the request
 * went out (ECONNRESET) is retried once on a new one.
 */
export async function request(url: string | URL, init?: RequestInit): Promise<Response> {
  try {
    return await fetch(url, init);
  } catch (error) {
    if (!/ECONNRESET|socket|other side closed/i.test(String((error as Error).cause ?? error))) throw error;
    return fetch(url, init);
  }
}

/** Signs in through the real login API; returns the cookie and CSRF token. */
export async function signIn(base: string, name: string, password: string): Promise<{ cookie: string; csrf: string }> {
  const response = await request(new URL('/api/login', base), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name, password }) });
  if (response.status !== 200) throw new Error(`sign-in answered ${response.status}: ${await response.text()}`);
  return { cookie: response.headers.get('set-cookie')!.split(';')[0], csrf: ((await response.json()) as { csrf: string }).csrf };
}

/** Whether a process id is still running. */
export function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
