/**
 * Edge density: how much of an image is edge. Sobel gradients of the gray image, scaled
 * so that an ideal step between gray levels a and b (in 0..1 units) has magnitude |b - a|,
 * and the share of pixels whose magnitude reaches a threshold. Only interior pixels (with a
 * full 3x3 neighbourhood) count, so the image border invents no edge.
 */
import { XqcError } from '../../errors.ts';
import { convertChannels } from '../../image/image-channels.ts';
import type { ImageU8, ScalarMap } from '../../image/image.types.ts';

/** Default magnitude threshold: a step of 10% of the full gray range. */
export const DEFAULT_EDGE_THRESHOLD = 0.1;

/**
 * Sobel gradient magnitude of the gray image (BT.601 luma for colour) on its interior:
 *   gx = [-1 0 1; -2 0 2; -1 0 1] * g,  gy = its transpose,  m = sqrt(gx^2 + gy^2) / (4 * 255),
 * with g the 0..255 gray levels; the division makes a step of contrast c give m = c.
 * @returns map [(h - 2), (w - 2)] float32; value (x, y) belongs to pixel (x + 1, y + 1)
 * @throws XQC_IMAGE_INVALID when the image is smaller than 3x3
 */
export function sobelMagnitude(image: ImageU8): ScalarMap {
  const { width: w, height: h } = image;
  if (w < 3 || h < 3) throw new XqcError('XQC_IMAGE_INVALID', `Sobel edges need an image of at least 3x3 pixels, got ${w}x${h}`);
  const g = convertChannels(image, 1).data;
  const out = new Float32Array((w - 2) * (h - 2));
  const scale = 1 / (4 * 255);
  for (let y = 1; y < h - 1; y++) {
    const up = (y - 1) * w;
    const mid = y * w;
    const down = (y + 1) * w;
    for (let x = 1; x < w - 1; x++) {
      const gx = g[up + x + 1] + 2 * g[mid + x + 1] + g[down + x + 1] - g[up + x - 1] - 2 * g[mid + x - 1] - g[down + x - 1];
      const gy = g[down + x - 1] + 2 * g[down + x] + g[down + x + 1] - g[up + x - 1] - 2 * g[up + x] - g[up + x + 1];
      out[(y - 1) * (w - 2) + x - 1] = Math.sqrt(gx * gx + gy * gy) * scale;
    }
  }
  return { width: w - 2, height: h - 2, data: out };
}

/**
 * Share of interior pixels whose {@link sobelMagnitude} is at least `threshold`, in [0, 1].
 * A flat image scores 0; stripes two pixels wide (every interior pixel next to a step)
 * score 1.
 * @param options.threshold magnitude in 0..1 gray units (default {@link DEFAULT_EDGE_THRESHOLD})
 */
export function edgeDensity(image: ImageU8, options: { threshold?: number } = {}): number {
  const threshold = options.threshold ?? DEFAULT_EDGE_THRESHOLD;
  if (!(threshold > 0)) throw new XqcError('XQC_INVALID_ARGUMENT', `edge threshold must be positive, got ${threshold}`);
  const m = sobelMagnitude(image).data;
  let count = 0;
  for (let i = 0; i < m.length; i++) if (m[i] >= threshold) count++;
  return count / m.length;
}
