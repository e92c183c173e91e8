import { describe, expect, it } from 'vitest';
import { fbmField } from '../../../data/synthetic/noise.ts';
import type { ImageU8 } from '../../../image/image.types.ts';
import { createRng } from '../../../util/random.ts';
import { edgeBandMask, edgeField, hasEdge } from './edge-band.ts';
import { simulateDefect } from './simulate.ts';

/** A gray textured image with a step of `step` levels along the line x = edgeX (or y = edgeY when `horizontal`). */
function stepped(seed: number, width: number, height: number, edge: number, step: number, horizontal = false): ImageU8 {
  const field = fbmField(width, height, { seed, scale: 5, octaves: 2 });
  const data = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const beyond = horizontal ? y >= edge : x >= edge;
      data[y * width + x] = Math.max(0, Math.min(255, Math.round(90 + (beyond ? step : 0) + 6 * field[y * width + x])));
    }
  }
  return { width, height, channels: 1, data };
}

/** Mean distance of the region's (or mask's) pixels from the edge line, and their extents along and across it. */
function spread(points: readonly [number, number][], edge: number, horizontal: boolean): { distance: number; along: number; across: number } {
  let distance = 0;
  let alongLo = Infinity;
  let alongHi = -Infinity;
  let acrossLo = Infinity;
  let acrossHi = -Infinity;
  for (const [x, y] of points) {
    const a = horizontal ? x : y;
    const c = horizontal ? y : x;
    distance += Math.abs(c + 0.5 - edge);
    alongLo = Math.min(alongLo, a);
    alongHi = Math.max(alongHi, a);
    acrossLo = Math.min(acrossLo, c);
    acrossHi = Math.max(acrossHi, c);
  }
  return { distance: distance / points.length, along: alongHi - alongLo + 1, across: acrossHi - acrossLo + 1 };
}

describe('edgeBandMask', () => {
  it.each([false, true])('lays a band of the requested area along a step edge (horizontal %s)', (horizontal) => {
    const image = stepped(3, 64, 64, 30, 60, horizontal);
    const field = edgeField(image.data, 64, 64, 1);
    expect(hasEdge(field)).toBe(true);
    const rng = createRng(horizontal ? 2 : 1);
    let total = 0;
    for (let k = 0; k < 40; k++) {
      const target = 40 + 4 * k;
      const region = edgeBandMask(rng, field, target);
      if (region === null) throw new Error('no region on an image with an edge');
      const points: [number, number][] = [];
      for (let y = 0; y < region.height; y++) {
        for (let x = 0; x < region.width; x++) if (region.alpha[y * region.width + x] > 0) points.push([region.x0 + x, region.y0 + y]);
      }
      expect(points.length).toBe(region.area);
      expect(region.area / target).toBeGreaterThan(0.7);
      expect(region.area / target).toBeLessThan(1.3);
      const s = spread(points, 30, horizontal);
      // On the edge or at most 1.5 band widths beside it (the widest band, at aspect 4, is
      // sqrt(target / 4) wide), and longer along the edge than across it.
      expect(s.distance, `area ${target}`).toBeLessThan(2 + 1.5 * Math.sqrt(target / 4));
      expect(s.along, `area ${target}`).toBeGreaterThan(1.5 * s.across);
      total += s.distance;
    }
    // Placed at random, the mean distance from the edge would be about 16 pixels.
    expect(total / 40).toBeLessThan(5);
  });

  it('returns null on an image without an edge', () => {
    const flat = stepped(4, 48, 48, 24, 0);
    const field = edgeField(flat.data, 48, 48, 1);
    expect(hasEdge(field)).toBe(false);
    expect(edgeBandMask(createRng(1), field, 50)).toBeNull();
  });

  it('reads the luma of colour images', () => {
    const gray = stepped(5, 40, 40, 20, 50);
    const rgb = new Uint8Array(40 * 40 * 4);
    for (let i = 0; i < 1600; i++) rgb.set([gray.data[i], gray.data[i], gray.data[i], 255], i * 4);
    const a = edgeField(gray.data, 40, 40, 1);
    const b = edgeField(rgb, 40, 40, 4);
    for (let i = 0; i < 1600; i++) expect(b.magnitude[i]).toBeCloseTo(a.magnitude[i], 3);
  });
});

describe('simulateDefect edge-band', () => {
  it('pastes defects along the edge, keeps the mask exact, and falls back to a Perlin kind without an edge', () => {
    const rng = createRng(7);
    const pool = [stepped(8, 48, 48, 10, 40)];
    let made = 0;
    let distance = 0;
    for (let s = 0; s < 30; s++) {
      const input = stepped(20 + s, 48, 48, 24, 60);
      const before = input.data.slice();
      const sample = simulateDefect(input, pool, rng, { kinds: ['edge-band'], goodProbability: 0, maxDefects: 1, areaShare: [0.01, 0.05] });
      expect(Buffer.compare(input.data, before)).toBe(0);
      const points: [number, number][] = [];
      for (let i = 0; i < 48 * 48; i++) {
        const changed = sample.image.data[i] !== before[i];
        expect(sample.mask[i] === 1, `pixel ${i}`).toBe(changed);
        if (changed) {
          expect(Math.abs(sample.image.data[i] - before[i])).toBeGreaterThanOrEqual(8);
          points.push([i % 48, Math.floor(i / 48)]);
        }
      }
      if (points.length === 0) continue;
      made++;
      expect(sample.kinds).toEqual(['edge-band']);
      distance += spread(points, 24, false).distance;
    }
    expect(made).toBeGreaterThanOrEqual(25);
    expect(distance / made).toBeLessThan(6);

    const flat = stepped(9, 48, 48, 24, 0);
    let fellBack = 0;
    for (let s = 0; s < 10; s++) {
      const sample = simulateDefect(flat, pool, rng, { kinds: ['edge-band'], goodProbability: 0, maxDefects: 1 });
      for (const kind of sample.kinds) expect(['perlin-self', 'perlin-foreign']).toContain(kind);
      if (sample.kinds.length > 0) fellBack++;
    }
    // Most of them still paste a (Perlin) defect rather than none.
    expect(fellBack).toBeGreaterThanOrEqual(7);
  });
});
