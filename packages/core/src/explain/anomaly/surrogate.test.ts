import { describe, expect, it } from 'vitest';
import { normalRng } from '../../util/random.ts';
import { backgroundStats } from './background-stats.ts';
import { fitLinearSurrogate, minSurrogateSamples, predictLinearSurrogate, surrogateSplit, surrogateWeights } from './linear-surrogate.ts';
import { enumerateShapley, linearShapley } from './surrogate-shapley.ts';

const NAMES = ['a', 'b', 'c', 'd'];

/** n rows of 4 features: a, b normal, c constant 3, d normal; score = 2 + 3a - 1.5b + 0.5d + noise. */
function dataset(n: number, noise: number, seed = 1): { rows: Float64Array; scores: Float64Array } {
  const z = normalRng(seed);
  const rows = new Float64Array(n * 4);
  const scores = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const a = 1 + 2 * z();
    const b = z();
    const d = 5 + 0.5 * z();
    rows.set([a, b, 3, d], i * 4);
    scores[i] = 2 + 3 * a - 1.5 * b + 0.5 * d + noise * z();
  }
  return { rows, scores };
}

/** Solves the ridge system of the training rows by Gauss-Jordan elimination, as a reference. */
function referenceRidge(z: number[][], y: number[], alpha: number): number[] {
  const d = z[0].length;
  const zm = Array.from({ length: d }, (_, j) => z.reduce((s, r) => s + r[j], 0) / z.length);
  const ym = y.reduce((s, v) => s + v, 0) / y.length;
  const a = Array.from({ length: d }, (_, j) => [
    ...Array.from({ length: d }, (_, k) => z.reduce((s, r) => s + (r[j] - zm[j]) * (r[k] - zm[k]), 0) + (j === k ? alpha : 0)),
    z.reduce((s, r, i) => s + (r[j] - zm[j]) * (y[i] - ym), 0),
  ]);
  for (let c = 0; c < d; c++) {
    for (let r = 0; r < d; r++) {
      if (r === c) continue;
      const f = a[r][c] / a[c][c];
      for (let k = c; k <= d; k++) a[r][k] -= f * a[c][k];
    }
  }
  return a.map((row, j) => row[d] / row[j]);
}

describe('fitLinearSurrogate', () => {
  it('recovers the weights of a noiseless linear score and reaches R^2 = 1 on held-out rows', () => {
    const { rows, scores } = dataset(40, 0);
    const s = fitLinearSurrogate(rows, scores, NAMES, { alpha: 1e-10 });
    const w = surrogateWeights(s);
    expect(w[0]).toBeCloseTo(3, 8);
    expect(w[1]).toBeCloseTo(-1.5, 8);
    expect(w[2]).toBe(0);
    expect(w[3]).toBeCloseTo(0.5, 8);
    expect(s.scale[2]).toBe(1);
    expect(s.fit.nTrain + s.fit.nHoldout).toBe(40);
    expect(s.fit.nHoldout).toBe(10);
    expect(s.fit.r2Holdout).toBeCloseTo(1, 12);
    expect(predictLinearSurrogate(s, [1, 1, 3, 5])).toBeCloseTo(2 + 3 - 1.5 + 2.5, 8);
  });

  it('solves the ridge normal equations on standardised training rows and measures R^2 on the rest', () => {
    const { rows, scores } = dataset(30, 0.8, 4);
    const alpha = 5;
    const s = fitLinearSurrogate(rows, scores, NAMES, { alpha, seed: 9 });
    const { train, held } = surrogateSplit(30, 0.25, 9);
    expect(held.length).toBe(8);
    expect([...train, ...held].sort((p, q) => p - q)).toEqual(Array.from({ length: 30 }, (_, i) => i));
    const raw = train.map((i) => Array.from(rows.subarray(i * 4, i * 4 + 4)));
    const center = [0, 1, 2, 3].map((j) => raw.reduce((t, r) => t + r[j], 0) / raw.length);
    const scale = [0, 1, 2, 3].map((j) => Math.sqrt(raw.reduce((t, r) => t + (r[j] - center[j]) ** 2, 0) / raw.length) || 1);
    center.forEach((c, j) => expect(s.center[j]).toBeCloseTo(c, 12));
    scale.forEach((c, j) => expect(s.scale[j]).toBeCloseTo(c, 12));
    const z = raw.map((r) => r.map((v, j) => (v - center[j]) / scale[j]));
    const ref = referenceRidge(z, train.map((i) => scores[i]), alpha);
    ref.forEach((c, j) => expect(s.coef[j]).toBeCloseTo(c, 10));
    const yHeld = held.map((i) => scores[i]);
    const mean = yHeld.reduce((t, v) => t + v, 0) / yHeld.length;
    const ssRes = held.reduce((t, i) => t + (scores[i] - predictLinearSurrogate(s, rows.subarray(i * 4, i * 4 + 4))) ** 2, 0);
    const ssTot = yHeld.reduce((t, v) => t + (v - mean) ** 2, 0);
    expect(s.fit.r2Holdout).toBeCloseTo(1 - ssRes / ssTot, 12);
    expect(s.fit.rmseHoldout).toBeCloseTo(Math.sqrt(ssRes / 8), 12);
    expect(s.fit.r2Holdout).toBeGreaterThan(0.9);
  });

  it('shrinks the coefficients towards zero as alpha grows', () => {
    const { rows, scores } = dataset(60, 0.5, 2);
    const norms = [0.01, 10, 1000, 1e6].map((alpha) => Math.hypot(...fitLinearSurrogate(rows, scores, NAMES, { alpha }).coef));
    for (let i = 1; i < norms.length; i++) expect(norms[i]).toBeLessThan(norms[i - 1]);
    expect(norms[3]).toBeLessThan(1e-3 * norms[0]);
  });

  it('needs d + 1 training rows after the hold-out, and rows that match the scores', () => {
    expect(minSurrogateSamples(4)).toBe(7);
    expect(minSurrogateSamples(6, 0.5)).toBe(14);
    const { rows, scores } = dataset(6, 0);
    expect(() => fitLinearSurrogate(rows, scores, NAMES)).toThrow(expect.objectContaining({ code: 'XQC_EXPLAIN', details: { samples: 6, needed: 7 } }));
    const ok = dataset(7, 0);
    expect(fitLinearSurrogate(ok.rows, ok.scores, NAMES).fit.nTrain).toBe(5);
    expect(() => fitLinearSurrogate(ok.rows, ok.scores.subarray(1), NAMES)).toThrow(expect.objectContaining({ code: 'XQC_SHAPE_MISMATCH' }));
    expect(() => predictLinearSurrogate(fitLinearSurrogate(ok.rows, ok.scores, NAMES), [1, 2])).toThrow(expect.objectContaining({ code: 'XQC_SHAPE_MISMATCH' }));
  });
});

