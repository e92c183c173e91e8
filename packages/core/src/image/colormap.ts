/**
 * Colormaps as 256-entry RGB lookup tables, computed from their published definitions:
 * jet from matplotlib's piecewise-linear anchor points, viridis and inferno from Matt
 * Zucker's degree-6 polynomial fits of the matplotlib maps, turbo from Google's
 * polynomial approximation (Mikhailov, Du, 2019).
 */
import { XqcError } from '../errors.ts';
import type { ImageU8, Rgb, ScalarMap } from './image.types.ts';
import { assertScalarMap } from './image.types.ts';

/** Names of the built-in colormaps. */
export const COLORMAP_NAMES = ['jet', 'viridis', 'inferno', 'turbo'] as const;
/** A built-in colormap. */
export type ColormapName = (typeof COLORMAP_NAMES)[number];

type Anchors = readonly (readonly [number, number])[];

/** matplotlib `_jet_data`: (x, value) anchors per channel, linear in between. */
const JET: readonly [Anchors, Anchors, Anchors] = [
  [[0, 0], [0.35, 0], [0.66, 1], [0.89, 1], [1, 0.5]],
  [[0, 0], [0.125, 0], [0.375, 1], [0.64, 1], [0.91, 0], [1, 0]],
  [[0, 0.5], [0.11, 1], [0.34, 1], [0.65, 0], [1, 0]],
];

/** Polynomial coefficients c0..c6 per channel: `v(t) = sum_k c_k t^k`. */
type Poly = readonly [readonly number[], readonly number[], readonly number[]];

const VIRIDIS: Poly = [
  [0.2777273272234177, 0.1050930431085774, -0.3308618287255563, -4.634230498983486, 6.228269936347081, 4.776384997670288, -5.435455855934631],
  [0.005407344544966578, 1.404613529898575, 0.214847559468213, -5.799100973351585, 14.17993336680509, -13.74514537774601, 4.645852612178535],
  [0.3340998053353061, 1.384590162594685, 0.09509516302823659, -19.33244095627987, 56.69055260068105, -65.35303263337234, 26.3124352495832],
];

const INFERNO: Poly = [
  [0.0002189403691192265, 0.1065134194856116, 11.60249308247187, -41.70399613139459, 77.162935699427, -71.31942824499214, 25.13112622477341],
  [0.001651004631001012, 0.5639564367884091, -3.972853965665698, 17.43639888205313, -33.40235894210092, 32.62606426397723, -12.24266895238567],
  [-0.01948089843709184, 3.932712388889277, -15.9423941062914, 44.35414519872813, -81.80730925738993, 73.20951985803202, -23.07032500287172],
];

/** Turbo, degree 5: the `kRedVec4/kRedVec2` (and green, blue) coefficients in ascending powers. */
const TURBO: Poly = [
  [0.13572138, 4.6153926, -42.66032258, 132.13108234, -152.94239396, 59.28637943],
  [0.09140261, 2.19418839, 4.84296658, -14.18503333, 4.27729857, 2.82956604],
  [0.1066733, 12.64194608, -60.58204836, 110.36276771, -89.90310912, 27.34824973],
];

function piecewise(anchors: Anchors, t: number): number {
  for (let i = 1; i < anchors.length; i++) {
    const [x1, v1] = anchors[i];
    if (t <= x1) {
      const [x0, v0] = anchors[i - 1];
      return v0 + ((v1 - v0) * (t - x0)) / (x1 - x0);
    }
  }
  return anchors[anchors.length - 1][1];
}

function horner(coefficients: readonly number[], t: number): number {
  let v = 0;
  for (let k = coefficients.length - 1; k >= 0; k--) v = v * t + coefficients[k];
  return v;
}

function evaluate(name: ColormapName, t: number, c: number): number {
  switch (name) {
    case 'jet':
      return piecewise(JET[c], t);
    case 'viridis':
      return horner(VIRIDIS[c], t);
    case 'inferno':
      return horner(INFERNO[c], t);
    case 'turbo':
      return horner(TURBO[c], t);
  }
}

const cache = new Map<ColormapName, Uint8Array>();

/**
 * The 256-entry lookup table of `name` as a `Uint8Array(768)`: entry i (RGB at
 * `3i..3i+2`) is the map at `t = i / 255`, clamped to 0..1 and rounded to 0..255.
 * Tables are built once and shared; treat them as read-only.
 */
export function colormapLut(name: ColormapName): Uint8Array {
  const hit = cache.get(name);
  if (hit) return hit;
  if (!COLORMAP_NAMES.includes(name)) throw new XqcError('XQC_INVALID_ARGUMENT', `unknown colormap '${name}'; expected one of ${COLORMAP_NAMES.join(', ')}`);
  const lut = new Uint8Array(256 * 3);
  for (let i = 0; i < 256; i++) {
    for (let c = 0; c < 3; c++) {
      const v = evaluate(name, i / 255, c);
      lut[i * 3 + c] = Math.round(Math.min(Math.max(v, 0), 1) * 255);
    }
  }
  cache.set(name, lut);
  return lut;
}

/** The colour of `name` at `t` in 0..1 (clamped), from its lookup table entry `round(255 t)`. */
export function colormapColor(name: ColormapName, t: number): Rgb {
  const lut = colormapLut(name);
  const i = Math.round(Math.min(Math.max(Number.isFinite(t) ? t : 0, 0), 1) * 255) * 3;
  return [lut[i], lut[i + 1], lut[i + 2]];
}

/** The finite minimum and maximum of `data` (0 and 0 when none is finite). */
export function finiteRange(data: Float32Array): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return Number.isFinite(lo) && Number.isFinite(hi) ? [lo, hi] : [0, 0];
}

/**
 * Colours a float map: `t = (v - min) / (max - min)` (min/max default to the map's finite
 * range; a flat map gives t = 0; NaN gives t = 0), looked up in colormap `name`.
 * Returns an RGB image of the map's size.
 */
export function applyColormap(map: ScalarMap, options: { colormap?: ColormapName; min?: number; max?: number } = {}): ImageU8 {
  assertScalarMap(map);
  const lut = colormapLut(options.colormap ?? 'jet');
  const [lo, hi] = finiteRange(map.data);
  const min = options.min ?? lo;
  const max = options.max ?? hi;
  const k = max > min ? 255 / (max - min) : 0;
  const out = new Uint8Array(map.width * map.height * 3);
  for (let i = 0; i < map.data.length; i++) {
    const t = (map.data[i] - min) * k;
    const j = (t >= 255 ? 255 : t > 0 ? Math.round(t) : 0) * 3;
    out[i * 3] = lut[j];
    out[i * 3 + 1] = lut[j + 1];
    out[i * 3 + 2] = lut[j + 2];
  }
  return { width: map.width, height: map.height, channels: 3, data: out };
}
