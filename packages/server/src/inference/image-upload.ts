/**
 * Checks an uploaded image before anything is queued or stored: not empty, a supported
 * format by its magic bytes (never by file name or declared content type), and, for PNG
 * and JPEG, a pixel count within the limit read from the header alone, so a small file
 * that claims 60000 x 60000 pixels is refused before a decoder allocates anything. Other
 * formats are bounded by the decoder's own pixel limit (also checked before decoding).
 */
import { sniffImageFormat } from '@xai-qc/core';
import type { ImageFormat } from '@xai-qc/core';
import { ApiError } from '../errors/api-error.ts';

/** Formats the API accepts, with their media types. */
export const IMAGE_MEDIA_TYPES: Readonly<Record<ImageFormat, string>> = Object.freeze({
  png: 'image/png',
  jpeg: 'image/jpeg',
  webp: 'image/webp',
  tiff: 'image/tiff',
  bmp: 'image/bmp',
  gif: 'image/gif',
});

/** Default largest image: 40 megapixels (a 7296 x 5472 sensor). */
export const DEFAULT_MAX_IMAGE_PIXELS = 40_000_000;

/** What the header says about an accepted upload. */
export interface UploadInfo {
  format: ImageFormat;
  mediaType: string;
  /** From the header when the format's header was read (PNG, JPEG). */
  width?: number;
  height?: number;
}

/** Width and height from a PNG IHDR chunk, or undefined when the header is cut short. */
function pngSize(b: Uint8Array): { width: number; height: number } | undefined {
  if (b.length < 24) return undefined;
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  return { width: v.getUint32(16), height: v.getUint32(20) };
}

/** Width and height from the first JPEG start-of-frame marker, or undefined when none is found. */
function jpegSize(b: Uint8Array): { width: number; height: number } | undefined {
  let i = 2;
  while (i + 9 < b.length) {
    if (b[i] !== 0xff) return undefined;
    const marker = b[i + 1];
    if (marker === 0xff) {
      i++;
      continue;
    }
    if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      i += 2;
      continue;
    }
    const length = (b[i + 2] << 8) | b[i + 3];
    // SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC) carry the frame size.
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return { height: (b[i + 5] << 8) | b[i + 6], width: (b[i + 7] << 8) | b[i + 8] };
    }
    i += 2 + length;
  }
  return undefined;
}

/**
 * Validates an upload's bytes.
 * @param field name of the form field, for the error messages.
 * @throws ApiError 400 XQC_UPLOAD_EMPTY, 415 XQC_IMAGE_UNSUPPORTED, 413 XQC_IMAGE_TOO_LARGE.
 */
export function checkImageUpload(bytes: Uint8Array, maxPixels: number, field = 'image'): UploadInfo {
  if (bytes.length === 0) throw new ApiError(400, 'XQC_UPLOAD_EMPTY', `${field}: the file is empty (0 bytes)`);
  const format = sniffImageFormat(bytes);
  if (format === null) {
    throw new ApiError(415, 'XQC_IMAGE_UNSUPPORTED', `${field}: not a supported image (recognised by content: ${Object.keys(IMAGE_MEDIA_TYPES).join(', ')})`);
  }
  const size = format === 'png' ? pngSize(bytes) : format === 'jpeg' ? jpegSize(bytes) : undefined;
  if (size && size.width * size.height > maxPixels) {
    throw new ApiError(413, 'XQC_IMAGE_TOO_LARGE', `${field}: ${size.width} x ${size.height} pixels exceeds the limit of ${maxPixels} pixels`);
  }
  return { format, mediaType: IMAGE_MEDIA_TYPES[format], ...size };
}
