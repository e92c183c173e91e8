/**
 * Inputs, parameters and defaults of the COCO box evaluation, mirroring pycocotools'
 * `Params` for `iouType='bbox'`.
 */
import { linspace } from '../linspace.ts';

/** A box as COCO writes it: top-left corner, width, height (pixels). */
export type Box = readonly [x: number, y: number, width: number, height: number];

/** One ground-truth object. */
export interface CocoGroundTruth {
  imageId: number;
  categoryId: number;
  bbox: Box;
  /**
   * Object area used for the small/medium/large ranges. COCO stores the segmentation area
   * here; default `width * height`.
   */
  area?: number;
  /** A crowd region: never counts as a miss, and any number of detections may match it. */
  iscrowd?: boolean | 0 | 1;
}

/** One detection. Its area is `width * height`, as pycocotools' `loadRes` sets it. */
export interface CocoDetection {
  imageId: number;
  categoryId: number;
  bbox: Box;
  score: number;
}

/** A named object-area range, bounds inclusive. */
export interface AreaRange {
  label: string;
  min: number;
  max: number;
}

/** Evaluation parameters. */
export interface CocoParams {
  /** [T] IoU thresholds. */
  iouThresholds: readonly number[];
  /** [R] recall levels of the interpolated precision. */
  recallThresholds: readonly number[];
  /** [M] ascending detection limits per image. */
  maxDets: readonly number[];
  /** [A] area ranges. */
  areaRanges: readonly AreaRange[];
  /** [I] images evaluated, ascending. */
  imageIds: readonly number[];
  /** [K] categories evaluated, ascending. */
  categoryIds: readonly number[];
}

/** 0.50:0.05:0.95, as `np.linspace(.5, 0.95, 10)`. */
export const COCO_IOU_THRESHOLDS: readonly number[] = Object.freeze(linspace(0.5, 0.95, 10));
/** 0:0.01:1, as `np.linspace(.0, 1.00, 101)`. */
export const COCO_RECALL_THRESHOLDS: readonly number[] = Object.freeze(linspace(0, 1, 101));
/** Detections kept per image. */
export const COCO_MAX_DETS: readonly number[] = Object.freeze([1, 10, 100]);
/** all, small (< 32^2), medium (32^2..96^2), large (> 96^2); bounds inclusive as in pycocotools. */
export const COCO_AREA_RANGES: readonly AreaRange[] = Object.freeze([
  { label: 'all', min: 0, max: 1e5 ** 2 },
  { label: 'small', min: 0, max: 32 ** 2 },
  { label: 'medium', min: 32 ** 2, max: 96 ** 2 },
  { label: 'large', min: 96 ** 2, max: 1e5 ** 2 },
]);
