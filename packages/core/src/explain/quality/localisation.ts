/**
 * Localisation scores of a map against a ground-truth defect mask (nonzero = defect):
 * - pointing game (Zhang et al. 2018): a hit when the map's maximum lies within
 *   `tolerance` pixels (Euclidean) of a mask pixel; the paper uses 15 px at 224x224;
 * - energy in mask (Wang et al. 2020, Score-CAM): sum of max(map, 0) inside the mask over
 *   the sum of max(map, 0) everywhere, in [0, 1] (0 for a map with no positive mass).
 */
import { XqcError } from '../../errors.ts';
import type { ScalarMap } from '../../image/image.types.ts';

/** A binary mask [H, W]: nonzero marks the region. */
export interface MaskLike {
  width: number;
  height: number;
  data: ArrayLike<number>;
}

function checkSizes(map: ScalarMap, mask: MaskLike): void {
  if (map.width !== mask.width || map.height !== mask.height || mask.data.length !== mask.width * mask.height) {
    throw new XqcError('XQC_SHAPE_MISMATCH', `the map is ${map.width}x${map.height}; the mask is ${mask.width}x${mask.height}`);
  }
}

/** Outcome of {@link pointingGame}. */
export interface PointingResult {
  hit: boolean;
  /** The map's maximum (first in row-major order when tied). */
  x: number;
  y: number;
  /** Distance in pixels from the maximum to the nearest mask pixel (Infinity for an empty mask). */
  distance: number;
}

/** Pointing game of `map` against `mask` (see the module comment); `tolerance` in pixels, default 0. */
export function pointingGame(map: ScalarMap, mask: MaskLike, tolerance = 0): PointingResult {
  checkSizes(map, mask);
  let best = 0;
  for (let i = 1; i < map.data.length; i++) if (map.data[i] > map.data[best]) best = i;
  const x = best % map.width;
  const y = Math.floor(best / map.width);
  let d2 = Infinity;
  for (let i = 0; i < mask.data.length; i++) {
    if (!mask.data[i]) continue;
    const dx = (i % mask.width) - x;
    const dy = Math.floor(i / mask.width) - y;
    d2 = Math.min(d2, dx * dx + dy * dy);
  }
  const distance = Math.sqrt(d2);
  return { hit: distance <= tolerance, x, y, distance };
}

/** Share of the map's positive mass inside the mask, in [0, 1]. */
export function energyInMask(map: ScalarMap, mask: MaskLike): number {
  checkSizes(map, mask);
  let inside = 0;
  let total = 0;
  for (let i = 0; i < map.data.length; i++) {
    const v = Math.max(map.data[i], 0);
    total += v;
    if (mask.data[i]) inside += v;
  }
  return total > 0 ? inside / total : 0;
}
