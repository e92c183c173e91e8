import { describe, expect, it } from 'vitest';
import type { ImageU8 } from '../../image/image.types.ts';
import { compactResNet } from '../../train/zoo/compact-resnet.ts';
import type { InputSpec } from '../card.ts';
import { parseModelCard } from '../card.ts';
import { fitImage, preprocess } from '../preprocess.ts';
import { AnomalyDetector } from './detector.ts';
import { fitPatchCore } from './fit.ts';
import { defectExtents, resolutionWarnings, summariseResolution } from './resolution-check.ts';
import { fitTiledImage } from './tiling.ts';
import { wideStripes as stripes } from './wide-stripes.test-helper.ts';

const wideStripes = (seed: number, width: number, height: number, defect?: [number, number, number]): ImageU8 => stripes(seed, width, height, defect).image;

const TILE: InputSpec = { height: 64, width: 64, resize: 'tile', tileOverlap: 0.25, layout: 'NCHW', color: 'rgb', mean: [0.5], std: [0.25] };

describe('PatchCore on tiled wide images', () => {
  it('fits on tiles, keeps the aspect ratio and finds a pasted defect where it was pasted in the stitched map', async () => {
    const W = 176;
    const H = 72;
    const zoo = compactResNet({ numClasses: 2, width: 8, depth: 2, inputSize: 64, seed: 1 });
    const fit = await fitPatchCore(
      {
        train: Array.from({ length: 6 }, (_, i) => wideStripes(i, W, H)),
        validation: { good: Array.from({ length: 4 }, (_, i) => wideStripes(100 + i, W, H)), defects: [] },
      },
      { backbone: zoo.model, backboneSha256: 'a'.repeat(64), backboneSource: 'compact.onnx', input: TILE },
    );
    // 176 x 72 in 64 px tiles overlapping by >= 16 px: 4 x 2 tiles of 32 x 32 patches each.
    expect(fit.config.bank.sourcePatches).toBe(6 * 8 * 1024);
    expect(fit.config.input.resize).toBe('tile');
    const detector = await AnomalyDetector.create(fit.config, fit.featureModel, fit.bank);
    // Far right of the wide image, where stretching to 64 x 64 would squash it to a sliver.
    const spots: [number, number, number][] = [
      [150, 40, 6],
      [30, 20, 6],
    ];
    const defects = spots.map((s, i) => wideStripes(300 + i, W, H, s));
    const goods = [wideStripes(400, W, H), wideStripes(401, W, H)];
    const raw = await detector.scoreImages([...defects, ...goods]);
    expect(raw.sizes[0]).toEqual({ width: W, height: H });
    const maxGood = Math.max(raw.scores[2], raw.scores[3]);
    const { predictions } = await detector.predict(defects);
    spots.forEach(([cx, cy, r], i) => {
      expect(raw.scores[i]).toBeGreaterThan(maxGood);
      const map = raw.maps[i];
      expect(map.length).toBe(W * H);
      let best = 0;
      for (let k = 1; k < map.length; k++) if (map[k] > map[best]) best = k;
      expect(Math.hypot((best % W) - cx, Math.floor(best / W) - cy)).toBeLessThanOrEqual(r);
      const p = predictions[i];
      expect(p.verdict).toBe('reject');
      expect([p.anomalyMap.width, p.anomalyMap.height]).toEqual([W, H]);
      const [x0, y0, x1, y1] = p.findings[0].box as number[];
      expect(x0 <= cx && cx < x1 && y0 <= cy && cy < y1).toBe(true);
    });
    // Scaled before tiling (here 0.75: 132 x 54 in 3 x 1 tiles), the map still comes back at the image's size.
    const scaled = await AnomalyDetector.create({ ...fit.config, input: { ...fit.config.input, tileScale: 0.75 } }, fit.featureModel, fit.bank);
    const r = await scaled.scoreImages([defects[0]]);
    expect(r.sizes[0]).toEqual({ width: W, height: H });
    expect(r.patchScores.length).toBe(3 * 1024);
  });

  it('refuses a tiled card where one input per image is needed, and on a classifier card', () => {
    expect(() => preprocess([wideStripes(1, 100, 70)], TILE)).toThrow(/only an anomaly detector/);
    expect(() => parseModelCard({ task: 'classify', labels: ['good', 'bad'], input: { resize: 'tile' } })).toThrow(/anomaly detectors only/);
    expect(parseModelCard({ task: 'anomaly', labels: ['good', 'anomaly'], input: { resize: 'tile', tileOverlap: 0.5 } }).input.tileOverlap).toBe(0.5);
  });
});

describe('the resolution warning', () => {
  /** A 512 x 512 mask with `n` defect squares of `side` px. */
  function squares(n: number, side: number): ImageU8 {
    const data = new Uint8Array(512 * 512);
    for (let k = 0; k < n; k++) for (let y = 0; y < side; y++) for (let x = 0; x < side; x++) data[(40 + y) * 512 + 40 + k * 60 + x] = 255;
    return { width: 512, height: 512, channels: 1, data };
  }
  const image: ImageU8 = { width: 512, height: 512, channels: 3, data: new Uint8Array(512 * 512 * 3) };
  const stride = 8;

  it('fires for 8 px defects shrunk 4x to a 128 px input, not at native resolution (tiled)', () => {
    const mask = squares(5, 8);
    const shrunk = fitImage(image, { ...TILE, resize: 'stretch', height: 128, width: 128 }).placement;
    const small = summariseResolution([shrunk], [defectExtents(mask, shrunk)]);
    expect(small.maxDownscale).toBe(4);
    expect(small.defectExtents).toEqual([2, 2, 2, 2, 2]);
    const w = resolutionWarnings(small, stride);
    expect(w).toHaveLength(1);
    expect(w[0]).toMatch(/5 of 5 defect regions .* fewer than 4 model-input pixels .* shrunk up to 4x/);
    const native = fitTiledImage(image, { ...TILE, height: 128, width: 128 }).placement;
    expect(resolutionWarnings(summariseResolution([native], [defectExtents(mask, native)]), stride)).toEqual([]);
  });

  it('ignores a lone speck among large defects, and without masks fires on a large downscale only', () => {
    const mixed = { maxDownscale: 4, defectExtents: [1, ...Array.from({ length: 20 }, () => 12)] };
    expect(resolutionWarnings(mixed, stride)).toEqual([]);
    expect(resolutionWarnings({ maxDownscale: 4, defectExtents: [] }, stride)[0]).toMatch(/shrunk up to 4x .* about 12 original pixels/);
    expect(resolutionWarnings({ maxDownscale: 2, defectExtents: [] }, stride)).toEqual([]);
  });
});
