/**
 * Builds the core's AskContext for one inspection of the caller's account from the record:
 * the inspection row and its model version's card (AskInspection, AskModelFacts), the stored
 * explanation maps summarised by the core's `summarizeHeatmap` (cached per explanation id:
 * stored maps never change), the stored aggregate, similar past cases of the same model
 * version with their current reviews, and the reviewed figures of the version. Every read
 * names the caller's account, so nothing of another account reaches an answer.
 */
import { modelFactsOfCard, readNpy, summarizeHeatmap } from '@xai-qc/core';
import type { AskAggregate, AskContext, AskExplanationSummary, AskFinding, AskInspection, AskMetrics, AskSimilarCase, KbPassage, ModelCard } from '@xai-qc/core';
import type { FindingRow, InspectionRow } from '../db/tables/inspections.tables.ts';
import type { ExplanationRepository } from '../repositories/explanation.repository.ts';
import type { InspectionRecord, InspectionRepository, ServingVersion } from '../repositories/inspection.repository.ts';
import type { MetricsRepository } from '../repositories/metrics.repository.ts';
import type { ReviewRepository } from '../repositories/review.repository.ts';
import type { QuestionRepository } from '../repositories/question.repository.ts';

/** Similar cases per answer. */
export const SIMILAR_K = 5;
/** Inspections the version's figures are computed from, newest pages first (keyset pages of 2,000). */
export const METRICS_MAX_ROWS = 20_000;
/** Explanation summaries kept in memory. */
const SUMMARY_CACHE = 512;

/** Nearest neighbours by image embedding (the anomaly answers' index); absent for versions without one. */
export interface SimilarSearch {
  /**
   * The `k` inspections of the account most similar to `inspectionId` by embedding, with cosine
   * similarity, or undefined when the version has no embedding index. `embed` asks to embed the
   * inspection first when it is not yet (slower; only when the question asks for similar cases).
   */
  similar(accountId: string, version: ServingVersion, row: InspectionRow, k: number, embed: boolean): Promise<{ id: string; similarity: number }[] | undefined>;
}

/** Dependencies of {@link AskContextBuilder}. */
export interface AskContextDeps {
  inspections: Pick<InspectionRepository, 'versionById'>;
  explanations: Pick<ExplanationRepository, 'listForInspection'>;
  reviews: Pick<ReviewRepository, 'history'>;
  metrics: Pick<MetricsRepository, 'page'>;
  questions: Pick<QuestionRepository, 'nearestByScore' | 'inspectionsByIds'>;
  blobs: { get(sha256: string): Promise<Uint8Array> };
  similar?: SimilarSearch;
}

/** What `details_json` of an inspection holds that an answer uses. */
interface Details {
  uncertainty?: { method: string; predictiveEntropy?: number; mutualInformation?: number; variance?: number[] };
  conformal?: { alpha: number; set: string[]; referred: boolean; reason: 'ambiguous-set' | 'empty-set' | 'uncertain' | null };
}

const REFERRAL_REASONS: Record<string, string> = {
  'ambiguous-set': 'the conformal prediction set holds more than one class, so the model cannot tell them apart at the calibrated confidence',
  'empty-set': 'the conformal prediction set is empty: the image is unlike anything the model was calibrated on',
  uncertain: 'the top class probability is below the referral threshold fitted on the validation split',
};

/** Centroid [x, y] of a COCO uncompressed (column-major) RLE mask, or undefined when empty. */
export function rleCentroid(rle: { size: [number, number]; counts: number[] }): [number, number] | undefined {
  const h = rle.size[0];
  let k = 0;
  let n = 0;
  let sx = 0;
  let sy = 0;
  rle.counts.forEach((c, i) => {
    if (i % 2 === 1) {
      for (let j = k; j < k + c; j++) {
        sx += Math.floor(j / h);
        sy += j % h;
      }
      n += c;
    }
    k += c;
  });
  return n === 0 ? undefined : [sx / n + 0.5, sy / n + 0.5];
}

/** A stored finding as the answerer sees it (geometry in image pixels). */
export function askFinding(f: FindingRow): AskFinding {
  const out: AskFinding = { label: f.label, score: f.score };
  if (f.severity === 'minor' || f.severity === 'major' || f.severity === 'critical') out.severity = f.severity;
  if (f.box_json) out.box = JSON.parse(f.box_json) as [number, number, number, number];
  if (f.area !== null) out.area = f.area;
  const centroid = f.rle_json ? rleCentroid(JSON.parse(f.rle_json) as { size: [number, number]; counts: number[] }) : undefined;
  if (centroid) out.centroid = centroid;
  else if (out.box) out.centroid = [(out.box[0] + out.box[2]) / 2, (out.box[1] + out.box[3]) / 2];
  return out;
}

