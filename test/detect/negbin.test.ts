import { describe, expect, it } from 'vitest';
import { logGamma, nbDispersionMle, nbLogPmf, nbUpperBound, nbUpperTail, normalQuantile, normalUpperTail } from '../../pipelines/detect/negbin.js';
import { Random } from './simulate.js';

describe('log Γ', () => {
  it('matches factorials and Γ(½) = √π', () => {
    expect(logGamma(5)).toBeCloseTo(Math.log(24), 12);
    expect(logGamma(11)).toBeCloseTo(Math.log(3628800), 11);
    expect(logGamma(0.5)).toBeCloseTo(0.5 * Math.log(Math.PI), 12);
    expect(logGamma(1)).toBeCloseTo(0, 12);
  });
});

describe('negative binomial with mean μ and variance φμ', () => {
  it('is Poisson at φ = 1: P(X ≥ 5 | μ = 2) = 1 − 7e⁻²', () => {
    // 1 − e⁻²(1 + 2 + 2 + 4/3 + 2/3) = 1 − 7e⁻² = 0.052653…
    expect(nbUpperTail(5, 2, 1)).toBeCloseTo(1 - 7 * Math.exp(-2), 12);
    expect(nbUpperTail(0, 2, 1)).toBe(1);
  });

  it('has P(X = k) = (k+1)/2^(k+2) at μ = 2, φ = 2 (size 2, p = ½)', () => {
    for (let k = 0; k < 6; k++) expect(Math.exp(nbLogPmf(k, 2, 2))).toBeCloseTo((k + 1) / 2 ** (k + 2), 12);
    // Σ_{k≥n} (k+1)/2^(k+2) = (n+2)/2^(n+1): P(X ≥ 3) = 5/16 = 1 − (1/4 + 2/8 + 3/16)
    expect(nbUpperTail(3, 2, 2)).toBeCloseTo(5 / 16, 12);
    // … and far in the tail, summed upwards: P(X ≥ 40) = 42/2^41
    expect(nbUpperTail(40, 2, 2) / (42 / 2 ** 41)).toBeCloseTo(1, 9);
  });

  it('puts the upper bound where the tail first drops to α', () => {
    // Poisson(2): P(X ≤ 5) = 0.9834, P(X ≤ 6) = 0.9955 → the 1% bound is 6
    expect(nbUpperBound(2, 1, 0.01)).toBe(6);
    for (const [mean, phi, alpha] of [
      [0.3, 1.5, 0.005],
      [7, 2, 0.001],
      [300, 3, 0.0025],
      [40, 1.0000001, 0.05],
    ]) {
      const u = nbUpperBound(mean, phi, alpha);
      expect(nbUpperTail(u + 1, mean, phi)).toBeLessThanOrEqual(alpha);
      expect(nbUpperTail(u, mean, phi)).toBeGreaterThan(alpha);
    }
  });

  it('gives the masses summed upwards over thousands of counts (busy 14-day windows)', () => {
    // The tail above the mean comes from a continued fraction; the plain sum of the masses checks it.
    for (const [x, mean, phi] of [
      [4300, 4200, 3],
      [4200, 4200, 1.5],
      [520, 300, 12],
      [3, 0.4, 1.3],
      [61, 20, 8],
    ]) {
      let sum = 0;
      for (let k = x; k < x + 20 * Math.sqrt(phi * mean) + 200; k++) sum += Math.exp(nbLogPmf(k, mean, phi));
      expect(nbUpperTail(x, mean, phi) / sum).toBeCloseTo(1, 10);
    }
  });

  it('keeps tiny p-values finite and right', () => {
    const p = nbUpperTail(1000, 300, 2);
    expect(p).toBeGreaterThan(0);
    expect(p).toBeLessThan(1e-80);
  });

  it('estimates φ by maximum likelihood', () => {
    const random = new Random(17);
    const n = 2000;
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) y[i] = random.negBinomial(0.8, 2);
    const phi = nbDispersionMle(y, new Float64Array(n).fill(0.8), new Float64Array(n).fill(1), 0, n);
    expect(phi).toBeGreaterThan(1.7);
    expect(phi).toBeLessThan(2.3);
    const poisson = Float64Array.from({ length: n }, () => random.poisson(3));
    expect(nbDispersionMle(poisson, new Float64Array(n).fill(3), new Float64Array(n).fill(1), 0, n)).toBeLessThan(1.1);
  });
});

describe('standard normal', () => {
  it('has the textbook quantiles and tails', () => {
    expect(normalQuantile(0.975)).toBeCloseTo(1.959964, 6);
    expect(normalQuantile(0.995)).toBeCloseTo(2.575829, 6);
    expect(normalQuantile(0.5)).toBeCloseTo(0, 12);
    expect(normalUpperTail(1.959964)).toBeCloseTo(0.025, 7);
    expect(normalUpperTail(3)).toBeCloseTo(0.0013499, 7);
  });
});
