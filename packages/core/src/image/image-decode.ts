/** Decoding of encoded image bytes into {@link ImageU8}, through sharp (and a BMP reader). */
import sharp from 'sharp';
import { XqcError } from '../errors.ts';
import { decodeBmp } from './bmp-decode.ts';
import { convertChannels } from './image-channels.ts';
import type { ImageFormat } from './image-format.ts';
import { pixelLimitError, sniffImageFormat } from './image-format.ts';
import type { Channels, ImageU8 } from './image.types.ts';

/** Options of {@link decodeImage}. */
export interface DecodeOptions {
  /** Largest accepted `width * height`; larger images are refused from their header, before decoding. Default 100 megapixels. */
  maxPixels?: number;
  /**
   * Longest side of the decoded image: a larger image is shrunk while it is decoded
   * (libvips streams the rows and shrinks JPEG and WebP on load; Lanczos-3, aspect kept),
   * so its full-size pixels are never held in memory. Default: no limit.
   */
  maxSide?: number;
  /** Convert to this many channels (see `convertChannels`); default: keep gray as 1, colour as 3, alpha as 4. */
  channels?: Channels;
}

/** A decoded image, the format its bytes were in and its size before any shrinking. */
export interface DecodedImage {
  image: ImageU8;
  format: ImageFormat;
  /** Size of the encoded image after EXIF orientation (equals the image's size unless maxSide shrank it). */
  original: { width: number; height: number };
}

/** Format and size of encoded image bytes, read from the header only. */
export interface ImageHeader {
  format: ImageFormat;
  /** After EXIF orientation. */
  width: number;
  height: number;
}

/** Default of {@link DecodeOptions.maxPixels}. */
export const DEFAULT_MAX_PIXELS = 100_000_000;

function hexHead(bytes: Uint8Array): string {
  return Array.from(bytes.subarray(0, 8), (b) => b.toString(16).padStart(2, '0')).join(' ');
}

function sniff(bytes: Uint8Array): ImageFormat {
  if (!(bytes instanceof Uint8Array) || bytes.length === 0) {
    throw new XqcError('XQC_IMAGE_INVALID', 'image data is empty', { details: { reason: 'corrupt' } });
  }
  const format = sniffImageFormat(bytes);
  if (format === null) {
    throw new XqcError('XQC_IMAGE_INVALID', `unsupported or unrecognised image format (first bytes ${hexHead(bytes)})`, {
      details: { reason: 'unsupported' },
    });
  }
  return format;
}

function corrupt(format: ImageFormat, cause: unknown): XqcError {
  if (cause instanceof XqcError) return cause;
  const text = cause instanceof Error ? cause.message : String(cause);
  const reason = /pixel limit/i.test(text) ? 'too-large' : 'corrupt';
  return new XqcError('XQC_IMAGE_INVALID', `cannot decode ${format} image: ${text.split('\n')[0]}`, { cause, details: { reason, format } });
}

function buffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/**
 * The format and oriented size of encoded image bytes from their header, without decoding
 * pixels (a BMP is decoded, its rows being stored raw anyway).
 * @throws XQC_IMAGE_INVALID as {@link decodeImageWithFormat}
 */
export async function readImageHeader(bytes: Uint8Array, maxPixels = DEFAULT_MAX_PIXELS): Promise<ImageHeader> {
  const format = sniff(bytes);
  if (format === 'bmp') {
    const image = decodeBmp(bytes, maxPixels);
    return { format, width: image.width, height: image.height };
  }
  try {
    const meta = await sharp(buffer(bytes), { limitInputPixels: false, autoOrient: true }).metadata();
    return { format, width: meta.autoOrient.width, height: meta.autoOrient.height };
  } catch (cause) {
    throw corrupt(format, cause);
  }
}

/**
 * Decodes PNG, JPEG, WebP, TIFF, GIF (first frame) or BMP bytes to an 8-bit HWC image,
 * applying EXIF orientation. The format is recognised by its magic bytes first, so
 * unknown data fails fast, and the size is checked against `maxPixels` from the header.
 * With `maxSide`, a larger image is shrunk while decoding. 16-bit inputs are reduced to
 * 8 bits.
 * Throws `XQC_IMAGE_INVALID` (with `details.reason` one of `unsupported`, `corrupt`,
 * `too-large`; the last with the size, pixel count and limit in the message) on anything
 * that cannot be decoded.
 */
export async function decodeImageWithFormat(bytes: Uint8Array, options: DecodeOptions = {}): Promise<DecodedImage> {
  const maxPixels = options.maxPixels ?? DEFAULT_MAX_PIXELS;
  const maxSide = options.maxSide;
  if (maxSide !== undefined && !(Number.isInteger(maxSide) && maxSide >= 1)) {
    throw new XqcError('XQC_INVALID_ARGUMENT', `maxSide must be a positive integer, got ${maxSide}`);
  }
  const format = sniff(bytes);
  let image: ImageU8;
  let original: DecodedImage['original'];
  if (format === 'bmp') {
    image = decodeBmp(bytes, maxPixels);
    original = { width: image.width, height: image.height };
    if (maxSide !== undefined && Math.max(image.width, image.height) > maxSide) image = await shrinkRaw(image, maxSide);
  } else {
    try {
      const pipeline = sharp(buffer(bytes), { limitInputPixels: false, failOn: 'warning', autoOrient: true, sequentialRead: true });
      const meta = await pipeline.metadata();
      original = { width: meta.autoOrient.width, height: meta.autoOrient.height };
      if (original.width * original.height > maxPixels) throw pixelLimitError(original.width, original.height, maxPixels, format);
      // sharp outputs sRGB unless told otherwise, which would triple single-channel images.
      if (meta.channels === 1) pipeline.toColourspace('b-w');
      if (maxSide !== undefined && Math.max(original.width, original.height) > maxSide) {
        pipeline.resize({ width: maxSide, height: maxSide, fit: 'inside' });
      }
      const { data, info } = await pipeline.raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
      if (info.channels !== 1 && info.channels !== 3 && info.channels !== 4) {
        throw new Error(`decoder produced ${info.channels} channels`);
      }
      image = { width: info.width, height: info.height, channels: info.channels, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
    } catch (cause) {
      throw corrupt(format, cause);
    }
  }
  return { image: options.channels ? convertChannels(image, options.channels) : image, format, original };
}

/** A decoded image shrunk so its longer side is `maxSide` (Lanczos-3, aspect kept), as the decoder shrinks. */
async function shrinkRaw(image: ImageU8, maxSide: number): Promise<ImageU8> {
  const { data, info } = await sharp(buffer(image.data), { raw: { width: image.width, height: image.height, channels: image.channels } })
    .resize({ width: maxSide, height: maxSide, fit: 'inside' })
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, channels: image.channels, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
}

/** Like {@link decodeImageWithFormat}, returning only the image. */
export async function decodeImage(bytes: Uint8Array, options: DecodeOptions = {}): Promise<ImageU8> {
  return (await decodeImageWithFormat(bytes, options)).image;
}
