import { describe, expect, it } from 'vitest';
import { paintWhiteCell, WHITE_CELL_TYPES } from './cells-white.ts';
import { createRng } from '../../util/random.ts';
import type { Seam } from './radiograph-defects.ts';
import { paintLackOfFusion, paintPorosity, paintWeldCrack } from './radiograph-defects.ts';
import type { Canvas } from './raster.ts';
import { createCanvas } from './raster.ts';
import { createDensity } from './stain.ts';
import { paintCrack, paintHole, paintScratch, paintSpot } from './surface-defects.ts';
import { brushedMetal, orangePeelPaint, wovenFabric } from './surface-textures.ts';

const W = 96;
const H = 96;

/**
 * Compares per-pixel change (max over channels) with the mask `layer >= 0.5`:
 * the share of mask pixels that changed, the share of the total change that lies outside
 * the mask (soft edges), and how many changed pixels lie more than `reach` px from it.
 */
function alignment(before: Float32Array, after: Float32Array, channels: number, layer: Float32Array, reach: number): { covered: number; outsideShare: number; far: number } {
  const n = layer.length;
  const change = new Float32Array(n);
  for (let i = 0; i < n; i++) for (let c = 0; c < channels; c++) change[i] = Math.max(change[i], Math.abs(after[i * channels + c] - before[i * channels + c]));
  let inMask = 0;
  let changedInMask = 0;
  let total = 0;
  let outside = 0;
  let far = 0;
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const i = y * W + x;
      total += change[i];
      if (layer[i] >= 0.5) {
        inMask++;
        if (change[i] > 1 / 255) changedInMask++;
        continue;
      }
      outside += change[i];
      if (change[i] <= 1 / 255) continue;
      let near = false;
      for (let dy = -reach; dy <= reach && !near; dy++) {
        for (let dx = -reach; dx <= reach && !near; dx++) {
          const yy = y + dy;
          const xx = x + dx;
          near = yy >= 0 && yy < H && xx >= 0 && xx < W && layer[yy * W + xx] >= 0.5;
        }
      }
      if (!near) far++;
    }
  }
  return { covered: changedInMask / inMask, outsideShare: outside / total, far };
}

describe('masks are exactly where the defects are drawn', () => {
  const textures = [brushedMetal, wovenFabric, orangePeelPaint];
  const painters = { scratch: paintScratch, crack: paintCrack, spot: paintSpot, hole: paintHole };

  it.each(Object.entries(painters))('surface %s', (_name, paint) => {
    for (let seed = 0; seed < 9; seed++) {
      const rng = createRng(seed);
      const canvas = textures[seed % 3](rng, W, H);
      const before = canvas.data.slice();
      const layer = paint({ canvas, rng, texture: 'metal', lightAngle: 1 }, 0.75);
      const a = alignment(before, canvas.data, 3, layer, 6);
      expect(a.covered).toBeGreaterThan(0.95);
      expect(a.outsideShare).toBeLessThan(0.4);
      expect(a.far).toBe(0);
    }
  });

  const seam: Seam = { centre: () => H / 2, halfWidth: () => H / 5 };
  it.each([
    ['porosity', paintPorosity],
    ['crack', paintWeldCrack],
    ['lack_of_fusion', paintLackOfFusion],
  ] as const)('radiograph %s', (_name, paint) => {
    for (let seed = 0; seed < 9; seed++) {
      const canvas: Canvas = createCanvas(W, H, 1, [0.6]);
      const before = canvas.data.slice();
      const layer = paint(canvas, createRng(seed), seam, 0.75);
      const a = alignment(before, canvas.data, 1, layer, 2);
      expect(a.covered).toBeGreaterThan(0.95);
      expect(a.outsideShare).toBeLessThan(0.35);
      expect(a.far).toBe(0);
    }
  });

  it.each(WHITE_CELL_TYPES)('white cell %s', (type) => {
    for (let seed = 0; seed < 4; seed++) {
      const density = createDensity(W, H);
      const layer = paintWhiteCell(density, createRng(seed), type, { cx: W / 2, cy: H / 2, radius: 16 });
      const a = alignment(new Float32Array(W * H * 3), density.data, 3, layer, 2);
      expect(a.covered).toBeGreaterThan(0.95);
      expect(a.outsideShare).toBeLessThan(0.1);
      expect(a.far).toBe(0);
    }
  });
});
