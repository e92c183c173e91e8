/**
 * Weld defects as they show on a radiograph: missing metal lets more radiation through,
 * so every defect darkens the film by an attenuation factor `I *= 1 - depth * coverage`.
 */
import type { Rng } from '../../util/random.ts';
import type { Canvas, Point } from './raster.ts';
import { strokePolyline } from './raster.ts';

/** Geometry of the weld seam, shared by the generator and the defect painters. */
export interface Seam {
  /** Centre line y at column x. */
  centre(x: number): number;
  /** Half-width of the bead at column x. */
  halfWidth(x: number): number;
}

function darken(canvas: Canvas, layer: Float32Array, depth: number): void {
  for (let i = 0; i < layer.length; i++) if (layer[i] > 0) canvas.data[i] *= 1 - depth * layer[i];
}

/**
 * Porosity: a cluster of 3-12 round gas pores (radius 1.2-3.2 px) inside the bead, or a
 * few scattered pores along it. A spherical pore's darkening follows its chord length,
 * `sqrt(1 - (r / R)^2)`, so pores look like soft-centred dots, not flat discs.
 */
export function paintPorosity(canvas: Canvas, rng: Rng, seam: Seam, size: number): Float32Array {
  const { width, height } = canvas;
  // The darkening profile is also the coverage: the mask holds pixels darkened to at least
  // half the pore's centre depth, i.e. within sqrt(3)/2 of its radius.
  const layer = new Float32Array(width * height);
  const clustered = rng.chance(0.65);
  const count = clustered ? rng.int(3, 13) : rng.int(2, 6);
  const cx = rng.uniform(0.2, 0.8) * width;
  const spread = clustered ? rng.uniform(4, 12) * size : width * 0.35;
  for (let k = 0; k < count; k++) {
    const x = Math.min(width - 3, Math.max(2, cx + (clustered ? rng.normal(0, spread / 2) : rng.uniform(-spread, spread))));
    const y = seam.centre(x) + rng.uniform(-0.7, 0.7) * seam.halfWidth(x);
    const r = rng.uniform(1.2, 3.2) * Math.max(0.6, size);
    for (let yy = Math.max(0, Math.floor(y - r)); yy <= Math.min(height - 1, Math.ceil(y + r)); yy++) {
      for (let xx = Math.max(0, Math.floor(x - r)); xx <= Math.min(width - 1, Math.ceil(x + r)); xx++) {
        const q = ((xx - x) ** 2 + (yy - y) ** 2) / (r * r);
        const i = yy * width + xx;
        if (q < 1) layer[i] = Math.max(layer[i], Math.sqrt(1 - q));
      }
    }
  }
  darken(canvas, layer, rng.uniform(0.18, 0.4));
  return layer;
}

/** A crack: a thin (1-1.6 px), sharp, slightly wandering dark line running along the seam inside the bead. */
export function paintWeldCrack(canvas: Canvas, rng: Rng, seam: Seam, size: number): Float32Array {
  const { width, height } = canvas;
  const layer = new Float32Array(width * height);
  const length = rng.uniform(0.25, 0.6) * width * size;
  const x0 = rng.uniform(0.08, 0.92 - length / width) * width;
  const offset = rng.uniform(-0.45, 0.45);
  const points: Point[] = [];
  let dy = 0;
  for (let x = x0; x <= x0 + length; x += 1) {
    dy += rng.normal(0, 0.18);
    dy *= 0.96;
    points.push({ x, y: seam.centre(x) + offset * seam.halfWidth(x) + dy });
  }
  const w = rng.uniform(1, 1.6);
  strokePolyline(layer, width, height, points, points.map((_, i) => Math.max(1, w * Math.min(1, (4 * i * (points.length - 1 - i)) / (points.length - 1) ** 2 + 0.4))));
  darken(canvas, layer, rng.uniform(0.15, 0.3));
  return layer;
}

/**
 * Lack of fusion: a dark band 2-4 px wide along one edge of the bead, where the weld
 * metal failed to fuse with the plate; straight because it follows the joint face.
 */
export function paintLackOfFusion(canvas: Canvas, rng: Rng, seam: Seam, size: number): Float32Array {
  const { width, height } = canvas;
  const layer = new Float32Array(width * height);
  const length = rng.uniform(0.3, 0.75) * width * size;
  const x0 = rng.uniform(0.05, 0.95 - length / width) * width;
  const side = rng.chance(0.5) ? 1 : -1;
  const at = rng.uniform(0.8, 0.98);
  const points: Point[] = [];
  for (let x = x0; x <= x0 + length; x += 2) points.push({ x, y: seam.centre(x) + side * at * seam.halfWidth(x) });
  const w = rng.uniform(2, 4);
  strokePolyline(layer, width, height, points, points.map((_, i) => (i === 0 || i === points.length - 1 ? w * 0.6 : w)));
  darken(canvas, layer, rng.uniform(0.15, 0.28));
  return layer;
}
