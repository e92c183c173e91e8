/**
 * Pixel-level metrics of anomaly maps against ground-truth defect masks: pixel AUROC and
 * the per-region overlap (PRO) curve with its normalised area up to a false-positive rate
 * of 0.3, following the MVTec AD evaluation (Bergmann et al., IJCV 2021).
 *
 * PRO at a threshold is the mean, over every connected defect region of every image
 * (8-connectivity), of the fraction of the region's pixels scored at or above the
 * threshold; FPR is the fraction of defect-free pixels (over all images) at or above it.
 * The curve has one point per distinct score, starts at (0, 0) and ends at (1, 1); its area
 * up to `maxFpr` (the last segment cut by linear interpolation) is divided by `maxFpr`. The
 * MVTec script accumulates FPR in float32; this one keeps float64 throughout.
 */
import { connectedComponents } from './connected-components.ts';
import { metricInputError, requireFinite, requireNonEmpty, type NumberArray } from './metric-input.ts';
import { aurocFromRanked, groupDescending } from './ranking.ts';
import { sortPairs } from './sort-pairs.ts';

/** A row-major 2-D map: an anomaly map (scores) or a mask (nonzero = defect). */
export interface PixelMap {
  width: number;
  height: number;
  /** [height * width] */
  data: NumberArray;
}

function checkMaps(maps: readonly PixelMap[], masks: readonly PixelMap[]): number {
  if (maps.length === 0) throw metricInputError('no anomaly maps given; at least one image is needed');
  if (maps.length !== masks.length) {
    throw metricInputError(`maps and masks differ in length (${maps.length} vs ${masks.length})`);
  }
  let total = 0;
  for (let i = 0; i < maps.length; i++) {
    const m = maps[i];
    const g = masks[i];
    if (m.width !== g.width || m.height !== g.height) {
      throw metricInputError(`map ${i} is ${m.width}x${m.height} but its mask is ${g.width}x${g.height}`);
    }
    for (const [what, x] of [['map', m], ['mask', g]] as const) {
      if (x.data.length !== x.width * x.height) {
        throw metricInputError(`${what} ${i} has ${x.data.length} values for ${x.width}x${x.height} pixels`);
      }
    }
    requireNonEmpty(`map ${i}`, m.data);
    requireFinite(`map ${i}`, m.data);
    total += m.data.length;
  }
  return total;
}

/**
 * AUROC over all pixels of all images, a pixel being positive when its mask value is
 * nonzero. Throws when every pixel is defective or none is.
 */
export function pixelAuroc(maps: readonly PixelMap[], masks: readonly PixelMap[]): number {
  const total = checkMaps(maps, masks);
  const values = new Float64Array(total);
  const flags = new Uint32Array(total);
  let at = 0;
  for (let i = 0; i < maps.length; i++) {
    const m = maps[i].data;
    const g = masks[i].data;
    for (let j = 0; j < m.length; j++, at++) {
      values[at] = m[j];
      flags[at] = g[j] !== 0 ? 1 : 0;
    }
  }
  sortPairs(values, flags);
  return aurocFromRanked(groupDescending(values, flags));
}

/** The PRO curve, by increasing FPR. */
export interface ProCurve {
  /** [M] false-positive rate over defect-free pixels. */
  fpr: Float64Array;
  /** [M] mean per-region overlap. */
  pro: Float64Array;
}

/**
 * PRO curve as in the MVTec AD evaluation: points at each distinct score (descending),
 * with (0, 0) prepended and (1, 1) appended. Throws when there is no defect region or no
 * defect-free pixel.
 */
export function proCurve(maps: readonly PixelMap[], masks: readonly PixelMap[]): ProCurve {
  const total = checkMaps(maps, masks);
  const values = new Float64Array(total);
  // Payload 0 marks a defect-free pixel, r > 0 the global region index r.
  const region = new Uint32Array(total);
  const regionSize: number[] = [0];
  let okPixels = 0;
  let at = 0;
  for (let i = 0; i < maps.length; i++) {
    const { width, height } = maps[i];
    const comps = connectedComponents(masks[i].data, width, height);
    const offset = regionSize.length - 1;
    for (let r = 1; r <= comps.count; r++) regionSize.push(comps.sizes[r]);
    okPixels += comps.sizes[0];
    const m = maps[i].data;
    for (let j = 0; j < m.length; j++, at++) {
      values[at] = m[j];
      region[at] = comps.labels[j] === 0 ? 0 : comps.labels[j] + offset;
    }
  }
  const regions = regionSize.length - 1;
  if (regions === 0) throw metricInputError('PRO is undefined: the masks contain no defect region');
  if (okPixels === 0) throw metricInputError('PRO is undefined: the masks contain no defect-free pixel');
  sortPairs(values, region);
  const fpr: number[] = [0];
  const pro: number[] = [0];
  let fp = 0;
  let overlap = 0;
  for (let i = total - 1; i >= 0; i--) {
    const r = region[i];
    if (r === 0) fp++;
    else overlap += 1 / regionSize[r];
    if (i === 0 || values[i - 1] !== values[i]) {
      fpr.push(Math.min(1, fp / okPixels));
      pro.push(Math.min(1, overlap / regions));
    }
  }
  fpr.push(1);
  pro.push(1);
  return { fpr: Float64Array.from(fpr), pro: Float64Array.from(pro) };
}

/**
 * Trapezoidal area under y(x) for x from its first point up to `xMax`, the segment that
 * crosses `xMax` cut by linear interpolation (as the MVTec AD `trapezoid(x, y, x_max)`).
 * @param x [M] non-decreasing
 * @param y [M]
 */
export function trapezoidUpTo(x: Float64Array, y: Float64Array, xMax: number): number {
  let area = 0;
  for (let i = 1; i < x.length; i++) {
    const x0 = x[i - 1];
    const x1 = x[i];
    if (x1 <= xMax) {
      area += 0.5 * (y[i] + y[i - 1]) * (x1 - x0);
      continue;
    }
    if (x0 < xMax) {
      const yCut = y[i - 1] + ((y[i] - y[i - 1]) * (xMax - x0)) / (x1 - x0);
      area += 0.5 * (yCut + y[i - 1]) * (xMax - x0);
    }
    break;
  }
  return area;
}

/**
 * Normalised area under the PRO curve up to `maxFpr` (default 0.3): 1 is perfect
 * localisation, and a random scorer gets about `maxFpr / 2`.
 */
export function auPro(maps: readonly PixelMap[], masks: readonly PixelMap[], options: { maxFpr?: number } = {}): number {
  const maxFpr = options.maxFpr ?? 0.3;
  if (!(maxFpr > 0 && maxFpr <= 1)) throw metricInputError(`maxFpr must lie in (0, 1], got ${maxFpr}`);
  const curve = proCurve(maps, masks);
  return trapezoidUpTo(curve.fpr, curve.pro, maxFpr) / maxFpr;
}
