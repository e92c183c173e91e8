/**
 * Procedural noise for textures: lattice value noise and Perlin gradient noise (both
 * with quintic fade), summed over octaves as fractal Brownian motion (fBm).
 */

/** A 32-bit hash of a lattice point and a seed (integer avalanche of Murmur3's finaliser). */
function hash2(ix: number, iy: number, seed: number): number {
  let h = Math.imul(ix, 0x27d4eb2d) ^ Math.imul(iy, 0x165667b1) ^ seed;
  h = Math.imul(h ^ (h >>> 15), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** Perlin's quintic fade `6t^5 - 15t^4 + 10t^3`, C2-continuous at lattice points. */
function fade(t: number): number {
  return t * t * t * (t * (t * 6 - 15) + 10);
}

/** Value noise in [-1, 1): random values at integer lattice points, smoothly interpolated. */
export function valueNoise(x: number, y: number, seed: number): number {
  const ix = Math.floor(x);
  const iy = Math.floor(y);
  const u = fade(x - ix);
  const v = fade(y - iy);
  const a = hash2(ix, iy, seed) / 2147483648 - 1;
  const b = hash2(ix + 1, iy, seed) / 2147483648 - 1;
  const c = hash2(ix, iy + 1, seed) / 2147483648 - 1;
  const d = hash2(ix + 1, iy + 1, seed) / 2147483648 - 1;
  const top = a + (b - a) * u;
  return top + (c + (d - c) * u - top) * v;
}

/** The dot product of one of 8 unit gradients (picked by `h`) with (dx, dy). */
function gradDot(h: number, dx: number, dy: number): number {
  switch (h & 7) {
    case 0: return dx + dy;
    case 1: return dx - dy;
    case 2: return -dx + dy;
    case 3: return -dx - dy;
    case 4: return 1.4142135 * dx;
    case 5: return -1.4142135 * dx;
    case 6: return 1.4142135 * dy;
    default: return -1.4142135 * dy;
  }
}

/** Perlin gradient noise, roughly in [-1, 1], zero at lattice points. */
export function perlinNoise(x: number, y: number, seed: number): number {
  const ix = Math.floor(x);
  const iy = Math.floor(y);
  const fx = x - ix;
  const fy = y - iy;
  const u = fade(fx);
  const v = fade(fy);
  const a = gradDot(hash2(ix, iy, seed), fx, fy);
  const b = gradDot(hash2(ix + 1, iy, seed), fx - 1, fy);
  const c = gradDot(hash2(ix, iy + 1, seed), fx, fy - 1);
  const d = gradDot(hash2(ix + 1, iy + 1, seed), fx - 1, fy - 1);
  const top = a + (b - a) * u;
  return (top + (c + (d - c) * u - top) * v) * 0.7071;
}

/** Parameters of {@link fbmField}. */
export interface FbmOptions {
  seed: number;
  /** Feature size of the first octave in pixels. */
  scale: number;
  octaves?: number;
  /** Amplitude factor per octave; default 0.5. */
  gain?: number;
  /** Frequency factor per octave; default 2. */
  lacunarity?: number;
  /** Direction of elongation in radians; default 0. */
  angle?: number;
  /** Elongation along `angle` (1 = isotropic, 20 = long streaks); default 1. */
  stretch?: number;
  basis?: 'value' | 'perlin';
}

/**
 * Adds `amplitude * noise(u, v)` for one octave to `out`, where (u, v) is pixel (x, y)
 * mapped by `u = x * a + y * b`, `v = x * c + y * d`. The lattice values (or gradients)
 * the octave touches are hashed once into a table instead of four times per pixel; the
 * result equals {@link valueNoise} / {@link perlinNoise} exactly.
 */
function addOctave(out: Float32Array, width: number, height: number, a: number, b: number, c: number, d: number, seed: number, amplitude: number, perlin: boolean): void {
  const us = [0, (width - 1) * a, (height - 1) * b, (width - 1) * a + (height - 1) * b];
  const vs = [0, (width - 1) * c, (height - 1) * d, (width - 1) * c + (height - 1) * d];
  const u0 = Math.floor(Math.min(...us));
  const v0 = Math.floor(Math.min(...vs));
  const nu = Math.floor(Math.max(...us)) - u0 + 2;
  const nv = Math.floor(Math.max(...vs)) - v0 + 2;
  // Value noise keeps the lattice value in `gx`; Perlin keeps the gradient in (gx, gy).
  const gx = new Float32Array(nu * nv);
  const gy = new Float32Array(perlin ? nu * nv : 0);
  for (let j = 0; j < nv; j++) {
    for (let i = 0; i < nu; i++) {
      const h = hash2(u0 + i, v0 + j, seed);
      if (perlin) {
        gx[j * nu + i] = gradDot(h, 1, 0);
        gy[j * nu + i] = gradDot(h, 0, 1);
      } else {
        gx[j * nu + i] = h / 2147483648 - 1;
      }
    }
  }
  for (let y = 0; y < height; y++) {
    // Lattice-relative coordinates are non-negative, so truncation is floor.
    let lu = y * b - u0;
    let lv = y * d - v0;
    let o = y * width;
    for (let x = 0; x < width; x++, lu += a, lv += c, o++) {
      const iu = lu | 0;
      const iv = lv | 0;
      const fx = lu - iu;
      const fy = lv - iv;
      const k = iv * nu + iu;
      const su = fx * fx * fx * (fx * (fx * 6 - 15) + 10);
      const sv = fy * fy * fy * (fy * (fy * 6 - 15) + 10);
      let n: number;
      if (perlin) {
        const p = gx[k] * fx + gy[k] * fy;
        const q = gx[k + 1] * (fx - 1) + gy[k + 1] * fy;
        const r = gx[k + nu] * fx + gy[k + nu] * (fy - 1);
        const s = gx[k + nu + 1] * (fx - 1) + gy[k + nu + 1] * (fy - 1);
        const top = p + (q - p) * su;
        n = (top + (r + (s - r) * su - top) * sv) * 0.7071;
      } else {
        const p = gx[k];
        const q = gx[k + 1];
        const r = gx[k + nu];
        const top = p + (q - p) * su;
        n = top + (r + (gx[k + nu + 1] - r) * su - top) * sv;
      }
      out[o] += amplitude * n;
    }
  }
}

/**
 * Fills a `width x height` field with fBm: `sum_k gain^k * noise(lacunarity^k * p)`,
 * normalised by the sum of amplitudes so values stay roughly in [-1, 1]. Coordinates are
 * rotated by `angle` and divided by `scale * stretch` along it and `scale` across it.
 * @returns [height, width] float32, row-major
 */
export function fbmField(width: number, height: number, options: FbmOptions): Float32Array {
  const octaves = options.octaves ?? 4;
  const gain = options.gain ?? 0.5;
  const lacunarity = options.lacunarity ?? 2;
  const stretch = options.stretch ?? 1;
  const cos = Math.cos(options.angle ?? 0);
  const sin = Math.sin(options.angle ?? 0);
  const along = 1 / (options.scale * stretch);
  const across = 1 / options.scale;
  let norm = 0;
  for (let k = 0, a = 1; k < octaves; k++, a *= gain) norm += a;
  const out = new Float32Array(width * height);
  let f = 1;
  let amplitude = 1 / norm;
  for (let k = 0; k < octaves; k++) {
    addOctave(out, width, height, cos * along * f, sin * along * f, -sin * across * f, cos * across * f, (options.seed + k * 0x9e3779b9) | 0, amplitude, options.basis === 'perlin');
    f *= lacunarity;
    amplitude *= gain;
  }
  return out;
}
