/**
 * Box overlap as pycocotools' `maskUtils.iou` computes it for boxes (`bbIou` in maskApi.c).
 */
import type { Box } from './coco-types.ts';

/**
 * IoU of a detection and a ground-truth box: `|D n G| / |D u G|`, or `|D n G| / |D|` when
 * the ground truth is a crowd region, so a detection on part of a crowd still matches it.
 */
export function boxIou(det: Box, gt: Box, crowd: boolean): number {
  const w = Math.min(det[2] + det[0], gt[2] + gt[0]) - Math.max(det[0], gt[0]);
  if (w <= 0) return 0;
  const h = Math.min(det[3] + det[1], gt[3] + gt[1]) - Math.max(det[1], gt[1]);
  if (h <= 0) return 0;
  const inter = w * h;
  const detArea = det[2] * det[3];
  return inter / (crowd ? detArea : detArea + gt[2] * gt[3] - inter);
}

/**
 * IoU matrix of detections against ground truths.
 * @returns [D*G] float64, row-major by detection
 */
export function boxIouMatrix(dets: readonly Box[], gts: readonly Box[], crowd: readonly boolean[]): Float64Array {
  const out = new Float64Array(dets.length * gts.length);
  for (let d = 0; d < dets.length; d++) {
    for (let g = 0; g < gts.length; g++) out[d * gts.length + g] = boxIou(dets[d], gts[g], crowd[g]);
  }
  return out;
}
