/**
 * COCO box evaluation (AP/AR at IoU 0.50:0.95, 101-point interpolation, maxDets 1/10/100,
 * all/small/medium/large), reproducing pycocotools' `COCOeval` with `iouType='bbox'`:
 * `evaluate` -> `accumulate` -> `summarize`. Two deliberate differences: ids never serve as
 * match flags (pycocotools treats a ground truth with id 0 as unmatched), and nothing is
 * printed.
 */
import { metricInputError } from '../metric-input.ts';
import { accumulateCategory, poolDetections } from './coco-accumulate.ts';
import { evaluateImage, prepareImageCategory, type ImageEvaluation } from './coco-evaluate-image.ts';
import {
  COCO_AREA_RANGES,
  COCO_IOU_THRESHOLDS,
  COCO_MAX_DETS,
  COCO_RECALL_THRESHOLDS,
  type AreaRange,
  type Box,
  type CocoDetection,
  type CocoGroundTruth,
  type CocoParams,
} from './coco-types.ts';

/** The twelve figures pycocotools' `summarize()` prints, -1 where undefined. */
export interface CocoStats {
  ap: number;
  ap50: number;
  ap75: number;
  apSmall: number;
  apMedium: number;
  apLarge: number;
  ar1: number;
  ar10: number;
  ar100: number;
  arSmall: number;
  arMedium: number;
  arLarge: number;
}

/** Full result of {@link evaluateCoco}. */
export interface CocoEvaluation {
  params: CocoParams;
  /** [T,R,K,A,M] row-major interpolated precision, -1 where the category has no counted ground truth. */
  precision: Float64Array;
  /** [T,K,A,M] row-major maximum recall, -1 likewise. */
  recall: Float64Array;
  stats: CocoStats;
  /** AP (IoU 0.50:0.95, all areas, largest maxDets) of each category, -1 without ground truth. */
  perCategoryAp: { categoryId: number; ap: number }[];
}

/** Options of {@link evaluateCoco}; every field defaults to the COCO protocol. */
export interface CocoOptions {
  /** Images evaluated. Default: every image id seen in ground truths or detections. */
  imageIds?: readonly number[];
  /** Categories evaluated. Default: every category id seen in ground truths or detections. */
  categoryIds?: readonly number[];
  iouThresholds?: readonly number[];
  recallThresholds?: readonly number[];
  maxDets?: readonly number[];
  areaRanges?: readonly AreaRange[];
}

function checkBox(what: string, i: number, b: Box): void {
  if (b.length !== 4 || !b.every(Number.isFinite) || b[2] < 0 || b[3] < 0) {
    throw metricInputError(`${what}[${i}].bbox = [${b.join(', ')}] is not a finite [x, y, w, h] box with w, h >= 0`);
  }
}

function uniqueSorted(values: Iterable<number>): number[] {
  return [...new Set(values)].sort((a, b) => a - b);
}

/**
 * Evaluates detections against ground truths the COCO way.
 * @param gts ground-truth boxes of all images
 * @param dets detections of all images, each with a score
 */
