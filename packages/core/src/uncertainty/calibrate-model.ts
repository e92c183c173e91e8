/**
 * Calibration of a shipped classifier on its dataset: temperature fitted on the
 * validation split, every calibration figure before and after on the test split,
 * reliability diagrams (SVG and PNG), split-conformal prediction sets calibrated on the
 * validation split with their coverage on the test split, and the referral rule that
 * sends uncertain inspections to review, with the referral rate it implies. Images become
 * model inputs through the model's {@link Predictor} only, each decoded once. A fit that
 * `calibration/fit-guard.ts` refuses, or a conformal level the validation split cannot
 * reach, throws before anything is returned, so no caller can record it in a card.
 */
import { XqcError } from '../errors.ts';
import type { ModelCard } from '../models/card.ts';
import { classifierLogits, itemsOf, listLabelledFolder } from '../models/labelled-folder.ts';
import type { LabelledFolder, LabelledItem } from '../models/labelled-folder.ts';
import { Predictor } from '../models/predictor.ts';
import type { PredictorOptions } from '../models/predictor.ts';
import {
  adaptiveCalibrationError, classwiseCalibrationError, expectedCalibrationError, maxCalibrationError, reliabilityDiagram,
} from './calibration/calibration-error.ts';
import type { ReliabilityDiagram } from './calibration/calibration-error.ts';
import { checkTemperatureFit } from './calibration/fit-guard.ts';
import { brierScore, negativeLogLikelihood, softmax } from './calibration/proper-scores.ts';
import { renderReliabilityPng } from './calibration/reliability-png.ts';
import { renderReliabilitySvg } from './calibration/reliability-svg.ts';
import { fitTemperature } from './calibration/temperature-scaling.ts';
import type { TemperatureFit } from './calibration/temperature-scaling.ts';
import { fitReferralRule, referralReason } from './conformal/referral.ts';
import type { ReferralRule } from './conformal/referral.ts';
import { aurc } from './conformal/risk-coverage.ts';
import { averageSetSize, calibrateConformal, empiricalCoverage, predictionSets } from './conformal/split-conformal.ts';
import { checkConformalLevel, heldOutConformal } from './conformal/held-out-coverage.ts';
import type { HeldOutConformal } from './conformal/held-out-coverage.ts';

/** Calibration figures of probabilities against labels. */
export interface CalibrationFigures {
  accuracy: number;
  ece: number;
  /** ECE with equal-mass bins. */
  eceEqualMass: number;
  mce: number;
  adaptiveEce: number;
  classwiseEce: number;
  brier: number;
  nll: number;
  /** Area under the risk-coverage curve of 1 - max probability. */
  aurc: number;
}

/** Everything {@link calibrateClassifier} measured. */
export interface CalibrationReport {
  datasetHash: string;
  fit: TemperatureFit;
  validationCount: number;
  testCount: number;
  before: CalibrationFigures;
  after: CalibrationFigures;
  diagrams: { before: ReliabilityDiagram; after: ReliabilityDiagram };
  conformal: { alpha: number; score: 'aps' | 'lac'; threshold: number; coverage: number; averageSetSize: number; singletonRate: number };
  referral: ReferralRule & { testReferralRate: number; testAcceptedErrorRate: number };
  /** Rendered diagrams. */
  images: { beforeSvg: string; afterSvg: string; beforePng: Uint8Array; afterPng: Uint8Array };
}

/**
 * Progress of a calibration or an evaluation: `done` of `total` items of a split have
 * been through the model (`validation`, `test`, `evaluated`), or a step that has no
 * count finished (`fit`, `diagrams`: 1 of 1).
 */
export type CalibrationProgress = (stage: 'validation' | 'test' | 'evaluated' | 'fit' | 'diagrams', done: number, total: number) => void;

/** Options of {@link calibrateClassifier}. */
export interface CalibrateOptions {
  bins?: number;
  /** Conformal miscoverage (default 0.1). */
  alpha?: number;
  /** Error rate allowed among accepted inspections for the referral rule (default 0.02). */
  targetErrorRate?: number;
  cardPath?: string;
  /** Session cache and options of the model's predictor. */
  predictor?: PredictorOptions;
  onProgress?: CalibrationProgress;
}

const LOGIT_BATCH = 32;

/**
 * {@link classifierLogits} of `items` in runs of one batch, reporting each run: the same
 * batches as one call, so the same logits.
 */
async function logitsReporting(
  predictor: Predictor,
  folder: LabelledFolder,
  items: readonly LabelledItem[],
  report: ((done: number, total: number) => void) | undefined,
): Promise<{ logits: Float64Array; labels: Int32Array; sources: string[] }> {
  if (!report) return classifierLogits(predictor, folder, items, LOGIT_BATCH);
  const parts: Awaited<ReturnType<typeof classifierLogits>>[] = [];
  report(0, items.length);
  for (let s = 0; s < items.length; s += LOGIT_BATCH) {
    parts.push(await classifierLogits(predictor, folder, items.slice(s, s + LOGIT_BATCH), LOGIT_BATCH));
    report(Math.min(s + LOGIT_BATCH, items.length), items.length);
  }
  const logits = new Float64Array(parts.reduce((n, p) => n + p.logits.length, 0));
  parts.reduce((at, p) => (logits.set(p.logits, at), at + p.logits.length), 0);
  return { logits, labels: Int32Array.from(parts.flatMap((p) => Array.from(p.labels))), sources: parts.flatMap((p) => p.sources) };
}

