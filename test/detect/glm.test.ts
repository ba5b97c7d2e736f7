import { describe, expect, it } from 'vitest';
import { anscombeResidual, fitGlm, fitRobust, leverage, SparseDesign } from '../../pipelines/detect/glm.js';
import { Random } from './simulate.js';

/** Intercept, a covariate in [−1, 1) (dense) and an indicator on ~30 % of rows (sparse). */
function simulated(n: number, beta: number[], draw: (mean: number) => number, seed = 5) {
  const random = new Random(seed);
  const x = Float64Array.from({ length: n }, () => random.between(-1, 1));
  const flag = Uint8Array.from({ length: n }, () => (random.uniform() < 0.3 ? 1 : 0));
  const design = SparseDesign.build(n, 3, 2, 1, (row, set) => {
    set(0, 1);
    set(1, x[row]);
    set(2, flag[row]);
  });
  const y = Float64Array.from({ length: n }, (_, i) => draw(Math.exp(beta[0] + beta[1] * x[i] + beta[2] * flag[i])));
  return { design, y, flag };
}

describe('IRLS for the log-linear count model', () => {
  it('gives the closed-form answer for groups: log of each group mean', () => {
    // counts 1, 3 in group A and 4, 6, 8 in group B: β0 = log 2, β1 = log(6/2)
    const y = Float64Array.from([1, 3, 4, 6, 8]);
    const design = SparseDesign.build(5, 2, 1, 1, (row, set) => {
      set(0, 1);
      set(1, row >= 2 ? 1 : 0);
    });
    const fit = fitGlm(design, y, { from: 0, to: 5 });
    expect(fit.converged).toBe(true);
    expect(fit.beta[0]).toBeCloseTo(Math.log(2), 8);
    expect(fit.beta[1]).toBeCloseTo(Math.log(3), 8);
    // Pearson: (1/2 + 1/2 + 4/6 + 0 + 4/6)/(5 − 2) = (7/3)/3
    expect(fit.pearson).toBeCloseTo(7 / 9, 6);
  });

  it('recovers known coefficients of Poisson data', () => {
    const truth = [Math.log(5), 0.4, -0.7];
    const random = new Random(9);
    const { design, y } = simulated(6000, truth, (m) => random.poisson(m));
    const fit = fitGlm(design, y, { from: 0, to: 6000 });
    truth.forEach((b, j) => expect(Math.abs(fit.beta[j] - b)).toBeLessThan(0.04));
    expect(fit.pearson).toBeGreaterThan(0.9);
    expect(fit.pearson).toBeLessThan(1.1);
  });

  it('recovers them from over-dispersed data too, with φ ≈ 2', () => {
    const truth = [Math.log(20), -0.3, 0.5];
    const random = new Random(10);
    const { design, y } = simulated(6000, truth, (m) => random.negBinomial(m, 2));
    const fit = fitGlm(design, y, { from: 0, to: 6000 });
    truth.forEach((b, j) => expect(Math.abs(fit.beta[j] - b)).toBeLessThan(0.04));
    expect(fit.pearson).toBeGreaterThan(1.8);
    expect(fit.pearson).toBeLessThan(2.2);
  });

  it('lands on the same coefficients from a warm start with an old information matrix', () => {
    const truth = [Math.log(8), 0.2, 0.3];
    const random = new Random(11);
    const { design, y } = simulated(3000, truth, (m) => random.poisson(m));
    const old = fitGlm(design, y, { from: 0, to: 2900 });
    const cold = fitGlm(design, y, { from: 100, to: 3000 });
    const warm = fitGlm(design, y, { from: 100, to: 3000, start: old.beta, hessian: old.information, tolerance: 1e-10 });
    for (let j = 0; j < 3; j++) expect(warm.beta[j]).toBeCloseTo(cold.beta[j], 7);
  });

  it('shrinks a coefficient towards 0 under a ridge penalty', () => {
    const random = new Random(12);
    const { design, y } = simulated(500, [Math.log(3), 0, 0.8], (m) => random.poisson(m));
    const free = fitGlm(design, y, { from: 0, to: 500 });
    const ridged = fitGlm(design, y, { from: 0, to: 500, penalty: [0, 0, 1e6] });
    expect(free.beta[2]).toBeGreaterThan(0.5);
    expect(Math.abs(ridged.beta[2])).toBeLessThan(0.01);
  });

  it('has leverages that add up to the number of coefficients', () => {
    const random = new Random(13);
    const { design, y } = simulated(400, [Math.log(4), 0.5, 0.5], (m) => random.poisson(m));
    const fit = fitGlm(design, y, { from: 0, to: 400, tolerance: 1e-12 });
    const scratch = new Float64Array(3);
    let trace = 0;
    for (let i = 0; i < 400; i++) trace += leverage(design, fit, i, 1, fit.mu[i], scratch);
    expect(trace).toBeCloseTo(3, 3);
  });
});

