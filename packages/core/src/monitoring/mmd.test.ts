import { describe, expect, it } from 'vitest';
import { createRng } from '../util/random.ts';
import { expectClose, monitoringGoldens } from '../../test/goldens/monitoring-goldens.ts';
import { medianPairwiseDistance, mmdRbf } from './mmd.ts';
import { expectInputError } from './test-helpers.ts';

interface MmdCase {
  name: string;
  d: number;
  x: number[];
  y: number[];
  medianBandwidth: number;
  mmdMedian: number;
  fixedBandwidth: number;
  mmdFixed: number;
}

function gaussianRows(rows: number, d: number, shift: number, seed: number): Float64Array {
  const rng = createRng(seed);
  return Float64Array.from({ length: rows * d }, () => rng.normal(shift, 1));
}

describe('mmdRbf against a NumPy transcription (cdist, np.median of pdist)', () => {
  it.each((monitoringGoldens().mmd as MmdCase[]).map((c) => [c.name, c] as const))('%s', (name, c) => {
    expectClose(medianPairwiseDistance(c.x, c.y, c.d), c.medianBandwidth, `${name} median`, 1e-12);
    const fixed = mmdRbf(c.x, c.y, c.d, { bandwidth: c.fixedBandwidth, permutations: 0 });
    expectClose(fixed.statistic, c.mmdFixed, `${name} fixed`, 1e-9, 1e-13);
    expect(fixed.pValue).toBeNaN();
    const median = mmdRbf(c.x, c.y, c.d, { permutations: 0 });
    expectClose(median.bandwidth, c.medianBandwidth, `${name} bandwidth`, 1e-12);
    expectClose(median.statistic, c.mmdMedian, `${name} median`, 1e-9, 1e-13);
  });

  it('gives large p-values for samples of one distribution and a small one after a shift', () => {
    // Under the null the permutation p-value is uniform, so one pair says little: 20 pairs
    // must give a median p above 0.25 and at most 3 below 0.05.
    const nullP = Array.from({ length: 20 }, (_, s) =>
      mmdRbf(gaussianRows(30, 4, 0, 100 + s), gaussianRows(30, 4, 0, 200 + s), 4, { seed: s, permutations: 100 }).pValue,
    ).sort((a, b) => a - b);
    expect((nullP[9] + nullP[10]) / 2).toBeGreaterThan(0.25);
    expect(nullP.filter((p) => p < 0.05).length).toBeLessThanOrEqual(3);
    const x = gaussianRows(40, 4, 0, 1);
    const same = mmdRbf(x, gaussianRows(40, 4, 0, 2), 4, { seed: 7 });
    const shifted = mmdRbf(x, gaussianRows(40, 4, 0.8, 3), 4, { seed: 7 });
    expect(shifted.pValue).toBe(1 / 201);
    expect(shifted.level).toBe('drift');
    expect(shifted.statistic).toBeGreaterThan(same.statistic);
  });

  it('is reproducible from its seed and needs at least two rows per sample', () => {
    const x = gaussianRows(15, 2, 0, 4);
    const y = gaussianRows(15, 2, 0.3, 5);
    expect(mmdRbf(x, y, 2, { seed: 3, permutations: 50 })).toEqual(mmdRbf(x, y, 2, { seed: 3, permutations: 50 }));
    expectInputError(() => mmdRbf([1, 2], [1, 2, 3, 4], 2), 'x has 1 row');
  });

  it('falls back to bandwidth 1 for constant samples and gives MMD 0 there', () => {
    const r = mmdRbf([1, 1, 1, 1], [1, 1, 1, 1, 1, 1], 2, { permutations: 20 });
    expect(r.bandwidth).toBe(1);
    expect(r.statistic).toBeCloseTo(0, 15);
  });

  it('refuses empty and ragged input, naming the argument', () => {
    expectInputError(() => mmdRbf([], [1, 2], 1), 'x is empty');
    expectInputError(() => mmdRbf([1, 2], [], 1), 'y is empty');
    expectInputError(() => mmdRbf([1, 2, 3], [1, 2], 2), 'x has 3 values');
    expectInputError(() => mmdRbf([1, 2], [1, 2], 1, { bandwidth: 0 }), 'bandwidth');
  });
});