/** A classifier's predictor and the listed dataset folder (split seeded as in training). */
async function openClassifier(modelPath: string, dataDir: string, cardPath: string | undefined, options: PredictorOptions = {}): Promise<{ predictor: Predictor; folder: LabelledFolder }> {
  const predictor = await Predictor.load(modelPath, cardPath, options);
  if (predictor.task.datasetLayout !== 'classification') {
    throw new XqcError('XQC_INVALID_ARGUMENT', `calibration and conformal sets are for classifiers (task classify); this card says ${predictor.card.task}`);
  }
  return { predictor, folder: await listLabelledFolder(dataDir, predictor.card) };
}

/** The calibration figures of class probabilities [N*K]. */
export function calibrationFigures(probs: Float64Array, labels: Int32Array, bins = 15): CalibrationFigures {
  const k = probs.length / labels.length;
  const conf = new Float64Array(labels.length);
  const correct = new Float64Array(labels.length);
  for (let i = 0; i < labels.length; i++) {
    let best = 0;
    for (let j = 1; j < k; j++) if (probs[i * k + j] > probs[i * k + best]) best = j;
    conf[i] = probs[i * k + best];
    correct[i] = best === labels[i] ? 1 : 0;
  }
  return {
    accuracy: correct.reduce((a, v) => a + v, 0) / labels.length,
    ece: expectedCalibrationError(probs, labels, { bins }),
    eceEqualMass: expectedCalibrationError(probs, labels, { bins, strategy: 'equal-mass' }),
    mce: maxCalibrationError(probs, labels, { bins }),
    adaptiveEce: adaptiveCalibrationError(probs, labels, { bins }),
    classwiseEce: classwiseCalibrationError(probs, labels, { bins }),
    brier: brierScore(probs, labels),
    nll: negativeLogLikelihood(probs, labels),
    aurc: aurc(conf, correct),
  };
}

/**
 * Fits and measures calibration of the classifier at `modelPath` on the dataset `dataDir`
 * (validation split to fit, test split to measure). The fit is checked before the test
 * split is run: {@link checkTemperatureFit} (at least `MIN_CALIBRATION_ITEMS` validation
 * images of two or more classes, a finite T inside its bounds that lowers the validation
 * NLL), then {@link checkConformalLevel} (n >= 1/alpha - 1 validation images).
 * @throws XQC_CALIBRATION_REFUSED with the reason; XQC_INVALID_ARGUMENT for a card that is not a classifier's
 */
