/**
 * Shapley values of an M-player game v (here: f of the image that keeps a coalition of
 * superpixels), exactly by enumeration or estimated as Kernel SHAP (Lundberg and Lee
 * 2017): the weighted least squares
 *   min_phi sum_z pi(z) (v(z) - v(0) - <phi, z>)^2,  pi(z) = (M - 1) / (C(M, |z|) |z| (M - |z|)),
 * under the efficiency constraint sum phi = v(1) - v(0), whose solution over all
 * coalitions is the Shapley vector. The empty and full coalitions (infinite weight) are
 * the constraints, eliminated exactly as in shap's KernelExplainer.
 */
import { XqcError } from '../errors.ts';
import { choleskySolve } from './least-squares.ts';

/** C(n, k) as a float64. */
export function binomial(n: number, k: number): number {
  let r = 1;
  for (let i = 1; i <= k; i++) r = (r * (n - k + i)) / i;
  return r;
}

/** Shapley kernel weight of one coalition of size s among M players: (M - 1) / (C(M, s) s (M - s)). */
export function shapleyKernelWeight(m: number, s: number): number {
  return (m - 1) / (binomial(m, s) * s * (m - s));
}

/**
 * Exact Shapley values from the full value table: `values[mask]` is v of the coalition
 * whose bit j is player j (2^M entries).
 *   phi_i = sum_{S not containing i} |S|! (M - |S| - 1)! / M! (v(S + i) - v(S)).
 */
export function shapleyFromTable(values: ArrayLike<number>, m: number): Float64Array {
  if (values.length !== 2 ** m) throw new XqcError('XQC_SHAPE_MISMATCH', `a value table for ${m} players has ${2 ** m} entries, got ${values.length}`);
  const weight = Float64Array.from({ length: m }, (_, s) => 1 / (m * binomial(m - 1, s)));
  const phi = new Float64Array(m);
  for (let mask = 0; mask < values.length; mask++) {
    let size = 0;
    for (let b = mask; b; b &= b - 1) size++;
    for (let i = 0; i < m; i++) {
      const bit = 1 << i;
      if (!(mask & bit)) phi[i] += weight[size] * (values[mask | bit] - values[mask]);
    }
  }
  return phi;
}

/** Coalitions to evaluate and their kernel weights. */
export interface CoalitionSample {
  /** [n, M] row-major 0/1. */
  z: Uint8Array;
  /** [n] weights; they sum to 1. */
  weights: Float64Array;
  /** Whether every coalition except the empty and the full one is in `z` (then the estimate is exact). */
  complete: boolean;
}

/**
 * shap's KernelExplainer sampling of at most `budget` coalitions (empty and full
 * excluded, so at most 2^M - 2). Subset sizes s and M - s are paired, with total weight
 * proportional to (M - 1) / (s (M - s)). Sizes whose every subset fits the budget share
 * are enumerated, smallest first, each subset with its exact kernel weight; the rest of
 * the budget draws a size from the remaining weights, a uniform subset of that size and
 * its complement, a repeated draw adding 1 to its earlier copy's count; the counts are
 * then scaled to the weight left to the sampled sizes.
 * @param uniform seeded uniform numbers in [0, 1)
 */
