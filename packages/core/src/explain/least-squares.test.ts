import { describe, expect, it } from 'vitest';
import { normalRng } from '../util/random.ts';
import { choleskySolve, weightedRidge } from './least-squares.ts';

describe('choleskySolve', () => {
  it('solves a symmetric positive definite system and refuses a singular one', () => {
    // A = [[4, 2, 0], [2, 5, 1], [0, 1, 3]], v = [1, -2, 3] -> b = A v.
    const a = Float64Array.of(4, 2, 0, 2, 5, 1, 0, 1, 3);
    const v = choleskySolve(a, Float64Array.of(0, -5, 7), 3);
    expect(Array.from(v ?? [])).toEqual([1, -2, 3].map((x) => expect.closeTo(x, 12)));
    expect(choleskySolve(Float64Array.of(1, 1, 1, 1), Float64Array.of(1, 1), 2)).toBeNull();
    expect(choleskySolve(Float64Array.of(1, 2, 2, 1), Float64Array.of(1, 1), 2)).toBeNull();
  });
});

describe('weightedRidge', () => {
  const rng = normalRng(4);
  const n = 60;
  const m = 4;
  const x = Float64Array.from({ length: n * m }, () => rng());
  const w = Float64Array.from({ length: n }, () => 0.1 + Math.abs(rng()));
  const truth = [1.5, -2, 0.25, 3];

  it('recovers an exact linear relation with alpha 0 (R^2 = 1)', () => {
    const y = Float64Array.from({ length: n }, (_, i) => 0.7 + truth.reduce((s, c, j) => s + c * x[i * m + j], 0));
    const fit = weightedRidge(x, y, w, 0);
    expect(fit).not.toBeNull();
    if (!fit) return;
    truth.forEach((c, j) => expect(fit.coef[j]).toBeCloseTo(c, 10));
    expect(fit.intercept).toBeCloseTo(0.7, 10);
    expect(fit.r2).toBeCloseTo(1, 12);
  });

  it('satisfies the ridge normal equations with an unpenalised intercept', () => {
    const y = Float64Array.from({ length: n }, () => rng());
    const alpha = 2.5;
    const fit = weightedRidge(x, y, w, alpha);
    if (!fit) throw new Error('no fit');
    const resid = Float64Array.from(y, (v, i) => v - fit.intercept - truth.reduce((s, _, j) => s + fit.coef[j] * x[i * m + j], 0));
    // d/d intercept: sum w r = 0; d/d coef_j: sum w r x_j = alpha coef_j.
    expect(resid.reduce((s, r, i) => s + w[i] * r, 0)).toBeCloseTo(0, 10);
    for (let j = 0; j < m; j++) expect(resid.reduce((s, r, i) => s + w[i] * r * x[i * m + j], 0)).toBeCloseTo(alpha * fit.coef[j], 10);
    expect(fit.r2).toBeLessThan(1);
  });

  it('returns null for a rank-deficient design without a penalty', () => {
    const dup = Float64Array.from({ length: n * 2 }, (_, i) => x[Math.floor(i / 2) * m]);
    expect(weightedRidge(dup, Float64Array.from({ length: n }, () => rng()), w, 0)).toBeNull();
    expect(weightedRidge(dup, Float64Array.from({ length: n }, () => rng()), w, 1)).not.toBeNull();
  });
});
