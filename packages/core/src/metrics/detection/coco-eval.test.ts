/**
 * COCO box AP, checked on cases small enough to compute by hand from the pycocotools
 * procedure (pycocotools itself is not installed here). Conventions exercised:
 * - precision at recall level r is the best precision at any recall >= r (monotone
 *   envelope), read at 101 levels; levels beyond the final recall read 0;
 * - the precision denominator carries pycocotools' `+ np.spacing(1)`, hence toBeCloseTo;
 * - a category without counted ground truth is -1 and drops out of every mean;
 * - crowd regions and ground truths outside the area range are "ignored": a detection
 *   matched to one is neither TP nor FP, and an unmatched detection outside the area range
 *   is ignored as well.
 */
import { describe, expect, it } from 'vitest';
import { metricsGoldens } from '../../../test/goldens/metrics-goldens.ts';
import { boxIou } from './box-iou.ts';
import { evaluateCoco, summarizeCoco } from './coco-eval.ts';
import { COCO_IOU_THRESHOLDS, COCO_RECALL_THRESHOLDS, type Box, type CocoDetection, type CocoGroundTruth } from './coco-types.ts';

const gt = (imageId: number, categoryId: number, bbox: Box, extra: Partial<CocoGroundTruth> = {}): CocoGroundTruth => ({
  imageId,
  categoryId,
  bbox,
  ...extra,
});
const det = (imageId: number, categoryId: number, bbox: Box, score: number): CocoDetection => ({
  imageId,
  categoryId,
  bbox,
  score,
});

describe('COCO parameters', () => {
  it('uses the IoU and recall thresholds of numpy.linspace bit for bit', () => {
    const want = metricsGoldens().cocoThresholds as { iou: number[]; recall: number[] };
    expect([...COCO_IOU_THRESHOLDS]).toEqual(want.iou);
    expect([...COCO_RECALL_THRESHOLDS]).toEqual(want.recall);
  });
});

