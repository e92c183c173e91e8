/**
 * Reference images ("baselines") for path methods and perturbation metrics, all [C, H, W]
 * planar float32 in model-input units:
 * - black: the value a 0 pixel takes after normalisation, `(0 - mean[c]) / std[c]`;
 * - blurred: a Gaussian blur of the image (keeps colour, removes detail);
 * - noise: independent uniform values over the image's own [min, max] range (seeded);
 * - mean: every pixel of channel c set to the image's mean of channel c.
 */
import { XqcError } from '../errors.ts';
import type { Tensor } from '../onnx/tensor.ts';
import type { ImageShape } from './explain-input.ts';

/** Per-channel normalisation of the model input, as in the model card: v = (pixel / 255 - mean) / std. */
export interface InputNormalization {
  mean: number[];
  std: number[];
}

/** Baselines that can be derived from the image itself. */
export type BaselineKind = 'black' | 'blurred' | 'noise' | 'custom';

function perChannel(v: readonly number[], channels: number, name: string): number[] {
  if (v.length === 1) return new Array<number>(channels).fill(v[0]);
  if (v.length !== channels) throw new XqcError('XQC_INVALID_ARGUMENT', `normalize.${name} has ${v.length} values; the image has ${channels} channels`);
  return [...v];
}

/** Black image: channel c filled with -mean[c] / std[c] (0 when no normalisation is given). */
export function blackBaseline(s: ImageShape, normalize?: InputNormalization): Float32Array {
  const out = new Float32Array(s.size);
  if (!normalize) return out;
  const mean = perChannel(normalize.mean, s.channels, 'mean');
  const std = perChannel(normalize.std, s.channels, 'std');
  const plane = s.height * s.width;
  for (let c = 0; c < s.channels; c++) out.fill(-mean[c] / std[c], c * plane, (c + 1) * plane);
  return out;
}

/** Per-channel mean image. */
export function meanBaseline(x: ArrayLike<number>, s: ImageShape): Float32Array {
  const out = new Float32Array(s.size);
  const plane = s.height * s.width;
  for (let c = 0; c < s.channels; c++) {
    let sum = 0;
    for (let i = 0; i < plane; i++) sum += x[c * plane + i];
    out.fill(sum / plane, c * plane, (c + 1) * plane);
  }
  return out;
}

/** Uniform noise over [min(x), max(x)], drawn from `uniform` (values in [0, 1)). */
export function noiseBaseline(x: ArrayLike<number>, s: ImageShape, uniform: () => number): Float32Array {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < s.size; i++) {
    lo = Math.min(lo, x[i]);
    hi = Math.max(hi, x[i]);
  }
  const out = new Float32Array(s.size);
  for (let i = 0; i < s.size; i++) out[i] = lo + (hi - lo) * uniform();
  return out;
}

/**
 * Separable Gaussian blur of every plane with standard deviation `sigma` pixels, kernel
 * radius ceil(3 sigma), edges replicated. sigma <= 0 returns a copy.
 */
export function gaussianBlur(x: ArrayLike<number>, s: ImageShape, sigma: number): Float32Array {
  const out = Float32Array.from({ length: s.size }, (_, i) => x[i]);
  if (!(sigma > 0)) return out;
  const r = Math.max(1, Math.ceil(3 * sigma));
  const k = new Float64Array(2 * r + 1);
  let norm = 0;
  for (let i = -r; i <= r; i++) norm += k[i + r] = Math.exp(-(i * i) / (2 * sigma * sigma));
  for (let i = 0; i < k.length; i++) k[i] /= norm;
  const { width: w, height: h } = s;
  const tmp = new Float64Array(w * h);
  for (let c = 0; c < s.channels; c++) {
    const p = out.subarray(c * w * h, (c + 1) * w * h);
    for (let y = 0; y < h; y++) {
      for (let xx = 0; xx < w; xx++) {
        let acc = 0;
        for (let i = -r; i <= r; i++) acc += k[i + r] * p[y * w + Math.min(w - 1, Math.max(0, xx + i))];
        tmp[y * w + xx] = acc;
      }
    }
    for (let y = 0; y < h; y++) {
      for (let xx = 0; xx < w; xx++) {
        let acc = 0;
        for (let i = -r; i <= r; i++) acc += k[i + r] * tmp[Math.min(h - 1, Math.max(0, y + i)) * w + xx];
        p[y * w + xx] = acc;
      }
    }
  }
  return out;
}

/** Options of {@link resolveBaseline}. */
export interface BaselineOptions {
  normalize?: InputNormalization;
  /** Blur sigma as a fraction of the larger image side (for 'blurred'). */
  blurSigma: number;
  /** The image for 'custom', [1, C, H, W] or [C, H, W]. */
  custom?: Tensor;
  uniform: () => number;
}

/**
 * The baseline [C*H*W] for an image `x`: an explicit tensor, or a kind.
 * @throws XQC_EXPLAIN when 'custom' has no tensor or a tensor has the wrong size.
 */
export function resolveBaseline(baseline: BaselineKind | Tensor, x: Float32Array, s: ImageShape, o: BaselineOptions): Float32Array {
  const explicit = typeof baseline === 'string' ? (baseline === 'custom' ? o.custom : undefined) : baseline;
  if (explicit) {
    if (explicit.data.length !== s.size || typeof explicit.data[0] === 'bigint' || typeof explicit.data[0] === 'string') {
      throw new XqcError('XQC_EXPLAIN', `the baseline has ${explicit.data.length} numeric values; the image has ${s.size}`);
    }
    return Float32Array.from(explicit.data as ArrayLike<number>);
  }
  switch (baseline) {
    case 'black':
      return blackBaseline(s, o.normalize);
    case 'blurred':
      return gaussianBlur(x, s, o.blurSigma * Math.max(s.width, s.height));
    case 'noise':
      return noiseBaseline(x, s, o.uniform);
    case 'custom':
      throw new XqcError('XQC_EXPLAIN', "baseline 'custom' needs a baseline image (customBaseline)");
    default:
      throw new XqcError('XQC_INVALID_ARGUMENT', `unknown baseline '${String(baseline)}'; expected black, blurred, noise, custom or a tensor`);
  }
}
