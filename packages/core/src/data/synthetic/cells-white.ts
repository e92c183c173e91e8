/**
 * The five white blood cells of a Wright-Giemsa smear, drawn from the features a
 * haematologist uses to tell them apart: size, nucleus shape and share of the cell,
 * cytoplasm colour and granules.
 */
import { fbmField } from './noise.ts';
import type { Rng } from '../../util/random.ts';
import { fillEllipse, fillRadial, strokePolyline, wobblyRadius } from './raster.ts';
import type { DensityMap } from './stain.ts';
import { addDensity, addDisc } from './stain.ts';

/** White cell types, in mask class order 1..5. */
export const WHITE_CELL_TYPES = ['neutrophil', 'lymphocyte', 'monocyte', 'eosinophil', 'basophil'] as const;
/** One white cell type. */
export type WhiteCellType = (typeof WHITE_CELL_TYPES)[number];

/** Hematoxylin-like nuclear stain: absorbs red and green, leaving purple. */
const NUCLEUS = [1.05, 1.45, 0.5];
/** Fine neutrophilic granules: faint lilac. */
const NEUTRO_GRANULE = [0.1, 0.17, 0.06];
/** Eosinophilic granules: absorb green and blue, leaving orange-red. */
const EOSIN_GRANULE = [0.08, 0.62, 0.95];
/** Basophilic granules: very dense dark purple-blue. */
const BASO_GRANULE = [1.25, 1.6, 0.75];

/** Where the cell sits and how large it is, in pixels. */
export interface WhiteCellGeometry {
  cx: number;
  cy: number;
  radius: number;
}

interface Frame {
  density: DensityMap;
  rng: Rng;
  g: WhiteCellGeometry;
  body: Float32Array;
}

/** Nucleus density with clumped chromatin: `absorb * (0.75 + texture * fbm)`. */
function paintNucleus(f: Frame, layer: Float32Array, strength: number, texture: number): void {
  const { width, height } = f.density;
  const chromatin = fbmField(width, height, { seed: f.rng.uint32(), scale: 2.2, octaves: 2 });
  for (let i = 0; i < chromatin.length; i++) chromatin[i] = strength * (0.8 + texture * chromatin[i]);
  addDensity(f.density, layer, NUCLEUS, chromatin);
}

/** Uniformly scattered granules inside the cell body (rejection sampling on `body >= 0.5`). */
function scatterGranules(f: Frame, count: number, rMin: number, rMax: number, absorb: readonly number[]): void {
  const { width } = f.density;
  const { cx, cy, radius } = f.g;
  for (let k = 0, tries = 0; k < count && tries < count * 6; tries++) {
    const x = cx + f.rng.uniform(-radius, radius);
    const y = cy + f.rng.uniform(-radius, radius);
    const xi = Math.round(x);
    const yi = Math.round(y);
    if (xi < 0 || yi < 0 || xi >= width || yi >= f.density.height || f.body[yi * width + xi] < 0.9) continue;
    const strength = f.rng.uniform(0.7, 1.1);
    addDisc(f.density, x, y, f.rng.uniform(rMin, rMax), absorb.map((a) => a * strength), (rho) => 1 - 0.5 * rho * rho);
    k++;
  }
}

function newLayer(f: Frame): Float32Array {
  return new Float32Array(f.density.width * f.density.height);
}

/** Neutrophil: 3-5 nuclear lobes on a C-shaped arc joined by thin strands; pale pink-lilac cytoplasm with fine granules. */
function neutrophil(f: Frame): void {
  const { rng, g } = f;
  const { width, height } = f.density;
  addDensity(f.density, f.body, [0.05, 0.13, 0.05]);
  scatterGranules(f, Math.round(g.radius * g.radius * 1.5), 0.45, 0.7, NEUTRO_GRANULE);
  const lobes = rng.int(3, 6);
  const arcR = g.radius * rng.uniform(0.38, 0.5);
  const start = rng.uniform(0, 2 * Math.PI);
  const span = rng.uniform(2.4, 3.8);
  const nucleus = newLayer(f);
  const centres: { x: number; y: number }[] = [];
  for (let k = 0; k < lobes; k++) {
    const t = start + (span * k) / (lobes - 1) + rng.normal(0, 0.12);
    const x = g.cx + arcR * Math.cos(t);
    const y = g.cy + arcR * Math.sin(t);
    centres.push({ x, y });
    const r = g.radius * rng.uniform(0.23, 0.3);
    fillEllipse(nucleus, width, height, x, y, r, r * rng.uniform(0.7, 0.95), rng.uniform(0, Math.PI), 1);
  }
  strokePolyline(nucleus, width, height, centres, rng.uniform(1, 1.6));
  paintNucleus(f, nucleus, rng.uniform(0.9, 1.15), 0.35);
}

/** Lymphocyte: small; a round dense nucleus filling 80-90 % of the diameter, a thin rim of sky-blue cytoplasm. */
function lymphocyte(f: Frame): void {
  const { rng, g } = f;
  const { width, height } = f.density;
  addDensity(f.density, f.body, [0.5, 0.2, 0.05]);
  const nucleus = newLayer(f);
  const r = g.radius * rng.uniform(0.8, 0.9);
  const shift = g.radius - r;
  const t = rng.uniform(0, 2 * Math.PI);
  fillRadial(nucleus, width, height, g.cx + shift * 0.6 * Math.cos(t), g.cy + shift * 0.6 * Math.sin(t), r * 1.1, wobblyRadius(r, [0.04, 0.02], [rng.uniform(0, 6), rng.uniform(0, 6)]), 1);
  paintNucleus(f, nucleus, rng.uniform(1.2, 1.45), 0.3);
}

