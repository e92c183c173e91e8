import { describe, expect, it } from 'vitest';
import { createImage } from '../image/image.types.ts';
import { imageSignals } from './image-signals.ts';

describe('imageSignals', () => {
  it('a flat RGB image: BT.601 luma, no contrast or sharpness, HSV saturation (max - min) / max', () => {
    const img = createImage(5, 4, 3);
    for (let p = 0; p < 20; p++) img.data.set([200, 100, 50], p * 3);
    const s = imageSignals(img);
    expect(s.brightness).toBeCloseTo(0.299 * 200 + 0.587 * 100 + 0.114 * 50, 10);
    expect(s.contrast).toBeCloseTo(0, 6);
    expect(s.sharpness).toBeCloseTo(0, 6);
    expect(s.saturation).toBeCloseTo(0.75, 12);
    expect(s.channelMeans).toEqual([200, 100, 50]);
    expect([s.width, s.height]).toEqual([5, 4]);
  });

  it('a one-pixel 0/255 gray checkerboard: contrast 127.5, Laplacian +-1020 so sharpness 1020^2', () => {
    const img = createImage(4, 4, 1);
    for (let y = 0; y < 4; y++) for (let x = 0; x < 4; x++) img.data[y * 4 + x] = (x + y) % 2 ? 255 : 0;
    const s = imageSignals(img);
    expect(s.brightness).toBe(127.5);
    expect(s.contrast).toBeCloseTo(127.5, 10);
    expect(s.sharpness).toBeCloseTo(1020 * 1020, 6);
    expect(s.saturation).toBe(0);
    expect(s.channelMeans).toEqual([127.5]);
  });

  it('a horizontal linear gradient has a zero Laplacian; brightness and contrast of the ramp 0, 10, ..., 70', () => {
    const w = 8;
    const img = createImage(w, 3, 4);
    for (let y = 0; y < 3; y++) for (let x = 0; x < w; x++) img.data.set([10 * x, 10 * x, 10 * x, 255], (y * w + x) * 4);
    const s = imageSignals(img);
    expect(s.brightness).toBeCloseTo(35, 10);
    // Population std of 0, 10, ..., 70: 10 sqrt((8^2 - 1) / 12).
    expect(s.contrast).toBeCloseTo(10 * Math.sqrt(63 / 12), 9);
    expect(s.sharpness).toBeCloseTo(0, 8);
    expect(s.saturation).toBe(0);
    expect(s.channelMeans[0]).toBeCloseTo(35, 10);
  });

  it('an image under 3x3 has sharpness 0 (no interior pixel)', () => {
    const img = createImage(2, 2, 1, Uint8Array.from([0, 255, 255, 0]));
    expect(imageSignals(img).sharpness).toBe(0);
  });

  it('a large image is measured on grids (the Laplacian on about 8192 pixels, the rest on about 4096): the same figures within sampling error, no aliasing of a checkerboard', () => {
    // a textured colour image: smooth gradients plus hashed noise
    const w = 300;
    const h = 220;
    const img = createImage(w, h, 3);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const noise = (((x * 73856093) ^ (y * 19349663)) >>> 0) % 61;
        img.data.set([(x * 0.7 + noise) % 256, (y * 0.9 + noise) % 256, (x + y + 2 * noise) % 256], (y * w + x) * 3);
      }
    }
    const all = imageSignals(img, { samplePixels: Infinity });
    const grid = imageSignals(img);
    expect(Math.abs(grid.brightness - all.brightness)).toBeLessThan(0.01 * all.brightness);
    expect(Math.abs(grid.contrast - all.contrast)).toBeLessThan(0.02 * all.contrast);
    expect(Math.abs(grid.sharpness - all.sharpness)).toBeLessThan(0.05 * all.sharpness);
    expect(Math.abs(grid.saturation - all.saturation)).toBeLessThan(0.01);
    // the blue channel here wraps around 0..255 (a per-pixel standard deviation of about 74), so
    // its mean over the stats grid's 2640 pixels has a standard error of about 1.4 levels (1.1 %)
    for (let c = 0; c < 3; c++) expect(Math.abs(grid.channelMeans[c]! - all.channelMeans[c]!)).toBeLessThan(0.025 * all.channelMeans[c]! + 0.5);
    expect([grid.width, grid.height]).toEqual([w, h]);

    const board = createImage(400, 400, 1);
    for (let y = 0; y < 400; y++) for (let x = 0; x < 400; x++) board.data[y * 400 + x] = (x + y) % 2 ? 255 : 0;
    const b = imageSignals(board);
    expect(Math.abs(b.brightness - 127.5)).toBeLessThan(7);
    expect(Math.abs(b.contrast - 127.5)).toBeLessThan(1);
    expect(Math.abs(b.sharpness - 1020 * 1020) / (1020 * 1020)).toBeLessThan(0.01);
  });

  it('rejects a malformed image', () => {
    expect(() => imageSignals({ width: 2, height: 2, channels: 3, data: new Uint8Array(5) })).toThrow(/XQC_IMAGE_INVALID|buffer/);
  });
});
