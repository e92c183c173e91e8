/**
 * Anomaly layout, anomalib's "folder" format: `ROOT/<good>/`, `ROOT/<defect>/`, and
 * optional binary masks `ROOT/masks/<defect>/<stem>.png` with 255 on defect pixels.
 * Masks in the MVTec AD layout are read too: `ROOT/ground_truth/<defect>/<stem>_mask.png`,
 * or, for a `test` folder, the sibling `ROOT/../ground_truth/<defect>/<stem>_mask.png`.
 */
import { basename, dirname, join, resolve } from 'node:path';
import { XqcError } from '../errors.ts';
import { DEFAULT_MAX_PIXELS } from '../image/image-decode.ts';
import type { DatasetListing, DatasetSample, ReadDatasetOptions, SampleToWrite, SkippedFile } from './dataset.types.ts';
import type { Candidate } from './format-common.ts';
import { admitImages, checkName, loadMask } from './format-common.ts';
import { hasImageExtension, listEntries, stemOf, writePng } from './image-files.ts';
import { readLabelsFile } from './labels-file.ts';

/** Pixel value of defect pixels in anomaly masks (anomalib reads masks as `value / 255 > 0.5`). */
export const ANOMALY_MASK_VALUE = 255;

/**
 * Writes `ROOT/<label>/<stem>.png` and, for defect samples with a mask, the binary mask
 * `ROOT/masks/<label>/<stem>.png` (`255` where the class-id mask is non-zero). Returns
 * the paths written, relative to `root`.
 */
export async function writeAnomalySample(root: string, sample: SampleToWrite, goodLabel = 'good'): Promise<string[]> {
  checkName(sample.label, 'label');
  checkName(sample.stem, 'stem');
  if (sample.label === 'masks') throw new XqcError('XQC_INVALID_ARGUMENT', "'masks' is reserved for the mask folder in the anomaly layout");
  const paths = [`${sample.label}/${sample.stem}.png`];
  await writePng(join(root, paths[0]), sample.image);
  if (sample.label !== goodLabel && sample.mask) {
    const m = sample.mask;
    if (m.channels !== 1 || m.width !== sample.image.width || m.height !== sample.image.height) {
      throw new XqcError('XQC_SHAPE_MISMATCH', `anomaly mask of ${sample.stem} must be 1-channel ${sample.image.width}x${sample.image.height}`);
    }
    const binary = new Uint8Array(m.data.length);
    for (let i = 0; i < binary.length; i++) binary[i] = m.data[i] > 0 ? ANOMALY_MASK_VALUE : 0;
    paths.push(`masks/${sample.label}/${sample.stem}.png`);
    await writePng(join(root, paths[1]), { width: m.width, height: m.height, channels: 1, data: binary });
  }
  return paths;
}

/** The mask folder of anomalib's MVTec AD layout, `ground_truth/<defect>/<stem>_mask.png`. */
export const GROUND_TRUTH_DIR = 'ground_truth';

/** Adds the masks of `base/<defect>/<stem>[_mask].<ext>` (relative to the root as `prefix/<defect>/<name>`) not already known. */
async function addMasks(masks: Map<string, string>, base: string, prefix: string, suffix: string): Promise<void> {
  for (const dir of await listEntries(base, 'dir')) {
    for (const name of await listEntries(join(base, dir), 'file')) {
      if (!hasImageExtension(name)) continue;
      const stem = stemOf(name);
      const key = `${dir}/${suffix && stem.endsWith(suffix) ? stem.slice(0, -suffix.length) : stem}`;
      if (!masks.has(key)) masks.set(key, `${prefix}/${dir}/${name}`);
    }
  }
}

/**
 * Lists an anomaly folder: every folder except `masks/` and `ground_truth/` is a label (the
 * good label comes from `labels.json`, default `good`); defect images take
 * `masks/<label>/<stem>.*` when present and of the same size, else the MVTec AD mask
 * `ground_truth/<label>/<stem>_mask.*` (in the folder, or beside it when the folder is
 * named `test`, as in `CATEGORY/test/` with `CATEGORY/ground_truth/`). Corrupt images,
 * unusable masks and masks without an image go to `skipped`. Throws
 * `XQC_DATASET_INVALID` when there is no label folder.
 */
export async function readAnomalyDataset(root: string, options: ReadDatasetOptions = {}): Promise<DatasetListing> {
  const abs = resolve(root);
  const labels = (await listEntries(abs, 'dir')).filter((d) => d !== 'masks' && d !== GROUND_TRUTH_DIR);
  if (labels.length === 0) throw new XqcError('XQC_DATASET_INVALID', `${abs} has no image folders (expected ROOT/good/ and ROOT/<defect>/)`);
  const goodLabel = (await readLabelsFile(abs))?.goodLabel ?? 'good';
  const candidates: Candidate[] = [];
  for (const label of labels) for (const name of await listEntries(join(abs, label), 'file')) candidates.push({ rel: `${label}/${name}`, label });
  const { admitted, skipped } = await admitImages(abs, candidates, options);

  const samples: DatasetSample[] = [];
  const extra: SkippedFile[] = [];
  const masks = new Map<string, string>();
  await addMasks(masks, join(abs, 'masks'), 'masks', '');
  await addMasks(masks, join(abs, GROUND_TRUTH_DIR), GROUND_TRUTH_DIR, '_mask');
  if (basename(abs) === 'test') await addMasks(masks, join(dirname(abs), GROUND_TRUTH_DIR), `../${GROUND_TRUTH_DIR}`, '_mask');
  const imageKeys = new Set(candidates.map((c) => `${c.label}/${stemOf(c.rel.slice(c.label.length + 1))}`));
  for (const sample of admitted) {
    const key = `${sample.label}/${stemOf(sample.image.slice(sample.label.length + 1))}`;
    const maskRel = masks.get(key);
    if (maskRel === undefined || sample.label === goodLabel) {
      samples.push(sample);
      continue;
    }
    const mask = await loadMask(join(abs, maskRel), options.maxPixels ?? DEFAULT_MAX_PIXELS);
    if (typeof mask === 'string') {
      extra.push({ path: sample.image, reason: `mask ${maskRel} unusable: ${mask}` });
    } else if (mask.width !== sample.width || mask.height !== sample.height) {
      extra.push({ path: sample.image, reason: `mask ${maskRel} is ${mask.width}x${mask.height}, image is ${sample.width}x${sample.height}` });
    } else {
      samples.push({ ...sample, mask: maskRel });
    }
  }
  for (const [key, rel] of masks) if (!imageKeys.has(key)) extra.push({ path: rel, reason: 'mask without image' });
  return { format: 'anomaly', root: abs, classes: labels, samples, skipped: [...skipped, ...extra] };
}
