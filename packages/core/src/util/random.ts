/**
 * Seeded random numbers for everything that must be reproducible from a seed (weight
 * initialisation, test inputs, sampling): mulberry32 for uniforms, Box-Muller for normals.
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

/** A seeded generator of standard normal numbers: z = sqrt(-2 ln(1 - u1)) cos(2 pi u2). */
export function normalRng(seed: number): () => number {
  const uniform = uniformRng(seed);
  return () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
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
