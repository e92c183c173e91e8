import { describe, expect, it } from 'vitest';
import { fbmField } from '../../../data/synthetic/noise.ts';
import { isXqcError } from '../../../errors.ts';
import type { Channels, ImageU8 } from '../../../image/image.types.ts';
import { createRng } from '../../../util/random.ts';
import { perlinMask } from './perlin-mask.ts';
import { SIMULATION_KINDS, simulateDefect } from './simulate.ts';
import type { SimulatedSample, SimulationKind, SimulationOptions } from './simulated.types.ts';

/** A textured test image: fBm per channel around a per-image base level, alpha (if any) varying. */
function texture(seed: number, width = 64, height = 64, channels: Channels = 3): ImageU8 {
  const data = new Uint8Array(width * height * channels);
  const base = 70 + ((seed * 37) % 110);
  for (let c = 0; c < Math.min(channels, 3); c++) {
    const field = fbmField(width, height, { seed: seed * 10 + c, scale: 6 + c, octaves: 3 });
    for (let i = 0; i < width * height; i++) data[i * channels + c] = Math.max(0, Math.min(255, Math.round(base + 45 * field[i])));
  }
  if (channels === 4) for (let i = 0; i < width * height; i++) data[i * 4 + 3] = (i * 7) % 256;
  return { width, height, channels, data };
}

const POOL = [texture(11), texture(12), texture(13)];

/** The image with its right half 70 levels brighter (colour channels only): a strong vertical edge for `edge-band`. */
function withEdge(image: ImageU8): ImageU8 {
  const { width, height, channels } = image;
  const data = image.data.slice();
  for (let y = 0; y < height; y++) {
    for (let x = width >> 1; x < width; x++) for (let c = 0; c < Math.min(3, channels); c++) data[(y * width + x) * channels + c] = Math.min(255, data[(y * width + x) * channels + c] + 70);
  }
  return { width, height, channels, data };
}

function area(mask: Uint8Array): number {
  let n = 0;
  for (const v of mask) n += v;
  return n;
}

/** Asserts the sample's invariants against its input; returns the mask area. */
function checkSample(input: ImageU8, before: Uint8Array, sample: SimulatedSample, visibleDelta = 8): number {
  const { width, height, channels } = input;
  // The input is never modified.
  expect(Buffer.compare(input.data, before)).toBe(0);
  expect(sample.image.width).toBe(width);
  expect(sample.image.height).toBe(height);
  expect(sample.image.channels).toBe(channels);
  expect(sample.image.data.length).toBe(before.length);
  expect(sample.mask.length).toBe(width * height);
  const colour = channels === 1 ? 1 : 3;
  let n = 0;
  for (let i = 0; i < width * height; i++) {
    const m = sample.mask[i];
    if (m !== 0 && m !== 1) throw new Error(`mask value ${m} at pixel ${i}`);
    let d = 0;
    for (let c = 0; c < colour; c++) d = Math.max(d, Math.abs(sample.image.data[i * channels + c] - before[i * channels + c]));
    if (m === 1) {
      n++;
      if (d < visibleDelta) throw new Error(`pixel ${i} is in the mask but changed by only ${d}`);
    } else if (d !== 0) {
      throw new Error(`pixel ${i} is outside the mask but changed by ${d}`);
    }
    if (channels === 4 && sample.image.data[i * 4 + 3] !== before[i * 4 + 3]) throw new Error(`alpha changed at pixel ${i}`);
  }
  expect(n === 0).toBe(sample.kinds.length === 0);
  return n;
}

function expectCode(fn: () => unknown, code: string): void {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(isXqcError(caught)).toBe(true);
  expect((caught as { code: string }).code).toBe(code);
}

