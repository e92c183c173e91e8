import { describe, expect, it } from 'vitest';
import { letterbox } from './image-letterbox.ts';
import { resizeBilinear, resizeMap, resizeNearest } from './image-resize.ts';
import type { ImageU8 } from './image.types.ts';

describe('resizing', () => {
  it('bilinear upsampling uses half-pixel centres clamped at the edges', () => {
    // src x = (d + 0.5) / 2 - 0.5 -> -0.25 (clamped to 0), 0.25, 0.75, 1.25 (clamped to 1).
    const image: ImageU8 = { width: 2, height: 1, channels: 1, data: new Uint8Array([0, 100]) };
    expect(Array.from(resizeBilinear(image, 4, 1).data)).toEqual([0, 25, 75, 100]);
  });

  it('bilinear at the same size is the identity, and 2x down averages pixel pairs', () => {
    const data = Uint8Array.from({ length: 4 * 4 * 3 }, (_, i) => (i * 17) % 256);
    const image: ImageU8 = { width: 4, height: 4, channels: 3, data };
    expect(Array.from(resizeBilinear(image, 4, 4).data)).toEqual(Array.from(data));
    const row: ImageU8 = { width: 4, height: 1, channels: 1, data: new Uint8Array([10, 20, 30, 50]) };
    expect(Array.from(resizeBilinear(row, 2, 1).data)).toEqual([15, 40]);
  });

  it('nearest keeps mask class ids and picks centre samples', () => {
    const mask: ImageU8 = { width: 4, height: 1, channels: 1, data: new Uint8Array([0, 1, 2, 3]) };
    expect(Array.from(resizeNearest(mask, 2, 1).data)).toEqual([1, 3]);
    const up = resizeNearest(mask, 8, 2);
    expect(new Set(up.data)).toEqual(new Set([0, 1, 2, 3]));
    expect(Array.from(up.data.subarray(0, 8))).toEqual([0, 0, 1, 1, 2, 2, 3, 3]);
  });

  it('resizeMap keeps float values unrounded', () => {
    const map = { width: 2, height: 1, data: new Float32Array([0, 1]) };
    expect(Array.from(resizeMap(map, 4, 1).data)).toEqual([0, 0.25, 0.75, 1]);
  });

  it('letterbox fits, centres and pads with the fill colour', () => {
    const image: ImageU8 = { width: 100, height: 50, channels: 3, data: new Uint8Array(100 * 50 * 3).fill(200) };
    const { image: out, info } = letterbox(image, 64, 64);
    expect(info).toEqual({ scale: 0.64, offsetX: 0, offsetY: 16, innerWidth: 64, innerHeight: 32 });
    expect(Array.from(out.data.subarray(0, 3))).toEqual([114, 114, 114]);
    expect(Array.from(out.data.subarray((16 * 64 + 5) * 3, (16 * 64 + 5) * 3 + 3))).toEqual([200, 200, 200]);
    expect(Array.from(out.data.subarray((48 * 64 + 5) * 3, (48 * 64 + 5) * 3 + 3))).toEqual([114, 114, 114]);
  });
});
