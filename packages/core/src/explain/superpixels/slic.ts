/**
 * SLIC superpixels (Achanta et al. 2012, "SLIC Superpixels Compared to State-of-the-Art
 * Superpixel Methods"): k-means in the 5-D space [L, a, b, x, y] with the distance
 *   D^2 = d_lab^2 + (m / S)^2 d_xy^2,   S = sqrt(N / K),
 * each centre searching only a 2S x 2S window around itself. Centres start on a regular
 * grid and move to the lowest CIELAB gradient in their 3x3 neighbourhood; after the
 * iterations, connectivity is enforced as in the authors' code: every 4-connected
 * fragment gets its own label, and fragments of at most N / (4K) pixels are merged into
 * the label of an adjacent, already labelled pixel. No randomness: equal inputs give
 * equal labels.
 */
import { XqcError } from '../../errors.ts';
import type { ImageU8 } from '../../image/image.types.ts';
import { assertImage } from '../../image/image.types.ts';
import { gaussianBlur } from '../baselines.ts';

/** A superpixel segmentation: `labels[y * width + x]` in 0..count-1, every label one 4-connected region. */
export interface Superpixels {
  width: number;
  height: number;
  labels: Int32Array;
  count: number;
}

/** Options of {@link slic}. */
export interface SlicOptions {
  /** Desired number of superpixels K (default 100). */
  segments: number;
  /** Compactness m: larger gives more regular, less colour-driven shapes (default 10). */
  compactness: number;
  /** k-means iterations (default 10, as in the paper). */
  iterations: number;
  /**
   * Standard deviation in pixels of a Gaussian blur of the CIELAB planes before
   * clustering (default 0: none, as in the paper). Noisy images need about 1, else
   * k-means splits flat regions by noise into fragments (scikit-image's `sigma`).
   */
  sigma: number;
}

/** Defaults of {@link slic}. */
export const SLIC_DEFAULTS: Readonly<SlicOptions> = Object.freeze({ segments: 100, compactness: 10, iterations: 10, sigma: 0 });

const SRGB_TO_LINEAR = Float64Array.from({ length: 256 }, (_, v) => {
  const c = v / 255;
  return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
});

function labF(t: number): number {
  return t > 216 / 24389 ? Math.cbrt(t) : t * (841 / 108) + 4 / 29;
}

/**
 * sRGB (8-bit, D65) -> CIELAB, planar [3, H*W] float32: linearise, XYZ by the sRGB
 * matrix, normalise by the D65 white (0.95047, 1, 1.08883), then L = 116 f(Y) - 16,
 * a = 500 (f(X) - f(Y)), b = 200 (f(Y) - f(Z)). Gray images use r = g = b; alpha is ignored.
 */
export function rgbToLab(image: ImageU8): Float32Array {
  assertImage(image);
  const n = image.width * image.height;
  const c = image.channels;
  const out = new Float32Array(3 * n);
  for (let i = 0; i < n; i++) {
    const r = SRGB_TO_LINEAR[image.data[i * c]];
    const g = SRGB_TO_LINEAR[image.data[i * c + (c >= 3 ? 1 : 0)]];
    const b = SRGB_TO_LINEAR[image.data[i * c + (c >= 3 ? 2 : 0)]];
    const fx = labF((0.4124564 * r + 0.3575761 * g + 0.1804375 * b) / 0.95047);
    const fy = labF(0.2126729 * r + 0.7151522 * g + 0.072175 * b);
    const fz = labF((0.0193339 * r + 0.119192 * g + 0.9503041 * b) / 1.08883);
    out[i] = 116 * fy - 16;
    out[n + i] = 500 * (fx - fy);
    out[2 * n + i] = 200 * (fy - fz);
  }
  return out;
}

/**
 * SLIC superpixels of `image` (see the module comment).
 * @returns labels [H*W] int32 in 0..count-1, each label one 4-connected region.
 * @throws XQC_INVALID_ARGUMENT for a non-positive segment count, compactness or iteration count.
 */