/** The inspection record and its card as the answerer sees it. */
export function askInspection(record: InspectionRecord, card: ModelCard, review: AskInspection['review']): AskInspection {
  const row = record.row;
  const details = JSON.parse(row.details_json) as Details;
  const labels = JSON.parse(row.labels_json) as string[];
  const probs = JSON.parse(row.probabilities_json) as number[];
  const task = row.task as AskInspection['task'];
  const out: AskInspection = {
    id: row.id,
    task,
    modelName: row.model_name,
    modelVersion: row.model_version,
    verdict: row.verdict as AskInspection['verdict'],
    label: row.label,
    score: row.score,
    defectScore: row.defect_score,
    threshold: card.thresholds.reject,
    goodLabels: [...card.goodLabels],
    findings: record.findings.map(askFinding),
    image: { width: row.image_width, height: row.image_height, ...(row.image_name ? { filename: row.image_name } : {}) },
    referred: row.referred === 1,
    referralReason: row.referred === 1 ? (details.conformal?.reason ? REFERRAL_REASONS[details.conformal.reason] : 'the referral rule sent it to the review queue') : null,
    uncertainty: details.uncertainty
      ? {
          method: details.uncertainty.method,
          predictiveEntropy: details.uncertainty.predictiveEntropy,
          mutualInformation: details.uncertainty.mutualInformation,
          ...(details.uncertainty.variance && details.uncertainty.variance.length > row.class_index ? { std: Math.sqrt(details.uncertainty.variance[row.class_index]) } : {}),
        }
      : null,
    conformalSet: details.conformal ? [...details.conformal.set] : null,
    calibration: card.calibration ? { calibrated: true, ...(card.calibration.eceAfter ?? card.calibration.ece) !== undefined ? { ece: card.calibration.eceAfter ?? card.calibration.ece } : {} } : { calibrated: false },
    createdAt: row.created_at,
    review,
  };
  if (task === 'classify' || labels.length === probs.length) out.probabilities = labels.map((label, i) => ({ label, p: probs[i] }));
  return out;
}

/** See the module comment. */
export class AskContextBuilder {
  private readonly summaries = new Map<string, Omit<AskExplanationSummary, 'agreement'>>();

  constructor(private readonly deps: AskContextDeps) {}

  /**
   * The context of `record` (an inspection of `accountId`) with its version and card.
   * @param options.embedSimilar embed the inspection for the similar-case search when it is not yet
   * @param options.metrics compute the version's figures from reviews (default true): a scan of up to
   *   {@link METRICS_MAX_ROWS} inspections, so callers skip it for questions that cannot use it
   */
  async build(
    accountId: string,
    record: InspectionRecord,
    version: ServingVersion | undefined,
    card: ModelCard,
    retrieve: (query: string, k: number) => Promise<KbPassage[]>,
    options: { embedSimilar?: boolean; metrics?: boolean; dateFrom?: string; dateTo?: string } = {},
  ): Promise<AskContext> {
    const row = record.row;
    const [current] = await this.deps.reviews.history(accountId, row.id);
    const review: AskInspection['review'] = current
      ? { outcome: current.verdict === row.verdict && current.label === row.label ? 'accepted' : current.verdict !== row.verdict ? 'rejected' : 'corrected', label: current.label, reviewer: current.reviewer_name ?? current.reviewer, createdAt: current.created_at }
      : null;
    const inspection = askInspection(record, card, review);
    const [{ explanations, aggregate }, similar, metrics] = await Promise.all([
      this.explanations(accountId, inspection),
      this.similarCases(accountId, row, version, options.embedSimilar ?? false),
      options.metrics === false ? null : this.metrics(accountId, row, card, options.dateFrom, options.dateTo),
    ]);
    return { inspection, explanations, aggregate, similar, metrics, model: modelFactsOfCard(card), retrieve };
  }

