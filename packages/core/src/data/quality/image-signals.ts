/**
 * Per-image figures the quality report works from, computed once per decoded image so a
 * caller can decode, measure and drop each image (10,000 images never sit in memory at once).
 */
import { convertChannels } from '../../image/image-channels.ts';
import type { ImageU8 } from '../../image/image.types.ts';
import { dHash, pHash } from './perceptual-hash.ts';

/** What the report needs of one image. */
export interface DatasetImageSignals {
  /** Size of the stored file's image in pixels (before any shrinking on decode). */
  width: number;
  height: number;
  /** Mean BT.601 gray level, 0..255. */
  meanGray: number;
  /** Variance of the 4-neighbour Laplacian `[0 1 0; 1 -4 1; 0 1 0]` of the gray image over interior pixels (OpenCV `Laplacian(ksize=1).var()`); low = blurred. */
  laplacianVariance: number;
  /** 64-bit dHash, 16 hex digits. */
  dHash: string;
  /** 64-bit pHash, 16 hex digits. */
  pHash: string;
}

/**
 * Measures `image` (8-bit, 1/3/4 channels). Cost O(width * height).
 * @param size the file's original size when `image` was shrunk while decoding (default the image's own)
 */
export function datasetImageSignals(image: ImageU8, size?: { width: number; height: number }): DatasetImageSignals {
  const g = convertChannels(image, 1);
  const { width: w, height: h, data } = g;
  let sum = 0;
  for (let i = 0; i < data.length; i++) sum += data[i];
  let n = 0;
  let s1 = 0;
  let s2 = 0;
  for (let y = 1; y < h - 1; y++) {
    for (let x = 1; x < w - 1; x++) {
      const i = y * w + x;
      const v = data[i - 1] + data[i + 1] + data[i - w] + data[i + w] - 4 * data[i];
      s1 += v;
      s2 += v * v;
      n++;
    }
  }
  const mean = n > 0 ? s1 / n : 0;
  return {
    width: size?.width ?? image.width,
    height: size?.height ?? image.height,
    meanGray: sum / data.length,
    laplacianVariance: n > 0 ? Math.max(0, s2 / n - mean * mean) : 0,
    dHash: dHash(g),
    pHash: pHash(g),
  };
}
