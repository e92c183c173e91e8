/**
 * Surface defects. Each returns the coverage layer that both shades the canvas and,
 * at 0.5, becomes the defect's mask. Polarity (lighter or darker) is chosen against the
 * local surface so every defect has visible contrast.
 */
import { fbmField } from './noise.ts';
import { crackTree, smoothCurve } from './paths.ts';
import type { Rng } from '../../util/random.ts';
import type { Canvas } from './raster.ts';
import { fillEllipse, fillRadial, mixToward, scaleBy, strokePolyline, wobblyRadius } from './raster.ts';
import { meanUnder } from './instance.ts';
import type { SurfaceTexture } from './surface-textures.ts';

/** What every defect painter needs. */
export interface DefectContext {
  canvas: Canvas;
  rng: Rng;
  texture: SurfaceTexture;
  /** Direction the light comes from, radians. */
  lightAngle: number;
}

const WHITE = [0.96, 0.96, 0.95];
const BLACK = [0.05, 0.05, 0.06];

function interiorPoint(ctx: DefectContext, margin: number): { x: number; y: number } {
  const { width, height } = ctx.canvas;
  return { x: ctx.rng.uniform(margin, 1 - margin) * width, y: ctx.rng.uniform(margin, 1 - margin) * height };
}

/** True when the defect should be lighter than the surface under `layer`. */
function lighter(ctx: DefectContext, layer: Float32Array, preferLight: number): boolean {
  const base = meanUnder(ctx.canvas.data, ctx.canvas.channels, layer);
  if (base > 0.62) return false;
  if (base < 0.3) return true;
  return ctx.rng.chance(preferLight);
}

/** A scratch: a thin (1-2.4 px) smooth curve 20-75 % of the image long, tapered at its ends. */
export function paintScratch(ctx: DefectContext, size: number): Float32Array {
  const { canvas, rng } = ctx;
  const { width, height } = canvas;
  const layer = new Float32Array(width * height);
  const length = rng.uniform(0.2, 0.75) * Math.min(width, height) * size;
  const points = smoothCurve(rng, interiorPoint(ctx, 0.2), rng.uniform(0, Math.PI), length, rng.normal(0, 0.012), rng.uniform(0.003, 0.02));
  const w = rng.uniform(1, 2.4);
  const widths = points.map((_, i) => {
    const t = i / (points.length - 1);
    return Math.max(1, w * Math.min(1, 0.3 + 4 * t * (1 - t)));
  });
  strokePolyline(layer, width, height, points, widths);
  const light = lighter(ctx, layer, ctx.texture === 'metal' ? 0.75 : 0.5);
  mixToward(canvas, layer, light ? WHITE : BLACK, rng.uniform(0.35, 0.8));
  return layer;
}

/** A crack: a dark branching random walk grown both ways from an interior point. */
export function paintCrack(ctx: DefectContext, size: number): Float32Array {
  const { canvas, rng } = ctx;
  const { width, height } = canvas;
  const layer = new Float32Array(width * height);
  const start = interiorPoint(ctx, 0.25);
  const angle = rng.uniform(0, 2 * Math.PI);
  const half = rng.uniform(0.15, 0.4) * Math.min(width, height) * size;
  const w = rng.uniform(1.2, 2.4);
  const jitter = rng.uniform(0.12, 0.3);
  const branches = [
    ...crackTree(rng, start, angle, half, w, jitter, 0.035, 2),
    ...crackTree(rng, start, angle + Math.PI, half * rng.uniform(0.5, 1), w, jitter, 0.035, 2),
  ];
  for (const b of branches) strokePolyline(layer, width, height, b.points, b.widths);
  scaleBy(canvas, layer, rng.uniform(0.15, 0.45));
  mixToward(canvas, layer, BLACK, rng.uniform(0.1, 0.4));
  return layer;
}

/**
 * A spot or stain: a soft-edged blob (radius 3-16 px, wobbly outline, feather 15-50 % of
 * the radius), dark (oil, rust) or light (residue), mottled inside, sometimes with a darker
 * drying ring at the edge.
 */
export function paintSpot(ctx: DefectContext, size: number): Float32Array {
  const { canvas, rng } = ctx;
  const { width, height } = canvas;
  const layer = new Float32Array(width * height);
  const r0 = rng.uniform(3, 16) * size;
  const harmonics = [0, 1, 2].map((k) => rng.uniform(0, 0.22) / (k + 1));
  const phases = [0, 1, 2].map(() => rng.uniform(0, 2 * Math.PI));
  const centre = interiorPoint(ctx, 0.15);
  fillRadial(layer, width, height, centre.x, centre.y, r0 * 1.6, wobblyRadius(r0, harmonics, phases), Math.max(1, r0 * rng.uniform(0.15, 0.5)));
  const light = lighter(ctx, layer, 0.3);
  const colour = light ? [0.93, 0.92, 0.86] : rng.chance(0.5) ? [0.24, 0.16, 0.08] : [0.1, 0.1, 0.1];
  const mottle = fbmField(width, height, { seed: rng.uint32(), scale: Math.max(2, r0 / 3), octaves: 2 });
  const strength = rng.uniform(0.35, 0.75);
  const ring = !light && rng.chance(0.3);
  const paint = new Float32Array(layer.length);
  for (let i = 0; i < layer.length; i++) {
    const c = layer[i];
    if (c <= 0) continue;
    paint[i] = c * (0.85 + 0.15 * mottle[i]) + (ring ? 1.2 * c * (1 - c) : 0);
  }
  mixToward(canvas, paint, colour, strength);
  return layer;
}

/**
 * A hole: a dark elliptical cavity (radius 3-10 px) whose rim catches the light on the
 * far side and falls into shadow on the near side, as a drilled or punched hole looks.
 */
export function paintHole(ctx: DefectContext, size: number): Float32Array {
  const { canvas, rng } = ctx;
  const { width, height } = canvas;
  const rx = rng.uniform(3, 10) * size;
  const ry = rx * rng.uniform(0.7, 1);
  const angle = rng.uniform(0, Math.PI);
  const rim = rng.uniform(1, 2);
  const centre = interiorPoint(ctx, 0.15);
  const outer = new Float32Array(width * height);
  const core = new Float32Array(width * height);
  fillEllipse(outer, width, height, centre.x, centre.y, rx, ry, angle, 0.8);
  fillEllipse(core, width, height, centre.x, centre.y, Math.max(1, rx - rim), Math.max(1, ry - rim), angle, 1.2);
  const lx = Math.cos(ctx.lightAngle);
  const ly = Math.sin(ctx.lightAngle);
  const highlight = new Float32Array(outer.length);
  const shadow = new Float32Array(outer.length);
  for (let i = 0; i < outer.length; i++) {
    const band = outer[i] - core[i];
    if (band <= 0) continue;
    const x = i % width;
    const y = (i - x) / width;
    const d = Math.hypot(x - centre.x, y - centre.y) || 1;
    const facing = ((x - centre.x) * lx + (y - centre.y) * ly) / d;
    if (facing > 0) highlight[i] = band * facing;
    else shadow[i] = band * -facing;
  }
  mixToward(canvas, highlight, WHITE, rng.uniform(0.5, 0.85));
  mixToward(canvas, shadow, BLACK, 0.6);
  mixToward(canvas, core, [0.03, 0.03, 0.035], rng.uniform(0.85, 0.97));
  return outer;
}
