import { readFileSync } from 'node:fs';
import { CliError, usageError } from '../cli-error.js';
import { COMMON_HELP, log, parseCommand, printJson } from '../commands/common.js';
import { dayIndex, dayString } from './calendar.js';
import { detect, METHODS, type MethodName } from './methods.js';

const HELP = `hotline detect — 对日计数序列做突增检测 / spike detection on daily count series
Reads a CSV with the header series,date,count (one row per series per day; missing days count 0)
and prints the alarms for days ≥ --from, each decided from the data up to that day only.

Usage: hotline detect --counts FILE.csv --from YYYY-MM-DD [--method NAME] [--alpha A] [--json]
  --method NAME   pulse (default: seasonal NB model + CUSUM), farrington, ears-c1, ears-c2, ears-c3
  --alpha A       alarm level for the p-value (default 0.001)
${COMMON_HELP}

JSON: [{"series","date","count","expected","upper","pValue","score"}, …]`;

interface Parsed {
  series: Map<string, Map<number, number>>;
  first: number;
  last: number;
}

export function readCounts(file: string): Parsed {
  let text: string;
  try {
    text = readFileSync(file, 'utf8').replace(/^\uFEFF/, '');
  } catch (error) {
    throw new CliError(`无法读取 ${file}: ${(error as Error).message}`);
  }
  const lines = text.split(/\r?\n/);
  const header = lines[0].split(',').map((h) => h.trim().toLowerCase());
  if (header.join(',') !== 'series,date,count') throw new CliError(`${file}:1: 表头应为 series,date,count，实际是 "${lines[0]}" / the header must be series,date,count`);
  const series = new Map<string, Map<number, number>>();
  let first = Infinity;
  let last = -Infinity;
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i].trim();
    if (!line) continue;
    const parts = line.split(',');
    if (parts.length !== 3) throw new CliError(`${file}:${i + 1}: 应有 3 列（series,date,count），这里有 ${parts.length} 列 / expected 3 fields`);
    const [name, date, countText] = parts.map((p) => p.trim());
    if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || dayString(dayIndex(date)) !== date) throw new CliError(`${file}:${i + 1}: 日期 "${date}" 无效，应为 YYYY-MM-DD / invalid date`);
    const count = Number(countText);
    if (!Number.isInteger(count) || count < 0) throw new CliError(`${file}:${i + 1}: 计数 "${countText}" 应为非负整数 / count must be a whole number ≥ 0`);
    const index = dayIndex(date);
    let days = series.get(name);
    if (!days) series.set(name, (days = new Map()));
    if (days.has(index)) throw new CliError(`${file}:${i + 1}: 序列 "${name}" 的 ${date} 重复出现 / duplicate day for the series`);
    days.set(index, count);
    first = Math.min(first, index);
    last = Math.max(last, index);
  }
  if (!series.size) throw new CliError(`${file}: 没有数据行 / no data rows`);
  return { series, first, last };
}

export async function run(argv: string[]): Promise<void> {
  const { values } = parseCommand(argv, { counts: { type: 'string' }, from: { type: 'string' }, method: { type: 'string' }, alpha: { type: 'string' } });
  if (values.help) return void process.stdout.write(HELP + '\n');
  if (!values.counts) throw usageError('--counts FILE.csv is required');
  if (!values.from || !/^\d{4}-\d{2}-\d{2}$/.test(values.from)) throw usageError('--from YYYY-MM-DD is required');
  const method = (values.method ?? 'pulse') as MethodName;
  if (!METHODS.includes(method)) throw usageError(`--method must be one of ${METHODS.join(', ')}`);
  const alpha = values.alpha === undefined ? 0.001 : Number(values.alpha);
  if (!(alpha > 0 && alpha < 1)) throw usageError('--alpha takes a number between 0 and 1');
  const parsed = readCounts(values.counts);
  const dates: string[] = [];
  for (let i = parsed.first; i <= parsed.last; i++) dates.push(dayString(i));
  const started = performance.now();
  const alarms: { series: string; date: string; count: number; expected: number; upper: number; pValue: number; score: number }[] = [];
  for (const [name, days] of parsed.series) {
    const counts = dates.map((_, i) => days.get(parsed.first + i) ?? 0);
    for (const r of detect({ dates, counts }, { from: values.from, method, alpha })) {
      if (r.alarm) alarms.push({ series: name, date: r.date, count: r.count, expected: round(r.expected), upper: r.upper, pValue: Number(r.pValue.toPrecision(4)), score: round(r.score) });
    }
  }
  log(`${parsed.series.size} 个序列，${dates.length} 天，方法 ${method}：${alarms.length} 个告警（${((performance.now() - started) / 1000).toFixed(1)} s）`);
  if (values.json) return printJson(alarms);
  for (const a of alarms) process.stdout.write(`${a.date}  ${a.series}  实际 ${a.count}  预期 ${a.expected}  上限 ${a.upper}  p=${a.pValue}\n`);
}

const round = (x: number) => Math.round(x * 1000) / 1000;