export function slic(image: ImageU8, options: Partial<SlicOptions> = {}): Superpixels {
  const o = { ...SLIC_DEFAULTS, ...options };
  if (!Number.isInteger(o.segments) || o.segments < 1) throw new XqcError('XQC_INVALID_ARGUMENT', `segments must be a positive integer, got ${o.segments}`);
  if (!(o.compactness > 0)) throw new XqcError('XQC_INVALID_ARGUMENT', `compactness must be > 0, got ${o.compactness}`);
  if (!Number.isInteger(o.iterations) || o.iterations < 1) throw new XqcError('XQC_INVALID_ARGUMENT', `iterations must be a positive integer, got ${o.iterations}`);
  if (!(o.sigma >= 0)) throw new XqcError('XQC_INVALID_ARGUMENT', `sigma must be >= 0, got ${o.sigma}`);
  const { width: w, height: h } = image;
  const lab = o.sigma > 0 ? gaussianBlur(rgbToLab(image), { channels: 3, height: h, width: w, size: 3 * w * h }, o.sigma) : rgbToLab(image);
  const n = w * h;
  const s = Math.sqrt(n / Math.min(o.segments, n));
  const ny = Math.max(1, Math.min(h, Math.round(h / s)));
  const nx = Math.max(1, Math.min(w, Math.round(w / s)));
  const k = nx * ny;
  // Centres [L, a, b, x, y] per cluster.
  const centre = new Float64Array(5 * k);
  for (let gy = 0; gy < ny; gy++) {
    for (let gx = 0; gx < nx; gx++) {
      const [cx, cy] = lowestGradient(lab, w, h, Math.floor(((gx + 0.5) * w) / nx), Math.floor(((gy + 0.5) * h) / ny));
      const j = (gy * nx + gx) * 5;
      const p = cy * w + cx;
      centre.set([lab[p], lab[n + p], lab[2 * n + p], cx, cy], j);
    }
  }
  // Every pixel starts in its grid cell, so pixels no window reaches still have a label.
  const labels = new Int32Array(n);
  for (let y = 0; y < h; y++) {
    const gy = Math.min(ny - 1, Math.floor((y * ny) / h));
    for (let x = 0; x < w; x++) labels[y * w + x] = gy * nx + Math.min(nx - 1, Math.floor((x * nx) / w));
  }
  const spatial = (o.compactness / s) ** 2;
  const radius = Math.ceil(Math.max(w / nx, h / ny));
  const L = lab.subarray(0, n);
  const A = lab.subarray(n, 2 * n);
  const B = lab.subarray(2 * n, 3 * n);
  const dist = new Float64Array(n);
  const sums = new Float64Array(6 * k);
  for (let it = 0; it < o.iterations; it++) {
    dist.fill(Infinity);
    for (let j = 0; j < k; j++) {
      const cl = centre[j * 5];
      const ca = centre[j * 5 + 1];
      const cb = centre[j * 5 + 2];
      const cx = centre[j * 5 + 3];
      const cy = centre[j * 5 + 4];
      const x0 = Math.max(0, Math.floor(cx - radius));
      const x1 = Math.min(w - 1, Math.ceil(cx + radius));
      const y0 = Math.max(0, Math.floor(cy - radius));
      const y1 = Math.min(h - 1, Math.ceil(cy + radius));
      for (let y = y0; y <= y1; y++) {
        const dy = spatial * (y - cy) * (y - cy);
        const row = y * w;
        for (let x = x0; x <= x1; x++) {
          const p = row + x;
          const dl = L[p] - cl;
          const da = A[p] - ca;
          const db = B[p] - cb;
          const dx = x - cx;
          const d = dl * dl + da * da + db * db + spatial * dx * dx + dy;
          if (d < dist[p]) {
            dist[p] = d;
            labels[p] = j;
          }
        }
      }
    }
    sums.fill(0);
    for (let y = 0, p = 0; y < h; y++) {
      for (let x = 0; x < w; x++, p++) {
        const j = labels[p] * 6;
        sums[j] += L[p];
        sums[j + 1] += A[p];
        sums[j + 2] += B[p];
        sums[j + 3] += x;
        sums[j + 4] += y;
        sums[j + 5] += 1;
      }
    }
    for (let j = 0; j < k; j++) {
      const count = sums[j * 6 + 5];
      if (count > 0) for (let d = 0; d < 5; d++) centre[j * 5 + d] = sums[j * 6 + d] / count;
    }
  }
  return enforceConnectivity(labels, w, h, Math.floor(n / k / 4));
}

/**
 * The pixel of lowest G = |I(x+1,y) - I(x-1,y)|^2 + |I(x,y+1) - I(x,y-1)|^2 in the 3x3
 * around (x, y); the seed stays put on ties so flat regions keep seeds apart.
 */
function lowestGradient(lab: Float32Array, w: number, h: number, x: number, y: number): [number, number] {
  const n = w * h;
  const at = (xx: number, yy: number, c: number): number => lab[c * n + Math.min(h - 1, Math.max(0, yy)) * w + Math.min(w - 1, Math.max(0, xx))];
  const gradient = (xx: number, yy: number): number => {
    let g = 0;
    for (let c = 0; c < 3; c++) {
      const gx = at(xx + 1, yy, c) - at(xx - 1, yy, c);
      const gy = at(xx, yy + 1, c) - at(xx, yy - 1, c);
      g += gx * gx + gy * gy;
    }
    return g;
  };
  let best: [number, number] = [x, y];
  let bestG = gradient(x, y);
  for (let yy = Math.max(0, y - 1); yy <= Math.min(h - 1, y + 1); yy++) {
    for (let xx = Math.max(0, x - 1); xx <= Math.min(w - 1, x + 1); xx++) {
      const g = gradient(xx, yy);
      if (g < bestG) {
        bestG = g;
        best = [xx, yy];
      }
    }
  }
  return best;
}

/**
 * Relabels 4-connected fragments in raster order; a fragment of at most `minSize` pixels
 * takes the label of the already relabelled neighbour of its first pixel (left, else
 * above), which keeps every label one connected region.
 */
function enforceConnectivity(old: Int32Array, w: number, h: number, minSize: number): Superpixels {
  const n = w * h;
  const labels = new Int32Array(n).fill(-1);
  const queue = new Int32Array(n);
  let next = 0;
  for (let start = 0; start < n; start++) {
    if (labels[start] >= 0) continue;
    const x = start % w;
    const adjacent = x > 0 ? labels[start - 1] : start >= w ? labels[start - w] : -1;
    const own = old[start];
    labels[start] = next;
    queue[0] = start;
    let size = 1;
    for (let head = 0; head < size; head++) {
      const p = queue[head];
      const px = p % w;
      for (let d = 0; d < 4; d++) {
        const q = d === 0 ? (px > 0 ? p - 1 : -1) : d === 1 ? (px < w - 1 ? p + 1 : -1) : d === 2 ? p - w : p + w < n ? p + w : -1;
        if (q >= 0 && labels[q] < 0 && old[q] === own) {
          labels[q] = next;
          queue[size++] = q;
        }
      }
    }
    if (size <= minSize && adjacent >= 0) for (let i = 0; i < size; i++) labels[queue[i]] = adjacent;
    else next++;
  }
  return { width: w, height: h, labels, count: next };
}
