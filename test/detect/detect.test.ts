import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dayFeatures, dayIndex, springFestival } from '../../pipelines/detect/calendar.js';
import { detect, METHODS } from '../../pipelines/detect/methods.js';
import { upperBound, upperTail } from '../../pipelines/detect/negbin.js';

const ROOT = join(import.meta.dirname, '..', '..');

function series(days: number, mean: (i: number) => number, seed = 3) {
  let s = seed;
  const uniform = () => ((s = (s * 48271) % 2147483647) / 2147483647);
  const dates: string[] = [];
  const counts: number[] = [];
  for (let i = 0; i < days; i++) {
    dates.push(new Date(Date.UTC(2021, 0, 1) + i * 86_400_000).toISOString().slice(0, 10));
    const mu = mean(i);
    let k = 0;
    let p = Math.exp(-mu);
    let c = p;
    const u = uniform();
    while (u > c) {
      k++;
      p *= mu / k;
      c += p;
    }
    counts.push(k);
  }
  return { dates, counts };
}

describe('negative-binomial tail and bound', () => {
  it('matches hand-computed Poisson and NB values', () => {
    // Poisson(2): P(X ≥ 5) = 1 − e^-2 (1 + 2 + 2 + 4/3 + 2/3) = 1 − 7e^-2 = 0.052653…
    expect(upperTail(5, 2, 1)).toBeCloseTo(1 - 7 * Math.exp(-2), 10);
    // NB with mean 2, variance 4 (φ = 2): size r = 2, p = r/(r+μ) = 1/2; P(X = k) = (k+1)/2^(k+2)
    // P(X ≥ 3) = 1 − (1/4 + 2/8 + 3/16) = 5/16
    expect(upperTail(3, 2, 2)).toBeCloseTo(5 / 16, 10);
    // Poisson(2): P(X ≤ 5) = 0.98344 ≥ 0.99? no; P(X ≤ 6) = 0.99547 → the 0.99 bound is 6
    expect(upperBound(2, 1, 0.01)).toBe(6);
    expect(upperTail(0, 5, 1)).toBe(1);
  });
});

describe('calendar', () => {
  it('knows the official 2025 Spring Festival holiday and its make-up working day', () => {
    expect(springFestival(2025)).toBe(dayIndex('2025-01-29'));
    expect(dayFeatures(dayIndex('2025-01-29')).holiday).toBe(true);
    expect(dayFeatures(dayIndex('2025-01-26'))).toMatchObject({ weekday: 0, makeUpWorkday: true, holiday: false });
    expect(dayFeatures(dayIndex('2025-02-05')).afterBreak).toBe(true);
    expect(dayFeatures(dayIndex('2025-01-20')).festivalBin).toBe(2);
    expect(dayFeatures(dayIndex('2025-07-05'))).toMatchObject({ holiday: false, makeUpWorkday: false });
  });
});

describe('EARS', () => {
  it('computes C1 by hand', () => {
    // days t-7…t-1: 2,4,2,4,2,4,2 → mean 20/7, sd = sqrt(Σ(x−m)²/6) = sqrt((4·(6/7)² + 3·(8/7)²)/6)
    const counts = [2, 4, 2, 4, 2, 4, 2, 9];
    const dates = counts.map((_, i) => `2025-03-0${i + 1}`);
    const [c1] = detect({ dates, counts }, { from: '2025-03-08', method: 'ears-c1' });
    const mean = 20 / 7;
    const sd = Math.sqrt((4 * (6 / 7) ** 2 + 3 * (8 / 7) ** 2) / 6);
    expect(c1.score).toBeCloseTo((9 - mean) / sd, 10);
    expect(c1.alarm).toBe((9 - mean) / sd > 3);
  });
});

const weekly = (i: number) => 20 * ([0, 6].includes(new Date(Date.UTC(2021, 0, 1) + i * 86_400_000).getUTCDay()) ? 0.6 : 1) * (1 + 0.3 * Math.sin((2 * Math.PI * i) / 365));

describe('pulse detector', () => {
  it('finds a clear spike and stays quiet on ordinary days', () => {
    const s = series(3 * 365, weekly);
    s.counts[s.counts.length - 10] += 40;
    const results = detect(s, { from: s.dates[2 * 365] });
    const alarms = results.filter((r) => r.alarm);
    expect(alarms.map((a) => a.date)).toContain(s.dates[s.counts.length - 10]);
    expect(alarms.length).toBeLessThanOrEqual(4);
    const day = results.find((r) => r.date === s.dates[s.counts.length - 10])!;
    expect(day.count).toBeGreaterThan(day.upper);
    expect(day.expected).toBeGreaterThan(8);
    expect(day.expected).toBeLessThan(35);
  });

  it.each(METHODS)('%s is strictly causal: results up to day t do not change when later data is cut off', (method) => {
    const s = series(2 * 365 + 60, weekly, 11);
    s.counts[2 * 365 + 20] += 30;
    const from = s.dates[2 * 365];
    const full = detect(s, { from, method });
    for (const cut of [2 * 365 + 5, 2 * 365 + 21, 2 * 365 + 40]) {
      const truncated = detect({ dates: s.dates.slice(0, cut + 1), counts: s.counts.slice(0, cut + 1) }, { from, method });
      expect(truncated).toEqual(full.slice(0, truncated.length));
    }
  });
});

describe('hotline detect', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hotline-detect-'));
  const run = (args: string[]) => spawnSync(process.execPath, [join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), join(ROOT, 'pipelines', 'cli.ts'), 'detect', ...args], { encoding: 'utf8', timeout: 120_000 });

  it('prints one JSON array of alarms in the contract shape', () => {
    const s = series(2 * 365, weekly, 5);
    s.counts[2 * 365 - 3] += 45;
    const lines = ['series,date,count', ...s.dates.map((d, i) => `噪声扰民,${d},${s.counts[i]}`), ...s.dates.map((d, i) => `供水,${d},${i % 7}`)];
    const file = join(dir, 'counts.csv');
    writeFileSync(file, lines.join('\n'));
    const result = run(['--counts', file, '--from', s.dates[2 * 365 - 30], '--json']);
    expect(result.status, result.stderr).toBe(0);
    const alarms = JSON.parse(result.stdout);
    expect(Array.isArray(alarms)).toBe(true);
    const spike = alarms.find((a: { series: string; date: string }) => a.series === '噪声扰民' && a.date === s.dates[2 * 365 - 3]);
    expect(Object.keys(spike).sort()).toEqual(['count', 'date', 'expected', 'pValue', 'score', 'series', 'upper']);
    expect(alarms.every((a: { date: string }) => a.date >= s.dates[2 * 365 - 30])).toBe(true);
  });

  it('says what and where for bad input, and exits 2 on bad flags', () => {
    const bad = join(dir, 'bad.csv');
    writeFileSync(bad, 'series,date,count\na,2025-01-01,3\na,2025-02-30,1\n');
    const result = run(['--counts', bad, '--from', '2025-01-01']);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('bad.csv:3');
    writeFileSync(bad, 'name,day,n\n');
    expect(run(['--counts', bad, '--from', '2025-01-01']).stderr).toContain('series,date,count');
    expect(run(['--counts', bad, '--from', '2025-01-01', '--method', 'magic']).status).toBe(2);
    expect(run(['--counts', bad]).status).toBe(2);
  });
});
