import { describe, expect, it } from 'vitest';
import { dayIndex, dayString } from '../../pipelines/detect/calendar.js';
import { detect, METHODS } from '../../pipelines/detect/detect.js';
import { PULSE_DEFAULTS } from '../../pipelines/detect/pulse.js';
import { baselineMeans, injectOutbreak, Random, randomProfile, simulateCounts } from './simulate.js';

const START = dayIndex('2021-01-01');
const datesFrom = (start: number, days: number) => Array.from({ length: days }, (_, i) => dayString(start + i));

/** A hotline-like series (weekday pattern, holidays, season, NB noise) of `days` days from 2021. */
function hotline(level: number, days: number, seed: number) {
  const random = new Random(seed);
  const profile = randomProfile(random, level);
  const means = baselineMeans(profile, START, days);
  return { random, profile, means, counts: simulateCounts(random, profile, means), dates: datesFrom(START, days) };
}

describe('pulse finds what it should and little else', () => {
  it('flags a clear one-day spike on that day, above its upper bound', () => {
    const s = hotline(30, 3 * 365, 1);
    const day = 3 * 365 - 40;
    s.counts[day] += Math.round(8 * Math.sqrt(s.profile.dispersion * s.means[day]));
    const results = detect(s, { from: s.dates[2 * 365], alpha: 0.001 });
    const spike = results.find((r) => r.date === s.dates[day])!;
    expect(spike.alarm).toBe(true);
    expect(spike.count).toBeGreaterThan(spike.upper);
    expect(spike.expected).toBeGreaterThan(0.5 * s.means[day]);
    expect(spike.expected).toBeLessThan(1.5 * s.means[day]);
    expect(spike.pValue).toBeLessThan(1e-5);
    expect(spike.score).toBeCloseTo(-Math.log10(spike.pValue), 9);
  });

  it('gives few alarms on a year of ordinary days', () => {
    for (const [level, seed] of [[0.5, 2], [20, 3], [200, 4]]) {
      const s = hotline(level, 3 * 365, seed);
      const results = detect(s, { from: s.dates[2 * 365], alpha: 0.001 });
      expect(results).toHaveLength(365);
      expect(results.filter((r) => r.alarm).length).toBeLessThanOrEqual(4);
    }
  });

  it('is quiet on a flat Poisson series', () => {
    const random = new Random(6);
    const counts = Array.from({ length: 3 * 365 }, () => random.poisson(12));
    const dates = datesFrom(START, counts.length);
    const results = detect({ dates, counts }, { from: dates[365], alpha: 0.001 });
    expect(results.filter((r) => r.alarm).length).toBeLessThanOrEqual(3);
    const meanExpected = results.reduce((sum, r) => sum + r.expected, 0) / results.length;
    expect(meanExpected).toBeGreaterThan(11);
    expect(meanExpected).toBeLessThan(13);
  });

  it('catches a sustained rise that no single day shows (the CUSUM channel)', () => {
    const random = new Random(7);
    const counts = Array.from({ length: 3 * 365 }, () => random.poisson(50));
    const dates = datesFrom(START, counts.length);
    const from = 3 * 365 - 60;
    // +12 a day (1.7 sd) for 12 days
    for (let d = 0; d < 12; d++) counts[from + 20 + d] += 12;
    const results = detect({ dates, counts }, { from: dates[from], alpha: 0.001 });
    const rise = results.slice(20, 32);
    expect(rise.some((r) => r.alarm)).toBe(true);
    expect(rise.some((r) => r.alarm && r.count <= r.upper)).toBe(true);
    expect(results.slice(0, 20).some((r) => r.alarm)).toBe(false);
  });

  it('learns the Spring Festival dip from earlier years instead of alarming after it', () => {
    const s = hotline(40, 4 * 365 + 60, 8);
    const results = detect(s, { from: '2025-01-15', alpha: 0.001 });
    const holiday = results.filter((r) => r.date >= '2025-01-28' && r.date <= '2025-02-15');
    // expected follows the dip: lower on the holiday than on the working days after it
    const onHoliday = holiday.find((r) => r.date === '2025-01-30')!;
    const after = holiday.find((r) => r.date === '2025-02-06')!;
    expect(onHoliday.expected).toBeLessThan(0.8 * after.expected);
    expect(holiday.filter((r) => r.alarm).length).toBeLessThanOrEqual(1);
  });
});

