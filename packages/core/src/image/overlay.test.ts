import { describe, expect, it } from 'vitest';
import { colormapLut } from './colormap.ts';
import { drawBoxes } from './draw-boxes.ts';
import { DEFAULT_MASK_PALETTE, drawOutline, overlayHeatmap, overlayMask } from './overlay.ts';
import type { ImageU8 } from './image.types.ts';

const gray: ImageU8 = { width: 4, height: 4, channels: 1, data: new Uint8Array(16).fill(100) };

describe('overlays', () => {
  it('heatmap opacity 0 keeps the image, opacity 1 shows the colormap', () => {
    const map = { width: 2, height: 2, data: new Float32Array([0, 1, 0, 1]) };
    const none = overlayHeatmap(gray, map, { opacity: 0 });
    expect(none.channels).toBe(3);
    expect(new Set(none.data)).toEqual(new Set([100]));
    const full = overlayHeatmap(gray, map, { opacity: 1, colormap: 'jet' });
    const lut = colormapLut('jet');
    expect(Array.from(full.data.subarray(0, 3))).toEqual(Array.from(lut.subarray(0, 3)));
    expect(Array.from(full.data.subarray(3 * 3, 3 * 3 + 3))).toEqual(Array.from(lut.subarray(765, 768)));
  });

  it('heatmap threshold leaves cold pixels untouched', () => {
    const map = { width: 4, height: 4, data: Float32Array.from({ length: 16 }, (_, i) => (i < 8 ? 0 : 1)) };
    const out = overlayHeatmap(gray, map, { opacity: 0.5, threshold: 0.5 });
    expect(Array.from(out.data.subarray(0, 3))).toEqual([100, 100, 100]);
    expect(Array.from(out.data.subarray(15 * 3, 16 * 3))).not.toEqual([100, 100, 100]);
  });

  it('mask overlay tints only labelled pixels, with the colour of their class', () => {
    const mask: ImageU8 = { width: 4, height: 4, channels: 1, data: new Uint8Array(16) };
    mask.data[5] = 1;
    mask.data[10] = 2;
    const out = overlayMask(gray, mask, { opacity: 1 });
    expect(Array.from(out.data.subarray(0, 3))).toEqual([100, 100, 100]);
    expect(Array.from(out.data.subarray(15, 18))).toEqual([...DEFAULT_MASK_PALETTE[0]]);
    expect(Array.from(out.data.subarray(30, 33))).toEqual([...DEFAULT_MASK_PALETTE[1]]);
  });

  it('draws box outlines of the given thickness and leaves the inside', () => {
    const image: ImageU8 = { width: 6, height: 6, channels: 3, data: new Uint8Array(108) };
    const out = drawBoxes(image, [{ x0: 0, y0: 0, x1: 6, y1: 6, color: [0, 255, 0] }], { thickness: 1 });
    expect(Array.from(out.data.subarray(0, 3))).toEqual([0, 255, 0]);
    expect(Array.from(out.data.subarray((2 * 6 + 2) * 3, (2 * 6 + 2) * 3 + 3))).toEqual([0, 0, 0]);
    expect(image.data.every((v) => v === 0)).toBe(true);
  });
});

describe('drawOutline', () => {
  it('paints the boundary of the mask region only, resizing the mask to the image', () => {
    const image: ImageU8 = { width: 8, height: 8, channels: 3, data: new Uint8Array(192) };
    // A 2x2 mask whose bottom-right cell is inside: the region is x, y in 4..7 on the image.
    const out = drawOutline(image, { width: 2, height: 2, data: [0, 0, 0, 1] }, { color: [9, 8, 7], thickness: 1 });
    const painted = (x: number, y: number): boolean => out.data[(y * 8 + x) * 3] === 9;
    expect(painted(4, 4) && painted(7, 7) && painted(4, 6)).toBe(true);
    expect(painted(5, 5) || painted(6, 5) || painted(3, 3) || painted(0, 0)).toBe(false);
    expect(image.data.every((v) => v === 0)).toBe(true);
  });
});
