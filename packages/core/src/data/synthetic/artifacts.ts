/** Acquisition artefacts shared by the generators: lighting, sensor noise, JPEG blocking. */
import type { Canvas } from './raster.ts';
import type { Rng } from '../../util/random.ts';

/**
 * Multiplies the canvas by an illumination field: a linear ramp of total swing `ramp`
 * along direction `angle`, times a radial falloff `1 - vignette * r^2` (r = 1 at the corners).
 */
export function applyLighting(canvas: Canvas, angle: number, ramp: number, vignette: number): void {
  const { width, height, channels, data } = canvas;
  const cx = (width - 1) / 2;
  const cy = (height - 1) / 2;
  const rmax2 = cx * cx + cy * cy || 1;
  const ca = Math.cos(angle);
  const sa = Math.sin(angle);
  const half = Math.abs(cx * ca) + Math.abs(cy * sa) || 1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const dx = x - cx;
      const dy = y - cy;
      const g = (1 + ramp * 0.5 * ((dx * ca + dy * sa) / half)) * (1 - vignette * ((dx * dx + dy * dy) / rmax2));
      const o = (y * width + x) * channels;
      for (let c = 0; c < channels; c++) data[o + c] *= g;
    }
  }
}

/** Approximate inverse of the standard normal CDF (Abramowitz-Stegun 26.2.23, error < 4.5e-4). */
function normalQuantile(p: number): number {
  const q = p < 0.5 ? p : 1 - p;
  const t = Math.sqrt(-2 * Math.log(q));
  const z = t - (2.515517 + 0.802853 * t + 0.010328 * t * t) / (1 + 1.432788 * t + 0.189269 * t * t + 0.001308 * t * t * t);
  return p < 0.5 ? -z : z;
}

/** 4096 standard-normal quantiles at `(k + 0.5) / 4096`: indexing it uniformly draws N(0, 1) to 12-bit resolution. */
const GAUSS = Float32Array.from({ length: 4096 }, (_, k) => normalQuantile((k + 0.5) / 4096));

/**
 * Adds sensor noise: a signal-dependent (shot) part and a constant (read) part,
 * `p += N(0, sqrt(shot^2 * p + read^2))`, the same draw on every channel plus an
 * independent chroma part of 30 %, as a Bayer camera's demosaiced noise looks.
 * Draws come from a quantile table (12 bits of each 32-bit random word per draw), which is
 * several times faster than Box-Muller and indistinguishable at 8-bit output.
 */
export function addSensorNoise(canvas: Canvas, rng: Rng, read: number, shot: number): void {
  const { channels, data } = canvas;
  const n = canvas.width * canvas.height;
  const shot2 = shot * shot;
  const read2 = read * read;
  for (let i = 0; i < n; i++) {
    const o = i * channels;
    const p = data[o] > 0 ? data[o] : 0;
    const sd = Math.sqrt(shot2 * p + read2);
    const bits = rng.uint32();
    const common = GAUSS[bits >>> 20] * sd;
    if (channels === 1) {
      data[o] += common;
    } else {
      const chroma = 0.3 * sd;
      data[o] += common + GAUSS[(bits >>> 8) & 4095] * chroma;
      data[o + 1] += common + GAUSS[bits & 4095] * chroma;
      data[o + 2] += common + GAUSS[rng.uint32() >>> 20] * chroma;
    }
  }
}

/** JPEG Annex K luminance quantisation table (row-major 8x8). */
const LUMA_Q = [
  16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55, 14, 13, 16, 24, 40, 57, 69, 56, 14, 17, 22, 29, 51, 87, 80, 62,
  18, 22, 37, 56, 68, 109, 103, 77, 24, 35, 55, 64, 81, 104, 113, 92, 49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99,
];

/** 8-point DCT-II basis: `C[u][x] = a(u) cos((2x + 1) u pi / 16)`, orthonormal. */
const DCT = (() => {
  const m = new Float64Array(64);
  for (let u = 0; u < 8; u++) for (let x = 0; x < 8; x++) m[u * 8 + x] = (u === 0 ? Math.SQRT1_2 : 1) * 0.5 * Math.cos(((2 * x + 1) * u * Math.PI) / 16);
  return m;
})();

/**
 * Simulates JPEG compression blocking on the luma plane (where it shows): RGB goes to
 * YCbCr (JFIF), every full 8x8 block of Y is transformed by the 2-D DCT, quantised with the
 * Annex K luminance table scaled by the IJG quality rule, and transformed back; chroma is
 * kept. Deterministic and independent of any codec.
 * @param quality 1..100 (IJG scale; 50 = the table as printed)
 */
export function jpegBlocking(canvas: Canvas, quality: number): void {
  const { width, height, channels, data } = canvas;
  const s = quality < 50 ? 5000 / quality : 200 - 2 * quality;
  const q = Float64Array.from(LUMA_Q, (v) => Math.max(1, Math.floor((v * s + 50) / 100)));
  const block = new Float64Array(64);
  const tmp = new Float64Array(64);
  for (let by = 0; by + 8 <= height; by += 8) {
    for (let bx = 0; bx + 8 <= width; bx += 8) {
      for (let y = 0; y < 8; y++) {
        for (let x = 0; x < 8; x++) {
          const o = ((by + y) * width + bx + x) * channels;
          const luma = channels === 1 ? data[o] : 0.299 * data[o] + 0.587 * data[o + 1] + 0.114 * data[o + 2];
          block[y * 8 + x] = luma * 255 - 128;
        }
      }
      transform(block, tmp, false);
      for (let k = 0; k < 64; k++) block[k] = Math.round(block[k] / q[k]) * q[k];
      transform(block, tmp, true);
      for (let y = 0; y < 8; y++) {
        for (let x = 0; x < 8; x++) {
          const o = ((by + y) * width + bx + x) * channels;
          const luma = channels === 1 ? data[o] : 0.299 * data[o] + 0.587 * data[o + 1] + 0.114 * data[o + 2];
          // Adding the luma change to every channel keeps Cb and Cr as they were.
          const delta = (block[y * 8 + x] + 128) / 255 - luma;
          for (let c = 0; c < channels; c++) data[o + c] += delta;
        }
      }
    }
  }
}

/** Separable 2-D DCT (`C B C^T`) or its inverse (`C^T B C`), in place on `b`. */
function transform(b: Float64Array, tmp: Float64Array, inverse: boolean): void {
  for (let i = 0; i < 8; i++) {
    for (let j = 0; j < 8; j++) {
      let acc = 0;
      for (let k = 0; k < 8; k++) acc += (inverse ? DCT[k * 8 + i] : DCT[i * 8 + k]) * b[k * 8 + j];
      tmp[i * 8 + j] = acc;
    }
  }
  for (let i = 0; i < 8; i++) {
    for (let j = 0; j < 8; j++) {
      let acc = 0;
      for (let k = 0; k < 8; k++) acc += tmp[i * 8 + k] * (inverse ? DCT[k * 8 + j] : DCT[j * 8 + k]);
      b[i * 8 + j] = acc;
    }
  }
}
