import { describe, expect, it } from 'vitest';
import type { ScalarMap } from '../image/image.types.ts';
import { normalRng } from '../util/random.ts';
import { agreement, consensus, downsampleMap, meanMap, medianMap, normalizeMap } from './aggregate.ts';

const rng = normalRng(3);
function randomMap(w: number, h: number): ScalarMap {
  return { width: w, height: h, data: Float32Array.from({ length: w * h }, () => rng()) };
}
/** A smooth blob centred at (cx, cy) on a w x h map. */
function blob(w: number, h: number, cx: number, cy: number, s = 6): ScalarMap {
  return { width: w, height: h, data: Float32Array.from({ length: w * h }, (_, i) => Math.exp(-(((i % w) - cx) ** 2 + (Math.floor(i / w) - cy) ** 2) / (2 * s * s))) };
}

describe('normalizeMap', () => {
  it('clips to the [p1, p99.5] percentiles of |map| and scales to [0, 1]', () => {
    const data = Float32Array.from({ length: 1000 }, (_, i) => (i % 2 ? -1 : 1) * (i / 999));
    data[0] = 1e6; // one hot pixel must not flatten the others
    const n = normalizeMap({ width: 1000, height: 1, data });
    expect(n.data[0]).toBe(1);
    expect(Math.min(...n.data)).toBe(0);
    // |v| = 0.5 sits near the middle of [p1, p99.5] ~ [0.01, 0.995]
    expect(n.data[500]).toBeCloseTo((500 / 999 - 0.00999) / (0.99499 - 0.00999), 2);
    expect(n.data[501]).toBeGreaterThan(0.49);
  });

  it("keeps only positive evidence in 'positive' mode and handles sparse and flat maps", () => {
    const n = normalizeMap({ width: 4, height: 1, data: Float32Array.from([-2, 0, 1, 2]) }, { mode: 'positive', low: 0, high: 100 });
    expect(Array.from(n.data)).toEqual([0, 0, 0.5, 1]);
    const sparse = new Float32Array(1000);
    sparse[7] = 3;
    expect(normalizeMap({ width: 1000, height: 1, data: sparse }).data[7]).toBe(1);
    expect(Array.from(normalizeMap({ width: 3, height: 1, data: new Float32Array(3).fill(2) }).data)).toEqual([0, 0, 0]);
  });
});

describe('pixel-wise combination', () => {
  const a = { width: 2, height: 1, data: Float32Array.from([1, 4]) };
  const b = { width: 2, height: 1, data: Float32Array.from([3, 0]) };
  const c = { width: 2, height: 1, data: Float32Array.from([8, 1]) };
  it('computes mean and median', () => {
    expect(Array.from(meanMap([a, b, c]).data)).toEqual([4, 5 / 3].map((v) => Math.fround(v)));
    expect(Array.from(medianMap([a, b, c]).data)).toEqual([3, 1]);
    expect(Array.from(medianMap([a, b]).data)).toEqual([2, 2]);
  });
  it('rejects maps of different sizes', () => {
    expect(() => meanMap([a, { width: 1, height: 2, data: new Float32Array(2) }])).toThrow(expect.objectContaining({ code: 'XQC_SHAPE_MISMATCH' }));
  });
  it('downsamples by area means', () => {
    const m = { width: 4, height: 4, data: Float32Array.from({ length: 16 }, (_, i) => i) };
    expect(Array.from(downsampleMap(m, 2).data)).toEqual([2.5, 4.5, 10.5, 12.5]);
  });
});

describe('consensus', () => {
  it('is 1 for identical maps, with every method agreeing fully', () => {
    const m = randomMap(64, 48);
    const r = consensus([m, m, m]);
    expect(r.score).toBeCloseTo(1, 12);
    expect(r.pairs).toHaveLength(3);
    for (const a of r.agreement) expect(a).toBeCloseTo(1, 12);
  });

  it('is 0 for a map and its negative', () => {
    const m = randomMap(64, 48);
    const neg = { ...m, data: m.data.map((v) => -v) };
    const r = consensus([m, neg]);
    expect(r.pairs[0].spearman).toBeCloseTo(-1, 12);
    expect(r.pairs[0].iou).toBe(0);
    expect(r.score).toBe(0);
  });

  it('is high for nearby blobs, low for distant ones, and singles out the outlier', () => {
    const near = consensus([blob(64, 64, 20, 20), blob(64, 64, 22, 21)]);
    const far = consensus([blob(64, 64, 10, 10), blob(64, 64, 54, 54)]);
    expect(near.score).toBeGreaterThan(0.8);
    expect(far.score).toBeLessThan(0.2);
    const r = consensus([blob(64, 64, 20, 20), blob(64, 64, 21, 20), blob(64, 64, 20, 22), blob(64, 64, 55, 50)]);
    expect(r.agreement[3]).toBeLessThan(Math.min(r.agreement[0], r.agreement[1], r.agreement[2]));
    expect(r.map.width).toBe(64);
    expect(Math.max(...r.map.data)).toBeLessThanOrEqual(1);
  });

  it('scores one pair the same way as agreement()', () => {
    const a = randomMap(40, 40);
    const b = { ...a, data: a.data.map((v, i) => v + 0.5 * Math.sin(i)) };
    expect(consensus([a, b]).score).toBeCloseTo(agreement(a, b).score, 12);
    expect(consensus([a]).score).toBe(1);
  });
});
