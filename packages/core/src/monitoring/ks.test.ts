import { describe, expect, it } from 'vitest';
import { expectClose, monitoringGoldens, scalarSamples, weylSample } from '../../test/goldens/monitoring-goldens.ts';
import { ksTwoSample } from './ks.ts';
import { expectInputError } from './test-helpers.ts';

interface KsCase {
  name: string;
  statistic: number;
  pValue: number;
}
interface KsLargeCase {
  name: string;
  n1: number;
  n2: number;
  scale: number;
  offset: number;
  statistic: number;
  pValueScipy: number;
  pValueLimit: number;
}

const goldens = monitoringGoldens();
const samples = scalarSamples();

describe('ksTwoSample against scipy.stats.ks_2samp (SciPy 1.10, method auto)', () => {
  it.each((goldens.ks as KsCase[]).map((c) => [c.name, c] as const))('%s', (name, c) => {
    const s = samples.get(name)!;
    const r = ksTwoSample(s.a, s.b);
    expect(r.method).toBe('exact');
    expectClose(r.statistic, c.statistic, `${name} D`, 1e-12);
    // The exact p-value is computed as the outside probability directly; SciPy subtracts from 1.
    expectClose(r.pValue, c.pValue, `${name} p`, 1e-9, 1e-14);
    expect(ksTwoSample(s.b, s.a).pValue).toBeCloseTo(r.pValue, 12);
  });

  it.each((goldens.ksLarge as KsLargeCase[]).map((c) => [c.name, c] as const))(
    'large Weyl samples: exact up to 10000 values, the Kolmogorov limit above (%s)',
    (name, c) => {
      const a = weylSample(c.n1, 0.6180339887498949);
      const b = weylSample(c.n2, 1.4142135623730951, c.scale, c.offset);
      const r = ksTwoSample(a, b);
      expectClose(r.statistic, c.statistic, `${name} D`, 1e-12);
      if (Math.max(c.n1, c.n2) <= 10_000) {
        expect(r.method).toBe('exact');
        expectClose(r.pValue, c.pValueScipy, `${name} p (exact)`, 1e-9, 1e-14);
      } else {
        expect(r.method).toBe('asymp');
        expectClose(r.pValue, c.pValueLimit, `${name} p (kstwobign)`, 1e-9, 1e-14);
        // SciPy's finite-n kstwo differs from the limit by O(1/sqrt(en)).
        expect(Math.abs(r.pValue - c.pValueScipy)).toBeLessThan(1e-2);
      }
    },
  );

  it('maps p-values to levels: drift below 0.05, possible below 0.1', () => {
    const s = samples.get('shift-1.5-n30-n30')!;
    expect(ksTwoSample(s.a, s.b).level).toBe('drift');
    const e = samples.get('equal-normal-n50')!;
    expect(ksTwoSample(e.a, e.b).level).toBe('none');
    expect(ksTwoSample(e.a, e.b, { drift: 0.001, possible: 0.99 }).level).toBe('possible');
  });

  it('gives D = 0 and p = 1 for identical constant samples', () => {
    const r = ksTwoSample([2, 2, 2], [2, 2]);
    expect(r.statistic).toBe(0);
    expect(r.pValue).toBe(1);
  });

  it('refuses empty and non-finite samples, naming the argument', () => {
    expectInputError(() => ksTwoSample([], [1, 2]), 'a is empty');
    expectInputError(() => ksTwoSample([1], []), 'b is empty');
    expectInputError(() => ksTwoSample([1, Number.NaN], [1]), 'a[1]');
  });
});
