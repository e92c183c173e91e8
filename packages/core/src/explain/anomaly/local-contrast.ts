/**
 * Local contrast: the mean, over the image, of the standard deviation of gray levels in a
 * small square window around each pixel. Low on flat or slowly shaded surfaces, high on
 * busy texture or sharp detail. Sums run over integer gray levels, so a flat window has
 * exactly zero deviation.
 */
import { XqcError } from '../../errors.ts';
import { convertChannels } from '../../image/image-channels.ts';
import type { ImageU8 } from '../../image/image.types.ts';

/** Default window side (7x7 pixels). */
export const DEFAULT_CONTRAST_WINDOW = 7;

/**
 * Mean local standard deviation of the gray image (BT.601 luma for colour), in 0..1 gray
 * units. For every window position fully inside the image (a "valid" window of
 * `window` x `window` pixels, n = window^2, gray levels g in 0..255):
 *   sd = sqrt(n S2 - S1^2) / (n * 255),  S1 = sum g,  S2 = sum g^2,
 * the population deviation; the result is the mean of sd over all positions. Sums come
 * from integer summed-area tables (exact in float64).
 * @param options.window odd window side >= 3 (default {@link DEFAULT_CONTRAST_WINDOW})
 * @throws XQC_IMAGE_INVALID when the image is smaller than one window
 */
export function localContrast(image: ImageU8, options: { window?: number } = {}): number {
  const k = options.window ?? DEFAULT_CONTRAST_WINDOW;
  if (!(Number.isInteger(k) && k >= 3 && k % 2 === 1)) throw new XqcError('XQC_INVALID_ARGUMENT', `contrast window must be an odd integer >= 3, got ${k}`);
  const { width: w, height: h } = image;
  if (w < k || h < k) throw new XqcError('XQC_IMAGE_INVALID', `local contrast needs an image of at least ${k}x${k} pixels, got ${w}x${h}`);
  const g = convertChannels(image, 1).data;
  // Summed-area tables with a zero first row and column: s[(y) * (w + 1) + x] = sum over [0, y) x [0, x).
  const stride = w + 1;
  const s1 = new Float64Array((h + 1) * stride);
  const s2 = new Float64Array((h + 1) * stride);
  for (let y = 0; y < h; y++) {
    let r1 = 0;
    let r2 = 0;
    for (let x = 0; x < w; x++) {
      const v = g[y * w + x];
      r1 += v;
      r2 += v * v;
      s1[(y + 1) * stride + x + 1] = s1[y * stride + x + 1] + r1;
      s2[(y + 1) * stride + x + 1] = s2[y * stride + x + 1] + r2;
    }
  }
  const n = k * k;
  let total = 0;
  for (let y = 0; y + k <= h; y++) {
    for (let x = 0; x + k <= w; x++) {
      const a = y * stride + x;
      const b = a + k;
      const c = a + k * stride;
      const d = c + k;
      const sum = s1[d] - s1[b] - s1[c] + s1[a];
      const sumSq = s2[d] - s2[b] - s2[c] + s2[a];
      total += Math.sqrt(n * sumSq - sum * sum);
    }
  }
  return total / ((w - k + 1) * (h - k + 1) * n * 255);
}
