/**
 * A labelled dataset folder seen through a model's card: the folder is listed (headers
 * only) and versioned by content hash with the split the card records for training, its
 * classes are mapped onto the card's label order, and images are decoded once each, a
 * batch at a time, and turned into model inputs by {@link Predictor.prepare} only, so
 * evaluation and calibration see an image exactly as inference does. Segmentation masks
 * are placed into the model input the way their image was ({@link fitMask}).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readClassificationDataset } from '../data/classification-format.ts';
import type { SkippedFile } from '../data/dataset.types.ts';
import { loadMask } from '../data/format-common.ts';
import { mapLimit } from '../data/image-files.ts';
import { buildManifest } from '../data/manifest.ts';
import { readSegmentationDataset } from '../data/segmentation-format.ts';
import { recordedSplit } from '../data/split.ts';
import type { Split, SplitRatios } from '../data/split.ts';
import { XqcError, isXqcError } from '../errors.ts';
import { decodeImage } from '../image/image-decode.ts';
import type { ImageU8 } from '../image/image.types.ts';
import type { Tensor } from '../onnx/tensor.ts';
import type { ModelCard } from './card.schema.ts';
import type { Predictor } from './predictor.ts';
import { fitMask } from './preprocess.ts';
import type { Placement } from './preprocess.ts';
import { taskAdapter } from './tasks/index.ts';

/** One listed image, its split and its class in the card's label order. */
export interface LabelledItem {
  /** Path relative to the root, `/` separators. */
  source: string;
  split: Split;
  /** Card label index (classification). */
  label: number;
  /** Mask path relative to the root (segmentation). */
  mask?: string;
}

/** A listed folder. */
export interface LabelledFolder {
  root: string;
  /** Manifest id: SHA-256 over the files, labels and split. */
  datasetHash: string;
  /** Dataset class names in the folder's order (mask ids index this list). */
  classes: string[];
  items: LabelledItem[];
  /** Files left out while listing (and, after {@link preparedBatches}, while decoding). */
  skipped: SkippedFile[];
}

/** Options of {@link listLabelledFolder}. */
export interface ListLabelledOptions {
  /** Split seed and ratios (default: the ones the card records in `training`, see `recordedSplit`). */
  seed?: number;
  ratios?: SplitRatios;
  /** Largest accepted image in pixels (default 50 megapixels). */
  maxPixels?: number;
}

const DEFAULT_MAX_PIXELS = 50_000_000;

/**
 * Lists a classification (`ROOT/<class>/*`) or segmentation (`ROOT/images`, `ROOT/masks`)
 * folder for a model whose task reads labelled images (classify, segment, detect).
 * @throws XQC_INVALID_ARGUMENT for a task without labelled-folder evaluation;
 *   XQC_DATASET_INVALID when a dataset class is not a label of the card
 */
export async function listLabelledFolder(root: string, card: ModelCard, o: ListLabelledOptions = {}): Promise<LabelledFolder> {
  const layout = taskAdapter(card.task).datasetLayout;
  if (layout !== 'classification' && layout !== 'segmentation') {
    throw new XqcError('XQC_INVALID_ARGUMENT', `a ${card.task} model is evaluated on a ${layout} folder, not a classification or segmentation one`);
  }
  const maxPixels = o.maxPixels ?? DEFAULT_MAX_PIXELS;
  // Headers only: every image is decoded once, when it is prepared.
  const read = layout === 'classification' ? readClassificationDataset : readSegmentationDataset;
  const listing = await read(root, { maxPixels, verify: 'header' });
  if (listing.samples.length === 0) throw new XqcError('XQC_DATASET_INVALID', `${root}: no usable images (${listing.skipped.length} skipped)`);
  const missing = listing.classes.filter((l) => !card.labels.includes(l));
  if (missing.length) {
    throw new XqcError('XQC_DATASET_INVALID', `dataset classes ${missing.join(', ')} are not labels of the model (${card.labels.join(', ')})`);
  }
  // The seed and shares the card records from training (70/15/15 for older cards), so the splits match training's.
  const recorded = recordedSplit(card.training);
  const manifest = await buildManifest(listing, { seed: o.seed ?? recorded.seed, ratios: o.ratios ?? recorded.ratios });
  const splitOf = new Map(manifest.files.filter((f) => f.role === 'image').map((f) => [f.path, f.split]));
  const items: LabelledItem[] = [];
  for (const s of listing.samples) {
    const split = splitOf.get(s.image);
    if (!split) continue;
    items.push({ source: s.image, split, label: Math.max(0, card.labels.indexOf(s.label)), mask: s.mask });
  }
  return { root: listing.root, datasetHash: manifest.id, classes: listing.classes, items, skipped: [...listing.skipped] };
}

