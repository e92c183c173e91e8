/**
 * Perceptual hashes of 8-bit images, as 64-bit values written as 16 hex digits, and their
 * Hamming distance. Both hashes work on the BT.601 gray image (`convertChannels`), first
 * area-averaged to at most twice the hash grid and then resized with the core's bilinear
 * resize: bilinear alone does not antialias, so a large image would be hashed from a few
 * sampled pixels and a resized copy would drift.
 * - dHash: gray 9x8; bit (y, x) = pixel (x, y) < pixel (x + 1, y), row-major (72 -> 64 comparisons).
 * - pHash: gray 32x32, orthonormal 2-D DCT-II; the top-left 8x8 coefficients; bit = coefficient
 *   > the median of the 63 non-DC ones; the DC bit is always 0 (the mean brightness is not
 *   structure), so 63 bits carry information.
 */
import { convertChannels } from '../../image/image-channels.ts';
import { resizeBilinear } from '../../image/image-resize.ts';
import type { ImageU8 } from '../../image/image.types.ts';
import { createImage } from '../../image/image.types.ts';

/** Area average by integer factors so that each side is at most `2 * target` (or unchanged when already smaller). */
function boxReduce(gray: ImageU8, tw: number, th: number): ImageU8 {
  const fx = Math.max(1, Math.floor(gray.width / (2 * tw)));
  const fy = Math.max(1, Math.floor(gray.height / (2 * th)));
  if (fx === 1 && fy === 1) return gray;
  const w = Math.floor(gray.width / fx);
  const h = Math.floor(gray.height / fy);
  const out = createImage(w, h, 1);
  const area = fx * fy;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let s = 0;
      for (let dy = 0; dy < fy; dy++) {
        const row = (y * fy + dy) * gray.width + x * fx;
        for (let dx = 0; dx < fx; dx++) s += gray.data[row + dx];
      }
      out.data[y * w + x] = Math.round(s / area);
    }
  }
  return out;
}

/** `image` as gray `width x height` (area average, then bilinear). */
export function grayThumbnail(image: ImageU8, width: number, height: number): ImageU8 {
  const gray = convertChannels(image, 1);
  const reduced = boxReduce(gray, width, height);
  return reduced.width === width && reduced.height === height ? reduced : resizeBilinear(reduced, width, height);
}

function bitsToHex(bits: Uint8Array): string {
  let hex = '';
  for (let i = 0; i < 64; i += 4) hex += ((bits[i] << 3) | (bits[i + 1] << 2) | (bits[i + 2] << 1) | bits[i + 3]).toString(16);
  return hex;
}

/** dHash of `image` (any size, 1/3/4 channels): 16 hex digits, see the module comment. */
export function dHash(image: ImageU8): string {
  const t = grayThumbnail(image, 9, 8);
  const bits = new Uint8Array(64);
  for (let y = 0; y < 8; y++) for (let x = 0; x < 8; x++) bits[y * 8 + x] = t.data[y * 9 + x] < t.data[y * 9 + x + 1] ? 1 : 0;
  return bitsToHex(bits);
}

const N = 32;
/** DCT-II basis, orthonormal: `C[k][n] = a(k) cos(pi (2n + 1) k / 2N)`. */
const DCT = (() => {
  const c = new Float64Array(N * N);
  for (let k = 0; k < N; k++) {
    const a = k === 0 ? Math.sqrt(1 / N) : Math.sqrt(2 / N);
    for (let n = 0; n < N; n++) c[k * N + n] = a * Math.cos((Math.PI * (2 * n + 1) * k) / (2 * N));
  }
  return c;
})();

/** pHash of `image` (any size, 1/3/4 channels): 16 hex digits, see the module comment. */
export function pHash(image: ImageU8): string {
  const t = grayThumbnail(image, N, N);
  // Only the 8 lowest frequencies are needed along each axis: rows first (32x8), then columns (8x8).
  const rows = new Float64Array(N * 8);
  for (let y = 0; y < N; y++) {
    for (let k = 0; k < 8; k++) {
      let s = 0;
      for (let x = 0; x < N; x++) s += DCT[k * N + x] * t.data[y * N + x];
      rows[y * 8 + k] = s;
    }
  }
  const coef = new Float64Array(64);
  for (let ky = 0; ky < 8; ky++) {
    for (let kx = 0; kx < 8; kx++) {
      let s = 0;
      for (let y = 0; y < N; y++) s += DCT[ky * N + y] * rows[y * 8 + kx];
      coef[ky * 8 + kx] = s;
    }
  }
  const ac = Array.from(coef.subarray(1)).sort((a, b) => a - b);
  const median = ac[31];
  const bits = new Uint8Array(64);
  // The margin keeps round-off (about 1e-13 on a flat image) from deciding bits: a flat image hashes to 0.
  for (let i = 1; i < 64; i++) bits[i] = coef[i] - median > 1e-6 ? 1 : 0;
  return bitsToHex(bits);
}

function popcount32(v: number): number {
  let x = v - ((v >>> 1) & 0x55555555);
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (((x + (x >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

/** Hamming distance (0..64) between two 16-hex-digit hashes. */
export function hammingDistance(a: string, b: string): number {
  return popcount32(parseInt(a.slice(0, 8), 16) ^ parseInt(b.slice(0, 8), 16)) + popcount32(parseInt(a.slice(8), 16) ^ parseInt(b.slice(8), 16));
}
