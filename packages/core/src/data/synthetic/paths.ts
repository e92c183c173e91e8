/** Random curves for scratches and cracks. */
import type { Point } from './raster.ts';
import type { Rng } from '../../util/random.ts';

/**
 * A smooth curve of `length` pixels centred on `centre`, grown both ways from it in unit
 * steps; the heading drifts by `curvature` per step plus Gaussian wiggle of sd `wiggle`.
 */
export function smoothCurve(rng: Rng, centre: Point, angle: number, length: number, curvature: number, wiggle: number): Point[] {
  const grow = (heading: number, bend: number): Point[] => {
    const out: Point[] = [];
    let { x, y } = centre;
    let turn = 0;
    for (let s = 0; s < length / 2; s++) {
      turn = 0.9 * turn + rng.normal(0, wiggle);
      heading += bend + turn;
      x += Math.cos(heading);
      y += Math.sin(heading);
      out.push({ x, y });
    }
    return out;
  };
  const forward = grow(angle, curvature);
  const backward = grow(angle + Math.PI, -curvature);
  return [...backward.reverse(), { ...centre }, ...forward];
}

/** One branch of a crack: its points and the stroke width at each. */
export interface Branch {
  points: Point[];
  widths: number[];
}

/**
 * A crack as a branching random walk: the heading is pulled back toward `angle` (mean
 * reversion 0.15) while taking Gaussian turns (sd `jitter`); at each step a side branch
 * starts with probability `branchProb`, up to `depth` levels, thinner and shorter.
 * Widths taper from `width` to 1 px, never below, so the 0.5-coverage mask stays connected.
 */
export function crackTree(rng: Rng, start: Point, angle: number, length: number, width: number, jitter: number, branchProb: number, depth: number): Branch[] {
  const branches: Branch[] = [];
  const walk = (from: Point, heading: number, len: number, w: number, level: number): void => {
    const points: Point[] = [{ ...from }];
    const widths: number[] = [w];
    let { x, y } = from;
    let h = heading;
    for (let s = 1; s <= len; s++) {
      h += 0.15 * (heading - h) + rng.normal(0, jitter);
      x += Math.cos(h);
      y += Math.sin(h);
      points.push({ x, y });
      widths.push(Math.max(1, w * (1 - (0.6 * s) / len)));
      if (level < depth && s > 3 && s < len - 3 && rng.chance(branchProb)) {
        const side = rng.chance(0.5) ? 1 : -1;
        walk({ x, y }, h + side * rng.uniform(0.35, 1.0), len * rng.uniform(0.2, 0.45), Math.max(1, w * 0.7), level + 1);
      }
    }
    branches.push({ points, widths });
  };
  walk(start, angle, length, width, 0);
  return branches;
}
