import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dayIndex, dayString } from '../../pipelines/detect/calendar.js';
import { parseCounts } from '../../pipelines/detect/command.js';
import { Random } from './simulate.js';

const ROOT = join(import.meta.dirname, '..', '..');
const TSX = join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs');
const COMMAND = join(ROOT, 'pipelines', 'detect', 'command.ts');
const dir = mkdtempSync(join(tmpdir(), 'hotline-detect-'));

function detectCli(args: string[]) {
  const result = spawnSync(process.execPath, [TSX, COMMAND, ...args], { encoding: 'utf8', timeout: 120_000, env: { ...process.env, TZ: 'Asia/Shanghai' } });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

/** Two years of two series: 噪声扰民 with a spike 10 days before the end, 供水 sparse with most zero days missing. */
function countsCsv(days = 2 * 365): { text: string; dates: string[]; spike: string } {
  const random = new Random(21);
  const start = dayIndex('2024-01-01');
  const dates = Array.from({ length: days }, (_, i) => dayString(start + i));
  const noise = dates.map((d) => random.poisson([0, 6].includes(new Date(`${d}T00:00:00Z`).getUTCDay()) ? 12 : 20));
  const spike = dates.length - 10;
  noise[spike] += 40;
  const water = dates.map(() => random.poisson(0.3));
  const lines = ['series,date,count'];
  dates.forEach((d, i) => lines.push(`噪声扰民,${d},${noise[i]}`));
  dates.forEach((d, i) => water[i] > 0 && lines.push(`"供水,昌吉市",${d},${water[i]}`));
  return { text: lines.join('\r\n') + '\r\n', dates, spike: dates[spike] };
}

describe('hotline detect: the CSV contract', () => {
  const { text, dates, spike } = countsCsv();
  const path = file('counts.csv', '\uFEFF' + text);
  const from = dates[dates.length - 60];

  it('prints one JSON array of alarms, each {series,date,count,expected,upper,pValue,score,channel} (+ the rise window), logs on stderr', () => {
    const result = detectCli(['--counts', path, '--from', from, '--json']);
    expect(result.status, result.stderr).toBe(0);
    const alerts = JSON.parse(result.stdout) as Record<string, unknown>[];
    expect(Array.isArray(alerts)).toBe(true);
    for (const alert of alerts) {
      const window = alert.channel === 'day' ? [] : ['riseDays', 'riseExpected', 'riseObserved', 'riseStart'];
      expect(Object.keys(alert).sort()).toEqual(['channel', 'count', 'date', 'expected', 'pValue', 'score', 'series', 'upper', ...window].sort());
      expect(['day', 'rise', 'cusum']).toContain(alert.channel);
      expect(alert.date as string >= from).toBe(true);
      expect(typeof alert.pValue).toBe('number');
    }
    const found = alerts.find((a) => a.series === '噪声扰民' && a.date === spike)!;
    expect(found).toBeDefined();
    expect(found.count as number).toBeGreaterThan(found.upper as number);
    expect(found.channel).toBe('day');
    expect(alerts.length).toBeLessThanOrEqual(4);
    expect(result.stderr).toMatch(/2 个序列 series/);
  });

  it('judges each day from the data up to that day only: a shorter file gives the same earlier alarms', () => {
    const full = JSON.parse(detectCli(['--counts', path, '--from', dates[dates.length - 120], '--json', '--method', 'ears-c2']).stdout) as { date: string }[];
    const cut = dates[dates.length - 40];
    const shorter = file('shorter.csv', text.split('\r\n').filter((line) => !/,\d{4}-\d{2}-\d{2},/.test(line) || line.split(',').at(-2)! <= cut).join('\n'));
    const partial = JSON.parse(detectCli(['--counts', shorter, '--from', dates[dates.length - 120], '--json', '--method', 'ears-c2']).stdout);
    expect(full.filter((a) => a.date <= cut).length).toBeGreaterThan(0); // EARS alarms on this series' Mondays
    expect(partial).toEqual(full.filter((a) => a.date <= cut));
  });

  it('says when a sustained rise decided, with the window and its totals', () => {
    const random = new Random(31);
    const start = dayIndex('2023-01-01');
    const days = 3 * 365;
    const counts = Array.from({ length: days }, () => random.poisson(20));
    for (let d = 0; d < 7; d++) counts[days - 40 + d] = 32;
    const rows = ['series,date,count', ...counts.map((c, i) => `供水,${dayString(start + i)},${c}`)];
    const plateau = file('plateau.csv', rows.join('\n') + '\n');
    const result = detectCli(['--counts', plateau, '--from', dayString(start + days - 60), '--json']);
    expect(result.status, result.stderr).toBe(0);
    const rise = (JSON.parse(result.stdout) as Record<string, unknown>[]).find((a) => a.channel === 'rise')!;
    expect(rise).toBeDefined();
    expect(rise.count as number).toBeLessThanOrEqual(rise.upper as number);
    // the window ends on the alarm's day, inside the plateau, and its totals are the file's
    const first = dayIndex(rise.riseStart as string) - start;
    expect(first + (rise.riseDays as number) - 1).toBe(dayIndex(rise.date as string) - start);
    expect(rise.date as string >= dayString(start + days - 40)).toBe(true);
    expect(rise.riseObserved).toBe(counts.slice(first, first + (rise.riseDays as number)).reduce((a, b) => a + b, 0));
    const table = detectCli(['--counts', plateau, '--from', dayString(start + days - 60)]);
    expect(table.stdout).toMatch(new RegExp(`持续上升 rise ${rise.riseStart} 起 ${rise.riseDays} 天 ${rise.riseObserved} / `));
  });

  it('prints a table without --json', () => {
    const result = detectCli(['--counts', path, '--from', from, '--method', 'farrington', '--alpha', '0.01']);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/日期 date/);
    expect(result.stdout).toContain(spike);
  });

  it('fills the missing days of a series with 0 and reads quoted names', () => {
    const parsed = parseCounts('series,date,count\n"供水,昌吉市",2025-03-01,2\n"供水,昌吉市",2025-03-04,1\nb,2025-03-02,5\n', 'x.csv');
    expect(parsed.dates).toEqual(['2025-03-01', '2025-03-02', '2025-03-03', '2025-03-04']);
    expect(parsed.series.get('供水,昌吉市')).toEqual([2, 0, 0, 1]);
    expect(parsed.series.get('b')).toEqual([0, 5, 0, 0]);
  });
});

