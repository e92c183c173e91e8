/** Turning coverage layers into mask pixels and instance records. */
import type { SyntheticInstance } from './synthetic.types.ts';

/**
 * Writes `classId` into `mask` where `layer >= 0.5` and returns the instance's record
 * (area and tight box of those pixels), or null when the shape missed every pixel.
 */
export function stampInstance(mask: Uint8Array, layer: Float32Array, width: number, classId: number, type: string): SyntheticInstance | null {
  let area = 0;
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  for (let i = 0; i < layer.length; i++) {
    if (layer[i] < 0.5) continue;
    mask[i] = classId;
    area++;
    const x = i % width;
    const y = (i - x) / width;
    if (x < x0) x0 = x;
    if (x > x1) x1 = x;
    if (y < y0) y0 = y;
    if (y > y1) y1 = y;
  }
  return area === 0 ? null : { type, classId, area, box: { x0, y0, x1: x1 + 1, y1: y1 + 1 } };
}

/** Pixels per class id in a mask, as an array indexed by class id. */
export function classAreas(mask: Uint8Array, classCount: number): number[] {
  const areas = new Array<number>(classCount).fill(0);
  for (let i = 0; i < mask.length; i++) areas[mask[i]]++;
  return areas;
}

/** Mean of the first three channels of `data` (HWC, `channels` per pixel) over pixels where `layer > 0.05`. */
export function meanUnder(data: Float32Array, channels: number, layer: Float32Array): number {
  let sum = 0;
  let n = 0;
  for (let i = 0; i < layer.length; i++) {
    if (layer[i] <= 0.05) continue;
    for (let c = 0; c < Math.min(channels, 3); c++) sum += data[i * channels + c];
    n += Math.min(channels, 3);
  }
  return n === 0 ? 0.5 : sum / n;
}
