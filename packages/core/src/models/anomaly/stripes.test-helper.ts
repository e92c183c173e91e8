/**
 * Test images for the PatchCore tests: a noisy striped texture (random phase and
 * frequency from the seed), optionally with a dark disc, the defect, and its mask.
 */
import type { ImageU8 } from '../../image/image.types.ts';
import { uniformRng } from '../../util/random.ts';

/** Side of the test images. */
export const STRIPES_SIZE = 64;

/** A striped texture with noise; optionally a dark disc (the defect) at (cx, cy) of radius r. */
export function stripes(seed: number, defect?: [number, number, number]): { image: ImageU8; mask: Uint8Array } {
  const u = uniformRng(seed);
  const phase = u() * 6.28;
  const freq = 0.5 + 0.05 * u();
  const data = new Uint8Array(STRIPES_SIZE * STRIPES_SIZE * 3);
  const mask = new Uint8Array(STRIPES_SIZE * STRIPES_SIZE);
  for (let y = 0; y < STRIPES_SIZE; y++) {
    for (let x = 0; x < STRIPES_SIZE; x++) {
      let v = 128 + 50 * Math.sin(freq * x + phase) + 20 * (u() - 0.5);
      if (defect && Math.hypot(x - defect[0], y - defect[1]) < defect[2]) {
        v = 20;
        mask[y * STRIPES_SIZE + x] = 1;
      }
      for (let c = 0; c < 3; c++) data[(y * STRIPES_SIZE + x) * 3 + c] = Math.max(0, Math.min(255, Math.round(v)));
    }
  }
  return { image: { width: STRIPES_SIZE, height: STRIPES_SIZE, channels: 3, data }, mask };
}
