/**
 * Threshold tuning (`GET` and `POST /models/{model}/versions/{version}/thresholds`): from the
 * account's reviewed inspections of a version (current review = truth, defect positive), the
 * defect-score histograms of good and defective parts, and precision, recall, F1, escape and
 * false-reject rates and the cost-weighted error at every threshold the scores allow (reject
 * when score >= t), with the F1-optimal and cost-optimal thresholds marked. Saving a threshold
 * registers a new, inactive version whose card carries it: nothing changes the active model
 * silently.
 */
import type { ModelCard } from '@xai-qc/core';
import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import type { Principal } from '../auth/principal.ts';
import type { Database } from '../db/schema.ts';
import type { ModelVersionView } from '../schemas/model.schema.ts';
import type { ThresholdPoint, ThresholdQuery, ThresholdReport } from '../schemas/threshold.schema.ts';
import { rangeOf } from './calibration.service.ts';
import type { ModelRegistryService } from './model-registry.service.ts';
import { MODEL_FILES } from './model-validation.ts';
import type { ModelFilePart } from './model-validation.ts';

/** Histogram bins over [0, 1]. */
export const HISTOGRAM_BINS = 50;
/** Reviewed inspections read at most (newest first). */
export const THRESHOLD_ITEMS_LIMIT = 200_000;

/** Figures at threshold `t` from the counts. */
function point(t: number, tp: number, fp: number, tn: number, fn: number, costs: { escapeCost: number; falseRejectCost: number }): ThresholdPoint {
  const n = tp + fp + tn + fn;
  const precision = tp + fp === 0 ? 0 : tp / (tp + fp);
  const recall = tp + fn === 0 ? 0 : tp / (tp + fn);
  return {
    threshold: t,
    tp,
    fp,
    tn,
    fn,
    precision,
    recall,
    f1: precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall),
    escapeRate: tp + fn === 0 ? 0 : fn / (tp + fn),
    falseRejectRate: fp + tn === 0 ? 0 : fp / (fp + tn),
    cost: n === 0 ? 0 : (costs.escapeCost * fn + costs.falseRejectCost * fp) / n,
  };
}

/**
 * The curve of (score, defect) pairs: one point per distinct score (reject when score >= it)
 * plus one above every score (reject nothing), highest threshold first.
 */
export function thresholdCurve(scores: ArrayLike<number>, defects: ArrayLike<number>, costs: { escapeCost: number; falseRejectCost: number }): ThresholdPoint[] {
  const order = Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => scores[b] - scores[a]);
  let positives = 0;
  for (let i = 0; i < defects.length; i++) positives += defects[i];
  const negatives = defects.length - positives;
  const points: ThresholdPoint[] = [point(Number.POSITIVE_INFINITY, 0, 0, negatives, positives, costs)];
  let tp = 0;
  let fp = 0;
  for (let k = 0; k < order.length; ) {
    const s = scores[order[k]];
    while (k < order.length && scores[order[k]] === s) {
      if (defects[order[k]]) tp++;
      else fp++;
      k++;
    }
    points.push(point(s, tp, fp, negatives - fp, positives - tp, costs));
  }
  return points;
}