describe('evaluateCoco', () => {
  it('gives 1 everywhere for a perfect detector', () => {
    const gts = [
      gt(1, 1, [5, 5, 10, 10]),
      gt(2, 1, [20, 20, 50, 50]),
      gt(2, 2, [0, 0, 200, 200]),
      gt(3, 2, [40, 40, 20, 20]),
    ];
    const dets = gts.map((g, i) => det(g.imageId, g.categoryId, g.bbox, 0.5 + i / 10));
    const { stats } = evaluateCoco(gts, dets);
    expect(Object.keys(stats)).toHaveLength(12);
    // Precision is 1 / (1 + eps) with pycocotools' spacing term: 1 to 15 digits.
    for (const [name, value] of Object.entries(stats)) expect(value, name).toBeCloseTo(1, 15);
  });

  it('halves AP when a false positive outranks the only true positive', () => {
    const gts = [gt(1, 1, [10, 10, 50, 50])];
    const fpFirst = evaluateCoco(gts, [det(1, 1, [200, 200, 50, 50], 0.9), det(1, 1, [10, 10, 50, 50], 0.8)]);
    // At the TP: precision 1 / (2 + eps), and the envelope carries it back to recall 0.
    expect(fpFirst.stats.ap).toBeCloseTo(0.5, 12);
    expect(fpFirst.stats.ap50).toBeCloseTo(0.5, 12);
    expect(fpFirst.stats.apMedium).toBeCloseTo(0.5, 12);
    expect(fpFirst.stats.apSmall).toBe(-1);
    expect(fpFirst.stats.apLarge).toBe(-1);
    expect(fpFirst.stats.ar100).toBe(1);
    // With one detection per image only the FP is kept.
    expect(fpFirst.stats.ar1).toBe(0);
    // The same FP ranked after the TP costs nothing: recall is already complete.
    const tpFirst = evaluateCoco(gts, [det(1, 1, [200, 200, 50, 50], 0.7), det(1, 1, [10, 10, 50, 50], 0.8)]);
    expect(tpFirst.stats.ap).toBeCloseTo(1, 12);
  });

  it('ignores detections on crowd regions, matched by intersection over detection area', () => {
    const crowd = gt(1, 1, [200, 0, 300, 300], { iscrowd: 1 });
    const gts = [gt(1, 1, [0, 0, 100, 100]), crowd];
    const dets = [det(1, 1, [210, 10, 50, 50], 0.95), det(1, 1, [0, 0, 100, 100], 0.9), det(1, 1, [300, 100, 50, 50], 0.85)];
    expect(boxIou(dets[0].bbox, crowd.bbox, true)).toBe(1);
    const withCrowd = evaluateCoco(gts, dets);
    expect(withCrowd.stats.ap).toBeCloseTo(1, 12);
    expect(withCrowd.stats.ar100).toBe(1);
    // Were the region an ordinary object, the top detection would be a FP and the region a miss.
    const asObject = evaluateCoco([gts[0], { ...crowd, iscrowd: 0 }], dets);
    expect(asObject.stats.ap).toBeCloseTo(25.5 / 101, 12);
    expect(asObject.stats.ar100).toBe(0.5);
  });

  it('evaluates each area range with out-of-range objects ignored', () => {
    const gts = [gt(1, 1, [0, 0, 10, 10]), gt(1, 1, [100, 100, 200, 200])];
    const dets = [det(1, 1, [500, 500, 10, 10], 0.99), det(1, 1, [0, 0, 10, 10], 0.9), det(1, 1, [100, 100, 200, 200], 0.8)];
    const { stats } = evaluateCoco(gts, dets);
    // all: FP, TP, TP -> precision 2/3 at full recall, carried back by the envelope.
    expect(stats.ap).toBeCloseTo(2 / 3, 12);
    // small: the large object is ignored and so is the detection matched to it.
    expect(stats.apSmall).toBeCloseTo(0.5, 12);
    // large: the small object and both small detections (matched or not) are ignored.
    expect(stats.apLarge).toBeCloseTo(1, 12);
    expect(stats.apMedium).toBe(-1);
    expect(stats.arMedium).toBe(-1);
  });

  it('uses a ground-truth area field over the box area for the ranges', () => {
    // Box 40x40 = 1600 (medium) but the segmentation area says small.
    const { stats } = evaluateCoco([gt(1, 1, [0, 0, 40, 40], { area: 500 })], [det(1, 1, [0, 0, 40, 40], 0.9)]);
    expect(stats.apSmall).toBeCloseTo(1, 12);
    expect(stats.apMedium).toBe(-1);
  });

  it('gives AP 0 with ground truth but no detection, and -1 without ground truth', () => {
    const gts = [gt(1, 1, [0, 0, 20, 20])];
    const dets = [det(1, 2, [0, 0, 20, 20], 0.9)];
    const r = evaluateCoco(gts, dets, { categoryIds: [1, 2, 3] });
    expect(r.perCategoryAp).toEqual([
      { categoryId: 1, ap: 0 },
      { categoryId: 2, ap: -1 },
      { categoryId: 3, ap: -1 },
    ]);
    expect(r.stats.ap).toBe(0);
    expect(r.stats.ar100).toBe(0);
    const noTruth = evaluateCoco([], dets);
    expect(noTruth.stats.ap).toBe(-1);
    expect(noTruth.stats.ar100).toBe(-1);
  });

  it('counts an IoU exactly on a threshold as a match', () => {
    // IoU = 100 / 200 = 0.5: a match at 0.50 only.
    const r = evaluateCoco([gt(1, 1, [0, 0, 10, 20])], [det(1, 1, [0, 0, 10, 10], 0.9)]);
    expect(r.stats.ap50).toBeCloseTo(1, 12);
    expect(r.stats.ap75).toBe(0);
    expect(r.stats.ap).toBeCloseTo(0.1, 12);
  });

  it('matches greedily by score, equal IoUs going to the later ground truth', () => {
    const g1: Box = [0, 0, 10, 10];
    const g2: Box = [4, 0, 10, 10];
    const d1: Box = [2, 0, 10, 10];
    expect(boxIou(d1, g1, false)).toBe(boxIou(d1, g2, false));
    const r = evaluateCoco([gt(1, 1, g1), gt(1, 1, g2)], [det(1, 1, d1, 0.9), det(1, 1, g2, 0.8)]);
    // t <= 2/3: D1 takes G2 (the tie goes to the later one), D2 finds G2 taken and G1 too far:
    // TP then FP, recall 1/2, precision 1 up to recall 0.5 -> 51 of 101 levels.
    // t > 2/3: D1 matches nothing, D2 takes G2: FP then TP, precision 1/2 up to recall 0.5.
    expect(r.stats.ap50).toBeCloseTo(51 / 101, 12);
    expect(r.stats.ap).toBeCloseTo((4 * (51 / 101) + 6 * (25.5 / 101)) / 10, 12);
    expect(r.stats.ar100).toBeCloseTo(0.5, 12);
  });

  it('pools images in id order and ranks ties by that order', () => {
    // Two images, equal scores: the FP on image 1 is ranked before the TP on image 2.
    const gts = [gt(2, 1, [0, 0, 20, 20])];
    const dets = [det(2, 1, [0, 0, 20, 20], 0.5), det(1, 1, [0, 0, 20, 20], 0.5)];
    expect(evaluateCoco(gts, dets).stats.ap).toBeCloseTo(0.5, 12);
  });

  it('exposes precision and recall tables with pycocotools layout', () => {
    const r = evaluateCoco([gt(1, 1, [0, 0, 20, 20])], [det(1, 1, [0, 0, 20, 20], 0.9)]);
    expect(r.precision.length).toBe(10 * 101 * 1 * 4 * 3);
    expect(r.recall.length).toBe(10 * 1 * 4 * 3);
    expect(summarizeCoco(r, { kind: 'ap', iouThreshold: 0.55, area: 'all', maxDets: 100 })).toBeCloseTo(1, 12);
    expect(summarizeCoco(r, { kind: 'ap', iouThreshold: 0.52, area: 'all', maxDets: 100 })).toBe(-1);
  });

  it('rejects malformed boxes and scores', () => {
    expect(() => evaluateCoco([gt(1, 1, [0, 0, -1, 5])], [])).toThrow(/bbox/);
    expect(() => evaluateCoco([], [det(1, 1, [0, 0, 1, 1], Number.NaN)])).toThrow(/score/);
    expect(() => evaluateCoco([], [])).toThrow(/no image/);
  });
});
