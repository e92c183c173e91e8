/**
 * `evaluate` for a fitted anomaly detector: loads the detector folder of `model.onnx` and
 * its card, loads a dataset folder at the detector's input size with the split seed and
 * shares the detector was fitted with, reports the figures of `evaluate-anomaly.ts`, and
 * says whether they are held out or optimistic: how many evaluated images the detector was
 * fitted on (`fit-overlap.ts`, by the image hashes of `run.json` or the card's dataset hash).
 */
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { recordedSplit } from '../../data/split.ts';
import { XqcError } from '../../errors.ts';
import { readModelCard } from '../card.ts';
import { taskAdapter } from '../tasks/index.ts';
import { loadAnomalyFolder } from './anomaly-data.ts';
import { ANOMALY_FILES } from './artifact.ts';
import { AnomalyDetector } from './detector.ts';
import { evaluateAnomaly } from './evaluate-anomaly.ts';
import type { AnomalyReport } from './evaluate-anomaly.ts';
import { fitOverlap } from './fit-overlap.ts';
import type { FitOverlap } from './fit-overlap.ts';

/** What {@link evaluateAnomalyFolder} reports. */
export interface AnomalyFolderEvaluation {
  task: 'anomaly';
  split: 'train' | 'val' | 'test' | 'all';
  datasetHash: string;
  skipped: { path: string; reason: string }[];
  report: AnomalyReport;
  /** How many evaluated images the detector was fitted on, and what that makes the figures. */
  fitOverlap: FitOverlap;
}

const SHA256 = /^[0-9a-f]{64}$/;

/** The image hashes a detector folder's `run.json` records, or undefined without the record. */
async function recordedFittedImages(dir: string): Promise<string[] | undefined> {
  const path = join(dir, 'run.json');
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new XqcError('XQC_IO', `cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { cause: e });
  }
  let fitted: unknown;
  try {
    fitted = (JSON.parse(text) as { dataset?: { fitted?: unknown } }).dataset?.fitted;
  } catch (e) {
    throw new XqcError('XQC_ANOMALY', `${path} is not valid JSON: ${(e as Error).message}`, { cause: e });
  }
  if (fitted === undefined) return undefined;
  if (!Array.isArray(fitted) || fitted.some((h) => typeof h !== 'string' || !SHA256.test(h))) {
    throw new XqcError('XQC_ANOMALY', `${path}: dataset.fitted must be a list of lower-case hex SHA-256 strings`);
  }
  return fitted as string[];
}

/**
 * Evaluates the detector beside `modelPath` on `dataDir`.
 * @throws XQC_INVALID_ARGUMENT when the card's task is not `anomaly`; XQC_DATASET_INVALID when the split is empty
 */
export async function evaluateAnomalyFolder(modelPath: string, dataDir: string, split: AnomalyFolderEvaluation['split'] = 'all', cardPath?: string): Promise<AnomalyFolderEvaluation> {
  const dir = dirname(modelPath);
  const card = await readModelCard(cardPath ?? join(dir, ANOMALY_FILES.card));
  if (taskAdapter(card.task).datasetLayout !== 'anomaly') throw new XqcError('XQC_INVALID_ARGUMENT', `the card says task ${card.task}, not anomaly`);
  const detector = await AnomalyDetector.load(dir, { severity: card.severity, minAreaPixels: card.thresholds.minAreaPixels, input: card.input });
  const recorded = recordedSplit(card.training);
  const fittedSeed = 'training' in detector.config ? detector.config.training.seed : detector.config.bank.coreset.seed;
  const seed = card.training?.seed === undefined ? fittedSeed : recorded.seed;
  const data = await loadAnomalyFolder(dataDir, { input: detector.config.input, seed, ratios: recorded.ratios });
  const chosen = split === 'all' ? [...data.splits.train, ...data.splits.val, ...data.splits.test] : data.splits[split];
  if (chosen.length === 0) throw new XqcError('XQC_DATASET_INVALID', `the ${split} split of ${dataDir} is empty`);
  const report = await evaluateAnomaly(detector, chosen.map((s) => ({ image: s.image, good: s.good, mask: s.mask })));
  const overlap = fitOverlap(chosen, data, { fittedImages: await recordedFittedImages(dir), datasetHash: card.dataset?.hash });
  return { task: 'anomaly', split, datasetHash: data.manifest.id, skipped: data.skipped, report, fitOverlap: overlap };
}
