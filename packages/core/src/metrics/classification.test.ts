import { describe, expect, it } from 'vitest';
import { isXqcError } from '../errors.ts';
import { expectClose, metricsGoldens } from '../../test/goldens/metrics-goldens.ts';
import {
  averageScores,
  binaryCostWeightedError,
  costWeightedError,
  escapeRate,
  falseRejectRate,
  perClassScores,
  type Average,
} from './classification.ts';
import { binaryCounts, confusionMatrix, ConfusionMatrixAccumulator } from './confusion-matrix.ts';

interface ClassificationCase {
  name: string;
  numClasses: number;
  yTrue: number[];
  yPred: number[];
  zeroDivision: 0 | 1;
  beta: number;
  confusion: number[];
  perClass: { precision: number[]; recall: number[]; fscore: number[]; support: number[] };
  averages: Record<Average, [number, number, number]>;
  /** [tp, fp, tn, fn] of each class against the rest (multilabel_confusion_matrix). */
  oneVsRest: [number, number, number, number][];
}

const cases = metricsGoldens().classification as ClassificationCase[];

describe('precision / recall / F against scikit-learn 1.2', () => {
  it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const cm = confusionMatrix(c.yTrue, c.yPred, c.numClasses);
    expect(Array.from(cm.counts)).toEqual(c.confusion);
    const options = { zeroDivision: c.zeroDivision, beta: c.beta };
    const per = perClassScores(cm, options);
    expectClose(per.precision, c.perClass.precision, `${c.name} precision`);
    expectClose(per.recall, c.perClass.recall, `${c.name} recall`);
    expectClose(per.fscore, c.perClass.fscore, `${c.name} fscore`);
    expectClose(per.support, c.perClass.support, `${c.name} support`);
    for (const [average, [p, r, f]] of Object.entries(c.averages)) {
      const got = averageScores(cm, average as Average, options);
      expectClose([got.precision, got.recall, got.fscore], [p, r, f], `${c.name} ${average}`);
    }
    c.oneVsRest.forEach(([tp, fp, tn, fn], k) => {
      expect(binaryCounts(cm, k)).toEqual({ tp, fp, tn, fn });
    });
  });
});

describe('QC rates and costs', () => {
  // Defective = 1. Truth: 4 defective, 6 good. Two defects shipped, one good part rejected.
  const yTrue = [1, 1, 1, 1, 0, 0, 0, 0, 0, 0];
  const yPred = [1, 1, 0, 0, 1, 0, 0, 0, 0, 0];
  const counts = binaryCounts(confusionMatrix(yTrue, yPred, 2));

  it('counts escapes and false rejects', () => {
    expect(counts).toEqual({ tp: 2, fp: 1, tn: 5, fn: 2 });
    expect(escapeRate(counts)).toBe(0.5);
    expect(falseRejectRate(counts)).toBeCloseTo(1 / 6, 15);
  });

  it('applies the zero-division value when a class is missing', () => {
    const noDefects = { tp: 0, fp: 1, tn: 3, fn: 0 };
    expect(escapeRate(noDefects)).toBe(0);
    expect(escapeRate(noDefects, { zeroDivision: Number.NaN })).toBeNaN();
    expect(falseRejectRate({ tp: 2, fp: 0, tn: 0, fn: 1 }, { zeroDivision: 1 })).toBe(1);
  });

  it('weights errors by cost', () => {
    expect(binaryCostWeightedError(counts, { escapeCost: 100, falseRejectCost: 5 })).toBe((100 * 2 + 5 * 1) / 10);
    const cm = confusionMatrix(yTrue, yPred, 2);
    // costs[t][p]: predicting good (0) for a defect (1) costs 100, the reverse 5.
    expect(costWeightedError(cm, [0, 5, 100, 0])).toBe(20.5);
  });

  it('rejects a cost matrix of the wrong size', () => {
    const cm = confusionMatrix(yTrue, yPred, 2);
    expect(() => costWeightedError(cm, [0, 1, 1])).toThrow(/4/);
  });

  it("refuses 'binary' averaging for more than two classes", () => {
    const cm = confusionMatrix([0, 1, 2], [0, 1, 1], 3);
    expect(() => averageScores(cm, 'binary')).toThrow(/exactly 2 classes/);
  });
});

describe('ConfusionMatrixAccumulator', () => {
  it('gives the same matrix batch by batch and after merging', () => {
    const yTrue = [0, 1, 2, 2, 1, 0, 2, 1];
    const yPred = [0, 2, 2, 1, 1, 0, 2, 0];
    const a = new ConfusionMatrixAccumulator(3);
    a.add(yTrue.slice(0, 3), yPred.slice(0, 3));
    const b = new ConfusionMatrixAccumulator(3);
    b.add(yTrue.slice(3), yPred.slice(3));
    a.merge(b);
    expect(Array.from(a.matrix().counts)).toEqual(Array.from(confusionMatrix(yTrue, yPred, 3).counts));
  });

  it('rejects labels out of range, length mismatch and empty one-shot input', () => {
    const acc = new ConfusionMatrixAccumulator(2);
    for (const fn of [
      () => acc.add([0, 2], [0, 1]),
      () => acc.add([0, 1], [0]),
      () => acc.add([0.5], [0]),
      () => confusionMatrix([], [], 2),
      () => acc.merge(new ConfusionMatrixAccumulator(3)),
    ]) {
      let caught: unknown;
      try {
        fn();
      } catch (e) {
        caught = e;
      }
      expect(isXqcError(caught, 'XQC_METRIC_INPUT'), String(caught)).toBe(true);
    }
  });
});
