import { describe, expect, it } from 'vitest';
import { expectClose, monitoringGoldens, scalarSamples } from '../../test/goldens/monitoring-goldens.ts';
import { wasserstein1d } from './wasserstein.ts';
import { expectInputError } from './test-helpers.ts';

interface Case {
  name: string;
  wasserstein: number;
  stdA: number;
}

const samples = scalarSamples();

describe('wasserstein1d against scipy.stats.wasserstein_distance', () => {
  it.each((monitoringGoldens().ks as Case[]).map((c) => [c.name, c] as const))('%s', (name, c) => {
    const s = samples.get(name)!;
    const r = wasserstein1d(s.a, s.b);
    expectClose(r.statistic, c.wasserstein, `${name} W1`, 1e-10, 1e-14);
    if (c.stdA > 0) expectClose(r.normalized, c.wasserstein / c.stdA, `${name} W1/std`, 1e-10, 1e-14);
    expectClose(wasserstein1d(s.b, s.a).statistic, c.wasserstein, `${name} symmetric`, 1e-10, 1e-14);
  });

  it('levels the distance relative to the reference std (0.1 possible, 0.2 drift)', () => {
    const ref = Array.from({ length: 101 }, (_, i) => (i - 50) / 10);
    const std = Math.sqrt(ref.reduce((s, v) => s + v * v, 0) / ref.length);
    const shifted = (k: number): number[] => ref.map((v) => v + k * std);
    expect(wasserstein1d(ref, shifted(0.05)).level).toBe('none');
    expect(wasserstein1d(ref, shifted(0.15)).level).toBe('possible');
    expect(wasserstein1d(ref, shifted(0.3)).level).toBe('drift');
    expect(wasserstein1d(ref, shifted(0.3)).normalized).toBeCloseTo(0.3, 12);
  });

  it('handles constant samples: 0 when equal, Infinity relative to a zero std otherwise', () => {
    expect(wasserstein1d([1, 1], [1, 1, 1])).toEqual({ statistic: 0, normalized: 0, level: 'none' });
    const r = wasserstein1d([1, 1], [2, 2]);
    expect(r.statistic).toBe(1);
    expect(r.normalized).toBe(Infinity);
    expect(r.level).toBe('drift');
  });

  it('refuses empty input, naming the argument', () => {
    expectInputError(() => wasserstein1d([], [1]), 'a is empty');
    expectInputError(() => wasserstein1d([1], []), 'b is empty');
  });
});
