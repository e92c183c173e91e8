/**
 * `evaluate` for a shipped classifier, segmenter or box-from-mask detector: lists a
 * dataset folder with the split seed the model was trained with, prepares each image
 * once through the model's {@link Predictor} (the card's colour order, resize mode, size
 * and mean/std, exactly as at inference) and reports the task's figures on one split or
 * all images. Segmentation figures are counted at model resolution over the placed image
 * (letterbox padding left out), masks placed the way their images were.
 */
import { XqcError } from '../errors.ts';
import { itemsOf, listLabelledFolder, MASK_IGNORE, preparedBatches } from '../models/labelled-folder.ts';
import { Predictor } from '../models/predictor.ts';
import type { PredictorOptions } from '../models/predictor.ts';
import { ClassificationScorer, SegmentationScorer } from './evaluate.ts';
import type { ClassificationReport, SegmentationReport } from './evaluate.ts';

/** What {@link evaluateFolder} reports. */
export interface FolderEvaluation {
  task: 'classify' | 'segment' | 'detect';
  split: 'train' | 'val' | 'test' | 'all';
  datasetHash: string;
  skipped: { path: string; reason: string }[];
  report: ClassificationReport | SegmentationReport;
}

/** Options of {@link evaluateFolder}: the predictor's, and progress. */
export interface EvaluateFolderOptions extends PredictorOptions {
  /** `done` of `total` images of the split have been through the model (0 of total first). */
  onProgress?: (done: number, total: number) => void;
}

/**
 * Evaluates `modelPath` (card default: `model_card.yaml` beside it) on `dataDir`.
 * @throws XQC_INVALID_ARGUMENT for an anomaly card (see `evaluateAnomalyFolder`);
 *   XQC_DATASET_INVALID for an empty split or classes the card does not know
 */
export async function evaluateFolder(modelPath: string, dataDir: string, split: FolderEvaluation['split'] = 'all', cardPath?: string, options: EvaluateFolderOptions = {}): Promise<FolderEvaluation> {
  const { onProgress, ...predictorOptions } = options;
  const predictor = await Predictor.load(modelPath, cardPath, predictorOptions);
  const { card } = predictor;
  if (!predictor.task.predictsFromOutput) throw new XqcError('XQC_INVALID_ARGUMENT', `evaluateFolder runs classify, segment and detect models; a ${card.task} model is evaluated by evaluateAnomalyFolder`);
  const folder = await listLabelledFolder(dataDir, card);
  const items = itemsOf(folder, split);
  // Items done: those scored and those that failed to decode (appended to folder.skipped).
  const skippedBefore = folder.skipped.length;
  let scored = 0;
  let reported = 0;
  const progress = (batch: readonly unknown[]): void => {
    scored += batch.length;
    reported = scored + folder.skipped.length - skippedBefore;
    onProgress?.(reported, items.length);
  };
  onProgress?.(0, items.length);
  let report: ClassificationReport | SegmentationReport;
  if (predictor.task.datasetLayout === 'classification') {
    const scorer = new ClassificationScorer(card.labels);
    for await (const b of preparedBatches(predictor, folder, items, 32)) {
      const out = await predictor.forward(b.tensor);
      checkDims(out.dims, [b.items.length, card.labels.length], card.task);
      scorer.addLogits(b.items.map((i) => i.label), out.data as Float32Array);
      progress(b.items);
    }
    report = scorer.report();
  } else {
    const scorer = new SegmentationScorer(card.labels);
    const k = card.labels.length;
    const plane = card.input.height * card.input.width;
    for await (const b of preparedBatches(predictor, folder, items, 16)) {
      const out = await predictor.forward(b.tensor);
      checkDims(out.dims, [b.items.length, k, card.input.height, card.input.width], card.task);
      b.masks?.forEach((m, i) => scorer.addLogits(m, out.data as Float32Array, i * k * plane, plane, MASK_IGNORE));
      progress(b.items);
    }
    report = scorer.report();
  }
  if (reported < items.length) onProgress?.(items.length, items.length);
  if (report.count === 0) throw new XqcError('XQC_DATASET_INVALID', `no image of the ${split} split of ${dataDir} could be decoded (${folder.skipped.length} skipped)`);
  return { task: card.task as FolderEvaluation['task'], split, datasetHash: folder.datasetHash, skipped: folder.skipped, report };
}

function checkDims(got: readonly number[], want: readonly number[], task: string): void {
  if (got.length !== want.length || got.some((d, i) => d !== want[i])) {
    throw new XqcError('XQC_SHAPE_MISMATCH', `a ${task} model's output is [${got.join(', ')}]; evaluation needs [${want.join(', ')}] (batch, labels${want.length === 4 ? ', input height, input width' : ''})`);
  }
}
