/** Segmentation layout: `ROOT/images/<stem>.<ext>` with `ROOT/masks/<stem>.png` of class ids. */
import { join, resolve } from 'node:path';
import { XqcError } from '../errors.ts';
import { DEFAULT_MAX_PIXELS } from '../image/image-decode.ts';
import type { DatasetListing, DatasetSample, ReadDatasetOptions, SampleToWrite, SkippedFile } from './dataset.types.ts';
import { admitImages, checkName, loadMask } from './format-common.ts';
import { hasImageExtension, listEntries, stemOf, writePng } from './image-files.ts';
import { readLabelsFile } from './labels-file.ts';

/**
 * Writes `ROOT/images/<stem>.png` and `ROOT/masks/<stem>.png` (1 channel, pixel = class
 * id). Throws `XQC_SHAPE_MISMATCH` when the mask is missing, not 1-channel or sized
 * differently. Returns the paths written, relative to `root`.
 */
export async function writeSegmentationSample(root: string, sample: SampleToWrite): Promise<string[]> {
  checkName(sample.stem, 'stem');
  const { image, mask } = sample;
  if (!mask || mask.channels !== 1 || mask.width !== image.width || mask.height !== image.height) {
    throw new XqcError('XQC_SHAPE_MISMATCH', `segmentation sample ${sample.stem} needs a 1-channel ${image.width}x${image.height} mask`);
  }
  const paths = [`images/${sample.stem}.png`, `masks/${sample.stem}.png`];
  await writePng(join(root, paths[0]), image);
  await writePng(join(root, paths[1]), mask);
  return paths;
}

/**
 * Lists a segmentation folder. Each image needs `masks/<stem>.*` of its size; class names
 * come from `labels.json` (`maskClasses`) when present, else `class_<id>`. A sample's label
 * is its dominant mask class, or the good label (default `background`) for empty masks.
 * Images without a usable mask, masks without an image, corrupt files and ids beyond the
 * declared classes are reported in `skipped`. Throws `XQC_DATASET_INVALID` without `images/`.
 */
export async function readSegmentationDataset(root: string, options: ReadDatasetOptions = {}): Promise<DatasetListing> {
  const abs = resolve(root);
  const imageNames = await listEntries(join(abs, 'images'), 'file');
  if (imageNames.length === 0) throw new XqcError('XQC_DATASET_INVALID', `${abs} has no images (expected ROOT/images/*.png with ROOT/masks/*.png)`);
  const labels = await readLabelsFile(abs);
  const declared = labels?.maskClasses;
  const emptyLabel = labels?.goodLabel ?? declared?.[0] ?? 'background';
  const maskByStem = new Map<string, string>();
  for (const name of await listEntries(join(abs, 'masks'), 'file')) if (hasImageExtension(name)) maskByStem.set(stemOf(name), name);

  const { admitted, skipped } = await admitImages(abs, imageNames.map((name) => ({ rel: `images/${name}`, label: '' })), options);
  const samples: DatasetSample[] = [];
  const extra: SkippedFile[] = [];
  const used = new Set<string>();
  let maxId = 0;
  const areasOf: number[][] = [];
  for (const sample of admitted) {
    const stem = stemOf(sample.image.slice('images/'.length));
    const maskName = maskByStem.get(stem);
    if (!maskName) {
      extra.push({ path: sample.image, reason: `no mask masks/${stem}.png` });
      continue;
    }
    used.add(stem);
    const maskRel = `masks/${maskName}`;
    const mask = await loadMask(join(abs, maskRel), options.maxPixels ?? DEFAULT_MAX_PIXELS);
    if (typeof mask === 'string') {
      extra.push({ path: sample.image, reason: `mask ${maskRel} unusable: ${mask}` });
      continue;
    }
    if (mask.width !== sample.width || mask.height !== sample.height) {
      extra.push({ path: sample.image, reason: `mask ${maskRel} is ${mask.width}x${mask.height}, image is ${sample.width}x${sample.height}` });
      continue;
    }
    const areas: number[] = [];
    for (const v of mask.data) areas[v] = (areas[v] ?? 0) + 1;
    if (declared && areas.length > declared.length) {
      extra.push({ path: sample.image, reason: `mask ${maskRel} has class id ${areas.length - 1}; labels.json declares ${declared.length} classes` });
      continue;
    }
    maxId = Math.max(maxId, areas.length - 1);
    areasOf.push(areas);
    samples.push({ ...sample, mask: maskRel });
  }
  const classes = declared ?? ['background', ...Array.from({ length: maxId }, (_, k) => `class_${k + 1}`)];
  samples.forEach((s, n) => {
    const areas = areasOf[n];
    let best = 0;
    for (let k = 1; k < areas.length; k++) if ((areas[k] ?? 0) > 0 && (best === 0 || areas[k] > areas[best])) best = k;
    s.label = best === 0 ? emptyLabel : classes[best];
  });
  for (const [stem, name] of maskByStem) if (!used.has(stem) && !imageNames.some((n) => stemOf(n) === stem)) extra.push({ path: `masks/${name}`, reason: 'mask without image' });
  return { format: 'segmentation', root: abs, classes, samples, skipped: [...skipped, ...extra] };
}
