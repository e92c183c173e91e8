import { describe, expect, it } from 'vitest';
import { bucketLabel, dashboardSeries, honestRates } from './metrics-series.ts';
import type { MetricsBucket } from './metrics-series.ts';

function bucket(key: string, c: { tp: number; fp: number; tn: number; fn: number } | null, extra: Partial<MetricsBucket> = {}): MetricsBucket {
  const cls = c && {
    ...c,
    accuracy: (c.tp + c.tn) / (c.tp + c.fp + c.tn + c.fn),
    precision: c.tp + c.fp ? c.tp / (c.tp + c.fp) : 0,
    recall: c.tp + c.fn ? c.tp / (c.tp + c.fn) : 0,
    f1: 0,
    escapeRate: c.tp + c.fn ? c.fn / (c.tp + c.fn) : 0,
    falseRejectRate: c.fp + c.tn ? c.fp / (c.fp + c.tn) : 0,
    costWeightedError: 0,
  };
  const reviewed = c ? c.tp + c.fp + c.tn + c.fn : 0;
  return { key, volume: reviewed + 2, referred: 1, referralRate: 1 / (reviewed + 2), reviewed, reviewCoverage: reviewed / (reviewed + 2), latencyMs: null, classification: cls, ranking: null, segmentation: null, anomalyMaps: null, detection: null, ...extra };
}

describe('honestRates', () => {
  it('passes the server figures through where their denominators are not zero', () => {
    const r = honestRates(bucket('all', { tp: 3, fp: 1, tn: 5, fn: 1 }, { ranking: { auroc: 0.9, auprc: 0.8, averagePrecision: 0.8 } }));
    expect(r).toMatchObject({ precision: 0.75, recall: 0.75, escapeRate: 0.25, falseRejectRate: 1 / 6, auroc: 0.9, defects: 4, goods: 6 });
  });

  it('leaves a rate out when nothing supports it instead of showing the server 0/0 = 0', () => {
    // only good parts reviewed, none rejected: no escape rate, no recall, no precision
    const r = honestRates(bucket('d', { tp: 0, fp: 0, tn: 4, fn: 0 }));
    expect(r.escapeRate).toBeNull();
    expect(r.recall).toBeNull();
    expect(r.precision).toBeNull();
    expect(r.f1).toBeNull();
    expect(r.falseRejectRate).toBe(0);
  });

  it('has no rates for a bucket without reviews or without inspections', () => {
    expect(honestRates(bucket('d', null))).toMatchObject({ precision: null, escapeRate: null, defects: 0 });
    expect(honestRates(undefined)).toMatchObject({ referralRate: null, auroc: null });
  });
});

describe('dashboardSeries', () => {
  it('lays the non-empty buckets onto every day: zero volume and gaps elsewhere', () => {
    const s = dashboardSeries(['2026-12-01', '2026-12-02', '2026-12-03'], [bucket('2026-12-01', { tp: 1, fp: 0, tn: 1, fn: 1 }), bucket('2026-12-03', null)]);
    expect(s.volume).toEqual([5, 0, 2]);
    expect(s.reviewed).toEqual([3, 0, 0]);
    expect(s.escapeRate).toEqual([0.5, null, null]);
    expect(s.falseRejectRate).toEqual([0, null, null]);
    expect(s.anyReviewed).toBe(true);
    expect(dashboardSeries(['2026-12-01'], [bucket('2026-12-01', null)]).anyReviewed).toBe(false);
  });

  it('ignores buckets outside the keys', () => {
    expect(dashboardSeries(['2026-12-01'], [bucket('2026-11-01', null)]).volume).toEqual([0]);
  });
});

describe('bucketLabel', () => {
  it('writes days and weeks in UTC', () => {
    expect(bucketLabel('2026-12-01', 'day')).toBe('1 Dec');
    expect(bucketLabel('2026-11-30', 'week', true)).toBe('week of 30 Nov');
    expect(bucketLabel('surface@1.0.0', 'day')).toBe('surface@1.0.0');
  });
});
