/**
 * Greedy matching of one image and one category, step for step as pycocotools'
 * `COCOeval.evaluateImg`. The order of every loop and tie-break matters: pycocotools' AP is
 * defined by this procedure, not by an optimal assignment.
 */
import { boxIouMatrix } from './box-iou.ts';
import type { AreaRange, CocoDetection, CocoGroundTruth } from './coco-types.ts';

/** Matching result of one image, one category, one area range. */
export interface ImageEvaluation {
  /** [T*D] 1 when detection d matched a ground truth at threshold t. */
  matched: Uint8Array;
  /** [T*D] 1 when detection d is ignored at threshold t (matched a crowd/out-of-range truth, or unmatched and out of range). */
  ignored: Uint8Array;
  /** Ground truths that count (not crowd, area in range). */
  countedGroundTruths: number;
}

/** Ground truths and detections of one image and category, prepared once for all area ranges. */
export interface ImageCategoryPair {
  /** [D] scores of the kept detections, descending (stable), at most the largest maxDets. */
  scores: Float64Array;
  /** [D] box areas of the kept detections. */
  detArea: Float64Array;
  /** [G] ground-truth areas (the `area` field, else the box area). */
  gtArea: Float64Array;
  /** [G] 1 for crowd regions. */
  gtCrowd: Uint8Array;
  /** [D*G] IoU of the sorted detections against the ground truths in their input order. */
  ious: Float64Array;
}

/**
 * Sorts detections by descending score (stable, as numpy's mergesort), keeps the first
 * `maxDet`, and computes their IoU with every ground truth (as `COCOeval.computeIoU`).
 */
export function prepareImageCategory(
  gts: readonly CocoGroundTruth[],
  dets: readonly CocoDetection[],
  maxDet: number,
): ImageCategoryPair {
  const sorted = dets
    .map((d, i) => ({ d, i }))
    .sort((a, b) => b.d.score - a.d.score || a.i - b.i)
    .slice(0, maxDet)
    .map((x) => x.d);
  const gtCrowd = Uint8Array.from(gts, (g) => (g.iscrowd ? 1 : 0));
  return {
    scores: Float64Array.from(sorted, (d) => d.score),
    detArea: Float64Array.from(sorted, (d) => d.bbox[2] * d.bbox[3]),
    gtArea: Float64Array.from(gts, (g) => g.area ?? g.bbox[2] * g.bbox[3]),
    gtCrowd,
    ious: boxIouMatrix(
      sorted.map((d) => d.bbox),
      gts.map((g) => g.bbox),
      Array.from(gtCrowd, (c) => c === 1),
    ),
  };
}

/**
 * Matches detections to ground truths at every IoU threshold for one area range.
 * Ground truths are reordered so that ignored ones (crowd or out of range) come last
 * (stable); each detection, best score first, takes the ground truth of highest IoU
 * (>= threshold, later ones winning ties) that is not already taken unless it is a crowd,
 * and stops scanning at the first ignored one once it holds a counted one.
 */
export function evaluateImage(pair: ImageCategoryPair, range: AreaRange, iouThresholds: readonly number[]): ImageEvaluation {
  const { gtArea, gtCrowd, ious } = pair;
  const g0 = gtArea.length;
  const d0 = pair.scores.length;
  const t0 = iouThresholds.length;
  const order = new Int32Array(g0);
  const gtIgnore = new Uint8Array(g0);
  const crowd = new Uint8Array(g0);
  let at = 0;
  let countedGroundTruths = 0;
  for (let pass = 0; pass < 2; pass++) {
    for (let g = 0; g < g0; g++) {
      const ignore = gtCrowd[g] === 1 || gtArea[g] < range.min || gtArea[g] > range.max;
      if (ignore !== (pass === 1)) continue;
      order[at] = g;
      gtIgnore[at] = ignore ? 1 : 0;
      crowd[at] = gtCrowd[g];
      at++;
      if (!ignore) countedGroundTruths++;
    }
  }
  const matched = new Uint8Array(t0 * d0);
  const ignored = new Uint8Array(t0 * d0);
  const gtTaken = new Uint8Array(g0);
  for (let t = 0; t < t0; t++) {
    gtTaken.fill(0);
    for (let d = 0; d < d0; d++) {
      let best = Math.min(iouThresholds[t], 1 - 1e-10);
      let m = -1;
      for (let j = 0; j < g0; j++) {
        if (gtTaken[j] && !crowd[j]) continue;
        if (m > -1 && !gtIgnore[m] && gtIgnore[j]) break;
        const iou = ious[d * g0 + order[j]];
        if (iou < best) continue;
        best = iou;
        m = j;
      }
      if (m === -1) continue;
      ignored[t * d0 + d] = gtIgnore[m];
      matched[t * d0 + d] = 1;
      gtTaken[m] = 1;
    }
  }
  for (let d = 0; d < d0; d++) {
    const area = pair.detArea[d];
    if (area >= range.min && area <= range.max) continue;
    for (let t = 0; t < t0; t++) if (!matched[t * d0 + d]) ignored[t * d0 + d] = 1;
  }
  return { matched, ignored, countedGroundTruths };
}
