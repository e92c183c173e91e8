/**
 * Conformal coverage that is never measured on the items that calibrated it. Split
 * conformal's guarantee, P(y in C(x)) >= 1 - alpha, holds for items exchangeable with the
 * calibration items and not among them; coverage counted on the calibration items
 * themselves is at least ceil((n + 1)(1 - alpha)) / n by construction, whatever the
 * model. So items present in both sets (matched by id, e.g. a file's path or SHA-256) are
 * left out of the measurement, and the figure is null, with the reason, when none is left.
 */
import { XqcError } from '../../errors.ts';
import type { NumberArray } from '../../metrics/metric-input.ts';
import { averageSetSize, calibrateConformal, empiricalCoverage, predictionSets } from './split-conformal.ts';
import type { ConformalScore } from './scores.ts';

/** Probabilities [N*K] row-major, labels [N] and one id per item. */
export interface ConformalItems {
  probs: NumberArray;
  labels: NumberArray;
  ids: readonly string[];
}

/** What {@link heldOutConformal} measured. */
export interface HeldOutConformal {
  alpha: number;
  score: ConformalScore;
  /** Items that calibrated the sets. */
  calibrationCount: number;
  /** Evaluated items the figures are measured on (calibration items removed). */
  measuredCount: number;
  /** Evaluated items left out because they calibrated the sets. */
  excludedCount: number;
  /** Share of measured items whose set holds the true label; null when none is measured. */
  coverage: number | null;
  averageSetSize: number | null;
  /** Why a figure is null, or what was left out; absent when nothing was. */
  note?: string;
}

/**
 * The smallest calibration set that gives a finite conformal threshold at miscoverage
 * `alpha`: ceil((n + 1)(1 - alpha)) <= n, i.e. n >= 1/alpha - 1 (rounded up, with the
 * same 1e-9 tolerance as the quantile).
 */
export function minConformalCalibrationSize(alpha: number): number {
  if (!(alpha > 0 && alpha < 1)) throw new XqcError('XQC_INVALID_ARGUMENT', `alpha must be in (0, 1), got ${alpha}`);
  const exact = (1 - alpha) / alpha;
  return Math.max(1, Math.ceil(exact - 1e-9 * exact));
}

/**
 * Throws `XQC_CALIBRATION_REFUSED` when `n` calibration items cannot give a finite
 * threshold at `alpha` (every set would hold every label).
 */
export function checkConformalLevel(n: number, alpha: number): void {
  const need = minConformalCalibrationSize(alpha);
  if (n < need) {
    throw new XqcError('XQC_CALIBRATION_REFUSED', `conformal sets at alpha ${alpha} need at least ${need} calibration items (n >= 1/alpha - 1); there are ${n}, so every set would hold every label; raise --alpha or add validation images`);
  }
}

/**
 * Calibrates split-conformal sets on `calibration` and measures their coverage and mean
 * size on the items of `evaluation` whose id is not among the calibration ids.
 */
export function heldOutConformal(calibration: ConformalItems, evaluation: ConformalItems, o: { alpha: number; score?: ConformalScore; seed?: number }): HeldOutConformal {
  for (const [name, s] of [['calibration', calibration], ['evaluation', evaluation]] as const) {
    if (s.ids.length !== s.labels.length) throw new XqcError('XQC_SHAPE_MISMATCH', `${name} has ${s.ids.length} ids for ${s.labels.length} labels`);
  }
  const score = o.score ?? 'aps';
  const predictor = calibrateConformal(calibration.probs, calibration.labels, { alpha: o.alpha, score, seed: o.seed ?? 1 });
  const k = predictor.numClasses;
  if (evaluation.probs.length !== evaluation.labels.length * k) {
    throw new XqcError('XQC_SHAPE_MISMATCH', `evaluation has ${evaluation.probs.length} probabilities for ${evaluation.labels.length} items of ${k} classes`);
  }
  const calibrated = new Set(calibration.ids);
  const keep = evaluation.ids.flatMap((id, i) => (calibrated.has(id) ? [] : [i]));
  const excludedCount = evaluation.ids.length - keep.length;
  const base = { alpha: o.alpha, score, calibrationCount: calibration.labels.length, measuredCount: keep.length, excludedCount };
  if (keep.length === 0) {
    return { ...base, coverage: null, averageSetSize: null, note: `all ${excludedCount} evaluated items calibrated the conformal sets; coverage on them would be in-sample, so it is not reported (evaluate on items outside the calibration split)` };
  }
  const probs = new Float64Array(keep.length * k);
  const labels = new Int32Array(keep.length);
  keep.forEach((i, r) => {
    for (let c = 0; c < k; c++) probs[r * k + c] = evaluation.probs[i * k + c];
    labels[r] = evaluation.labels[i];
  });
  const sets = predictionSets(predictor, probs, { seed: 2 });
  return {
    ...base,
    coverage: empiricalCoverage(sets, labels),
    averageSetSize: averageSetSize(sets),
    ...(excludedCount > 0 ? { note: `${excludedCount} evaluated item(s) calibrated the conformal sets and are left out of the coverage` } : {}),
  };
}
