import { describe, expect, it } from 'vitest';
import { isXqcError } from '../errors.ts';
import { expectClose, metricsGoldens } from '../../test/goldens/metrics-goldens.ts';
import {
  auprc,
  auroc,
  averagePrecision,
  averagePrecisionFromRanked,
  aurocFromRanked,
  precisionRecallCurve,
  rankScores,
  rocCurve,
} from './ranking.ts';

interface RankingCase {
  name: string;
  labels: number[];
  scores: number[];
  auroc: number | 'error';
  ap: number | 'error';
  auprc: number | 'error';
  roc?: { fpr: number[]; tpr: number[]; thresholds: number[]; fprAll: number[]; tprAll: number[] };
  pr?: { precision: number[]; recall: number[]; thresholds: number[] };
}

const cases = metricsGoldens().ranking as RankingCase[];

function expectMetricError(fn: () => unknown): void {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(isXqcError(caught, 'XQC_METRIC_INPUT'), String(caught)).toBe(true);
}

describe('ranking metrics against scikit-learn 1.2', () => {
  it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    for (const [metric, fn] of [
      ['auroc', auroc],
      ['ap', averagePrecision],
      ['auprc', auprc],
    ] as const) {
      const want = c[metric];
      if (want === 'error') expectMetricError(() => fn(c.labels, c.scores));
      else expectClose(fn(c.labels, c.scores), want, `${c.name} ${metric}`);
    }
    if (c.roc) {
      const curve = rocCurve(c.labels, c.scores);
      expectClose(curve.fpr, c.roc.fpr, `${c.name} fpr`);
      expectClose(curve.tpr, c.roc.tpr, `${c.name} tpr`);
      expect(curve.thresholds[0]).toBe(Number.POSITIVE_INFINITY);
      expectClose(curve.thresholds.subarray(1), c.roc.thresholds, `${c.name} roc thresholds`);
      const full = rocCurve(c.labels, c.scores, { dropIntermediate: false });
      expectClose(full.fpr, c.roc.fprAll, `${c.name} fpr (all points)`);
      expectClose(full.tpr, c.roc.tprAll, `${c.name} tpr (all points)`);
    }
    if (c.pr) {
      const curve = precisionRecallCurve(c.labels, c.scores);
      expectClose(curve.precision, c.pr.precision, `${c.name} precision`);
      expectClose(curve.recall, c.pr.recall, `${c.name} recall`);
      expectClose(curve.thresholds, c.pr.thresholds, `${c.name} pr thresholds`);
    }
  });

  it('covers ties, one class, all-equal and signed zeros among the cases', () => {
    const names = cases.map((c) => c.name);
    for (const n of ['all-equal', 'only-positives', 'only-negatives', 'signed-zeros', 'heavy-ties-n3000']) {
      expect(names).toContain(n);
    }
  });
});

describe('rankScores', () => {
  it('groups equal scores (including -0 and +0) in descending order', () => {
    const r = rankScores([1, 0, 1, 0, 0], [0.5, 0.5, 0.9, -0, 0]);
    expect(Array.from(r.thresholds)).toEqual([0.9, 0.5, 0]);
    expect(Array.from(r.positives)).toEqual([1, 1, 0]);
    expect(Array.from(r.negatives)).toEqual([0, 1, 2]);
    expect(r.totalPositives).toBe(2);
    expect(r.totalNegatives).toBe(3);
  });

  it('lets AUROC and AP share one sort and agree with the direct calls', () => {
    const labels = [0, 1, 1, 0, 1, 0, 0, 1];
    const scores = [0.1, 0.4, 0.35, 0.8, 0.9, 0.2, 0.35, 0.7];
    const r = rankScores(labels, scores);
    expect(aurocFromRanked(r)).toBe(auroc(labels, scores));
    expect(averagePrecisionFromRanked(r)).toBe(averagePrecision(labels, scores));
  });

  it('counts a tied positive-negative pair as one half in AUROC', () => {
    expect(auroc([0, 1], [0.3, 0.3])).toBe(0.5);
    expect(auroc([0, 1, 1], [0.3, 0.3, 0.9])).toBe(0.75);
  });

  it('gives AP = 1 for a perfect ranking and the prevalence for constant scores', () => {
    expect(averagePrecision([0, 0, 1, 1], [0.1, 0.2, 0.8, 0.9])).toBe(1);
    expect(averagePrecision([0, 0, 0, 1], [0.5, 0.5, 0.5, 0.5])).toBe(0.25);
  });

  it('rejects malformed input with XQC_METRIC_INPUT', () => {
    expectMetricError(() => auroc([], []));
    expectMetricError(() => auroc([0, 1], [0.5]));
    expectMetricError(() => auroc([0, 1], [0.5, Number.NaN]));
    expectMetricError(() => auroc([0, 1], [0.5, Number.POSITIVE_INFINITY]));
    expectMetricError(() => auroc([0, 2], [0.5, 0.6]));
    expectMetricError(() => auroc([1, 1], [0.5, 0.6]));
    expectMetricError(() => averagePrecision([0, 0], [0.5, 0.6]));
  });
});