  private async explanations(accountId: string, inspection: AskInspection): Promise<{ explanations: AskExplanationSummary[]; aggregate: AskAggregate | null }> {
    const stored = await this.deps.explanations.listForInspection(accountId, inspection.id);
    const agg = stored.aggregates[stored.aggregates.length - 1];
    const agreement = new Map<string, number>();
    if (agg) for (const m of JSON.parse(agg.members_json) as { explanationId: string; agreement: number }[]) agreement.set(m.explanationId, m.agreement);
    const explanations: AskExplanationSummary[] = [];
    for (const e of stored.explanations) {
      let s = this.summaries.get(e.id);
      if (s === undefined) {
        const degenerate = e.degenerate_json === null ? null : describeDegenerate(e.degenerate_json);
        const map = readNpy(await this.deps.blobs.get(e.heatmap_sha256));
        const data = map.data instanceof Float32Array ? map.data : Float32Array.from(map.data as ArrayLike<number>);
        const summary = summarizeHeatmap(data, e.width, e.height, inspection.findings, inspection.image);
        s = { ...summary, id: e.id, method: e.method, ...(e.target_label ? { targetLabel: e.target_label } : {}), degenerate: degenerate ?? summary.degenerate ?? null };
        this.summaries.set(e.id, s);
        while (this.summaries.size > SUMMARY_CACHE) this.summaries.delete(this.summaries.keys().next().value as string);
      }
      explanations.push({ ...s, agreement: agreement.get(e.id) ?? null });
    }
    const aggregate: AskAggregate | null = agg
      ? { id: agg.id, members: (JSON.parse(agg.members_json) as { method: string }[]).map((m) => m.method), meanIou: agg.mean_iou, meanSpearman: agg.mean_spearman, score: agg.score }
      : null;
    return { explanations, aggregate };
  }

  private async similarCases(accountId: string, row: InspectionRow, version: ServingVersion | undefined, embed: boolean): Promise<AskSimilarCase[]> {
    const byEmbedding = version && this.deps.similar ? await this.deps.similar.similar(accountId, version, row, SIMILAR_K, embed) : undefined;
    const hits = byEmbedding
      ? byEmbedding.map((h) => ({ id: h.id, distance: 1 - h.similarity }))
      : (await this.deps.questions.nearestByScore(accountId, row.model_version_id, row.id, row.label, row.defect_score, SIMILAR_K)).map((r) => ({ id: r.id, distance: Math.abs(r.defect_score - row.defect_score) }));
    const rows = new Map((await this.deps.questions.inspectionsByIds(accountId, hits.map((h) => h.id))).map((r) => [r.id, r]));
    const out: AskSimilarCase[] = [];
    for (const h of hits) {
      const r = rows.get(h.id);
      if (!r) continue;
      const [rev] = await this.deps.reviews.history(accountId, r.id);
      out.push({
        inspectionId: r.id,
        distance: h.distance,
        verdict: r.verdict as AskSimilarCase['verdict'],
        label: r.label,
        createdAt: r.created_at,
        review: rev ? { outcome: rev.verdict === r.verdict && rev.label === r.label ? 'accepted' : rev.verdict !== r.verdict ? 'rejected' : 'corrected', label: rev.label } : null,
      });
    }
    return out;
  }

  private async metrics(accountId: string, row: InspectionRow, card: ModelCard, from?: string, to?: string): Promise<AskMetrics> {
    let inspections = 0;
    let reviewed = 0;
    let referred = 0;
    let agree = 0;
    let defects = 0;
    let escapes = 0;
    let goods = 0;
    let falseRejects = 0;
    let first: string | undefined;
    let last: string | undefined;
    let after: { createdAt: string; id: string } | undefined;
    while (inspections < METRICS_MAX_ROWS) {
      const rows = await this.deps.metrics.page({ accountId, model: row.model_name, version: row.model_version, from, to }, 2000, after);
      for (const r of rows) {
        inspections++;
        first ??= r.created_at;
        last = r.created_at;
        if (r.referred === 1) referred++;
        if (r.review_verdict === null) continue;
        reviewed++;
        if (r.review_verdict === r.verdict) agree++;
        if (r.review_verdict === 'reject') {
          defects++;
          if (r.verdict === 'pass') escapes++;
        } else {
          goods++;
          if (r.verdict === 'reject') falseRejects++;
        }
      }
      if (rows.length < 2000) break;
      after = { createdAt: rows[rows.length - 1].created_at, id: rows[rows.length - 1].id };
    }
    const ratio = (a: number, b: number): number | null => (b > 0 ? a / b : null);
    return {
      modelVersion: `${row.model_name}@${row.model_version}`,
      ...(from ?? first ? { from: from ?? first } : {}),
      ...(to ?? last ? { to: to ?? last } : {}),
      inspections,
      reviewed,
      accuracy: ratio(agree, reviewed),
      escapeRate: ratio(escapes, defects),
      falseRejectRate: ratio(falseRejects, goods),
      referralRate: ratio(referred, inspections),
      ece: card.calibration?.eceAfter ?? card.calibration?.ece ?? null,
    };
  }
}

/** The stored degenerate reason (JSON) in words. */
function describeDegenerate(json: string): string {
  const d = JSON.parse(json) as unknown;
  if (typeof d === 'string') return d;
  if (d && typeof d === 'object') {
    const o = d as Record<string, unknown>;
    const text = o.message ?? o.reason;
    if (typeof text === 'string') return text;
  }
  return JSON.stringify(d);
}
