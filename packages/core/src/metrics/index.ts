/**
 * Quality metrics: classification counts and rates, ranking (AUROC, AP), segmentation
 * (IoU, Dice), anomaly maps (pixel AUROC, PRO) and COCO detection AP, with streaming
 * accumulators for long-running tallies.
 */
export type { NumberArray } from './metric-input.ts';
export { PROBABILITY_SUM_TOLERANCE } from './metric-input.ts';
export type { BinaryCounts, ConfusionMatrix } from './confusion-matrix.ts';
export { binaryCounts, confusionMatrix, ConfusionMatrixAccumulator, totalCount } from './confusion-matrix.ts';
export type { Average, AveragedScores, PerClassScores, RateOptions, ScoreOptions, ZeroDivision } from './classification.ts';
export {
  averageScores,
  binaryCostWeightedError,
  costWeightedError,
  escapeRate,
  falseRejectRate,
  perClassScores,
} from './classification.ts';
export type { PrecisionRecallCurve, RankedScores, RocCurve } from './ranking.ts';
export {
  auprc,
  auprcFromRanked,
  auroc,
  aurocFromRanked,
  averagePrecision,
  averagePrecisionFromRanked,
  precisionRecallCurve,
  rankScores,
  rocCurve,
} from './ranking.ts';
export type { BinnedScoreOptions, BoundedEstimate } from './score-accumulator.ts';
export { BinaryScoreAccumulator, BinnedBinaryScoreAccumulator } from './score-accumulator.ts';
export type { EmptyClassPolicy, SegmentationCounts, SegmentationScores, SegmentationSummary } from './segmentation.ts';
export {
  scoresFromCounts,
  segmentationCounts,
  SegmentationIouAccumulator,
  segmentationScores,
} from './segmentation.ts';
export type { Components } from './connected-components.ts';
export { connectedComponents } from './connected-components.ts';
export type { PixelMap, ProCurve } from './anomaly-map.ts';
export { auPro, pixelAuroc, proCurve, trapezoidUpTo } from './anomaly-map.ts';
export type { AreaRange, Box as CocoBox, CocoDetection, CocoGroundTruth, CocoParams } from './detection/coco-types.ts';
export {
  COCO_AREA_RANGES,
  COCO_IOU_THRESHOLDS,
  COCO_MAX_DETS,
  COCO_RECALL_THRESHOLDS,
} from './detection/coco-types.ts';
export { boxIou } from './detection/box-iou.ts';
export type { CocoEvaluation, CocoOptions, CocoStats, SummaryQuery } from './detection/coco-eval.ts';
export { evaluateCoco, summarizeCoco } from './detection/coco-eval.ts';
