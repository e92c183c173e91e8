/**
 * The memory-bank coreset of PatchCore (Roth et al. 2022, section 3.2): greedy k-center
 * selection of patch features, run on a seeded Johnson-Lindenstrauss random projection of
 * the features to speed up the distance updates, while the bank keeps the selected
 * patches' original features.
 *
 * The projection is y = x W with W [D, p] drawn i.i.d. normal(0, 1/p) from the seed; when
 * D <= p the features are used as they are. The projected rows are then rotated onto their
 * principal axes (an orthonormal map, so every distance is unchanged and the selection is
 * exactly the farthest-point selection on x W) to let the bounded distance loops of
 * `k-center-greedy.ts` stop early. The first center is a seeded uniform draw.
 */
import { XqcError } from '../../errors.ts';
import { fillNormal, uniformRng } from '../../util/random.ts';
import { kCenterGreedy } from './k-center-greedy.ts';
import { principalRotation } from './pca-rotation.ts';

/**
 * Multiplies row blocks by a matrix: rows [n, dIn] times matrix [dIn, dOut] -> [n, dOut],
 * all float32 row-major. The default runs in JavaScript; PatchCore passes ONNX Runtime's.
 */
export type RowProjector = (rows: Float32Array, n: number, dIn: number, matrix: Float32Array, dOut: number) => Promise<Float32Array>;

/** {@link RowProjector} in plain JavaScript (float64 accumulation). */
export const projectRowsJs: RowProjector = async (rows, n, dIn, matrix, dOut) => {
  const out = new Float32Array(n * dOut);
  const acc = new Float64Array(dOut);
  for (let i = 0; i < n; i++) {
    acc.fill(0);
    for (let a = 0; a < dIn; a++) {
      const v = rows[i * dIn + a];
      if (v === 0) continue;
      const o = a * dOut;
      for (let b = 0; b < dOut; b++) acc[b] += v * matrix[o + b];
    }
    for (let b = 0; b < dOut; b++) out[i * dOut + b] = acc[b];
  }
  return out;
};

/** Options of {@link greedyCoreset}. */
export interface CoresetOptions {
  /** Fraction of the patches to keep (default 0.1); ignored when `count` is given. */
  ratio?: number;
  /** Exact number of patches to keep. */
  count?: number;
  /** Dimension of the random projection (default 128). */
  projectionDim?: number;
  /** Seed of the projection and of the first center (default 0). */
  seed?: number;
  /** Matrix product used for the projection (default {@link projectRowsJs}). */
  project?: RowProjector;
}

/** What {@link greedyCoreset} selected and how long it took. */
export interface CoresetResult {
  /** Selected row indices in selection order (int32). */
  indices: Int32Array;
  /** Dimension the selection ran in (min(D, projectionDim)). */
  projectedDim: number;
  seconds: { projection: number; selection: number };
}

/** The number of patches a ratio keeps: round(ratio * n), at least 1 and at most n. */
export function coresetSize(n: number, ratio: number): number {
  if (!(ratio > 0 && ratio <= 1)) throw new XqcError('XQC_INVALID_ARGUMENT', `coreset ratio must lie in (0, 1], got ${ratio}`);
  return Math.min(n, Math.max(1, Math.round(ratio * n)));
}

/** The seeded JL matrix W [d, p], entries normal(0, 1/p). */
export function randomProjectionMatrix(d: number, p: number, seed: number): Float32Array {
  const w = new Float32Array(d * p);
  fillNormal(w, uniformRng(seed ^ 0x5bd1e995), 1 / Math.sqrt(p));
  return w;
}

/**
 * Greedy k-center coreset of the rows of `features`.
 * @param features [n, D] float32, row-major
 * @returns the indices of the kept rows (see {@link CoresetResult})
 */
export async function greedyCoreset(features: Float32Array, n: number, dim: number, options: CoresetOptions = {}): Promise<CoresetResult> {
  if (features.length !== n * dim || n < 1) throw new XqcError('XQC_SHAPE_MISMATCH', `coreset: ${features.length} values do not form ${n} rows of ${dim}`);
  const count = options.count ?? coresetSize(n, options.ratio ?? 0.1);
  if (!(Number.isInteger(count) && count >= 1 && count <= n)) throw new XqcError('XQC_INVALID_ARGUMENT', `coreset count must be an integer in 1..${n}, got ${count}`);
  const seed = options.seed ?? 0;
  const project = options.project ?? projectRowsJs;
  const p = Math.min(dim, options.projectionDim ?? 128);
  const t0 = performance.now();
  const w = dim > p ? randomProjectionMatrix(dim, p, seed) : identity(dim);
  // Principal axes of the projected rows, from an evenly strided sample of rows.
  const step = Math.max(1, Math.ceil(n / 20000));
  const sampleRows = Math.ceil(n / step);
  const sample = new Float32Array(sampleRows * dim);
  for (let i = 0, r = 0; i < n; i += step, r++) sample.set(features.subarray(i * dim, (i + 1) * dim), r * dim);
  const rotation = principalRotation(await project(sample, sampleRows, dim, w, p), sampleRows, p);
  const projected = await project(features, n, dim, multiply(w, rotation, dim, p), p);
  const t1 = performance.now();
  const first = Math.floor(uniformRng(seed)() * n);
  const indices = kCenterGreedy(projected, n, p, count, first);
  const t2 = performance.now();
  return { indices, projectedDim: p, seconds: { projection: (t1 - t0) / 1000, selection: (t2 - t1) / 1000 } };
}

function identity(d: number): Float32Array {
  const m = new Float32Array(d * d);
  for (let i = 0; i < d; i++) m[i * d + i] = 1;
  return m;
}

/** a [d, p] float32 times r [p, p] float64 -> [d, p] float32. */
function multiply(a: Float32Array, r: Float64Array, d: number, p: number): Float32Array {
  const out = new Float32Array(d * p);
  for (let i = 0; i < d; i++) {
    for (let k = 0; k < p; k++) {
      let s = 0;
      for (let j = 0; j < p; j++) s += a[i * p + j] * r[j * p + k];
      out[i * p + k] = s;
    }
  }
  return out;
}
