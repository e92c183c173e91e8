/** Blending of heatmaps and label masks over images, for explanations and ground truth. */
import { XqcError } from '../errors.ts';
import type { ColormapName } from './colormap.ts';
import { colormapLut, finiteRange } from './colormap.ts';
import { convertChannels } from './image-channels.ts';
import { resizeMap, resizeNearest } from './image-resize.ts';
import type { ImageU8, Rgb, ScalarMap } from './image.types.ts';
import { assertImage, assertScalarMap } from './image.types.ts';

/**
 * Distinct colours for mask classes 1, 2, 3, ... (class 0, background, is never drawn);
 * ids past the end wrap around. From Sasha Trubetskoy's list of 20 distinct colours.
 */
export const DEFAULT_MASK_PALETTE: readonly Rgb[] = [
  [230, 25, 75],
  [60, 180, 75],
  [255, 225, 25],
  [0, 130, 200],
  [245, 130, 48],
  [145, 30, 180],
  [70, 240, 240],
  [240, 50, 230],
];

function checkOpacity(opacity: number): void {
  if (!(opacity >= 0 && opacity <= 1)) throw new XqcError('XQC_INVALID_ARGUMENT', `opacity must lie in [0, 1], got ${opacity}`);
}

/**
 * Blends a colour-mapped heatmap over `image`: `out = (1 - a) * image + a * colormap(t)`
 * with `t = (v - min) / (max - min)` (default: the map's range) and `a = opacity` where
 * `t >= threshold`, else 0. The map is resized bilinearly to the image. Returns RGB.
 * @param map [h, w] float32, any size
 */
export function overlayHeatmap(
  image: ImageU8,
  map: ScalarMap,
  options: { colormap?: ColormapName; opacity?: number; min?: number; max?: number; threshold?: number } = {},
): ImageU8 {
  assertImage(image);
  assertScalarMap(map);
  const opacity = options.opacity ?? 0.5;
  checkOpacity(opacity);
  const lut = colormapLut(options.colormap ?? 'jet');
  const heat = resizeMap(map, image.width, image.height).data;
  const [lo, hi] = finiteRange(map.data);
  const min = options.min ?? lo;
  const max = options.max ?? hi;
  const k = max > min ? 1 / (max - min) : 0;
  const threshold = options.threshold ?? 0;
  const base = convertChannels(image, 3).data;
  const out = new Uint8Array(base.length);
  for (let i = 0; i < heat.length; i++) {
    const raw = (heat[i] - min) * k;
    const t = raw > 1 ? 1 : raw > 0 ? raw : 0;
    const a = t >= threshold ? opacity : 0;
    const j = Math.round(t * 255) * 3;
    for (let c = 0; c < 3; c++) out[i * 3 + c] = Math.round((1 - a) * base[i * 3 + c] + a * lut[j + c]);
  }
  return { width: image.width, height: image.height, channels: 3, data: out };
}

/**
 * Paints the classes of a label mask over `image`: every pixel with class id `k > 0`
 * becomes `(1 - opacity) * image + opacity * palette[(k - 1) % palette.length]`;
 * with `outline`, boundary pixels of each region are painted fully opaque.
 * The mask is resized nearest-neighbour to the image. Returns RGB.
 * @param mask [h, w] uint8 class ids (1 channel)
 */
export function overlayMask(
  image: ImageU8,
  mask: ImageU8,
  options: { opacity?: number; palette?: readonly Rgb[]; outline?: boolean } = {},
): ImageU8 {
  assertImage(image);
  assertImage(mask, 'mask');
  if (mask.channels !== 1) throw new XqcError('XQC_IMAGE_INVALID', `mask must have 1 channel, has ${mask.channels}`);
  const opacity = options.opacity ?? 0.5;
  checkOpacity(opacity);
  const palette = options.palette ?? DEFAULT_MASK_PALETTE;
  if (palette.length === 0) throw new XqcError('XQC_INVALID_ARGUMENT', 'palette is empty');
  const { width, height } = image;
  const m = mask.width === width && mask.height === height ? mask.data : resizeNearest(mask, width, height).data;
  const out = convertChannels(image, 3).data.slice();
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      const k = m[i];
      if (k === 0) continue;
      const edge =
        options.outline === true &&
        (x === 0 || y === 0 || x === width - 1 || y === height - 1 || m[i - 1] !== k || m[i + 1] !== k || m[i - width] !== k || m[i + width] !== k);
      const a = edge ? 1 : opacity;
      const colour = palette[(k - 1) % palette.length];
      for (let c = 0; c < 3; c++) out[i * 3 + c] = Math.round((1 - a) * out[i * 3 + c] + a * colour[c]);
    }
  }
  return { width, height, channels: 3, data: out };
}

/**
 * Draws the boundary of the nonzero region of `mask` on a copy of `image` in `color`,
 * `thickness` pixels wide (grown inward and outward from the boundary pixels, which are
 * the mask pixels with a 4-neighbour outside the mask or on the image border). The mask is
 * resized nearest-neighbour to the image. Returns RGB.
 * @param mask [h, w] uint8, nonzero = inside
 */
export function drawOutline(image: ImageU8, mask: { width: number; height: number; data: ArrayLike<number> }, options: { color?: Rgb; thickness?: number } = {}): ImageU8 {
  assertImage(image);
  const { width, height } = image;
  const binary: ImageU8 = { width: mask.width, height: mask.height, channels: 1, data: Uint8Array.from(mask.data as ArrayLike<number>, (v) => (v ? 1 : 0)) };
  const m = mask.width === width && mask.height === height ? binary.data : resizeNearest(binary, width, height).data;
  const color = options.color ?? [255, 255, 255];
  const reach = Math.max(0, Math.round(options.thickness ?? 2) - 1);
  const out = convertChannels(image, 3).data.slice();
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      if (!m[i]) continue;
      const edge = x === 0 || y === 0 || x === width - 1 || y === height - 1 || !m[i - 1] || !m[i + 1] || !m[i - width] || !m[i + width];
      if (!edge) continue;
      for (let dy = -reach; dy <= reach; dy++) {
        for (let dx = -reach; dx <= reach; dx++) {
          const xx = x + dx;
          const yy = y + dy;
          if (xx < 0 || yy < 0 || xx >= width || yy >= height) continue;
          out.set(color, (yy * width + xx) * 3);
        }
      }
    }
  }
  return { width, height, channels: 3, data: out };
}
