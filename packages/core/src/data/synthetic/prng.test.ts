import { describe, expect, it } from 'vitest';
import { fbmField, perlinNoise, valueNoise } from './noise.ts';
import { createRng, hashSeed, shuffled } from '../../util/random.ts';

describe('seeded randomness', () => {
  it('repeats a stream for a seed and differs between seeds', () => {
    const a = createRng(42);
    const b = createRng(42);
    const c = createRng(43);
    const sa = Array.from({ length: 8 }, () => a.uint32());
    expect(Array.from({ length: 8 }, () => b.uint32())).toEqual(sa);
    expect(Array.from({ length: 8 }, () => c.uint32())).not.toEqual(sa);
  });

  it('gives uniform and Gaussian variates with the right moments', () => {
    const rng = createRng(7);
    const n = 20000;
    let su = 0;
    let sn = 0;
    let sn2 = 0;
    let outOfRange = 0;
    for (let i = 0; i < n; i++) {
      const u = rng.next();
      if (!(u >= 0 && u < 1)) outOfRange++;
      su += u;
      const z = rng.normal(3, 2);
      sn += z;
      sn2 += z * z;
    }
    expect(outOfRange).toBe(0);
    expect(su / n).toBeCloseTo(0.5, 1);
    const mean = sn / n;
    expect(mean).toBeCloseTo(3, 1);
    expect(Math.sqrt(sn2 / n - mean * mean)).toBeCloseTo(2, 1);
  });

  it('hashSeed separates parts and types; shuffle is a permutation', () => {
    expect(hashSeed(1, 2)).not.toBe(hashSeed(12));
    expect(hashSeed(1, 'a')).not.toBe(hashSeed('1', 'a'));
    expect(hashSeed(5, 'x')).toBe(hashSeed(5, 'x'));
    const items = Array.from({ length: 50 }, (_, i) => i);
    const s = shuffled(items, createRng(1));
    expect([...s].sort((x, y) => x - y)).toEqual(items);
    expect(s).not.toEqual(items);
  });

  it('fbm fields equal a direct per-pixel sum of octaves and stay bounded', () => {
    const seed = 99;
    const field = fbmField(16, 8, { seed, scale: 4, octaves: 2, gain: 0.5, basis: 'value' });
    const direct = (x: number, y: number): number => (valueNoise(x / 4, y / 4, seed) + 0.5 * valueNoise(x / 2, y / 2, (seed + 0x9e3779b9) | 0)) / 1.5;
    expect(field[3 * 16 + 5]).toBeCloseTo(direct(5, 3), 5);
    const perlin = fbmField(16, 8, { seed, scale: 3, octaves: 1, basis: 'perlin' });
    expect(perlin[2 * 16 + 7]).toBeCloseTo(perlinNoise(7 / 3, 2 / 3, seed), 5);
    for (const v of fbmField(64, 64, { seed: 3, scale: 5, octaves: 4 })) expect(Math.abs(v)).toBeLessThanOrEqual(1);
  });
});
