/**
 * Perlin-noise defect regions for the defect simulator: a window of 2D Perlin noise at a
 * random scale (a power of two of the window), optionally rotated and stretched, under a
 * bump that keeps the region near the window's centre, thresholded so that the region
 * covers a requested number of pixels (DRAEM, Zavrtanik et al. ICCV 2021, thresholds the
 * noise at a fixed level; a quantile threshold gives the requested area instead).
 */
import { fbmField } from '../../../data/synthetic/noise.ts';
import type { Rng } from '../../../util/random.ts';

/** A defect region in a window of the image: `alpha` is the blend weight 0..1 per window pixel. */
export interface PerlinRegion {
  /** Left column of the window in the image. */
  readonly x0: number;
  /** Top row of the window in the image. */
  readonly y0: number;
  readonly width: number;
  readonly height: number;
  /** `width * height` blend weights: 1 inside, a ramp from 0.4 to 1 at the edge, 0 outside. */
  readonly alpha: Float32Array;
  /** Pixels with `alpha > 0`, the region's nominal area. */
  readonly area: number;
}

/** Options of {@link perlinMask}. */
export interface PerlinMaskOptions {
  /** Share of the noise range above the threshold over which the edge ramps from 0 to 1 (default: uniform in [0, 0.3]). */
  softness?: number;
}

const BINS = 512;

/**
 * A Perlin-noise region of about `area` pixels (at least 1) placed at random in a
 * `imageWidth x imageHeight` image. The window is 1.6-2.6 times the side of a square of
 * that area (clipped to the image); the noise has 1 to 4 cells across the window, a random
 * angle and with probability one half an elongation of up to 3; the value is
 * `noise + lambda * bump` (bump `1 - r^2` in the window's inscribed ellipse, lambda in
 * [0.4, 1.5]: small lambda gives scattered lobes, large a single blob), and the region is
 * the `area` highest values (to a 1/512 of the value range).
 */
export function perlinMask(rng: Rng, imageWidth: number, imageHeight: number, area: number, options: PerlinMaskOptions = {}): PerlinRegion {
  const target = Math.max(1, Math.min(area, imageWidth * imageHeight));
  const side = Math.sqrt(target);
  const stretch = rng.chance(0.5) ? rng.uniform(1, 3) : 1;
  const span = Math.ceil(side * rng.uniform(1.6, 2.6) * Math.sqrt(stretch)) + 2;
  const width = Math.min(imageWidth, span);
  const height = Math.min(imageHeight, span);
  const x0 = rng.int(0, imageWidth - width + 1);
  const y0 = rng.int(0, imageHeight - height + 1);
  const cells = 2 ** rng.int(0, 3);
  const field = fbmField(width, height, {
    seed: rng.uint32() | 0,
    scale: Math.max(1.5, Math.max(width, height) / cells / Math.sqrt(stretch)),
    octaves: rng.chance(0.5) ? 1 : 2,
    angle: rng.uniform(0, Math.PI),
    stretch,
    basis: 'perlin',
  });
  const lambda = rng.uniform(0.4, 1.5);
  const cx = (width - 1) / 2;
  const cy = (height - 1) / 2;
  const rx = Math.max(0.5, width / 2);
  const ry = Math.max(0.5, height / 2);
  for (let y = 0; y < height; y++) {
    const dy = (y - cy) / ry;
    for (let x = 0; x < width; x++) {
      const dx = (x - cx) / rx;
      const bump = 1 - dx * dx - dy * dy;
      const i = y * width + x;
      // Outside the ellipse the value is -Infinity so the region never touches the window's corners.
      const v = bump > 0 ? field[i] + lambda * bump : -Infinity;
      field[i] = v;
    }
  }
  return regionFromScores(field, x0, y0, width, height, target, options.softness ?? rng.uniform(0, 0.3));
}

/**
 * The region of the `target` highest of `scores` (a window's values, `-Infinity` outside
 * it) to 1/512 of their range: `alpha` is 1 well inside and ramps from 0.4 to 1 over the
 * `softness` share of the values above the threshold. Shared by the region makers.
 */
export function regionFromScores(scores: Float32Array, x0: number, y0: number, width: number, height: number, target: number, softness: number): PerlinRegion {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of scores) {
    if (v === -Infinity) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  // The threshold: the top bin edge at which the count of higher values reaches the target.
  const counts = new Int32Array(BINS);
  const binScale = hi > lo ? BINS / (hi - lo) : 0;
  for (let i = 0; i < scores.length; i++) {
    const v = scores[i];
    if (v === -Infinity) continue;
    counts[Math.min(BINS - 1, Math.floor((v - lo) * binScale))]++;
  }
  let above = 0;
  let bin = BINS - 1;
  for (; bin > 0; bin--) {
    above += counts[bin];
    if (above >= target) break;
  }
  // Values in `bin` and above are in: threshold just below the bin's lower edge.
  const threshold = binScale > 0 ? lo + bin / binScale : lo - 1;
  const soft = softness * (hi - threshold);
  const alpha = new Float32Array(scores.length);
  let count = 0;
  for (let i = 0; i < scores.length; i++) {
    const v = scores[i];
    if (!(v >= threshold)) continue;
    alpha[i] = soft > 0 ? Math.min(1, 0.4 + (0.6 * (v - threshold)) / soft) : 1;
    count++;
  }
  return { x0, y0, width, height, alpha, area: count };
}
