import { describe, expect, it } from 'vitest';
import { nbUpperTail, normalQuantile, normalUpperTail } from '../../pipelines/detect/negbin.js';
import { nestedCorrelation, owensT, RiseScan, scanPValue } from '../../pipelines/detect/rise.js';
import { Random } from './simulate.js';

describe("Owen's T", () => {
  it('meets its closed forms: T(0, a) = atan(a)/2π and T(h, 1) = Φ(h)Φ̄(h)/2', () => {
    for (const a of [0.1, 0.4, 1]) expect(owensT(0, a)).toBeCloseTo(Math.atan(a) / (2 * Math.PI), 12);
    for (const h of [0.5, 2, 4, 6]) {
      const tail = normalUpperTail(h);
      expect(owensT(h, 1) / ((tail * (1 - tail)) / 2)).toBeCloseTo(1, 5);
    }
  });
});

describe('the scan bound for nested windows', () => {
  it('is the one-window tail for one window, and adds 2·T(c, a) per further window', () => {
    expect(scanPValue(3, [0], 1)).toBeCloseTo(normalUpperTail(3), 12);
    // ρ = ½: a = √(½/1½) = 1/√3
    expect(scanPValue(3, [0, 0.5], 2)).toBeCloseTo(normalUpperTail(3) + 2 * owensT(3, 1 / Math.sqrt(3)), 12);
    expect(scanPValue(0, [0, 0.5], 2)).toBe(1);
    // perfectly correlated windows are one test
    expect(scanPValue(3, [0, 1, 1], 3)).toBeCloseTo(normalUpperTail(3), 12);
  });

  it('correlates nested totals as Cov/√(V·V): independent days give √(L_inner/L_outer)', () => {
    // 2 days inside 8 equal independent days: Cov = V_2 = 2
    expect(nestedCorrelation(2, 8, 6)).toBeCloseTo(0.5, 12);
    // a shared error of variance 1 in both totals raises it: (3 + 9 − 6)/(2√27)
    expect(nestedCorrelation(3, 9, 6)).toBeCloseTo(6 / (2 * Math.sqrt(27)), 12);
  });

  it('holds for the maximum of a Gaussian random walk read backwards (Monte Carlo)', () => {
    // Windows of 2, 3, 5, 7, 10 and 14 equal days: the maximum of the standardised sums.
    const lengths = [2, 3, 5, 7, 10, 14];
    const random = new Random(3);
    const c = 2.5;
    const runs = 200_000;
    let crossed = 0;
    for (let run = 0; run < runs; run++) {
      let sum = 0;
      let max = -Infinity;
      let k = 0;
      for (let day = 1; day <= 14; day++) {
        sum += random.normal();
        if (day === lengths[k]) {
          max = Math.max(max, sum / Math.sqrt(day));
          k++;
        }
      }
      if (max >= c) crossed++;
    }
    const bound = scanPValue(c, lengths.map((l, k) => (k ? Math.sqrt(lengths[k - 1] / l) : 0)), lengths.length);
    const rate = crossed / runs;
    // The bound holds (3 binomial sd of slack) and is tight: the chain of upcrossings counts a
    // walk that crosses twice twice, which is rare.
    expect(rate).toBeLessThan(bound + 3 * Math.sqrt((bound * (1 - bound)) / runs));
    expect(rate).toBeGreaterThan(0.85 * bound);
    // … and it is far below Bonferroni over the six windows.
    expect(bound).toBeLessThan(0.7 * lengths.length * normalUpperTail(c));
  });
});

