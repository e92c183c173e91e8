/**
 * Reductions of per-element attributions [C, H, W] (planar, row-major) to one heatmap
 * [H, W], the form every explainer returns.
 */
import type { ScalarMap } from '../image/image.types.ts';
import type { ImageShape } from './explain-input.ts';

/** map[y, x] = max_c |a[c, y, x]| (saliency's channel reduction). */
export function maxAbsOverChannels(a: ArrayLike<number>, s: ImageShape): ScalarMap {
  const plane = s.height * s.width;
  const data = new Float32Array(plane);
  for (let c = 0; c < s.channels; c++) {
    for (let i = 0; i < plane; i++) {
      const v = Math.abs(a[c * plane + i]);
      if (v > data[i]) data[i] = v;
    }
  }
  return { width: s.width, height: s.height, data };
}

/** map[y, x] = sum_c a[c, y, x], signed (attribution methods that satisfy completeness). */
export function sumOverChannels(a: ArrayLike<number>, s: ImageShape): ScalarMap {
  const plane = s.height * s.width;
  const data = new Float32Array(plane);
  for (let c = 0; c < s.channels; c++) for (let i = 0; i < plane; i++) data[i] += a[c * plane + i];
  return { width: s.width, height: s.height, data };
}

/** |map| in place; returns the map. */
export function absMap(map: ScalarMap): ScalarMap {
  for (let i = 0; i < map.data.length; i++) map.data[i] = Math.abs(map.data[i]);
  return map;
}
