/**
 * Deletion and insertion curves (Petsiuk et al. 2018, RISE). Pixels are ranked by the map
 * (largest first; ties by position). Deletion replaces the top fraction k / steps of
 * pixels (all channels) by a baseline, k = 0..steps; insertion starts from the baseline
 * and puts the top pixels of the image back. All steps + 1 images go to the model as one
 * batch (split by maxBatch). Scores are normalised by the same affine map for both
 * curves, s' = (s - f(baseline)) / (f(x) - f(baseline)), so deletion falls from 1 to 0 and
 * insertion rises from 0 to 1 whatever the scale of the target; the AUC is the trapezoid
 * rule over the fraction axis [0, 1]. A good map has a low deletion AUC and a high
 * insertion AUC. When f(x) = f(baseline) the normalised curve and AUC are NaN.
 */
import { XqcError } from '../../errors.ts';
import type { ScalarMap } from '../../image/image.types.ts';
import type { Tensor } from '../../onnx/tensor.ts';
import { gaussianBlur, meanBaseline } from '../baselines.ts';
import { buildBatch } from '../explain-input.ts';
import type { ImageShape } from '../explain-input.ts';
import type { ModelFunction } from '../model-function.ts';

/** Options of {@link deletionCurve} and {@link insertionCurve}. */
export interface PerturbationCurveOptions {
  /** Number of steps; the curve has steps + 1 points (default 20). */
  steps: number;
  /** What removed pixels become: a Gaussian blur of the image or its per-channel mean (default 'blur'). */
  baseline: 'blur' | 'mean';
  /** Blur sigma as a fraction of the larger image side (default 0.05). */
  blurSigma: number;
}

/** Defaults of the perturbation curves. */
export const PERTURBATION_CURVE_DEFAULTS: Readonly<PerturbationCurveOptions> = Object.freeze({ steps: 20, baseline: 'blur', blurSigma: 0.05 });

/** One curve. */
export interface PerturbationCurve {
  /** Fraction of pixels deleted (inserted) at each point, 0..1. */
  fractions: Float64Array;
  /** Raw target values f at each point. */
  scores: Float64Array;
  /** (scores - f(baseline)) / (f(x) - f(baseline)). */
  normalized: Float64Array;
  /** Trapezoid-rule area under the normalised curve. */
  auc: number;
  evaluations: number;
}

/** Pixel indices sorted by decreasing map value (stable: ties keep their position order). */
export function pixelOrder(map: ScalarMap): Int32Array {
  const idx = Int32Array.from({ length: map.data.length }, (_, i) => i);
  return idx.sort((a, b) => map.data[b] - map.data[a] || a - b);
}

/** Trapezoid rule: int y dx over the points (x_k, y_k). */
export function trapezoidArea(x: ArrayLike<number>, y: ArrayLike<number>): number {
  let s = 0;
  for (let k = 1; k < x.length; k++) s += 0.5 * (y[k] + y[k - 1]) * (x[k] - x[k - 1]);
  return s;
}

async function curve(mode: 'deletion' | 'insertion', f: ModelFunction, x: Tensor<'float32'>, map: ScalarMap, options: Partial<PerturbationCurveOptions>): Promise<PerturbationCurve> {
  const o = { ...PERTURBATION_CURVE_DEFAULTS, ...options };
  if (x.dims.length !== 4 || x.dims[0] !== 1) throw new XqcError('XQC_EXPLAIN', `${mode} takes one image [1, C, H, W], got [${x.dims.join(', ')}]`);
  const [, channels, height, width] = x.dims;
  if (map.width !== width || map.height !== height) {
    throw new XqcError('XQC_SHAPE_MISMATCH', `the map is ${map.width}x${map.height}; the image is ${width}x${height}`);
  }
  if (!Number.isInteger(o.steps) || o.steps < 1) throw new XqcError('XQC_INVALID_ARGUMENT', `steps must be a positive integer, got ${o.steps}`);
  const s: ImageShape = { channels, height, width, size: channels * height * width };
  const plane = height * width;
  const image = x.data;
  const base = o.baseline === 'mean' ? meanBaseline(image, s) : gaussianBlur(image, s, o.blurSigma * Math.max(width, height));
  const order = pixelOrder(map);
  const fractions = new Float64Array(o.steps + 1);
  const batch = buildBatch(s, o.steps + 1, (k, out) => {
    const count = Math.round((k * plane) / o.steps);
    fractions[k] = count / plane;
    const [from, to] = mode === 'deletion' ? [image, base] : [base, image];
    out.set(from);
    for (let j = 0; j < count; j++) {
      const p = order[j];
      for (let c = 0; c < channels; c++) out[c * plane + p] = to[c * plane + p];
    }
  });
  const scores = await f.values(batch);
  const [full, empty] = mode === 'deletion' ? [scores[0], scores[o.steps]] : [scores[o.steps], scores[0]];
  const span = full - empty;
  const normalized = scores.map((v) => (span === 0 ? NaN : (v - empty) / span));
  return { fractions, scores, normalized, auc: trapezoidArea(fractions, normalized), evaluations: o.steps + 1 };
}

/** Deletion curve of `map` for the image x [1, C, H, W] (map [H, W]); see the module comment. */
export function deletionCurve(f: ModelFunction, x: Tensor<'float32'>, map: ScalarMap, options: Partial<PerturbationCurveOptions> = {}): Promise<PerturbationCurve> {
  return curve('deletion', f, x, map, options);
}

/** Insertion curve of `map` for the image x [1, C, H, W] (map [H, W]); see the module comment. */
export function insertionCurve(f: ModelFunction, x: Tensor<'float32'>, map: ScalarMap, options: Partial<PerturbationCurveOptions> = {}): Promise<PerturbationCurve> {
  return curve('insertion', f, x, map, options);
}
