import { describe, expect, it } from 'vitest';
import { isXqcError } from '../errors.ts';
import { gaussLegendre, INTEGRATION_RULES, integrationRule } from './quadrature.ts';

/** sum_k w_k a_k^p on [0, 1]; the exact integral is 1 / (p + 1). */
function momentError(rule: Parameters<typeof integrationRule>[0], steps: number, p: number): number {
  const { nodes, weights } = integrationRule(rule, steps);
  let s = 0;
  for (let k = 0; k < nodes.length; k++) s += weights[k] * nodes[k] ** p;
  return Math.abs(s - 1 / (p + 1));
}

describe('Gauss-Legendre', () => {
  it('matches the closed form for 2 and 3 nodes', () => {
    const g2 = gaussLegendre(2);
    expect(g2.nodes[1]).toBeCloseTo(1 / Math.sqrt(3), 15);
    expect(g2.weights[0]).toBeCloseTo(1, 15);
    const g3 = gaussLegendre(3);
    expect(Array.from(g3.nodes)).toEqual([expect.closeTo(-Math.sqrt(0.6), 14), expect.closeTo(0, 14), expect.closeTo(Math.sqrt(0.6), 14)]);
    expect(Array.from(g3.weights)).toEqual([expect.closeTo(5 / 9, 14), expect.closeTo(8 / 9, 14), expect.closeTo(5 / 9, 14)]);
  });

  it('integrates every polynomial of degree <= 2n - 1 exactly', () => {
    for (let n = 1; n <= 24; n++) for (let p = 0; p <= 2 * n - 1; p++) expect(momentError('gauss-legendre', n, p)).toBeLessThan(1e-13);
  });

  it('misses a^(2n) by the theoretical error (n!)^4 / ((2n + 1) ((2n)!)^2)', () => {
    let fact = 1;
    let fact2 = 1;
    for (let n = 1; n <= 8; n++) {
      fact *= n;
      fact2 *= (2 * n - 1) * 2 * n;
      const expected = fact ** 4 / ((2 * n + 1) * fact2 ** 2);
      expect(momentError('gauss-legendre', n, 2 * n) / expected).toBeCloseTo(1, 5);
    }
  });

  it('gives sorted nodes inside (-1, 1), symmetric, with weights summing to 2', () => {
    for (const n of [1, 7, 64, 200]) {
      const { nodes, weights } = gaussLegendre(n);
      let sum = 0;
      for (let k = 0; k < n; k++) {
        sum += weights[k];
        expect(Math.abs(nodes[k])).toBeLessThan(1);
        expect(nodes[k] + nodes[n - 1 - k]).toBeCloseTo(0, 14);
        if (k > 0) expect(nodes[k]).toBeGreaterThan(nodes[k - 1]);
      }
      expect(sum).toBeCloseTo(2, 12);
    }
  });
});

describe('integration rules on [0, 1]', () => {
  it('have weights summing to 1 and nodes in [0, 1]', () => {
    for (const rule of INTEGRATION_RULES) {
      const { nodes, weights } = integrationRule(rule, 9);
      expect(weights.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 14);
      for (const a of nodes) expect(a >= 0 && a <= 1).toBe(true);
    }
    expect(integrationRule('trapezoid', 9).nodes.length).toBe(10);
  });

  it('have the textbook error on a line and a parabola', () => {
    // left/right Riemann on a: 1/2 -/+ 1/(2n); midpoint and trapezoid exact for lines.
    expect(momentError('left', 10, 1)).toBeCloseTo(0.05, 14);
    expect(momentError('right', 10, 1)).toBeCloseTo(0.05, 14);
    expect(momentError('midpoint', 10, 1)).toBeLessThan(1e-15);
    expect(momentError('trapezoid', 10, 1)).toBeLessThan(1e-15);
    // a^2: midpoint error 1/(12 n^2), trapezoid 1/(6 n^2).
    expect(momentError('midpoint', 10, 2)).toBeCloseTo(1 / 1200, 14);
    expect(momentError('trapezoid', 10, 2)).toBeCloseTo(1 / 600, 14);
  });

  it('rejects bad steps and unknown rules', () => {
    expect(() => integrationRule('left', 0)).toThrow(/positive integer/);
    let err: unknown;
    try {
      integrationRule('simpson' as 'left', 4);
    } catch (e) {
      err = e;
    }
    expect(isXqcError(err, 'XQC_INVALID_ARGUMENT')).toBe(true);
  });
});
