/**
 * Fitting PatchCore from good images only: extract patch features of the good training
 * images, keep a greedy k-center coreset of them as the memory bank, then score held-out
 * validation images to set the image and pixel thresholds and the normalisation.
 *
 * With a tiled input (`resize: 'tile'`, `tiling.ts`) every good training image gives all
 * its tiles to the bank, and validation images are scored tile by tile and stitched
 * (`tiled-scoring.ts`), so thresholds are set on maps at each image's original size, where
 * the validation masks are (`anomaly-data.ts` keeps them so).
 */
import { XqcError } from '../../errors.ts';
import type { ImageU8 } from '../../image/image.types.ts';
import { writeNpy } from '../../io/npy.ts';
import type { Model } from '../../onnx/ir.ts';
import { saveModel } from '../../onnx/model-io.ts';
import { tensor } from '../../onnx/tensor.ts';
import { defaultSessionCache } from '../../runtime/session.ts';
import type { SessionCache, SessionOptions } from '../../runtime/session.ts';
import type { InputSpec } from '../card.ts';
import { preprocess } from '../preprocess.ts';
import type { AnomalyConfig } from './artifact.ts';
import { ANOMALY_FILES, ANOMALY_FORMAT, ANOMALY_FORMAT_VERSION, sha256Hex } from './artifact.ts';
import { greedyCoreset } from './coreset.ts';
import { buildFeatureExtractor, FEATURES_OUTPUT } from './feature-head.ts';
import { chooseFeatureLayers } from './feature-layers.ts';
import { onnxRowProjector } from './kernel-model.ts';
import { defaultSigma, featureRows, PatchCoreScorer } from './scorer.ts';
import type { ScoringConfig } from './scorer.ts';
import { chooseThreshold, normalisationFor } from './thresholds.ts';
import { resolutionWarnings } from './resolution-check.ts';
import type { ResolutionSummary } from './resolution-check.ts';
import { modelInputsOf, prepareTiles, scoreImagesAs } from './tiled-scoring.ts';
import { DEFAULT_TILE_OVERLAP, tileGrid, tileWorkingSize } from './tiling.ts';

/** A validation defect image, with its defect mask at model resolution (tiled: the image's size) (1 = defect) when known. */
export interface DefectSample {
  image: ImageU8;
  mask?: Uint8Array;
}

/** Images to fit on: good training images for the bank, held-out images for the thresholds. */
export interface FitData {
  train: readonly ImageU8[];
  validation: { good: readonly ImageU8[]; defects: readonly DefectSample[] };
  /** How much the images shrink and how large their defects are (`anomaly-data.ts`): adds the warning of `resolution-check.ts`. */
  resolution?: ResolutionSummary;
}

/** Options of {@link fitPatchCore}. */
export interface FitPatchCoreOptions {
  backbone: Model;
  /** SHA-256 of the backbone file (recorded in anomaly.json) and its file name. */
  backboneSha256: string;
  backboneSource: string;
  /** How images become the input (size, colour, mean/std); `name` defaults to the backbone's input. */
  input: InputSpec;
  /** Feature layers by value name (default: automatic, see `feature-layers.ts`). */
  layers?: string[];
  /** Target feature dimension (default min(channels, 1024)). */
  dim?: number;
  /** Coreset sampling ratio (default 0.1). */
  coresetRatio?: number;
  /** Random projection dimension of the coreset selection (default 128). */
  projectionDim?: number;
  seed?: number;
  scoring?: Partial<ScoringConfig>;
  /** Quantile of the good validation scores for the thresholds (default 0.99). */
  quantile?: number;
  batchSize?: number;
  cache?: SessionCache;
  session?: SessionOptions;
  onProgress?: (phase: 'features' | 'coreset' | 'validation', done: number, total: number) => void;
}

/** A fitted detector in memory, with the bytes of its files and what fitting measured. */
export interface FitResult {
  config: AnomalyConfig;
  featureModel: Model;
  featureBytes: Uint8Array;
  /** [M, D] float32. */
  bank: Float32Array;
  bankBytes: Uint8Array;
  scorer: PatchCoreScorer;
  validation: { goodScores: Float64Array; defectScores: Float64Array };
  seconds: { features: number; projection: number; selection: number; validation: number; total: number };
  warnings: string[];
}

