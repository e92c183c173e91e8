/**
 * Training a classifier: softmax cross-entropy on smoothed one-hot targets [N, K], data in
 * `ROOT/<class>/*` (at least two class folders), a compact residual CNN, accuracy on the
 * validation split.
 */
import { readClassificationDataset } from '../../data/classification-format.ts';
import { XqcError } from '../../errors.ts';
import { tensor } from '../../onnx/tensor.ts';
import { evaluateClassifier } from '../evaluate.ts';
import { smoothedOneHot } from '../losses.ts';
import type { TrainingTask } from './training-task.ts';

/** The classify task in training. */
export const classifyTraining: TrainingTask = {
  task: 'classify',
  loss: 'softmax-ce',
  classWeights: () => undefined,
  targets: (b, k, labelSmoothing) => tensor('float32', [b.labels.length, k], smoothedOneHot(b.labels, k, labelSmoothing)),
  batchMasks: false,
  listDataset: (root, options) => readClassificationDataset(root, options),
  checkListing: (root, listing) => {
    if (listing.classes.length < 2) {
      throw new XqcError('XQC_DATASET_INVALID', `${root}: classification needs at least 2 class folders, found ${listing.classes.length}`);
    }
  },
  sampleLabel: (labels, label) => labels.indexOf(label),
  architecture: (s) => ({ kind: 'compact-resnet', width: s.width ?? 16, depth: s.depth ?? 3, dropout: s.dropout ?? 0.2 }),
  defaultLabelSmoothing: 0.05,
  intendedUse: 'Image-level defect classification',
  evaluate: (session, samples, labels, norm) => evaluateClassifier(session, samples, labels, norm),
};
