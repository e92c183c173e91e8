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
  /**
   * Significant bits of 16-bit images (8..16): a sample v becomes `round(v * 255 / (2^bits - 1))`,
   * clipped. Default: inferred per image ({@link significantBits}). Set it when a dataset's
   * images come from one sensor, so that a dark image is not brightened.
   */
  significantBits?: number;
}

/** A decoded image, the format its bytes were in and its size before any shrinking. */
export interface DecodedImage {
  image: ImageU8;
  format: ImageFormat;
  /** Size of the encoded image after EXIF orientation (equals the image's size unless maxSide shrank it). */
  original: { width: number; height: number };
  /** Bits per sample of the encoded image (8 or 16) and, for 16, the significant bits its 8-bit mapping used. */
  depth: { bits: 8 | 16; significantBits: number };
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
 * With `maxSide`, a larger image is shrunk while decoding. Gray stays one channel (16-bit
 * gray with alpha too, its alpha dropped). 16-bit PNG and TIFF are read at 16 bits and
 * mapped to 8 by their significant bits (`options.significantBits`, else
 * {@link significantBits}), so 12-bit data in a 16-bit container keeps its contrast.
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
  const fixedBits = options.significantBits;
  if (fixedBits !== undefined && !(Number.isInteger(fixedBits) && fixedBits >= 8 && fixedBits <= 16)) {
    throw new XqcError('XQC_INVALID_ARGUMENT', `significantBits must be an integer in 8..16, got ${fixedBits}`);
  }
  let image: ImageU8;
  let original: DecodedImage['original'];
  let depth: DecodedImage['depth'] = { bits: 8, significantBits: 8 };
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
      const wide = meta.depth === 'ushort';
      // sharp outputs 8-bit sRGB unless told otherwise, which would triple single-channel
      // images and take the top byte of 16-bit samples (12-bit data would span 0..16).
      if (wide) pipeline.toColourspace((meta.channels ?? 3) <= 2 ? 'grey16' : 'rgb16');
      else if (meta.channels === 1) pipeline.toColourspace('b-w');
      if (maxSide !== undefined && Math.max(original.width, original.height) > maxSide) {
        pipeline.resize({ width: maxSide, height: maxSide, fit: 'inside' });
      }
      const { data, info } = await pipeline.raw({ depth: wide ? 'ushort' : 'uchar' }).toBuffer({ resolveWithObject: true });
      if (wide) {
        const samples = new Uint16Array(data.buffer, data.byteOffset, data.byteLength / 2);
        const bits = fixedBits ?? significantBits(samples, info.channels);
        depth = { bits: 16, significantBits: bits };
        image = from16(samples, info.width, info.height, info.channels, bits);
      } else {
        if (info.channels !== 1 && info.channels !== 3 && info.channels !== 4) {
          throw new Error(`decoder produced ${info.channels} channels`);
        }
        image = { width: info.width, height: info.height, channels: info.channels, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
      }
    } catch (cause) {
      throw corrupt(format, cause);
    }
  }
  return { image: options.channels ? convertChannels(image, options.channels) : image, format, original, depth };
}

/** Sensor depths a 16-bit container commonly holds, smallest first. */
const SENSOR_BITS = [10, 12, 14, 16] as const;

/**
 * The significant bits of 16-bit samples: the smallest common sensor depth (10, 12, 14 or 16
 * bits) that holds the largest sample. 12-bit data stored in a 16-bit PNG or TIFF (values
 * 0..4095) thus maps to 0..255 with its contrast kept, where taking the top byte would leave
 * it 0..15; full-range 16-bit data maps as `v >> 8` would (up to rounding). With 2 or 4
 * interleaved `channels` the last one (alpha) is not counted.
 */
export function significantBits(samples: Uint16Array, channels = 1): number {
  const alpha = channels === 2 || channels === 4;
  let max = 0;
  for (let i = 0; i < samples.length; i++) if (samples[i] > max && !(alpha && i % channels === channels - 1)) max = samples[i];
  return SENSOR_BITS.find((b) => max < 2 ** b) ?? 16;
}

/** 16-bit interleaved samples to an 8-bit image: v * 255 / (2^bits - 1), rounded and clipped; gray + alpha loses its alpha. */
function from16(samples: Uint16Array, width: number, height: number, channels: number, bits: number): ImageU8 {
  const scale = 255 / (2 ** bits - 1);
  const keep = channels === 2 ? 1 : channels;
  if (keep !== 1 && keep !== 3 && keep !== 4) throw new Error(`decoder produced ${channels} channels`);
  const out = new Uint8Array(width * height * keep);
  for (let p = 0, o = 0; p < width * height; p++) {
    for (let c = 0; c < keep; c++) out[o++] = Math.min(255, Math.round(samples[p * channels + c] * scale));
  }
  return { width, height, channels: keep, data: out };
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
