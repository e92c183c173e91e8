/**
 * Maximum mean discrepancy with a Gaussian (RBF) kernel and a permutation p-value, for
 * embeddings and other multivariate signals.
 */
import { metricInputError, requireIntegerAtLeast, type NumberArray } from '../metrics/metric-input.ts';
import { createRng } from '../util/random.ts';
import { DEFAULT_P_VALUE_BANDS, levelFromPValue, type DriftLevel, type PValueBands } from './drift-level.ts';
import { requireRows } from './matrix-input.ts';

/** Options of {@link mmdRbf}. */
export interface MmdOptions {
  /** Kernel bandwidth sigma; default the median heuristic (see {@link medianPairwiseDistance}). */
  bandwidth?: number;
  /** Permutations for the p-value (default 200; 0 skips the test and reports p = NaN). */
  permutations?: number;
  /** Seed of the permutation stream (xoshiro128**, default 0). */
  seed?: number;
  /** Level bands on the p-value (default drift p < 0.05, possible p < 0.1). */
  bands?: PValueBands;
}

/** Result of {@link mmdRbf}. */
export interface MmdResult {
  /** Unbiased estimate of MMD^2 (can be slightly negative when the samples agree). */
  statistic: number;
  /** The bandwidth sigma used. */
  bandwidth: number;
  /** `(1 + #{permuted statistic >= statistic}) / (1 + permutations)`. */
  pValue: number;
  /** Level of the p-value. */
  level: DriftLevel;
}

function squaredDistance(p: NumberArray, i: number, q: NumberArray, j: number, d: number): number {
  let s = 0;
  for (let c = 0; c < d; c++) {
    const diff = p[i * d + c] - q[j * d + c];
    s += diff * diff;
  }
  return s;
}

/** Pooled rows [x; y] as one matrix. */
function pooled(x: NumberArray, y: NumberArray): Float64Array {
  const z = new Float64Array(x.length + y.length);
  for (let i = 0; i < x.length; i++) z[i] = x[i];
  for (let i = 0; i < y.length; i++) z[x.length + i] = y[i];
  return z;
}

/**
 * The median heuristic: the median (NumPy's: mean of the two middle values for an even
 * count) of the Euclidean distances over all distinct pairs i < j of the pooled sample
 * [x; y], zero distances included; 1 when that median is 0 (e.g. a constant sample).
 */
export function medianPairwiseDistance(x: NumberArray, y: NumberArray, d: number): number {
  const z = pooled(x, y);
  const n = z.length / d;
  if (n < 2) return 1;
  const dist = new Float64Array((n * (n - 1)) / 2);
  let k = 0;
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) dist[k++] = Math.sqrt(squaredDistance(z, i, z, j, d));
  dist.sort();
  const mid = dist.length >> 1;
  const median = dist.length % 2 === 1 ? dist[mid] : (dist[mid - 1] + dist[mid]) / 2;
  return median > 0 ? median : 1;
}

/** Unbiased MMD^2 of the pooled kernel matrix split by `inX` (true for rows of the first sample). */
function mmdFromKernel(kernel: Float64Array, n: number, inX: Uint8Array, m: number): number {
  const ny = n - m;
  let sxx = 0;
  let syy = 0;
  let sxy = 0;
  for (let i = 0; i < n; i++) {
    const row = i * n;
    const xi = inX[i];
    for (let j = i + 1; j < n; j++) {
      const k = kernel[row + j];
      if (xi !== inX[j]) sxy += k;
      else if (xi) sxx += k;
      else syy += k;
    }
  }
  return (2 * sxx) / (m * (m - 1)) + (2 * syy) / (ny * (ny - 1)) - (2 * sxy) / (m * ny);
}

/**
 * Squared MMD between the row-major samples x `[m, d]` and y `[n, d]` with the kernel
 * `k(a, b) = exp(-|a - b|^2 / (2 sigma^2))`, unbiased estimator (Gretton et al. 2012, eq. 3):
 * `sum_{i != j} k(x_i, x_j) / (m(m-1)) + sum_{i != j} k(y_i, y_j) / (n(n-1)) - 2 sum k(x_i, y_j) / (mn)`.
 * sigma defaults to {@link medianPairwiseDistance}. The p-value permutes the pooled rows
 * (a seeded Fisher-Yates shuffle per permutation, reusing one pooled kernel matrix, so the
 * cost is O((m+n)^2 (d + permutations))). Each sample needs at least two rows.
 * Default level: drift p < 0.05, possible p < 0.1. Bad input throws `XQC_METRIC_INPUT`.
 */
export function mmdRbf(x: NumberArray, y: NumberArray, d: number, options: MmdOptions = {}): MmdResult {
  const m = requireRows('x', x, d);
  const ny = requireRows('y', y, d);
  if (m < 2) throw metricInputError(`x has ${m} row; the unbiased estimate needs at least 2`);
  if (ny < 2) throw metricInputError(`y has ${ny} row; the unbiased estimate needs at least 2`);
  const permutations = options.permutations ?? 200;
  requireIntegerAtLeast('permutations', permutations, 0);
  const bandwidth = options.bandwidth ?? medianPairwiseDistance(x, y, d);
  if (!(bandwidth > 0 && Number.isFinite(bandwidth))) {
    throw metricInputError(`bandwidth must be a positive finite number, got ${bandwidth}`);
  }
  const z = pooled(x, y);
  const n = m + ny;
  const gamma = 1 / (2 * bandwidth * bandwidth);
  const kernel = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) kernel[i * n + j] = Math.exp(-gamma * squaredDistance(z, i, z, j, d));
  }
  const inX = new Uint8Array(n);
  inX.fill(1, 0, m);
  const statistic = mmdFromKernel(kernel, n, inX, m);
  let pValue = Number.NaN;
  if (permutations > 0) {
    const rng = createRng(options.seed ?? 0);
    const labels = Uint8Array.from(inX);
    let atLeast = 0;
    for (let p = 0; p < permutations; p++) {
      for (let i = n - 1; i > 0; i--) {
        const j = rng.int(0, i + 1);
        const t = labels[i];
        labels[i] = labels[j];
        labels[j] = t;
      }
      if (mmdFromKernel(kernel, n, labels, m) >= statistic) atLeast++;
    }
    pValue = (1 + atLeast) / (1 + permutations);
  }
  const level = Number.isNaN(pValue) ? 'none' : levelFromPValue(pValue, options.bands ?? DEFAULT_P_VALUE_BANDS);
  return { statistic, bandwidth, pValue, level };
}
