import { describe, expect, it } from 'vitest';
import { isXqcError } from '../../errors.ts';
import { createImage } from '../../image/image.types.ts';
import type { ImageU8 } from '../../image/image.types.ts';
import { uniformRng } from '../../util/random.ts';
import { rgbToLab, slic } from './slic.ts';
import type { Superpixels } from './slic.ts';

/** A 224x224 image of random-coloured discs and stripes, plus uniform noise of width `noise`. */
function scene(seed: number, noise: number, size = 224): ImageU8 {
  const u = uniformRng(seed);
  const img = createImage(size, size, 3);
  const discs = Array.from({ length: 12 }, () => ({ x: u() * size, y: u() * size, r: 10 + u() * 40, c: [u() * 255, u() * 255, u() * 255] }));
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      let c = Math.floor(x / 32) % 2 ? [200, 190, 180] : [60, 70, 90];
      for (const d of discs) if ((x - d.x) ** 2 + (y - d.y) ** 2 < d.r * d.r) c = d.c;
      for (let k = 0; k < 3; k++) img.data[(y * size + x) * 3 + k] = Math.max(0, Math.min(255, c[k] + (u() - 0.5) * noise));
    }
  }
  return img;
}

/** Number of 4-connected components of each label. */
function componentsPerLabel(sp: Superpixels): number[] {
  const { width: w, height: h, labels } = sp;
  const seen = new Uint8Array(w * h);
  const count = new Array<number>(sp.count).fill(0);
  for (let s = 0; s < w * h; s++) {
    if (seen[s]) continue;
    count[labels[s]]++;
    const stack = [s];
    seen[s] = 1;
    while (stack.length) {
      const p = stack.pop() as number;
      const x = p % w;
      for (const q of [x > 0 ? p - 1 : -1, x < w - 1 ? p + 1 : -1, p - w, p + w < w * h ? p + w : -1]) {
        if (q >= 0 && !seen[q] && labels[q] === labels[p]) {
          seen[q] = 1;
          stack.push(q);
        }
      }
    }
  }
  return count;
}

describe('rgbToLab', () => {
  it('maps white, black and pure red to their CIELAB (D65) values', () => {
    const img = createImage(3, 1, 3, Uint8Array.from([255, 255, 255, 0, 0, 0, 255, 0, 0]));
    const lab = rgbToLab(img);
    expect(lab[0]).toBeCloseTo(100, 3);
    expect(lab[3]).toBeCloseTo(0, 3);
    expect(lab[6]).toBeCloseTo(0, 3);
    expect(lab[1]).toBeCloseTo(0, 6);
    // sRGB red: L 53.24, a 80.09, b 67.20 (Bruce Lindbloom's calculator).
    expect(lab[2]).toBeCloseTo(53.24, 1);
    expect(lab[5]).toBeCloseTo(80.09, 1);
    expect(lab[8]).toBeCloseTo(67.2, 1);
  });
});

describe('SLIC', () => {
  const img = scene(5, 10);
  const noisy = scene(5, 60);

  for (const [n, image, sigma] of [[25, img, 0], [100, img, 0], [200, img, 0], [100, noisy, 1]] as const) {
    it(`with ${n} segments gives about ${n} labels, each one connected region (${image === img ? 'clean' : 'noisy, sigma 1'})`, () => {
      const sp = slic(image, { segments: n, sigma });
      expect(sp.count).toBeGreaterThanOrEqual(Math.floor(0.7 * n));
      expect(sp.count).toBeLessThanOrEqual(Math.ceil(1.3 * n));
      expect(new Set(sp.labels).size).toBe(sp.count);
      expect(Math.min(...sp.labels)).toBe(0);
      expect(Math.max(...sp.labels)).toBe(sp.count - 1);
      expect(componentsPerLabel(sp).every((c) => c === 1)).toBe(true);
    });
  }

  it('follows colour edges: a two-colour image splits along the boundary', () => {
    const two = createImage(64, 64, 3);
    for (let i = 0; i < 64 * 64; i++) two.data.set(i % 64 < 29 ? [230, 20, 20] : [20, 20, 230], i * 3);
    const sp = slic(two, { segments: 16 });
    const left = new Set<number>();
    const right = new Set<number>();
    for (let i = 0; i < 64 * 64; i++) (i % 64 < 29 ? left : right).add(sp.labels[i]);
    expect([...left].filter((l) => right.has(l))).toEqual([]);
  });

  it('is deterministic and handles gray and tiny images', () => {
    const a = slic(noisy, { segments: 100, sigma: 1 });
    const b = slic(noisy, { segments: 100, sigma: 1 });
    expect(Array.from(a.labels)).toEqual(Array.from(b.labels));
    const gray = createImage(40, 30, 1, Uint8Array.from({ length: 1200 }, (_, i) => (i % 40 < 20 ? 30 : 220)));
    const g = slic(gray, { segments: 6 });
    expect(componentsPerLabel(g).every((c) => c === 1)).toBe(true);
    const dark = new Set<number>();
    for (let i = 0; i < 1200; i++) if (i % 40 < 20) dark.add(g.labels[i]);
    for (let i = 0; i < 1200; i++) if (i % 40 >= 20) expect(dark.has(g.labels[i])).toBe(false);
    // More segments than pixels: one superpixel per pixel.
    expect(slic(createImage(2, 2, 3), { segments: 50 })).toEqual({ width: 2, height: 2, labels: Int32Array.from([0, 1, 2, 3]), count: 4 });
  });

  it('with a very large compactness is the Voronoi diagram of the seed grid: equal-sized regions', () => {
    const sp = slic(img, { segments: 49, compactness: 1e5 });
    expect(sp.count).toBe(49);
    const area = new Array<number>(49).fill(0);
    for (const l of sp.labels) area[l]++;
    const nominal = (224 * 224) / 49;
    for (const a of area) expect(Math.abs(a - nominal) / nominal).toBeLessThan(0.1);
  });

  it('rejects bad options with XQC_INVALID_ARGUMENT', () => {
    for (const bad of [{ segments: 0 }, { compactness: 0 }, { iterations: 1.5 }, { sigma: -1 }]) {
      let err: unknown;
      try {
        slic(img, bad);
      } catch (e) {
        err = e;
      }
      expect(isXqcError(err, 'XQC_INVALID_ARGUMENT')).toBe(true);
    }
  });
});
