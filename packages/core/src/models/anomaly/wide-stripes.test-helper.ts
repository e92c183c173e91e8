/**
 * Wide test images for the tiling tests: a noisy striped texture of any size (random phase
 * and frequency from the seed), optionally with a dark disc, the defect, and its mask.
 */
import type { ImageU8 } from '../../image/image.types.ts';
import { uniformRng } from '../../util/random.ts';

/** A striped texture of `width x height` with noise; optionally a dark disc at (cx, cy) of radius r. */
export function wideStripes(seed: number, width: number, height: number, defect?: [number, number, number]): { image: ImageU8; mask: ImageU8 } {
  const u = uniformRng(seed);
  const phase = u() * 6.28;
  const freq = 0.5 + 0.05 * u();
  const data = new Uint8Array(width * height * 3);
  const mask = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let v = 128 + 50 * Math.sin(freq * x + phase) + 20 * (u() - 0.5);
      if (defect && Math.hypot(x - defect[0], y - defect[1]) < defect[2]) {
        v = 20;
        mask[y * width + x] = 1;
      }
      for (let c = 0; c < 3; c++) data[(y * width + x) * 3 + c] = Math.max(0, Math.min(255, Math.round(v)));
    }
  }
  return { image: { width, height, channels: 3, data }, mask: { width, height, channels: 1, data: mask } };
}
