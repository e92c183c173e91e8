/**
 * What the perturbation methods share: the image that perturbed pixels take their values
 * from ("fill"), and evaluating f on many perturbed copies of one image without holding
 * more than `f.maxBatch` of them in memory.
 */
import { XqcError } from '../errors.ts';
import { gaussianBlur, meanBaseline } from './baselines.ts';
import { buildBatch } from './explain-input.ts';
import type { ImageShape } from './explain-input.ts';
import type { ModelFunction } from './model-function.ts';

/**
 * What hidden pixels become, in model-input units:
 * - 'mean': the per-channel mean, over each superpixel when segments are given (LIME's
 *   default "hide colour" of None), else over the whole image;
 * - 'zero': 0 (the dataset mean colour after mean/std normalisation);
 * - 'blur': a Gaussian blur of the image (keeps colour, removes detail);
 * - a number: that constant.
 */
export type FillKind = 'mean' | 'zero' | 'blur' | number;

/** Options of {@link fillImage}. */
export interface FillOptions {
  /** Gaussian sigma for 'blur', as a fraction of the larger image side. */
  blurSigma: number;
  /** Superpixel labels [H*W] (0..count-1) for a per-superpixel 'mean'. */
  segments?: { labels: Int32Array; count: number };
}

/**
 * The fill image [C*H*W] float32 for `x` (see {@link FillKind}).
 * @throws XQC_INVALID_ARGUMENT for an unknown kind or a non-finite constant.
 */
export function fillImage(kind: FillKind, x: Float32Array, shape: ImageShape, options: FillOptions): Float32Array {
  if (typeof kind === 'number') {
    if (!Number.isFinite(kind)) throw new XqcError('XQC_INVALID_ARGUMENT', `fill must be a finite number, got ${kind}`);
    return new Float32Array(shape.size).fill(kind);
  }
  switch (kind) {
    case 'zero':
      return new Float32Array(shape.size);
    case 'blur':
      return gaussianBlur(x, shape, options.blurSigma * Math.max(shape.width, shape.height));
    case 'mean':
      return options.segments ? segmentMeans(x, shape, options.segments) : meanBaseline(x, shape);
    default:
      throw new XqcError('XQC_INVALID_ARGUMENT', `unknown fill '${String(kind)}'; expected mean, zero, blur or a number`);
  }
}

function segmentMeans(x: Float32Array, shape: ImageShape, segments: { labels: Int32Array; count: number }): Float32Array {
  const plane = shape.height * shape.width;
  const { labels, count } = segments;
  const sizes = new Float64Array(count);
  for (let i = 0; i < plane; i++) sizes[labels[i]]++;
  const out = new Float32Array(shape.size);
  const sums = new Float64Array(count);
  for (let c = 0; c < shape.channels; c++) {
    sums.fill(0);
    const off = c * plane;
    for (let i = 0; i < plane; i++) sums[labels[i]] += x[off + i];
    for (let i = 0; i < plane; i++) out[off + i] = sums[labels[i]] / sizes[labels[i]];
  }
  return out;
}

/**
 * f on `n` perturbed copies of one image: copy k is `make(k, out)` filling the C*H*W
 * values of `out`. Copies are built and sent `f.maxBatch` at a time, in order, so a
 * `make` that draws random numbers gives the same result for any maxBatch.
 * @returns f of every copy [n] float64
 */
export async function evaluatePerturbed(f: ModelFunction, shape: ImageShape, n: number, make: (k: number, out: Float32Array) => void): Promise<Float64Array> {
  const out = new Float64Array(n);
  for (let start = 0; start < n; start += f.maxBatch) {
    const count = Math.min(f.maxBatch, n - start);
    out.set(await f.values(buildBatch(shape, count, (k, sample) => make(start + k, sample))), start);
  }
  return out;
}
