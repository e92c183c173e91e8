import { describe, expect, it } from 'vitest';
import { classSplitRows, qualityChecks } from './quality.ts';
import type { QualityReport } from './quality.ts';

const ok = { level: 'ok' as const, count: 0 };
const report: QualityReport = {
  images: 30,
  classes: ['good', 'crack'],
  split: { source: 'drawn', seed: 0, ratios: { train: 0.7, val: 0.15, test: 0.15 } },
  countsPerClass: { good: 25, crack: 5 },
  countsPerSplit: { train: 21, val: 5, test: 4 },
  countsPerClassAndSplit: { good: { train: 17, val: 4, test: 4 }, crack: { train: 4, val: 1, test: 0 } },
  sizes: { width: { min: 64, max: 64, median: 64 }, height: { min: 64, max: 64, median: 64 }, distinct: [{ width: 64, height: 64, count: 30 }] },
  formats: { png: 30 },
  exactDuplicates: [{ sha256: 'a', members: [], labels: ['good', 'crack'], splits: ['train'] }],
  nearDuplicates: [],
  leakage: [{ kind: 'exact', splits: ['train', 'test'], members: [] }],
  corrupt: [],
  outliers: [],
  balance: [{ rule: 'minimum', label: 'crack', count: 5, message: 'crack has 5 images, fewer than 10.' }],
  thresholds: { hash: 'phash', maxHashDistance: 6, outlierZ: 3.5, minClassSizeForOutliers: 5, balanceRatio: 0.1, minImagesPerClass: 10 },
  summary: {
    level: 'error',
    checks: { exactDuplicates: { level: 'error', count: 1 }, nearDuplicates: ok, leakage: { level: 'error', count: 1 }, corrupt: ok, outliers: ok, balance: { level: 'warning', count: 1 } },
  },
};

describe('dataset quality view', () => {
  it('lists the checks, leakage first, with sentences that say what was found', () => {
    const rows = qualityChecks(report);
    expect(rows.map((r) => [r.key, r.level, r.count])).toEqual([
      ['leakage', 'error', 1],
      ['exactDuplicates', 'error', 1],
      ['nearDuplicates', 'ok', 0],
      ['corrupt', 'ok', 0],
      ['outliers', 'ok', 0],
      ['balance', 'warning', 1],
    ]);
    expect(rows[0]!.sentence).toMatch(/^1 duplicate group spread/);
    expect(rows[1]!.sentence).toBe('1 group of identical files, 1 group with different labels.');
    expect(rows[2]!.sentence).toBe('No near-identical images.');
    expect(rows[5]!.sentence).toBe('crack has 5 images, fewer than 10.');
  });

  it('gives counts per class and split, largest class first', () => {
    expect(classSplitRows(report)).toEqual([
      { label: 'good', train: 17, val: 4, test: 4, total: 25 },
      { label: 'crack', train: 4, val: 1, test: 0, total: 5 },
    ]);
  });
});
