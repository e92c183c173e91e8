/**
 * Raster data of the viewer's layers, free of the DOM: the float heatmaps the server stores
 * (`heatmap.npy`, float32 [height, width]) parsed and scaled to 8 bits the way the server
 * draws them (robust percentiles of the positive evidence), masks tinted in a class colour,
 * and the per-class colours.
 */

/** A float map as parsed from `.npy`. */
export interface FloatMap {
  width: number;
  height: number;
  data: Float32Array;
}

/**
 * Parses a NumPy `.npy` file (versions 1 to 3) holding a little-endian float32 or float64
 * C-order array of shape [height, width] (or [1, height, width]).
 * @throws an Error naming what is not supported.
 */
export function parseNpy(buffer: ArrayBuffer): FloatMap {
  const bytes = new Uint8Array(buffer);
  const magic = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];
  if (bytes.length < 10 || magic.some((b, i) => bytes[i] !== b)) throw new Error('not a .npy file');
  const major = bytes[6]!;
  const view = new DataView(buffer);
  const headerLen = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const start = major === 1 ? 10 : 12;
  const header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(start, start + headerLen));
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*True/.test(header);
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (!descr || shapeText === undefined) throw new Error('the .npy header has no dtype or shape');
  if (fortran) throw new Error('Fortran-order .npy arrays are not supported');
  const shape = shapeText.split(',').map((s) => s.trim()).filter(Boolean).map(Number);
  const dims = shape.length === 3 && shape[0] === 1 ? shape.slice(1) : shape;
  if (dims.length !== 2) throw new Error(`expected a 2-D map, got shape (${shape.join(', ')})`);
  const [height, width] = dims as [number, number];
  const offset = start + headerLen;
  const n = width * height;
  let data: Float32Array;
  if (descr === '<f4' || descr === '|f4') {
    if (offset + n * 4 > bytes.length) throw new Error('the .npy file is shorter than its shape');
    data = new Float32Array(n);
    for (let i = 0; i < n; i++) data[i] = view.getFloat32(offset + i * 4, true);
  } else if (descr === '<f8') {
    if (offset + n * 8 > bytes.length) throw new Error('the .npy file is shorter than its shape');
    data = new Float32Array(n);
    for (let i = 0; i < n; i++) data[i] = view.getFloat64(offset + i * 8, true);
  } else throw new Error(`unsupported .npy dtype ${descr}`);
  return { width, height, data };
}

