/**
 * Combining and comparing the maps of several methods for one image.
 *
 * Normalisation (display, averaging): a = |map| ('abs') or max(map, 0) ('positive');
 * lo, hi = the 1st and 99.5th percentiles of a; out = clamp((a - lo) / (hi - lo), 0, 1).
 * Percentiles instead of min/max keep one hot pixel from flattening the rest.
 *
 * Consensus score in [0, 1] of maps M_1..M_m (m >= 2), on a 32x32 grid (area means):
 *   rho_ij = max(0, Spearman(M_i, M_j)),  iou_ij = IoU(top10%(M_i), top10%(M_j)),
 *   consensus = 0.5 * mean_{i<j} rho_ij + 0.5 * mean_{i<j} iou_ij.
 * Maps are compared as they are, signed: larger = more important, so a map and its
 * negative have rho = -1 (clipped to 0) and disjoint top regions: consensus 0. Identical
 * maps give 1. One map has consensus 1 by definition.
 * The consensus map is the pixel-wise mean (or median) of the 'positive'-normalised maps,
 * and each method's agreement is the same pairwise score between its 'positive'-normalised
 * map and the consensus map (so identical maps agree fully with their consensus).
 * See docs/explanations.md.
 */
import { XqcError } from '../errors.ts';
import { resizeMap } from '../image/image-resize.ts';
import type { ScalarMap } from '../image/image.types.ts';
import { iou, percentiles, spearman, topFraction } from './rank-stats.ts';

/** Options of {@link normalizeMap}. */
export interface NormalizeMapOptions {
  /** Lower clipping percentile of the magnitudes (default 1). */
  low: number;
  /** Upper clipping percentile (default 99.5). */
  high: number;
  /** 'abs' ranks |map| (default); 'positive' keeps only evidence for the target. */
  mode: 'abs' | 'positive';
}

/** Defaults of {@link normalizeMap}. */
export const NORMALIZE_MAP_DEFAULTS: Readonly<NormalizeMapOptions> = Object.freeze({ low: 1, high: 99.5, mode: 'abs' });

/**
 * Robust percentile normalisation to [0, 1] (see the module comment). When the upper
 * percentile equals the lower one (fewer than 0.5% of pixels carry mass) the maximum is
 * used instead; a map with no spread becomes all zeros.
 */
export function normalizeMap(map: ScalarMap, options: Partial<NormalizeMapOptions> = {}): ScalarMap {
  const o = { ...NORMALIZE_MAP_DEFAULTS, ...options };
  const a = new Float32Array(map.data.length);
  if (o.mode === 'abs') for (let i = 0; i < a.length; i++) a[i] = Math.abs(map.data[i]);
  else for (let i = 0; i < a.length; i++) a[i] = Math.max(map.data[i], 0);
  const [lo, high] = percentiles(a, [o.low, o.high]);
  let hi = high;
  if (!(hi > lo)) hi = a.reduce((m, v) => Math.max(m, v), -Infinity);
  const data = new Float32Array(a.length);
  if (hi > lo) for (let i = 0; i < a.length; i++) data[i] = Math.min(1, Math.max(0, (a[i] - lo) / (hi - lo)));
  return { width: map.width, height: map.height, data };
}

function checkSame(maps: readonly ScalarMap[]): void {
  if (maps.length === 0) throw new XqcError('XQC_INVALID_ARGUMENT', 'no maps to combine');
  for (const m of maps) {
    if (m.width !== maps[0].width || m.height !== maps[0].height) {
      throw new XqcError('XQC_SHAPE_MISMATCH', `maps differ in size: ${m.width}x${m.height} vs ${maps[0].width}x${maps[0].height}`);
    }
  }
}

/** Pixel-wise mean of maps of one size. */
export function meanMap(maps: readonly ScalarMap[]): ScalarMap {
  checkSame(maps);
  const data = new Float32Array(maps[0].data.length);
  for (let i = 0; i < data.length; i++) {
    let s = 0;
    for (const m of maps) s += m.data[i];
    data[i] = s / maps.length;
  }
  return { width: maps[0].width, height: maps[0].height, data };
}

/** Pixel-wise median of maps of one size (mean of the two middle values for an even count). */
export function medianMap(maps: readonly ScalarMap[]): ScalarMap {
  checkSame(maps);
  const data = new Float32Array(maps[0].data.length);
  const col = new Float64Array(maps.length);
  const mid = maps.length >> 1;
  for (let i = 0; i < data.length; i++) {
    for (let k = 0; k < maps.length; k++) col[k] = maps[k].data[i];
    col.sort();
    data[i] = maps.length % 2 ? col[mid] : (col[mid - 1] + col[mid]) / 2;
  }
  return { width: maps[0].width, height: maps[0].height, data };
}

