/**
 * Features read off an anomaly map (for PatchCore: every pixel holds the distance of its
 * patch to the nearest normal patch of the memory bank): how far the image is from normal
 * on average and at worst, and how much of it is past the pixel threshold.
 */
import { XqcError } from '../../errors.ts';
import { assertScalarMap } from '../../image/image.types.ts';
import type { ScalarMap } from '../../image/image.types.ts';

function finiteMap(map: ScalarMap): Float32Array {
  assertScalarMap(map, 'anomaly map');
  const d = map.data;
  for (let i = 0; i < d.length; i++) {
    if (!Number.isFinite(d[i])) throw new XqcError('XQC_INVALID_ARGUMENT', `anomaly map value ${i} is ${d[i]}; every value must be finite`);
  }
  return d;
}

/**
 * Mean and maximum of the anomaly map, in the map's own units (patch distances):
 *   mean = (1 / HW) sum_p a_p,  max = max_p a_p.
 * @param map anomaly map [H, W] float32
 */
export function patchDistanceStats(map: ScalarMap): { mean: number; max: number } {
  const d = finiteMap(map);
  let sum = 0;
  let max = -Infinity;
  for (let i = 0; i < d.length; i++) {
    sum += d[i];
    if (d[i] > max) max = d[i];
  }
  return { mean: sum / d.length, max };
}

/**
 * Defect area: the share of map pixels at or above the pixel threshold, in [0, 1] (the
 * fraction of the image the segmentation marks as defective; "at or above" as in the
 * card's thresholds and the pixel metrics).
 * @param map anomaly map [H, W] float32
 * @param pixelThreshold finite threshold in the map's units
 */
export function defectArea(map: ScalarMap, pixelThreshold: number): number {
  if (!Number.isFinite(pixelThreshold)) throw new XqcError('XQC_INVALID_ARGUMENT', `pixel threshold must be finite, got ${pixelThreshold}`);
  const d = finiteMap(map);
  let count = 0;
  for (let i = 0; i < d.length; i++) if (d[i] >= pixelThreshold) count++;
  return count / d.length;
}
