/**
 * Loading a dataset folder for training: list it (corrupt and unreadable files are
 * reported and skipped), version it by content hash with a seeded stratified split,
 * decode every usable image once, convert to RGB and resize to the model input (masks
 * with nearest neighbour), and hand the three splits to the trainer.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { buildManifest } from '../data/manifest.ts';
import type { DatasetManifest } from '../data/manifest.ts';
import { loadMask } from '../data/format-common.ts';
import { mapLimit } from '../data/image-files.ts';
import type { SkippedFile } from '../data/dataset.types.ts';
import type { SplitRatios } from '../data/split.ts';
import { XqcError, isXqcError } from '../errors.ts';
import { convertChannels } from '../image/image-channels.ts';
import { decodeImage } from '../image/image-decode.ts';
import { resizeBilinear, resizeNearest } from '../image/image-resize.ts';
import type { TrainSample } from './batch.ts';
import { trainingTask } from './tasks/index.ts';
import type { TrainableTask } from './tasks/index.ts';

/** Options of {@link loadTrainingData}. */
export interface LoadDataOptions {
  task: TrainableTask;
  /** Model input [height, width]. */
  inputSize: [number, number];
  /** Split seed (default 0) and ratios (default 70/15/15; a test share of 0 leaves the test split empty). */
  seed?: number;
  ratios?: SplitRatios;
  /** Largest accepted image in pixels (default 50 megapixels). */
  maxPixels?: number;
}

/** What was loaded. */
export interface TrainingData {
  labels: string[];
  train: TrainSample[];
  val: TrainSample[];
  test: TrainSample[];
  manifest: DatasetManifest;
  skipped: SkippedFile[];
}

/**
 * Loads a classification (`ROOT/<class>/*`) or segmentation (`ROOT/images`, `ROOT/masks`)
 * folder. Throws XQC_DATASET_INVALID when nothing usable is left or a split is empty.
 */
export async function loadTrainingData(root: string, o: LoadDataOptions): Promise<TrainingData> {
  const maxPixels = o.maxPixels ?? 50_000_000;
  const task = trainingTask(o.task);
  const listing = await task.listDataset(root, { maxPixels });
  if (listing.samples.length === 0) {
    throw new XqcError('XQC_DATASET_INVALID', `${root}: no usable images (${listing.skipped.length} skipped)`);
  }
  task.checkListing(root, listing);
  const manifest = await buildManifest(listing, { seed: o.seed ?? 0, ratios: o.ratios });
  const splitOf = new Map(manifest.files.filter((f) => f.role === 'image').map((f) => [f.path, f.split]));
  const skipped = [...listing.skipped];
  const [h, w] = o.inputSize;
  const labels = listing.classes;
  const loaded = await mapLimit(listing.samples, 4, async (s) => {
    try {
      const img = await decodeImage(await readFile(join(root, s.image)), { maxPixels });
      const rgb = img.channels === 3 ? img : convertChannels(img, 3);
      const image = rgb.width === w && rgb.height === h ? rgb : resizeBilinear(rgb, w, h);
      let mask: Uint8Array | undefined;
      if (s.mask) {
        const m = await loadMask(join(root, s.mask), maxPixels);
        if (typeof m === 'string') throw new XqcError('XQC_IMAGE_INVALID', m);
        mask = (m.width === w && m.height === h ? m : resizeNearest(m, w, h)).data;
        for (let i = 0; i < mask.length; i++) if (mask[i] >= labels.length) mask[i] = labels.length - 1;
      }
      const label = task.sampleLabel(labels, s.label);
      return { sample: { image, label, mask, source: s.image } as TrainSample, split: splitOf.get(s.image) };
    } catch (e) {
      if (!isXqcError(e)) throw e;
      skipped.push({ path: s.image, reason: e.message });
      return undefined;
    }
  });
  const out: TrainingData = { labels, train: [], val: [], test: [], manifest, skipped };
  for (const r of loaded) if (r && r.split) out[r.split].push(r.sample);
  for (const split of ['train', 'val'] as const) {
    if (out[split].length === 0) {
      const r = manifest.split?.ratios;
      const shares = r ? `, shares train ${r.train} / val ${r.val} / test ${r.test} per label` : '';
      throw new XqcError('XQC_DATASET_INVALID', `${root}: the ${split} split is empty (${listing.samples.length} usable images${shares}); add images or raise the ${split} share`);
    }
  }
  return out;
}