/** See the module comment. */
export class ThresholdService {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly registry: ModelRegistryService,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  /** The report of one version on the caller's reviews. */
  async report(principal: Principal, model: string, version: string, q: ThresholdQuery): Promise<ThresholdReport> {
    const range = rangeOf(q.from, q.to);
    const { view, card } = await this.registry.resolve(model, version);
    let sel = this.db
      .selectFrom('inspections as i')
      .innerJoin('reviews as r', (join) =>
        join
          .onRef('r.inspection_id', '=', 'i.id')
          .on(({ eb, selectFrom }) => eb('r.created_at', '=', selectFrom('reviews as r2').select(sql<string>`max(r2.created_at)`.as('m')).whereRef('r2.inspection_id', '=', 'i.id'))),
      )
      .select(['i.defect_score', 'r.verdict'])
      .where('i.account_id', '=', principal.accountId)
      .where('i.model_version_id', '=', view.id);
    if (range.from !== undefined) sel = sel.where('i.created_at', '>=', range.from);
    if (range.to !== undefined) sel = sel.where('i.created_at', '<', range.to);
    const rows = await sel.orderBy('i.created_at', 'desc').limit(THRESHOLD_ITEMS_LIMIT).execute();
    const scores = rows.map((r) => r.defect_score);
    const defects: number[] = rows.map((r) => (r.verdict === 'reject' ? 1 : 0));
    const costs = { escapeCost: q.escapeCost ?? 1, falseRejectCost: q.falseRejectCost ?? 1 };
    const histogram = { edges: Array.from({ length: HISTOGRAM_BINS + 1 }, (_, i) => i / HISTOGRAM_BINS), good: new Array<number>(HISTOGRAM_BINS).fill(0), defect: new Array<number>(HISTOGRAM_BINS).fill(0) };
    rows.forEach((r, i) => {
      const b = Math.min(HISTOGRAM_BINS - 1, Math.max(0, Math.floor(r.defect_score * HISTOGRAM_BINS)));
      (defects[i] ? histogram.defect : histogram.good)[b]++;
    });
    const points = thresholdCurve(scores, defects, costs);
    const finitePoints = points.filter((p) => Number.isFinite(p.threshold));
    const best = (better: (a: ThresholdPoint, b: ThresholdPoint) => boolean): ThresholdPoint | null => finitePoints.reduce<ThresholdPoint | null>((acc, p) => (acc === null || better(p, acc) ? p : acc), null);
    const current = card.thresholds.reject;
    let tp = 0;
    let fp = 0;
    for (let i = 0; i < scores.length; i++) {
      if (scores[i] < current) continue;
      if (defects[i]) tp++;
      else fp++;
    }
    const positives = defects.reduce<number>((a, b) => a + b, 0);
    return {
      model: view.modelName,
      version: view.version,
      versionId: view.id,
      range: { from: range.from ?? null, to: range.to ?? null },
      reviewed: rows.length,
      defects: positives,
      costs,
      current: point(current, tp, fp, rows.length - positives - fp, positives - tp, costs),
      f1Optimal: best((a, b) => a.f1 > b.f1),
      costOptimal: best((a, b) => a.cost < b.cost),
      histogram,
      points: points.map((p) => ({ ...p, threshold: Number.isFinite(p.threshold) ? p.threshold : null })),
    };
  }

  /** Registers a new, inactive version of `model` whose card rejects at `threshold`. */
  async save(principal: Principal, model: string, version: string, threshold: number, note?: string): Promise<ModelVersionView> {
    const { view, card } = await this.registry.resolve(model, version);
    const stamp = this.clock().toISOString().replace(/[-:]/g, '').replace(/\..*$/, '').replace('T', '');
    const newCard: ModelCard = { ...card, version: `${card.version}-thr.${stamp}`, thresholds: { ...card.thresholds, reject: threshold } };
    const files = await this.registry.readVersionFiles(view.id);
    const parts = new Map<ModelFilePart, Uint8Array>([
      ['model', files.get('model.onnx') as Buffer],
      ['card', new TextEncoder().encode(JSON.stringify(newCard, null, 2))],
    ]);
    // The anomaly artifacts of either format (PatchCore's features, bank and anomaly.json; network.onnx of a simulated-defect detector).
    for (const part of ['features', 'bank', 'anomaly', 'network'] as const) {
      const bytes = files.get(MODEL_FILES[part]);
      if (bytes) parts.set(part, bytes);
    }
    return this.registry.upload(parts, { activate: false, description: note ?? `reject threshold ${threshold} (was ${card.thresholds.reject}) from ${view.version}`, createdBy: principal.subject });
  }
}
