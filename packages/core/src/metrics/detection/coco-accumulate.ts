/**
 * Precision/recall tables from per-image matches, as pycocotools' `COCOeval.accumulate`:
 * detections of all images are pooled per category (stable sort by descending score in
 * image order), precision is made monotone from the right, and read at the 101 recall
 * levels by `searchsorted(recall, level, side='left')`; levels beyond the reached recall
 * get precision 0. Cells stay -1 where a category has no counted ground truth.
 */
import { sortPairs } from '../sort-pairs.ts';
import type { ImageCategoryPair, ImageEvaluation } from './coco-evaluate-image.ts';

/** `np.spacing(1)`, the float64 epsilon pycocotools adds to the precision denominator. */
const EPS = 2.220446049250313e-16;

/** Every kept detection of one category, in pooled ranking order. */
export interface PooledDetections {
  /** [P] the detection's position within its image's score order, best pooled score first. */
  rank: Int32Array;
  /** [I] where each image's detections start in concatenation (image) order. */
  offset: Int32Array;
  /** [P] ranking position of each detection, indexed in concatenation order. */
  position: Int32Array;
}

/**
 * Pools the detections of one category over images (in image order) and sorts them by
 * descending score, equal scores keeping pooled order, as numpy's stable mergesort of
 * `-dtScores`. The order is shared by every area range and detection limit: restricting to
 * the first maxDet detections per image keeps the relative order.
 * @param pairs per image, null where the image has neither ground truth nor detection
 */
export function poolDetections(pairs: readonly (ImageCategoryPair | null)[]): PooledDetections {
  let total = 0;
  for (const p of pairs) if (p) total += p.scores.length;
  const negScore = new Float64Array(total);
  const pooled = new Uint32Array(total);
  const rankOf = new Int32Array(total);
  const offset = new Int32Array(pairs.length);
  let at = 0;
  pairs.forEach((p, img) => {
    offset[img] = at;
    if (!p) return;
    for (let d = 0; d < p.scores.length; d++, at++) {
      negScore[at] = -p.scores[d];
      pooled[at] = at;
      rankOf[at] = d;
    }
  });
  sortPairs(negScore, pooled);
  // sortPairs leaves ties in no particular order; restore pooled order inside each tie.
  for (let start = 0; start < total; ) {
    let end = start + 1;
    while (end < total && negScore[end] === negScore[start]) end++;
    if (end - start > 1) pooled.subarray(start, end).sort();
    start = end;
  }
  const position = new Int32Array(total);
  for (let i = 0; i < total; i++) position[pooled[i]] = i;
  return { rank: Int32Array.from(pooled, (j) => rankOf[j]), offset, position };
}

/** Precision [T,R] and recall [T] of one category, area range and maxDets. */
export interface CategoryCurves {
  /** [T*R], or null when there is no counted ground truth (pycocotools leaves -1). */
  precision: Float64Array | null;
  /** [T], or null as above. */
  recall: Float64Array | null;
}

/**
 * Interpolated precision at each recall level, for each detection limit, of one category
 * and area range.
 * @param images per-image results in ascending image-id order; null for images with neither ground truth nor detection
 * @param pooled the category's detections ranked by {@link poolDetections}
 * @param maxDets ascending detection limits
 * @returns one entry per maxDets value
 */
export function accumulateCategory(
  images: readonly (ImageEvaluation | null)[],
  pooled: PooledDetections,
  iouThresholds: readonly number[],
  recallThresholds: readonly number[],
  maxDets: readonly number[],
): CategoryCurves[] {
  const t0 = iouThresholds.length;
  const r0 = recallThresholds.length;
  let counted = 0;
  for (const e of images) if (e) counted += e.countedGroundTruths;
  if (counted === 0) return maxDets.map(() => ({ precision: null, recall: null }));
  const total = pooled.rank.length;
  // Gather the per-image flags into ranking order once, so the loops below read memory in
  // sequence instead of hopping between images.
  const matched = new Uint8Array(t0 * total);
  const ignored = new Uint8Array(t0 * total);
  images.forEach((e, img) => {
    if (!e) return;
    const d0 = e.matched.length / t0;
    const start = pooled.offset[img];
    for (let d = 0; d < d0; d++) {
      const at = pooled.position[start + d];
      for (let t = 0; t < t0; t++) {
        matched[t * total + at] = e.matched[t * d0 + d];
        ignored[t * total + at] = e.ignored[t * d0 + d];
      }
    }
  });
  const rc = new Float64Array(total);
  const pr = new Float64Array(total);
  return maxDets.map((maxDet) => {
    const precision = new Float64Array(t0 * r0);
    const recall = new Float64Array(t0);
    for (let t = 0; t < t0; t++) {
      let tp = 0;
      let fp = 0;
      let nd = 0;
      for (let i = 0; i < total; i++) {
        if (pooled.rank[i] >= maxDet) continue;
        const cell = t * total + i;
        if (!ignored[cell]) {
          if (matched[cell]) tp++;
          else fp++;
        }
        rc[nd] = tp / counted;
        pr[nd] = tp / (fp + tp + EPS);
        nd++;
      }
      recall[t] = nd > 0 ? rc[nd - 1] : 0;
      for (let i = nd - 1; i > 0; i--) if (pr[i] > pr[i - 1]) pr[i - 1] = pr[i];
      let i = 0;
      for (let r = 0; r < r0; r++) {
        while (i < nd && rc[i] < recallThresholds[r]) i++;
        if (i === nd) break;
        precision[t * r0 + r] = pr[i];
      }
    }
    return { precision, recall };
  });
}