/**
 * The map on a `size` x `size` grid: cell (u, v) is the mean of the source pixels in rows
 * [floor(v H / size), floor((v + 1) H / size)) and the matching columns. Maps smaller than
 * the grid on either side are resized bilinearly instead.
 */
export function downsampleMap(map: ScalarMap, size: number): ScalarMap {
  if (map.width === size && map.height === size) return map;
  if (map.width < size || map.height < size) return resizeMap(map, size, size);
  const data = new Float32Array(size * size);
  for (let v = 0; v < size; v++) {
    const y0 = Math.floor((v * map.height) / size);
    const y1 = Math.floor(((v + 1) * map.height) / size);
    for (let u = 0; u < size; u++) {
      const x0 = Math.floor((u * map.width) / size);
      const x1 = Math.floor(((u + 1) * map.width) / size);
      let s = 0;
      for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) s += map.data[y * map.width + x];
      data[v * size + u] = s / ((y1 - y0) * (x1 - x0));
    }
  }
  return { width: size, height: size, data };
}

/** Options of {@link consensus} and {@link agreement}. */
export interface ConsensusOptions {
  /** Side of the comparison grid (default 32). */
  grid: number;
  /** Fraction of pixels in each map's top region (default 0.1). */
  topFraction: number;
  /** How the consensus map combines the normalised maps (default 'mean'). */
  combine: 'mean' | 'median';
}

/** Defaults of {@link consensus}. */
export const CONSENSUS_DEFAULTS: Readonly<ConsensusOptions> = Object.freeze({ grid: 32, topFraction: 0.1, combine: 'mean' });

/** Agreement of two maps: clipped Spearman, top-region IoU and their mean. */
export interface Agreement {
  spearman: number;
  iou: number;
  /** 0.5 * max(0, spearman) + 0.5 * iou, in [0, 1]. */
  score: number;
}

/** The pairwise score of the module comment for two maps (any sizes; both go to the grid). */
export function agreement(a: ScalarMap, b: ScalarMap, options: Partial<ConsensusOptions> = {}): Agreement {
  const o = { ...CONSENSUS_DEFAULTS, ...options };
  return gridAgreement(downsampleMap(a, o.grid).data, downsampleMap(b, o.grid).data, o.topFraction);
}

function gridAgreement(a: Float32Array, b: Float32Array, fraction: number): Agreement {
  const rho = spearman(a, b);
  const overlap = iou(topFraction(a, fraction), topFraction(b, fraction));
  return { spearman: rho, iou: overlap, score: 0.5 * Math.max(0, rho) + 0.5 * overlap };
}

/** Result of {@link consensus}. */
export interface ConsensusResult {
  /** Consensus score in [0, 1]. */
  score: number;
  /** Mean over pairs of max(0, Spearman). */
  meanSpearman: number;
  /** Mean over pairs of the top-region IoU. */
  meanIou: number;
  /** Every pair (i < j) by input index. */
  pairs: ({ i: number; j: number } & Agreement)[];
  /** Consensus map at the maps' resolution, in [0, 1]. */
  map: ScalarMap;
  /** Agreement score of each input map ('positive'-normalised) with the consensus map, in input order. */
  agreement: number[];
}

/** Consensus of the maps of several methods for one image (see the module comment). */
export function consensus(maps: readonly ScalarMap[], options: Partial<ConsensusOptions> = {}): ConsensusResult {
  const o = { ...CONSENSUS_DEFAULTS, ...options };
  checkSame(maps);
  const grids = maps.map((m) => downsampleMap(m, o.grid).data);
  const pairs: ConsensusResult['pairs'] = [];
  for (let i = 0; i < maps.length; i++) for (let j = i + 1; j < maps.length; j++) pairs.push({ i, j, ...gridAgreement(grids[i], grids[j], o.topFraction) });
  const mean = (f: (p: Agreement) => number): number => (pairs.length ? pairs.reduce((s, p) => s + f(p), 0) / pairs.length : 1);
  const meanSpearman = mean((p) => Math.max(0, p.spearman));
  const meanIou = mean((p) => p.iou);
  const normalized = maps.map((m) => normalizeMap(m, { mode: 'positive' }));
  const map = o.combine === 'median' ? medianMap(normalized) : meanMap(normalized);
  const center = downsampleMap(map, o.grid).data;
  return {
    score: 0.5 * meanSpearman + 0.5 * meanIou,
    meanSpearman,
    meanIou,
    pairs,
    map,
    agreement: normalized.map((m) => gridAgreement(downsampleMap(m, o.grid).data, center, o.topFraction).score),
  };
}
