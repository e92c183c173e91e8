import { describe, expect, it } from 'vitest';
import { expectClose, metricsGoldens } from '../../../test/goldens/metrics-goldens.ts';
import { aurc, riskCoverageCurve } from './risk-coverage.ts';

const cases = metricsGoldens().conformal.aurc as { confidence: number[]; correct: number[]; aurc: number; aurcNoTies?: number }[];

describe('aurc', () => {
  it('matches the reference, with ties taken in expectation', () => {
    for (const c of cases) {
      expectClose(aurc(c.confidence, c.correct), c.aurc, `aurc n=${c.confidence.length}`);
      if (c.aurcNoTies !== undefined) expectClose(aurc(c.confidence, c.correct), c.aurcNoTies, 'aurc without ties');
    }
  });

  it('does not depend on how tied items are ordered', () => {
    expect(aurc([0.9, 0.9, 0.5], [1, 0, 1])).toBe(aurc([0.9, 0.9, 0.5], [0, 1, 1]));
  });

  it('is 0 without errors and the error rate when every item errs', () => {
    expect(aurc([0.3, 0.8], [1, 1])).toBe(0);
    expect(aurc([0.3, 0.8], [0, 0])).toBe(1);
  });
});

describe('riskCoverageCurve', () => {
  it('gives coverage and selective risk at each distinct confidence', () => {
    const curve = riskCoverageCurve([0.9, 0.6, 0.9, 0.3], [1, 0, 0, 1]);
    expect(Array.from(curve.thresholds)).toEqual([0.9, 0.6, 0.3]);
    expect(Array.from(curve.coverage)).toEqual([0.5, 0.75, 1]);
    expect(Array.from(curve.risk)).toEqual([0.5, 2 / 3, 0.5]);
  });

  it('rejects non-binary correctness and empty input', () => {
    expect(() => riskCoverageCurve([0.5], [2])).toThrow(/0 or 1/);
    expect(() => riskCoverageCurve([], [])).toThrow(/empty/);
  });
});
