/**
 * What a task means for training, in one place per task, keyed like the task adapters of
 * `models/tasks/`: the loss and its class weights, the target layout of a batch, how a
 * dataset folder becomes training samples, how a trained model is evaluated, and what a
 * training run writes about it. It lives beside the trainer because `models/` may not
 * import `train/` (architecture.test.ts). The table is `tasks/index.ts`; nothing else in
 * the training pipeline branches on the task.
 */
import type { DatasetListing, ReadDatasetOptions } from '../../data/dataset.types.ts';
import type { Tensor } from '../../onnx/tensor.ts';
import type { OnnxSession } from '../../runtime/session.ts';
import type { Normalisation, TrainSample } from '../batch.ts';
import type { ClassificationReport, SegmentationReport } from '../evaluate.ts';
import type { LossKind } from '../losses.ts';
import type { ArchConfig } from '../trainer.ts';

/** The tasks XAI-QC trains networks for (anomaly detectors are fitted, `models/anomaly/`). */
export type TrainableTask = 'classify' | 'segment';

/** The labels and masks of one batch, and the size of its images. */
export interface BatchTargets {
  /** Class index per image. */
  labels: readonly number[];
  /** Class-id plane [h*w] per image (segmentation samples only). */
  masks: readonly Uint8Array[];
  height: number;
  width: number;
}

/** Architecture sizes a run may set; the task's defaults fill the rest. */
export interface ArchSizes {
  width?: number;
  depth?: number;
  dropout?: number;
}

/** One trainable task. */
export interface TrainingTask {
  readonly task: TrainableTask;
  /** Loss of the training graph (`losses.ts`). */
  readonly loss: LossKind;
  /** Per-class loss weights from the training samples, or undefined for none. */
  classWeights(train: readonly TrainSample[], numClasses: number): number[] | undefined;
  /** Float targets shaped like the logits: [N, K] or [N, K, h, w]. */
  targets(batch: BatchTargets, numClasses: number, labelSmoothing: number): Tensor<'float32'>;
  /** Whether a batch carries its masks (for evaluation). */
  readonly batchMasks: boolean;
  /** Lists a dataset folder in the task's layout (corrupt files reported, not thrown). */
  listDataset(root: string, options: ReadDatasetOptions): Promise<DatasetListing>;
  /**
   * Checks that a listing can train the task.
   * @throws XQC_DATASET_INVALID naming what the folder lacks
   */
  checkListing(root: string, listing: DatasetListing): void;
  /** The class index of a listed sample's label. */
  sampleLabel(labels: readonly string[], label: string): number;
  /** The architecture to build, from the sizes a run sets. */
  architecture(sizes: ArchSizes): ArchConfig;
  /** Label smoothing when the run sets none. */
  readonly defaultLabelSmoothing: number;
  /** How the card's intended use starts ("... of images like the training set"). */
  readonly intendedUse: string;
  /** The task's report of an inference session (input `input`, output `logits`) on samples. */
  evaluate(session: OnnxSession, samples: readonly TrainSample[], labels: string[], norm: Normalisation): Promise<ClassificationReport | SegmentationReport>;
}
