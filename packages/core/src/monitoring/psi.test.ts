import { describe, expect, it } from 'vitest';
import { expectClose, monitoringGoldens, scalarSamples } from '../../test/goldens/monitoring-goldens.ts';
import { psi } from './psi.ts';
import { expectInputError } from './test-helpers.ts';

interface PsiCase {
  name: string;
  bins: number;
  psi: number;
  edges: number[];
  referenceFractions: number[];
  currentFractions: number[];
}

const samples = scalarSamples();

describe('psi against a NumPy transcription (np.quantile edges, searchsorted bins)', () => {
  it.each((monitoringGoldens().psi as PsiCase[]).map((c) => [`${c.name} bins=${c.bins}`, c] as const))('%s', (label, c) => {
    const s = samples.get(c.name)!;
    const r = psi(s.a, s.b, { bins: c.bins });
    expectClose(r.edges, c.edges, `${label} edges`, 1e-15, 0);
    expectClose(r.referenceFractions, c.referenceFractions, `${label} reference fractions`);
    expectClose(r.currentFractions, c.currentFractions, `${label} current fractions`);
    expectClose(r.statistic, c.psi, `${label} psi`, 1e-10, 1e-14);
  });

  it('levels by the 0.1 / 0.25 bands', () => {
    const ref = Array.from({ length: 1000 }, (_, i) => i / 1000);
    expect(psi(ref, ref).level).toBe('none');
    expect(psi(ref, ref).statistic).toBe(0);
    // A shift of 0.07 moves 7% of the mass out of the first decile bin into the last: PSI 0.12.
    expect(psi(ref, ref.map((v) => v + 0.07)).level).toBe('possible');
    expect(psi(ref, ref.map((v) => v + 0.5)).level).toBe('drift');
  });

  it('uses epsilon for empty bins and merges the edges of a constant reference', () => {
    const r = psi([5, 5, 5, 5], [1, 2, 5, 9]);
    expect(Array.from(r.edges)).toEqual([5]);
    // Bins (-inf, 5) and [5, inf): reference 0 and 1, current 0.5 and 0.5.
    const expected = (0.5 - 1e-4) * Math.log(0.5 / 1e-4) + (0.5 - 1) * Math.log(0.5);
    expect(r.statistic).toBeCloseTo(expected, 12);
    expect(psi([5, 5, 5, 5], [1, 2, 5, 9], { epsilon: 1e-3 }).statistic).toBeLessThan(r.statistic);
  });

  it('refuses empty input and bad options, naming the argument', () => {
    expectInputError(() => psi([], [1]), 'reference is empty');
    expectInputError(() => psi([1], []), 'current is empty');
    expectInputError(() => psi([1], [1], { bins: 0 }), 'bins');
    expectInputError(() => psi([1], [1], { epsilon: 0 }), 'epsilon');
  });
});