/**
 * Fits PatchCore.
 * @throws XQC_DATASET_INVALID without good training or validation images; XQC_ANOMALY
 *   when the backbone has no usable spatial layer
 */
export async function fitPatchCore(data: FitData, o: FitPatchCoreOptions): Promise<FitResult> {
  if (data.train.length === 0) throw new XqcError('XQC_DATASET_INVALID', 'PatchCore needs at least one good training image');
  if (data.validation.good.length === 0) throw new XqcError('XQC_DATASET_INVALID', 'PatchCore needs at least one good validation image to set its thresholds');
  const t0 = performance.now();
  const size: [number, number] = [o.input.height, o.input.width];
  const layers = chooseFeatureLayers(o.backbone, size, o.layers);
  const fe = buildFeatureExtractor(o.backbone, layers, size, o.dim);
  const input: InputSpec = { ...o.input, name: fe.inputName };
  const featureBytes = saveModel(fe.model);
  const cache = o.cache ?? defaultSessionCache;
  const session = await cache.get(featureBytes, o.session);
  const batch = o.batchSize ?? 8;
  const [h, w] = fe.grid;
  const perImage = h * w;
  const tiled = input.resize === 'tile';
  const inputsPer = data.train.map((img) => (tiled ? tileCount(img, input) : 1));
  const inputs = inputsPer.reduce((a, b) => a + b, 0);
  const patches = inputs * perImage;
  const rows = new Float32Array(patches * fe.dim);
  let done = 0;
  let pending: ImageU8[] = [];
  let images = 0;
  const flush = async (): Promise<void> => {
    const x = tiled ? prepareTiles(pending, input) : preprocess(pending, input).tensor;
    const out = await session.run({ [fe.inputName]: x }, [FEATURES_OUTPUT]);
    rows.set(featureRows(out[FEATURES_OUTPUT]), done * perImage * fe.dim);
    done += pending.length;
    pending = [];
    o.onProgress?.('features', images, data.train.length);
  };
  for (const img of data.train) {
    for (const x of modelInputsOf(img, input)) {
      pending.push(x);
      if (pending.length === batch) await flush();
    }
    images++;
  }
  if (pending.length > 0) await flush();
  const t1 = performance.now();

  const ratio = o.coresetRatio ?? 0.1;
  const seed = o.seed ?? 0;
  const projectionDim = o.projectionDim ?? 128;
  o.onProgress?.('coreset', 0, 1);
  const coreset = await greedyCoreset(rows, patches, fe.dim, { ratio, seed, projectionDim, project: onnxRowProjector({ cache, session: o.session }) });
  o.onProgress?.('coreset', 1, 1);
  const m = coreset.indices.length;
  const bank = new Float32Array(m * fe.dim);
  coreset.indices.forEach((r, i) => bank.set(rows.subarray(r * fe.dim, (r + 1) * fe.dim), i * fe.dim));
  const bankBytes = writeNpy(tensor('float32', [m, fe.dim], bank));
  const t2 = performance.now();

  const scoring: ScoringConfig = {
    imageScore: o.scoring?.imageScore ?? 'reweighted',
    neighbours: o.scoring?.neighbours ?? 9,
    sigma: o.scoring?.sigma ?? defaultSigma(size[0], size[1]),
  };
  const scorer = await PatchCoreScorer.create({ featureModel: fe.model, inputName: fe.inputName, size, bank, dim: fe.dim, scoring }, { cache, session: o.session });
  const total = data.validation.good.length + data.validation.defects.length;
  const scoreAll = async (images: readonly ImageU8[], offset: number): Promise<{ scores: Float64Array; maps: Float32Array[] }> => {
    const scores: number[] = [];
    const maps: Float32Array[] = [];
    for (let i = 0; i < images.length; i += batch) {
      const r = await scoreImagesAs(scorer, images.slice(i, i + batch), input, batch);
      scores.push(...r.scores);
      maps.push(...r.maps.map((m) => m.data));
      o.onProgress?.('validation', offset + i + r.scores.length, total);
    }
    return { scores: Float64Array.from(scores), maps };
  };
  const good = await scoreAll(data.validation.good, 0);
  const defect = await scoreAll(data.validation.defects.map((s) => s.image), data.validation.good.length);
  const quantile = o.quantile ?? 0.99;
  const imageThreshold = chooseThreshold(good.scores, defect.scores, { quantile, what: 'image' });
  const pixels = pixelSamples(good.maps, defect.maps, data.validation.defects);
  const pixelThreshold = chooseThreshold(pixels.good, pixels.defect, { quantile, what: 'pixel', extraNegatives: pixels.background });
  const t3 = performance.now();

  const config: AnomalyConfig = {
    format: ANOMALY_FORMAT,
    version: ANOMALY_FORMAT_VERSION,
    createdAt: new Date().toISOString(),
    input,
    backbone: { source: o.backboneSource, sha256: o.backboneSha256, layers },
    features: {
      file: ANOMALY_FILES.features,
      sha256: sha256Hex(featureBytes),
      output: FEATURES_OUTPUT,
      grid: fe.grid,
      concatChannels: fe.concatChannels,
      dim: fe.dim,
      aggregation: 'avg-pool-3x3',
      projection: fe.projection,
    },
    bank: { file: ANOMALY_FILES.bank, sha256: sha256Hex(bankBytes), size: m, dim: fe.dim, sourcePatches: patches, coreset: { ratio, seed, projectionDim: coreset.projectedDim } },
    scoring,
    thresholds: { image: imageThreshold, pixel: pixelThreshold },
    normalisation: { image: normalisationFor(imageThreshold.value, good.scores), pixel: normalisationFor(pixelThreshold.value, pixels.good) },
  };
  return {
    config,
    featureModel: fe.model,
    featureBytes,
    bank,
    bankBytes,
    scorer,
    validation: { goodScores: good.scores, defectScores: defect.scores },
    seconds: {
      features: (t1 - t0) / 1000,
      projection: coreset.seconds.projection,
      selection: coreset.seconds.selection,
      validation: (t3 - t2) / 1000,
      total: (t3 - t0) / 1000,
    },
    warnings: [...imageThreshold.warnings, ...pixelThreshold.warnings, ...(data.resolution ? resolutionWarnings(data.resolution, size[0] / fe.grid[0]) : [])],
  };
}