export async function calibrateClassifier(modelPath: string, dataDir: string, o: CalibrateOptions = {}): Promise<{ card: ModelCard; report: CalibrationReport }> {
  const bins = o.bins ?? 15;
  const alpha = o.alpha ?? 0.1;
  const { predictor, folder } = await openClassifier(modelPath, dataDir, o.cardPath, o.predictor);
  const { card } = predictor;
  const k = card.labels.length;
  const report = (stage: 'validation' | 'test') => (o.onProgress ? (done: number, total: number) => o.onProgress?.(stage, done, total) : undefined);
  const v = await logitsReporting(predictor, folder, itemsOf(folder, 'val'), report('validation'));
  const fit = fitTemperature(v.logits, v.labels, { bins });
  checkTemperatureFit(fit);
  checkConformalLevel(v.labels.length, alpha);
  o.onProgress?.('fit', 1, 1);
  const t = await logitsReporting(predictor, folder, itemsOf(folder, 'test'), report('test'));
  const beforeP = softmax(t.logits, k, 1);
  const afterP = softmax(t.logits, k, fit.temperature);
  const before = calibrationFigures(beforeP, t.labels, bins);
  const after = calibrationFigures(afterP, t.labels, bins);
  const diagrams = { before: reliabilityDiagram(beforeP, t.labels, { bins }), after: reliabilityDiagram(afterP, t.labels, { bins }) };
  const beforeSvg = renderReliabilitySvg(diagrams.before, { title: `${card.name}: before (T = 1)` });
  const afterSvg = renderReliabilitySvg(diagrams.after, { title: `${card.name}: after (T = ${fit.temperature.toFixed(3)})` });

  // Conformal sets and referral, calibrated on the validation split with calibrated probabilities.
  const valP = softmax(v.logits, k, fit.temperature);
  const conformal = calibrateConformal(valP, v.labels, { alpha, score: 'aps', seed: 1 });
  const valSets = predictionSets(conformal, valP, { seed: 2 });
  const testSets = predictionSets(conformal, afterP, { seed: 3 });
  const uncertainty = (p: Float64Array, n: number): Float64Array => Float64Array.from({ length: n }, (_, i) => 1 - Math.max(...p.subarray(i * k, (i + 1) * k)));
  const correctOf = (p: Float64Array, labels: Int32Array): Float64Array =>
    Float64Array.from(labels, (y, i) => {
      let best = 0;
      for (let j = 1; j < k; j++) if (p[i * k + j] > p[i * k + best]) best = j;
      return best === y ? 1 : 0;
    });
  const rule = fitReferralRule({
    uncertainty: uncertainty(valP, v.labels.length),
    correct: correctOf(valP, v.labels),
    setSizes: valSets.map((s) => s.length),
    targetErrorRate: o.targetErrorRate ?? 0.02,
  });
  const tu = uncertainty(afterP, t.labels.length);
  const tc = correctOf(afterP, t.labels);
  let referred = 0;
  let accepted = 0;
  let acceptedWrong = 0;
  testSets.forEach((s, i) => {
    if (referralReason(rule, s.length, tu[i]) !== null) referred++;
    else {
      accepted++;
      if (!tc[i]) acceptedWrong++;
    }
  });
  const figures: CalibrationReport = {
    datasetHash: folder.datasetHash,
    fit,
    validationCount: v.labels.length,
    testCount: t.labels.length,
    before,
    after,
    diagrams,
    conformal: {
      alpha,
      score: 'aps',
      threshold: conformal.quantile,
      coverage: empiricalCoverage(testSets, t.labels),
      averageSetSize: averageSetSize(testSets),
      singletonRate: testSets.filter((s) => s.length === 1).length / testSets.length,
    },
    referral: { ...rule, testReferralRate: referred / testSets.length, testAcceptedErrorRate: accepted ? acceptedWrong / accepted : NaN },
    images: { beforeSvg, afterSvg, beforePng: await renderReliabilityPng(beforeSvg), afterPng: await renderReliabilityPng(afterSvg) },
  };
  o.onProgress?.('diagrams', 1, 1);
  const calibrated: ModelCard = {
    ...card,
    calibration: {
      temperature: fit.temperature,
      ece: before.ece,
      eceAfter: after.ece,
      fittedOn: `${folder.datasetHash} (validation split)`,
      // Recorded only when finite: an infinite quantile (too few items for alpha) or no feasible referral threshold serves nothing.
      ...(Number.isFinite(conformal.quantile)
        ? { conformal: { alpha, score: 'aps' as const, threshold: conformal.quantile, ...(Number.isFinite(rule.uncertaintyThreshold) ? { referralThreshold: rule.uncertaintyThreshold } : {}) } }
        : {}),
    },
  };
  return { card: calibrated, report: figures };
}

/** Calibration and conformal figures of a classifier on one split, as `evaluate` reports them. */
export interface TrustFigures {
  /** Temperature from the card (1 when the card has none). */
  temperature: number;
  calibration: CalibrationFigures;
  /** APS sets calibrated on the validation split, measured on the evaluated items outside it. */
  conformal: HeldOutConformal;
}

/**
 * Calibration figures at the card's temperature and split-conformal coverage of the
 * classifier on `split` (sets calibrated on the validation split, coverage measured only on
 * evaluated items outside it: none with `val`, the train and test items with `all`).
 */
export async function classifierTrust(
  modelPath: string,
  dataDir: string,
  split: 'train' | 'val' | 'test' | 'all',
  o: { alpha?: number; bins?: number; cardPath?: string; predictor?: PredictorOptions; onProgress?: CalibrationProgress } = {},
): Promise<TrustFigures> {
  const alpha = o.alpha ?? 0.1;
  const { predictor, folder } = await openClassifier(modelPath, dataDir, o.cardPath, o.predictor);
  const k = predictor.card.labels.length;
  const t = predictor.card.calibration?.temperature ?? 1;
  // One pass over the union of the evaluated and validation items: each image decoded once.
  const wanted = new Set([...itemsOf(folder, split), ...itemsOf(folder, 'val')]);
  const all = await logitsReporting(predictor, folder, folder.items.filter((i) => wanted.has(i)), o.onProgress ? (done, total) => o.onProgress?.('evaluated', done, total) : undefined);
  const splitOf = new Map(folder.items.map((i) => [i.source, i.split]));
  // Items are matched by their path in the folder.
  const rows = (keep: (source: string) => boolean): { logits: Float64Array; labels: Int32Array; ids: string[] } => {
    const idx = all.sources.flatMap((s, i) => (keep(s) ? [i] : []));
    const logits = new Float64Array(idx.length * k);
    idx.forEach((r, i) => logits.set(all.logits.subarray(r * k, (r + 1) * k), i * k));
    return { logits, labels: Int32Array.from(idx, (r) => all.labels[r]), ids: idx.map((r) => all.sources[r]) };
  };
  const e = rows((s) => split === 'all' || splitOf.get(s) === split);
  const v = rows((s) => splitOf.get(s) === 'val');
  const p = softmax(e.logits, k, t);
  return {
    temperature: t,
    calibration: calibrationFigures(p, e.labels, o.bins ?? 15),
    conformal: heldOutConformal({ probs: softmax(v.logits, k, t), labels: v.labels, ids: v.ids }, { probs: p, labels: e.labels, ids: e.ids }, { alpha }),
  };
}
