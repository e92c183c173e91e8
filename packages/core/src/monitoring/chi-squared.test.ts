import { describe, expect, it } from 'vitest';
import { expectClose, monitoringGoldens } from '../../test/goldens/monitoring-goldens.ts';
import { chiSquaredClasses } from './chi-squared.ts';
import { chiSquaredSf, gammaP, gammaQ, kolmogorovSf } from './special.ts';
import { expectInputError } from './test-helpers.ts';

interface ChiCase {
  name: string;
  reference: number[];
  current: number[];
  statistic: number;
  dof: number;
  pValue: number;
}

const goldens = monitoringGoldens();

describe('chiSquaredClasses against scipy.stats.chi2_contingency', () => {
  it.each((goldens.chi2 as ChiCase[]).map((c) => [c.name, c] as const))('%s', (name, c) => {
    const r = chiSquaredClasses(c.reference, c.current);
    expect(r.dof).toBe(c.dof);
    expectClose(r.statistic, c.statistic, `${name} statistic`, 1e-11);
    expectClose(r.pValue, c.pValue, `${name} p`, 1e-9, 1e-300);
  });

  it('levels: a changed mix is drift, an equal one none', () => {
    expect(chiSquaredClasses([100, 80, 60, 40], [60, 80, 100, 40]).level).toBe('drift');
    expect(chiSquaredClasses([50, 30, 20], [48, 33, 19]).level).toBe('none');
  });

  it('gives dof 0 and p = 1 when only one class is present anywhere', () => {
    expect(chiSquaredClasses([10, 0], [4, 0])).toEqual({ statistic: 0, dof: 0, pValue: 1, classes: [0], level: 'none' });
  });

  it('refuses empty windows, unequal lengths and bad counts, naming the argument', () => {
    expectInputError(() => chiSquaredClasses([], []), 'referenceCounts is empty');
    expectInputError(() => chiSquaredClasses([0, 0], [1, 2]), 'referenceCounts has no counts');
    expectInputError(() => chiSquaredClasses([1, 2], [0, 0]), 'currentCounts has no counts');
    expectInputError(() => chiSquaredClasses([1, 2], [1]), 'differ in length');
    expectInputError(() => chiSquaredClasses([1, -2], [1, 1]), 'referenceCounts[1]');
  });
});

describe('incomplete gamma and survival functions against SciPy', () => {
  it('gammaP and gammaQ equal scipy.special.gammainc / gammaincc', () => {
    for (const c of goldens.special.gamma as { a: number; x: number; p: number; q: number }[]) {
      expectClose(gammaP(c.a, c.x), c.p, `P(${c.a}, ${c.x})`, 1e-12, 1e-15);
      expectClose(gammaQ(c.a, c.x), c.q, `Q(${c.a}, ${c.x})`, 1e-12, 1e-15);
    }
  });

  it('chiSquaredSf equals scipy.stats.chi2.sf', () => {
    for (const c of goldens.special.chi2 as { x: number; dof: number; sf: number }[]) {
      expectClose(chiSquaredSf(c.x, c.dof), c.sf, `chi2.sf(${c.x}, ${c.dof})`, 1e-12, 1e-15);
    }
  });

  it('kolmogorovSf equals scipy.stats.kstwobign.sf', () => {
    for (const c of goldens.special.kolmogorov as { z: number; sf: number }[]) {
      expectClose(kolmogorovSf(c.z), c.sf, `kstwobign.sf(${c.z})`, 1e-12, 1e-15);
    }
  });
});