describe('the rise scan on a tiny series', () => {
  // Poisson days (φ = 1) expecting 4 each; the last three days come in at 9, 8 and 10.
  const counts = [4, 3, 5, 4, 4, 9, 8, 10];
  const mean = new Float64Array(counts.length).fill(4);
  const dayVariance = new Float64Array(counts.length).fill(4);
  const dispersion = new Float64Array(15).fill(1);
  const baseline = { from: 0, mean, dayVariance, predictionSd: new Float64Array(counts.length), parameterDispersion: 1 };
  const scan = new RiseScan([2, 3, 5]);

  it('scores each window by its exact tail and keeps the best', () => {
    const best = scan.scan(7, 0, counts, baseline, dispersion);
    // window 2: 18 vs 8, window 3: 27 vs 12, window 5: 35 vs 20 — by hand from the Poisson tails
    const z = [nbUpperTail(18, 8, 1), nbUpperTail(27, 12, 1), nbUpperTail(35, 20, 1)].map((p) => -normalQuantile(p));
    expect(z[1]).toBeGreaterThan(z[0]);
    expect(z[1]).toBeGreaterThan(z[2]);
    expect(best).toMatchObject({ start: 5, days: 3, observed: 27, expected: 12 });
    expect(best.z).toBeCloseTo(z[1], 9);
    // variances 8, 12, 20 along the chain: ρ = √(8/12), √(12/20)
    expect(best.pValue).toBeCloseTo(scanPValue(z[1], [0, Math.sqrt(8 / 12), Math.sqrt(12 / 20)], 3), 12);
    expect(best.pValue).toBeGreaterThan(nbUpperTail(27, 12, 1));
    expect(best.pValue).toBeLessThan(3 * nbUpperTail(27, 12, 1));
  });

  it('never reaches back before the restart, and scores nothing under one sd', () => {
    const fresh = scan.scan(7, 6, counts, baseline, dispersion);
    expect(fresh).toMatchObject({ start: 6, days: 2, observed: 18, expected: 8 });
    // one window: its own tail (through z and back: Acklam's quantile is good to ~1e-9)
    expect(fresh.pValue / nbUpperTail(18, 8, 1)).toBeCloseTo(1, 6);
    const quiet = scan.scan(4, 0, counts, baseline, dispersion);
    expect(quiet).toMatchObject({ days: 0, z: 0, pValue: 1 });
  });

  it('uses the window dispersion D_L where it exceeds the days’ own', () => {
    // sums of 3 days and more are twice as noisy as their days
    const lasting = Float64Array.from({ length: 15 }, (_, length) => (length >= 3 ? 2 : 1));
    const best = scan.scan(7, 0, counts, baseline, lasting);
    const z = [nbUpperTail(18, 8, 1), nbUpperTail(27, 12, 2), nbUpperTail(35, 20, 2)].map((p) => -normalQuantile(p));
    expect(best.z).toBeCloseTo(Math.max(...z), 9);
    expect(best.days).toBe([2, 3, 5][z.indexOf(Math.max(...z))]);
    // window variances 8, 24, 40; the days each window adds: one day (4, D_1 = 1), two days (8, D_2 = 1)
    expect(best.pValue).toBeCloseTo(scanPValue(best.z, [0, nestedCorrelation(8, 24, 4), nestedCorrelation(24, 40, 8)], 3), 12);
  });

  it('adds the error the expected total inherits from the coefficients, shared by its days', () => {
    // each day's expected count has sd 0.5·√φ_c: a window of L days inherits (at most) φ_c·(L/2)² (φ_c = 2)
    const shared = { ...baseline, predictionSd: new Float64Array(counts.length).fill(0.5), parameterDispersion: 2 };
    const best = new RiseScan([3]).scan(7, 0, counts, shared, dispersion);
    expect(best.z).toBeCloseTo(-normalQuantile(nbUpperTail(27, 12, (12 + 2 * 1.5 ** 2) / 12)), 9);
  });

  it('takes the inherited error exactly from the days’ vectors μ₀L⁻¹x when they are given', () => {
    // the last three days' vectors (0.5, 0), (0, 0.5), (0.5, 0): the window's sum (1, 0.5) has
    // ‖·‖² = 1.25, under the bound (Σ‖·‖)² = 2.25 that the same sds give
    const vectors = new Float64Array(2 * counts.length);
    for (const [day, column] of [[5, 0], [6, 1], [7, 0]]) vectors[day * 2 + column] = 0.5;
    const exact = { ...baseline, predictionSd: new Float64Array(counts.length).fill(0.5), prediction: { vectors, columns: 2 }, parameterDispersion: 2 };
    const best = new RiseScan([3]).scan(7, 0, counts, exact, dispersion);
    expect(best.z).toBeCloseTo(-normalQuantile(nbUpperTail(27, 12, (12 + 2 * 1.25) / 12)), 9);
    // and along the chain: windows 2 and 3 inherit 2·0.5 and 2·1.25, the day added 2·0.25
    const chain = new RiseScan([2, 3]).scan(7, 0, counts, exact, dispersion);
    expect(chain.pValue).toBeCloseTo(scanPValue(chain.z, [0, nestedCorrelation(8 + 1, 12 + 2.5, 4 + 0.5)], 2), 12);
  });

  it('refuses window lengths that are not increasing whole days ≥ 2', () => {
    expect(() => new RiseScan([1, 3])).toThrow(/rise windows/);
    expect(() => new RiseScan([3, 3])).toThrow(/rise windows/);
    expect(() => new RiseScan([])).toThrow(/rise windows/);
  });
});
