import { describe, expect, it } from 'vitest';
import { isXqcError } from '../../errors.ts';
import { uniformRng } from '../../util/random.ts';
import { coresetSize, greedyCoreset, projectRowsJs, randomProjectionMatrix } from './coreset.ts';
import { kCenterGreedy } from './k-center-greedy.ts';
import { principalRotation, symmetricEigen } from './pca-rotation.ts';

/** The textbook greedy: O(n k d), argmax of the min squared distance to the selection. */
function bruteForceGreedy(x: Float32Array, n: number, d: number, k: number, first: number): number[] {
  const minD = new Float64Array(n).fill(Infinity);
  const out = [first];
  let c = first;
  for (let it = 1; it < k; it++) {
    let best = -1;
    let bestD = -1;
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < d; j++) s += (x[i * d + j] - x[c * d + j]) ** 2;
      if (s < minD[i]) minD[i] = s;
      if (minD[i] > bestD) {
        bestD = minD[i];
        best = i;
      }
    }
    out.push(best);
    c = best;
  }
  return out;
}

function points(n: number, d: number, seed: number): Float32Array {
  const u = uniformRng(seed);
  // Clustered, as patch features are: a few blobs of different spread.
  const x = new Float32Array(n * d);
  for (let i = 0; i < n; i++) {
    const blob = i % 5;
    for (let j = 0; j < d; j++) x[i * d + j] = blob * 3 * (j === 0 ? 1 : 0.3) + (u() - 0.5) * (0.5 + blob);
  }
  return x;
}

describe('kCenterGreedy', () => {
  it('selects exactly what the brute-force greedy selects on 2-D sets', () => {
    for (const seed of [1, 2, 3]) {
      const n = 400;
      const x = points(n, 2, seed);
      expect(Array.from(kCenterGreedy(x, n, 2, 60, seed))).toEqual(bruteForceGreedy(x, n, 2, 60, seed));
    }
  });

  it('selects exactly what the brute-force greedy selects in 24 dimensions', () => {
    const n = 600;
    const x = points(n, 24, 9);
    expect(Array.from(kCenterGreedy(x, n, 24, 80, 17))).toEqual(bruteForceGreedy(x, n, 24, 80, 17));
  });

  it('keeps far outliers and stops when only duplicates remain', () => {
    const x = new Float32Array([0, 0, 0.1, 0, 0, 0.1, 100, 100, -100, 50, 0, 0, 0.1, 0]);
    const sel = Array.from(kCenterGreedy(x, 7, 2, 7, 0));
    expect(sel.slice(0, 3).sort()).toEqual([0, 3, 4]);
    expect(new Set(sel).size).toBe(sel.length);
    expect(sel.length).toBe(5);
  });

  it('rejects bad arguments with codes', () => {
    const x = new Float32Array(6);
    expect(() => kCenterGreedy(x, 3, 2, 4, 0)).toThrow(expect.objectContaining({ code: 'XQC_INVALID_ARGUMENT' }));
    expect(() => kCenterGreedy(x, 4, 2, 1, 0)).toThrow(expect.objectContaining({ code: 'XQC_SHAPE_MISMATCH' }));
    expect(() => kCenterGreedy(x, 3, 2, 1, 3)).toThrow(expect.objectContaining({ code: 'XQC_INVALID_ARGUMENT' }));
  });
});

describe('principal rotation', () => {
  it('diagonalises a symmetric matrix with orthonormal eigenvectors', () => {
    const n = 6;
    const u = uniformRng(4);
    const a = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = i; j < n; j++) a[i * n + j] = a[j * n + i] = u() - 0.5;
    const { values, vectors: v } = symmetricEigen(a, n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        let rec = 0;
        let dot = 0;
        for (let k = 0; k < n; k++) {
          rec += v[i * n + k] * values[k] * v[j * n + k];
          dot += v[k * n + i] * v[k * n + j];
        }
        expect(rec).toBeCloseTo(a[i * n + j], 10);
        expect(dot).toBeCloseTo(i === j ? 1 : 0, 10);
      }
    }
  });

  it('puts the direction of largest variance first', () => {
    const n = 500;
    const u = uniformRng(8);
    const y = new Float32Array(n * 2);
    for (let i = 0; i < n; i++) {
      const t = (u() - 0.5) * 10;
      const s = (u() - 0.5) * 0.5;
      y[i * 2] = (t + s) / Math.SQRT2;
      y[i * 2 + 1] = (t - s) / Math.SQRT2;
    }
    const r = principalRotation(y, n, 2);
    expect(Math.abs(r[0])).toBeCloseTo(Math.SQRT1_2, 1);
    expect(Math.abs(r[2])).toBeCloseTo(Math.SQRT1_2, 1);
    expect(Math.sign(r[0])).toBe(Math.sign(r[2]));
  });
});

describe('greedyCoreset', () => {
  it('equals the brute-force greedy on 2-D features (no projection, rotation only) from its seeded start', async () => {
    const n = 300;
    const x = points(n, 2, 5);
    const r = await greedyCoreset(x, n, 2, { count: 30, seed: 11 });
    expect(r.projectedDim).toBe(2);
    const first = Math.floor(uniformRng(11)() * n);
    expect(Array.from(r.indices)).toEqual(bruteForceGreedy(x, n, 2, 30, first));
  });

  it('projects wide features with the seeded JL matrix and is deterministic in the seed', async () => {
    const n = 200;
    const d = 40;
    const x = points(n, d, 6);
    const a = await greedyCoreset(x, n, d, { ratio: 0.1, projectionDim: 8, seed: 3 });
    const b = await greedyCoreset(x, n, d, { ratio: 0.1, projectionDim: 8, seed: 3 });
    expect(a.projectedDim).toBe(8);
    expect(a.indices.length).toBe(20);
    expect(Array.from(a.indices)).toEqual(Array.from(b.indices));
    // The selection is the farthest-point selection on the projection x W.
    const y = await projectRowsJs(x, n, d, randomProjectionMatrix(d, 8, 3), 8);
    expect(Array.from(a.indices)).toEqual(bruteForceGreedy(y, n, 8, 20, a.indices[0]));
  });

  it('sizes the bank from the ratio and refuses a bad one', () => {
    expect(coresetSize(1000, 0.1)).toBe(100);
    expect(coresetSize(3, 0.01)).toBe(1);
    let err: unknown;
    try {
      coresetSize(10, 0);
    } catch (e) {
      err = e;
    }
    expect(isXqcError(err, 'XQC_INVALID_ARGUMENT')).toBe(true);
  });
});
