/**
 * Cheap per-image statistics recorded for drift monitoring: brightness, contrast,
 * sharpness, saturation, size and colour means of an 8-bit image.
 */
import { assertImage, type ImageU8 } from '../image/image.types.ts';

/** The per-image signals of {@link imageSignals}, all on the 0..255 scale except saturation (0..1), sharpness (squared units) and the size. */
export interface ImageSignals {
  /** Mean luma `Y = 0.299 R + 0.587 G + 0.114 B` (ITU-R BT.601; gray images: the value), 0..255. */
  brightness: number;
  /** Population standard deviation of the luma, 0..127.5. */
  contrast: number;
  /** Population variance of the 3x3 Laplacian `[0 1 0; 1 -4 1; 0 1 0]` of the luma over the interior pixels (0 for images under 3x3). */
  sharpness: number;
  /** Mean HSV saturation `(max - min) / max` of R, G, B (0 where max is 0; 0 for gray images), 0..1. */
  saturation: number;
  /** Width in pixels. */
  width: number;
  /** Height in pixels. */
  height: number;
  /** Mean of each colour channel, 0..255: [R, G, B] for colour images, [gray] for gray ones (alpha is ignored). */
  channelMeans: number[];
}

/** Names of the scalar signals of {@link ImageSignals}, in report order. */
export const IMAGE_SIGNAL_NAMES = ['brightness', 'contrast', 'sharpness', 'saturation', 'width', 'height'] as const;

/** Images with more pixels than this have their sharpness (the Laplacian) measured on a grid of about this many pixels (see {@link imageSignals}). */
export const SIGNAL_SAMPLE_PIXELS = 8192;

/** Images with more pixels than {@link SIGNAL_SAMPLE_PIXELS} have their means, contrast and saturation measured on a grid of about this many pixels (see {@link imageSignals}). */
export const SIGNAL_STATS_SAMPLE_PIXELS = 4096;

/**
 * Brightness, contrast, sharpness, saturation, size and channel means of `image`.
 * One pass over the pixels computes the luma plane (as float), the luma sum, the
 * saturation sum and the channel sums; then the luma plane is read twice more: for the
 * squared deviations from the mean (two-pass variance, exact 0 for a flat image) and for
 * the Laplacian's sum and sum of squares (its variance `E[L^2] - E[L]^2`, clamped at 0;
 * the Laplacian's mean is near 0, so this does not cancel). The luma is not rounded.
 * Sharpness is the OpenCV "variance of the Laplacian" blur measure (ksize 1 kernel, no
 * border padding: only pixels with all four neighbours count). Alpha is ignored.
 *
 * Images of more than `samplePixels` pixels (default {@link SIGNAL_SAMPLE_PIXELS}, 128 x 64)
 * are measured on grids (every `s`-th row and, in each, every `s`-th pixel from an offset
 * that changes from row to row by the golden-ratio sequence, so that a pattern whose period
 * divides `s`, such as a one-pixel checkerboard, is not aliased): the Laplacian at the interior
 * points of a grid of about `samplePixels` pixels (`s = ceil(sqrt(pixels / samplePixels))`),
 * with their true neighbours; the means, the luma variance and the saturation on a coarser grid
 * of about `statsSamplePixels` pixels (default {@link SIGNAL_STATS_SAMPLE_PIXELS}; these
 * averages converge far faster than the Laplacian's variance, whose values are heavy-tailed).
 * Every figure estimates the same quantity as the full measurement (an unbiased sample of the
 * same pixels and Laplacian values), with a sampling error well below the spread between
 * images (on bsdata-anomaly's 512 x 208 photographs, median errors of 0.1 % for brightness,
 * 0.08 % for contrast and 3.2 % for sharpness (p90 7.6 %), against a 7.2 % spread of sharpness
 * between images and the tens of percent a blur drift moves it); it bounds the cost of /detect's
 * signals (a 224 x 224 image: about 0.07 ms, no allocation; with 16384 Laplacian pixels it was
 * 0.13 ms for a sharpness error of 1.2 %, docs/benchmarks.md "monitoring signals").
 * `samplePixels: Infinity` measures every pixel.
 * @throws XQC_IMAGE_INVALID when `image` is malformed
 */
export function imageSignals(image: ImageU8, options: { samplePixels?: number; statsSamplePixels?: number } = {}): ImageSignals {
  assertImage(image);
  const limit = options.samplePixels ?? SIGNAL_SAMPLE_PIXELS;
  const n = image.width * image.height;
  if (n <= limit) return allPixelSignals(image);
  const statsLimit = Math.min(limit, options.statsSamplePixels ?? SIGNAL_STATS_SAMPLE_PIXELS);
  return gridSignals(image, Math.ceil(Math.sqrt(n / limit)), Math.ceil(Math.sqrt(n / statsLimit)));
}