/** Tiles of an image under a tiled input spec (from the sizes alone). */
function tileCount(image: ImageU8, spec: InputSpec): number {
  const size = tileWorkingSize(image.width, image.height, spec.width, spec.height, spec.tileScale);
  return tileGrid(size.width, size.height, spec.width, spec.height, spec.tileOverlap ?? DEFAULT_TILE_OVERLAP).tiles.length;
}

/**
 * Pixel values for the pixel threshold: every pixel of the good maps, and of defect maps
 * that have a mask, the defect pixels and the defect-free ones apart.
 */
function pixelSamples(goodMaps: Float32Array[], defectMaps: Float32Array[], defects: readonly DefectSample[]): { good: Float32Array; defect: Float32Array; background: Float32Array } {
  const good = new Float32Array(goodMaps.reduce((s, m) => s + m.length, 0));
  goodMaps.reduce((at, m) => (good.set(m, at), at + m.length), 0);
  let nDefect = 0;
  let nBackground = 0;
  defects.forEach((s, i) => {
    if (!s.mask) return;
    if (s.mask.length !== defectMaps[i].length) throw new XqcError('XQC_SHAPE_MISMATCH', `defect mask ${i} has ${s.mask.length} pixels, its map ${defectMaps[i].length}`);
    for (const v of s.mask) if (v) nDefect++;
    nBackground += s.mask.length;
  });
  nBackground -= nDefect;
  const defect = new Float32Array(nDefect);
  const background = new Float32Array(nBackground);
  let a = 0;
  let b = 0;
  defects.forEach((s, i) => {
    if (!s.mask) return;
    const map = defectMaps[i];
    for (let p = 0; p < map.length; p++) {
      if (s.mask[p]) defect[a++] = map[p];
      else background[b++] = map[p];
    }
  });
  return { good, defect, background };
}
