/**
 * Resampling of images and float maps. Bilinear uses half-pixel centres
 * (`src = (dst + 0.5) * srcSize / dstSize - 0.5`, clamped to the edge), which is what
 * OpenCV `INTER_LINEAR` and PyTorch `interpolate(..., align_corners=False)` compute, so a
 * model sees the same pixels here as in its Python training pipeline. No antialiasing.
 */
import { XqcError } from '../errors.ts';
import type { ImageU8, ScalarMap } from './image.types.ts';
import { assertImage, assertScalarMap } from './image.types.ts';

interface Taps {
  lo: Int32Array;
  hi: Int32Array;
  frac: Float32Array;
}

function checkSize(width: number, height: number): void {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
    throw new XqcError('XQC_INVALID_ARGUMENT', `target size must be positive integers, got ${width}x${height}`);
  }
}

function linearTaps(src: number, dst: number): Taps {
  const lo = new Int32Array(dst);
  const hi = new Int32Array(dst);
  const frac = new Float32Array(dst);
  const scale = src / dst;
  for (let d = 0; d < dst; d++) {
    const s = Math.min(Math.max((d + 0.5) * scale - 0.5, 0), src - 1);
    const i = Math.floor(s);
    lo[d] = i;
    hi[d] = Math.min(i + 1, src - 1);
    frac[d] = s - i;
  }
  return { lo, hi, frac };
}

/** Interleaved bilinear resampling of `channels` planes held in `src` (HWC). */
function bilinear(src: ArrayLike<number>, sw: number, sh: number, channels: number, dst: Float32Array | Uint8Array, dw: number, dh: number, round: boolean): void {
  const xs = linearTaps(sw, dw);
  const ys = linearTaps(sh, dh);
  for (let y = 0; y < dh; y++) {
    const r0 = ys.lo[y] * sw;
    const r1 = ys.hi[y] * sw;
    const fy = ys.frac[y];
    for (let x = 0; x < dw; x++) {
      const fx = xs.frac[x];
      const a = (r0 + xs.lo[x]) * channels;
      const b = (r0 + xs.hi[x]) * channels;
      const c = (r1 + xs.lo[x]) * channels;
      const d = (r1 + xs.hi[x]) * channels;
      const o = (y * dw + x) * channels;
      for (let k = 0; k < channels; k++) {
        const top = src[a + k] + (src[b + k] - src[a + k]) * fx;
        const bottom = src[c + k] + (src[d + k] - src[c + k]) * fx;
        const v = top + (bottom - top) * fy;
        dst[o + k] = round ? Math.round(v) : v;
      }
    }
  }
}

/**
 * Bilinear resize of an 8-bit image to `width x height` (half-pixel centres, rounded to
 * nearest). Returns a new image with the same channel count.
 */
export function resizeBilinear(image: ImageU8, width: number, height: number): ImageU8 {
  assertImage(image);
  checkSize(width, height);
  const data = new Uint8Array(width * height * image.channels);
  bilinear(image.data, image.width, image.height, image.channels, data, width, height, true);
  return { width, height, channels: image.channels, data };
}

/**
 * Nearest-neighbour resize, for label masks where interpolation would invent classes:
 * destination pixel d reads source `floor((d + 0.5) * src / dst)` (PyTorch `nearest-exact`).
 */
export function resizeNearest(image: ImageU8, width: number, height: number): ImageU8 {
  assertImage(image);
  checkSize(width, height);
  const c = image.channels;
  const data = new Uint8Array(width * height * c);
  const xs = new Int32Array(width);
  for (let x = 0; x < width; x++) xs[x] = Math.min(Math.floor(((x + 0.5) * image.width) / width), image.width - 1);
  for (let y = 0; y < height; y++) {
    const sy = Math.min(Math.floor(((y + 0.5) * image.height) / height), image.height - 1);
    for (let x = 0; x < width; x++) {
      const s = (sy * image.width + xs[x]) * c;
      const o = (y * width + x) * c;
      for (let k = 0; k < c; k++) data[o + k] = image.data[s + k];
    }
  }
  return { width, height, channels: c, data };
}

/** Bilinear resize of a float map (heatmap, anomaly map) to `width x height`, values unrounded. */
export function resizeMap(map: ScalarMap, width: number, height: number): ScalarMap {
  assertScalarMap(map);
  checkSize(width, height);
  if (map.width === width && map.height === height) return { width, height, data: map.data.slice() };
  const data = new Float32Array(width * height);
  bilinear(map.data, map.width, map.height, 1, data, width, height, false);
  return { width, height, data };
}
