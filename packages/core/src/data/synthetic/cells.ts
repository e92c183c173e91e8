/** Blood-smear crops: red cells around one white cell of five types. */
import { addSensorNoise } from './artifacts.ts';
import type { WhiteCellType } from './cells-white.ts';
import { paintWhiteCell, WHITE_CELL_SIZE, WHITE_CELL_TYPES } from './cells-white.ts';
import { stampInstance } from './instance.ts';
import { fbmField } from './noise.ts';
import { createRng } from '../../util/random.ts';
import { checkLabel } from './sample-labels.ts';
import { canvasToImage, createCanvas } from './raster.ts';
import { addDisc, createDensity, transmit } from './stain.ts';
import type { SyntheticKindSpec, SyntheticOptions, SyntheticSample } from './synthetic.types.ts';

/** Labels and mask classes of blood-smear crops (mask id = 1 + label index). */
export const CELLS_SPEC: SyntheticKindSpec = Object.freeze({
  kind: 'cells',
  channels: 3,
  labels: [...WHITE_CELL_TYPES],
  maskClasses: ['background', ...WHITE_CELL_TYPES],
  goodLabel: null,
});

/** Eosin-stained haemoglobin: absorbs green most, leaving pink-red. */
const RBC = [0.12, 0.55, 0.42];
/** Platelets: small purple granular fragments. */
const PLATELET = [0.6, 0.85, 0.3];

/**
 * A red cell's thickness across its radius: a biconcave disc, thin in the centre
 * (central pallor, depth `pallor`) and full from 60 % of the radius outwards.
 */
function biconcave(pallor: number): (rho: number) => number {
  return (rho) => 1 - pallor * Math.max(0, 1 - (rho / 0.6) ** 2);
}

/**
 * One blood-smear crop (RGB) with the white cell's pixels labelled by its class id
 * (1 neutrophil .. 5 basophil). Red cells (radius ~9 px at 128 px) crowd around the
 * white cell and may overlap each other; a few platelets are scattered.
 * Deterministic in `options`.
 */
export function generateCells(options: SyntheticOptions): SyntheticSample {
  const width = options.width ?? 128;
  const height = options.height ?? 128;
  const rng = createRng(options.seed);
  const label = (options.label ?? rng.pick(CELLS_SPEC.labels)) as WhiteCellType;
  checkLabel(label, CELLS_SPEC);
  const unit = (Math.min(width, height) / 128) * rng.uniform(8.5, 10);

  const tint = [rng.uniform(0.9, 0.96), rng.uniform(0.86, 0.92), rng.uniform(0.86, 0.94)];
  const canvas = createCanvas(width, height, 3, tint);
  const unevenness = fbmField(width, height, { seed: rng.uint32(), scale: 50, octaves: 2 });
  for (let i = 0; i < width * height; i++) for (let c = 0; c < 3; c++) canvas.data[i * 3 + c] *= 1 + 0.03 * unevenness[i];

  const density = createDensity(width, height);
  const [lo, hi] = WHITE_CELL_SIZE[label];
  const g = { cx: width / 2 + rng.normal(0, width * 0.06), cy: height / 2 + rng.normal(0, height * 0.06), radius: unit * rng.uniform(lo, hi) };
  const stain = rng.uniform(0.85, 1.15);
  const crowd = rng.uniform(0.6, 1.1);
  const wanted = Math.round(((width * height) / (Math.PI * unit * unit)) * 0.45 * crowd);
  const placed: { x: number; y: number; r: number }[] = [];
  for (let tries = 0; placed.length < wanted && tries < wanted * 8; tries++) {
    const r = unit * rng.uniform(0.85, 1.15);
    const x = rng.uniform(-r, width + r);
    const y = rng.uniform(-r, height + r);
    if (Math.hypot(x - g.cx, y - g.cy) < g.radius + r * 0.7) continue;
    // Smears are a monolayer: cells touch and overlap a little, rarely a lot.
    if (placed.some((p) => Math.hypot(p.x - x, p.y - y) < (p.r + r) * (rng.chance(0.15) ? 0.55 : 0.92))) continue;
    placed.push({ x, y, r });
    addDisc(density, x, y, r, RBC.map((a) => a * stain * rng.uniform(0.85, 1.1)), biconcave(rng.uniform(0.35, 0.6)));
  }
  for (let k = rng.int(0, 4); k > 0; k--) {
    const x = rng.uniform(0, width);
    const y = rng.uniform(0, height);
    if (Math.hypot(x - g.cx, y - g.cy) < g.radius + 3) continue;
    addDisc(density, x, y, rng.uniform(1, 2) * (unit / 9), PLATELET);
  }

  const body = paintWhiteCell(density, rng, label, g);
  transmit(canvas, density);
  addSensorNoise(canvas, rng, rng.uniform(0.004, 0.012), rng.uniform(0, 0.015));
  const mask = new Uint8Array(width * height);
  const instance = stampInstance(mask, body, width, CELLS_SPEC.maskClasses.indexOf(label), label);
  return {
    kind: 'cells',
    image: canvasToImage(canvas),
    mask: { width, height, channels: 1, data: mask },
    label,
    instances: instance ? [instance] : [],
    meta: { redCells: placed.length, radius: Math.round(g.radius * 10) / 10 },
  };
}
