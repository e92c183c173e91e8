/**
 * Selective classification: accept the items the model is most confident about, refer the
 * rest. The risk-coverage curve gives, for each confidence threshold, the fraction of items
 * accepted (coverage) and the error rate among them (selective risk); AURC is its mean over
 * all coverages (Geifman and El-Yaniv 2017), lower is better.
 */
import {
  metricInputError,
  requireFinite,
  requireNonEmpty,
  requireSameLength,
  type NumberArray,
} from '../../metrics/metric-input.ts';
import { sortPairs } from '../../metrics/sort-pairs.ts';

/** Items grouped by equal confidence, most confident first. */
interface ConfidenceGroups {
  /** [G] distinct confidences, descending. */
  thresholds: Float64Array;
  /** [G] items per group. */
  size: Float64Array;
  /** [G] errors per group. */
  errors: Float64Array;
}

function groupByConfidence(confidence: NumberArray, correct: NumberArray): ConfidenceGroups {
  requireNonEmpty('confidence', confidence);
  requireSameLength('confidence', confidence, 'correct', correct);
  requireFinite('confidence', confidence);
  const n = confidence.length;
  const values = Float64Array.from(confidence);
  const wrong = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    const c = correct[i];
    if (c !== 0 && c !== 1) throw metricInputError(`correct[${i}] = ${c} is not 0 or 1`);
    wrong[i] = 1 - c;
  }
  sortPairs(values, wrong);
  const thresholds: number[] = [];
  const size: number[] = [];
  const errors: number[] = [];
  for (let i = n - 1; i >= 0; i--) {
    if (i === n - 1 || values[i] !== values[i + 1]) {
      thresholds.push(values[i]);
      size.push(0);
      errors.push(0);
    }
    size[size.length - 1]++;
    errors[errors.length - 1] += wrong[i];
  }
  return { thresholds: Float64Array.from(thresholds), size: Float64Array.from(size), errors: Float64Array.from(errors) };
}

/** A risk-coverage curve, one point per distinct confidence, by increasing coverage. */
export interface RiskCoverageCurve {
  /** [G] accept items with confidence >= threshold. */
  thresholds: Float64Array;
  /** [G] fraction of items accepted. */
  coverage: Float64Array;
  /** [G] error rate among accepted items. */
  risk: Float64Array;
}

/**
 * Risk-coverage curve.
 * @param confidence [N] higher = more sure (pass a negated uncertainty if needed)
 * @param correct [N] 1 when the model's prediction was right
 */
export function riskCoverageCurve(confidence: NumberArray, correct: NumberArray): RiskCoverageCurve {
  const g = groupByConfidence(confidence, correct);
  const n = confidence.length;
  const m = g.thresholds.length;
  const curve: RiskCoverageCurve = { thresholds: g.thresholds, coverage: new Float64Array(m), risk: new Float64Array(m) };
  let accepted = 0;
  let errors = 0;
  for (let i = 0; i < m; i++) {
    accepted += g.size[i];
    errors += g.errors[i];
    curve.coverage[i] = accepted / n;
    curve.risk[i] = errors / accepted;
  }
  return curve;
}

/**
 * Area under the risk-coverage curve, `AURC = (1/N) sum_{k=1..N} E_k / k` with E_k the
 * errors among the k most confident items. Within a group of tied confidences the order is
 * unknown, so E_k takes its expectation over orderings of the group (errors spread evenly):
 * the result does not depend on how ties happen to be stored.
 */
export function aurc(confidence: NumberArray, correct: NumberArray): number {
  const g = groupByConfidence(confidence, correct);
  const n = confidence.length;
  let before = 0;
  let errorsBefore = 0;
  let sum = 0;
  for (let i = 0; i < g.thresholds.length; i++) {
    const size = g.size[i];
    const rate = g.errors[i] / size;
    for (let j = 1; j <= size; j++) sum += (errorsBefore + j * rate) / (before + j);
    before += size;
    errorsBefore += g.errors[i];
  }
  return sum / n;
}
