/**
 * Confusion matrices, one-shot and streaming, and the TP/FP/TN/FN counts of one class.
 * Rows are true classes and columns predicted classes, as in scikit-learn's
 * `confusion_matrix`. Counts are float64, exact up to 2^53 items.
 */
import {
  metricInputError,
  requireIntegerAtLeast,
  requireLabels,
  requireNonEmpty,
  requireSameLength,
  type NumberArray,
} from './metric-input.ts';

/** A K x K count matrix, row-major: `counts[t * K + p]` items of true class t predicted as p. */
export interface ConfusionMatrix {
  readonly numClasses: number;
  /** [K*K] float64 */
  readonly counts: Float64Array;
}

/** True/false positives and negatives of one class against all others. */
export interface BinaryCounts {
  tp: number;
  fp: number;
  tn: number;
  fn: number;
}

/**
 * Confusion matrix of integer class labels.
 * @param yTrue [N] classes in 0..K-1
 * @param yPred [N] classes in 0..K-1
 * @param numClasses K
 */
export function confusionMatrix(yTrue: NumberArray, yPred: NumberArray, numClasses: number): ConfusionMatrix {
  requireNonEmpty('yTrue', yTrue);
  const acc = new ConfusionMatrixAccumulator(numClasses);
  acc.add(yTrue, yPred);
  return acc.matrix();
}

/**
 * TP/FP/TN/FN of `positiveClass` against all other classes (one-vs-rest). In QC the
 * positive class is "defective": FN are escapes, FP are false rejects.
 */
export function binaryCounts(cm: ConfusionMatrix, positiveClass = 1): BinaryCounts {
  const k = cm.numClasses;
  if (!Number.isInteger(positiveClass) || positiveClass < 0 || positiveClass >= k) {
    throw metricInputError(`positiveClass = ${positiveClass} is not a class index in 0..${k - 1}`);
  }
  let total = 0;
  let predicted = 0;
  let actual = 0;
  for (let t = 0; t < k; t++) {
    for (let p = 0; p < k; p++) {
      const c = cm.counts[t * k + p];
      total += c;
      if (p === positiveClass) predicted += c;
      if (t === positiveClass) actual += c;
    }
  }
  const tp = cm.counts[positiveClass * k + positiveClass];
  return { tp, fp: predicted - tp, fn: actual - tp, tn: total - predicted - actual + tp };
}

/** Total number of items in a confusion matrix. */
export function totalCount(cm: ConfusionMatrix): number {
  let total = 0;
  for (let i = 0; i < cm.counts.length; i++) total += cm.counts[i];
  return total;
}

/**
 * Streaming confusion matrix: add batches as they arrive (for example one day of reviewed
 * inspections), merge accumulators from several workers, read the matrix at any time.
 */
export class ConfusionMatrixAccumulator {
  readonly numClasses: number;
  private readonly counts: Float64Array;

  constructor(numClasses: number) {
    requireIntegerAtLeast('numClasses', numClasses, 1);
    this.numClasses = numClasses;
    this.counts = new Float64Array(numClasses * numClasses);
  }

  /**
   * Adds one batch of (true, predicted) pairs.
   * @param yTrue [B] classes in 0..K-1
   * @param yPred [B] classes in 0..K-1
   */
  add(yTrue: NumberArray, yPred: NumberArray): void {
    requireSameLength('yTrue', yTrue, 'yPred', yPred);
    requireLabels('yTrue', yTrue, this.numClasses);
    requireLabels('yPred', yPred, this.numClasses);
    const k = this.numClasses;
    for (let i = 0; i < yTrue.length; i++) this.counts[yTrue[i] * k + yPred[i]]++;
  }

  /** Adds the counts of another accumulator with the same number of classes. */
  merge(other: ConfusionMatrixAccumulator): void {
    if (other.numClasses !== this.numClasses) {
      throw metricInputError(`cannot merge confusion matrices of ${other.numClasses} and ${this.numClasses} classes`);
    }
    for (let i = 0; i < this.counts.length; i++) this.counts[i] += other.counts[i];
  }

  /** A snapshot of the counts so far. */
  matrix(): ConfusionMatrix {
    return { numClasses: this.numClasses, counts: this.counts.slice() };
  }
}
