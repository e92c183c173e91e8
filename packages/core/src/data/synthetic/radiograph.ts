/** Weld-seam radiographs (film, positive display: more metal is brighter) with weld defects. */
import { stampInstance } from './instance.ts';
import { fbmField } from './noise.ts';
import type { Rng } from '../../util/random.ts';
import { createRng } from '../../util/random.ts';
import type { Seam } from './radiograph-defects.ts';
import { paintLackOfFusion, paintPorosity, paintWeldCrack } from './radiograph-defects.ts';
import type { Canvas } from './raster.ts';
import { blurLayer, canvasToImage, createCanvas } from './raster.ts';
import { checkLabel, dominantLabel } from './sample-labels.ts';
import type { SyntheticInstance, SyntheticKindSpec, SyntheticOptions, SyntheticSample } from './synthetic.types.ts';

/** Labels and mask classes of radiographs. */
export const RADIOGRAPH_SPEC: SyntheticKindSpec = Object.freeze({
  kind: 'radiograph',
  channels: 1,
  labels: ['good', 'porosity', 'crack', 'lack_of_fusion'],
  maskClasses: ['background', 'porosity', 'crack', 'lack_of_fusion'],
  goodLabel: 'good',
});

const PAINTERS = {
  porosity: paintPorosity,
  crack: paintWeldCrack,
  lack_of_fusion: paintLackOfFusion,
} as const;
type WeldDefect = keyof typeof PAINTERS;

function smoothstep(e0: number, e1: number, x: number): number {
  const t = Math.min(Math.max((x - e0) / (e1 - e0), 0), 1);
  return t * t * (3 - 2 * t);
}

/**
 * The defect-free strip: plate of uneven thickness, a weld bead whose reinforcement
 * profile across the seam is `sqrt(1 - (d / hw)^2)` (a circular cap) with soft toes,
 * solidification ripples as parabolic arcs trailing along the seam with drifting spacing, and exposure falloff toward the
 * strip's ends and edges.
 */
function renderWeld(rng: Rng, width: number, height: number): { canvas: Canvas; seam: Seam } {
  const yc = height / 2 + rng.uniform(-0.08, 0.08) * height;
  const wobbleAmp = rng.uniform(0, 2.5);
  const wobblePeriod = rng.uniform(0.8, 2) * width;
  const wobblePhase = rng.uniform(0, 2 * Math.PI);
  const hw0 = rng.uniform(0.16, 0.28) * height;
  const widthNoise = fbmField(width, 1, { seed: rng.uint32(), scale: width / 4, octaves: 2 });
  const seam: Seam = {
    centre: (x) => yc + wobbleAmp * Math.sin((2 * Math.PI * x) / wobblePeriod + wobblePhase),
    halfWidth: (x) => hw0 * (1 + 0.1 * widthNoise[Math.min(width - 1, Math.max(0, Math.round(x)))]),
  };
  const plate = rng.uniform(0.22, 0.4);
  const bead = rng.uniform(0.18, 0.32);
  const rippleAmp = rng.uniform(0.015, 0.045);
  const rippleWave = rng.uniform(3.5, 7);
  const rippleBend = rng.uniform(1.5, 4) * rippleWave * (rng.chance(0.5) ? 1 : -1);
  // Travel speed of the torch varies, so ripple spacing drifts along the seam.
  const ripplePhase = fbmField(width, 1, { seed: rng.uint32(), scale: width / 6, octaves: 2 });
  const thickness = fbmField(width, height, { seed: rng.uint32(), scale: rng.uniform(20, 40), octaves: 3 });
  const beadTexture = fbmField(width, height, { seed: rng.uint32(), scale: 4, stretch: 2, octaves: 2 });
  const falloffX = rng.uniform(0.1, 0.35);
  const falloffY = rng.uniform(0, 0.15);
  const canvas = createCanvas(width, height, 1);
  for (let x = 0; x < width; x++) {
    const c = seam.centre(x);
    const hw = seam.halfWidth(x);
    const ex = (2 * x) / (width - 1) - 1;
    for (let y = 0; y < height; y++) {
      const d = (y - c) / hw;
      const cap = Math.sqrt(Math.max(0, 1 - d * d)) * smoothstep(1.08, 0.8, Math.abs(d));
      const ripple = Math.sin((2 * Math.PI * (x + rippleBend * d * d)) / rippleWave + 3 * ripplePhase[x]);
      const ey = (2 * y) / (height - 1) - 1;
      const exposure = 1 - falloffX * ex * ex - falloffY * ey * ey;
      const i = y * width + x;
      canvas.data[i] = (plate * (1 + 0.08 * thickness[i]) + cap * (bead + rippleAmp * ripple + 0.02 * beadTexture[i])) * exposure;
    }
  }
  return { canvas, seam };
}

/**
 * Film grain: Gaussian noise of which part is blurred (grain clumps) and part is per pixel,
 * stronger in darker (denser-exposed) film.
 */
function addGrain(canvas: Canvas, rng: Rng): void {
  const { width, height, data } = canvas;
  const clumps = new Float32Array(width * height);
  for (let i = 0; i < clumps.length; i++) clumps[i] = rng.normal();
  blurLayer(clumps, width, height, 1);
  const coarse = rng.uniform(0.03, 0.07);
  const fine = rng.uniform(0.008, 0.02);
  for (let i = 0; i < data.length; i++) {
    const strength = 1.3 - data[i];
    data[i] += strength * (coarse * clumps[i] + fine * rng.normal());
  }
}

/**
 * One grayscale weld radiograph with its mask (0 background, 1 porosity, 2 crack,
 * 3 lack_of_fusion). A defect label yields one defect of that type (porosity sometimes
 * two clusters) and rarely a smaller one of another type; the label is the type with the
 * most mask pixels. Deterministic in `options`.
 */
export function generateRadiograph(options: SyntheticOptions): SyntheticSample {
  const width = options.width ?? 128;
  const height = options.height ?? 128;
  const rng = createRng(options.seed);
  const requested = options.label ?? rng.pick(RADIOGRAPH_SPEC.labels);
  checkLabel(requested, RADIOGRAPH_SPEC);
  const { canvas, seam } = renderWeld(rng, width, height);
  const mask = new Uint8Array(width * height);
  const instances: SyntheticInstance[] = [];
  if (requested !== 'good') {
    const primary = requested as WeldDefect;
    const plan: [WeldDefect, number][] = [[primary, 1]];
    if (primary === 'porosity' && rng.chance(0.3)) plan.push([primary, 0.8]);
    if (rng.chance(0.1)) plan.push([rng.pick((Object.keys(PAINTERS) as WeldDefect[]).filter((d) => d !== primary)), 0.5]);
    for (const [type, size] of plan) {
      const layer = PAINTERS[type](canvas, rng, seam, size);
      const instance = stampInstance(mask, layer, width, RADIOGRAPH_SPEC.maskClasses.indexOf(type), type);
      if (instance) instances.push(instance);
    }
  }
  addGrain(canvas, rng);
  return {
    kind: 'radiograph',
    image: canvasToImage(canvas),
    mask: { width, height, channels: 1, data: mask },
    label: dominantLabel(mask, RADIOGRAPH_SPEC),
    instances,
    meta: { seamY: Math.round(seam.centre(width / 2)), beadHalfWidth: Math.round(seam.halfWidth(width / 2)) },
  };
}
