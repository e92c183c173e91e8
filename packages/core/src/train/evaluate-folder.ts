/**
 * `evaluate` for a shipped model: reads the model and its card, loads a dataset folder
 * at the card's input size, and reports the task's figures on one split or all images.
 */
import { dirname, join } from 'node:path';
import { XqcError } from '../errors.ts';
import { readModelCard } from '../models/card.ts';
import type { ModelCard } from '../models/card.ts';
import { loadModelFile } from '../onnx/model-io.ts';
import type { Model } from '../onnx/ir.ts';
import type { TrainSample } from './batch.ts';
import { loadTrainingData } from './dataset-samples.ts';
import type { TrainingData } from './dataset-samples.ts';
import type { ClassificationReport, SegmentationReport } from './evaluate.ts';
import { evaluateModel } from './trainer.ts';

/** What {@link evaluateFolder} reports. */
export interface FolderEvaluation {
  task: 'classify' | 'segment';
  split: 'train' | 'val' | 'test' | 'all';
  datasetHash: string;
  skipped: { path: string; reason: string }[];
  report: ClassificationReport | SegmentationReport;
}

/** Loads a model, its card (default beside it) and the dataset samples of `split`. */
export async function loadForEvaluation(modelPath: string, dataDir: string, split: FolderEvaluation['split'], cardPath?: string): Promise<{ model: Model; card: ModelCard; data: TrainingData; samples: TrainSample[] }> {
  const card = await readModelCard(cardPath ?? join(dirname(modelPath), 'model_card.yaml'));
  if (card.task !== 'classify' && card.task !== 'segment') throw new XqcError('XQC_INVALID_ARGUMENT', `evaluate handles classify and segment models; this card says ${card.task}`);
  const model = await loadModelFile(modelPath);
  const seed = Number((card.training as { seed?: number } | undefined)?.seed ?? 0);
  const data = await loadTrainingData(dataDir, { task: card.task, inputSize: [card.input.height, card.input.width], seed });
  const missing = data.labels.filter((l) => !card.labels.includes(l));
  if (missing.length) throw new XqcError('XQC_DATASET_INVALID', `dataset classes ${missing.join(', ')} are not labels of the model (${card.labels.join(', ')})`);
  // Map dataset label indices onto the card's label order.
  const remap = (s: TrainSample): TrainSample => {
    const label = card.labels.indexOf(data.labels[s.label]);
    const mask = s.mask?.map((v) => Math.max(0, card.labels.indexOf(data.labels[v] ?? card.labels[0])));
    return { ...s, label, mask };
  };
  const samples = (split === 'all' ? [...data.train, ...data.val, ...data.test] : data[split]).map(remap);
  if (samples.length === 0) throw new XqcError('XQC_DATASET_INVALID', `the ${split} split of ${dataDir} is empty`);
  return { model, card, data, samples };
}

/** Evaluates `modelPath` on `dataDir`. */
export async function evaluateFolder(modelPath: string, dataDir: string, split: FolderEvaluation['split'] = 'all', cardPath?: string): Promise<FolderEvaluation> {
  const { model, card, data, samples } = await loadForEvaluation(modelPath, dataDir, split, cardPath);
  const task = card.task as 'classify' | 'segment';
  const report = await evaluateModel({ task, labels: card.labels, norm: { mean: card.input.mean, std: card.input.std } }, model, samples);
  return { task, split, datasetHash: data.manifest.id, skipped: data.skipped, report };
}
