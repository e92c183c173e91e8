/** Conversions between gray, RGB and RGBA interleaved images. */
import type { Channels, ImageU8 } from './image.types.ts';
import { assertImage } from './image.types.ts';

/**
 * BT.601 luma, the weights OpenCV and PIL use for RGB -> gray:
 * `Y = 0.299 R + 0.587 G + 0.114 B`, rounded to the nearest integer.
 */
export function luma(r: number, g: number, b: number): number {
  return Math.round(0.299 * r + 0.587 * g + 0.114 * b);
}

/**
 * Converts `image` to `channels` channels. Gray is replicated to RGB; RGB collapses to
 * gray by {@link luma}; alpha is dropped (not composited) or added as opaque 255.
 * Returns the input itself when it already has `channels` channels.
 */
export function convertChannels(image: ImageU8, channels: Channels): ImageU8 {
  assertImage(image);
  if (image.channels === channels) return image;
  const n = image.width * image.height;
  const src = image.data;
  const sc = image.channels;
  const out = new Uint8Array(n * channels);
  for (let i = 0; i < n; i++) {
    const s = i * sc;
    const r = src[s];
    const g = sc === 1 ? r : src[s + 1];
    const b = sc === 1 ? r : src[s + 2];
    const o = i * channels;
    if (channels === 1) {
      out[o] = luma(r, g, b);
    } else {
      out[o] = r;
      out[o + 1] = g;
      out[o + 2] = b;
      if (channels === 4) out[o + 3] = sc === 4 ? src[s + 3] : 255;
    }
  }
  return { width: image.width, height: image.height, channels, data: out };
}