describe('pulse: the sustained-rise channel', () => {
  const DAY_SHARE = 1 - PULSE_DEFAULTS.riseShare - PULSE_DEFAULTS.cusumShare;

  it('catches a week at +60 % on a 20-a-day series that no single day gives away', () => {
    const random = new Random(31);
    const counts = Array.from({ length: 3 * 365 }, () => random.poisson(20));
    const dates = datesFrom(START, counts.length);
    const start = counts.length - 40;
    // 32 a day for a week: P(X ≥ 32) under Poisson(20) is 0.8 %, far above the day's level.
    for (let d = 0; d < 7; d++) counts[start + d] = 32;
    const results = detect({ dates, counts }, { from: dates[counts.length - 90], alpha: 0.001 });
    const byDate = new Map(results.map((r) => [r.date, r]));
    const week = dates.slice(start, start + 7).map((d) => byDate.get(d)!);
    for (const day of week) {
      expect(day.count).toBeLessThanOrEqual(day.upper);
      expect(day.pDay! / DAY_SHARE).toBeGreaterThan(0.001);
    }
    const first = week.find((r) => r.alarm)!;
    expect(first).toBeDefined();
    expect(week.indexOf(first)).toBeLessThanOrEqual(3);
    expect(first.channel).toBe('rise');
    expect(first.pValue).toBeCloseTo(first.pRise! / PULSE_DEFAULTS.riseShare, 12);
    // The window behind it: inside the week, ending on the day, with its totals.
    const window = dates.indexOf(first.riseStart!);
    expect(window).toBeGreaterThanOrEqual(start);
    expect(first.riseDays).toBe(dates.indexOf(first.date) - window + 1);
    expect(first.riseObserved).toBe(counts.slice(window, window + first.riseDays!).reduce((a, b) => a + b, 0));
    expect(first.riseExpected! / (20 * first.riseDays!)).toBeGreaterThan(0.85);
    expect(first.riseExpected! / (20 * first.riseDays!)).toBeLessThan(1.15);
    // Nothing before; and after its alarm the channel starts afresh, so the same week is not
    // reported again once it is over.
    expect(results.filter((r) => r.date < dates[start]).some((r) => r.alarm)).toBe(false);
    expect(results.filter((r) => r.date >= dates[start + 9]).some((r) => r.alarm)).toBe(false);
  });

  it('tells which channel decided, with each channel’s own p-value', () => {
    const s = hotline(15, 3 * 365 + 120, 12);
    for (const at of [3 * 365 + 10, 3 * 365 + 60]) injectOutbreak(s.random, s.counts, s.means, s.profile, at, 'ramp 14d', 10);
    const results = detect(s, { from: s.dates[3 * 365], alpha: 0.001 });
    const shares = { day: DAY_SHARE, rise: PULSE_DEFAULTS.riseShare, cusum: PULSE_DEFAULTS.cusumShare };
    for (const r of results) {
      const adjusted = { day: r.pDay! / shares.day, rise: r.pRise! / shares.rise, cusum: r.pCusum! / shares.cusum };
      expect(r.pValue).toBeCloseTo(Math.min(1, adjusted.day, adjusted.rise, adjusted.cusum), 12);
      expect(adjusted[r.channel!]).toBe(Math.min(adjusted.day, adjusted.rise, adjusted.cusum));
      expect(r.riseDays !== undefined).toBe(r.channel !== 'day');
    }
    expect(results.some((r) => r.alarm && r.channel === 'rise')).toBe(true);
  });
});

describe('pulse: α is the false-alarm rate of a quiet day', () => {
  it('alarms on about α of the days of quiet series simulated from its own model', () => {
    // Negative-binomial days with weekday, holiday and Spring Festival effects and a smooth
    // season, 4 years each, the last judged: 30 × 365 days. The three channels share α but
    // overlap (the day and its 2-day window), the CUSUM's bound is loose and the tails of small
    // counts are discrete, so the rate comes out a little under α; the band [0.5α, 1.25α] is
    // about ±4 binomial standard deviations around 0.8α at α = 0.01 (≈ 88 ± 9 alarms).
    const alpha = 0.01;
    let alarms = 0;
    let days = 0;
    for (const level of [2, 20, 200]) {
      const random = new Random(40 + level);
      for (let s = 0; s < 10; s++) {
        const n = 4 * 365;
        const profile = { ...randomProfile(random, level), noiseSd: 0, season: 'smooth' as const, beforeFestival: 0, afterFestival: 0 };
        const counts = simulateCounts(random, profile, baselineMeans(profile, START, n));
        const dates = datesFrom(START, n);
        const results = detect({ dates, counts }, { from: dates[3 * 365], alpha });
        days += results.length;
        alarms += results.filter((r) => r.alarm).length;
      }
    }
    expect(days).toBe(30 * 365);
    expect(alarms / days).toBeGreaterThan(0.5 * alpha);
    expect(alarms / days).toBeLessThan(1.25 * alpha);
  });
});

