import { createImage } from '../image/image.types.ts';
import type { ImageU8 } from '../image/image.types.ts';

/** A 64x64 diagonal texture, with a dark 30x3 scratch when `scratch` is given (its gray level): the anomaly tests' image. */
export function scratchedSurface(scratch?: number): ImageU8 {
  const img = createImage(64, 64, 3);
  for (let i = 0; i < 64 * 64; i++) {
    const v = 120 + (((i % 64) * 7 + Math.floor(i / 64) * 3) % 23);
    img.data.set([v, v, v], i * 3);
  }
  if (scratch !== undefined) for (let y = 30; y < 33; y++) for (let x = 14; x < 44; x++) img.data.set([scratch, scratch, scratch], (y * 64 + x) * 3);
  return img;
}