describe('Shapley values of the surrogate', () => {
  const { rows, scores } = dataset(50, 0.3, 5);
  const s = fitLinearSurrogate(rows, scores, NAMES);
  const bg = backgroundStats(rows, 4);
  const x = [4, -1, 3, 6];

  it('closed form w_i (x_i - E[x_i]) equals enumeration over all coalitions, with base + sum(phi) = f(x)', () => {
    const closed = linearShapley(s, x, bg.mean);
    const exact = enumerateShapley((v) => predictLinearSurrogate(s, v), x, bg.mean);
    closed.phi.forEach((p, i) => expect(p).toBeCloseTo(exact.phi[i], 12));
    expect(closed.base).toBeCloseTo(exact.base, 12);
    expect(closed.fx).toBeCloseTo(predictLinearSurrogate(s, x), 12);
    expect(closed.base + closed.phi.reduce((a, b) => a + b, 0)).toBeCloseTo(closed.fx, 12);
    expect(exact.base + exact.phi.reduce((a, b) => a + b, 0)).toBeCloseTo(exact.fx, 12);
    // The constant feature sits at its mean: no contribution.
    expect(closed.phi[2]).toBe(0);
  });

  it('base value is the mean surrogate prediction over the background', () => {
    let mean = 0;
    for (let i = 0; i < 50; i++) mean += predictLinearSurrogate(s, rows.subarray(i * 4, i * 4 + 4)) / 50;
    expect(linearShapley(s, x, bg.mean).base).toBeCloseTo(mean, 12);
  });

  it('splits an interaction evenly and agrees with the closed form at d = 10', () => {
    const inter = enumerateShapley((v) => v[0] * v[1], [2, 3], [0, 0]);
    expect(Array.from(inter.phi)).toEqual([3, 3]);
    expect(inter.base).toBe(0);
    expect(inter.fx).toBe(6);
    const w = Array.from({ length: 10 }, (_, i) => i - 4.5);
    const x10 = Array.from({ length: 10 }, (_, i) => Math.sin(i));
    const mean10 = Array.from({ length: 10 }, (_, i) => Math.cos(i));
    const e = enumerateShapley((v) => 1 + v.reduce((t, vi, i) => t + w[i] * vi, 0), x10, mean10);
    e.phi.forEach((p, i) => expect(p).toBeCloseTo(w[i] * (x10[i] - mean10[i]), 10));
  });

  it('refuses more than 10 features for enumeration and mismatched lengths', () => {
    const eleven = new Array<number>(11).fill(0);
    expect(() => enumerateShapley(() => 0, eleven, eleven)).toThrow(expect.objectContaining({ code: 'XQC_EXPLAIN', details: { features: 11 } }));
    expect(() => enumerateShapley(() => 0, [1, 2], [1])).toThrow(expect.objectContaining({ code: 'XQC_SHAPE_MISMATCH' }));
    expect(() => linearShapley(s, [1, 2, 3], bg.mean)).toThrow(expect.objectContaining({ code: 'XQC_SHAPE_MISMATCH' }));
  });
});
