/**
 * Float canvases and anti-aliased coverage layers for the generators. A coverage layer
 * holds, per pixel, how much of a shape covers it (0..1); the same layer both paints the
 * shape and, thresholded at 0.5, becomes its ground-truth mask, which is what keeps masks
 * pixel-exact.
 */
import type { ImageU8 } from '../../image/image.types.ts';

/** A float image in HWC order, values nominally in 0..1. */
export interface Canvas {
  readonly width: number;
  readonly height: number;
  readonly channels: 1 | 3;
  readonly data: Float32Array;
}

/** A point in pixel coordinates (pixel centres at integer + 0.5 are not assumed: x, y index pixels). */
export interface Point {
  x: number;
  y: number;
}

/** A canvas of `channels` channels filled with `fill` (one value per channel). */
export function createCanvas(width: number, height: number, channels: 1 | 3, fill: readonly number[] = [0]): Canvas {
  const data = new Float32Array(width * height * channels);
  for (let i = 0; i < width * height; i++) for (let c = 0; c < channels; c++) data[i * channels + c] = fill[c] ?? fill[0];
  return { width, height, channels, data };
}

/** Rounds a canvas to an 8-bit image: `clamp(round(v * 255), 0, 255)`, ties to even. */
export function canvasToImage(canvas: Canvas): ImageU8 {
  const out = new Uint8Array(canvas.data.length);
  // A clamped view does the clamp and the rounding in one store.
  const clamped = new Uint8ClampedArray(out.buffer);
  for (let i = 0; i < out.length; i++) clamped[i] = canvas.data[i] * 255;
  return { width: canvas.width, height: canvas.height, channels: canvas.channels, data: out };
}

function clamp01(v: number): number {
  return v <= 0 ? 0 : v >= 1 ? 1 : v;
}

/**
 * Strokes a polyline into `layer` (max-combined): coverage `clamp(w(t)/2 + 0.5 - d)` where
 * d is the distance to the nearest segment and the width tapers linearly between vertices.
 * @param widths one width for the whole line or one per vertex
 */
export function strokePolyline(layer: Float32Array, width: number, height: number, points: readonly Point[], widths: number | readonly number[]): void {
  const wOf = (i: number): number => (typeof widths === 'number' ? widths : widths[i]);
  for (let s = 0; s + 1 < points.length; s++) {
    const a = points[s];
    const b = points[s + 1];
    const wa = wOf(s) / 2;
    const wb = wOf(s + 1) / 2;
    const reach = Math.max(wa, wb) + 1;
    const x0 = Math.max(0, Math.floor(Math.min(a.x, b.x) - reach));
    const x1 = Math.min(width - 1, Math.ceil(Math.max(a.x, b.x) + reach));
    const y0 = Math.max(0, Math.floor(Math.min(a.y, b.y) - reach));
    const y1 = Math.min(height - 1, Math.ceil(Math.max(a.y, b.y) + reach));
    const dx = b.x - a.x;
    const dy = b.y - a.y;
    const len2 = dx * dx + dy * dy || 1e-9;
    for (let y = y0; y <= y1; y++) {
      for (let x = x0; x <= x1; x++) {
        const t = clamp01(((x - a.x) * dx + (y - a.y) * dy) / len2);
        const ex = x - a.x - t * dx;
        const ey = y - a.y - t * dy;
        const cov = clamp01(wa + (wb - wa) * t + 0.5 - Math.sqrt(ex * ex + ey * ey));
        const i = y * width + x;
        if (cov > layer[i]) layer[i] = cov;
      }
    }
  }
}

/**
 * Fills a blob whose boundary is `r(theta)` around (cx, cy) into `layer` (max-combined):
 * coverage `clamp((r(theta) - dist) / feather + 0.5)`, so the 0.5 level lies exactly on the
 * boundary whatever the softness. An ellipse is `r(theta) = 1 / sqrt((cos/rx)^2 + (sin/ry)^2)`.
 */
