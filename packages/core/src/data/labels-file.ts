/** `labels.json`: the classes of a dataset folder, written beside the images. */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { XqcError } from '../errors.ts';
import type { DatasetFormat } from './dataset.types.ts';
import { DATASET_FORMATS } from './dataset.types.ts';

/** File name of the labels file in a dataset root. */
export const LABELS_FILE = 'labels.json';

/** Contents of `labels.json`. */
export interface DatasetLabels {
  version: 1;
  format: DatasetFormat;
  /** Image-level labels; the good label first where there is one. */
  labels: string[];
  /** Mask classes, index = pixel value in segmentation masks (0 = background). */
  maskClasses?: string[];
  /** Label of defect-free images, or null. */
  goodLabel?: string | null;
  /** Mask pixel value meaning "defect" in anomaly masks. */
  anomalyMaskValue?: number;
  /** Images per label. */
  counts?: Record<string, number>;
  /** How the data was made, when it was generated. */
  source?: Record<string, string | number | boolean | null>;
}

/** Writes `labels.json` (pretty-printed) into `root`. */
export async function writeLabelsFile(root: string, labels: DatasetLabels): Promise<void> {
  try {
    await writeFile(join(root, LABELS_FILE), `${JSON.stringify(labels, null, 2)}\n`);
  } catch (cause) {
    throw new XqcError('XQC_IO', `cannot write ${join(root, LABELS_FILE)}`, { cause });
  }
}

function isStringArray(v: unknown): v is string[] {
  return Array.isArray(v) && v.every((s) => typeof s === 'string');
}

/**
 * Reads `root/labels.json`; null when the file does not exist. Throws
 * `XQC_DATASET_INVALID` when it exists but is not a valid labels file.
 */
export async function readLabelsFile(root: string): Promise<DatasetLabels | null> {
  const path = join(root, LABELS_FILE);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new XqcError('XQC_IO', `cannot read ${path}`, { cause });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new XqcError('XQC_DATASET_INVALID', `${path} is not valid JSON`, { cause });
  }
  const v = value as Partial<DatasetLabels>;
  if (typeof value !== 'object' || value === null || v.version !== 1 || !DATASET_FORMATS.includes(v.format as DatasetFormat) || !isStringArray(v.labels)) {
    throw new XqcError('XQC_DATASET_INVALID', `${path} needs version 1, a format (${DATASET_FORMATS.join(', ')}) and a labels array`);
  }
  if (v.maskClasses !== undefined && !isStringArray(v.maskClasses)) throw new XqcError('XQC_DATASET_INVALID', `${path}: maskClasses must be an array of strings`);
  return v as DatasetLabels;
}
