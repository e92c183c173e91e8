/** Defect-free surface textures: brushed metal, woven fabric, painted orange peel. */
import { fbmField } from './noise.ts';
import type { Rng } from '../../util/random.ts';
import type { Canvas } from './raster.ts';
import { createCanvas } from './raster.ts';

/** Surface materials the generator draws. */
export type SurfaceTexture = 'metal' | 'fabric' | 'paint';

/**
 * Brushed metal: a tinted gray base with directional streaks (fBm stretched 25-60x along
 * the brushing direction) over a coarser uneven-brushing layer.
 */
export function brushedMetal(rng: Rng, width: number, height: number): Canvas {
  const gray = rng.uniform(0.42, 0.68);
  const tint = [rng.normal(0, 0.02), rng.normal(0, 0.015), rng.normal(0, 0.025)];
  const angle = rng.chance(0.6) ? rng.pick([0, Math.PI / 2]) + rng.normal(0, 0.05) : rng.uniform(0, Math.PI);
  const fine = fbmField(width, height, { seed: rng.uint32(), scale: rng.uniform(1.2, 2.2), stretch: rng.uniform(25, 60), angle, octaves: 3, gain: 0.6 });
  const coarse = fbmField(width, height, { seed: rng.uint32(), scale: rng.uniform(8, 20), stretch: 6, angle, octaves: 3 });
  const streak = rng.uniform(0.06, 0.13);
  const uneven = rng.uniform(0.02, 0.06);
  const canvas = createCanvas(width, height, 3);
  for (let i = 0; i < width * height; i++) {
    const v = gray * (1 + streak * fine[i] + uneven * coarse[i]);
    for (let c = 0; c < 3; c++) canvas.data[i * 3 + c] = v * (1 + tint[c]);
  }
  return canvas;
}

const FABRIC_COLOURS: readonly (readonly [readonly number[], readonly number[]])[] = [
  [[0.16, 0.25, 0.45], [0.5, 0.52, 0.56]],
  [[0.62, 0.56, 0.42], [0.55, 0.5, 0.38]],
  [[0.45, 0.46, 0.48], [0.38, 0.39, 0.41]],
  [[0.55, 0.12, 0.14], [0.45, 0.1, 0.12]],
  [[0.2, 0.36, 0.24], [0.17, 0.3, 0.2]],
  [[0.8, 0.78, 0.72], [0.74, 0.72, 0.66]],
];

/**
 * Woven fabric: warp and weft threads of period 4-8 px in plain or 2/1 twill weave,
 * each crossing shaded as a rounded float (`sin(pi f)` across the thread, a softer bulge
 * along it), per-thread brightness irregularity and fibre noise along the thread.
 */
export function wovenFabric(rng: Rng, width: number, height: number): Canvas {
  const period = rng.uniform(4, 8);
  const angle = rng.normal(0, 0.12) + (rng.chance(0.2) ? Math.PI / 4 : 0);
  const twill = rng.chance(0.4);
  const [warpColour, weftColour] = rng.pick(FABRIC_COLOURS);
  const brightness = rng.uniform(0.85, 1.1);
  // Per-thread brightness (spinning irregularity): warp threads 0..1023, weft 1024..2047.
  const threadTone = Float32Array.from({ length: 2048 }, () => rng.uniform(0.9, 1.1));
  const fibreU = fbmField(width, height, { seed: rng.uint32(), scale: 0.7, stretch: 6, angle: angle + Math.PI / 2, octaves: 2 });
  const fibreV = fbmField(width, height, { seed: rng.uint32(), scale: 0.7, stretch: 6, angle, octaves: 2 });
  const cos = Math.cos(angle);
  const sin = Math.sin(angle);
  const canvas = createCanvas(width, height, 3);
  // Two-by-two supersampling: thread edges are finer than a pixel at the small periods.
  const offsets = [0.25, 0.75];
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      let acc0 = 0;
      let acc1 = 0;
      let acc2 = 0;
      for (const oy of offsets) {
        for (const ox of offsets) {
          const u = ((x + ox) * cos + (y + oy) * sin) / period + 1000;
          const v = (-(x + ox) * sin + (y + oy) * cos) / period + 1000;
          const iu = Math.floor(u);
          const iv = Math.floor(v);
          const fu = u - iu;
          const fv = v - iv;
          const warpUp = twill ? (((iu - iv) % 3) + 3) % 3 !== 0 : ((iu + iv) & 1) === 0;
          // Thread cross-section sqrt(4f(1-f)): a rounded float, dark where threads meet.
          const pu = Math.sqrt(4 * fu * (1 - fu));
          const pv = Math.sqrt(4 * fv * (1 - fv));
          const shade = warpUp
            ? pu * (0.75 + 0.25 * pv) * threadTone[iu & 1023] + 0.14 * fibreV[i]
            : pv * (0.75 + 0.25 * pu) * threadTone[1024 + (iv & 1023)] + 0.14 * fibreU[i];
          const colour = warpUp ? warpColour : weftColour;
          const light = brightness * (0.35 + 0.75 * shade);
          acc0 += colour[0] * light;
          acc1 += colour[1] * light;
          acc2 += colour[2] * light;
        }
      }
      canvas.data[i * 3] = acc0 / 4;
      canvas.data[i * 3 + 1] = acc1 / 4;
      canvas.data[i * 3 + 2] = acc2 / 4;
    }
  }
  return canvas;
}

const PAINT_COLOURS: readonly (readonly number[])[] = [
  [0.62, 0.1, 0.09],
  [0.09, 0.27, 0.55],
  [0.17, 0.42, 0.24],
  [0.86, 0.68, 0.08],
  [0.86, 0.86, 0.83],
  [0.48, 0.5, 0.53],
  [0.85, 0.4, 0.08],
  [0.14, 0.14, 0.15],
];

/**
 * Painted surface with orange peel: a height field from Perlin fBm (feature 3.5-7 px) lit
 * by its gradient (`shade = 1 + k * grad(h) . l`), slow gloss variation and a faint
 * specular sheen where the surface faces the light.
 */
export function orangePeelPaint(rng: Rng, width: number, height: number): Canvas {
  const colour = rng.pick(PAINT_COLOURS).map((c) => c * rng.uniform(0.92, 1.08));
  const heightField = fbmField(width, height, { seed: rng.uint32(), scale: rng.uniform(3.5, 7), octaves: 2, gain: 0.4, basis: 'perlin' });
  const gloss = fbmField(width, height, { seed: rng.uint32(), scale: 40, octaves: 2 });
  const lightAngle = rng.uniform(0, 2 * Math.PI);
  const lx = Math.cos(lightAngle);
  const ly = Math.sin(lightAngle);
  const relief = rng.uniform(0.35, 0.8);
  const sheen = rng.uniform(0.03, 0.1);
  const canvas = createCanvas(width, height, 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      const gx = heightField[y * width + Math.min(x + 1, width - 1)] - heightField[y * width + Math.max(x - 1, 0)];
      const gy = heightField[Math.min(y + 1, height - 1) * width + x] - heightField[Math.max(y - 1, 0) * width + x];
      const facing = gx * lx + gy * ly;
      const shade = (1 + relief * facing) * (1 + 0.04 * gloss[i]);
      const spec = sheen * Math.max(0, facing * 4) ** 2;
      for (let c = 0; c < 3; c++) canvas.data[i * 3 + c] = colour[c] * shade + spec;
    }
  }
  return canvas;
}
