/**
 * Turning in-memory samples into model batches: augmentation (seeded per epoch and
 * sample), normalisation to NCHW float32, and float targets (smoothed one-hot labels or
 * one-hot mask planes) shaped like the logits.
 */
import type { ImageU8 } from '../image/image.types.ts';
import { imagesToNchw } from '../image/image-tensor.ts';
import type { Tensor } from '../onnx/tensor.ts';
import { augment } from './augment.ts';
import type { AugmentConfig } from './augment.ts';
import { trainingTask } from './tasks/index.ts';
import type { TrainableTask } from './tasks/index.ts';
import { keyedRng } from '../util/random.ts';

/** One training sample, already at the model's input size. */
export interface TrainSample {
  image: ImageU8;
  /** Class index (classification) or dominant class (segmentation). */
  label: number;
  /** Class-id plane [H*W] (segmentation). */
  mask?: Uint8Array;
  /** Source path, for reports. */
  source?: string;
}

/** How images are normalised: v = (pixel / 255 - mean) / std. */
export interface Normalisation {
  mean: number[];
  std: number[];
}

/** Options of {@link makeBatch}. */
export interface BatchOptions {
  task: TrainableTask;
  numClasses: number;
  norm: Normalisation;
  labelSmoothing?: number;
  /** Augmentation, or undefined for none (evaluation). */
  augment?: AugmentConfig;
  seed: number;
  epoch: number;
}

/** A prepared batch. */
export interface Batch {
  images: Tensor<'float32'>;
  targets: Tensor<'float32'>;
  labels: number[];
  masks?: Uint8Array[];
}

/**
 * Builds a batch from `samples[indices]`. Augmentation of sample i in epoch e draws from
 * the stream keyed by (seed, e, i), so a batch is reproducible on its own (resuming a run
 * repeats it exactly).
 */
export function makeBatch(samples: readonly TrainSample[], indices: readonly number[], o: BatchOptions): Batch {
  const images: ImageU8[] = [];
  const masks: Uint8Array[] = [];
  const labels: number[] = [];
  for (const i of indices) {
    const s = samples[i];
    if (o.augment) {
      const a = augment(s.image, s.mask, o.augment, keyedRng(o.seed, o.epoch, i));
      images.push(a.image);
      if (a.mask) masks.push(a.mask);
    } else {
      images.push(s.image);
      if (s.mask) masks.push(s.mask);
    }
    labels.push(s.label);
  }
  const x = imagesToNchw(images, { order: 'rgb', mean: o.norm.mean, std: o.norm.std });
  const t = trainingTask(o.task);
  const targets = t.targets({ labels, masks, height: images[0].height, width: images[0].width }, o.numClasses, o.labelSmoothing ?? 0);
  return { images: x, targets, labels, masks: t.batchMasks ? masks : undefined };
}
