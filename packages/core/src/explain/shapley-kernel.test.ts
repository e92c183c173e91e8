import { describe, expect, it } from 'vitest';
import { uniformRng } from '../util/random.ts';
import { binomial, sampleCoalitions, shapleyFromTable, shapleyKernelWeight, solveKernelShap } from './shapley-kernel.ts';

/** Shapley values by averaging marginal contributions over all M! player orders (independent of the subset formula). */
function shapleyByPermutations(v: (mask: number) => number, m: number): number[] {
  const phi = new Array<number>(m).fill(0);
  let orders = 0;
  const permute = (prefix: number[], rest: number[]): void => {
    if (rest.length === 0) {
      orders++;
      let mask = 0;
      for (const i of prefix) {
        phi[i] += v(mask | (1 << i)) - v(mask);
        mask |= 1 << i;
      }
      return;
    }
    rest.forEach((r, k) => permute([...prefix, r], [...rest.slice(0, k), ...rest.slice(k + 1)]));
  };
  permute([], Array.from({ length: m }, (_, i) => i));
  return phi.map((p) => p / orders);
}

/** A game with interactions: v(S) = (sum_{j in S} a_j)^2 + 3 [0 in S and 2 in S] - [|S| >= 4]. */
function game(m: number): (mask: number) => number {
  const a = [0.5, -1, 2, 1.5, -0.25, 0.75, 1];
  return (mask) => {
    let s = 0;
    let size = 0;
    for (let j = 0; j < m; j++) if (mask & (1 << j)) {
      s += a[j];
      size++;
    }
    return s * s + (mask & 1 && mask & 4 ? 3 : 0) - (size >= 4 ? 1 : 0);
  };
}

function table(v: (mask: number) => number, m: number): Float64Array {
  return Float64Array.from({ length: 2 ** m }, (_, mask) => v(mask));
}

/** Value of each sampled coalition row under v. */
function valuesOf(z: Uint8Array, m: number, v: (mask: number) => number): Float64Array {
  const n = z.length / m;
  return Float64Array.from({ length: n }, (_, i) => {
    let mask = 0;
    for (let j = 0; j < m; j++) if (z[i * m + j]) mask |= 1 << j;
    return v(mask);
  });
}

describe('Shapley values', () => {
  it('binomial and the kernel weight', () => {
    expect(binomial(10, 3)).toBe(120);
    expect(binomial(5, 0)).toBe(1);
    expect(shapleyKernelWeight(4, 1)).toBeCloseTo(3 / (4 * 1 * 3), 12);
  });

  it('from the full table equal the average over player orders', () => {
    for (const m of [1, 2, 5, 7]) {
      const v = game(m);
      const phi = shapleyFromTable(table(v, m), m);
      const ref = shapleyByPermutations(v, m);
      ref.forEach((r, i) => expect(phi[i]).toBeCloseTo(r, 10));
      expect(phi.reduce((a, b) => a + b, 0)).toBeCloseTo(v(2 ** m - 1) - v(0), 10);
    }
  });
});

describe('Kernel SHAP sampling and solve', () => {
  it('enumerates every coalition when the budget allows, and is then exact', () => {
    for (const m of [2, 3, 4, 5, 6]) {
      const s = sampleCoalitions(m, 10_000, uniformRng(1));
      expect(s.complete).toBe(true);
      expect(s.z.length / m).toBe(2 ** m - 2);
      expect(s.weights.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
      const rows = new Set<string>();
      for (let i = 0; i < s.z.length / m; i++) rows.add(s.z.subarray(i * m, (i + 1) * m).join(''));
      expect(rows.size).toBe(2 ** m - 2);
      // Each coalition's weight is proportional to the Shapley kernel.
      for (let i = 0; i < s.weights.length; i++) {
        const size = s.z.subarray(i * m, (i + 1) * m).reduce((a, b) => a + b, 0);
        expect(s.weights[i] / shapleyKernelWeight(m, size)).toBeCloseTo(s.weights[0] / shapleyKernelWeight(m, s.z.subarray(0, m).reduce((a, b) => a + b, 0)), 10);
      }
      const v = game(m);
      const phi = solveKernelShap(s.z, valuesOf(s.z, m, v), s.weights, v(0), v(2 ** m - 1), m);
      const ref = shapleyFromTable(table(v, m), m);
      ref.forEach((r, i) => expect(phi[i]).toBeCloseTo(r, 9));
    }
  });

  it('samples within the budget, in complementary pairs, deterministically for a seed', () => {
    const m = 12;
    const a = sampleCoalitions(m, 300, uniformRng(9));
    const b = sampleCoalitions(m, 300, uniformRng(9));
    const c = sampleCoalitions(m, 300, uniformRng(10));
    expect(a.complete).toBe(false);
    expect(a.z.length / m).toBeLessThanOrEqual(300);
    expect(Array.from(a.z)).toEqual(Array.from(b.z));
    expect(Array.from(a.weights)).toEqual(Array.from(b.weights));
    expect(Array.from(a.z)).not.toEqual(Array.from(c.z));
    expect(a.weights.reduce((s, w) => s + w, 0)).toBeCloseTo(1, 12);
    // Size 1 and 11 (24 coalitions) fit the budget and are enumerated first.
    for (let i = 0; i < 24; i++) expect([1, 11]).toContain(a.z.subarray(i * m, (i + 1) * m).reduce((s, v) => s + v, 0));
    // Sampled rows of sizes 2..5 are followed by their complements; size 6 is its own pair size.
    const n = a.z.length / m;
    const row = (i: number): Uint8Array => a.z.subarray(i * m, (i + 1) * m);
    let pairs = 0;
    for (let i = 24; i < n; ) {
      const size = row(i).reduce((s, v) => s + v, 0);
      expect(size).toBeGreaterThanOrEqual(2);
      expect(size).toBeLessThanOrEqual(6);
      if (size === 6 || i + 1 === n) i++;
      else {
        expect(Array.from(row(i + 1))).toEqual(Array.from(row(i), (v) => 1 - v));
        pairs++;
        i += 2;
      }
    }
    expect(pairs).toBeGreaterThan(50);
  });

  it('recovers additive games exactly from a partial sample and keeps efficiency for any game', () => {
    const m = 12;
    const coef = Array.from({ length: m }, (_, j) => (j % 3) - 0.5 * j);
    const additive = (mask: number): number => coef.reduce((s, c, j) => s + (mask & (1 << j) ? c : 0), 2);
    const s = sampleCoalitions(m, 200, uniformRng(3));
    const phi = solveKernelShap(s.z, valuesOf(s.z, m, additive), s.weights, additive(0), additive(2 ** m - 1), m);
    coef.forEach((c, j) => expect(phi[j]).toBeCloseTo(c, 9));
    const v = game(7);
    const s7 = sampleCoalitions(7, 40, uniformRng(3));
    const phi7 = solveKernelShap(s7.z, valuesOf(s7.z, 7, v), s7.weights, v(0), v(127), 7);
    expect(phi7.reduce((x, y) => x + y, 0)).toBeCloseTo(v(127) - v(0), 10);
  });

  it('refuses coalitions that do not determine the values', () => {
    const z = Uint8Array.of(1, 0, 0, 1, 0, 0);
    expect(() => solveKernelShap(z, [1, 2], [0.5, 0.5], 0, 3, 3)).toThrow(expect.objectContaining({ code: 'XQC_EXPLAIN' }));
  });
});