/** The items of `splits` ('all' for every split), in listing order. */
export function itemsOf(folder: LabelledFolder, split: Split | 'all'): LabelledItem[] {
  const items = split === 'all' ? folder.items : folder.items.filter((i) => i.split === split);
  if (items.length === 0) throw new XqcError('XQC_DATASET_INVALID', `the ${split} split of ${folder.root} is empty`);
  return items;
}

/** One prepared batch. */
export interface PreparedBatch {
  items: LabelledItem[];
  /** [n, C, H, W] float32 from {@link Predictor.prepare}. */
  tensor: Tensor<'float32'>;
  placements: Placement[];
  /** Class-id masks (card label order) at model-input size; 255 marks padding outside the image. */
  masks?: Uint8Array[];
}

/** Mask value of model-input pixels that lie outside the placed image (letterbox padding). */
export const MASK_IGNORE = 255;

/**
 * Decodes `items` `batchSize` at a time (each image once) and prepares them with the
 * predictor's card. Images that fail to decode are appended to `folder.skipped` and left out.
 */
export async function* preparedBatches(predictor: Predictor, folder: LabelledFolder, items: readonly LabelledItem[], batchSize = 16, maxPixels = DEFAULT_MAX_PIXELS): AsyncGenerator<PreparedBatch> {
  const card = predictor.card;
  const maskClass = folder.classes.map((c) => Math.max(0, card.labels.indexOf(c)));
  for (let s = 0; s < items.length; s += batchSize) {
    const chunk = items.slice(s, s + batchSize);
    const loaded = await mapLimit(chunk, 4, async (item): Promise<{ item: LabelledItem; image: ImageU8; mask?: ImageU8 } | undefined> => {
      try {
        const image = await decodeImage(await readFile(join(folder.root, item.source)), { maxPixels });
        if (!item.mask) return { item, image };
        const mask = await loadMask(join(folder.root, item.mask), maxPixels);
        if (typeof mask === 'string') throw new XqcError('XQC_IMAGE_INVALID', mask);
        return { item, image, mask };
      } catch (e) {
        if (!isXqcError(e)) throw e;
        folder.skipped.push({ path: item.source, reason: e.message });
        return undefined;
      }
    });
    const ok = loaded.filter((l) => l !== undefined);
    if (ok.length === 0) continue;
    const { tensor, placements } = predictor.prepare(ok.map((l) => l.image));
    const masks = ok.every((l) => l.mask)
      ? ok.map((l, i) => {
          const m = fitMask(l.mask as ImageU8, placements[i], card.input, MASK_IGNORE);
          for (let p = 0; p < m.length; p++) if (m[p] !== MASK_IGNORE) m[p] = maskClass[Math.min(m[p], maskClass.length - 1)];
          return m;
        })
      : undefined;
    yield { items: ok.map((l) => l.item), tensor, placements, masks };
  }
}

/**
 * Classifier logits of `items` through the predictor (its card's preprocessing), as
 * float64 rows in item order, with the items' labels. Skipped items are left out.
 * @returns logits [n*K] row-major, labels [n], sources [n]
 */
export async function classifierLogits(predictor: Predictor, folder: LabelledFolder, items: readonly LabelledItem[], batchSize = 32): Promise<{ logits: Float64Array; labels: Int32Array; sources: string[] }> {
  const k = predictor.card.labels.length;
  const rows: Float64Array[] = [];
  const labels: number[] = [];
  const sources: string[] = [];
  for await (const batch of preparedBatches(predictor, folder, items, batchSize)) {
    const out = await predictor.forward(batch.tensor);
    if (out.dims.length !== 2 || out.dims[1] !== k) {
      throw new XqcError('XQC_SHAPE_MISMATCH', `model gives output [${out.dims.join(', ')}], the card has ${k} labels (expected [N, ${k}])`);
    }
    rows.push(Float64Array.from(out.data as Float32Array));
    for (const item of batch.items) {
      labels.push(item.label);
      sources.push(item.source);
    }
  }
  const logits = new Float64Array(labels.length * k);
  rows.reduce((at, r) => (logits.set(r, at), at + r.length), 0);
  return { logits, labels: Int32Array.from(labels), sources };
}
