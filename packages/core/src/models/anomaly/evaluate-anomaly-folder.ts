/**
 * `evaluate` for a fitted anomaly detector: loads the detector folder of `model.onnx` and
 * its card, loads a dataset folder at the detector's input size with the split seed the
 * detector was fitted with, and reports the figures of `evaluate-anomaly.ts`.
 */
import { dirname, join } from 'node:path';
import { XqcError } from '../../errors.ts';
import { readModelCard } from '../card.ts';
import { loadAnomalyFolder } from './anomaly-data.ts';
import { ANOMALY_FILES } from './artifact.ts';
import { AnomalyDetector } from './detector.ts';
import { evaluateAnomaly } from './evaluate-anomaly.ts';
import type { AnomalyReport } from './evaluate-anomaly.ts';

/** What {@link evaluateAnomalyFolder} reports. */
export interface AnomalyFolderEvaluation {
  task: 'anomaly';
  split: 'train' | 'val' | 'test' | 'all';
  datasetHash: string;
  skipped: { path: string; reason: string }[];
  report: AnomalyReport;
}

/**
 * Evaluates the detector beside `modelPath` on `dataDir`.
 * @throws XQC_INVALID_ARGUMENT when the card's task is not `anomaly`; XQC_DATASET_INVALID when the split is empty
 */
export async function evaluateAnomalyFolder(modelPath: string, dataDir: string, split: AnomalyFolderEvaluation['split'] = 'all', cardPath?: string): Promise<AnomalyFolderEvaluation> {
  const dir = dirname(modelPath);
  const card = await readModelCard(cardPath ?? join(dir, ANOMALY_FILES.card));
  if (card.task !== 'anomaly') throw new XqcError('XQC_INVALID_ARGUMENT', `the card says task ${card.task}, not anomaly`);
  const detector = await AnomalyDetector.load(dir, { severity: card.severity, minAreaPixels: card.thresholds.minAreaPixels });
  const { height, width } = detector.config.input;
  const seed = Number((card.training as { seed?: number } | undefined)?.seed ?? detector.config.bank.coreset.seed);
  const data = await loadAnomalyFolder(dataDir, { size: [height, width], seed });
  const chosen = split === 'all' ? [...data.splits.train, ...data.splits.val, ...data.splits.test] : data.splits[split];
  if (chosen.length === 0) throw new XqcError('XQC_DATASET_INVALID', `the ${split} split of ${dataDir} is empty`);
  const report = await evaluateAnomaly(detector, chosen.map((s) => ({ image: s.image, good: s.good, mask: s.mask })));
  if (split !== 'test') {
    report.notes.push('only the test split is held out: train good images are in the memory bank and the val split set the thresholds, so these figures are optimistic');
  }
  return { task: 'anomaly', split, datasetHash: data.manifest.id, skipped: data.skipped, report };
}
