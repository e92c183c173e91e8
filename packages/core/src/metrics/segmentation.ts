/**
 * IoU (Jaccard) and Dice of label maps, per class and averaged, one image at a time or
 * streamed over a whole test set.
 *
 * Empty-class convention: when a class is absent from both the target and the prediction,
 * its IoU and Dice are 0/0. With `empty: 'exclude'` (the default) the class gets NaN and
 * is left out of the mean, so an image without defects neither rewards nor punishes the
 * defect class; with `empty: 'one'` it scores 1 (perfect agreement), which is what
 * scikit-learn's `jaccard_score` / `f1_score` give with `zero_division=1`. A mean over no
 * class at all is NaN.
 */
import {
  metricInputError,
  requireIntegerAtLeast,
  requireLabels,
  requireNonEmpty,
  requireSameLength,
  type NumberArray,
} from './metric-input.ts';

/** What a class absent from both target and prediction scores. */
export type EmptyClassPolicy = 'exclude' | 'one';

/** Pixel counts per class, the sufficient statistic of IoU and Dice. */
export interface SegmentationCounts {
  readonly numClasses: number;
  /** [K] pixels of class k in both target and prediction. */
  readonly intersection: Float64Array;
  /** [K] pixels of class k in the target. */
  readonly target: Float64Array;
  /** [K] pixels of class k in the prediction. */
  readonly predicted: Float64Array;
}

/** IoU and Dice per class and their means over the classes that count. */
export interface SegmentationScores {
  /** [K] `|T n P| / |T u P|`, NaN for excluded empty classes. */
  iou: Float64Array;
  /** [K] `2 |T n P| / (|T| + |P|)`, NaN for excluded empty classes. */
  dice: Float64Array;
  meanIou: number;
  meanDice: number;
}

/**
 * Counts intersection, target and predicted pixels of each class.
 * @param target [H*W] class index per pixel (a binary mask is K = 2 with values 0/1)
 * @param prediction [H*W] class index per pixel
 */
export function segmentationCounts(target: NumberArray, prediction: NumberArray, numClasses: number): SegmentationCounts {
  requireNonEmpty('target', target);
  requireSameLength('target', target, 'prediction', prediction);
  requireLabels('target', target, numClasses);
  requireLabels('prediction', prediction, numClasses);
  const counts = emptyCounts(numClasses);
  for (let i = 0; i < target.length; i++) {
    const t = target[i];
    const p = prediction[i];
    counts.target[t]++;
    counts.predicted[p]++;
    if (t === p) counts.intersection[t]++;
  }
  return counts;
}

function emptyCounts(numClasses: number): SegmentationCounts {
  return {
    numClasses,
    intersection: new Float64Array(numClasses),
    target: new Float64Array(numClasses),
    predicted: new Float64Array(numClasses),
  };
}

/** IoU and Dice from counts, with the empty-class convention of this module. */
export function scoresFromCounts(counts: SegmentationCounts, empty: EmptyClassPolicy = 'exclude'): SegmentationScores {
  const k = counts.numClasses;
  const iou = new Float64Array(k);
  const dice = new Float64Array(k);
  for (let c = 0; c < k; c++) {
    const inter = counts.intersection[c];
    const sum = counts.target[c] + counts.predicted[c];
    if (sum === 0) {
      iou[c] = empty === 'one' ? 1 : Number.NaN;
      dice[c] = iou[c];
    } else {
      iou[c] = inter / (sum - inter);
      dice[c] = (2 * inter) / sum;
    }
  }
  return { iou, dice, meanIou: nanMean(iou), meanDice: nanMean(dice) };
}

/** IoU and Dice of one label map against its target; see the module comment for empties. */
export function segmentationScores(
  target: NumberArray,
  prediction: NumberArray,
  numClasses: number,
  options: { empty?: EmptyClassPolicy } = {},
): SegmentationScores {
  return scoresFromCounts(segmentationCounts(target, prediction, numClasses), options.empty);
}

/** Mean of the non-NaN entries; NaN when there are none. */
export function nanMean(values: Float64Array): number {
  let s = 0;
  let n = 0;
  for (let i = 0; i < values.length; i++) {
    if (!Number.isNaN(values[i])) {
      s += values[i];
      n++;
    }
  }
  return n === 0 ? Number.NaN : s / n;
}

/** Result of {@link SegmentationIouAccumulator}. */
export interface SegmentationSummary extends SegmentationScores {
  /** Mean over images of each image's mean IoU (images whose mean is NaN are skipped). */
  meanImageIou: number;
  /** Images added. */
  images: number;
}

/**
 * Streaming IoU/Dice over a test set without keeping any mask: per-class pixel counts are
 * summed over images (the dataset-level IoU `sum |T n P| / sum |T u P|` used by most
 * segmentation benchmarks) and each image's mean IoU is averaged as well.
 */
export class SegmentationIouAccumulator {
  readonly numClasses: number;
  readonly empty: EmptyClassPolicy;
  private readonly totals: SegmentationCounts;
  private imageIouSum = 0;
  private imagesWithIou = 0;
  private images = 0;

  constructor(numClasses: number, options: { empty?: EmptyClassPolicy } = {}) {
    requireIntegerAtLeast('numClasses', numClasses, 1);
    this.numClasses = numClasses;
    this.empty = options.empty ?? 'exclude';
    this.totals = emptyCounts(numClasses);
  }

  /**
   * Adds one image.
   * @param target [H*W] class per pixel
   * @param prediction [H*W] class per pixel
   */
  add(target: NumberArray, prediction: NumberArray): void {
    const counts = segmentationCounts(target, prediction, this.numClasses);
    for (let c = 0; c < this.numClasses; c++) {
      this.totals.intersection[c] += counts.intersection[c];
      this.totals.target[c] += counts.target[c];
      this.totals.predicted[c] += counts.predicted[c];
    }
    const meanIou = scoresFromCounts(counts, this.empty).meanIou;
    if (!Number.isNaN(meanIou)) {
      this.imageIouSum += meanIou;
      this.imagesWithIou++;
    }
    this.images++;
  }

  /** Dataset-level scores of everything added so far; throws when nothing was added. */
  summary(): SegmentationSummary {
    if (this.images === 0) throw metricInputError('the segmentation accumulator is empty; add at least one image');
    return {
      ...scoresFromCounts(this.totals, this.empty),
      meanImageIou: this.imagesWithIou === 0 ? Number.NaN : this.imageIouSum / this.imagesWithIou,
      images: this.images,
    };
  }
}
