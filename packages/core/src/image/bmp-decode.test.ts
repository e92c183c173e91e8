import { describe, expect, it } from 'vitest';
import { isXqcError } from '../errors.ts';
import { decodeImageWithFormat } from './image-decode.ts';

/** A BITMAPINFOHEADER BMP with the given pixel rows (already padded, file order) and palette. */
function bmp(width: number, height: number, bpp: number, rows: number[][], palette: number[][] = []): Uint8Array {
  const stride = Math.floor((bpp * width + 31) / 32) * 4;
  const offset = 14 + 40 + palette.length * 4;
  const bytes = new Uint8Array(offset + stride * rows.length);
  const view = new DataView(bytes.buffer);
  bytes[0] = 0x42;
  bytes[1] = 0x4d;
  view.setUint32(2, bytes.length, true);
  view.setUint32(10, offset, true);
  view.setUint32(14, 40, true);
  view.setInt32(18, width, true);
  view.setInt32(22, height, true);
  view.setUint16(26, 1, true);
  view.setUint16(28, bpp, true);
  view.setUint32(46, palette.length, true);
  palette.forEach(([r, g, b], i) => bytes.set([b, g, r, 0], 54 + i * 4));
  rows.forEach((row, i) => bytes.set(row, offset + i * stride));
  return bytes;
}

describe('BMP decoding', () => {
  it('reads a bottom-up 24-bit BMP in RGB order', async () => {
    // Bottom row first: (0,0,255) (0,255,0) / top row: (255,0,0) (255,255,255); BGR on disk.
    const file = bmp(2, 2, 24, [
      [255, 0, 0, 0, 255, 0],
      [0, 0, 255, 255, 255, 255],
    ]);
    const { image, format } = await decodeImageWithFormat(file);
    expect(format).toBe('bmp');
    expect(image.channels).toBe(3);
    expect(Array.from(image.data)).toEqual([255, 0, 0, 255, 255, 255, 0, 0, 255, 0, 255, 0]);
  });

  it('reads a top-down 8-bit palette BMP', async () => {
    const palette = [
      [10, 20, 30],
      [200, 100, 0],
    ];
    const file = bmp(3, -1, 8, [[1, 0, 1]], palette);
    const { image } = await decodeImageWithFormat(file);
    expect([image.width, image.height]).toEqual([3, 1]);
    expect(Array.from(image.data)).toEqual([200, 100, 0, 10, 20, 30, 200, 100, 0]);
  });

  it('rejects truncated pixel data', async () => {
    const file = bmp(4, 4, 24, [[0, 0, 0]]);
    const error = await decodeImageWithFormat(file.subarray(0, file.length - 2)).catch((e: unknown) => e);
    expect(isXqcError(error, 'XQC_IMAGE_INVALID')).toBe(true);
  });
});
