/** Decoding of encoded image bytes into {@link ImageU8}, through sharp (and a BMP reader). */
import sharp from 'sharp';
import { XqcError } from '../errors.ts';
import { decodeBmp } from './bmp-decode.ts';
import { convertChannels } from './image-channels.ts';
import type { ImageFormat } from './image-format.ts';
import { sniffImageFormat } from './image-format.ts';
import type { Channels, ImageU8 } from './image.types.ts';

/** Options of {@link decodeImage}. */
export interface DecodeOptions {
  /** Largest accepted `width * height`; larger images are refused before decoding. Default 100 megapixels. */
  maxPixels?: number;
  /** Convert to this many channels (see `convertChannels`); default: keep gray as 1, colour as 3, alpha as 4. */
  channels?: Channels;
}

/** A decoded image and the format its bytes were in. */
export interface DecodedImage {
  image: ImageU8;
  format: ImageFormat;
}

/** Default of {@link DecodeOptions.maxPixels}. */
export const DEFAULT_MAX_PIXELS = 100_000_000;

function hexHead(bytes: Uint8Array): string {
  return Array.from(bytes.subarray(0, 8), (b) => b.toString(16).padStart(2, '0')).join(' ');
}

/**
 * Decodes PNG, JPEG, WebP, TIFF, GIF (first frame) or BMP bytes to an 8-bit HWC image,
 * applying EXIF orientation. The format is recognised by its magic bytes first, so
 * unknown data fails fast. 16-bit inputs are reduced to 8 bits.
 * Throws `XQC_IMAGE_INVALID` (with `details.reason` one of `unsupported`, `corrupt`,
 * `too-large`) on anything that cannot be decoded.
 */
export async function decodeImageWithFormat(bytes: Uint8Array, options: DecodeOptions = {}): Promise<DecodedImage> {
  const maxPixels = options.maxPixels ?? DEFAULT_MAX_PIXELS;
  if (!(bytes instanceof Uint8Array) || bytes.length === 0) {
    throw new XqcError('XQC_IMAGE_INVALID', 'image data is empty', { details: { reason: 'corrupt' } });
  }
  const format = sniffImageFormat(bytes);
  if (format === null) {
    throw new XqcError('XQC_IMAGE_INVALID', `unsupported or unrecognised image format (first bytes ${hexHead(bytes)})`, {
      details: { reason: 'unsupported' },
    });
  }
  let image: ImageU8;
  if (format === 'bmp') {
    image = decodeBmp(bytes, maxPixels);
  } else {
    const input = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    try {
      const pipeline = sharp(input, { limitInputPixels: maxPixels, failOn: 'warning', autoOrient: true });
      const meta = await pipeline.metadata();
      // sharp outputs sRGB unless told otherwise, which would triple single-channel images.
      if (meta.channels === 1) pipeline.toColourspace('b-w');
      const { data, info } = await pipeline.raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
      if (info.channels !== 1 && info.channels !== 3 && info.channels !== 4) {
        throw new Error(`decoder produced ${info.channels} channels`);
      }
      image = { width: info.width, height: info.height, channels: info.channels, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
    } catch (cause) {
      const text = cause instanceof Error ? cause.message : String(cause);
      const reason = /pixel limit/i.test(text) ? 'too-large' : 'corrupt';
      throw new XqcError('XQC_IMAGE_INVALID', `cannot decode ${format} image: ${text.split('\n')[0]}`, { cause, details: { reason, format } });
    }
  }
  return { image: options.channels ? convertChannels(image, options.channels) : image, format };
}

/** Like {@link decodeImageWithFormat}, returning only the image. */
export async function decodeImage(bytes: Uint8Array, options: DecodeOptions = {}): Promise<ImageU8> {
  return (await decodeImageWithFormat(bytes, options)).image;
}
