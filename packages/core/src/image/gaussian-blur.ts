/**
 * Gaussian smoothing of float maps, separable, with reflect padding (the mirror excludes
 * the edge sample: index -1 reads 1, as PyTorch and ONNX `Pad(mode='reflect')` do). The
 * kernel follows kornia/anomalib: radius floor(4 sigma + 0.5), weights
 * exp(-x^2 / (2 sigma^2)) normalised to sum 1, so an ONNX graph doing Pad(reflect) and two
 * 1-D convolutions computes the same map.
 */
import { XqcError } from '../errors.ts';
import type { ScalarMap } from './image.types.ts';
import { assertScalarMap } from './image.types.ts';

/**
 * The 1-D Gaussian kernel of `sigma` with radius floor(4 sigma + 0.5), capped at
 * `maxRadius` (reflect padding needs radius < size): float32 [2r + 1], sum 1.
 */
export function gaussianKernel(sigma: number, maxRadius = Infinity): Float32Array {
  if (!(sigma > 0) || !Number.isFinite(sigma)) throw new XqcError('XQC_INVALID_ARGUMENT', `sigma must be a positive number, got ${sigma}`);
  const r = Math.max(0, Math.min(Math.floor(4 * sigma + 0.5), maxRadius));
  const k = new Float64Array(2 * r + 1);
  let s = 0;
  for (let i = -r; i <= r; i++) s += k[i + r] = Math.exp(-(i * i) / (2 * sigma * sigma));
  return Float32Array.from(k, (v) => v / s);
}

/** Copies `n` samples of `src` (stride `step` from `at`) into `buf` with `r` reflected samples on each side. */
function padLine(src: Float32Array, at: number, step: number, n: number, r: number, buf: Float64Array): void {
  for (let i = 0; i < n; i++) buf[r + i] = src[at + i * step];
  for (let t = 1; t <= r; t++) {
    buf[r - t] = buf[r + t];
    buf[r + n - 1 + t] = buf[r + n - 1 - t];
  }
}

/** Convolves the padded line `buf` with `kernel` into `dst` (n samples, stride `step` from `at`). */
function convolveLine(buf: Float64Array, kernel: Float32Array, dst: Float32Array, at: number, step: number, n: number): void {
  const k = kernel.length;
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let t = 0; t < k; t++) s += kernel[t] * buf[i + t];
    dst[at + i * step] = s;
  }
}

/**
 * Smooths `map` with a Gaussian of standard deviation `sigma` pixels (horizontal pass,
 * then vertical; reflect padding; radius capped at min(width, height) - 1).
 * @returns a new map [height, width] float32
 */
export function gaussianBlurMap(map: ScalarMap, sigma: number): ScalarMap {
  assertScalarMap(map);
  const { width, height } = map;
  const kernel = gaussianKernel(sigma, Math.min(width, height) - 1);
  const r = (kernel.length - 1) / 2;
  const tmp = new Float32Array(width * height);
  const out = new Float32Array(width * height);
  const buf = new Float64Array(Math.max(width, height) + 2 * r);
  for (let y = 0; y < height; y++) {
    padLine(map.data, y * width, 1, width, r, buf);
    convolveLine(buf, kernel, tmp, y * width, 1, width);
  }
  for (let x = 0; x < width; x++) {
    padLine(tmp, x, width, height, r, buf);
    convolveLine(buf, kernel, out, x, width, height);
  }
  return { width, height, data: out };
}
