import { describe, expect, it } from 'vitest';
import { uniformRng } from '../util/random.ts';
import { auprc, auroc, averagePrecision } from './ranking.ts';
import { BinaryScoreAccumulator, BinnedBinaryScoreAccumulator } from './score-accumulator.ts';

function stream(n: number, seed: number): { labels: Uint8Array; scores: Float64Array } {
  const u = uniformRng(seed);
  const labels = Uint8Array.from({ length: n }, () => (u() < 0.2 ? 1 : 0));
  // A positive scores higher on average; clamped into [0, 1] with some ties at the ends.
  const scores = Float64Array.from(labels, (y) => Math.min(1, Math.max(0, 0.35 + 0.25 * y + 0.3 * (u() - 0.5) * 2)));
  return { labels, scores };
}

describe('BinaryScoreAccumulator (exact)', () => {
  it('equals the one-shot metrics on the concatenated batches', () => {
    const { labels, scores } = stream(30000, 1);
    const acc = new BinaryScoreAccumulator();
    for (let start = 0; start < labels.length; start += 7001) {
      acc.add(labels.subarray(start, start + 7001), scores.subarray(start, start + 7001));
    }
    expect(acc.count).toBe(30000);
    expect(acc.auroc()).toBe(auroc(labels, scores));
    expect(acc.averagePrecision()).toBe(averagePrecision(labels, scores));
    expect(acc.auprc()).toBe(auprc(labels, scores));
  });

  it('merges accumulators from several workers', () => {
    const { labels, scores } = stream(5000, 2);
    const a = new BinaryScoreAccumulator();
    const b = new BinaryScoreAccumulator();
    a.add(labels.subarray(0, 2000), scores.subarray(0, 2000));
    b.add(labels.subarray(2000), scores.subarray(2000));
    a.merge(b);
    expect(a.auroc()).toBe(auroc(labels, scores));
  });

  it('refuses to report on an empty stream', () => {
    expect(() => new BinaryScoreAccumulator().auroc()).toThrow(/empty/);
  });
});

describe('BinnedBinaryScoreAccumulator', () => {
  const { labels, scores } = stream(200000, 3);
  const exactAuroc = auroc(labels, scores);
  const exactAp = averagePrecision(labels, scores);

  it('brackets the exact AUROC and AP within the reported bounds', () => {
    for (const bins of [16, 256, 4096]) {
      const acc = new BinnedBinaryScoreAccumulator({ bins });
      acc.add(labels, scores);
      const a = acc.auroc();
      const p = acc.averagePrecision();
      expect(exactAuroc).toBeGreaterThanOrEqual(a.lower);
      expect(exactAuroc).toBeLessThanOrEqual(a.upper);
      expect(exactAp).toBeGreaterThanOrEqual(p.lower);
      expect(exactAp).toBeLessThanOrEqual(p.upper);
      expect(p.estimate).toBeGreaterThanOrEqual(p.lower);
      expect(p.estimate).toBeLessThanOrEqual(p.upper);
    }
  });

  it('is within about 1/(2 bins) of the exact AUROC with 4096 bins', () => {
    const acc = new BinnedBinaryScoreAccumulator({ bins: 4096 });
    acc.add(labels, scores);
    const a = acc.auroc();
    expect(a.upper - a.lower).toBeLessThan(1e-3);
    expect(Math.abs(a.estimate - exactAuroc)).toBeLessThan(5e-4);
  });

  it('gives exact figures when every bin holds one distinct score', () => {
    const l = [0, 1, 0, 1, 1];
    const s = [0.05, 0.15, 0.25, 0.35, 0.45];
    const acc = new BinnedBinaryScoreAccumulator({ bins: 10 });
    acc.add(l, s);
    expect(acc.auroc()).toEqual({ estimate: auroc(l, s), lower: auroc(l, s), upper: auroc(l, s) });
    const ap = acc.averagePrecision();
    expect(ap.estimate).toBeCloseTo(averagePrecision(l, s), 14);
    expect(ap.upper - ap.lower).toBeLessThan(1e-14);
  });

  it('uses the digamma form for large bins consistently with direct summation', () => {
    // 600 positives in a single bin exceed the direct-summation limit of 256.
    const l = [...new Array(600).fill(1), ...new Array(300).fill(0), ...new Array(50).fill(1)];
    const s = [...new Array(900).fill(0.55), ...new Array(50).fill(0.95)];
    const acc = new BinnedBinaryScoreAccumulator({ bins: 10 });
    acc.add(l, s);
    const ap = acc.averagePrecision();
    let lower = 50;
    for (let j = 1; j <= 600; j++) lower += (50 + j) / (50 + 300 + j);
    expect(ap.lower).toBeCloseTo(lower / 650, 12);
    expect(ap.upper).toBeCloseTo((50 + (600 * 650) / 650) / 650, 12);
  });

  it('merges equal-layout accumulators and counts items', () => {
    const a = new BinnedBinaryScoreAccumulator();
    const b = new BinnedBinaryScoreAccumulator();
    a.add(labels.subarray(0, 1000), scores.subarray(0, 1000));
    b.add(labels.subarray(1000, 3000), scores.subarray(1000, 3000));
    a.merge(b);
    expect(a.count).toBe(3000);
    expect(() => a.merge(new BinnedBinaryScoreAccumulator({ bins: 10 }))).toThrow(/merged/);
  });

  it('clamps out-of-range scores into the edge bins', () => {
    const acc = new BinnedBinaryScoreAccumulator({ bins: 4, min: 0, max: 1 });
    acc.add([0, 1], [-5, 7]);
    expect(acc.auroc().estimate).toBe(1);
  });
});
