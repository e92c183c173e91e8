/**
 * Edge-band defect regions for the defect simulator: a band that follows a strong edge of
 * the image, for the defects that sit on edges on real parts (weld toes and undercut, lack
 * of fusion along a bead, chipped or burred part edges, cracks along a fillet). Every other
 * simulated region is placed without regard to the image's content, so a network trained
 * on them alone has never been shown a defect that runs along an edge and looks, at first
 * sight, like the edge itself.
 *
 * The anchor is drawn among the image's strongest edges (Sobel magnitude of the luma in its
 * top 2 %, weighted by magnitude); around it, an elongated window along the edge's
 * tangent is scored by the edge magnitude (relative to the anchor's), a taper along the
 * tangent, a penalty across it in band widths and a little Perlin noise, and the region is
 * the requested number of highest-scoring pixels. Half the time the band is moved up to 1.5
 * band widths to one side of the edge: a toe or a seam beside the edge, not the edge line. It is a {@link PerlinRegion}, so the same fills
 * (texture from another image or from the same image, shifted in brightness) paint it.
 */
import { fbmField } from '../../../data/synthetic/noise.ts';
import type { Rng } from '../../../util/random.ts';
import { regionFromScores } from './perlin-mask.ts';
import type { PerlinRegion } from './perlin-mask.ts';

/** The luma gradient of an image: Sobel components and magnitude per pixel (0 on the border). */
export interface EdgeField {
  readonly width: number;
  readonly height: number;
  readonly gx: Float32Array;
  readonly gy: Float32Array;
  readonly magnitude: Float32Array;
  /** The magnitude below which 98 % of the pixels lie (to 1/256 of the largest). */
  readonly floor: number;
}

/**
 * Weakest edge worth anchoring on: a Sobel magnitude of 48 is a step of 12 gray levels. An
 * image whose strongest 2 % of pixels stays under it has no edge, and the caller places
 * its region as it would otherwise.
 */
export const MIN_EDGE_MAGNITUDE = 48;

/** The Sobel gradient of the luma (BT.601; gray as is) of an 8-bit image with `channels` per pixel. */
export function edgeField(data: Uint8Array, width: number, height: number, channels: number): EdgeField {
  const n = width * height;
  const luma = new Float32Array(n);
  for (let i = 0, p = 0; i < n; i++, p += channels) luma[i] = channels === 1 ? data[p] : 0.299 * data[p] + 0.587 * data[p + 1] + 0.114 * data[p + 2];
  const gx = new Float32Array(n);
  const gy = new Float32Array(n);
  const magnitude = new Float32Array(n);
  for (let y = 1; y < height - 1; y++) {
    for (let x = 1; x < width - 1; x++) {
      const i = y * width + x;
      const a = luma[i - width - 1];
      const b = luma[i - width];
      const c = luma[i - width + 1];
      const d = luma[i - 1];
      const f = luma[i + 1];
      const g = luma[i + width - 1];
      const h = luma[i + width];
      const k = luma[i + width + 1];
      const sx = c + 2 * f + k - a - 2 * d - g;
      const sy = g + 2 * h + k - a - 2 * b - c;
      gx[i] = sx;
      gy[i] = sy;
      magnitude[i] = Math.sqrt(sx * sx + sy * sy);
    }
  }
  return { width, height, gx, gy, magnitude, floor: topShare(magnitude) };
}

/** True when the image has an edge to anchor a band on: its strongest 2 % of pixels reach {@link MIN_EDGE_MAGNITUDE}. */
export function hasEdge(field: EdgeField): boolean {
  return field.floor >= MIN_EDGE_MAGNITUDE;
}

/** The value below which 98 % of `values` lie (to 1/256 of their range). */
function topShare(values: Float32Array): number {
  let hi = 0;
  for (const v of values) if (v > hi) hi = v;
  if (hi === 0) return 0;
  const bins = new Int32Array(256);
  for (const v of values) bins[Math.min(255, Math.floor((v / hi) * 256))]++;
  let above = 0;
  for (let b = 255; b >= 0; b--) {
    above += bins[b];
    if (above >= 0.02 * values.length) return (b / 256) * hi;
  }
  return 0;
}

