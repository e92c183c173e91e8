/**
 * An AskContext for an image inspected locally (the CLI's `xaiqc ask --model M --image I`,
 * the evaluation): from a prediction of core's `Predictor` or `AnomalyDetector`, the model
 * card, optional explanation maps and a knowledge-base search. There is no record, so no
 * similar cases, no metrics from reviews and no human review.
 */
import type { ScalarMap } from '../image/image.types.ts';
import type { ModelCard } from '../models/card.ts';
import type { AnomalyPrediction } from '../models/anomaly/detector.ts';
import { ANOMALY_LABELS } from '../models/anomaly/detector.ts';
import { rleToMask } from '../models/components.ts';
import type { Finding, Prediction } from '../models/result.ts';
import { referralReason } from '../uncertainty/conformal/referral.ts';
import type { ReferralReason } from '../uncertainty/conformal/referral.ts';
import { predictionSets } from '../uncertainty/conformal/split-conformal.ts';
import { summarizeHeatmap } from './heatmap-summary.ts';
import type { AskContext, AskExplanationSummary, AskFinding, AskInspection, AskModelFacts, KbPassage } from './types.ts';

/** One explanation map to summarise (any resolution; the findings' boxes are scaled to it). */
export interface LocalExplanationMap {
  /** id the answer cites; default the method name */
  id?: string;
  method: string;
  /** the class the map explains */
  targetLabel?: string;
  /** [height, width] float32 heatmap */
  map: ScalarMap;
  /** agreement with the consensus in [0, 1], when known (ExplainImageSummary methods[].agreement) */
  agreement?: number | null;
  /** why the map carries no explanation (ExplainImageSummary methods[].degenerate) */
  degenerate?: string | null;
}

/** What {@link buildLocalAskContext} needs. */
export interface LocalAskContextInput {
  /** the validated model card the prediction was made with */
  card: ModelCard;
  /** `Predictor.predict(...).predictions[i]` or `AnomalyDetector.predict(...)`; an anomaly prediction's map becomes an explanation */
  prediction: Prediction;
  /** the original image's size and file name */
  image: { width: number; height: number; filename?: string };
  /** explanation maps, for example `explainImage(...).maps` with their methods */
  explanations?: LocalExplanationMap[];
  /** consensus of the maps (ExplainImageSummary.consensus) */
  consensus?: { score: number; meanIou: number; meanSpearman: number; methods: string[] } | null;
  /** MC-Dropout or other uncertainty, when computed */
  uncertainty?: AskInspection['uncertainty'];
  /** knowledge-base search, for example `defectBookIndex()` wrapped as `(q, k) => index.search(q, k)`; default: no passages */
  retrieve?: (query: string, k: number) => Promise<KbPassage[]>;
  /** inspection id the answer cites (default 'local') */
  id?: string;
  /** ISO time of the inspection (default now) */
  createdAt?: string;
  /** millimetres per pixel, when the camera is calibrated */
  pixelSizeMm?: number;
}

/** A referral reason code in words. */
export function referralReasonText(reason: ReferralReason): string | null {
  switch (reason) {
    case 'ambiguous-set':
      return 'the conformal prediction set holds more than one label';
    case 'empty-set':
      return 'the conformal prediction set is empty: the image is unlike the calibration data';
    case 'uncertain':
      return 'one minus the top probability exceeds the referral threshold';
    default:
      return null;
  }
}

/** Mask centroid [x, y] of a finding's RLE (pixel centres), else its box centre. */
function centroidOf(f: Finding): [number, number] | undefined {
  if (f.rle) {
    const [height, width] = f.rle.size;
    const mask = rleToMask(f.rle);
    let sx = 0;
    let sy = 0;
    let n = 0;
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        if (mask[y * width + x]) {
          sx += x + 0.5;
          sy += y + 0.5;
          n++;
        }
      }
    }
    if (n > 0) return [sx / n, sy / n];
  }
  return f.box ? [(f.box[0] + f.box[2]) / 2, (f.box[1] + f.box[3]) / 2] : undefined;
}

/** Flattens free-form card metrics to "a.b.c" -> value pairs (numbers, strings, booleans). */
export function flattenMetrics(value: unknown, prefix = '', out: Record<string, number | string | boolean> = {}): Record<string, number | string | boolean> {
  if (typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean') {
    if (prefix) out[prefix] = value;
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => flattenMetrics(v, `${prefix}.${i}`, out));
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) flattenMetrics(v, prefix ? `${prefix}.${k}` : k, out);
  }
  return out;
}

