/**
 * Seeded random numbers, the one module for every stream that must be reproducible from a
 * seed. Two generators, each kept because streams already depend on them bit for bit:
 * - mulberry32 (`uniformRng`, period 2^32) with Box-Muller and polar normals, for weight
 *   initialisation, test inputs, sampling in explainers and uncertainty; `keyedRng` keys it
 *   by integers (seed, epoch, index) for training and MC-Dropout;
 * - xoshiro128** (Blackman, Vigna 2018) seeded through splitmix32 (`createRng`), behind the
 *   `Rng` interface, for the synthetic datasets and dataset splits; `hashSeed` derives its
 *   per-image seeds from (dataset seed, index, kind), so image i is the same whatever else
 *   is generated.
 */

/** A seeded generator of uniform numbers in [0, 1) (mulberry32, period 2^32). */
export function uniformRng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normals drawn from an existing uniform stream: z = sqrt(-2 ln(1 - u1)) cos(2 pi u2). */
export function normalFrom(uniform: () => number): () => number {
  return () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
}

/** A seeded generator of standard normal numbers: {@link normalFrom} over {@link uniformRng}. */
export function normalRng(seed: number): () => number {
  return normalFrom(uniformRng(seed));
}

/**
 * A mulberry32 stream keyed by integers (e.g. seed, epoch, sample index): same keys, same
 * stream. The keys are folded by FNV-1a over their low and high 32-bit words.
 */
export function keyedRng(...keys: number[]): () => number {
  let h = 0x811c9dc5;
  for (const k of keys) {
    h ^= k >>> 0;
    h = Math.imul(h, 0x01000193) >>> 0;
    h ^= Math.floor(k / 4294967296) >>> 0;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return uniformRng(h);
}

/**
 * Fills `out` with normal(mean, std) values drawn from `uniform` by Marsaglia's polar
 * method (two values per accepted point, no trigonometry: several times faster than
 * {@link normalRng} for the millions of values of a weight initialisation).
 */
export function fillNormal(out: Float32Array | Float64Array, uniform: () => number, std = 1, mean = 0): void {
  for (let i = 0; i < out.length; i += 2) {
    let u: number;
    let v: number;
    let s: number;
    do {
      u = 2 * uniform() - 1;
      v = 2 * uniform() - 1;
      s = u * u + v * v;
    } while (s >= 1 || s === 0);
    const f = std * Math.sqrt((-2 * Math.log(s)) / s);
    out[i] = mean + u * f;
    if (i + 1 < out.length) out[i + 1] = mean + v * f;
  }
}

/** Fisher-Yates shuffle of 0..n-1 with the uniform stream `rng`. */
export function permutation(n: number, rng: () => number): number[] {
  const p = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [p[i], p[j]] = [p[j], p[i]];
  }
  return p;
}

/** A seeded stream of random numbers (xoshiro128**, see {@link createRng}). */
export interface Rng {
  /** Next 32-bit unsigned integer. */
  uint32(): number;
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform in [a, b). */
  uniform(a: number, b: number): number;
  /** Uniform integer in [lo, hi). */
  int(lo: number, hi: number): number;
  /** Normal with the given mean and standard deviation. */
  normal(mean?: number, sd?: number): number;
  /** True with probability p. */
  chance(p: number): boolean;
  /** A uniformly chosen element of a non-empty array. */
  pick<T>(items: readonly T[]): T;
}

/** One step of splitmix32: a well-mixed 32-bit value from a 32-bit state increment. */
function splitmix32(state: number): number {
  let z = (state + 0x9e3779b9) | 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/**
 * Mixes numbers and strings into one 32-bit seed (FNV-1a over the parts' characters,
 * finalised by splitmix32), e.g. `hashSeed(datasetSeed, index, 'surface')`.
 */
export function hashSeed(...parts: readonly (number | string)[]): number {
  let h = 0x811c9dc5;
  for (const part of parts) {
    const text = typeof part === 'number' ? `n${part}` : `s${part}`;
    for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
    h = Math.imul(h ^ 0x2c, 0x01000193);
  }
  return splitmix32(h);
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

class Xoshiro128 implements Rng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;
  private spare: number | null = null;

  constructor(seed: number) {
    let x = seed >>> 0;
    const step = (): number => {
      x = (x + 0x9e3779b9) >>> 0;
      return splitmix32(x) | 0;
    };
    this.s0 = step();
    this.s1 = step();
    this.s2 = step();
    this.s3 = step();
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }

  uint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9);
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result >>> 0;
  }

  next(): number {
    return this.uint32() / 4294967296;
  }

  uniform(a: number, b: number): number {
    return a + (b - a) * this.next();
  }

  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo));
  }

  normal(mean = 0, sd = 1): number {
    if (this.spare !== null) {
      const z = this.spare;
      this.spare = null;
      return mean + sd * z;
    }
    // Box-Muller: two uniforms give two independent standard normals; keep one for later.
    const u = 1 - this.next();
    const v = this.next();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return mean + sd * r * Math.cos(2 * Math.PI * v);
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }
}

/** A new xoshiro128** generator seeded from the 32-bit `seed`. */
export function createRng(seed: number): Rng {
  return new Xoshiro128(seed);
}

/** Fisher-Yates shuffle of a copy of `items` driven by `rng`. */
export function shuffled<T>(items: readonly T[], rng: Rng): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = rng.int(0, i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}
