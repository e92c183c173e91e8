/**
 * Bright-field transmission rendering for stained smears: each structure adds optical
 * density per channel, and the image is `background * exp(-density)` (Beer-Lambert), so
 * overlapping cells darken naturally and every stain keeps its hue.
 */
import type { Canvas } from './raster.ts';

/** Optical density per pixel and channel, HWC with 3 channels. */
export interface DensityMap {
  readonly width: number;
  readonly height: number;
  readonly data: Float32Array;
}

/** An empty density map. */
export function createDensity(width: number, height: number): DensityMap {
  return { width, height, data: new Float32Array(width * height * 3) };
}

/**
 * Adds `layer[i] * weight[i] * absorb` to the density, where `weight` (optional)
 * modulates thickness or stain uptake per pixel.
 */
export function addDensity(density: DensityMap, layer: Float32Array, absorb: readonly number[], weight?: Float32Array): void {
  const d = density.data;
  for (let i = 0; i < layer.length; i++) {
    let a = layer[i];
    if (a <= 0) continue;
    if (weight) a *= weight[i];
    d[i * 3] += a * absorb[0];
    d[i * 3 + 1] += a * absorb[1];
    d[i * 3 + 2] += a * absorb[2];
  }
}

/**
 * Adds a soft disc of density `absorb * profile(rho)` (rho = distance / r, 0..1) with an
 * anti-aliased rim, without a full-size layer; used for the many small granules and cells.
 */
export function addDisc(density: DensityMap, cx: number, cy: number, r: number, absorb: readonly number[], profile?: (rho: number) => number): void {
  const { width, height, data } = density;
  const x0 = Math.max(0, Math.floor(cx - r - 1));
  const x1 = Math.min(width - 1, Math.ceil(cx + r + 1));
  const y0 = Math.max(0, Math.floor(cy - r - 1));
  const y1 = Math.min(height - 1, Math.ceil(cy + r + 1));
  for (let y = y0; y <= y1; y++) {
    for (let x = x0; x <= x1; x++) {
      const d = Math.hypot(x - cx, y - cy);
      const cov = Math.min(1, Math.max(0, r + 0.5 - d));
      if (cov <= 0) continue;
      const a = cov * (profile ? profile(Math.min(1, d / r)) : 1);
      const i = (y * width + x) * 3;
      data[i] += a * absorb[0];
      data[i + 1] += a * absorb[1];
      data[i + 2] += a * absorb[2];
    }
  }
}

/** Renders the density over the canvas in place: `canvas *= exp(-density)` per channel. */
export function transmit(canvas: Canvas, density: DensityMap): void {
  for (let i = 0; i < canvas.data.length; i++) canvas.data[i] *= Math.exp(-density.data[i]);
}