describe('down-weighting past outbreaks', () => {
  it('finds an outbreak by its Anscombe residual and keeps it out of the baseline', () => {
    const random = new Random(14);
    const design = SparseDesign.build(1000, 1, 1, 0, (_, set) => set(0, 1));
    const y = Float64Array.from({ length: 1000 }, () => random.poisson(10));
    for (const i of [100, 400, 700]) y[i] = 60;
    const plain = fitGlm(design, y, { from: 0, to: 1000 });
    const robust = fitRobust(design, y, { from: 0, to: 1000, weighting: 'farrington' });
    expect(robust.downWeighted).toBeGreaterThanOrEqual(3);
    for (const i of [100, 400, 700]) expect(robust.weights[i]).toBeLessThan(0.1);
    const clean = Array.from(y).filter((_, i) => ![100, 400, 700].includes(i));
    const cleanMean = clean.reduce((a, b) => a + b, 0) / clean.length;
    // the outbreaks lift the plain fit's mean by about 150/1000; the robust fit stays near the clean mean
    expect(Math.exp(plain.beta[0])).toBeGreaterThan(cleanMean + 0.12);
    expect(Math.abs(Math.exp(robust.final.beta[0]) - cleanMean)).toBeLessThan(0.03);
  });

  it('finds a week of moderate days by its window, which no day threshold sees', () => {
    const random = new Random(15);
    const design = SparseDesign.build(1000, 1, 1, 0, (_, set) => set(0, 1));
    const y = Float64Array.from({ length: 1000 }, () => random.poisson(20));
    // +9 a day for a week: 2 sd a day, 5.3 sd over the week
    for (let i = 500; i < 507; i++) y[i] += 9;
    const byDay = fitRobust(design, y, { from: 0, to: 1000, weighting: 'farrington', threshold: 2.2 });
    const byWindow = fitRobust(design, y, { from: 0, to: 1000, weighting: 'farrington', threshold: 2.2, windows: [7], windowThreshold: 2.58 });
    const marked = (fit: typeof byDay) => Array.from({ length: 7 }, (_, d) => fit.weights[500 + d] < fit.weights[100]).filter(Boolean).length;
    expect(marked(byDay)).toBeLessThanOrEqual(2);
    expect(marked(byWindow)).toBeGreaterThanOrEqual(6);
  });

  it('extends last week’s screening: old rows keep their weights, only the new week is screened', () => {
    const random = new Random(16);
    const design = SparseDesign.build(1010, 1, 1, 0, (_, set) => set(0, 1));
    const y = Float64Array.from({ length: 1010 }, () => random.poisson(10));
    y[300] = 60;
    y[1005] = 60; // in the new week
    const options = { weighting: 'farrington' as const, threshold: 2.2, windows: [7], windowThreshold: 2.58, tolerance: 1e-8 };
    const last = fitRobust(design, y, { ...options, from: 0, to: 1003 });
    const extended = fitRobust(design, y, { ...options, from: 7, to: 1010, screening: last.screening });
    const fresh = fitRobust(design, y, { ...options, from: 7, to: 1010 });
    expect(extended.initial).toBe(last.initial);
    for (const i of [300, 1005]) expect(extended.weights[i - 7]).toBeLessThan(0.1);
    expect(extended.screening.weights.slice(0, 1003 - 7)).toEqual(last.screening.weights.slice(7));
    // the same outbreaks found, so nearly the fit of a fresh screening: days near the threshold
    // may be judged differently by an unweighted fit a week older (a few of 1,000 here)
    expect(Math.abs(extended.final.beta[0] - fresh.final.beta[0])).toBeLessThan(0.02);
    expect(Math.abs(extended.downWeighted - fresh.downWeighted)).toBeLessThanOrEqual(3);
  });

  it('computes the Anscombe residual (3/2)(y^⅔ − μ^⅔)/μ^⅙', () => {
    // y = 8, μ = 1: (3/2)(4 − 1)/1 = 4.5
    expect(anscombeResidual(8, 1)).toBeCloseTo(4.5, 12);
    expect(anscombeResidual(27, 8)).toBeCloseTo((1.5 * (9 - 4)) / Math.SQRT2, 12);
    expect(anscombeResidual(5, 5)).toBeCloseTo(0, 12);
  });
});
