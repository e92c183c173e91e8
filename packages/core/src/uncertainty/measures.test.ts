import { describe, expect, it } from 'vitest';
import { expectClose, metricsGoldens } from '../../test/goldens/metrics-goldens.ts';
import { entropy, uncertaintyMeasures, type SampleShape } from './measures.ts';

interface MeasuresCase {
  shape: SampleShape;
  samples: number[];
  mean: number[];
  variance: number[];
  varianceDdof1: number[] | null;
  predictiveEntropy: number[];
  expectedEntropy: number[];
  mutualInformation: number[];
}

const cases = metricsGoldens().measures as MeasuresCase[];

describe('uncertaintyMeasures against numpy / scipy.stats.entropy', () => {
  it.each(cases.map((c) => [`S=${c.shape.samples} N=${c.shape.items} K=${c.shape.classes}`, c] as const))('%s', (_name, c) => {
    const m = uncertaintyMeasures(c.samples, c.shape);
    expectClose(m.mean, c.mean, 'mean');
    expectClose(m.variance, c.variance, 'variance');
    expectClose(m.predictiveEntropy, c.predictiveEntropy, 'predictive entropy');
    expectClose(m.expectedEntropy, c.expectedEntropy, 'expected entropy');
    expectClose(m.mutualInformation, c.mutualInformation, 'mutual information');
    if (c.varianceDdof1) expectClose(uncertaintyMeasures(c.samples, c.shape, { ddof: 1 }).variance, c.varianceDdof1, 'ddof 1');
  });
});

describe('measures by hand', () => {
  it('separates disagreement (mutual information) from shared doubt (expected entropy)', () => {
    // Item 0: two confident samples that disagree. Item 1: two samples that agree on 50/50.
    const samples = [1, 0, 0.5, 0.5, 0, 1, 0.5, 0.5];
    const m = uncertaintyMeasures(samples, { samples: 2, items: 2, classes: 2 });
    expect(m.predictiveEntropy[0]).toBeCloseTo(Math.LN2, 15);
    expect(m.predictiveEntropy[1]).toBeCloseTo(Math.LN2, 15);
    expect(m.mutualInformation[0]).toBeCloseTo(Math.LN2, 15);
    expect(m.mutualInformation[1]).toBe(0);
    expect(m.expectedEntropy[1]).toBeCloseTo(Math.LN2, 15);
    expect(Array.from(m.variance)).toEqual([0.25, 0.25, 0, 0]);
  });

  it('computes row entropies with 0 log 0 = 0', () => {
    expect(Array.from(entropy([1, 0, 0.5, 0.5], 2))).toEqual([0, Math.LN2]);
  });

  it('rejects shape mismatches, bad rows and ddof 1 with one sample', () => {
    expect(() => uncertaintyMeasures([0.5, 0.5], { samples: 2, items: 1, classes: 2 })).toThrow(/needs 4/);
    expect(() => uncertaintyMeasures([0.5, 0.6], { samples: 1, items: 1, classes: 2 })).toThrow(/sums to/);
    expect(() => uncertaintyMeasures([0.5, 0.5], { samples: 1, items: 1, classes: 2 }, { ddof: 1 })).toThrow(/ddof/);
  });
});