describe('simulateDefect', () => {
  it.each([1, 3, 4] as const)('keeps mask and image aligned for every kind on %i-channel images', (channels) => {
    const rng = createRng(channels);
    const pool = POOL.map((_, k) => texture(20 + k, 64, 64, channels));
    for (const kind of SIMULATION_KINDS) {
      let made = 0;
      for (let s = 0; s < 12; s++) {
        const input = kind === 'edge-band' ? withEdge(texture(100 + s, 64, 48, channels)) : texture(100 + s, 64, 48, channels);
        const before = input.data.slice();
        const sample = simulateDefect(input, pool, rng, { kinds: [kind], goodProbability: 0, maxDefects: 1 });
        const n = checkSample(input, before, sample);
        if (n > 0) {
          made++;
          expect(sample.kinds).toEqual([kind]);
        }
      }
      // Up to 4 draws per defect: an invisible result is rare on textured images.
      expect(made, `${kind} on ${channels} channels`).toBeGreaterThanOrEqual(10);
    }
  });

  it('keeps the invariants with several defects and the default kinds', () => {
    const rng = createRng(5);
    let several = 0;
    for (let s = 0; s < 60; s++) {
      const input = texture(200 + s, 80, 64);
      const before = input.data.slice();
      const sample = simulateDefect(input, POOL, rng, { goodProbability: 0, maxDefects: 3 });
      checkSample(input, before, sample);
      for (const kind of sample.kinds) expect(SIMULATION_KINDS).toContain(kind);
      if (sample.kinds.length > 1) several++;
    }
    expect(several).toBeGreaterThan(0);
  });

  it('draws areas log-uniformly in the requested range', () => {
    const width = 96;
    const height = 96;
    const [lo, hi] = [0.001, 0.05];
    const expected = ((hi - lo) / Math.log(hi / lo)) * width * height;
    const input = texture(7, width, height);
    const pool = POOL.map((_, k) => texture(30 + k, width, height));
    for (const kind of ['perlin-foreign', 'perlin-self', 'spot', 'hole', 'stain'] as SimulationKind[]) {
      const rng = createRng(9);
      const areas: number[] = [];
      for (let s = 0; s < 150; s++) {
        const n = area(simulateDefect(input, pool, rng, { kinds: [kind], goodProbability: 0, maxDefects: 1, areaShare: [lo, hi] }).mask);
        if (n > 0) areas.push(n);
      }
      const mean = areas.reduce((a, b) => a + b, 0) / areas.length;
      expect(mean / expected, kind).toBeGreaterThan(0.6);
      expect(mean / expected, kind).toBeLessThan(1.4);
      // Soft edges (spots, stains) show a little beyond the nominal outline.
      expect(Math.max(...areas), kind).toBeLessThan(2 * hi * width * height);
      // Log-uniform: about as many areas below the geometric mean of the range as above it.
      const below = areas.filter((a) => a < Math.sqrt(lo * hi) * width * height).length / areas.length;
      expect(below, kind).toBeGreaterThan(0.3);
      expect(below, kind).toBeLessThan(0.7);
    }
  });

  it('is deterministic for a seed', () => {
    const input = texture(3);
    const run = (seed: number): SimulatedSample[] => {
      const rng = createRng(seed);
      return Array.from({ length: 20 }, () => simulateDefect(input, POOL, rng));
    };
    const a = run(42);
    const b = run(42);
    const c = run(43);
    for (let i = 0; i < a.length; i++) {
      expect(b[i].image.data).toEqual(a[i].image.data);
      expect(b[i].mask).toEqual(a[i].mask);
      expect(b[i].kinds).toEqual(a[i].kinds);
    }
    expect(c.some((s, i) => s.kinds.join() !== a[i].kinds.join() || area(s.mask) !== area(a[i].mask))).toBe(true);
  });

  it('returns good samples unchanged with an all-zero mask, at the requested rate', () => {
    const input = texture(4, 64, 64, 4);
    const rng = createRng(8);
    const good = simulateDefect(input, POOL, rng, { goodProbability: 1 });
    expect(good.kinds).toEqual([]);
    expect(area(good.mask)).toBe(0);
    expect(good.image.data).toEqual(input.data);
    expect(good.image.data).not.toBe(input.data);
    let goods = 0;
    for (let s = 0; s < 400; s++) if (simulateDefect(input, POOL, rng).kinds.length === 0) goods++;
    expect(goods / 400).toBeGreaterThan(0.42);
    expect(goods / 400).toBeLessThan(0.58);
  });

  it('returns a good sample when the defect would be invisible', () => {
    const input = texture(5);
    const before = input.data.slice();
    const rng = createRng(1);
    for (let s = 0; s < 10; s++) {
      // At 1 % opacity no pixel changes by 8 levels.
      const sample = simulateDefect(input, POOL, rng, { kinds: ['perlin-foreign', 'perlin-self'], goodProbability: 0, opacity: [0.01, 0.01] });
      expect(checkSample(input, before, sample)).toBe(0);
      expect(sample.image.data).toEqual(before);
    }
  });

  it('marks only changes of at least visibleDelta', () => {
    const input = texture(6);
    const before = input.data.slice();
    const rng = createRng(2);
    for (let s = 0; s < 20; s++) checkSample(input, before, simulateDefect(input, POOL, rng, { goodProbability: 0, visibleDelta: 40 }), 40);
  });

  it('falls back to perlin-self when the pool is empty', () => {
    const rng = createRng(3);
    const input = texture(9);
    for (let s = 0; s < 5; s++) {
      const sample = simulateDefect(input, [], rng, { kinds: ['perlin-foreign'], goodProbability: 0, maxDefects: 1 });
      expect(sample.kinds).toEqual(['perlin-self']);
      expect(area(sample.mask)).toBeGreaterThan(0);
    }
  });

  it('takes pool images of other sizes and channel counts', () => {
    const rng = createRng(4);
    const pool = [texture(1, 40, 30, 1), texture(2, 90, 70, 4)];
    for (const channels of [1, 3, 4] as const) {
      const input = texture(10, 64, 64, channels);
      const before = input.data.slice();
      for (let s = 0; s < 5; s++) checkSample(input, before, simulateDefect(input, pool, rng, { kinds: ['perlin-foreign'], goodProbability: 0 }));
    }
  });

  it('refuses invalid options and images with stable codes', () => {
    const input = texture(1);
    const rng = createRng(1);
    const bad: SimulationOptions[] = [
      { kinds: [] },
      { kinds: ['dent' as SimulationKind] },
      { goodProbability: 1.5 },
      { goodProbability: Number.NaN },
      { opacity: [0, 1] },
      { opacity: [0.8, 0.2] },
      { opacity: [0.5, 1.5] },
      { areaShare: [0, 0.1] },
      { areaShare: [0.1, 0.01] },
      { areaShare: [0.01] as unknown as [number, number] },
      { maxDefects: 0 },
      { maxDefects: 1.5 },
      { visibleDelta: 0 },
      { visibleDelta: 256 },
    ];
    for (const options of bad) expectCode(() => simulateDefect(input, POOL, rng, options), 'XQC_INVALID_ARGUMENT');
    expectCode(() => simulateDefect(texture(1, 6, 64), POOL, rng), 'XQC_INVALID_ARGUMENT');
    expectCode(() => simulateDefect({ width: 64, height: 64, channels: 3, data: new Uint8Array(10) }, POOL, rng), 'XQC_IMAGE_INVALID');
    expectCode(() => simulateDefect(input, [{ width: 8, height: 8, channels: 3, data: new Uint8Array(5) }], createRng(1), { kinds: ['perlin-foreign'], goodProbability: 0 }), 'XQC_IMAGE_INVALID');
  });
});

describe('perlinMask', () => {
  it('covers about the requested area inside the image', () => {
    const rng = createRng(12);
    for (const target of [2, 10, 60, 400, 3000]) {
      let total = 0;
      for (let s = 0; s < 30; s++) {
        const region = perlinMask(rng, 128, 96, target);
        expect(region.x0).toBeGreaterThanOrEqual(0);
        expect(region.y0).toBeGreaterThanOrEqual(0);
        expect(region.x0 + region.width).toBeLessThanOrEqual(128);
        expect(region.y0 + region.height).toBeLessThanOrEqual(96);
        let inside = 0;
        for (const a of region.alpha) {
          if (!(a >= 0 && a <= 1)) throw new Error(`alpha ${a} outside [0, 1]`);
          if (a > 0) inside++;
        }
        expect(inside).toBe(region.area);
        total += region.area;
      }
      const mean = total / 30;
      expect(mean, `target ${target}`).toBeGreaterThanOrEqual(target * 0.9);
      expect(mean, `target ${target}`).toBeLessThanOrEqual(target * 1.25 + 2);
    }
  });
});
