/** Textured industrial surfaces with scratches, cracks, spots and holes. */
import { addSensorNoise, applyLighting, jpegBlocking } from './artifacts.ts';
import { stampInstance } from './instance.ts';
import { createRng } from '../../util/random.ts';
import { checkLabel, dominantLabel } from './sample-labels.ts';
import { canvasToImage } from './raster.ts';
import type { DefectContext } from './surface-defects.ts';
import { paintCrack, paintHole, paintScratch, paintSpot } from './surface-defects.ts';
import type { SurfaceTexture } from './surface-textures.ts';
import { brushedMetal, orangePeelPaint, wovenFabric } from './surface-textures.ts';
import type { SyntheticInstance, SyntheticKindSpec, SyntheticOptions, SyntheticSample } from './synthetic.types.ts';

/** Labels and mask classes of surface images. */
export const SURFACE_SPEC: SyntheticKindSpec = Object.freeze({
  kind: 'surface',
  channels: 3,
  labels: ['good', 'scratch', 'crack', 'spot', 'hole'],
  maskClasses: ['background', 'scratch', 'crack', 'spot', 'hole'],
  goodLabel: 'good',
});

type DefectType = 'scratch' | 'crack' | 'spot' | 'hole';
const PAINTERS: Record<DefectType, (ctx: DefectContext, size: number) => Float32Array> = {
  scratch: paintScratch,
  crack: paintCrack,
  spot: paintSpot,
  hole: paintHole,
};
const DEFECTS: readonly DefectType[] = ['scratch', 'crack', 'spot', 'hole'];

/**
 * One surface image (RGB) with its mask (0 background, 1 scratch, 2 crack, 3 spot,
 * 4 hole). A defect label yields 1-3 defects of that type and sometimes one smaller defect
 * of another type; the image label is the type covering most mask pixels, so it can
 * differ from a requested label only if the secondary defect outgrows the primary.
 * Deterministic in `options`.
 */
export function generateSurface(options: SyntheticOptions): SyntheticSample {
  const width = options.width ?? 128;
  const height = options.height ?? 128;
  const rng = createRng(options.seed);
  const requested = options.label ?? rng.pick(SURFACE_SPEC.labels);
  checkLabel(requested, SURFACE_SPEC);
  const texture: SurfaceTexture = rng.pick(['metal', 'metal', 'fabric', 'paint', 'paint']);
  const canvas = texture === 'metal' ? brushedMetal(rng, width, height) : texture === 'fabric' ? wovenFabric(rng, width, height) : orangePeelPaint(rng, width, height);
  const ctx: DefectContext = { canvas, rng, texture, lightAngle: rng.uniform(0, 2 * Math.PI) };
  const mask = new Uint8Array(width * height);
  const instances: SyntheticInstance[] = [];
  const scale = Math.min(width, height) / 128;

  if (requested !== 'good') {
    const primary = requested as DefectType;
    const count = primary === 'spot' ? rng.int(1, 4) : primary === 'hole' ? rng.int(1, 3) : rng.chance(0.25) ? 2 : 1;
    const plan: [DefectType, number][] = [];
    for (let k = 0; k < count; k++) plan.push([primary, scale * (k === 0 ? 1 : rng.uniform(0.5, 0.9))]);
    if (rng.chance(0.15)) plan.push([rng.pick(DEFECTS.filter((d) => d !== primary)), scale * 0.5]);
    for (const [type, size] of plan) {
      const layer = PAINTERS[type](ctx, size);
      const instance = stampInstance(mask, layer, width, SURFACE_SPEC.maskClasses.indexOf(type), type);
      if (instance) instances.push(instance);
    }
  }

  applyLighting(canvas, rng.uniform(0, 2 * Math.PI), rng.uniform(0, 0.5), rng.uniform(0, 0.25));
  addSensorNoise(canvas, rng, rng.uniform(0.004, 0.02), rng.uniform(0, 0.03));
  const jpeg = rng.chance(0.3);
  if (jpeg) jpegBlocking(canvas, rng.int(25, 70));

  return {
    kind: 'surface',
    image: canvasToImage(canvas),
    mask: { width, height, channels: 1, data: mask },
    label: dominantLabel(mask, SURFACE_SPEC),
    instances,
    meta: { texture, jpeg },
  };
}
