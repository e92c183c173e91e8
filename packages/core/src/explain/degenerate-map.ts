/**
 * Maps that carry no explanation. A map is degenerate when it holds a non-finite value
 * (NaN or +-Infinity: the method's arithmetic broke down), when it is zero everywhere
 * (for Grad-CAM: no channel of the layer has positive evidence), when it is constant
 * (max - min <= 1e-6 * max(|min|, |max|): no pixel ranks above another), or when no value
 * is positive (every drawing and the aggregate keep only evidence for the target, so such
 * a map would be drawn blank). Degenerate maps are flagged with the reason, drawn with a
 * notice, and left out of the aggregate and the consensus.
 */
import type { ScalarMap } from '../image/image.types.ts';

/** Why a map is degenerate. */
export interface DegenerateMap {
  reason: 'non-finite' | 'all-zero' | 'constant' | 'no-positive';
  /** One sentence for people: what is wrong and what it means. */
  message: string;
}

/** Relative spread below which a map counts as constant. */
export const CONSTANT_TOLERANCE = 1e-6;

/**
 * Checks `map` [h, w] float32 (see the module comment).
 * @returns the reason, or undefined for a usable map
 */
export function degenerateMap(map: ScalarMap): DegenerateMap | undefined {
  let bad = 0;
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < map.data.length; i++) {
    const v = map.data[i];
    if (!Number.isFinite(v)) {
      bad++;
      continue;
    }
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const n = map.data.length;
  if (bad > 0) return { reason: 'non-finite', message: `${bad} of ${n} values are NaN or infinite` };
  if (lo === 0 && hi === 0) return { reason: 'all-zero', message: 'the map is zero everywhere: no pixel carries evidence for the target' };
  if (hi - lo <= CONSTANT_TOLERANCE * Math.max(Math.abs(lo), Math.abs(hi))) {
    return { reason: 'constant', message: `the map is constant (${hi.toPrecision(4)}): no pixel ranks above another` };
  }
  if (hi <= 0) return { reason: 'no-positive', message: 'no value is positive: the map holds no evidence for the target' };
  return undefined;
}
