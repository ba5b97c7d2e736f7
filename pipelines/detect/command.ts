import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { CliError, usageError } from '../cli-error.js';
import { dayIndex, dayString, isIsoDate } from './calendar.js';
import { DEFAULT_ALPHA, detect, METHODS, type MethodName } from './detect.js';
import type { Channel } from './series.js';

/**
 * `hotline detect`: spike detection on daily count series from a CSV file. Standalone: it needs
 * no warehouse, so it can judge any export (and the benchmark's series) the same way the hotspot
 * job judges the warehouse's.
 */

const HELP = `hotline detect — 对日计数序列做突增检测 / spike detection on daily count series

Usage: hotline detect --counts FILE.csv --from YYYY-MM-DD [--method NAME] [--alpha A] [--json]

Reads FILE.csv with the header series,date,count — one row per series per day (UTF-8; a series
name may be quoted). Days missing between the file's first and last date count 0. Prints the
alarms on days ≥ --from; each day is judged from the data up to and including that day only,
so earlier days serve as history (give a year or more).

  --counts FILE    the counts (CSV)
  --from DATE      first day to judge (YYYY-MM-DD)
  --method NAME    pulse (default): seasonal negative-binomial model with the Chinese calendar,
                     a scan of 2–7-day windows and an NB CUSUM for sustained rises
                   farrington: Farrington flexible (Noufaily 2013) on daily data
                   ears-c1, ears-c2, ears-c3: CDC EARS (7-day mean + 3 sd)
  --alpha A        alarm level of pulse and farrington (default ${DEFAULT_ALPHA}); EARS keeps its
                   CDC thresholds
  --json           one JSON array on stdout:
                   [{"series","date","count","expected","upper","pValue","score","channel"}, …]
                   channel: what decided — "day" (the day's own count), "rise" (a window
                   of 2–7 days ending that day) or "cusum"; for "rise" and "cusum" also
                   riseStart, riseDays, riseObserved, riseExpected (the window and its
                   totals)
  -h, --help       this help

Logs go to stderr. Exit codes: 0 ok, 1 bad input file, 2 bad command line.`;

export interface Alert {
  series: string;
  date: string;
  count: number;
  expected: number;
  upper: number;
  pValue: number;
  score: number;
  channel: Channel;
  riseStart?: string;
  riseDays?: number;
  riseObserved?: number;
  riseExpected?: number;
}

/** The series of a counts file, each over the file's whole span of days. */
export interface CountsFile {
  dates: string[];
  series: Map<string, number[]>;
}

/** Splits one CSV line; fields may be "quoted" (with "" for a quote inside). */
function csvFields(line: string): string[] | null {
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    if (line[i] === '"') {
      let value = '';
      i++;
      for (;;) {
        if (i >= line.length) return null; // unterminated quote
        if (line[i] === '"') {
          if (line[i + 1] === '"') {
            value += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        value += line[i++];
      }
      fields.push(value);
      if (i < line.length && line[i] !== ',') return null;
    } else {
      const end = line.indexOf(',', i);
      fields.push(line.slice(i, end < 0 ? line.length : end));
      i = end < 0 ? line.length : end;
    }
    if (i >= line.length) return fields;
    i++; // the comma
  }
}

/** Parses the text of a counts file; errors name the file and the line. */
export function parseCounts(text: string, file: string): CountsFile {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const header = (csvFields(lines[0] ?? '') ?? []).map((h) => h.trim().toLowerCase());
  if (header.join(',') !== 'series,date,count') {
    throw new CliError(`${file}:1: 表头应为 series,date,count / the header must be series,date,count (found "${(lines[0] ?? '').slice(0, 60)}")`);
  }
  const days = new Map<string, Map<number, number>>();
  let first = Infinity;
  let last = -Infinity;
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i];
    if (line.trim() === '') continue;
    const where = `${file}:${i + 1}`;
    const fields = csvFields(line);
    if (!fields) throw new CliError(`${where}: 引号不配对 / unbalanced quote`);
    if (fields.length !== 3) throw new CliError(`${where}: 应有 3 列 series,date,count，这里有 ${fields.length} 列 / expected 3 fields, found ${fields.length}`);
    const [name, date, countText] = fields.map((f) => f.trim());
    if (name === '') throw new CliError(`${where}: 序列名为空 / empty series name`);
    if (!isIsoDate(date)) throw new CliError(`${where}: 日期 "${date}" 无效，应为 YYYY-MM-DD / invalid date`);
    if (!/^\d+$/.test(countText)) throw new CliError(`${where}: 计数 "${countText}" 应为非负整数 / the count must be a whole number ≥ 0`);
    const count = Number(countText);
    if (!Number.isSafeInteger(count)) throw new CliError(`${where}: 计数 "${countText}" 过大 / the count is too large`);
    const index = dayIndex(date);
    let byDay = days.get(name);
    if (!byDay) days.set(name, (byDay = new Map()));
    if (byDay.has(index)) throw new CliError(`${where}: 序列 "${name}" 的 ${date} 重复 / a second row for ${name} on ${date}`);
    byDay.set(index, count);
    first = Math.min(first, index);
    last = Math.max(last, index);
  }
  if (days.size === 0) throw new CliError(`${file}: 没有数据行 / no data rows`);
  const dates = Array.from({ length: last - first + 1 }, (_, k) => dayString(first + k));
  const series = new Map<string, number[]>();
  for (const [name, byDay] of days) series.set(name, dates.map((_, k) => byDay.get(first + k) ?? 0));
  return { dates, series };
}

