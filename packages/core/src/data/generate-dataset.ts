/** Writes a synthetic dataset in one of the folder layouts, with labels.json and manifest.json. */
import { mkdir, readdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { XqcError } from '../errors.ts';
import { ioError } from '../io/atomic-write.ts';
import { writeAnomalySample } from './anomaly-format.ts';
import { writeClassificationSample } from './classification-format.ts';
import type { DatasetFormat, DatasetListing, DatasetSample, SampleToWrite } from './dataset.types.ts';
import { DATASET_FORMATS } from './dataset.types.ts';
import { mapLimit } from './image-files.ts';
import type { DatasetLabels } from './labels-file.ts';
import { writeLabelsFile } from './labels-file.ts';
import type { DatasetManifest } from './manifest.ts';
import { buildManifest, writeManifest } from './manifest.ts';
import { writeSegmentationSample } from './segmentation-format.ts';
import type { SplitRatios } from './split.ts';
import { assertSyntheticKind, generateSample, sampleSeed, SYNTHETIC_SPECS } from './synthetic/generate-sample.ts';
import { createRng, hashSeed, shuffled } from '../util/random.ts';
import type { SyntheticKind, SyntheticKindSpec } from './synthetic/synthetic.types.ts';

/** Options of {@link generateDataset}. */
export interface GenerateDatasetOptions {
  kind: SyntheticKind;
  /** Number of images. */
  count: number;
  /** Default 0. */
  seed?: number;
  /** Output folder; created if absent, must be empty if present. */
  out: string;
  /** Default `segmentation`. `anomaly` needs a kind with a good label (not `cells`). */
  format?: DatasetFormat;
  /** Square side or explicit size in pixels; default 128. */
  size?: number | { width: number; height: number };
  /** Share of defect images for kinds with a good label, 0..1; default 0.5; ignored for `cells`. */
  defectRate?: number;
  /** Split ratios of the manifest; the split seed is `seed`. Default 70/15/15. */
  ratios?: SplitRatios;
  /** Called after each image is written, with the number written so far and `count`. */
  onProgress?: (written: number, count: number) => void;
}

/** What {@link generateDataset} wrote. */
export interface GenerateDatasetResult {
  root: string;
  format: DatasetFormat;
  labels: DatasetLabels;
  manifest: DatasetManifest;
}

const WRITERS: Record<DatasetFormat, (root: string, sample: SampleToWrite, goodLabel: string) => Promise<string[]>> = {
  classification: (root, s) => writeClassificationSample(root, s),
  segmentation: (root, s) => writeSegmentationSample(root, s),
  anomaly: (root, s, good) => writeAnomalySample(root, s, good),
};

/**
 * The requested label of every image: exactly `round(count * defectRate)` defect images,
 * defect types (or cell types) cycled for balance, then shuffled with the seed.
 */
export function labelPlan(spec: SyntheticKindSpec, count: number, defectRate: number, seed: number): string[] {
  const plan: string[] = [];
  if (spec.goodLabel !== null) {
    const defects = spec.labels.filter((l) => l !== spec.goodLabel);
    const nDefect = Math.round(count * defectRate);
    for (let i = 0; i < count - nDefect; i++) plan.push(spec.goodLabel);
    for (let i = 0; i < nDefect; i++) plan.push(defects[i % defects.length]);
  } else {
    for (let i = 0; i < count; i++) plan.push(spec.labels[i % spec.labels.length]);
  }
  return shuffled(plan, createRng(hashSeed(seed, spec.kind, 'plan')));
}

function resolveSize(size: GenerateDatasetOptions['size']): { width: number; height: number } {
  const s = size ?? 128;
  const { width, height } = typeof s === 'number' ? { width: s, height: s } : s;
  if (![width, height].every((v) => Number.isInteger(v) && v >= 16 && v <= 4096)) {
    throw new XqcError('XQC_INVALID_ARGUMENT', `size must be whole pixels in 16..4096, got ${width}x${height}`);
  }
  return { width, height };
}

/**
 * Generates `count` synthetic images of `kind` into `out` in the chosen layout, writes
 * `labels.json` and `manifest.json` with a split stratified by label. Image i depends only on (seed, kind,
 * i, its planned label, size), so the folder, and the manifest id, are reproducible.
 * Segmentation masks hold the kind's mask class ids; anomaly masks are 0/255.
 */
export async function generateDataset(options: GenerateDatasetOptions): Promise<GenerateDatasetResult> {
  const { kind, count } = options;
  assertSyntheticKind(kind);
  const spec = SYNTHETIC_SPECS[kind];
  const seed = options.seed ?? 0;
  const format = options.format ?? 'segmentation';
  const defectRate = options.defectRate ?? 0.5;
  const { width, height } = resolveSize(options.size);
  if (!Number.isInteger(count) || count <= 0) throw new XqcError('XQC_INVALID_ARGUMENT', `count must be a positive integer, got ${count}`);
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new XqcError('XQC_INVALID_ARGUMENT', `seed must be an integer in 0..2^32-1, got ${seed}`);
  if (!(defectRate >= 0 && defectRate <= 1)) throw new XqcError('XQC_INVALID_ARGUMENT', `defectRate must lie in [0, 1], got ${defectRate}`);
  if (!DATASET_FORMATS.includes(format)) throw new XqcError('XQC_INVALID_ARGUMENT', `unknown format '${format}'; expected one of ${DATASET_FORMATS.join(', ')}`);
  if (format === 'anomaly' && spec.goodLabel === null) throw new XqcError('XQC_INVALID_ARGUMENT', `the anomaly layout needs good images; kind '${kind}' has none`);

  const root = resolve(options.out);
  try {
    await mkdir(root, { recursive: true });
    if ((await readdir(root)).length > 0) throw new XqcError('XQC_INVALID_ARGUMENT', `output folder ${root} is not empty`);
  } catch (cause) {
    if (cause instanceof XqcError) throw cause;
    throw ioError('prepare output folder', root, cause);
  }

  const plan = labelPlan(spec, count, defectRate, seed);
  const digits = Math.max(5, String(count - 1).length);
  const counts: Record<string, number> = {};
  const goodLabel = spec.goodLabel ?? '';
  let written = 0;
  // Generation is synchronous; a few samples in flight let sharp encode one while the next is drawn.
  const samples = await mapLimit(plan, 4, async (planned, i): Promise<DatasetSample> => {
    const sample = generateSample(kind, { seed: sampleSeed(seed, kind, i), width, height, label: planned });
    counts[sample.label] = (counts[sample.label] ?? 0) + 1;
    const paths = await WRITERS[format](root, { stem: `${kind}-${String(i).padStart(digits, '0')}`, label: sample.label, image: sample.image, mask: sample.mask }, goodLabel);
    options.onProgress?.(++written, count);
    return { image: paths[0], label: sample.label, ...(paths[1] ? { mask: paths[1] } : {}), width, height, channels: spec.channels, format: 'png' };
  });

  const labels: DatasetLabels = {
    version: 1,
    format,
    labels: [...spec.labels],
    maskClasses: format === 'anomaly' ? ['normal', 'anomalous'] : [...spec.maskClasses],
    goodLabel: spec.goodLabel,
    ...(format === 'anomaly' ? { anomalyMaskValue: 255 } : {}),
    counts: Object.fromEntries(spec.labels.map((l) => [l, counts[l] ?? 0])),
    source: { generator: 'xai-qc synthetic', kind, count, seed, width, height, defectRate: spec.goodLabel === null ? null : defectRate },
  };
  await writeLabelsFile(root, labels);
  // The listing the layout's reader would return for this folder (a test holds them equal).
  const classes = format === 'segmentation' ? [...spec.maskClasses] : Object.keys(counts).sort();
  const listing: DatasetListing = { format, root, classes, samples, skipped: [] };
  const manifest = await buildManifest(listing, { seed, ratios: options.ratios });
  await writeManifest(root, manifest);
  return { root, format, labels, manifest };
}
