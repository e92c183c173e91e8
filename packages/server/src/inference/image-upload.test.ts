import { describe, expect, it } from 'vitest';
import { encodeJpeg, encodePng } from '@xai-qc/core';
import { checkImageUpload } from './image-upload.ts';

const image = { width: 40, height: 30, channels: 3 as const, data: new Uint8Array(40 * 30 * 3).fill(90) };

describe('checkImageUpload', () => {
  it('reads PNG and JPEG sizes from their headers', async () => {
    expect(checkImageUpload(await encodePng(image), 1e6)).toEqual({ format: 'png', mediaType: 'image/png', width: 40, height: 30 });
    expect(checkImageUpload(await encodeJpeg(image), 1e6)).toEqual({ format: 'jpeg', mediaType: 'image/jpeg', width: 40, height: 30 });
  });

  it('refuses an image above the pixel limit from its header alone, naming the size and the limit', async () => {
    const jpeg = await encodeJpeg(image);
    const png = await encodePng(image);
    expect(() => checkImageUpload(jpeg, 1199)).toThrow(/40 x 30 pixels exceeds the limit of 1199 pixels/);
    expect(() => checkImageUpload(png, 1199)).toThrow(expect.objectContaining({ status: 413, code: 'XQC_IMAGE_TOO_LARGE' }));
  });

  it('refuses empty and unrecognised bytes with the valid formats named', () => {
    expect(() => checkImageUpload(new Uint8Array(0), 1e6, 'image[2]')).toThrow(expect.objectContaining({ status: 400, code: 'XQC_UPLOAD_EMPTY', message: 'image[2]: the file is empty (0 bytes)' }));
    expect(() => checkImageUpload(new TextEncoder().encode('%PDF-1.7'), 1e6)).toThrow(expect.objectContaining({ status: 415, code: 'XQC_IMAGE_UNSUPPORTED' }));
    expect(() => checkImageUpload(new TextEncoder().encode('%PDF-1.7'), 1e6)).toThrow(/png, jpeg, webp, tiff, bmp, gif/);
  });

  it('leaves a header cut short to the decoder (it fails there as corrupt)', async () => {
    const png = await encodePng(image);
    expect(checkImageUpload(png.subarray(0, 12), 1e6)).toEqual({ format: 'png', mediaType: 'image/png' });
  });
});
