import { describe, expect, it } from 'vitest';
import { expectClose, metricsGoldens } from '../../test/goldens/metrics-goldens.ts';
import { SegmentationIouAccumulator, segmentationScores } from './segmentation.ts';

interface SegmentationCase {
  name: string;
  numClasses: number;
  target: number[];
  prediction: number[];
  iouOne: number[];
  diceOne: number[];
  iouExclude: (number | null)[];
  diceExclude: (number | null)[];
  meanIouExclude: number | null;
  meanDiceOne: number;
}

const cases = metricsGoldens().segmentation as SegmentationCase[];

describe('IoU and Dice against scikit-learn jaccard_score / f1_score', () => {
  it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const one = segmentationScores(c.target, c.prediction, c.numClasses, { empty: 'one' });
    expectClose(one.iou, c.iouOne, `${c.name} iou (empty = 1)`);
    expectClose(one.dice, c.diceOne, `${c.name} dice (empty = 1)`);
    expectClose(one.meanDice, c.meanDiceOne, `${c.name} mean dice (empty = 1)`);
    const excluded = segmentationScores(c.target, c.prediction, c.numClasses);
    expectClose(excluded.iou, c.iouExclude, `${c.name} iou (empty excluded)`);
    expectClose(excluded.dice, c.diceExclude, `${c.name} dice (empty excluded)`);
    expectClose(excluded.meanIou, c.meanIouExclude, `${c.name} mean iou (empty excluded)`);
  });
});

describe('empty-mask conventions', () => {
  const empty = new Uint8Array(16);
  const defect = Uint8Array.from({ length: 16 }, (_, i) => (i < 4 ? 1 : 0));

  it('scores a defect class absent from target and prediction as NaN (excluded) or 1', () => {
    expect(segmentationScores(empty, empty, 2).iou[1]).toBeNaN();
    expect(segmentationScores(empty, empty, 2).meanIou).toBe(1);
    expect(segmentationScores(empty, empty, 2, { empty: 'one' }).iou[1]).toBe(1);
  });

  it('scores a missed or hallucinated defect as 0', () => {
    expect(segmentationScores(defect, empty, 2).iou[1]).toBe(0);
    expect(segmentationScores(empty, defect, 2).dice[1]).toBe(0);
  });
});

describe('SegmentationIouAccumulator', () => {
  it('sums pixel counts over images (dataset IoU) and averages per-image IoU', () => {
    const acc = new SegmentationIouAccumulator(2);
    // Image 1: defect of 4 pixels, predicted 2 of them. Image 2: no defect, none predicted.
    acc.add([1, 1, 1, 1, 0, 0], [1, 1, 0, 0, 0, 0]);
    acc.add([0, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0]);
    const s = acc.summary();
    expect(s.images).toBe(2);
    expect(s.iou[1]).toBe(2 / 4);
    expect(s.iou[0]).toBe(8 / 10);
    // Image 1 mean IoU (2/4 + 2/4) / 2; image 2 has only class 0 (IoU 1), the defect class is excluded.
    expect(s.meanImageIou).toBe((0.5 + 1) / 2);
  });

  it('refuses to summarise nothing and rejects labels out of range', () => {
    expect(() => new SegmentationIouAccumulator(2).summary()).toThrow(/empty/);
    expect(() => new SegmentationIouAccumulator(2).add([0, 3], [0, 1])).toThrow(/class index/);
  });
});
