/** Classification layout: `ROOT/<class>/<stem>.<ext>`. */
import { join, resolve } from 'node:path';
import { XqcError } from '../errors.ts';
import type { DatasetListing, ReadDatasetOptions, SampleToWrite } from './dataset.types.ts';
import type { Candidate } from './format-common.ts';
import { admitImages, checkName } from './format-common.ts';
import { listEntries, writePng } from './image-files.ts';

/** Writes `ROOT/<label>/<stem>.png`; returns the paths written, relative to `root`. */
export async function writeClassificationSample(root: string, sample: SampleToWrite): Promise<string[]> {
  checkName(sample.label, 'label');
  checkName(sample.stem, 'stem');
  const rel = `${sample.label}/${sample.stem}.png`;
  await writePng(join(root, rel), sample.image);
  return [rel];
}

/**
 * Lists a classification folder: every sub-folder is a class, every decodable image in it
 * a sample (PNG, JPEG, WebP, TIFF, BMP, GIF; sizes may differ). Unreadable or corrupt
 * files land in `skipped`. Throws `XQC_DATASET_INVALID` when there is no class folder.
 */
export async function readClassificationDataset(root: string, options: ReadDatasetOptions = {}): Promise<DatasetListing> {
  const abs = resolve(root);
  const classes = await listEntries(abs, 'dir');
  if (classes.length === 0) throw new XqcError('XQC_DATASET_INVALID', `${abs} has no class folders (expected ROOT/<class>/*.png)`);
  const candidates: Candidate[] = [];
  for (const label of classes) {
    for (const name of await listEntries(join(abs, label), 'file')) candidates.push({ rel: `${label}/${name}`, label });
  }
  const { admitted, skipped } = await admitImages(abs, candidates, options);
  return { format: 'classification', root: abs, classes, samples: admitted, skipped };
}
