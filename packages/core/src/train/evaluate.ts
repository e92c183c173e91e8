/**
 * Classification and segmentation figures: accuracy, per-class precision/recall/F1 and
 * the confusion matrix; IoU and Dice per class for segmenters. The scorers take logits
 * batch by batch, from the trainer's own samples (below) or from a model run on a dataset
 * folder through its card (`evaluate-folder.ts`).
 */
import { averageScores, perClassScores } from '../metrics/classification.ts';
import { ConfusionMatrixAccumulator } from '../metrics/confusion-matrix.ts';
import { SegmentationIouAccumulator } from '../metrics/segmentation.ts';
import type { Tensor } from '../onnx/tensor.ts';
import type { OnnxSession } from '../runtime/session.ts';
import { makeBatch } from './batch.ts';
import type { Normalisation, TrainSample } from './batch.ts';
import type { TrainableTask } from './tasks/index.ts';

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
async function* logitsOf(session: OnnxSession, samples: readonly TrainSample[], task: TrainableTask, numClasses: number, norm: Normalisation, batchSize: number): AsyncGenerator<{ logits: Tensor; batch: ReturnType<typeof makeBatch> }> {
  for (let s = 0; s < samples.length; s += batchSize) {
    const idx = Array.from({ length: Math.min(batchSize, samples.length - s) }, (_, i) => s + i);
    const batch = makeBatch(samples, idx, { task, numClasses, norm, seed: 0, epoch: 0 });
    const out = await session.run({ input: batch.images }, ['logits']);
    yield { logits: out.logits, batch };
  }
}

/** Accumulates classification figures over batches of true and predicted classes. */
export class ClassificationScorer {
  private readonly acc: ConfusionMatrixAccumulator;
  private count = 0;

  constructor(private readonly labels: readonly string[]) {
    this.acc = new ConfusionMatrixAccumulator(labels.length);
  }

  /** Adds true classes [n] and the argmax of logits [n*K] row-major. */
  addLogits(truth: ArrayLike<number>, logits: ArrayLike<number>): void {
    const k = this.labels.length;
    const pred = Array.from({ length: truth.length }, (_, i) => {
      let best = 0;
      for (let j = 1; j < k; j++) if (logits[i * k + j] > logits[i * k + best]) best = j;
      return best;
    });
    this.acc.add(Array.from(truth), pred);
    this.count += truth.length;
  }

  /** Accuracy, macro F1, per-class P/R/F1 and the confusion matrix of everything added. */
  report(): ClassificationReport {
    const k = this.labels.length;
    const cm = this.acc.matrix();
    const pc = perClassScores(cm);
    const confusion = Array.from({ length: k }, (_, i) => Array.from(cm.counts.subarray(i * k, (i + 1) * k)));
    const correct = confusion.reduce((s, row, i) => s + row[i], 0);
    return {
      accuracy: correct / this.count,
      macroF1: averageScores(cm, 'macro').fscore,
      perClass: this.labels.map((label, i) => ({ label, precision: pc.precision[i], recall: pc.recall[i], f1: pc.fscore[i], support: pc.support[i] })),
      confusion,
      count: this.count,
    };
  }
}

/** Accumulates dataset-level segmentation figures over images. */
export class SegmentationScorer {
  private readonly acc: SegmentationIouAccumulator;
  private readonly binary = new SegmentationIouAccumulator(2);
  private correct = 0;
  private total = 0;
  private count = 0;

  constructor(private readonly labels: readonly string[]) {
    this.acc = new SegmentationIouAccumulator(labels.length);
  }

  /**
   * Adds one image: the argmax over K of logits [K, h, w] (starting at `offset` of `data`)
   * against `truth` [h*w]; pixels whose truth is `ignore` (letterbox padding) are left out.
   */
  addLogits(truth: Uint8Array, data: ArrayLike<number>, offset: number, plane: number, ignore = -1): void {
    const k = this.labels.length;
    const t: number[] = [];
    const pred: number[] = [];
    for (let p = 0; p < plane; p++) {
      if (truth[p] === ignore) continue;
      let best = 0;
      for (let c = 1; c < k; c++) if (data[offset + c * plane + p] > data[offset + best * plane + p]) best = c;
      t.push(truth[p]);
      pred.push(best);
      if (best === truth[p]) this.correct++;
    }
    this.acc.add(t, pred);
    this.binary.add(t.map((v) => (v > 0 ? 1 : 0)), pred.map((v) => (v > 0 ? 1 : 0)));
    this.total += t.length;
    this.count++;
  }

  /** IoU and Dice per class (pixel counts summed over images), their means, defect Dice and pixel accuracy. */
  report(): SegmentationReport {
    const s = this.acc.summary();
    const defect = Array.from(s.dice).slice(1).filter((v) => Number.isFinite(v));
    return {
      perClass: this.labels.map((label, i) => ({ label, iou: s.iou[i], dice: s.dice[i] })),
      meanIou: s.meanIou,
      meanDice: s.meanDice,
      defectDice: defect.length ? defect.reduce((a, v) => a + v, 0) / defect.length : NaN,
      defectPixelDice: this.binary.summary().dice[1],
      pixelAccuracy: this.correct / this.total,
      count: this.count,
    };
  }
}

/**
 * Classification report of `session` (input `input`, output `logits` [N, K]) on training
 * samples, which the training pipeline has already sized and coloured as the model trains.
 */
export async function evaluateClassifier(session: OnnxSession, samples: readonly TrainSample[], labels: string[], norm: Normalisation, batchSize = 32): Promise<ClassificationReport> {
  const scorer = new ClassificationScorer(labels);
  for await (const { logits, batch } of logitsOf(session, samples, 'classify', labels.length, norm, batchSize)) scorer.addLogits(batch.labels, logits.data as Float32Array);
  return scorer.report();
}

/** Segmentation report of `session` (output `logits` [N, K, H, W]) on training samples. */
export async function evaluateSegmenter(session: OnnxSession, samples: readonly TrainSample[], labels: string[], norm: Normalisation, batchSize = 16): Promise<SegmentationReport> {
  const scorer = new SegmentationScorer(labels);
  const k = labels.length;
  for await (const { logits, batch } of logitsOf(session, samples, 'segment', k, norm, batchSize)) {
    const [n, , h, w] = logits.dims;
    for (let b = 0; b < n; b++) scorer.addLogits(batch.masks?.[b] as Uint8Array, logits.data as Float32Array, b * k * h * w, h * w);
  }
  return scorer.report();
}
