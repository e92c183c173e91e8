/**
 * Precision/recall tables from per-image matches, as pycocotools' `COCOeval.accumulate`:
 * detections of all images are pooled per category (stable sort by descending score in
 * image order), precision is made monotone from the right, and read at the 101 recall
 * levels by `searchsorted(recall, level, side='left')`; levels beyond the reached recall
 * get precision 0. Cells stay -1 where a category has no counted ground truth.
 */
import type { ImageEvaluation } from './coco-evaluate-image.ts';

/** `np.spacing(1)`, the float64 epsilon pycocotools adds to the precision denominator. */
const EPS = 2.220446049250313e-16;

/** Precision [T,R] and recall [T] of one category, area range and maxDets. */
export interface CategoryCurves {
  /** [T*R], or null when there is no counted ground truth (pycocotools leaves -1). */
  precision: Float64Array | null;
  /** [T], or null as above. */
  recall: Float64Array | null;
}

/**
 * Pools the images of one category and area range and computes the interpolated
 * precision at each recall level for each detection limit.
 * @param images per-image results in ascending image-id order; null for images with neither ground truth nor detection
 * @param maxDets ascending detection limits
 * @returns one entry per maxDets value
 */
export function accumulateCategory(
  images: readonly (ImageEvaluation | null)[],
  iouThresholds: readonly number[],
  recallThresholds: readonly number[],
  maxDets: readonly number[],
): CategoryCurves[] {
  const t0 = iouThresholds.length;
  let counted = 0;
  let total = 0;
  for (const e of images) {
    if (!e) continue;
    counted += e.countedGroundTruths;
    total += e.scores.length;
  }
  if (counted === 0) return maxDets.map(() => ({ precision: null, recall: null }));
  // Pool every kept detection once; the per-limit subsets keep this order.
  const score = new Float64Array(total);
  const rank = new Uint32Array(total);
  const source = new Uint32Array(total);
  let at = 0;
  images.forEach((e, img) => {
    if (!e) return;
    for (let d = 0; d < e.scores.length; d++, at++) {
      score[at] = e.scores[d];
      rank[at] = d;
      source[at] = img;
    }
  });
  const order = Array.from({ length: total }, (_, i) => i).sort((a, b) => score[b] - score[a] || a - b);
  return maxDets.map((maxDet) => {
    const kept = order.filter((j) => rank[j] < maxDet);
    const nd = kept.length;
    const precision = new Float64Array(t0 * recallThresholds.length);
    const recall = new Float64Array(t0);
    const rc = new Float64Array(nd);
    const pr = new Float64Array(nd);
    for (let t = 0; t < t0; t++) {
      let tp = 0;
      let fp = 0;
      for (let i = 0; i < nd; i++) {
        const j = kept[i];
        const e = images[source[j]] as ImageEvaluation;
        const cell = t * e.scores.length + rank[j];
        if (!e.ignored[cell]) {
          if (e.matched[cell]) tp++;
          else fp++;
        }
        rc[i] = tp / counted;
        pr[i] = tp / (fp + tp + EPS);
      }
      recall[t] = nd > 0 ? rc[nd - 1] : 0;
      for (let i = nd - 1; i > 0; i--) if (pr[i] > pr[i - 1]) pr[i - 1] = pr[i];
      let i = 0;
      for (let r = 0; r < recallThresholds.length; r++) {
        while (i < nd && rc[i] < recallThresholds[r]) i++;
        if (i === nd) break;
        precision[t * recallThresholds.length + r] = pr[i];
      }
    }
    return { precision, recall };
  });
}
