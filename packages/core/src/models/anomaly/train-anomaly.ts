/**
 * A whole PatchCore run from a dataset folder to a shipped detector folder: load and
 * version the data, fit on the good training images (thresholds from the validation
 * split, its defect images included when there are any; the training split's defect
 * images are not used, since the F1-optimal threshold depends on the share of defects and
 * the validation split keeps the dataset's), measure on the test split, and write the
 * artifacts of `artifact.ts`, `model_card.yaml` (task `anomaly`, measured figures) and
 * `run.json`.
 *
 * Preprocessing comes from the backbone's own card (`model_card.yaml` beside it) when it
 * has one: colour order, mean and std, and the input size unless `size` is given; else
 * RGB with ImageNet statistics at 224 px.
 */
import { randomUUID } from 'node:crypto';
import { access, mkdir, readFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { XqcError } from '../../errors.ts';
import { writeFileAtomic } from '../../io/atomic-write.ts';
import { IMAGENET_NORMALIZE } from '../../image/image-tensor.ts';
import { loadModel, saveModel } from '../../onnx/model-io.ts';
import type { Model } from '../../onnx/ir.ts';
import type { SessionCache, SessionOptions } from '../../runtime/session.ts';
import type { InputSpec, ModelCard } from '../card.ts';
import { DEFAULT_SEVERITY, parseInputSpec, readModelCard, writeModelCard } from '../card.ts';
import { loadAnomalyFolder } from './anomaly-data.ts';
import type { AnomalyFolderData } from './anomaly-data.ts';
import { ANOMALY_FILES, sha256Hex } from './artifact.ts';
import type { AnomalyConfig } from './artifact.ts';
import { AnomalyDetector } from './detector.ts';
import { evaluateAnomaly } from './evaluate-anomaly.ts';
import type { AnomalyReport } from './evaluate-anomaly.ts';
import { buildDetectorModel, DETECTOR_OUTPUTS } from './export-onnx.ts';
import { fitPatchCore } from './fit.ts';
import type { FitPatchCoreOptions } from './fit.ts';
import { fittedImageHashes } from './fit-overlap.ts';
import type { SplitRatios } from '../../data/split.ts';

/** Options of {@link trainAnomaly}. */
export interface TrainAnomalyOptions {
  /** Anomaly dataset folder. */
  data: string;
  /** Output folder (created). */
  out: string;
  /** Backbone ONNX file. */
  backbone: string;
  name?: string;
  /** Feature layers by value name (default automatic). */
  layers?: string[];
  /** Coreset sampling ratio (default 0.1). */
  coreset?: number;
  /** Square input size in pixels (default: the backbone card's, else 224); with `resize: 'tile'` the tile size. */
  size?: number;
  /**
   * How images become inputs (default: the backbone card's, else 'stretch'). 'tile' keeps
   * the aspect ratio and cuts each image into overlapping tiles of the input size
   * (`tiling.ts`): `tileOverlap` (default 0.25), `tileScale` (default 1, native resolution).
   */
  resize?: InputSpec['resize'];
  tileOverlap?: number;
  tileScale?: number;
  seed?: number;
  /** Shares of each label in train, val and test (default 70/15/15; test 0 for a separate test folder). */
  ratios?: SplitRatios;
  /** Quantile of good validation scores for the thresholds (default 0.99). */
  quantile?: number;
  imageScore?: 'reweighted' | 'max';
  dim?: number;
  batchSize?: number;
  codeVersion?: string;
  cache?: SessionCache;
  session?: SessionOptions;
  onProgress?: FitPatchCoreOptions['onProgress'];
  /** Measure the test split after fitting (default true; the combined method measures its own). */
  evaluateTest?: boolean;
}

/** The `run.json` record of an anomaly run. */
export interface AnomalyRunRecord {
  id: string;
  name: string;
  task: 'anomaly';
  startedAt: string;
  finishedAt: string;
  backbone: { path: string; sha256: string; layers: string[] };
  params: { coreset: number; size: number; seed: number; quantile: number; imageScore: string; dim: number; resize: InputSpec['resize']; tileOverlap?: number; tileScale?: number };
  dataset: {
    root: string;
    hash: string;
    counts: Record<'train' | 'val' | 'test', { good: number; defect: number }>;
    skipped: { path: string; reason: string }[];
    resized: number;
    sizes: string[];
    /** Sample depths seen (`anomaly-data.ts`). */
    depths: string[];
    ratios?: SplitRatios;
    /** SHA-256 of every image used in fitting (train good, all val), for `evaluate` to tell held-out figures from optimistic ones. */
    fitted: string[];
  };
  bank: { size: number; sourcePatches: number };
  thresholds: AnomalyConfig['thresholds'];
  seconds: { features: number; projection: number; selection: number; validation: number; total: number };
  test?: AnomalyReport;
  warnings: string[];
  codeVersion: string;
  artifacts: string[];
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

/** The input spec for `backbone`: from its card when present, else RGB with ImageNet mean/std; `size` overrides the size. */
export async function backboneInputSpec(backbonePath: string, model: Model, size?: number): Promise<InputSpec> {
  const cardPath = join(dirname(backbonePath), ANOMALY_FILES.card);
  const card = (await exists(cardPath)) ? await readModelCard(cardPath) : undefined;
  const declared = model.graph.inputs.find((i) => !model.graph.initializers.has(i.name))?.shape;
  const fixed = (v: unknown): number | undefined => (typeof v === 'number' && v > 0 ? v : undefined);
  const height = size ?? card?.input.height ?? fixed(declared?.[2]) ?? 224;
  const width = size ?? card?.input.width ?? fixed(declared?.[3]) ?? 224;
  if (!(Number.isInteger(height) && Number.isInteger(width) && height >= 8 && width >= 8)) {
    throw new XqcError('XQC_INVALID_ARGUMENT', `input size must be an integer of at least 8 pixels, got ${height}x${width}`);
  }
  return card
    ? { ...card.input, height, width }
    : { height, width, resize: 'stretch', layout: 'NCHW', color: 'rgb', mean: [...IMAGENET_NORMALIZE.mean], std: [...IMAGENET_NORMALIZE.std] };
}

/** The backbone's input spec with the run's resize mode and tiling settings, when given. */
function withResize(spec: InputSpec, o: Pick<TrainAnomalyOptions, 'resize' | 'tileOverlap' | 'tileScale'>): InputSpec {
  const resize = o.resize ?? spec.resize;
  if (resize !== 'tile' && (o.tileOverlap !== undefined || o.tileScale !== undefined)) {
    throw new XqcError('XQC_INVALID_ARGUMENT', `tileOverlap and tileScale apply to resize 'tile', not '${resize}'`);
  }
  const out: InputSpec = { ...spec, resize };
  if (resize !== 'tile') {
    delete out.tileOverlap;
    delete out.tileScale;
    return out;
  }
  if (o.tileOverlap !== undefined) out.tileOverlap = o.tileOverlap;
  if (o.tileScale !== undefined) out.tileScale = o.tileScale;
  return parseInputSpec(out);
}

/** Good and defect images per split of an anomaly folder (run.json `dataset.counts`). */
export function countsOf(d: AnomalyFolderData): AnomalyRunRecord['dataset']['counts'] {
  const c = (split: 'train' | 'val' | 'test') => ({ good: d.splits[split].filter((s) => s.good).length, defect: d.splits[split].filter((s) => !s.good).length });
  return { train: c('train'), val: c('val'), test: c('test') };
}

/**
 * Fits PatchCore on `o.data` and writes the detector folder `o.out`.
 * @throws XQC_DATASET_INVALID without good training or validation images (see the splits);
 *   XQC_ANOMALY for a backbone without a usable spatial layer; XQC_IO
 */
export async function trainAnomaly(o: TrainAnomalyOptions): Promise<AnomalyRunRecord> {
  const startedAt = new Date().toISOString();
  let backboneBytes: Uint8Array;
  try {
    backboneBytes = await readFile(o.backbone);
  } catch (e) {
    throw new XqcError('XQC_IO', `cannot read backbone ${o.backbone}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { cause: e });
  }
  const backbone = loadModel(backboneBytes);
  const input = withResize(await backboneInputSpec(o.backbone, backbone, o.size), o);
  const seed = o.seed ?? 0;
  const data = await loadAnomalyFolder(o.data, { input, seed, ratios: o.ratios });
  const warnings: string[] = [];
  if (input.resize === 'tile') {
    if (data.resized > 0) warnings.push(`${data.resized} image(s) are scaled before tiling (aspect kept): by tileScale ${input.tileScale ?? 1}, or up to the ${input.width}x${input.height} tile where a side is shorter`);
  } else if (data.sizes.length > 1) warnings.push(`images come in ${data.sizes.length} sizes (${data.sizes.slice(0, 5).join(', ')}${data.sizes.length > 5 ? ', ...' : ''}); all ${data.resized} not of ${input.width}x${input.height} were resized to it`);
  else if (data.resized > 0) warnings.push(`${data.resized} image(s) of ${data.sizes[0]} were resized to ${input.width}x${input.height}`);
  const wide = data.depths.filter((d) => d.startsWith('16-bit/'));
  if (wide.length > 1) warnings.push(`16-bit images were mapped to 8 bits with different significant bits (${wide.map((d) => d.slice(7)).join(', ')}), each by its own largest sample, so their brightness is not comparable; store them with one depth`);
  const train = data.splits.train.filter((s) => s.good).map((s) => s.image);
  const validationGood = data.splits.val.filter((s) => s.good).map((s) => s.image);
  // Only the val split's defects: F1 depends on prevalence, and the val split keeps the dataset's.
  const defects = data.splits.val.filter((s) => !s.good).map((s) => ({ image: s.image, mask: s.mask }));
  if (train.length === 0 || validationGood.length === 0) {
    const n = train.length + validationGood.length + data.splits.test.filter((s) => s.good).length;
    throw new XqcError('XQC_DATASET_INVALID', `${data.root}: ${n} good image(s) leave ${train.length} for the bank and ${validationGood.length} for the thresholds; add good images (at least 4 with the 70/15/15 split)`);
  }
  const quantile = o.quantile ?? 0.99;
  const fit = await fitPatchCore(
    { train, validation: { good: validationGood, defects }, resolution: data.resolution },
    {
      backbone,
      backboneSha256: sha256Hex(backboneBytes),
      backboneSource: basename(o.backbone),
      input,
      layers: o.layers,
      dim: o.dim,
      coresetRatio: o.coreset,
      seed,
      scoring: o.imageScore ? { imageScore: o.imageScore } : undefined,
      quantile,
      batchSize: o.batchSize,
      cache: o.cache,
      session: o.session,
      onProgress: o.onProgress,
    },
  );
  warnings.push(...fit.warnings);
  const detectorBytes = saveModel(buildDetectorModel(fit.featureModel, fit.bank, fit.config));
  const config: AnomalyConfig = { ...fit.config, export: { file: ANOMALY_FILES.model, sha256: sha256Hex(detectorBytes), outputs: Object.values(DETECTOR_OUTPUTS) } };
  const detector = await AnomalyDetector.create(config, fit.featureModel, fit.bank, { cache: o.cache, session: o.session });
  const testSamples = data.splits.test.map((s) => ({ image: s.image, good: s.good, mask: s.mask }));
  const test = testSamples.length > 0 && o.evaluateTest !== false ? await evaluateAnomaly(detector, testSamples, o.batchSize) : undefined;

  await mkdir(o.out, { recursive: true });
  const name = o.name ?? basename(resolve(o.out));
  const id = randomUUID();
  await writeFileAtomic(join(o.out, ANOMALY_FILES.features), fit.featureBytes);
  await writeFileAtomic(join(o.out, ANOMALY_FILES.bank), fit.bankBytes);
  await writeFileAtomic(join(o.out, ANOMALY_FILES.model), detectorBytes);
  await writeFileAtomic(join(o.out, ANOMALY_FILES.config), `${JSON.stringify(config, null, 2)}\n`);
  await writeModelCard(join(o.out, ANOMALY_FILES.card), anomalyCard(name, id, config, data, fit.seconds.total, test, o));
  const record: AnomalyRunRecord = {
    id,
    name,
    task: 'anomaly',
    startedAt,
    finishedAt: new Date().toISOString(),
    backbone: { path: resolve(o.backbone), sha256: config.backbone.sha256, layers: config.backbone.layers.map((l) => l.name) },
    params: { coreset: config.bank.coreset.ratio, size: input.height, seed, quantile, imageScore: config.scoring.imageScore, dim: config.features.dim, resize: input.resize, tileOverlap: input.tileOverlap, tileScale: input.tileScale },
    dataset: { root: data.root, hash: data.manifest.id, counts: countsOf(data), skipped: data.skipped, resized: data.resized, sizes: data.sizes, depths: data.depths, ratios: data.manifest.split?.ratios, fitted: fittedImageHashes(data) },
    bank: { size: config.bank.size, sourcePatches: config.bank.sourcePatches },
    thresholds: config.thresholds,
    seconds: fit.seconds,
    test,
    warnings,
    codeVersion: o.codeVersion ?? 'unknown',
    artifacts: [ANOMALY_FILES.features, ANOMALY_FILES.bank, ANOMALY_FILES.model, ANOMALY_FILES.config, ANOMALY_FILES.card, 'run.json'],
  };
  await writeFileAtomic(join(o.out, 'run.json'), `${JSON.stringify(record, null, 2)}\n`);
  return record;
}

/** The test figures of a card's `metrics`, rounded to four decimals. */
/**
 * The parts of an anomaly detector's model card every method shares: name, task, labels,
 * input, the normalised thresholds and default severity, the dataset and the test figures.
 * Each method adds its own `training`, `intendedUse` and `limitations`.
 */
export function anomalyCardBase(
  name: string,
  input: InputSpec,
  dataset: { root: string; hash: string; counts: AnomalyRunRecord['dataset']['counts'] },
  test: AnomalyReport | undefined,
): Omit<ModelCard, 'training' | 'intendedUse' | 'limitations'> {
  const { counts } = dataset;
  return {
    name,
    version: '1.0.0',
    task: 'anomaly',
    labels: ['good', 'anomaly'],
    goodLabels: ['good'],
    input,
    outputs: {},
    explain: {},
    thresholds: { reject: 0.5, pixel: 0.5, minAreaPixels: 4 },
    severity: [...DEFAULT_SEVERITY],
    dataset: { name: basename(dataset.root), hash: dataset.hash, split: { train: counts.train.good, val: counts.val.good + counts.val.defect, test: counts.test.good + counts.test.defect } },
    metrics: roundedReport(test),
  };
}

export function roundedReport(r: AnomalyReport | undefined): Record<string, unknown> | undefined {
  if (!r) return undefined;
  const round = (v: number | null): number | null => (v === null ? null : Math.round(v * 1e4) / 1e4);
  return {
    split: 'test',
    count: r.count,
    imageAuroc: round(r.imageAuroc),
    pixelAuroc: round(r.pixelAuroc),
    pro: round(r.pro),
    f1: round(r.f1),
    precision: round(r.precision),
    recall: round(r.recall),
    falseRejectRate: round(r.falseRejectRate),
    escapeRate: round(r.escapeRate),
    pixelF1: round(r.pixelF1),
    notes: r.notes,
  };
}

function anomalyCard(name: string, runId: string, c: AnomalyConfig, d: AnomalyFolderData, fitSeconds: number, test: AnomalyReport | undefined, o: TrainAnomalyOptions): ModelCard {
  return {
    ...anomalyCardBase(name, c.input, { root: d.root, hash: d.manifest.id, counts: countsOf(d) }, test),
    training: {
      runId,
      method: 'patchcore',
      seed: c.bank.coreset.seed,
      splitRatios: d.manifest.split?.ratios,
      backbone: c.backbone.source,
      backboneSha256: c.backbone.sha256,
      layers: c.backbone.layers.map((l) => l.name),
      featureDim: c.features.dim,
      bankSize: c.bank.size,
      coresetRatio: c.bank.coreset.ratio,
      imageScore: c.scoring.imageScore,
      imageThreshold: { source: c.thresholds.image.source, value: c.thresholds.image.value },
      pixelThreshold: { source: c.thresholds.pixel.source, value: c.thresholds.pixel.value },
      fitSeconds: Math.round(fitSeconds * 100) / 100,
      codeVersion: o.codeVersion ?? 'unknown',
    },
    intendedUse: `Unsupervised detection and localisation of anomalies on images like the good images of ${basename(d.root)}, learned from good images only.`,
    limitations: [
      'Scores are distances to the good images seen in fitting, normalised so that 0.5 is the validation threshold; they are not calibrated probabilities.',
      `Thresholds come from ${c.thresholds.image.counts.good} good validation image(s)${c.thresholds.image.counts.defect ? ` and ${c.thresholds.image.counts.defect} defect image(s)` : ''}; re-fit or re-threshold when the line, lighting or product changes.`,
      c.input.resize === 'tile'
        ? `Images are ${c.input.tileScale !== undefined && c.input.tileScale !== 1 ? `scaled by ${c.input.tileScale} and ` : ''}cut into overlapping ${c.input.width}x${c.input.height} tiles; defects smaller than a patch of ${Math.round(c.input.width / c.features.grid[1])} px of the tiled image may be missed.`
        : `Input is resized to ${c.input.width}x${c.input.height}; defects smaller than a patch of ${Math.round(c.input.width / c.features.grid[1])} px may be missed.`,
    ],
  };
}
