/**
 * Loading an anomaly dataset folder (anomalib's folder layout: `ROOT/good/`,
 * `ROOT/<defect>/`, optional `ROOT/masks/<defect>/<stem>.png`) for PatchCore: versioned by
 * content hash with the seeded stratified split of `data/manifest.ts`, each image decoded
 * once and fitted to the model input by the card's own preprocessing ({@link fitImage}:
 * colour order, stretch or letterbox, alpha dropped), masks placed the same way
 * ({@link fitMask}, nearest neighbour) and made binary. A fitted image passes through
 * `preprocess` unchanged in size and colour, so the detector sees exactly what
 * `Predictor.prepare` makes of the original file. With `resize: 'tile'` images keep their
 * own size (only the model's channel count is applied) and masks stay as annotated: the
 * detector scales and tiles each image itself and gives maps at its original size
 * (`tiled-scoring.ts`). The defect regions of the masks are measured at original resolution for
 * the warning of `resolution-check.ts`.
 *
 * Images of mixed sizes are accepted; how many were resized and which original sizes
 * were seen is reported, so a caller can say so. Corrupt files are skipped and listed.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readAnomalyDataset } from '../../data/anomaly-format.ts';
import type { SkippedFile } from '../../data/dataset.types.ts';
import { loadMask } from '../../data/format-common.ts';
import { mapLimit } from '../../data/image-files.ts';
import { readLabelsFile } from '../../data/labels-file.ts';
import { buildManifest } from '../../data/manifest.ts';
import type { DatasetManifest } from '../../data/manifest.ts';
import type { Split, SplitRatios } from '../../data/split.ts';
import { XqcError, isXqcError } from '../../errors.ts';
import { decodeImageWithFormat } from '../../image/image-decode.ts';
import type { ImageU8 } from '../../image/image.types.ts';
import type { InputSpec } from '../card.schema.ts';
import { fitImage, fitMask } from '../preprocess.ts';
import type { Placement } from '../preprocess.ts';
import { defectExtents, summariseResolution } from './resolution-check.ts';
import type { ResolutionSummary } from './resolution-check.ts';
import { tileWorkingSize, toModelChannels } from './tiling.ts';

/** One loaded image of an anomaly folder, fitted to the model input. */
export interface AnomalySample {
  /** Path relative to the root. */
  source: string;
  label: string;
  /** True for the good label. */
  good: boolean;
  image: ImageU8;
  /** Binary defect mask (1 = defect) at model size (tiled: the image's own size), placed like the image, when the folder has one. */
  mask?: Uint8Array;
}

/** The placement of an image kept at its own size. */
function identity(img: ImageU8): Placement {
  return { width: img.width, height: img.height, offsetX: 0, offsetY: 0, innerWidth: img.width, innerHeight: img.height };
}

/** Where a tiled card takes an image: its working size (`tiling.ts`). */
function tiledPlacement(img: ImageU8, spec: InputSpec): Placement {
  const size = tileWorkingSize(img.width, img.height, spec.width, spec.height, spec.tileScale);
  return { ...identity(img), innerWidth: size.width, innerHeight: size.height };
}

/** What {@link loadAnomalyFolder} loaded. */
export interface AnomalyFolderData {
  root: string;
  manifest: DatasetManifest;
  goodLabel: string;
  skipped: SkippedFile[];
  splits: Record<Split, AnomalySample[]>;
  /** Images whose size differed from the model input and were resized (tiled: that are scaled before tiling). */
  resized: number;
  /** Distinct original sizes, `WxH`, sorted. */
  sizes: string[];
  /** How much the images shrink and how large their defects are, for `resolution-check.ts`. */
  resolution: ResolutionSummary;
  /** Distinct sample depths seen, sorted: `8-bit`, or `16-bit/<significant bits>` (`image-decode.ts`). */
  depths: string[];
}

/** Options of {@link loadAnomalyFolder}. */
export interface LoadAnomalyOptions {
  /** How images become model inputs (the detector's card input). */
  input: InputSpec;
  /** Split seed (default 0) and ratios (default 70/15/15, stratified by label). */
  seed?: number;
  ratios?: SplitRatios;
  maxPixels?: number;
}

/**
 * Loads an anomaly folder.
 * @throws XQC_DATASET_INVALID when the folder has no usable good image
 */
export async function loadAnomalyFolder(root: string, o: LoadAnomalyOptions): Promise<AnomalyFolderData> {
  const maxPixels = o.maxPixels ?? 50_000_000;
  const listing = await readAnomalyDataset(root, { maxPixels });
  const goodLabel = (await readLabelsFile(listing.root))?.goodLabel ?? 'good';
  if (!listing.samples.some((s) => s.label === goodLabel)) {
    throw new XqcError('XQC_DATASET_INVALID', `${listing.root} has no usable good images (expected ROOT/${goodLabel}/*.png; ${listing.skipped.length} file(s) skipped); PatchCore learns from good images only`);
  }
  const manifest = await buildManifest(listing, { seed: o.seed ?? 0, ratios: o.ratios });
  const splitOf = new Map(manifest.files.filter((f) => f.role === 'image').map((f) => [f.path, f.split]));
  const skipped = [...listing.skipped];
  const sizes = new Set<string>();
  const depths = new Set<string>();
  const placements: Placement[] = [];
  const extents: number[][] = [];
  let resized = 0;
  const loaded = await mapLimit(listing.samples, 4, async (s): Promise<AnomalySample | undefined> => {
    try {
      const decoded = await decodeImageWithFormat(await readFile(join(listing.root, s.image)), { maxPixels });
      const img = decoded.image;
      depths.add(decoded.depth.bits === 8 ? '8-bit' : `16-bit/${decoded.depth.significantBits}`);
      sizes.add(`${img.width}x${img.height}`);
      const tiled = o.input.resize === 'tile';
      const { image, placement } = tiled ? { image: toModelChannels(img, o.input), placement: identity(img) } : fitImage(img, o.input);
      // Where the model's pixels fall on the original: for tiles, the working size.
      const seen = tiled ? tiledPlacement(img, o.input) : placement;
      if (seen.innerWidth !== img.width || seen.innerHeight !== img.height) resized++;
      let mask: Uint8Array | undefined;
      if (s.mask) {
        const m = await loadMask(join(listing.root, s.mask), maxPixels);
        if (typeof m === 'string') throw new XqcError('XQC_IMAGE_INVALID', m);
        mask = Uint8Array.from(fitMask(m, placement, tiled ? img : o.input), (v) => (v > 0 ? 1 : 0));
        if (m.width === img.width && m.height === img.height) extents.push(defectExtents(m, seen));
      }
      placements.push(seen);
      return { source: s.image, label: s.label, good: s.label === goodLabel, image, mask };
    } catch (e) {
      if (!isXqcError(e)) throw e;
      skipped.push({ path: s.image, reason: e.message });
      return undefined;
    }
  });
  const splits: Record<Split, AnomalySample[]> = { train: [], val: [], test: [] };
  loaded.forEach((sample, i) => {
    const split = sample ? splitOf.get(listing.samples[i].image) : undefined;
    if (sample && split) splits[split].push(sample);
  });
  return { root: listing.root, manifest, goodLabel, skipped, splits, resized, sizes: [...sizes].sort(), resolution: summariseResolution(placements, extents), depths: [...depths].sort() };
}
