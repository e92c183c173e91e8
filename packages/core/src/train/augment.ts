/**
 * Seeded data augmentation applied identically to an image and its mask: flips,
 * 90-degree rotations, a small affine warp (rotation, scale, translation; bilinear for
 * the image, nearest for the mask, reflected borders), brightness / contrast / gamma,
 * Gaussian noise and a light blur. The photometric steps never touch the mask.
 */
import type { ImageU8 } from '../image/image.types.ts';
import { normalFrom } from '../util/random.ts';

/** Augmentation settings; probabilities in [0, 1], magnitudes as documented. */
export interface AugmentConfig {
  hflip?: number;
  vflip?: number;
  /** Probability of a random multiple of 90 degrees (square images only). */
  rot90?: number;
  /** Probability of the affine warp; max rotation in degrees, scale range +-, translation as a fraction of size. */
  affine?: number;
  maxRotation?: number;
  maxScale?: number;
  maxTranslate?: number;
  /** Probability of the photometric jitter, with +- ranges (brightness in 0..1 units, contrast factor, gamma factor). */
  color?: number;
  brightness?: number;
  contrast?: number;
  gamma?: number;
  /** Probability of Gaussian noise with sigma up to `noiseSigma` (0..255 units). */
  noise?: number;
  noiseSigma?: number;
  /** Probability of a 3x3 Gaussian blur. */
  blur?: number;
}

/** Defaults suited to inspection images (orientation-free surfaces). */
export const DEFAULT_AUGMENT: Required<AugmentConfig> = {
  hflip: 0.5,
  vflip: 0.5,
  rot90: 0.5,
  affine: 0.3,
  maxRotation: 10,
  maxScale: 0.1,
  maxTranslate: 0.05,
  color: 0.5,
  brightness: 0.1,
  contrast: 0.15,
  gamma: 0.15,
  noise: 0.2,
  noiseSigma: 6,
  blur: 0.1,
};

/** No augmentation at all. */
export const NO_AUGMENT: Required<AugmentConfig> = {
  ...DEFAULT_AUGMENT, hflip: 0, vflip: 0, rot90: 0, affine: 0, color: 0, noise: 0, blur: 0,
};

/**
 * Augments `image` (and `mask`, a class-id plane of the same width and height) with the
 * random stream `rng`. Returns new buffers; the inputs are not modified.
 */
export function augment(image: ImageU8, mask: Uint8Array | undefined, cfg: AugmentConfig, rng: () => number): { image: ImageU8; mask?: Uint8Array } {
  const c = { ...DEFAULT_AUGMENT, ...cfg };
  const { width: w, height: h, channels: ch } = image;
  // Geometric part as one inverse map: output (x, y) reads source (sx, sy).
  const flipX = rng() < c.hflip;
  const flipY = rng() < c.vflip;
  const k = w === h && rng() < c.rot90 ? 1 + Math.floor(rng() * 3) : 0;
  const useAffine = rng() < c.affine;
  const theta = useAffine ? ((rng() * 2 - 1) * c.maxRotation * Math.PI) / 180 : 0;
  const scale = useAffine ? 1 + (rng() * 2 - 1) * c.maxScale : 1;
  const tx = useAffine ? (rng() * 2 - 1) * c.maxTranslate * w : 0;
  const ty = useAffine ? (rng() * 2 - 1) * c.maxTranslate * h : 0;
  const cos = Math.cos(theta) / scale;
  const sin = Math.sin(theta) / scale;
  const cx = (w - 1) / 2;
  const cy = (h - 1) / 2;
  const outImg = new Uint8Array(w * h * ch);
  const outMask = mask ? new Uint8Array(w * h) : undefined;
  const geometric = flipX || flipY || k > 0 || useAffine;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      // Undo the affine warp around the centre, then the rotation by k*90, then the flips.
      let u = cos * (x - cx - tx) + sin * (y - cy - ty) + cx;
      let v = -sin * (x - cx - tx) + cos * (y - cy - ty) + cy;
      for (let r = 0; r < k; r++) {
        const nu = v;
        v = w - 1 - u;
        u = nu;
      }
      if (flipX) u = w - 1 - u;
      if (flipY) v = h - 1 - v;
      const o = y * w + x;
      if (!geometric) {
        for (let q = 0; q < ch; q++) outImg[o * ch + q] = image.data[o * ch + q];
        if (outMask && mask) outMask[o] = mask[o];
        continue;
      }
      if (!useAffine) {
        // Flips and quarter turns map pixel centres onto pixel centres (u, v are exact
        // integers in range): a plain copy, what bilinear sampling gives there.
        const src = v * w + u;
        for (let q = 0; q < ch; q++) outImg[o * ch + q] = image.data[src * ch + q];
        if (outMask && mask) outMask[o] = mask[src];
        continue;
      }
      sampleBilinear(image, u, v, outImg, o * ch);
      if (outMask && mask) outMask[o] = mask[reflect(Math.round(v), h) * w + reflect(Math.round(u), w)];
    }
  }
  photometric(outImg, w, ch, c, rng);
  return { image: { width: w, height: h, channels: ch, data: outImg }, mask: outMask };
}

