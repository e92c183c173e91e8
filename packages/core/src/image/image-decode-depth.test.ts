import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { decodeImage, decodeImageWithFormat, significantBits } from './image-decode.ts';
import { encodePng } from './image-encode.ts';
import { png16 } from './png16.test-helper.ts';

// The 16-bit files are encoded by hand (png16.test-helper.ts): sharp 0.34 cannot write them.
/** An uncompressed little-endian 16-bit gray TIFF, one strip. */
function tiff16(width: number, height: number, samples: ArrayLike<number>): Buffer {
  const entries: [number, number, number][] = [
    [256, 3, width],
    [257, 3, height],
    [258, 3, 16],
    [259, 3, 1],
    [262, 3, 1],
    [273, 4, 0],
    [277, 3, 1],
    [278, 3, height],
    [279, 4, width * height * 2],
  ];
  const ifdAt = 8;
  const dataAt = ifdAt + 2 + entries.length * 12 + 4;
  const b = Buffer.alloc(dataAt + width * height * 2);
  b.write('II', 0, 'ascii');
  b.writeUInt16LE(42, 2);
  b.writeUInt32LE(ifdAt, 4);
  b.writeUInt16LE(entries.length, ifdAt);
  entries.forEach(([tag, type, value], i) => {
    const at = ifdAt + 2 + i * 12;
    b.writeUInt16LE(tag, at);
    b.writeUInt16LE(type, at + 2);
    b.writeUInt32LE(1, at + 4);
    if (type === 3) b.writeUInt16LE(value, at + 8);
    else b.writeUInt32LE(tag === 273 ? dataAt : value, at + 8);
  });
  for (let i = 0; i < width * height; i++) b.writeUInt16LE(samples[i], dataAt + i * 2);
  return b;
}

const W = 64;
const H = 8;
/** A 12-bit ramp 0..4032 along x. */
const ramp12 = Array.from({ length: W * H }, (_, i) => (i % W) * 64);

describe('decoding 16-bit images', () => {
  it('maps 12-bit data in a 16-bit PNG to the full 8-bit range (not the top byte)', async () => {
    const bytes = png16(W, H, 1, ramp12);
    expect((await sharp(bytes).metadata()).depth).toBe('ushort');
    const d = await decodeImageWithFormat(bytes);
    expect(d.depth).toEqual({ bits: 16, significantBits: 12 });
    expect(d.image.channels).toBe(1);
    const row = Array.from(d.image.data.subarray(0, W));
    expect(row[0]).toBe(0);
    expect(row[W - 1]).toBe(Math.round((4032 * 255) / 4095));
    // Contrast kept: 64 distinct levels, each step about 4 gray levels; a blind >> 8 gives 16.
    expect(new Set(row).size).toBe(W);
    for (let x = 1; x < W; x++) expect(row[x] - row[x - 1]).toBeGreaterThanOrEqual(3);
  });

  it('decodes a 16-bit TIFF the same way', async () => {
    const bytes = tiff16(W, H, ramp12);
    expect((await sharp(bytes).metadata()).depth).toBe('ushort');
    const img = await decodeImage(bytes);
    const png = await decodeImage(png16(W, H, 1, ramp12));
    expect(img.channels).toBe(1);
    expect(Buffer.from(img.data).equals(Buffer.from(png.data))).toBe(true);
  });

  it('maps full-range 16-bit data like the top byte, and honours a fixed significantBits', async () => {
    const full = Array.from({ length: W * H }, (_, i) => (i % W) * 1040);
    const img = await decodeImage(png16(W, H, 1, full));
    for (let x = 0; x < W; x++) expect(Math.abs(img.data[x] - (full[x] >> 8))).toBeLessThanOrEqual(1);
    // A dark 12-bit image stays dark when the dataset's depth is given.
    const dark = Array.from({ length: W * H }, (_, i) => (i % W) * 8); // max 504: inferred 10 bits
    expect((await decodeImageWithFormat(png16(W, H, 1, dark))).depth.significantBits).toBe(10);
    const fixed = await decodeImage(png16(W, H, 1, dark), { significantBits: 12 });
    expect(fixed.data[W - 1]).toBe(Math.round((504 * 255) / 4095));
    await expect(decodeImage(png16(W, H, 1, dark), { significantBits: 20 })).rejects.toThrow(/significantBits/);
  });

  it('keeps colour as three channels and drops the alpha of gray + alpha', async () => {
    const rgb = Array.from({ length: W * H * 3 }, (_, i) => (Math.floor(i / 3) % W) * 64 + (i % 3) * 16);
    const c = await decodeImage(png16(W, H, 3, rgb));
    expect(c.channels).toBe(3);
    expect(Array.from(c.data.subarray(3, 6))).toEqual([64, 80, 96].map((v) => Math.round((v * 255) / 4095)));
    const ga = Array.from({ length: W * H * 2 }, (_, i) => (i % 2 ? 65535 : (Math.floor(i / 2) % W) * 64));
    const g = await decodeImage(png16(W, H, 2, ga));
    expect(g.channels).toBe(1);
    // The opaque alpha (65535) does not count towards the depth: the gray keeps its 12-bit contrast.
    expect(g.data[W - 1]).toBe(Math.round((4032 * 255) / 4095));
  });

  it('shrinks a 16-bit image with maxSide and keeps gray as gray', async () => {
    const img = await decodeImage(png16(W, H, 1, ramp12), { maxSide: 32 });
    expect([img.width, img.height, img.channels]).toEqual([32, 4, 1]);
    expect(img.data[31]).toBeGreaterThan(200);
  });

  it('leaves 8-bit gray as one channel at 8 bits', async () => {
    const gray = { width: 5, height: 3, channels: 1 as const, data: Uint8Array.from({ length: 15 }, (_, i) => i * 17) };
    const d = await decodeImageWithFormat(await encodePng(gray));
    expect(d.depth).toEqual({ bits: 8, significantBits: 8 });
    expect(Array.from(d.image.data)).toEqual(Array.from(gray.data));
  });

  it('infers the smallest common sensor depth that holds the largest sample', () => {
    expect(significantBits(Uint16Array.of(0, 1023))).toBe(10);
    expect(significantBits(Uint16Array.of(1024))).toBe(12);
    expect(significantBits(Uint16Array.of(4095))).toBe(12);
    expect(significantBits(Uint16Array.of(4096))).toBe(14);
    expect(significantBits(Uint16Array.of(65535))).toBe(16);
    expect(significantBits(Uint16Array.of(4000, 65535), 2)).toBe(12);
  });
});
