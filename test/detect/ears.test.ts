import { describe, expect, it } from 'vitest';
import { dayString } from '../../pipelines/detect/calendar.js';
import { ears } from '../../pipelines/detect/ears.js';

const series = (counts: number[]) => ({ dates: counts.map((_, i) => dayString(20089 + i)), counts }); // from 2025-01-01

describe('EARS', () => {
  it('C1: (x − mean)/sd of the 7 days before', () => {
    // baseline 2,4,2,4,2,4,2: mean 20/7, Σ(x − m)² = 4(6/7)² + 3(8/7)² = 48/7, sd = √(8/7)
    const s = series([2, 4, 2, 4, 2, 4, 2, 9]);
    const [day] = ears(s, s.dates[7], 'C1');
    const mean = 20 / 7;
    const sd = Math.sqrt(8 / 7);
    expect(day.expected).toBeCloseTo(mean, 12);
    expect(day.score).toBeCloseTo((9 - mean) / sd, 12);
    expect(day.upper).toBeCloseTo(mean + 3 * sd, 12);
    expect(day.alarm).toBe(true);
  });

  it('C2: the same on days t−9 … t−3, skipping the two days before', () => {
    // baseline 1,3,1,3,1,3,1 (mean 13/7, sd √(8/7)); the 5s on days 7 and 8 are not in it
    const s = series([1, 3, 1, 3, 1, 3, 1, 5, 5, 4]);
    const [day] = ears(s, s.dates[9], 'C2');
    expect(day.expected).toBeCloseTo(13 / 7, 12);
    expect(day.score).toBeCloseTo((4 - 13 / 7) / Math.sqrt(8 / 7), 12);
    expect(day.alarm).toBe(false); // 2.0 < 3
  });

  it('C3: Σ max(0, C2 − 1) over the day and the two before, alarm above 2', () => {
    // flat 2s: sd 0 → floored at 0.5; C2 = 2, 4, 6 on days 9, 10, 11 → C3 = 1 + 3 + 5 = 9
    const s = series([2, 2, 2, 2, 2, 2, 2, 2, 2, 3, 4, 5]);
    const results = ears(s, s.dates[9], 'C3', { minSigma: 0.5 });
    expect(results.map((r) => Number.isNaN(r.expected))).toEqual([true, true, false]);
    expect(results[2].score).toBeCloseTo(9, 12);
    expect(results[2].alarm).toBe(true);
    // the two days before already carry 1 + 3 > 2: any count alarms, upper is 0
    expect(results[2].upper).toBe(0);
    // with sd floored at 1: C2 = 1, 2, 3 → C3 = 0 + 1 + 2 = 3; carried 1, so the bound is 2 + (3 − 1) × 1
    const wider = ears(s, s.dates[11], 'C3', { minSigma: 1 });
    expect(wider[0].score).toBeCloseTo(3, 12);
    expect(wider[0].upper).toBeCloseTo(4, 12);
    expect(wider[0].alarm).toBe(true);
  });

  it('does not judge days without a full baseline', () => {
    const s = series([5, 5, 5]);
    expect(ears(s, s.dates[0], 'C1').every((r) => !r.alarm && Number.isNaN(r.expected))).toBe(true);
  });
});
