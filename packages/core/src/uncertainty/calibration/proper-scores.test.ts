import { describe, expect, it } from 'vitest';
import { expectClose, metricsGoldens } from '../../../test/goldens/metrics-goldens.ts';
import { binaryBrierScore, logitsNegativeLogLikelihood, negativeLogLikelihood, softmax } from './proper-scores.ts';

interface LogitsCase {
  name: string;
  logits: number[];
  labels: number[];
  nll: number;
  nllAtT2: number;
  softmaxT2: number[] | null;
}

const goldens = metricsGoldens();

describe('negative log-likelihood of logits against torch cross_entropy', () => {
  it.each((goldens.logits as LogitsCase[]).map((c) => [c.name, c] as const))('%s', (_name, c) => {
    expectClose(logitsNegativeLogLikelihood(c.logits, c.labels), c.nll, `${c.name} nll`);
    expectClose(logitsNegativeLogLikelihood(c.logits, c.labels, 2), c.nllAtT2, `${c.name} nll at T=2`);
    if (c.softmaxT2) {
      const k = c.logits.length / c.labels.length;
      expectClose(softmax(c.logits, k, 2), c.softmaxT2, `${c.name} softmax at T=2`);
    }
  });
});

describe('binary Brier score against scikit-learn brier_score_loss', () => {
  it('matches every case', () => {
    for (const c of goldens.binaryBrier as { probPositive: number[]; labels: number[]; brier: number }[]) {
      expectClose(binaryBrierScore(c.probPositive, c.labels), c.brier, 'binary brier');
    }
  });

  it('rejects probabilities outside [0, 1]', () => {
    expect(() => binaryBrierScore([1.5], [1])).toThrow(/probability/);
  });
});

describe('negativeLogLikelihood', () => {
  it('clips a zero probability on the true class to epsilon, as log_loss does', () => {
    expect(negativeLogLikelihood([1, 0], [1])).toBeCloseTo(-Math.log(Number.EPSILON), 10);
  });

  it('stays finite for extreme logits', () => {
    expect(logitsNegativeLogLikelihood([1000, -1000], [1])).toBeCloseTo(2000, 9);
    expect(Array.from(softmax([1000, 0], 2))).toEqual([1, 0]);
  });

  it('rejects NaN logits and a non-positive temperature', () => {
    expect(() => logitsNegativeLogLikelihood([0, Number.NaN], [0])).toThrow(/NaN/);
    expect(() => logitsNegativeLogLikelihood([0, 1], [0], 0)).toThrow(/temperature/);
  });
});
