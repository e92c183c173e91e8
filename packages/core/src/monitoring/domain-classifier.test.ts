import { describe, expect, it } from 'vitest';
import { createRng } from '../util/random.ts';
import { expectClose, monitoringGoldens } from '../../test/goldens/monitoring-goldens.ts';
import { domainClassifierTest } from './domain-classifier.ts';
import { expectInputError } from './test-helpers.ts';

interface DomainCase {
  name: string;
  d: number;
  k: number;
  reference: number[];
  current: number[];
  folds: number[];
  scores: number[];
  auc: number;
}

/**
 * Tolerances against scikit-learn's lbfgs (gtol 1e-12): lbfgs still stops on its relative
 * objective change (ftol = 64 eps), leaving decision values up to 6.6e-5 from the exact
 * optimum that Newton's method reaches (an independent NumPy Newton solve shows the same
 * largest gap, 6.5904686e-5, to 11 digits), so scores are compared within 2e-4. The AUC
 * depends only on the scores' order and is compared to 1e-9 (measured: equal up to
 * 1.1e-16 in all five cases).
 */
const SCORE_TOLERANCE = 2e-4;
const AUC_TOLERANCE = 1e-9;

function gaussianRows(rows: number, d: number, shift: number, seed: number): Float64Array {
  const rng = createRng(seed);
  return Float64Array.from({ length: rows * d }, () => rng.normal(shift, 1));
}

describe('domainClassifierTest against scikit-learn LogisticRegression + cross_val_predict', () => {
  it.each((monitoringGoldens().domain as DomainCase[]).map((c) => [c.name, c] as const))('%s', (name, c) => {
    const r = domainClassifierTest(c.reference, c.current, c.d, { folds: c.k, foldAssignment: c.folds, bootstrap: 0 });
    expectClose(r.scores, c.scores, `${name} out-of-fold scores`, 0, SCORE_TOLERANCE);
    expectClose(r.auc, c.auc, `${name} auc`, 0, AUC_TOLERANCE);
  });

  it('calls drift for shifted windows and not for equal ones, with a bootstrap interval around the AUC', () => {
    const ref = gaussianRows(80, 3, 0, 11);
    const shifted = domainClassifierTest(ref, gaussianRows(80, 3, 0.8, 12), 3, { seed: 1 });
    expect(shifted.level).toBe('drift');
    expect(shifted.ci[0]).toBeLessThan(shifted.auc);
    expect(shifted.ci[1]).toBeGreaterThan(shifted.auc);
    expect(shifted.ci[0]).toBeGreaterThan(0.55);
    const same = domainClassifierTest(ref, gaussianRows(80, 3, 0, 13), 3, { seed: 1 });
    expect(same.auc).toBeLessThan(0.55);
    expect(same.level).not.toBe('drift');
    expect(same.ci[0]).toBeLessThan(0.5);
  });

  it('deals seeded stratified folds and is reproducible from its seed', () => {
    const ref = gaussianRows(23, 2, 0, 21);
    const cur = gaussianRows(17, 2, 0.5, 22);
    const a = domainClassifierTest(ref, cur, 2, { seed: 5, bootstrap: 20 });
    expect(a).toEqual(domainClassifierTest(ref, cur, 2, { seed: 5, bootstrap: 20 }));
    for (let f = 0; f < 5; f++) {
      const inRef = Array.from(a.folds.subarray(0, 23)).filter((v) => v === f).length;
      const inCur = Array.from(a.folds.subarray(23)).filter((v) => v === f).length;
      expect(inRef).toBeGreaterThanOrEqual(4);
      expect(inCur).toBeGreaterThanOrEqual(3);
    }
  });

  it('gives AUC 0.5 for constant windows (a zero std is left at 1)', () => {
    const r = domainClassifierTest(new Float64Array(20).fill(3), new Float64Array(20).fill(3), 2, { bootstrap: 10 });
    expect(r.auc).toBe(0.5);
    expect(r.level).toBe('none');
  });

  it('refuses empty, ragged and too small input and bad folds, naming the argument', () => {
    expectInputError(() => domainClassifierTest([], [1, 2], 1), 'reference is empty');
    expectInputError(() => domainClassifierTest([1, 2], [], 1), 'current is empty');
    expectInputError(() => domainClassifierTest([1, 2, 3], [1, 2], 2), 'reference has 3 values');
    expectInputError(() => domainClassifierTest([1, 2, 3], [1, 2, 3, 4, 5], 1), 'reference has 3 rows');
    expectInputError(() => domainClassifierTest([1, 2], [3, 4], 1, { folds: 2, foldAssignment: [0, 0, 1] }), 'foldAssignment');
    expectInputError(() => domainClassifierTest([1, 2], [3, 4], 1, { folds: 2, foldAssignment: [0, 1, 0, 2] }), 'foldAssignment[3]');
    expectInputError(() => domainClassifierTest([1, 2], [3, 4], 1, { folds: 2, foldAssignment: [0, 0, 1, 1] }), 'fold 0');
  });
});
