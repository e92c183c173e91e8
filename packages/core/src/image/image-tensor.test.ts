import { describe, expect, it } from 'vitest';
import { isXqcError } from '../errors.ts';
import { IMAGENET_NORMALIZE, imagesToNchw, imageToPlanar, planarToImage } from './image-tensor.ts';
import type { ImageU8 } from './image.types.ts';

const image: ImageU8 = { width: 3, height: 2, channels: 3, data: Uint8Array.from({ length: 18 }, (_, i) => i * 14) };

describe('image <-> tensor', () => {
  it('normalises with mean/std into planes in the requested order', () => {
    const rgb = imageToPlanar(image, IMAGENET_NORMALIZE);
    expect([rgb.channels, rgb.height, rgb.width]).toEqual([3, 2, 3]);
    // pixel (x=1, y=0) is bytes 3..5 = 42, 56, 70.
    expect(rgb.data[1]).toBeCloseTo((42 / 255 - 0.485) / 0.229, 5);
    expect(rgb.data[6 + 1]).toBeCloseTo((56 / 255 - 0.456) / 0.224, 5);
    const bgr = imageToPlanar(image, { order: 'bgr', scale: 1 });
    expect(bgr.data[1]).toBe(70);
    expect(bgr.data[12 + 1]).toBe(42);
  });

  it('round-trips exactly for rgb, bgr and gray', () => {
    for (const order of ['rgb', 'bgr'] as const) {
      const back = planarToImage(imageToPlanar(image, { order, ...IMAGENET_NORMALIZE }), { order, ...IMAGENET_NORMALIZE });
      expect(Array.from(back.data)).toEqual(Array.from(image.data));
    }
    const gray: ImageU8 = { width: 2, height: 2, channels: 1, data: new Uint8Array([0, 1, 128, 255]) };
    const back = planarToImage(imageToPlanar(gray, { order: 'gray', mean: [0.5], std: [0.5] }), { order: 'gray', mean: [0.5], std: [0.5] });
    expect(Array.from(back.data)).toEqual([0, 1, 128, 255]);
  });

  it('stacks a batch as NCHW and refuses mixed sizes', () => {
    const t = imagesToNchw([image, image], { order: 'gray' });
    expect(t.dims).toEqual([2, 1, 2, 3]);
    expect(t.data[6]).toBeCloseTo(t.data[0], 6);
    const small: ImageU8 = { width: 1, height: 1, channels: 3, data: new Uint8Array(3) };
    expect(() => imagesToNchw([image, small])).toThrow(expect.objectContaining({ code: 'XQC_SHAPE_MISMATCH' }));
  });

  it('rejects mean/std of the wrong length', () => {
    let error: unknown;
    try {
      imageToPlanar(image, { mean: [0, 0] });
    } catch (e) {
      error = e;
    }
    expect(isXqcError(error, 'XQC_INVALID_ARGUMENT')).toBe(true);
  });
});
