import { describe, expect, it } from 'vitest';
import { isXqcError } from '../errors.ts';
import { colormapColor } from '../image/colormap.ts';
import { decodeImage } from '../image/image-decode.ts';
import { createImage } from '../image/image.types.ts';
import type { ScalarMap } from '../image/image.types.ts';
import { explanationMontage, formatRuntime, heatmapImage, overlayExplanation, pngDataUrl, renderOverlay } from './render.ts';

const ramp: ScalarMap = { width: 256, height: 1, data: Float32Array.from({ length: 256 }, (_, i) => i / 255 - 0.5) };
const pixel = (img: { data: Uint8Array; channels: number; width: number }, x: number, y = 0): number[] => Array.from(img.data.subarray((y * img.width + x) * img.channels, (y * img.width + x + 1) * img.channels));

describe('heatmapImage', () => {
  it("colours min..max with 'range' and only positive evidence with 'positive'", () => {
    const range = heatmapImage(ramp, { scale: 'range', colormap: 'viridis' });
    expect(pixel(range, 0)).toEqual([...colormapColor('viridis', 0)]);
    expect(pixel(range, 255)).toEqual([...colormapColor('viridis', 1)]);
    const positive = heatmapImage(ramp, { colormap: 'turbo' });
    for (const x of [0, 60, 127]) expect(pixel(positive, x)).toEqual([...colormapColor('turbo', 0)]);
    expect(pixel(positive, 255)).toEqual([...colormapColor('turbo', 1)]);
    // 'abs' ranks magnitudes: both ends are hot.
    const abs = heatmapImage(ramp, { scale: 'abs', colormap: 'inferno' });
    expect(pixel(abs, 0)).toEqual(pixel(abs, 255));
  });

  it('rejects an unknown colormap or scale', () => {
    for (const bad of [{ colormap: 'rainbow' }, { scale: 'log' }]) {
      let err: unknown;
      try {
        heatmapImage(ramp, bad as never);
      } catch (e) {
        err = e;
      }
      expect(isXqcError(err, 'XQC_INVALID_ARGUMENT')).toBe(true);
    }
  });
});

describe('overlays', () => {
  const image = createImage(4, 2, 1, Uint8Array.from([0, 40, 80, 120, 160, 200, 240, 255]));
  const map: ScalarMap = { width: 2, height: 1, data: Float32Array.of(0, 1) };

  it('blend the coloured map over the image with the given opacity', () => {
    const clear = overlayExplanation(image, map, { opacity: 0 });
    expect(clear.channels).toBe(3);
    for (let i = 0; i < 8; i++) expect(pixel(clear, i % 4, Math.floor(i / 4))).toEqual([image.data[i], image.data[i], image.data[i]]);
    const opaque = overlayExplanation(image, map, { opacity: 1, colormap: 'jet' });
    expect(pixel(opaque, 0)).toEqual([...colormapColor('jet', 0)]);
    expect(pixel(opaque, 3)).toEqual([...colormapColor('jet', 1)]);
  });

  it('encode as PNG bytes and a data URL holding the same bytes', async () => {
    const { png, dataUrl } = await renderOverlay(image, map);
    expect(Array.from(png.subarray(0, 8))).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    expect(dataUrl.startsWith('data:image/png;base64,')).toBe(true);
    expect(Array.from(Buffer.from(dataUrl.slice(22), 'base64'))).toEqual(Array.from(png));
    const back = await decodeImage(png);
    expect(Array.from(back.data)).toEqual(Array.from(overlayExplanation(image, map).data));
    expect(pngDataUrl(Uint8Array.of(1, 2, 3))).toBe('data:image/png;base64,AQID');
  });
});

describe('explanationMontage', () => {
  it('lays the scaled image and one overlay per method side by side', async () => {
    const image = createImage(512, 256, 3);
    const panels = ['gradcam', 'lime'].map((method, i) => ({ method, runtimeMs: 1200 * i + 5, map: { width: 8, height: 8, data: new Float32Array(64).fill(i) } }));
    const sheet = await explanationMontage(image, panels, { tileSize: 128, colorBar: false });
    // Three 128x64 tiles on one row with 4 px gaps, plus a caption line under them.
    expect(sheet.width).toBe(4 + 3 * (128 + 4));
    expect(sheet.height).toBeGreaterThan(64 + 8);
    expect(sheet.height).toBeLessThan(64 + 40);
  });

  it('draws title lines, the aggregate, a notice on a degenerate map, the outlines and a colour scale', async () => {
    const image = createImage(64, 64, 3);
    image.data.fill(128);
    const ramp = { width: 8, height: 8, data: Float32Array.from({ length: 64 }, (_, i) => i % 8) };
    const panels = [
      { method: 'saliency', runtimeMs: 3, map: ramp },
      { method: 'gradcam', runtimeMs: 4, map: { width: 8, height: 8, data: new Float32Array(64) }, notice: 'the map is zero everywhere' },
    ];
    const truth = { width: 64, height: 64, data: Uint8Array.from({ length: 4096 }, (_, i) => (i % 64 >= 16 && i % 64 < 48 && i >= 16 * 64 && i < 48 * 64 ? 1 : 0)) };
    const predictedMask = { width: 64, height: 64, data: Uint8Array.from({ length: 4096 }, (_, i) => (i % 64 < 8 ? 1 : 0)) };
    const bare = await explanationMontage(image, panels, { tileSize: 64, colorBar: false });
    const sheet = await explanationMontage(image, panels, {
      tileSize: 64,
      title: ['tiny 1.0.0', 'REJECT (scratch): P(defect) 0.910, uncalibrated softmax; reject at >= 0.5'],
      aggregate: { map: ramp, caption: 'aggregate' },
      truth,
      predictedMask,
      boxes: [[40, 40, 60, 60]],
    });
    // Widened for the title, taller for the title and the colour scale.
    expect(sheet.width).toBeGreaterThan(4 + 4 * (64 + 4));
    expect(sheet.height).toBeGreaterThan(bare.height + 40);
    const count = (img: typeof sheet, rgb: readonly number[]): number => {
      let n = 0;
      for (let i = 0; i < img.width * img.height; i++) if (img.data[i * 3] === rgb[0] && img.data[i * 3 + 1] === rgb[1] && img.data[i * 3 + 2] === rgb[2]) n++;
      return n;
    };
    expect(count(bare, [255, 40, 40])).toBe(0);
    expect(count(sheet, [255, 40, 40])).toBeGreaterThan(100);
    // The ground-truth outline (white) on four tiles: 4 x a 32x32 square's 2 px boundary.
    expect(count(sheet, [255, 255, 255]) - count(bare, [255, 255, 255])).toBeGreaterThan(4 * 200);
    // The notice: a dark gray band across the degenerate map's tile.
    const darkGray = (img: typeof sheet): number => {
      let n = 0;
      for (let i = 0; i < img.width * img.height; i++) if (img.data[i * 3] < 70 && img.data[i * 3] === img.data[i * 3 + 1] && img.data[i * 3] === img.data[i * 3 + 2]) n++;
      return n;
    };
    const quiet = await explanationMontage(image, [panels[0], { ...panels[1], notice: undefined }], { tileSize: 64, colorBar: false });
    expect(darkGray(bare) - darkGray(quiet)).toBeGreaterThan(64 * 20);
  });

  it('formats runtimes for captions', () => {
    expect(formatRuntime(12.4)).toBe('12 ms');
    expect(formatRuntime(3400)).toBe('3.4 s');
    expect(formatRuntime(125_000)).toBe('2 min 5 s');
  });
});