function reflect(i: number, n: number): number {
  if (n === 1) return 0;
  const period = 2 * (n - 1);
  let m = ((i % period) + period) % period;
  if (m >= n) m = period - m;
  return m;
}

function sampleBilinear(img: ImageU8, u: number, v: number, out: Uint8Array, at: number): void {
  const { width: w, height: h, channels: ch, data } = img;
  const x0 = Math.floor(u);
  const y0 = Math.floor(v);
  const fx = u - x0;
  const fy = v - y0;
  // reflect() is the identity inside the image, where nearly every sample falls.
  const inside = x0 >= 0 && x0 + 1 < w && y0 >= 0 && y0 + 1 < h;
  const xa = inside ? x0 : reflect(x0, w);
  const xb = inside ? x0 + 1 : reflect(x0 + 1, w);
  const ya = inside ? y0 : reflect(y0, h);
  const yb = inside ? y0 + 1 : reflect(y0 + 1, h);
  for (let q = 0; q < ch; q++) {
    const p00 = data[(ya * w + xa) * ch + q];
    const p01 = data[(ya * w + xb) * ch + q];
    const p10 = data[(yb * w + xa) * ch + q];
    const p11 = data[(yb * w + xb) * ch + q];
    out[at + q] = Math.round((p00 * (1 - fx) + p01 * fx) * (1 - fy) + (p10 * (1 - fx) + p11 * fx) * fy);
  }
}

function photometric(px: Uint8Array, w: number, ch: number, c: Required<AugmentConfig>, rng: () => number): void {
  const doColor = rng() < c.color;
  const bright = doColor ? (rng() * 2 - 1) * c.brightness * 255 : 0;
  const contrast = doColor ? 1 + (rng() * 2 - 1) * c.contrast : 1;
  const gamma = doColor ? 1 + (rng() * 2 - 1) * c.gamma : 1;
  const doNoise = rng() < c.noise;
  const sigma = doNoise ? rng() * c.noiseSigma : 0;
  const doBlur = rng() < c.blur;
  if (doColor) {
    const lut = new Uint8Array(256);
    for (let i = 0; i < 256; i++) {
      const g = 255 * Math.pow(i / 255, gamma);
      lut[i] = Math.max(0, Math.min(255, Math.round((g - 128) * contrast + 128 + bright)));
    }
    for (let i = 0; i < px.length; i++) px[i] = lut[px[i]];
  }
  if (doNoise && sigma > 0) {
    const normal = normalFrom(rng);
    for (let i = 0; i < px.length; i++) px[i] = Math.max(0, Math.min(255, Math.round(px[i] + sigma * normal())));
  }
  if (doBlur) blur3(px, w, ch);
}

/** In-place separable 3x3 Gaussian blur (kernel 1-2-1 on each axis, edges replicated) of an HWC image of width `w`. */
function blur3(px: Uint8Array, w: number, ch: number): void {
  const h = px.length / (w * ch);
  const tmp = new Uint16Array(px.length);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const l = Math.max(0, x - 1);
      const r = Math.min(w - 1, x + 1);
      for (let q = 0; q < ch; q++) tmp[(y * w + x) * ch + q] = px[(y * w + l) * ch + q] + 2 * px[(y * w + x) * ch + q] + px[(y * w + r) * ch + q];
    }
  }
  for (let y = 0; y < h; y++) {
    const u = Math.max(0, y - 1);
    const d = Math.min(h - 1, y + 1);
    for (let x = 0; x < w; x++) {
      for (let q = 0; q < ch; q++) {
        px[(y * w + x) * ch + q] = (tmp[(u * w + x) * ch + q] + 2 * tmp[(y * w + x) * ch + q] + tmp[(d * w + x) * ch + q] + 8) >> 4;
      }
    }
  }
}
