/**
 * Evaluation of a classifier or segmenter on in-memory samples: accuracy, per-class
 * precision/recall/F1 and the confusion matrix; IoU and Dice per class for segmenters.
 */
import { XqcError } from '../errors.ts';
import { averageScores, perClassScores } from '../metrics/classification.ts';
import { ConfusionMatrixAccumulator } from '../metrics/confusion-matrix.ts';
import { SegmentationIouAccumulator } from '../metrics/segmentation.ts';
import type { Tensor } from '../onnx/tensor.ts';
import type { OnnxSession } from '../runtime/session.ts';
import { makeBatch } from './batch.ts';
import type { Normalisation, TrainSample } from './batch.ts';

/** Classification figures. */
export interface ClassificationReport {
  accuracy: number;
  macroF1: number;
  perClass: { label: string; precision: number; recall: number; f1: number; support: number }[];
  /** confusion[true][pred] */
  confusion: number[][];
  count: number;
}

/** Segmentation figures. IoU/Dice are dataset-level (pixel counts summed over images). */
export interface SegmentationReport {
  perClass: { label: string; iou: number; dice: number }[];
  meanIou: number;
  meanDice: number;
  /** Mean Dice over the defect classes 1..K-1 (the figure the demo models are judged by). */
  defectDice: number;
  /** Dice of all defect pixels taken together (any defect class vs background). */
  defectPixelDice: number;
  pixelAccuracy: number;
  count: number;
}

/** Runs `session` over `samples` in batches and returns raw logits per batch. */
async function* logitsOf(session: OnnxSession, samples: readonly TrainSample[], task: 'classify' | 'segment', numClasses: number, norm: Normalisation, batchSize: number): AsyncGenerator<{ logits: Tensor; batch: ReturnType<typeof makeBatch> }> {
  for (let s = 0; s < samples.length; s += batchSize) {
    const idx = Array.from({ length: Math.min(batchSize, samples.length - s) }, (_, i) => s + i);
    const batch = makeBatch(samples, idx, { task, numClasses, norm, seed: 0, epoch: 0 });
    const out = await session.run({ input: batch.images }, ['logits']);
    yield { logits: out.logits, batch };
  }
}

/** Classification report of `session` (input `input`, output `logits` [N, K]). */
export async function evaluateClassifier(session: OnnxSession, samples: readonly TrainSample[], labels: string[], norm: Normalisation, batchSize = 32): Promise<ClassificationReport> {
  const k = labels.length;
  const acc = new ConfusionMatrixAccumulator(k);
  for await (const { logits, batch } of logitsOf(session, samples, 'classify', k, norm, batchSize)) {
    const d = logits.data as Float32Array;
    const pred = batch.labels.map((_, i) => {
      let best = 0;
      for (let j = 1; j < k; j++) if (d[i * k + j] > d[i * k + best]) best = j;
      return best;
    });
    acc.add(batch.labels, pred);
  }
  const cm = acc.matrix();
  const pc = perClassScores(cm);
  const confusion = Array.from({ length: k }, (_, i) => Array.from(cm.counts.subarray(i * k, (i + 1) * k)));
  const correct = confusion.reduce((s, row, i) => s + row[i], 0);
  return {
    accuracy: correct / samples.length,
    macroF1: averageScores(cm, 'macro').fscore,
    perClass: labels.map((label, i) => ({ label, precision: pc.precision[i], recall: pc.recall[i], f1: pc.fscore[i], support: pc.support[i] })),
    confusion,
    count: samples.length,
  };
}

/** Segmentation report of `session` (output `logits` [N, K, H, W]). */
export async function evaluateSegmenter(session: OnnxSession, samples: readonly TrainSample[], labels: string[], norm: Normalisation, batchSize = 16): Promise<SegmentationReport> {
  const k = labels.length;
  const acc = new SegmentationIouAccumulator(k);
  const binary = new SegmentationIouAccumulator(2);
  let correct = 0;
  let total = 0;
  for await (const { logits, batch } of logitsOf(session, samples, 'segment', k, norm, batchSize)) {
    const [n, , h, w] = logits.dims;
    const plane = h * w;
    const d = logits.data as Float32Array;
    for (let b = 0; b < n; b++) {
      const pred = new Uint8Array(plane);
      for (let p = 0; p < plane; p++) {
        let best = 0;
        for (let c = 1; c < k; c++) if (d[(b * k + c) * plane + p] > d[(b * k + best) * plane + p]) best = c;
        pred[p] = best;
      }
      const truth = batch.masks?.[b] as Uint8Array;
      acc.add(truth, pred);
      binary.add(truth.map((v) => (v > 0 ? 1 : 0)), pred.map((v) => (v > 0 ? 1 : 0)));
      for (let p = 0; p < plane; p++) if (pred[p] === truth[p]) correct++;
      total += plane;
    }
  }
  const s = acc.summary();
  const defect = Array.from(s.dice).slice(1).filter((v) => Number.isFinite(v));
  return {
    perClass: labels.map((label, i) => ({ label, iou: s.iou[i], dice: s.dice[i] })),
    meanIou: s.meanIou,
    meanDice: s.meanDice,
    defectDice: defect.length ? defect.reduce((a, v) => a + v, 0) / defect.length : NaN,
    defectPixelDice: binary.summary().dice[1],
    pixelAccuracy: correct / total,
    count: samples.length,
  };
}

/** All classifier logits of `samples` (row-major [N*K]) with their labels, in sample order. */
export async function collectLogits(session: OnnxSession, samples: readonly TrainSample[], numClasses: number, norm: Normalisation, batchSize = 32): Promise<{ logits: Float64Array; labels: Int32Array }> {
  const logits = new Float64Array(samples.length * numClasses);
  const labels = new Int32Array(samples.length);
  let at = 0;
  for await (const { logits: l, batch } of logitsOf(session, samples, 'classify', numClasses, norm, batchSize)) {
    if (l.dims[1] !== numClasses) throw new XqcError('XQC_SHAPE_MISMATCH', `model gives ${l.dims[1]} logits, the card has ${numClasses} labels`);
    logits.set(Float64Array.from(l.data as Float32Array), at * numClasses);
    labels.set(batch.labels, at);
    at += batch.labels.length;
  }
  return { logits, labels };
}