/** The signals over every pixel (two-pass variance of the luma plane). */
function allPixelSignals(image: ImageU8): ImageSignals {
  const { width, height, channels, data } = image;
  const n = width * height;
  const luma = new Float64Array(n);
  const color = channels >= 3;
  let sumY = 0;
  let sumS = 0;
  let sumR = 0;
  let sumG = 0;
  let sumB = 0;
  for (let i = 0, p = 0; i < n; i++, p += channels) {
    let y: number;
    if (color) {
      const r = data[p];
      const g = data[p + 1];
      const b = data[p + 2];
      sumR += r;
      sumG += g;
      sumB += b;
      y = 0.299 * r + 0.587 * g + 0.114 * b;
      const max = r > g ? (r > b ? r : b) : g > b ? g : b;
      const min = r < g ? (r < b ? r : b) : g < b ? g : b;
      if (max > 0) sumS += (max - min) / max;
    } else {
      y = data[p];
      sumR += y;
    }
    luma[i] = y;
    sumY += y;
  }
  const brightness = sumY / n;
  let sumD2 = 0;
  for (let i = 0; i < n; i++) sumD2 += (luma[i] - brightness) ** 2;
  const contrast = Math.sqrt(sumD2 / n);
  let sumL = 0;
  let sumL2 = 0;
  let count = 0;
  for (let y = 1; y < height - 1; y++) {
    for (let x = 1; x < width - 1; x++) {
      const i = y * width + x;
      const l = luma[i - width] + luma[i + width] + luma[i - 1] + luma[i + 1] - 4 * luma[i];
      sumL += l;
      sumL2 += l * l;
      count++;
    }
  }
  const meanL = count ? sumL / count : 0;
  const sharpness = count ? Math.max(0, sumL2 / count - meanL * meanL) : 0;
  return {
    brightness,
    contrast,
    sharpness,
    saturation: color ? sumS / n : 0,
    width,
    height,
    channelMeans: color ? [sumR / n, sumG / n, sumB / n] : [sumR / n],
  };
}

/** The first row of a grid of `step` and the column offset of its `row`-th row (golden-ratio sequence). */
function gridRow0(height: number, step: number): number {
  return Math.floor(((height - 1) % step) / 2);
}

function gridX0(row: number, step: number): number {
  return Math.floor(((row * 0.6180339887498949) % 1) * step);
}

/**
 * The signals on grids of every `step`-th row and, from a per-row offset, every `step`-th
 * pixel: the Laplacian at the interior points of the grid of `lapStep` with their true
 * neighbours, everything else on the grid of `statsStep`. The colour and gray cases are separate
 * loops; the colour Laplacian is the luma-weighted sum of the per-channel integer Laplacians
 * (equal to the Laplacian of the luma up to float rounding).
 */
function gridSignals(image: ImageU8, lapStep: number, statsStep: number): ImageSignals {
  const { width, height, channels, data } = image;
  const color = channels >= 3;
  const stride = width * channels;
  let m = 0;
  let sumY = 0;
  let sumY2 = 0;
  let sumS = 0;
  let sumR = 0;
  let sumG = 0;
  let sumB = 0;
  for (let y = gridRow0(height, statsStep), row = 0; y < height; y += statsStep, row++) {
    const rowStart = y * stride;
    if (color) {
      for (let x = gridX0(row, statsStep); x < width; x += statsStep) {
        const p = rowStart + x * channels;
        const r = data[p];
        const g = data[p + 1];
        const b = data[p + 2];
        sumR += r;
        sumG += g;
        sumB += b;
        const v = 0.299 * r + 0.587 * g + 0.114 * b;
        const max = r > g ? (r > b ? r : b) : g > b ? g : b;
        const min = r < g ? (r < b ? r : b) : g < b ? g : b;
        if (max > 0) sumS += (max - min) / max;
        sumY += v;
        sumY2 += v * v;
        m++;
      }
    } else {
      for (let x = gridX0(row, statsStep); x < width; x += statsStep) {
        const v = data[rowStart + x * channels];
        sumY += v;
        sumY2 += v * v;
        m++;
      }
      sumR = sumY;
    }
  }
  let sumL = 0;
  let sumL2 = 0;
  let count = 0;
  for (let y = gridRow0(height, lapStep), row = 0; y < height; y += lapStep, row++) {
    if (y < 1 || y >= height - 1) continue;
    const rowStart = y * stride;
    let x = gridX0(row, lapStep);
    if (x < 1) x += lapStep;
    if (color) {
      for (; x < width - 1; x += lapStep) {
        const p = rowStart + x * channels;
        const u = p - stride;
        const d = p + stride;
        const w = p - channels;
        const e = p + channels;
        // the Laplacian is linear: the luma's is the weighted sum of each channel's, whose
        // integer sums are exact, so three multiplications instead of fifteen
        const l =
          0.299 * (data[u] + data[d] + data[w] + data[e] - 4 * data[p]) +
          0.587 * (data[u + 1] + data[d + 1] + data[w + 1] + data[e + 1] - 4 * data[p + 1]) +
          0.114 * (data[u + 2] + data[d + 2] + data[w + 2] + data[e + 2] - 4 * data[p + 2]);
        sumL += l;
        sumL2 += l * l;
        count++;
      }
    } else {
      for (; x < width - 1; x += lapStep) {
        const p = rowStart + x * channels;
        const l = data[p - stride] + data[p + stride] + data[p - channels] + data[p + channels] - 4 * data[p];
        sumL += l;
        sumL2 += l * l;
        count++;
      }
    }
  }
  const brightness = sumY / m;
  const meanL = count ? sumL / count : 0;
  return {
    brightness,
    contrast: Math.sqrt(Math.max(0, sumY2 / m - brightness * brightness)),
    sharpness: count ? Math.max(0, sumL2 / count - meanL * meanL) : 0,
    saturation: color ? sumS / m : 0,
    width,
    height,
    channelMeans: color ? [sumR / m, sumG / m, sumB / m] : [sumR / m],
  };
}
