/**
 * A tiny deterministic defect simulator for the tests of the simulated-defect detector:
 * with probability 1/2 the crop stays good, else a dark disc of radius 2..6 px is painted
 * at a random place, its mask exact. Like the test images' defect (`stripes.test-helper.ts`).
 */
import type { ImageU8 } from '../../image/image.types.ts';
import type { Rng } from '../../util/random.ts';
import type { SimulatedSample } from '../../models/anomaly/simulated/simulated.types.ts';

/** See the module comment; the pool is unused. */
export function discSimulator(image: ImageU8, _pool: readonly ImageU8[], rng: Rng): SimulatedSample {
  const mask = new Uint8Array(image.width * image.height);
  if (rng.chance(0.5)) return { image, mask, kinds: [] };
  const data = Uint8Array.from(image.data);
  const r = rng.uniform(2, 6);
  const cx = rng.uniform(0, image.width);
  const cy = rng.uniform(0, image.height);
  for (let y = 0; y < image.height; y++) {
    for (let x = 0; x < image.width; x++) {
      if (Math.hypot(x - cx, y - cy) >= r) continue;
      mask[y * image.width + x] = 1;
      for (let c = 0; c < image.channels; c++) data[(y * image.width + x) * image.channels + c] = 20;
    }
  }
  return { image: { ...image, data }, mask, kinds: ['spot'] };
}