export function sampleCoalitions(m: number, budget: number, uniform: () => number): CoalitionSample {
  if (!Number.isInteger(m) || m < 2) throw new XqcError('XQC_INVALID_ARGUMENT', `coalition sampling needs at least 2 players, got ${m}`);
  const total = m <= 30 ? Math.min(budget, 2 ** m - 2) : budget;
  const sizes = Math.ceil((m - 1) / 2);
  const pairedSizes = Math.floor((m - 1) / 2);
  const weightVector = Float64Array.from({ length: sizes }, (_, i) => ((m - 1) / ((i + 1) * (m - i - 1))) * (i < pairedSizes ? 2 : 1));
  const sum = weightVector.reduce((a, b) => a + b, 0);
  for (let i = 0; i < sizes; i++) weightVector[i] /= sum;

  const rows: Uint8Array[] = [];
  const weights: number[] = [];
  let fullSizes = 0;
  let left = total;
  const remaining = weightVector.slice();
  for (let size = 1; size <= sizes; size++) {
    const paired = size <= pairedSizes;
    const count = binomial(m, size) * (paired ? 2 : 1);
    if (left * remaining[size - 1] < count * (1 - 1e-8)) break;
    fullSizes++;
    left -= count;
    if (remaining[size - 1] < 1) {
      const scale = 1 - remaining[size - 1];
      for (let i = 0; i < sizes; i++) remaining[i] /= scale;
    }
    const w = weightVector[size - 1] / binomial(m, size) / (paired ? 2 : 1);
    forEachSubset(m, size, (row) => {
      rows.push(row);
      weights.push(w);
      if (paired) {
        rows.push(row.map((v) => 1 - v));
        weights.push(w);
      }
    });
  }
  const fixed = rows.length;
  let samplesLeft = total - fixed;
  if (fullSizes < sizes && samplesLeft > 0) {
    const draw = Float64Array.from(weightVector.subarray(fullSizes), (v, i) => (fullSizes + i < pairedSizes ? v / 2 : v));
    const drawSum = draw.reduce((a, b) => a + b, 0);
    const cumulative = new Float64Array(draw.length);
    for (let i = 0, acc = 0; i < draw.length; i++) cumulative[i] = acc += draw[i] / drawSum;
    const seen = new Map<string, number>();
    const order = Int32Array.from({ length: m }, (_, i) => i);
    for (let attempt = 4 * samplesLeft; samplesLeft > 0 && attempt > 0; attempt--) {
      const u = uniform();
      let k = 0;
      while (k < cumulative.length - 1 && u >= cumulative[k]) k++;
      const size = k + fullSizes + 1;
      const row = new Uint8Array(m);
      for (let i = 0; i < size; i++) {
        const j = i + Math.floor(uniform() * (m - i));
        [order[i], order[j]] = [order[j], order[i]];
        row[order[i]] = 1;
      }
      const key = row.join('');
      const earlier = seen.get(key);
      const paired = size <= pairedSizes;
      if (earlier === undefined) {
        seen.set(key, rows.length);
        rows.push(row);
        weights.push(1);
        samplesLeft--;
        if (paired && samplesLeft > 0) {
          rows.push(row.map((v) => 1 - v));
          weights.push(1);
          samplesLeft--;
        }
      } else {
        weights[earlier] += 1;
        if (paired && earlier + 1 < rows.length && isComplement(rows[earlier], rows[earlier + 1])) weights[earlier + 1] += 1;
      }
    }
    const weightLeft = weightVector.subarray(fullSizes).reduce((a, b) => a + b, 0);
    let drawn = 0;
    for (let i = fixed; i < weights.length; i++) drawn += weights[i];
    for (let i = fixed; i < weights.length; i++) weights[i] *= weightLeft / drawn;
  }
  const z = new Uint8Array(rows.length * m);
  rows.forEach((r, i) => z.set(r, i * m));
  return { z, weights: Float64Array.from(weights), complete: fullSizes === sizes };
}

function isComplement(a: Uint8Array, b: Uint8Array): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] === b[i]) return false;
  return true;
}

/** Calls `visit` with every 0/1 row of `m` entries with exactly `size` ones, in lexicographic order of the chosen indices. */
function forEachSubset(m: number, size: number, visit: (row: Uint8Array) => void): void {
  const idx = Int32Array.from({ length: size }, (_, i) => i);
  while (true) {
    const row = new Uint8Array(m);
    for (const i of idx) row[i] = 1;
    visit(row);
    let p = size - 1;
    while (p >= 0 && idx[p] === m - size + p) p--;
    if (p < 0) return;
    idx[p]++;
    for (let q = p + 1; q < size; q++) idx[q] = idx[q - 1] + 1;
  }
}

/**
 * The Kernel SHAP estimate from evaluated coalitions: with delta = v(1) - v(0), the last
 * player eliminated by phi_M = delta - sum_{j<M} phi_j, solve the weighted least squares
 *   min sum_i w_i (v(z_i) - v(0) - z_iM delta - sum_{j<M} phi_j (z_ij - z_iM))^2
 * by its normal equations (Cholesky).
 * @param z [n, M] 0/1 coalitions, y [n] their values, w [n] kernel weights
 * @throws XQC_EXPLAIN when the coalitions do not determine phi (too few samples)
 */
export function solveKernelShap(z: Uint8Array, y: ArrayLike<number>, w: ArrayLike<number>, v0: number, v1: number, m: number): Float64Array {
  const delta = v1 - v0;
  if (m === 1) return Float64Array.of(delta);
  const n = y.length;
  const k = m - 1;
  const g = new Float64Array(k * k);
  const r = new Float64Array(k);
  const e = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    const last = z[i * m + k];
    const target = y[i] - v0 - last * delta;
    for (let j = 0; j < k; j++) e[j] = z[i * m + j] - last;
    for (let j = 0; j < k; j++) {
      if (e[j] === 0) continue;
      const we = w[i] * e[j];
      r[j] += we * target;
      for (let q = 0; q <= j; q++) g[j * k + q] += we * e[q];
    }
  }
  for (let j = 0; j < k; j++) for (let q = 0; q < j; q++) g[q * k + j] = g[j * k + q];
  const head = choleskySolve(g, r, k);
  if (!head) throw new XqcError('XQC_EXPLAIN', `the ${n} sampled coalitions do not determine the Shapley values of ${m} superpixels; raise samples`);
  const phi = new Float64Array(m);
  phi.set(head);
  phi[k] = delta - head.reduce((a, b) => a + b, 0);
  return phi;
}