/** The q-th percentile (0..100) of `values` by linear interpolation between order statistics; values are sorted in place. */
export function percentileSorted(sorted: Float32Array, q: number): number {
  if (sorted.length === 0) return 0;
  const pos = (Math.min(100, Math.max(0, q)) / 100) * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

/** At most this many pixels are sorted for the percentiles (an even sample of bigger maps): keeps the main thread free. */
export const PERCENTILE_SAMPLE = 65_536;

/**
 * Scales a float map to 8 bits as the server draws heatmaps: the positive evidence
 * (`max(v, 0)`; `abs` ranks magnitudes instead) clipped between its 1st and 99.5th
 * percentiles, so one hot pixel does not wash out the rest. A map with no spread gives 0s.
 */
export function mapToBytes(map: FloatMap, mode: 'positive' | 'abs' = 'positive', low = 1, high = 99.5): Uint8Array {
  const n = map.data.length;
  const f = mode === 'abs' ? Math.abs : (v: number) => (v > 0 ? v : 0);
  const step = Math.max(1, Math.ceil(n / PERCENTILE_SAMPLE));
  const sample = new Float32Array(Math.ceil(n / step));
  let k = 0;
  let max = 0;
  for (let i = 0; i < n; i += step) {
    const v = f(map.data[i]!);
    sample[k++] = Number.isFinite(v) ? v : 0;
  }
  for (let i = 0; i < n; i++) {
    const v = f(map.data[i]!);
    if (v > max) max = v;
  }
  const s = sample.subarray(0, k).sort();
  const lo = percentileSorted(s, low);
  let hi = percentileSorted(s, high);
  if (!(hi > lo)) hi = max;
  const out = new Uint8Array(n);
  if (!(hi > lo)) return out;
  const scale = 255 / (hi - lo);
  for (let i = 0; i < n; i++) {
    const t = (f(map.data[i]!) - lo) * scale;
    out[i] = t >= 255 ? 255 : t > 0 ? Math.round(t) : 0;
  }
  return out;
}

/**
 * Colours for classes by class index: distinct hues that read on both light and dark images
 * (Okabe-Ito and Tableau tones), repeating after twelve.
 */
export const CLASS_COLORS = ['#e6194b', '#3cb44b', '#ffe119', '#4363d8', '#f58231', '#911eb4', '#42d4f4', '#f032e6', '#bfef45', '#fabed4', '#469990', '#dcbeff'] as const;

/** The colour of class `index` as #rrggbb. */
export function classColor(index: number): string {
  const n = CLASS_COLORS.length;
  return CLASS_COLORS[(((Math.trunc(index) || 0) % n) + n) % n]!;
}

/** WCAG 2 relative luminance of `#rrggbb`. */
export function relativeLuminance(hex: string): number {
  const lin = (c: number) => {
    const v = c / 255;
    return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
  };
  const [r, g, b] = hexToRgb(hex);
  return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
}

/** WCAG 2 contrast ratio of two `#rrggbb` colours (1 to 21). */
export function contrastRatio(a: string, b: string): number {
  const [hi, lo] = [relativeLuminance(a), relativeLuminance(b)].sort((x, y) => y - x);
  return (hi! + 0.05) / (lo! + 0.05);
}

/** Black or white text on `#rrggbb`, whichever has the larger WCAG contrast ratio. */
export function textOn(hex: string): '#000000' | '#ffffff' {
  return contrastRatio(hex, '#000000') >= contrastRatio(hex, '#ffffff') ? '#000000' : '#ffffff';
}

/** `#rrggbb` as [r, g, b]. */
export function hexToRgb(hex: string): [number, number, number] {
  const m = /^#?([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex);
  if (!m) throw new Error(`not a #rrggbb colour: ${hex}`);
  return [parseInt(m[1]!, 16), parseInt(m[2]!, 16), parseInt(m[3]!, 16)];
}

/**
 * Paints a binary mask (RGBA pixels of a decoded grayscale PNG, 0 = outside, 255 = inside)
 * into `target` (RGBA of the same size) in `rgb`: inside pixels take the colour with full
 * alpha, outside ones are left as they are (so several findings' masks share one layer).
 * @returns the number of inside pixels.
 */
export function tintMask(maskRgba: Uint8ClampedArray, target: Uint8ClampedArray, rgb: readonly [number, number, number]): number {
  let inside = 0;
  for (let o = 0; o < maskRgba.length; o += 4) {
    if (maskRgba[o]! >= 128 && maskRgba[o + 3]! >= 128) {
      target[o] = rgb[0];
      target[o + 1] = rgb[1];
      target[o + 2] = rgb[2];
      target[o + 3] = 255;
      inside++;
    }
  }
  return inside;
}

/**
 * Decodes COCO uncompressed RLE (column-major runs, starting with zeros) into a row-major
 * 0/1 mask of [height, width]; for findings that carry `rle` but no PNG.
 * @throws when the runs do not add up to the mask size.
 */
export function rleToMask(rle: { size: readonly [number, number] | number[]; counts: readonly number[] }): { width: number; height: number; data: Uint8Array } {
  const [height, width] = rle.size as [number, number];
  const data = new Uint8Array(width * height);
  let p = 0;
  let value = 0;
  for (const c of rle.counts) {
    if (p + c > data.length) throw new Error('the RLE runs are longer than the mask');
    if (value) for (let k = p; k < p + c; k++) data[(k % height) * width + Math.floor(k / height)] = 1;
    p += c;
    value ^= 1;
  }
  if (p !== data.length) throw new Error('the RLE runs do not cover the mask');
  return { width, height, data };
}
