import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { isXqcError } from '../errors.ts';
import { decodeImage, decodeImageWithFormat, readImageHeader } from './image-decode.ts';
import { encodeJpeg, encodePng } from './image-encode.ts';
import { sniffImageFormat } from './image-format.ts';
import type { ImageU8 } from './image.types.ts';

function gradient(width: number, height: number, channels: 1 | 3 | 4): ImageU8 {
  const data = new Uint8Array(width * height * channels);
  for (let i = 0; i < data.length; i++) data[i] = (i * 37 + (i % channels) * 91) & 255;
  return { width, height, channels, data };
}

async function expectInvalid(promise: Promise<unknown>, reason: string): Promise<void> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(isXqcError(error, 'XQC_IMAGE_INVALID')).toBe(true);
  expect((error as { details?: Record<string, unknown> }).details?.reason).toBe(reason);
}

describe('decodeImage', () => {
  it('round-trips PNG losslessly for gray, RGB and RGBA', async () => {
    for (const channels of [1, 3, 4] as const) {
      const image = gradient(13, 7, channels);
      const back = await decodeImage(await encodePng(image));
      expect(back.channels).toBe(channels);
      expect([back.width, back.height]).toEqual([13, 7]);
      expect(Buffer.from(back.data).equals(Buffer.from(image.data))).toBe(true);
    }
  });

  it('decodes JPEG, WebP and TIFF and reports the sniffed format', async () => {
    const image = gradient(16, 16, 3);
    const raw = Buffer.from(image.data);
    const inputs = {
      jpeg: await encodeJpeg(image, { quality: 95 }),
      webp: await sharp(raw, { raw: { width: 16, height: 16, channels: 3 } }).webp({ lossless: true }).toBuffer(),
      tiff: await sharp(raw, { raw: { width: 16, height: 16, channels: 3 } }).tiff({ compression: 'lzw' }).toBuffer(),
    };
    for (const [format, bytes] of Object.entries(inputs)) {
      const decoded = await decodeImageWithFormat(new Uint8Array(bytes));
      expect(decoded.format).toBe(format);
      expect([decoded.image.width, decoded.image.height, decoded.image.channels]).toEqual([16, 16, 3]);
      if (format !== 'jpeg') expect(Buffer.from(decoded.image.data).equals(raw)).toBe(true);
    }
  });

  it('rejects a truncated PNG with XQC_IMAGE_INVALID', async () => {
    const png = await encodePng(gradient(64, 64, 3));
    expect(sniffImageFormat(png)).toBe('png');
    await expectInvalid(decodeImage(png.subarray(0, Math.floor(png.length / 2))), 'corrupt');
  });

  it('rejects unknown bytes before decoding, and empty input', async () => {
    await expectInvalid(decodeImage(new TextEncoder().encode('GIF? no, plain text')), 'unsupported');
    await expectInvalid(decodeImage(new Uint8Array(0)), 'corrupt');
  });

  it('enforces the pixel limit', async () => {
    const png = await encodePng(gradient(40, 30, 1));
    await expectInvalid(decodeImage(png, { maxPixels: 1000 }), 'too-large');
    expect((await decodeImage(png, { maxPixels: 1200 })).width).toBe(40);
  });

  it('converts channels on request with BT.601 luma', async () => {
    const image: ImageU8 = { width: 1, height: 1, channels: 3, data: new Uint8Array([200, 100, 50]) };
    const gray = await decodeImage(await encodePng(image), { channels: 1 });
    expect(gray.channels).toBe(1);
    expect(gray.data[0]).toBe(Math.round(0.299 * 200 + 0.587 * 100 + 0.114 * 50));
  });

  it('refuses an image over the pixel limit from its header, with the numbers', async () => {
    const png = await encodePng(gradient(40, 30, 3));
    await expect(decodeImage(png, { maxPixels: 1000 })).rejects.toMatchObject({
      code: 'XQC_IMAGE_INVALID',
      message: 'the image is 40x30 = 1,200 pixels, over the limit of 1,000 pixels',
      details: { reason: 'too-large', width: 40, height: 30, pixels: 1200, maxPixels: 1000 },
    });
  });

  it('shrinks a large image while decoding to maxSide and reports the original size', async () => {
    const png = await encodePng(gradient(300, 120, 3));
    const d = await decodeImageWithFormat(png, { maxSide: 100 });
    expect([d.image.width, d.image.height, d.image.channels]).toEqual([100, 40, 3]);
    expect(d.original).toEqual({ width: 300, height: 120 });
    const small = await decodeImageWithFormat(png, { maxSide: 400 });
    expect([small.image.width, small.image.height]).toEqual([300, 120]);
    const gray = await decodeImage(await encodePng(gradient(64, 32, 1)), { maxSide: 16 });
    expect([gray.width, gray.height, gray.channels]).toEqual([16, 8, 1]);
    await expect(decodeImage(png, { maxSide: 0 })).rejects.toMatchObject({ code: 'XQC_INVALID_ARGUMENT' });
  });

  it('reads format and size from the header', async () => {
    expect(await readImageHeader(await encodeJpeg(gradient(33, 21, 3)))).toEqual({ format: 'jpeg', width: 33, height: 21 });
  });
});