export function evaluateCoco(
  gts: readonly CocoGroundTruth[],
  dets: readonly CocoDetection[],
  options: CocoOptions = {},
): CocoEvaluation {
  gts.forEach((g, i) => checkBox('gts', i, g.bbox));
  dets.forEach((d, i) => {
    checkBox('dets', i, d.bbox);
    if (!Number.isFinite(d.score)) throw metricInputError(`dets[${i}].score is ${d.score}; only finite numbers are accepted`);
  });
  const params: CocoParams = {
    iouThresholds: options.iouThresholds ?? COCO_IOU_THRESHOLDS,
    recallThresholds: options.recallThresholds ?? COCO_RECALL_THRESHOLDS,
    maxDets: [...(options.maxDets ?? COCO_MAX_DETS)].sort((a, b) => a - b),
    areaRanges: options.areaRanges ?? COCO_AREA_RANGES,
    imageIds: uniqueSorted(options.imageIds ?? [...gts.map((g) => g.imageId), ...dets.map((d) => d.imageId)]),
    categoryIds: uniqueSorted(options.categoryIds ?? [...gts.map((g) => g.categoryId), ...dets.map((d) => d.categoryId)]),
  };
  if (params.imageIds.length === 0) throw metricInputError('no image to evaluate: ground truths and detections are empty');
  if (params.maxDets.length === 0) throw metricInputError('maxDets must list at least one detection limit');
  const { iouThresholds, recallThresholds, maxDets, areaRanges, imageIds, categoryIds } = params;
  const [t0, r0, k0, a0, m0] = [
    iouThresholds.length,
    recallThresholds.length,
    categoryIds.length,
    areaRanges.length,
    maxDets.length,
  ];
  const imageIndex = new Map(imageIds.map((id, i) => [id, i]));
  const categoryIndex = new Map(categoryIds.map((id, k) => [id, k]));
  const gtCells = new Map<number, CocoGroundTruth[]>();
  const dtCells = new Map<number, CocoDetection[]>();
  const cellOf = (imageId: number, categoryId: number): number | undefined => {
    const i = imageIndex.get(imageId);
    const k = categoryIndex.get(categoryId);
    return i === undefined || k === undefined ? undefined : k * imageIds.length + i;
  };
  for (const g of gts) pushInto(gtCells, cellOf(g.imageId, g.categoryId), g);
  for (const d of dets) pushInto(dtCells, cellOf(d.imageId, d.categoryId), d);

  const precision = new Float64Array(t0 * r0 * k0 * a0 * m0).fill(-1);
  const recall = new Float64Array(t0 * k0 * a0 * m0).fill(-1);
  const maxDetLast = maxDets[m0 - 1];
  for (let k = 0; k < k0; k++) {
    const pairs = imageIds.map((_, i) => {
      const cell = k * imageIds.length + i;
      const g = gtCells.get(cell) ?? [];
      const d = dtCells.get(cell) ?? [];
      return g.length === 0 && d.length === 0 ? null : prepareImageCategory(g, d, maxDetLast);
    });
    const pooled = poolDetections(pairs);
    for (let a = 0; a < a0; a++) {
      const images: (ImageEvaluation | null)[] = pairs.map((p) => (p ? evaluateImage(p, areaRanges[a], iouThresholds) : null));
      const curves = accumulateCategory(images, pooled, iouThresholds, recallThresholds, maxDets);
      curves.forEach((c, m) => {
        if (!c.precision || !c.recall) return;
        for (let t = 0; t < t0; t++) {
          recall[((t * k0 + k) * a0 + a) * m0 + m] = c.recall[t];
          for (let r = 0; r < r0; r++) precision[(((t * r0 + r) * k0 + k) * a0 + a) * m0 + m] = c.precision[t * r0 + r];
        }
      });
    }
  }
  const evaluation = { params, precision, recall };
  const largest = maxDets[m0 - 1];
  const all = areaRanges[0]?.label ?? 'all';
  return {
    ...evaluation,
    stats: {
      ap: summarizeCoco(evaluation, { kind: 'ap', maxDets: largest, area: all }),
      ap50: summarizeCoco(evaluation, { kind: 'ap', iouThreshold: 0.5, maxDets: largest, area: all }),
      ap75: summarizeCoco(evaluation, { kind: 'ap', iouThreshold: 0.75, maxDets: largest, area: all }),
      apSmall: summarizeCoco(evaluation, { kind: 'ap', area: 'small', maxDets: largest }),
      apMedium: summarizeCoco(evaluation, { kind: 'ap', area: 'medium', maxDets: largest }),
      apLarge: summarizeCoco(evaluation, { kind: 'ap', area: 'large', maxDets: largest }),
      ar1: summarizeCoco(evaluation, { kind: 'ar', maxDets: maxDets[0], area: all }),
      ar10: summarizeCoco(evaluation, { kind: 'ar', maxDets: maxDets[Math.min(1, m0 - 1)], area: all }),
      ar100: summarizeCoco(evaluation, { kind: 'ar', maxDets: largest, area: all }),
      arSmall: summarizeCoco(evaluation, { kind: 'ar', area: 'small', maxDets: largest }),
      arMedium: summarizeCoco(evaluation, { kind: 'ar', area: 'medium', maxDets: largest }),
      arLarge: summarizeCoco(evaluation, { kind: 'ar', area: 'large', maxDets: largest }),
    },
    perCategoryAp: categoryIds.map((categoryId) => ({
      categoryId,
      ap: summarizeCoco(evaluation, { kind: 'ap', maxDets: largest, area: all, categoryId }),
    })),
  };
}

function pushInto<T>(cells: Map<number, T[]>, cell: number | undefined, item: T): void {
  if (cell === undefined) return;
  const list = cells.get(cell);
  if (list) list.push(item);
  else cells.set(cell, [item]);
}

/** Which slice of the tables {@link summarizeCoco} averages. */
export interface SummaryQuery {
  kind: 'ap' | 'ar';
  /** One IoU threshold (must equal one of the parameters bit for bit); default all. */
  iouThreshold?: number;
  /** Area range label. */
  area: string;
  /** Detection limit. */
  maxDets: number;
  /** One category; default all. */
  categoryId?: number;
}

/**
 * Mean of the precision (AP) or recall (AR) cells selected by the query, over cells that
 * are not -1, as pycocotools' `_summarize`; -1 when every selected cell is -1 or the query
 * matches no threshold, area or limit.
 */
export function summarizeCoco(
  evaluation: Pick<CocoEvaluation, 'params' | 'precision' | 'recall'>,
  query: SummaryQuery,
): number {
  const p = evaluation.params;
  const [r0, k0, a0, m0] = [p.recallThresholds.length, p.categoryIds.length, p.areaRanges.length, p.maxDets.length];
  const a = p.areaRanges.findIndex((x) => x.label === query.area);
  const m = p.maxDets.indexOf(query.maxDets);
  const ts = query.iouThreshold === undefined ? [...p.iouThresholds.keys()] : [p.iouThresholds.indexOf(query.iouThreshold)];
  const ks = query.categoryId === undefined ? [...p.categoryIds.keys()] : [p.categoryIds.indexOf(query.categoryId)];
  if (a < 0 || m < 0 || ts[0] < 0 || ks[0] < 0) return -1;
  let sum = 0;
  let n = 0;
  for (const t of ts) {
    for (const k of ks) {
      if (query.kind === 'ar') {
        const v = evaluation.recall[((t * k0 + k) * a0 + a) * m0 + m];
        if (v > -1) {
          sum += v;
          n++;
        }
        continue;
      }
      for (let r = 0; r < r0; r++) {
        const v = evaluation.precision[(((t * r0 + r) * k0 + k) * a0 + a) * m0 + m];
        if (v > -1) {
          sum += v;
          n++;
        }
      }
    }
  }
  return n === 0 ? -1 : sum / n;
}