describe('hotline detect: bad input names the file and the line', () => {
  const cases: [string, string, RegExp][] = [
    ['header.csv', 'name,day,n\na,2025-01-01,1\n', /header\.csv:1: .*series,date,count/],
    ['date.csv', 'series,date,count\na,2025-01-01,3\na,2025-02-30,1\n', /date\.csv:3: .*2025-02-30/],
    ['count.csv', 'series,date,count\na,2025-01-01,3\na,2025-01-02,-1\n', /count\.csv:3: .*-1/],
    ['fraction.csv', 'series,date,count\na,2025-01-01,2.5\n', /fraction\.csv:2: /],
    ['fields.csv', 'series,date,count\na,2025-01-01\n', /fields\.csv:2: .*3/],
    ['twice.csv', 'series,date,count\na,2025-01-01,3\nb,2025-01-01,3\na,2025-01-01,4\n', /twice\.csv:4: .*a/],
    ['quote.csv', 'series,date,count\n"a,2025-01-01,3\n', /quote\.csv:2: /],
    ['empty.csv', 'series,date,count\n', /empty\.csv: /],
  ];
  it.each(cases)('%s', (name, text, message) => {
    const result = detectCli(['--counts', file(name, text), '--from', '2025-01-01']);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(message);
    expect(result.stdout).toBe('');
  });

  it('a file that cannot be read', () => {
    const result = detectCli(['--counts', join(dir, 'missing.csv'), '--from', '2025-01-01']);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/missing\.csv/);
  });
});

describe('hotline detect: bad flags exit 2', () => {
  const good = file('good.csv', 'series,date,count\na,2025-01-01,1\n');
  it.each([
    [['--counts', good], /--from/],
    [['--from', '2025-01-01'], /--counts/],
    [['--counts', good, '--from', '2025/01/01'], /YYYY-MM-DD/],
    [['--counts', good, '--from', '2025-01-01', '--method', 'magic'], /pulse, ears-c1/],
    [['--counts', good, '--from', '2025-01-01', '--alpha', '1.5'], /--alpha/],
    [['--counts', good, '--from', '2025-01-01', '--bogus'], /bogus/],
  ])('%j', (args, message) => {
    const result = detectCli(args as string[]);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(message as RegExp);
  });

  it('--help prints the usage', () => {
    const result = detectCli(['--help']);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/Usage: hotline detect --counts FILE\.csv --from YYYY-MM-DD/);
  });
});
