/**
 * Texture regularity as the share of low-frequency energy in the gray image's power
 * spectrum. Smooth or slowly varying surfaces keep their variation at low spatial
 * frequencies (share near 1); fine grain, noise, sharp scratches and pits push energy to
 * high frequencies (share near 0).
 *
 * The spectrum is Welch's estimate: square tiles of T = 2^m pixels at half-tile steps
 * (the last tile in each direction flush with the image edge, so every pixel is seen),
 * each with its mean removed and a periodic Hann window applied (which stops the tile's
 * borders from leaking energy to high frequencies), transformed by a radix-2 FFT; the
 * power |X|^2 is summed over tiles. A frequency (kx, ky) of a tile is at radius
 * rho = sqrt((kx / T)^2 + (ky / T)^2) cycles per pixel (kx, ky in -T/2..T/2-1); it is
 * "low" when rho <= radius. The default radius 0.125 cycles per pixel is a quarter of the
 * Nyquist frequency: variation with a period of 8 pixels or longer.
 */
import { XqcError } from '../../errors.ts';
import { convertChannels } from '../../image/image-channels.ts';
import type { ImageU8 } from '../../image/image.types.ts';
import { fft2d, isPowerOfTwo } from './fft.ts';

/** Default low-frequency radius in cycles per pixel (a quarter of Nyquist). */
export const DEFAULT_LOW_FREQUENCY_RADIUS = 0.125;

/** Default (largest) tile side of the Welch estimate. */
export const DEFAULT_SPECTRUM_TILE = 64;

/** Options of {@link textureRegularity}. */
export interface TextureOptions {
  /** Low-frequency radius in cycles per pixel, in (0, 0.5 * sqrt(2)] (default {@link DEFAULT_LOW_FREQUENCY_RADIUS}). */
  radius?: number;
  /** Largest tile side, a power of two >= 8 (default {@link DEFAULT_SPECTRUM_TILE}); smaller images use the largest power of two that fits. */
  tile?: number;
}

/** Tile origins along one axis of length n: steps of t / 2, the last flush with the end. */
function tileStarts(n: number, t: number): number[] {
  const starts: number[] = [];
  for (let p = 0; p + t < n; p += t / 2) starts.push(p);
  starts.push(n - t);
  return starts;
}

/**
 * Low-frequency share of the mean-removed, Hann-windowed power spectrum (see the module
 * comment), in [0, 1]:
 *   share = sum_{tiles} sum_{rho <= radius} |X|^2 / sum_{tiles} sum_{all} |X|^2.
 * An image without any variation has all of its energy at frequency zero and scores 1;
 * a one-pixel checkerboard has all of it at the Nyquist corner and scores 0.
 * @throws XQC_IMAGE_INVALID when the image is smaller than 8x8 pixels
 */
export function textureRegularity(image: ImageU8, options: TextureOptions = {}): number {
  const radius = options.radius ?? DEFAULT_LOW_FREQUENCY_RADIUS;
  if (!(radius > 0 && radius <= Math.SQRT1_2)) throw new XqcError('XQC_INVALID_ARGUMENT', `low-frequency radius must lie in (0, ${Math.SQRT1_2.toFixed(4)}] cycles per pixel, got ${radius}`);
  const maxTile = options.tile ?? DEFAULT_SPECTRUM_TILE;
  if (!(isPowerOfTwo(maxTile) && maxTile >= 8)) throw new XqcError('XQC_INVALID_ARGUMENT', `spectrum tile must be a power of two >= 8, got ${maxTile}`);
  const { width: w, height: h } = image;
  if (w < 8 || h < 8) throw new XqcError('XQC_IMAGE_INVALID', `texture regularity needs an image of at least 8x8 pixels, got ${w}x${h}`);
  let t = maxTile;
  while (t > Math.min(w, h)) t >>= 1;
  const g = convertChannels(image, 1).data;
  const hann = Float64Array.from({ length: t }, (_, i) => 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / t));
  const low = new Uint8Array(t * t);
  for (let ky = 0; ky < t; ky++) {
    const fy = (ky < t / 2 ? ky : ky - t) / t;
    for (let kx = 0; kx < t; kx++) {
      const fx = (kx < t / 2 ? kx : kx - t) / t;
      low[ky * t + kx] = Math.sqrt(fx * fx + fy * fy) <= radius ? 1 : 0;
    }
  }
  const re = new Float64Array(t * t);
  const im = new Float64Array(t * t);
  let lowEnergy = 0;
  let totalEnergy = 0;
  for (const y0 of tileStarts(h, t)) {
    for (const x0 of tileStarts(w, t)) {
      let mean = 0;
      for (let y = 0; y < t; y++) for (let x = 0; x < t; x++) mean += g[(y0 + y) * w + x0 + x];
      mean /= t * t;
      for (let y = 0; y < t; y++) {
        for (let x = 0; x < t; x++) re[y * t + x] = (g[(y0 + y) * w + x0 + x] - mean) * hann[y] * hann[x];
      }
      im.fill(0);
      fft2d(re, im, t, t);
      for (let i = 0; i < t * t; i++) {
        const p = re[i] * re[i] + im[i] * im[i];
        totalEnergy += p;
        if (low[i]) lowEnergy += p;
      }
    }
  }
  return totalEnergy === 0 ? 1 : lowEnergy / totalEnergy;
}
