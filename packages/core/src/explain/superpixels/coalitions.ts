/**
 * Superpixel coalitions for LIME and Kernel SHAP: a binary vector z over the M
 * superpixels stands for the image that keeps superpixel j where z_j = 1 and shows the
 * fill image where z_j = 0.
 */
import { XqcError } from '../../errors.ts';
import type { ImageU8, ScalarMap } from '../../image/image.types.ts';
import type { ImageShape } from '../explain-input.ts';
import type { ParamTable } from '../method-params.ts';
import type { ModelFunction } from '../model-function.ts';
import { evaluatePerturbed } from '../perturbation.ts';
import { slic } from './slic.ts';
import type { Superpixels } from './slic.ts';

/** How a superpixel method gets its segments. */
export interface SuperpixelParams {
  /** Precomputed segments at model-input resolution (then the SLIC settings are unused). */
  segments?: Superpixels;
  /** SLIC segment count (default 50). */
  nSegments: number;
  /** SLIC compactness (default 10). */
  compactness: number;
  /** SLIC pre-blur in pixels (default 1: robust to sensor noise). */
  slicSigma: number;
}

/** Defaults of {@link SuperpixelParams}. */
export const SUPERPIXEL_DEFAULTS: Readonly<Omit<SuperpixelParams, 'segments'>> = Object.freeze({ nSegments: 50, compactness: 10, slicSigma: 1 });

/** Declared superpixel parameters shared by LIME and Kernel SHAP. */
export const SUPERPIXEL_PARAMS: ParamTable = Object.freeze({
  segments: { kind: 'object', cli: false, doc: 'precomputed superpixels at model resolution (then the SLIC settings are unused)' },
  nSegments: { kind: 'integer', default: SUPERPIXEL_DEFAULTS.nSegments, min: 1, doc: 'SLIC segment count' },
  compactness: { kind: 'number', default: SUPERPIXEL_DEFAULTS.compactness, min: 0, doc: 'SLIC compactness' },
  slicSigma: { kind: 'number', default: SUPERPIXEL_DEFAULTS.slicSigma, min: 0, doc: 'SLIC pre-blur in pixels' },
});

/**
 * The model input [C, H, W] as an 8-bit image for segmentation: one affine map of the
 * whole tensor to 0..255 (so the channels keep their relative colours), channels 0..2 as
 * R, G, B (the first only for gray).
 */
export function inputAsImage(x: Float32Array, shape: ImageShape): ImageU8 {
  const plane = shape.height * shape.width;
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < shape.size; i++) {
    lo = Math.min(lo, x[i]);
    hi = Math.max(hi, x[i]);
  }
  const k = hi > lo ? 255 / (hi - lo) : 0;
  const channels = shape.channels >= 3 ? 3 : 1;
  const data = new Uint8Array(plane * channels);
  for (let c = 0; c < channels; c++) for (let i = 0; i < plane; i++) data[i * channels + c] = Math.round((x[c * plane + i] - lo) * k);
  return { width: shape.width, height: shape.height, channels, data };
}

/**
 * The segments a superpixel method uses for `x`: `p.segments` when given (checked against
 * the image size), else SLIC on {@link inputAsImage}.
 * @throws XQC_SHAPE_MISMATCH when given segments do not fit the image.
 */
export function resolveSuperpixels(x: Float32Array, shape: ImageShape, p: SuperpixelParams): Superpixels {
  const s = p.segments;
  if (!s) return slic(inputAsImage(x, shape), { segments: p.nSegments, compactness: p.compactness, sigma: p.slicSigma });
  if (s.width !== shape.width || s.height !== shape.height || s.labels.length !== shape.width * shape.height) {
    throw new XqcError('XQC_SHAPE_MISMATCH', `segments are ${s.width}x${s.height}; the image is ${shape.width}x${shape.height}`);
  }
  for (let i = 0; i < s.labels.length; i++) {
    if (!(s.labels[i] >= 0 && s.labels[i] < s.count)) throw new XqcError('XQC_INVALID_ARGUMENT', `segment label ${s.labels[i]} is outside 0..${s.count - 1}`);
  }
  return s;
}

/** The pixels of each superpixel: those of superpixel j are `pixels[offsets[j] .. offsets[j + 1])`. */
export interface SegmentPixels {
  offsets: Int32Array;
  pixels: Int32Array;
}

/** Groups pixel indices by superpixel (counting sort, raster order within each). */
export function segmentPixels(sp: Superpixels): SegmentPixels {
  const offsets = new Int32Array(sp.count + 1);
  for (const l of sp.labels) offsets[l + 1]++;
  for (let j = 0; j < sp.count; j++) offsets[j + 1] += offsets[j];
  const next = offsets.slice(0, sp.count);
  const pixels = new Int32Array(sp.labels.length);
  for (let i = 0; i < sp.labels.length; i++) pixels[next[sp.labels[i]]++] = i;
  return { offsets, pixels };
}

/**
 * The image of coalition z: the fill, with the pixels of every superpixel j where
 * z[j] != 0 copied from x. All images [C*H*W] planar; `plane` = H*W. Copying the fill
 * whole and then the kept pixels is several times faster than choosing per element.
 */
export function composeCoalition(x: Float32Array, fill: Float32Array, segments: SegmentPixels, plane: number, z: ArrayLike<number>, out: Float32Array): void {
  out.set(fill);
  const { offsets, pixels } = segments;
  for (let j = 0; j + 1 < offsets.length; j++) {
    if (!z[j]) continue;
    for (let k = offsets[j]; k < offsets[j + 1]; k++) {
      for (let off = pixels[k]; off < out.length; off += plane) out[off] = x[off];
    }
  }
}

/**
 * f on the images of coalitions `z` [n, M] (row-major 0/1), in batches of f.maxBatch.
 * @returns [n] float64
 */
export function evaluateCoalitions(f: ModelFunction, x: Float32Array, fill: Float32Array, shape: ImageShape, sp: Superpixels, z: Uint8Array): Promise<Float64Array> {
  const m = sp.count;
  const n = z.length / m;
  const segments = segmentPixels(sp);
  const plane = shape.width * shape.height;
  return evaluatePerturbed(f, shape, n, (k, out) => composeCoalition(x, fill, segments, plane, z.subarray(k * m, (k + 1) * m), out));
}

/** A map [H, W] with every pixel of superpixel j set to values[j]. */
export function paintSegments(values: ArrayLike<number>, sp: Superpixels): ScalarMap {
  const data = new Float32Array(sp.labels.length);
  for (let i = 0; i < data.length; i++) data[i] = values[sp.labels[i]];
  return { width: sp.width, height: sp.height, data };
}