/** Every series of the file judged on days ≥ from; the alarms, by date then series. */
export function findAlerts(counts: CountsFile, options: { from: string; method: MethodName; alpha: number }): Alert[] {
  const alerts: Alert[] = [];
  for (const [name, values] of counts.series) {
    for (const day of detect({ dates: counts.dates, counts: values }, options)) {
      if (!day.alarm) continue;
      alerts.push({
        series: name,
        date: day.date,
        count: day.count,
        expected: round(day.expected, 3),
        upper: round(day.upper, 3),
        pValue: Number(day.pValue.toPrecision(4)),
        score: round(day.score, 3),
        channel: day.channel ?? 'day',
        ...(day.riseDays !== undefined && { riseStart: day.riseStart, riseDays: day.riseDays, riseObserved: day.riseObserved, riseExpected: round(day.riseExpected!, 3) }),
      });
    }
  }
  return alerts.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : a.series < b.series ? -1 : a.series > b.series ? 1 : 0));
}

const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits;

/** What decided an alarm, in words: the day itself, or the window of a sustained rise. */
function evidence(alert: Alert): string {
  if (alert.riseDays === undefined) return '单日 day';
  const kind = alert.channel === 'cusum' ? 'CUSUM' : '持续上升 rise';
  return `${kind} ${alert.riseStart} 起 ${alert.riseDays} 天 ${alert.riseObserved} / ${alert.riseExpected!.toFixed(1)}`;
}

function alertTable(alerts: Alert[], method: MethodName): string {
  if (alerts.length === 0) return '无告警 / no alarms\n';
  const header = ['日期 date', '序列 series', '实际 count', '预期 expected', '上限 upper', 'p 值 p-value', `分数 score (${method})`, '依据 evidence'];
  const rows = alerts.map((a) => [a.date, a.series, String(a.count), a.expected.toFixed(1), String(a.upper), a.pValue.toExponential(2), a.score.toFixed(2), evidence(a)]);
  // East Asian characters take two columns in a terminal.
  const width = (text: string) => [...text].reduce((w, ch) => w + (/[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/.test(ch) ? 2 : 1), 0);
  const widths = header.map((h, c) => Math.max(width(h), ...rows.map((r) => width(r[c]))));
  const numeric = (c: number) => c >= 2 && c < header.length - 1;
  const line = (cells: string[]) => cells.map((cell, c) => (numeric(c) ? ' '.repeat(widths[c] - width(cell)) + cell : cell + ' '.repeat(widths[c] - width(cell)))).join('  ').trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n') + '\n';
}

export async function run(argv: string[]): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        counts: { type: 'string' },
        from: { type: 'string' },
        method: { type: 'string', default: 'pulse' },
        alpha: { type: 'string' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw usageError(`${(error as Error).message}\n(hotline detect --help for the options)`);
  }
  if (values.help) {
    process.stdout.write(HELP + '\n');
    return;
  }
  if (!values.counts) throw usageError('缺少 --counts FILE.csv / --counts FILE.csv is required');
  if (!values.from) throw usageError('缺少 --from YYYY-MM-DD / --from YYYY-MM-DD is required (the first day to judge)');
  if (!isIsoDate(values.from)) throw usageError(`--from expects a date as YYYY-MM-DD (got "${values.from}")`);
  const method = values.method as MethodName;
  if (!METHODS.includes(method)) throw usageError(`--method must be one of ${METHODS.join(', ')} (got "${values.method}")`);
  const alpha = values.alpha === undefined ? DEFAULT_ALPHA : Number(values.alpha);
  if (!(alpha > 0 && alpha < 1)) throw usageError(`--alpha takes a number between 0 and 1 (got "${values.alpha}")`);

  let text: string;
  try {
    text = readFileSync(values.counts, 'utf8');
  } catch (error) {
    throw new CliError(`无法读取 / cannot read ${values.counts}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  const counts = parseCounts(text, values.counts);
  const started = performance.now();
  const alerts = findAlerts(counts, { from: values.from, method, alpha });
  const seconds = (performance.now() - started) / 1000;
  process.stderr.write(
    `hotline detect: ${counts.series.size} 个序列 series × ${counts.dates.length} 天 days (${counts.dates[0]} … ${counts.dates.at(-1)}), ` +
      `${method}${method === 'pulse' || method === 'farrington' ? `, α = ${alpha}` : ''}: ${alerts.length} 个告警 alarms, ${seconds.toFixed(1)} s\n`,
  );
  if (values.json) process.stdout.write(JSON.stringify(alerts, null, 2) + '\n');
  else process.stdout.write(alertTable(alerts, method));
}

// Run directly (npx tsx pipelines/detect/command.ts …) as well as through the hotline CLI.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  run(process.argv.slice(2)).then(
    () => process.exit(0),
    (error: unknown) => {
      if (error instanceof CliError) {
        process.stderr.write(`hotline detect: ${error.message}\n`);
        process.exit(error.exitCode);
      }
      process.stderr.write(`hotline detect: ${(error as Error)?.stack ?? String(error)}\n`);
      process.exit(1);
    },
  );
}
