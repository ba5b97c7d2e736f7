import { spawn, spawnSync } from 'node:child_process';
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
