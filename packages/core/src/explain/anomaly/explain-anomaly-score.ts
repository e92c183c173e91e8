/**
 * Why an image got its anomaly score: the human-readable features of the image and its
 * anomaly map, the exact Shapley values of the fitted surrogate for them against the
 * background mean, and the waterfall that shows how the features move the surrogate from
 * the background's average score to this image's. The surrogate's held-out R^2 travels
 * with every explanation: it says how much of the real score the explanation covers.
 */
import { XqcError } from '../../errors.ts';
import type { ImageU8, ScalarMap } from '../../image/image.types.ts';
import type { AnomalyFeatureName, AnomalyFeatureOptions, ScoredInspection } from './anomaly-features.ts';
import { ANOMALY_FEATURE_NAMES, ANOMALY_FEATURES, anomalyFeatures, anomalyFeatureTable } from './anomaly-features.ts';
import type { BackgroundStats } from './background-stats.ts';
import { backgroundStats } from './background-stats.ts';
import type { LinearSurrogate, SurrogateFit, SurrogateOptions } from './linear-surrogate.ts';
import { fitLinearSurrogate } from './linear-surrogate.ts';
import { linearShapley } from './surrogate-shapley.ts';
import type { Waterfall } from './waterfall.ts';
import { buildWaterfall, formatNumber } from './waterfall.ts';
import type { WaterfallChartOptions } from './waterfall-chart.ts';
import { renderWaterfallPng, renderWaterfallSvg } from './waterfall-chart.ts';

/** The surrogate and background of a model, fitted once on validation inspections. */
export interface AnomalySurrogate {
  surrogate: LinearSurrogate;
  background: BackgroundStats;
  pixelThreshold: number;
  features: AnomalyFeatureOptions;
}

/**
 * Computes the features of the validation inspections, fits the ridge surrogate of their
 * scores (held-out R^2 in `surrogate.fit`) and takes the background statistics from the
 * same rows.
 * @throws XQC_EXPLAIN when there are too few inspections (see `minSurrogateSamples`)
 */
export function fitAnomalySurrogate(
  validation: readonly ScoredInspection[],
  pixelThreshold: number,
  options: { features?: AnomalyFeatureOptions; surrogate?: SurrogateOptions } = {},
): AnomalySurrogate {
  const features = options.features ?? {};
  const { rows, scores } = anomalyFeatureTable(validation, pixelThreshold, features);
  const surrogate = fitLinearSurrogate(rows, scores, ANOMALY_FEATURE_NAMES, options.surrogate);
  return { surrogate, background: backgroundStats(rows, ANOMALY_FEATURE_NAMES.length), pixelThreshold, features };
}

/** Input of {@link explainAnomalyScore}. */
export interface AnomalyScoreExplainInput {
  image: ImageU8;
  /** Anomaly map [H, W] float32 of the image. */
  anomalyMap: ScalarMap;
  /** Map value at or above which a pixel is defective. */
  pixelThreshold: number;
  surrogate: LinearSurrogate;
  /** Background statistics; the base value is the surrogate at their mean. */
  background: BackgroundStats;
  /** The model's own anomaly score of the image, shown beside the surrogate's f(x). */
  score?: number;
  features?: AnomalyFeatureOptions;
  chart?: WaterfallChartOptions & { density?: number };
}

/** What {@link explainAnomalyScore} returns. */
export interface AnomalyScoreExplanation {
  features: Record<AnomalyFeatureName, number>;
  /** Shapley value of each feature. */
  phi: Record<AnomalyFeatureName, number>;
  /** E[f]: the surrogate at the background mean. */
  base: number;
  /** The surrogate at this image's features; base + sum(phi) = fx. */
  fx: number;
  /** The model's own score when given, else null. */
  score: number | null;
  fit: SurrogateFit;
  waterfall: { data: Waterfall; svg: string; png: Uint8Array };
}

function valueText(unit: (typeof ANOMALY_FEATURES)[number]['unit'], v: number): string {
  return unit === 'share' ? `${formatNumber(100 * v)}%` : formatNumber(v);
}

/**
 * Explains one anomaly score (see the module comment): features -> phi_i = w_i (x_i - E[x_i])
 * of the linear surrogate -> waterfall data, SVG and PNG.
 * @throws XQC_SHAPE_MISMATCH when the surrogate or background is not over {@link ANOMALY_FEATURES}
 */
export async function explainAnomalyScore(input: AnomalyScoreExplainInput): Promise<AnomalyScoreExplanation> {
  const names = ANOMALY_FEATURE_NAMES;
  const s = input.surrogate;
  if (s.featureNames.length !== names.length || s.featureNames.some((n, i) => n !== names[i])) {
    throw new XqcError('XQC_SHAPE_MISMATCH', `the surrogate is over [${s.featureNames.join(', ')}], not the anomaly features [${names.join(', ')}]`, {
      details: { expected: names.length, got: s.featureNames.length },
    });
  }
  if (input.background.mean.length !== names.length) {
    throw new XqcError('XQC_SHAPE_MISMATCH', `background statistics over ${input.background.mean.length} features, expected ${names.length}`, {
      details: { expected: names.length, got: input.background.mean.length },
    });
  }
  const f = anomalyFeatures(input.image, input.anomalyMap, input.pixelThreshold, input.features);
  const shap = linearShapley(s, f.vector, input.background.mean);
  const phi = Object.fromEntries(names.map((n, i) => [n, shap.phi[i]])) as Record<AnomalyFeatureName, number>;
  const data = buildWaterfall({
    names,
    labels: ANOMALY_FEATURES.map((d) => d.label),
    values: f.vector,
    valueTexts: ANOMALY_FEATURES.map((d, i) => valueText(d.unit, f.vector[i])),
    phi: shap.phi,
    base: shap.base,
  });
  const fit = s.fit;
  const parts = [`Linear surrogate, held-out R² = ${Number.isNaN(fit.r2Holdout) ? 'n/a' : fit.r2Holdout.toFixed(2)} (${fit.nHoldout} of ${fit.nTrain + fit.nHoldout} validation images)`];
  if (input.score !== undefined) parts.push(`model score = ${formatNumber(input.score)}`);
  const { density, ...chart } = input.chart ?? {};
  const svg = renderWaterfallSvg(data, { subtitle: parts.join('; '), ...chart });
  return {
    features: f.values,
    phi,
    base: shap.base,
    fx: shap.fx,
    score: input.score ?? null,
    fit,
    waterfall: { data, svg, png: await renderWaterfallPng(svg, { density }) },
  };
}
