import { describe, expect, it } from 'vitest';
import { iou, percentile, ranks, spearman, topFraction } from './rank-stats.ts';

describe('rank statistics', () => {
  it('gives tied values the mean of their ranks', () => {
    expect(Array.from(ranks([10, 20, 20, 5, 20]))).toEqual([2, 4, 4, 1, 4]);
  });

  it('computes Spearman rho with ties as scipy.stats.spearmanr does', () => {
    // scipy.stats.spearmanr([1, 2, 2, 3, 4], [2, 1, 3, 3, 5]).correlation = 0.7631578947368421
    expect(spearman([1, 2, 2, 3, 4], [2, 1, 3, 3, 5])).toBeCloseTo(0.7631578947368421, 12);
    expect(spearman([1, 2, 3, 4], [1, 8, 27, 64])).toBeCloseTo(1, 14);
    expect(spearman([1, 2, 3, 4], [4, 3, 2, 1])).toBeCloseTo(-1, 14);
    expect(spearman([1, 1, 1], [1, 2, 3])).toBe(0);
    expect(() => spearman([1, 2], [1])).toThrow(/2 vs 1/);
  });

  it('interpolates percentiles like numpy.percentile', () => {
    const v = [7, 1, 3, 9, 5];
    expect(percentile(v, 0)).toBe(1);
    expect(percentile(v, 100)).toBe(9);
    expect(percentile(v, 50)).toBe(5);
    // numpy.percentile([1, 3, 5, 7, 9], 99.5) = 8.96
    expect(percentile(v, 99.5)).toBeCloseTo(8.96, 12);
    expect(percentile(v, 10)).toBeCloseTo(1.8, 12);
  });

  it('selects the top fraction (ties included) and measures overlap', () => {
    expect(Array.from(topFraction([0.1, 0.9, 0.5, 0.7, 0.3], 0.4))).toEqual([0, 1, 0, 1, 0]);
    expect(Array.from(topFraction([2, 2, 2, 2], 0.25))).toEqual([1, 1, 1, 1]);
    expect(iou([1, 1, 0, 0], [0, 1, 1, 0])).toBeCloseTo(1 / 3, 14);
    expect(iou([0, 0], [0, 0])).toBe(1);
  });
});
