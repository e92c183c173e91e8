import { describe, expect, it } from 'vitest';
import { isXqcError } from '../../errors.ts';
import { uniformRng } from '../../util/random.ts';
import { checkConformalLevel, heldOutConformal, minConformalCalibrationSize } from './held-out-coverage.ts';
import { averageSetSize, calibrateConformal, conformalQuantile, empiricalCoverage, predictionSets } from './split-conformal.ts';

/** n rows of k-class probabilities with labels drawn from them. */
function items(n: number, k: number, seed: number, prefix: string): { probs: Float64Array; labels: Int32Array; ids: string[] } {
  const u = uniformRng(seed);
  const probs = new Float64Array(n * k);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let sum = 0;
    for (let c = 0; c < k; c++) sum += probs[i * k + c] = u() ** 3 + 1e-3;
    for (let c = 0; c < k; c++) probs[i * k + c] /= sum;
    let r = u();
    let c = 0;
    while (c < k - 1 && r >= probs[i * k + c]) r -= probs[i * k + c++];
    labels[i] = c;
  }
  return { probs, labels, ids: Array.from({ length: n }, (_, i) => `${prefix}${i}`) };
}

describe('heldOutConformal', () => {
  it('on disjoint items equals calibrating and measuring directly', () => {
    const cal = items(200, 4, 1, 'c');
    const test = items(150, 4, 2, 't');
    const r = heldOutConformal(cal, test, { alpha: 0.1 });
    const sets = predictionSets(calibrateConformal(cal.probs, cal.labels, { alpha: 0.1, seed: 1 }), test.probs, { seed: 2 });
    expect(r.coverage).toBe(empiricalCoverage(sets, test.labels));
    expect(r.averageSetSize).toBe(averageSetSize(sets));
    expect([r.calibrationCount, r.measuredCount, r.excludedCount]).toEqual([200, 150, 0]);
    expect(r.note).toBeUndefined();
  });

  it('leaves the calibration items out of the measurement', () => {
    const cal = items(100, 3, 3, 'x');
    const rest = items(80, 3, 4, 'y');
    const all = {
      probs: Float64Array.from([...rest.probs, ...cal.probs]),
      labels: Int32Array.from([...rest.labels, ...cal.labels]),
      ids: [...rest.ids, ...cal.ids],
    };
    const mixed = heldOutConformal(cal, all, { alpha: 0.2 });
    const clean = heldOutConformal(cal, rest, { alpha: 0.2 });
    expect(mixed.coverage).toBe(clean.coverage);
    expect(mixed.measuredCount).toBe(80);
    expect(mixed.excludedCount).toBe(100);
    expect(mixed.note).toMatch(/100 evaluated item\(s\) calibrated the conformal sets/);
  });

  it('reports no coverage, with the reason, when every item calibrated the sets', () => {
    const cal = items(50, 3, 5, 'v');
    const r = heldOutConformal(cal, cal, { alpha: 0.1 });
    expect(r.coverage).toBeNull();
    expect(r.averageSetSize).toBeNull();
    expect(r.note).toMatch(/in-sample, so it is not reported/);
  });

  it('rejects ids that do not match the items', () => {
    const cal = items(20, 3, 6, 'a');
    expect(() => heldOutConformal({ ...cal, ids: cal.ids.slice(1) }, cal, { alpha: 0.1 })).toThrow(/19 ids for 20 labels/);
  });
});

describe('the smallest calibration set for a finite threshold', () => {
  it('is ceil(1/alpha - 1), where the conformal quantile turns finite', () => {
    for (const [alpha, n] of [[0.1, 9], [0.05, 19], [0.02, 49], [0.3, 3]] as const) {
      expect(minConformalCalibrationSize(alpha)).toBe(n);
      const scores = (m: number) => Array.from({ length: m }, (_, i) => i / m);
      expect(conformalQuantile(scores(n), alpha)).toBeLessThan(Infinity);
      expect(conformalQuantile(scores(n - 1), alpha)).toBe(Infinity);
    }
  });

  it('refuses a level the calibration set cannot reach', () => {
    expect(() => checkConformalLevel(9, 0.1)).not.toThrow();
    try {
      checkConformalLevel(40, 0.02);
      throw new Error('expected a refusal');
    } catch (e) {
      expect(isXqcError(e, 'XQC_CALIBRATION_REFUSED')).toBe(true);
      expect((e as Error).message).toMatch(/alpha 0\.02 need at least 49 calibration items/);
    }
  });
});
