/**
 * Confidence-based performance estimation (CBPE, as NannyML defines it): the performance a
 * classifier is expected to have on a window of inspections before any of them is reviewed,
 * from its calibrated probabilities alone. When the probabilities are calibrated, the
 * probability of the predicted class is the chance that the prediction is right, so sums of
 * probabilities are expected counts of the confusion matrix.
 */
import { metricInputError, requireFinite, requireNonEmpty, requireSameLength, type NumberArray } from '../metrics/metric-input.ts';

/** Expected figures of one window (see {@link estimatePerformance}); NaN where the denominator is 0. */
export interface PerformanceEstimate {
  /** Inspections in the window. */
  count: number;
  /** Expected top-label accuracy: mean of the probability of the predicted class. */
  accuracy: number;
  /** Expected confusion counts, positive class defect (`reject`). */
  tp: number;
  fp: number;
  tn: number;
  fn: number;
  /** Expected escape rate `E[FN] / (E[TP] + E[FN])`: the share of defective parts that pass. */
  escapeRate: number;
  /** Expected false-reject rate `E[FP] / (E[FP] + E[TN])`: the share of good parts that are rejected. */
  falseRejectRate: number;
  /** Mean probability of defect over the inspections predicted good (`E[FN] / passed`): the defect share among passed parts. */
  passedDefectRate: number;
}

/**
 * CBPE of one window. Inspection i has `predictedProbability[i]`, the calibrated probability
 * of its predicted class, `defectProbability[i]`, the calibrated probability that the part
 * is defective, and `predictedDefect[i]` (1 when the verdict is reject, else 0). Then
 *
 * - expected accuracy = mean_i predictedProbability[i] (top-label accuracy: the mean of
 *   the indicator "prediction right" has this expectation under calibration);
 * - E[TP] = sum over rejected of p_i, E[FP] = sum over rejected of (1 - p_i),
 *   E[FN] = sum over passed of p_i, E[TN] = sum over passed of (1 - p_i), with p_i the
 *   defect probability (NannyML's expected confusion matrix);
 * - expected escape rate = E[FN] / (E[TP] + E[FN]), false-reject rate = E[FP] / (E[FP] + E[TN]),
 *   the ratios of expectations (the estimator NannyML uses, consistent as n grows);
 * - passedDefectRate = E[FN] / (number passed): the mean defect probability of the parts
 *   predicted good.
 * @param predictedProbability [n] probabilities in [0, 1]
 * @param defectProbability [n] probabilities in [0, 1]
 * @param predictedDefect [n] 0 or 1
 * @throws XQC_METRIC_INPUT for empty or unequal inputs, non-finite values, probabilities outside [0, 1], flags not 0/1
 */
export function estimatePerformance(predictedProbability: NumberArray, defectProbability: NumberArray, predictedDefect: NumberArray): PerformanceEstimate {
  requireNonEmpty('predictedProbability', predictedProbability);
  requireSameLength('predictedProbability', predictedProbability, 'defectProbability', defectProbability);
  requireSameLength('predictedProbability', predictedProbability, 'predictedDefect', predictedDefect);
  requireFinite('predictedProbability', predictedProbability);
  requireFinite('defectProbability', defectProbability);
  const n = predictedProbability.length;
  let sumTop = 0;
  let tp = 0;
  let fp = 0;
  let tn = 0;
  let fn = 0;
  let passed = 0;
  for (let i = 0; i < n; i++) {
    const top = predictedProbability[i];
    const p = defectProbability[i];
    const r = predictedDefect[i];
    if (top < 0 || top > 1) throw metricInputError(`predictedProbability[${i}] = ${top} is not in [0, 1]`);
    if (p < 0 || p > 1) throw metricInputError(`defectProbability[${i}] = ${p} is not in [0, 1]`);
    if (r !== 0 && r !== 1) throw metricInputError(`predictedDefect[${i}] = ${r} is not 0 or 1`);
    sumTop += top;
    if (r === 1) {
      tp += p;
      fp += 1 - p;
    } else {
      fn += p;
      tn += 1 - p;
      passed++;
    }
  }
  const ratio = (a: number, b: number): number => (b > 0 ? a / b : Number.NaN);
  return {
    count: n,
    accuracy: sumTop / n,
    tp,
    fp,
    tn,
    fn,
    escapeRate: ratio(fn, tp + fn),
    falseRejectRate: ratio(fp, fp + tn),
    passedDefectRate: ratio(fn, passed),
  };
}
