/**
 * Colormaps for heatmaps and anomaly maps, applied in the browser: 256-entry RGB lookup
 * tables built from the same published definitions the server uses (packages/core
 * image/colormap.ts: jet from matplotlib's anchor points, viridis and inferno from Matt
 * Zucker's polynomial fits, turbo from Google's polynomial approximation), so a map coloured
 * here looks like the server's PNG of the same map; plus gray.
 */

/** Colormaps the viewer offers. */
export const COLORMAPS = ['jet', 'turbo', 'viridis', 'inferno', 'gray'] as const;
/** A colormap name. */
export type Colormap = (typeof COLORMAPS)[number];

/** Labels for the colormap choice. */
export const COLORMAP_LABELS: Record<Colormap, string> = { jet: 'Jet', turbo: 'Turbo', viridis: 'Viridis', inferno: 'Inferno', gray: 'Gray' };

type Anchors = readonly (readonly [number, number])[];
const JET: readonly [Anchors, Anchors, Anchors] = [
  [[0, 0], [0.35, 0], [0.66, 1], [0.89, 1], [1, 0.5]],
  [[0, 0], [0.125, 0], [0.375, 1], [0.64, 1], [0.91, 0], [1, 0]],
  [[0, 0.5], [0.11, 1], [0.34, 1], [0.65, 0], [1, 0]],
];
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
const TURBO: Poly = [
  [0.13572138, 4.6153926, -42.66032258, 132.13108234, -152.94239396, 59.28637943],
  [0.09140261, 2.19418839, 4.84296658, -14.18503333, 4.27729857, 2.82956604],
  [0.1066733, 12.64194608, -60.58204836, 110.36276771, -89.90310912, 27.34824973],
];

function piecewise(anchors: Anchors, t: number): number {
  for (let i = 1; i < anchors.length; i++) {
    const [x1, v1] = anchors[i]!;
    if (t <= x1) {
      const [x0, v0] = anchors[i - 1]!;
      return v0 + ((v1 - v0) * (t - x0)) / (x1 - x0);
    }
  }
  return anchors[anchors.length - 1]![1];
}

function horner(c: readonly number[], t: number): number {
  let v = 0;
  for (let k = c.length - 1; k >= 0; k--) v = v * t + c[k]!;
  return v;
}

function evaluate(name: Colormap, t: number, c: 0 | 1 | 2): number {
  switch (name) {
    case 'jet':
      return piecewise(JET[c], t);
    case 'viridis':
      return horner(VIRIDIS[c], t);
    case 'inferno':
      return horner(INFERNO[c], t);
    case 'turbo':
      return horner(TURBO[c], t);
    case 'gray':
      return t;
  }
}

const cache = new Map<Colormap, Uint8Array>();

/** The lookup table of `name`: `Uint8Array(768)`, entry i (RGB at 3i..3i+2) is the map at t = i / 255. Shared; read-only. */
export function colormapLut(name: Colormap): Uint8Array {
  const hit = cache.get(name);
  if (hit) return hit;
  if (!COLORMAPS.includes(name)) throw new Error(`unknown colormap '${String(name)}'`);
  const lut = new Uint8Array(768);
  for (let i = 0; i < 256; i++) for (const c of [0, 1, 2] as const) lut[i * 3 + c] = Math.round(Math.min(Math.max(evaluate(name, i / 255, c), 0), 1) * 255);
  cache.set(name, lut);
  return lut;
}

/** A CSS linear-gradient of the colormap (for the legend bar). */
export function colormapGradient(name: Colormap, stops = 9): string {
  const lut = colormapLut(name);
  const parts: string[] = [];
  for (let k = 0; k < stops; k++) {
    const i = Math.round((k / (stops - 1)) * 255) * 3;
    parts.push(`rgb(${lut[i]} ${lut[i + 1]} ${lut[i + 2]}) ${Math.round((k / (stops - 1)) * 100)}%`);
  }
  return `linear-gradient(to right, ${parts.join(', ')})`;
}

/**
 * Colours 8-bit values (0..255, one per pixel) into RGBA pixels: `rgba` gets the colormap's
 * colour of each value and alpha 255.
 */
export function colorize(values: ArrayLike<number>, name: Colormap, rgba: Uint8ClampedArray): void {
  const lut = colormapLut(name);
  for (let p = 0; p < values.length; p++) {
    const j = (values[p]! & 255) * 3;
    const o = p * 4;
    rgba[o] = lut[j]!;
    rgba[o + 1] = lut[j + 1]!;
    rgba[o + 2] = lut[j + 2]!;
    rgba[o + 3] = 255;
  }
}
