/**
 * From the buckets of `GET /metrics` to what the dashboard draws. Two honesty rules: a bucket
 * the server omitted (no inspections) has volume 0 but no rates (a gap, not a zero), and a
 * rate whose denominator is zero is missing, not 0 (the server reports 0/0 as 0: an escape
 * rate of 0 % on a day without a reviewed defect would claim a perfect day that nobody checked).
 */
import type { components } from '@xai-qc/client';

/** One bucket as the API returns it. */
export type MetricsBucket = components['schemas']['MetricsBucket'];

/** The rates of one bucket, null where nothing supports them. */
export interface HonestRates {
  precision: number | null;
  recall: number | null;
  f1: number | null;
  escapeRate: number | null;
  falseRejectRate: number | null;
  auroc: number | null;
  referralRate: number | null;
  /** Reviewed defective parts (TP + FN) and good parts (FP + TN). */
  defects: number;
  goods: number;
}

/** The rates of a bucket, with nulls where the denominator is zero. */
export function honestRates(b: MetricsBucket | undefined): HonestRates {
  const c = b?.classification;
  if (!b || !c) return { precision: null, recall: null, f1: null, escapeRate: null, falseRejectRate: null, auroc: b?.ranking?.auroc ?? null, referralRate: b && b.volume > 0 ? b.referralRate : null, defects: 0, goods: 0 };
  const defects = c.tp + c.fn;
  const goods = c.fp + c.tn;
  const predicted = c.tp + c.fp;
  return {
    precision: predicted > 0 ? c.precision : null,
    recall: defects > 0 ? c.recall : null,
    f1: defects > 0 && predicted > 0 ? c.f1 : null,
    escapeRate: defects > 0 ? c.escapeRate : null,
    falseRejectRate: goods > 0 ? c.falseRejectRate : null,
    auroc: b.ranking?.auroc ?? null,
    referralRate: b.volume > 0 ? b.referralRate : null,
    defects,
    goods,
  };
}

/** The dashboard's series, one value per key. */
export interface DashboardSeries {
  keys: string[];
  volume: number[];
  reviewed: number[];
  precision: (number | null)[];
  recall: (number | null)[];
  escapeRate: (number | null)[];
  falseRejectRate: (number | null)[];
  auroc: (number | null)[];
  /** True when at least one bucket has a reviewed inspection. */
  anyReviewed: boolean;
}

/** Lays the server's buckets (only the non-empty ones) onto every key of the range. */
export function dashboardSeries(keys: string[], groups: MetricsBucket[]): DashboardSeries {
  const byKey = new Map(groups.map((g) => [g.key, g]));
  const rates = keys.map((k) => honestRates(byKey.get(k)));
  return {
    keys,
    volume: keys.map((k) => byKey.get(k)?.volume ?? 0),
    reviewed: keys.map((k) => byKey.get(k)?.reviewed ?? 0),
    precision: rates.map((r) => r.precision),
    recall: rates.map((r) => r.recall),
    escapeRate: rates.map((r) => r.escapeRate),
    falseRejectRate: rates.map((r) => r.falseRejectRate),
    auroc: rates.map((r) => r.auroc),
    anyReviewed: keys.some((k) => (byKey.get(k)?.reviewed ?? 0) > 0),
  };
}

/** "12 Nov" for a day key; "week of 9 Nov" for weeks (UTC, as the buckets). */
export function bucketLabel(key: string, group: 'day' | 'week', withWeek = false): string {
  const d = new Date(`${key}T00:00:00Z`);
  if (Number.isNaN(d.getTime())) return key;
  const s = d.toLocaleDateString('en-GB', { day: 'numeric', month: 'short', timeZone: 'UTC' });
  return group === 'week' && withWeek ? `week of ${s}` : s;
}