export function fillRadial(layer: Float32Array, width: number, height: number, cx: number, cy: number, maxRadius: number, radius: (theta: number) => number, feather = 1): void {
  const reach = maxRadius + feather;
  const x0 = Math.max(0, Math.floor(cx - reach));
  const x1 = Math.min(width - 1, Math.ceil(cx + reach));
  const y0 = Math.max(0, Math.floor(cy - reach));
  const y1 = Math.min(height - 1, Math.ceil(cy + reach));
  for (let y = y0; y <= y1; y++) {
    for (let x = x0; x <= x1; x++) {
      const dx = x - cx;
      const dy = y - cy;
      const d = Math.sqrt(dx * dx + dy * dy);
      const cov = clamp01((radius(Math.atan2(dy, dx)) - d) / feather + 0.5);
      const i = y * width + x;
      if (cov > layer[i]) layer[i] = cov;
    }
  }
}

/** {@link fillRadial} for an ellipse with semi-axes rx, ry rotated by `angle`. */
export function fillEllipse(layer: Float32Array, width: number, height: number, cx: number, cy: number, rx: number, ry: number, angle = 0, feather = 1): void {
  fillRadial(layer, width, height, cx, cy, Math.max(rx, ry), (theta) => {
    const c = Math.cos(theta - angle) / rx;
    const s = Math.sin(theta - angle) / ry;
    return 1 / Math.sqrt(c * c + s * s);
  }, feather);
}

/** A closed random outline: `r(theta) = r0 * (1 + sum_k a_k cos(k theta + phi_k))`, k = 2..harmonics+1. */
export function wobblyRadius(r0: number, amplitudes: readonly number[], phases: readonly number[]): (theta: number) => number {
  return (theta) => {
    let f = 1;
    for (let k = 0; k < amplitudes.length; k++) f += amplitudes[k] * Math.cos((k + 2) * theta + phases[k]);
    return r0 * f;
  };
}

/** Separable box blur of radius r (window 2r+1) with clamped edges, in place. */
function boxBlur(layer: Float32Array, width: number, height: number, r: number, tmp: Float32Array): void {
  const norm = 1 / (2 * r + 1);
  for (let y = 0; y < height; y++) {
    const row = y * width;
    let acc = 0;
    for (let k = -r; k <= r; k++) acc += layer[row + Math.min(Math.max(k, 0), width - 1)];
    for (let x = 0; x < width; x++) {
      tmp[row + x] = acc * norm;
      acc += layer[row + Math.min(x + r + 1, width - 1)] - layer[row + Math.max(x - r, 0)];
    }
  }
  for (let x = 0; x < width; x++) {
    let acc = 0;
    for (let k = -r; k <= r; k++) acc += tmp[Math.min(Math.max(k, 0), height - 1) * width + x];
    for (let y = 0; y < height; y++) {
      layer[y * width + x] = acc * norm;
      acc += tmp[Math.min(y + r + 1, height - 1) * width + x] - tmp[Math.max(y - r, 0) * width + x];
    }
  }
}

/** Approximate Gaussian blur (three box passes, sigma ~ r) of a single-channel layer, in place. */
export function blurLayer(layer: Float32Array, width: number, height: number, radius: number): void {
  if (radius < 1) return;
  const tmp = new Float32Array(layer.length);
  for (let pass = 0; pass < 3; pass++) boxBlur(layer, width, height, radius, tmp);
}

/** Moves each pixel toward `color` by `strength * coverage`: `p += (color - p) * strength * cov`. */
export function mixToward(canvas: Canvas, layer: Float32Array, color: readonly number[], strength = 1): void {
  const c = canvas.channels;
  for (let i = 0; i < layer.length; i++) {
    const a = layer[i] * strength;
    if (a <= 0) continue;
    for (let k = 0; k < c; k++) canvas.data[i * c + k] += (color[k] - canvas.data[i * c + k]) * a;
  }
}

/** Multiplies each pixel by `1 + (factor - 1) * coverage` (darkens for factor < 1). */
export function scaleBy(canvas: Canvas, layer: Float32Array, factor: number | readonly number[]): void {
  const c = canvas.channels;
  for (let i = 0; i < layer.length; i++) {
    const a = layer[i];
    if (a <= 0) continue;
    for (let k = 0; k < c; k++) canvas.data[i * c + k] *= 1 + ((typeof factor === 'number' ? factor : factor[k]) - 1) * a;
  }
}