/**
 * An edge-band region of about `area` pixels (at least 1) on `field`, or `null` when the
 * image has no edge of at least {@link MIN_EDGE_MAGNITUDE} in its strongest 2 % of pixels.
 * The band is 4 to 16 times as long as it is wide (log-uniform); its window is an ellipse
 * along the anchor's tangent, `0.7 * length` long each way and wide enough across for the
 * edge to curve; the edge ramps from 0.4 to 1 over a random share (0-30 %) of the scores
 * above the threshold, as in `perlinMask`.
 */
export function edgeBandMask(rng: Rng, field: EdgeField, area: number): PerlinRegion | null {
  const { width: imageWidth, height: imageHeight, magnitude } = field;
  const { floor } = field;
  if (!hasEdge(field)) return null;
  // The anchor: a pixel of the top 2 %, drawn with probability proportional to its magnitude.
  let total = 0;
  for (const v of magnitude) if (v >= floor) total += v;
  let u = rng.next() * total;
  let anchor = -1;
  for (let i = 0; i < magnitude.length; i++) {
    const v = magnitude[i];
    if (v < floor) continue;
    anchor = i;
    u -= v;
    if (u < 0) break;
  }
  const ax = anchor % imageWidth;
  const ay = (anchor - ax) / imageWidth;
  // Unit normal (across the edge) and tangent (along it) at the anchor.
  const norm = Math.max(1e-6, magnitude[anchor]);
  const nx = field.gx[anchor] / norm;
  const ny = field.gy[anchor] / norm;
  const tx = -ny;
  const ty = nx;

  const target = Math.max(1, Math.min(area, imageWidth * imageHeight));
  const aspect = Math.exp(rng.uniform(Math.log(4), Math.log(16)));
  const length = Math.sqrt(target * aspect);
  const bandWidth = Math.max(1, target / length);
  const along = Math.max(2, 0.7 * length);
  const across = Math.max(3, 3 * bandWidth, 0.25 * length);
  // Half the time the band lies beside the edge: the magnitude is read `offset` pixels back across it.
  const offset = rng.chance(0.5) ? rng.uniform(-1.5, 1.5) * bandWidth : 0;

  const reachX = Math.abs(tx) * along + Math.abs(nx) * across;
  const reachY = Math.abs(ty) * along + Math.abs(ny) * across;
  const x0 = Math.max(0, Math.floor(ax - reachX));
  const y0 = Math.max(0, Math.floor(ay - reachY));
  const width = Math.min(imageWidth, Math.ceil(ax + reachX) + 1) - x0;
  const height = Math.min(imageHeight, Math.ceil(ay + reachY) + 1) - y0;
  const noise = fbmField(width, height, { seed: rng.uint32() | 0, scale: Math.max(1.5, 2 * bandWidth), octaves: 2, basis: 'perlin' });
  const roughness = rng.uniform(0.05, 0.3);

  const score = new Float32Array(width * height).fill(-Infinity);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const dx = x0 + x - ax;
      const dy = y0 + y - ay;
      const s = (dx * tx + dy * ty) / along;
      const n = dx * nx + dy * ny;
      const inside = 1 - s * s - (n / across) ** 2;
      if (inside <= 0) continue;
      // Across, in band widths from the band's centre line (the anchor's tangent, moved by `offset`).
      const t = (n - offset) / bandWidth;
      // The edge strength `offset` pixels towards the edge's side, read at the nearest pixel.
      const sx = Math.round(x0 + x - offset * nx);
      const sy = Math.round(y0 + y - offset * ny);
      const m = sx >= 0 && sy >= 0 && sx < imageWidth && sy < imageHeight ? magnitude[sy * imageWidth + sx] : 0;
      const i = y * width + x;
      score[i] = m / norm + roughness * noise[i] + 0.5 * (1 - s * s) - 0.25 * t * t;
    }
  }
  return regionFromScores(score, x0, y0, width, height, target, rng.uniform(0, 0.3));
}
