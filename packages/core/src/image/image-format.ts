/** Recognises an encoded image by its leading bytes, before any decoder touches it; the pixel limit's refusal. */
import { XqcError } from '../errors.ts';

/** Encoded formats the engine can decode. */
export type ImageFormat = 'png' | 'jpeg' | 'webp' | 'tiff' | 'bmp' | 'gif';

/** File extensions (lower case, with dot) of every decodable format. */
export const IMAGE_EXTENSIONS: ReadonlySet<string> = new Set(['.png', '.jpg', '.jpeg', '.webp', '.tif', '.tiff', '.bmp', '.gif']);

function startsWith(bytes: Uint8Array, prefix: readonly number[], at = 0): boolean {
  if (bytes.length < at + prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (bytes[at + i] !== prefix[i]) return false;
  return true;
}

/**
 * The format named by the magic bytes of `bytes`, or `null` when none matches:
 * PNG `89 50 4E 47 0D 0A 1A 0A`, JPEG `FF D8 FF`, WebP `RIFF....WEBP`,
 * TIFF `II*\0` / `MM\0*`, BMP `BM`, GIF `GIF87a` / `GIF89a`.
 */
export function sniffImageFormat(bytes: Uint8Array): ImageFormat | null {
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'png';
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return 'jpeg';
  if (startsWith(bytes, [0x52, 0x49, 0x46, 0x46]) && startsWith(bytes, [0x57, 0x45, 0x42, 0x50], 8)) return 'webp';
  if (startsWith(bytes, [0x49, 0x49, 0x2a, 0x00]) || startsWith(bytes, [0x4d, 0x4d, 0x00, 0x2a])) return 'tiff';
  if (startsWith(bytes, [0x47, 0x49, 0x46, 0x38]) && (bytes[4] === 0x37 || bytes[4] === 0x39) && bytes[5] === 0x61) return 'gif';
  if (startsWith(bytes, [0x42, 0x4d]) && bytes.length >= 26) return 'bmp';
  return null;
}

/**
 * The refusal of an image over the pixel limit, with the numbers: its size, its pixel
 * count and the limit. `XQC_IMAGE_INVALID` with `details.reason` 'too-large'.
 */
export function pixelLimitError(width: number, height: number, maxPixels: number, format?: ImageFormat): XqcError {
  const n = (v: number): string => v.toLocaleString('en-US');
  return new XqcError('XQC_IMAGE_INVALID', `the image is ${width}x${height} = ${n(width * height)} pixels, over the limit of ${n(maxPixels)} pixels`, {
    details: { reason: 'too-large', format, width, height, pixels: width * height, maxPixels },
  });
}
