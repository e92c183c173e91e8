/** Random-stream helpers for training: per-sample seeds and normals from a uniform stream. */
import { uniformRng } from '../util/random.ts';

/** A uniform stream keyed by integers (e.g. seed, epoch, sample index): same keys, same stream. */
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

/** Standard normals (Box-Muller) drawn from an existing uniform stream. */
export function normalFrom(uniform: () => number): () => number {
  return () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
}

/** Fisher-Yates shuffle of 0..n-1 with `rng`. */
export function permutation(n: number, rng: () => number): number[] {
  const p = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [p[i], p[j]] = [p[j], p[i]];
  }
  return p;
}
