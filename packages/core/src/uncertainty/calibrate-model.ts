/**
 * Calibration of a shipped classifier on its dataset: temperature fitted on the
 * validation split, every calibration figure before and after on the test split,
 * reliability diagrams (SVG and PNG), split-conformal prediction sets calibrated on the
 * validation split with their coverage on the test split, and the referral rule that
 * sends uncertain inspections to review, with the referral rate it implies.
 */
import { XqcError } from '../errors.ts';
import type { ModelCard } from '../models/card.ts';
import { saveModel } from '../onnx/model-io.ts';
import { createSession } from '../runtime/session.ts';
import { collectLogits } from '../train/evaluate.ts';
import { loadForEvaluation } from '../train/evaluate-folder.ts';
import {
  adaptiveCalibrationError, classwiseCalibrationError, expectedCalibrationError, maxCalibrationError, reliabilityDiagram,
} from './calibration/calibration-error.ts';
import type { ReliabilityDiagram } from './calibration/calibration-error.ts';
import { brierScore, negativeLogLikelihood, softmax } from './calibration/proper-scores.ts';
import { renderReliabilityPng } from './calibration/reliability-png.ts';
import { renderReliabilitySvg } from './calibration/reliability-svg.ts';
import { fitTemperature } from './calibration/temperature-scaling.ts';
import type { TemperatureFit } from './calibration/temperature-scaling.ts';
import { fitReferralRule, referralReason } from './conformal/referral.ts';
import type { ReferralRule } from './conformal/referral.ts';
import { aurc } from './conformal/risk-coverage.ts';
import { averageSetSize, calibrateConformal, empiricalCoverage, predictionSets } from './conformal/split-conformal.ts';

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

/** Options of {@link calibrateClassifier}. */
export interface CalibrateOptions {
  bins?: number;
  /** Conformal miscoverage (default 0.1). */
  alpha?: number;
  /** Error rate allowed among accepted inspections for the referral rule (default 0.02). */
  targetErrorRate?: number;
  cardPath?: string;
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
 * (validation split to fit, test split to measure).
 */
export async function calibrateClassifier(modelPath: string, dataDir: string, o: CalibrateOptions = {}): Promise<{ card: ModelCard; report: CalibrationReport }> {
  const bins = o.bins ?? 15;
  const alpha = o.alpha ?? 0.1;
  const val = await loadForEvaluation(modelPath, dataDir, 'val', o.cardPath);
  const test = await loadForEvaluation(modelPath, dataDir, 'test', o.cardPath);
  const { card, model } = val;
  if (card.task !== 'classify') throw new XqcError('XQC_INVALID_ARGUMENT', `calibration is for classifiers; this card says ${card.task}`);
  const k = card.labels.length;
  const norm = { mean: card.input.mean, std: card.input.std };
  const session = await createSession(saveModel(model));
  let v: { logits: Float64Array; labels: Int32Array };
  let t: { logits: Float64Array; labels: Int32Array };
  try {
    v = await collectLogits(session, val.samples, k, norm);
    t = await collectLogits(session, test.samples, k, norm);
  } finally {
    await session.release();
  }
  const fit = fitTemperature(v.logits, v.labels, { bins });
  const beforeP = softmax(t.logits, k, 1);
  const afterP = softmax(t.logits, k, fit.temperature);
  const before = calibrationFigures(beforeP, t.labels, bins);
  const after = calibrationFigures(afterP, t.labels, bins);
  const diagrams = { before: reliabilityDiagram(beforeP, t.labels, { bins }), after: reliabilityDiagram(afterP, t.labels, { bins }) };
  const beforeSvg = renderReliabilitySvg(diagrams.before, { title: `${card.name}: before (T = 1)` });
  const afterSvg = renderReliabilitySvg(diagrams.after, { title: `${card.name}: after (T = ${fit.temperature.toFixed(3)})` });

  // Conformal sets and referral, calibrated on the validation split with calibrated probabilities.
  const valP = softmax(v.logits, k, fit.temperature);
  const predictor = calibrateConformal(valP, v.labels, { alpha, score: 'aps', seed: 1 });
  const valSets = predictionSets(predictor, valP, { seed: 2 });
  const testSets = predictionSets(predictor, afterP, { seed: 3 });
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
  const report: CalibrationReport = {
    datasetHash: val.data.manifest.id,
    fit,
    validationCount: v.labels.length,
    testCount: t.labels.length,
    before,
    after,
    diagrams,
    conformal: {
      alpha,
      score: 'aps',
      threshold: predictor.quantile,
      coverage: empiricalCoverage(testSets, t.labels),
      averageSetSize: averageSetSize(testSets),
      singletonRate: testSets.filter((s) => s.length === 1).length / testSets.length,
    },
    referral: { ...rule, testReferralRate: referred / testSets.length, testAcceptedErrorRate: accepted ? acceptedWrong / accepted : NaN },
    images: { beforeSvg, afterSvg, beforePng: await renderReliabilityPng(beforeSvg), afterPng: await renderReliabilityPng(afterSvg) },
  };
  const calibrated: ModelCard = {
    ...card,
    calibration: { temperature: fit.temperature, ece: before.ece, eceAfter: after.ece, fittedOn: `${val.data.manifest.id} (validation split)` },
  };
  return { card: calibrated, report };
}

/** Calibration and conformal figures of a classifier on one split, as `evaluate` reports them. */
export interface TrustFigures {
  /** Temperature from the card (1 when the card has none). */
  temperature: number;
  calibration: CalibrationFigures;
  /** APS sets calibrated on the validation split, measured on the evaluated split. */
  conformal: { alpha: number; coverage: number; averageSetSize: number };
}

/**
 * Calibration figures at the card's temperature and split-conformal coverage of the
 * classifier on `split` (sets calibrated on the validation split).
 */
export async function classifierTrust(modelPath: string, dataDir: string, split: 'train' | 'val' | 'test' | 'all', o: { alpha?: number; bins?: number; cardPath?: string } = {}): Promise<TrustFigures> {
  const alpha = o.alpha ?? 0.1;
  const target = await loadForEvaluation(modelPath, dataDir, split, o.cardPath);
  const val = await loadForEvaluation(modelPath, dataDir, 'val', o.cardPath);
  const { card, model } = target;
  const k = card.labels.length;
  const norm = { mean: card.input.mean, std: card.input.std };
  const t = card.calibration?.temperature ?? 1;
  const session = await createSession(saveModel(model));
  try {
    const e = await collectLogits(session, target.samples, k, norm);
    const v = await collectLogits(session, val.samples, k, norm);
    const p = softmax(e.logits, k, t);
    const predictor = calibrateConformal(softmax(v.logits, k, t), v.labels, { alpha, score: 'aps', seed: 1 });
    const sets = predictionSets(predictor, p, { seed: 2 });
    return {
      temperature: t,
      calibration: calibrationFigures(p, e.labels, o.bins ?? 15),
      conformal: { alpha, coverage: empiricalCoverage(sets, e.labels), averageSetSize: averageSetSize(sets) },
    };
  } finally {
    await session.release();
  }
}