describe('every method is strictly causal', () => {
  const s = hotline(15, 3 * 365 + 120, 9);
  for (const at of [3 * 365 + 10, 3 * 365 + 50]) injectOutbreak(s.random, s.counts, s.means, s.profile, at, 'plateau 7d', 5);
  const from = s.dates[3 * 365];

  it.each(METHODS)('%s: the verdict on day t is the same when the series ends at t', (method) => {
    const full = detect(s, { from, method, alpha: 0.005 });
    expect(full).toHaveLength(120);
    for (const cut of [3 * 365, 3 * 365 + 9, 3 * 365 + 13, 3 * 365 + 56, 3 * 365 + 119]) {
      const truncated = detect({ dates: s.dates.slice(0, cut + 1), counts: s.counts.slice(0, cut + 1) }, { from, method, alpha: 0.005 });
      expect(truncated).toHaveLength(cut + 1 - 3 * 365);
      expect(truncated).toEqual(full.slice(0, truncated.length));
    }
  });

  it.each(METHODS)('%s: the verdict on day t is the same whatever happens after t', (method) => {
    const full = detect(s, { from, method, alpha: 0.005 });
    const cut = 3 * 365 + 30;
    const changed = s.counts.map((c, i) => (i > cut ? c * 3 + 7 : c));
    const other = detect({ dates: s.dates, counts: changed }, { from, method, alpha: 0.005 });
    expect(other.slice(0, 31)).toEqual(full.slice(0, 31));
    expect(other.slice(31)).not.toEqual(full.slice(31));
  });
});

describe('the uniform interface', () => {
  const s = hotline(5, 2 * 365, 10);

  it.each(METHODS)('%s: one result per day from `from`, with a finite score on judged days', (method) => {
    const results = detect(s, { from: s.dates[400], method });
    expect(results.map((r) => r.date)).toEqual(s.dates.slice(400));
    for (const r of results) {
      expect(Number.isFinite(r.score)).toBe(true);
      expect(r.pValue).toBeGreaterThanOrEqual(0);
      expect(r.pValue).toBeLessThanOrEqual(1);
      // an alarm is always explained by the count or, for pulse and EARS C3, by the days before
      if (r.count > r.upper && method !== 'farrington') expect(r.alarm).toBe(true);
    }
  });

  it('judges nothing it has no history for', () => {
    const results = detect({ dates: s.dates.slice(0, 3), counts: s.counts.slice(0, 3) }, { from: s.dates[0] });
    expect(results.every((r) => !r.alarm && r.pValue === 1 && Number.isNaN(r.expected))).toBe(true);
  });

  it('refuses gaps, bad counts and unknown methods', () => {
    expect(() => detect({ dates: ['2025-01-01', '2025-01-03'], counts: [1, 2] }, { from: '2025-01-01' })).toThrow(/consecutive/);
    expect(() => detect({ dates: ['2025-01-01', '2025-01-02'], counts: [1, -2] }, { from: '2025-01-01' })).toThrow(/whole number/);
    expect(() => detect(s, { from: s.dates[0], method: 'magic' as never })).toThrow(/unknown method/);
    expect(() => detect(s, { from: s.dates[0], alpha: 2 })).toThrow(/alpha/);
  });
});

describe('Farrington flexible (daily port)', () => {
  it('expects the level of a stationary series and holds quiet days back (limit54)', () => {
    const random = new Random(11);
    const counts = Array.from({ length: 3 * 365 }, () => random.poisson(10));
    const dates = datesFrom(START, counts.length);
    const results = detect({ dates, counts }, { from: dates[3 * 365 - 30], method: 'farrington' });
    for (const r of results) {
      expect(r.expected).toBeGreaterThan(9);
      expect(r.expected).toBeLessThan(11);
    }
    // a series silent for a month, then 3 cases: surprising, but fewer than 5 cases in 4 weeks
    const quiet: number[] = Array.from({ length: 2 * 365 }, (_, i) => (i % 40 === 0 ? 1 : 0));
    quiet[2 * 365 - 1] = 3;
    const [last] = detect({ dates: datesFrom(START, quiet.length), counts: quiet }, { from: dayString(START + 2 * 365 - 1), method: 'farrington' }).slice(-1);
    expect(last.pValue).toBeLessThan(0.01);
    expect(last.alarm).toBe(false);
    expect(last.score).toBe(0);
  });
});