/** Monocyte: large; a folded, kidney-shaped, less dense nucleus; grey-blue cytoplasm with a few vacuoles. */
function monocyte(f: Frame): void {
  const { rng, g } = f;
  const { width, height } = f.density;
  addDensity(f.density, f.body, [0.3, 0.24, 0.12]);
  for (let k = rng.int(0, 5); k > 0; k--) {
    const t = rng.uniform(0, 2 * Math.PI);
    const d = g.radius * rng.uniform(0.55, 0.8);
    addDisc(f.density, g.cx + d * Math.cos(t), g.cy + d * Math.sin(t), rng.uniform(0.8, 1.8), [-0.12, -0.1, -0.05]);
  }
  const nucleus = newLayer(f);
  const bite = newLayer(f);
  const angle = rng.uniform(0, 2 * Math.PI);
  const rx = g.radius * rng.uniform(0.6, 0.7);
  const ry = g.radius * rng.uniform(0.42, 0.52);
  const ox = g.cx + 0.12 * g.radius * Math.cos(angle + Math.PI / 2);
  const oy = g.cy + 0.12 * g.radius * Math.sin(angle + Math.PI / 2);
  fillEllipse(nucleus, width, height, ox, oy, rx, ry, angle, 1.2);
  const biteR = ry * rng.uniform(0.45, 0.65);
  const bd = ry * rng.uniform(1.0, 1.2);
  fillEllipse(bite, width, height, ox + bd * Math.cos(angle - Math.PI / 2), oy + bd * Math.sin(angle - Math.PI / 2), biteR * 1.3, biteR, angle, 1.5);
  for (let i = 0; i < nucleus.length; i++) nucleus[i] *= 1 - bite[i];
  paintNucleus(f, nucleus, rng.uniform(0.7, 0.85), 0.45);
}

/** Eosinophil: a bilobed ("spectacle") nucleus; cytoplasm packed with coarse orange-red granules. */
function eosinophil(f: Frame): void {
  const { rng, g } = f;
  const { width, height } = f.density;
  addDensity(f.density, f.body, [0.04, 0.2, 0.25]);
  const nucleus = newLayer(f);
  const t = rng.uniform(0, 2 * Math.PI);
  const d = g.radius * rng.uniform(0.35, 0.45);
  const r = g.radius * rng.uniform(0.28, 0.34);
  const a = { x: g.cx + d * Math.cos(t), y: g.cy + d * Math.sin(t) };
  const b = { x: g.cx - d * Math.cos(t), y: g.cy - d * Math.sin(t) };
  fillEllipse(nucleus, width, height, a.x, a.y, r, r * 0.8, t + Math.PI / 2, 1);
  fillEllipse(nucleus, width, height, b.x, b.y, r, r * 0.8, t + Math.PI / 2, 1);
  strokePolyline(nucleus, width, height, [a, b], 1.4);
  paintNucleus(f, nucleus, rng.uniform(0.85, 1.05), 0.3);
  scatterGranules(f, Math.round(g.radius * g.radius * 0.9), 1, 1.5, EOSIN_GRANULE);
}

/** Basophil: a lobed nucleus almost hidden under dense, coarse, dark purple granules. */
function basophil(f: Frame): void {
  const { rng, g } = f;
  const { width, height } = f.density;
  addDensity(f.density, f.body, [0.22, 0.3, 0.12]);
  const nucleus = newLayer(f);
  fillEllipse(nucleus, width, height, g.cx, g.cy, g.radius * 0.55, g.radius * 0.4, rng.uniform(0, Math.PI), 1.5);
  paintNucleus(f, nucleus, 0.6, 0.4);
  scatterGranules(f, Math.round(g.radius * g.radius * 0.75), 0.9, 1.6, BASO_GRANULE);
}

const RENDERERS: Record<WhiteCellType, (f: Frame) => void> = { neutrophil, lymphocyte, monocyte, eosinophil, basophil };

/** Radius range of each type relative to a red cell of radius 1 (RBC ~7.5 um). */
export const WHITE_CELL_SIZE: Record<WhiteCellType, readonly [number, number]> = {
  neutrophil: [1.45, 1.7],
  lymphocyte: [0.95, 1.15],
  monocyte: [1.8, 2.1],
  eosinophil: [1.5, 1.75],
  basophil: [1.3, 1.5],
};

/**
 * Draws a white cell of `type` into `density` and returns its body coverage layer (the
 * cell outline: a slightly wobbly disc), which is the cell's mask at 0.5.
 */
export function paintWhiteCell(density: DensityMap, rng: Rng, type: WhiteCellType, g: WhiteCellGeometry): Float32Array {
  const { width, height } = density;
  const body = new Float32Array(width * height);
  const harmonics = [rng.uniform(0, 0.05), rng.uniform(0, 0.03)];
  fillRadial(body, width, height, g.cx, g.cy, g.radius * 1.1, wobblyRadius(g.radius, harmonics, [rng.uniform(0, 6), rng.uniform(0, 6)]), 1.2);
  RENDERERS[type]({ density, rng, g, body });
  return body;
}
