/** Encoding of {@link ImageU8} to PNG and JPEG bytes through sharp. */
import sharp from 'sharp';
import type { ImageU8 } from './image.types.ts';
import { assertImage } from './image.types.ts';

function pipelineOf(image: ImageU8): sharp.Sharp {
  assertImage(image);
  const input = Buffer.from(image.data.buffer, image.data.byteOffset, image.data.byteLength);
  const pipeline = sharp(input, { raw: { width: image.width, height: image.height, channels: image.channels } });
  // Without this sharp would write single-channel input as three identical channels.
  return image.channels === 1 ? pipeline.toColourspace('b-w') : pipeline;
}

function bytesOf(buffer: Buffer): Uint8Array {
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}

/**
 * Encodes `image` as a lossless PNG (gray, RGB or RGBA as the image has). The bytes are
 * deterministic for a given image and sharp version, which the dataset manifests rely on.
 * @param options.compressionLevel zlib level 0..9, default 6.
 */
export async function encodePng(image: ImageU8, options: { compressionLevel?: number } = {}): Promise<Uint8Array> {
  const buffer = await pipelineOf(image).png({ compressionLevel: options.compressionLevel ?? 6, adaptiveFiltering: false }).toBuffer();
  return bytesOf(buffer);
}

/**
 * Encodes `image` as a baseline JPEG (alpha is dropped).
 * @param options.quality 1..100, default 90; chroma is subsampled 4:2:0 below 90 and kept 4:4:4 from 90.
 */
export async function encodeJpeg(image: ImageU8, options: { quality?: number } = {}): Promise<Uint8Array> {
  const quality = options.quality ?? 90;
  const src = image.channels === 4 ? pipelineOf(image).removeAlpha() : pipelineOf(image);
  const buffer = await src.jpeg({ quality, chromaSubsampling: quality >= 90 ? '4:4:4' : '4:2:0', mozjpeg: false }).toBuffer();
  return bytesOf(buffer);
}