/** The card facts an answer may quote. */
export function modelFactsOfCard(card: ModelCard): AskModelFacts {
  const facts: AskModelFacts = { name: card.name, version: card.version, task: card.task, labels: [...card.labels] };
  if (card.intendedUse) facts.intendedUse = card.intendedUse;
  if (card.limitations?.length) facts.limitations = [...card.limitations];
  if (card.metrics) facts.metrics = flattenMetrics(card.metrics);
  return facts;
}

/**
 * Builds the context of a locally inspected image.
 * Conformal sets and the referral follow the card's `calibration.conformal` (classifiers),
 * as the server's inference does; the threshold is the card's `thresholds.reject`
 * (0.5 for an anomaly detector, whose scores are normalised to it).
 */
export function buildLocalAskContext(input: LocalAskContextInput): AskContext {
  const { card, prediction: p, image } = input;
  const findings: AskFinding[] = p.findings.map((f) => {
    const out: AskFinding = { label: f.label, score: f.score, severity: f.severity };
    if (f.box) out.box = [...f.box];
    if (f.area !== undefined) out.area = f.area;
    const c = centroidOf(f);
    if (c && f.box) out.centroid = c;
    return out;
  });
  const labels = p.task === 'anomaly' ? [...ANOMALY_LABELS] : card.labels;
  const inspection: AskInspection = {
    id: input.id ?? 'local',
    task: p.task,
    modelName: card.name,
    modelVersion: card.version,
    verdict: p.verdict,
    label: p.label,
    score: p.score,
    defectScore: p.defectProbability,
    threshold: p.task === 'anomaly' ? 0.5 : card.thresholds.reject,
    probabilities: p.probabilities.map((q, i) => ({ label: labels[i] ?? String(i), p: q })),
    goodLabels: p.task === 'anomaly' ? ['good'] : [...card.goodLabels],
    findings,
    image: { width: image.width, height: image.height, ...(image.filename ? { filename: image.filename } : {}) },
    referred: false,
    referralReason: null,
    uncertainty: input.uncertainty ?? null,
    conformalSet: null,
    calibration: { calibrated: Boolean(card.calibration), ...(card.calibration ? { ece: card.calibration.eceAfter ?? card.calibration.ece } : {}) },
    createdAt: input.createdAt ?? new Date().toISOString(),
    review: null,
  };
  if (input.pixelSizeMm !== undefined) inspection.pixelSizeMm = input.pixelSizeMm;
  const c = card.calibration?.conformal;
  if (c && card.task === 'classify' && p.probabilities.length === card.labels.length) {
    const predictor = { score: c.score, alpha: c.alpha, quantile: c.threshold, randomized: c.score === 'aps', numClasses: card.labels.length, calibrationSize: 0 };
    const [set] = predictionSets(predictor, p.probabilities);
    const rule = { uncertaintyThreshold: c.referralThreshold ?? Number.POSITIVE_INFINITY, targetErrorRate: Number.NaN, acceptedFraction: Number.NaN, acceptedErrorRate: Number.NaN };
    const reason = referralReason(rule, set.length, 1 - Math.max(...p.probabilities));
    inspection.conformalSet = set.map((i) => card.labels[i]);
    inspection.referred = reason !== null;
    inspection.referralReason = referralReasonText(reason);
  }
  const maps: LocalExplanationMap[] = [...(input.explanations ?? [])];
  const anomalyMap = (p as Partial<AnomalyPrediction>).anomalyMap;
  if (p.task === 'anomaly' && anomalyMap && !maps.some((m) => m.method === 'anomalymap')) {
    maps.push({ id: 'anomalymap', method: 'anomalymap', targetLabel: 'anomaly', map: anomalyMap });
  }
  const explanations: AskExplanationSummary[] = maps.map((m) => {
    const s = summarizeHeatmap(m.map.data, m.map.width, m.map.height, findings, image);
    return { id: m.id ?? m.method, method: m.method, ...(m.targetLabel ? { targetLabel: m.targetLabel } : {}), ...s, agreement: m.agreement ?? null, degenerate: m.degenerate ?? s.degenerate ?? null };
  });
  const aggregate = input.consensus && input.consensus.methods.length >= 2 ? { id: 'consensus', members: [...input.consensus.methods], meanIou: input.consensus.meanIou, meanSpearman: input.consensus.meanSpearman, score: input.consensus.score } : null;
  return {
    inspection,
    explanations,
    aggregate,
    similar: [],
    metrics: null,
    model: modelFactsOfCard(card),
    retrieve: input.retrieve ?? (() => Promise.resolve([])),
  };
}
