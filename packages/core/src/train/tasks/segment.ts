/**
 * Training a segmenter: Dice + cross-entropy on one-hot mask planes [N, K, h, w], the
 * cross-entropy weighted by inverse class frequency over the training masks, data in
 * `ROOT/images` + `ROOT/masks`, a small U-Net, defect Dice on the validation split.
 */
import { readSegmentationDataset } from '../../data/segmentation-format.ts';
import type { TrainSample } from '../batch.ts';
import { tensor } from '../../onnx/tensor.ts';
import { evaluateSegmenter } from '../evaluate.ts';
import { classWeightsFromFrequencies, maskOneHot } from '../losses.ts';
import type { TrainingTask } from './training-task.ts';

/** Pixels of each class over the masks of `samples` (ids above K - 1 counted as K - 1). */
export function pixelCounts(samples: readonly TrainSample[], k: number): Float64Array {
  const counts = new Float64Array(k);
  for (const s of samples) if (s.mask) for (const v of s.mask) counts[Math.min(v, k - 1)]++;
  return counts;
}

/** The segment task in training. */
export const segmentTraining: TrainingTask = {
  task: 'segment',
  loss: 'dice-ce',
  classWeights: (train, k) => classWeightsFromFrequencies(pixelCounts(train, k)),
  targets: (b, k) => {
    const n = b.labels.length;
    const plane = b.height * b.width;
    const data = new Float32Array(n * k * plane);
    b.masks.forEach((m, i) => maskOneHot(m, k, data, i * k * plane));
    return tensor('float32', [n, k, b.height, b.width], data);
  },
  batchMasks: true,
  listDataset: (root, options) => readSegmentationDataset(root, options),
  checkListing: () => undefined,
  // Images without a known dominant class count as the background.
  sampleLabel: (labels, label) => Math.max(0, labels.indexOf(label)),
  architecture: (s) => ({ kind: 'unet', width: s.width ?? 16, depth: s.depth ?? 3, dropout: s.dropout ?? 0.1 }),
  defaultLabelSmoothing: 0,
  intendedUse: 'Pixel-level defect segmentation',
  evaluate: (session, samples, labels, norm) => evaluateSegmenter(session, samples, labels, norm),
};
