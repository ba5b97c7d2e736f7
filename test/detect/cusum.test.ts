import { describe, expect, it } from 'vitest';
import { bestWindowSum, cusumIncrement } from '../../pipelines/detect/cusum.js';
import { nbLogPmf } from '../../pipelines/detect/negbin.js';

describe('NB likelihood-ratio CUSUM', () => {
  it('has the increment log P(x | κμ, same size) − log P(x | μ)', () => {
    const [mean, phi, kappa] = [6, 1.8, 1.5];
    // the same size r = μ/(φ−1) at mean κμ is dispersion 1 + κ(φ−1)
    const alternative = 1 + kappa * (phi - 1);
    const step = cusumIncrement(mean, phi, kappa);
    for (const x of [0, 3, 6, 12, 30]) {
      expect(step.slope * x - step.offset).toBeCloseTo(nbLogPmf(x, kappa * mean, alternative) - nbLogPmf(x, mean, phi), 9);
    }
  });

  it('is x log κ − (κ − 1)μ for Poisson counts', () => {
    const step = cusumIncrement(4, 1, 2);
    expect(step.slope).toBeCloseTo(Math.log(2), 12);
    expect(step.offset).toBeCloseTo(4, 12);
  });

  it('takes the best window of at most `memory` days, and none before a restart', () => {
    const llr = [1, -0.5, 2, -3, 0.5];
    const statistic = (values: number[], memory: number, earliest = (_t: number) => 0) => values.map((_, t) => bestWindowSum(values, 0, t, earliest(t), memory).sum);
    // t2: windows [2] = 2, [1..2] = 1.5, [0..2] = 2.5; t3: all windows negative → 0
    expect(statistic(llr, 3)).toEqual([1, 0.5, 2.5, 0, 0.5]);
    expect(bestWindowSum(llr, 0, 2, 0, 3).start).toBe(0);
    // memory 2: t2 sees only [2] and [1..2]
    expect(bestWindowSum(llr, 2 - 2, 2, 0, 2)).toEqual({ sum: 2, start: 2 });
    // an alarm on t2: from t3 on the windows begin at t3
    expect(statistic([1, -0.5, 2, 1, 0.5], 3, (t) => (t > 2 ? 3 : 0))).toEqual([1, 0.5, 2.5, 1, 1.5]);
    // increments indexed from a base position
    expect(bestWindowSum([9, 1, -0.5, 2], 10, 13, 0, 3)).toEqual({ sum: 2.5, start: 11 });
  });
});
