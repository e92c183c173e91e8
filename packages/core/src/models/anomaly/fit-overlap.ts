/**
 * Which evaluated images a detector was fitted on. PatchCore fits its memory bank on the
 * good images of the train split and its thresholds on the validation split, so figures
 * measured on any of those images are optimistic, and figures on images it never saw are
 * not. A run records the SHA-256 of every image it used (`run.json`, `dataset.fitted`),
 * which answers the question for any folder; for a detector without that record, the
 * dataset hash in its card tells whether the folder is the very dataset version it was
 * fitted on (whose split is then known), and otherwise the overlap is reported as unknown.
 */
import type { AnomalyFolderData, AnomalySample } from './anomaly-data.ts';

/** How {@link fitOverlap} decided. */
export type FitOverlapBasis = 'image-hashes' | 'dataset-hash' | 'unknown';

/** Overlap of evaluated images with the images a detector was fitted on. */
export interface FitOverlap {
  basis: FitOverlapBasis;
  /** Images evaluated. */
  evaluated: number;
  /** Evaluated images the detector was fitted on; null when it cannot be told. */
  fitted: number | null;
  /** One sentence saying what the figures are. */
  note: string;
}

/** What a detector's folder records about its fitting data. */
export interface FitRecord {
  /** SHA-256 (hex) of every image used in fitting, from `run.json`. */
  fittedImages?: readonly string[];
  /** The card's dataset hash (manifest id of the fitted dataset version). */
  datasetHash?: string;
}

function imageHashes(data: AnomalyFolderData): Map<string, string> {
  return new Map(data.manifest.files.filter((f) => f.role === 'image').map((f) => [f.path, f.sha256]));
}

/**
 * SHA-256 of the images a PatchCore run on `data` uses: the good images of the train split
 * (memory bank) and every validation image (thresholds), sorted and unique.
 */
export function fittedImageHashes(data: AnomalyFolderData): string[] {
  const hashes = imageHashes(data);
  const used = [...data.splits.train.filter((s) => s.good), ...data.splits.val];
  return [...new Set(used.map((s) => hashes.get(s.source) ?? ''))].filter(Boolean).sort();
}

/**
 * How many of `evaluated` (samples of `data`) the detector was fitted on, by image hash
 * when the run recorded them, else by the dataset hash.
 */
export function fitOverlap(evaluated: readonly AnomalySample[], data: AnomalyFolderData, record: FitRecord): FitOverlap {
  const n = evaluated.length;
  const optimistic = (k: number): string =>
    `${k} of the ${n} evaluated images were used in fitting (good training images in the memory bank, validation images that set the thresholds), so these figures are optimistic`;
  if (record.fittedImages) {
    const hashes = imageHashes(data);
    const fitted = new Set(record.fittedImages);
    const k = evaluated.filter((s) => fitted.has(hashes.get(s.source) ?? '')).length;
    return { basis: 'image-hashes', evaluated: n, fitted: k, note: k > 0 ? optimistic(k) : `none of the ${n} evaluated images was used in fitting (checked by SHA-256 against the run record): these figures are held out` };
  }
  if (record.datasetHash !== undefined && record.datasetHash === data.manifest.id) {
    const used = new Set([...data.splits.train.filter((s) => s.good), ...data.splits.val]);
    const k = evaluated.filter((s) => used.has(s)).length;
    return { basis: 'dataset-hash', evaluated: n, fitted: k, note: k > 0 ? optimistic(k) : `none of the ${n} evaluated images was used in fitting (the fitted dataset version's test split): these figures are held out` };
  }
  const which = record.datasetHash ? `dataset ${record.datasetHash.slice(0, 12)}` : 'a dataset the card does not name';
  return {
    basis: 'unknown',
    evaluated: n,
    fitted: null,
    note: `this folder (dataset ${data.manifest.id.slice(0, 12)}) is not the dataset version the detector was fitted on (${which}) and the model folder records no image hashes, so overlap with the fitting images was not checked`,
  };
}
