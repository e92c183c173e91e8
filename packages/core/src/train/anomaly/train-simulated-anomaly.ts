/**
 * A whole run of the simulated-defect detector from a dataset folder to a shipped detector
 * folder, beside `train-anomaly.ts` (PatchCore) and with the same shape: load and version
 * the data, fit on the good training images (`train-simulated.ts`; thresholds from the
 * validation split, its defect images included when there are any), measure on the test
 * split, and write `network.onnx`, `model.onnx` (the single-graph export,
 * `export-simulated.ts`), `anomaly.json` (format `xai-qc.simulated`), `model_card.yaml`
 * (task `anomaly`, method `simulated`, measured figures) and `run.json` (fit time, steps
 * done and why training stopped).
 *
 * The model input is the images' own size (the most common size among the good images),
 * not a backbone's square: the network is fully convolutional and defects may be a few
 * pixels. Images whose longer side exceeds `maxSide` (default 1024) are scaled down to it,
 * keeping the aspect ratio, and the run says so.
 */
import { randomUUID } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { readAnomalyDataset } from '../../data/anomaly-format.ts';
import type { SplitRatios } from '../../data/split.ts';
import { XqcError } from '../../errors.ts';
import { IMAGENET_NORMALIZE } from '../../image/image-tensor.ts';
import { writeFileAtomic } from '../../io/atomic-write.ts';
import { saveModel } from '../../onnx/model-io.ts';
import type { SessionCache, SessionOptions } from '../../runtime/session.ts';
import type { InputSpec, ModelCard } from '../../models/card.ts';
import { writeModelCard } from '../../models/card.ts';
import { loadAnomalyFolder } from '../../models/anomaly/anomaly-data.ts';
import type { AnomalyFolderData } from '../../models/anomaly/anomaly-data.ts';
import { ANOMALY_FILES, sha256Hex } from '../../models/anomaly/artifact.ts';
import type { SimulatedAnomalyConfig } from '../../models/anomaly/artifact.ts';
import { AnomalyDetector } from '../../models/anomaly/detector.ts';
import { evaluateAnomaly } from '../../models/anomaly/evaluate-anomaly.ts';
import type { AnomalyReport } from '../../models/anomaly/evaluate-anomaly.ts';
import { DETECTOR_OUTPUTS } from '../../models/anomaly/export-onnx.ts';
import { fittedImageHashes } from '../../models/anomaly/fit-overlap.ts';
import { buildSimulatedDetectorModel } from '../../models/anomaly/simulated/export-simulated.ts';
import { simulateDefect } from '../../models/anomaly/simulated/simulate.ts';
import type { DefectSimulator, SimulationOptions } from '../../models/anomaly/simulated/simulated.types.ts';
import { fitSimulated, SIMULATED_FILES } from './train-simulated.ts';
import type { FitSimulatedOptions, StopReason } from './train-simulated.ts';
import type { TestTimeFlips } from '../../models/anomaly/simulated/simulated-scorer.ts';
import { anomalyCardBase, countsOf } from '../../models/anomaly/train-anomaly.ts';

/** Options of {@link trainSimulatedAnomaly}. */
export interface TrainSimulatedAnomalyOptions {
  /** Anomaly dataset folder. */
  data: string;
  /** Output folder (created). */
  out: string;
  name?: string;
  /** Model input: a side for a square input or [height, width] (default: the good images' own size, see `maxSide`). */
  size?: number | [number, number];
  /** Longest side of the automatic input size (default 1024). */
  maxSide?: number;
  seed?: number;
  /** Shares of each label in train, val and test (default 70/15/15; test 0 for a separate test folder). */
  ratios?: SplitRatios;
  /** Quantile of good validation scores for the thresholds (default 0.99). */
  quantile?: number;
  /** Whole fit in seconds, thresholds included (default 600). */
  timeBudgetSeconds?: number;
  maxSteps?: number;
  cropSize?: number;
  batchSize?: number;
  width?: number;
  depth?: number;
  lr?: number;
  defectWeight?: number;
  /** Share of the training progress from which the weights are averaged (default 0.75; 1: the final weights). */
  averageFrom?: number;
  /** Mirrored copies of each input whose maps are averaged at scoring: 1, 2 or 4 (default 4). */
  testTimeFlips?: TestTimeFlips;
  /** Also score at half scale and keep the geometric mean of both maps (default false; see `FitSimulatedOptions.halfScale`). */
  halfScale?: boolean;
  sigma?: number;
  topK?: number;
  /** The defect simulator (default `simulate.ts` `simulateDefect`). */
  simulator?: DefectSimulator;
  simulation?: SimulationOptions;
  threads?: number;
  codeVersion?: string;
  cache?: SessionCache;
  session?: SessionOptions;
  onProgress?: FitSimulatedOptions['onProgress'];
  /** Measure the test split after fitting (default true; the combined method measures its own). */
  evaluateTest?: boolean;
}

/** The `run.json` record of a simulated-defect run. */
export interface SimulatedRunRecord {
  id: string;
  name: string;
  task: 'anomaly';
  method: 'simulated';
  startedAt: string;
  finishedAt: string;
  params: {
    size: [number, number];
    seed: number;
    quantile: number;
    timeBudgetSeconds: number;
    maxSteps: number | null;
    cropSize: [number, number];
    batchSize: number;
    width: number;
    depth: number;
    sigma: number;
    topK: number;
    /** Test-time flips averaged into the map (1, 2 or 4). */
    testTimeFlips: TestTimeFlips;
    /** Whether the map is the geometric mean of the full- and half-scale maps. */
    halfScale: boolean;
    simulation?: SimulationOptions;
  };
  dataset: {
    root: string;
    hash: string;
    counts: Record<'train' | 'val' | 'test', { good: number; defect: number }>;
    skipped: { path: string; reason: string }[];
    resized: number;
    sizes: string[];
    ratios?: SplitRatios;
    /** SHA-256 of every image used in fitting (train good, all val). */
    fitted: string[];
  };
  training: { steps: number; stoppedBy: StopReason; averagedSteps: number; loss: number[]; reserveSeconds: number };
  thresholds: SimulatedAnomalyConfig['thresholds'];
  /** Seconds: training, thresholds (validation) and the whole fit. */
  seconds: { training: number; validation: number; total: number };
  test?: AnomalyReport;
  warnings: string[];
  codeVersion: string;
  artifacts: string[];
}

/**
 * The model input of a simulated detector for the folder `root`: `size` when given, else
 * the most common size of its good images with the longer side capped at `maxSide`.
 * RGB with ImageNet mean and std (the network's first BatchNorm adapts to the data).
 * @throws XQC_INVALID_ARGUMENT for a size under 8 px; XQC_DATASET_INVALID without good images
 */
export async function simulatedInputSpec(root: string, size?: number | [number, number], maxSide = 1024): Promise<{ input: InputSpec; note?: string }> {
  let height: number;
  let width: number;
  let note: string | undefined;
  if (size !== undefined) {
    [height, width] = typeof size === 'number' ? [size, size] : size;
  } else {
    const listing = await readAnomalyDataset(root);
    const counts = new Map<string, number>();
    for (const s of listing.samples) if (s.label === 'good') counts.set(`${s.width}x${s.height}`, (counts.get(`${s.width}x${s.height}`) ?? 0) + 1);
    const best = [...counts].sort((a, b) => b[1] - a[1])[0];
    if (!best) throw new XqcError('XQC_DATASET_INVALID', `${listing.root} has no usable good images (expected ROOT/good/*.png); the simulated-defect detector learns from good images only`);
    [width, height] = best[0].split('x').map(Number);
    const scale = Math.min(1, maxSide / Math.max(width, height));
    if (scale < 1) {
      note = `the good images are ${width}x${height}; the input is scaled to ${Math.round(width * scale)}x${Math.round(height * scale)} (maxSide ${maxSide}), so defects of under ${Math.ceil(2 / scale)} px may be missed`;
      width = Math.round(width * scale);
      height = Math.round(height * scale);
    }
  }
  if (!(Number.isInteger(height) && Number.isInteger(width) && height >= 8 && width >= 8)) {
    throw new XqcError('XQC_INVALID_ARGUMENT', `input size must be integers of at least 8 pixels, got ${height}x${width}`);
  }
  return { input: { name: 'input', height, width, resize: 'stretch', layout: 'NCHW', color: 'rgb', mean: [...IMAGENET_NORMALIZE.mean], std: [...IMAGENET_NORMALIZE.std] }, note };
}

/**
 * Fits the simulated-defect detector on `o.data` and writes the detector folder `o.out`.
 * @throws XQC_DATASET_INVALID without good training or validation images; XQC_TRAIN; XQC_IO
 */
export async function trainSimulatedAnomaly(o: TrainSimulatedAnomalyOptions): Promise<SimulatedRunRecord> {
  const startedAt = new Date().toISOString();
  const seed = o.seed ?? 0;
  const { input, note } = await simulatedInputSpec(o.data, o.size, o.maxSide);
  const data = await loadAnomalyFolder(o.data, { input, seed, ratios: o.ratios });
  const warnings: string[] = note ? [note] : [];
  if (data.sizes.length > 1) warnings.push(`images come in ${data.sizes.length} sizes (${data.sizes.slice(0, 5).join(', ')}${data.sizes.length > 5 ? ', ...' : ''}); all ${data.resized} not of ${input.width}x${input.height} were resized to it`);
  const train = data.splits.train.filter((s) => s.good).map((s) => s.image);
  const validationGood = data.splits.val.filter((s) => s.good).map((s) => s.image);
  const defects = data.splits.val.filter((s) => !s.good).map((s) => ({ image: s.image, mask: s.mask }));
  if (train.length === 0 || validationGood.length === 0) {
    throw new XqcError('XQC_DATASET_INVALID', `${data.root}: the good images leave ${train.length} for training and ${validationGood.length} for the thresholds; add good images (at least 4 with the 70/15/15 split)`);
  }
  const quantile = o.quantile ?? 0.99;
  const budget = o.timeBudgetSeconds ?? 600;
  const fit = await fitSimulated(
    { train, validation: { good: validationGood, defects } },
    {
      input,
      simulator: o.simulator ?? simulateDefect,
      simulation: o.simulation,
      seed,
      timeBudgetSeconds: budget,
      maxSteps: o.maxSteps,
      cropSize: o.cropSize,
      batchSize: o.batchSize,
      width: o.width,
      depth: o.depth,
      lr: o.lr,
      defectWeight: o.defectWeight,
      averageFrom: o.averageFrom,
      testTimeFlips: o.testTimeFlips,
      halfScale: o.halfScale,
      sigma: o.sigma,
      topK: o.topK,
      quantile,
      threads: o.threads,
      cache: o.cache,
      session: o.session,
      onProgress: o.onProgress,
    },
  );
  warnings.push(...fit.warnings);
  const detectorBytes = saveModel(buildSimulatedDetectorModel(fit.network, fit.config));
  const config: SimulatedAnomalyConfig = { ...fit.config, export: { file: ANOMALY_FILES.model, sha256: sha256Hex(detectorBytes), outputs: Object.values(DETECTOR_OUTPUTS) } };
  const detector = await AnomalyDetector.createSimulated(config, fit.network, { cache: o.cache, session: o.session });
  const testSamples = data.splits.test.map((s) => ({ image: s.image, good: s.good, mask: s.mask }));
  const test = testSamples.length > 0 && o.evaluateTest !== false ? await evaluateAnomaly(detector, testSamples) : undefined;

  await mkdir(o.out, { recursive: true });
  const name = o.name ?? basename(resolve(o.out));
  const id = randomUUID();
  await writeFileAtomic(join(o.out, config.network.file), fit.networkBytes);
  await writeFileAtomic(join(o.out, ANOMALY_FILES.model), detectorBytes);
  await writeFileAtomic(join(o.out, ANOMALY_FILES.config), `${JSON.stringify(config, null, 2)}\n`);
  await writeModelCard(join(o.out, ANOMALY_FILES.card), simulatedCard(name, id, config, data, fit.seconds.total, test, o));
  const t = config.training;
  const record: SimulatedRunRecord = {
    id,
    name,
    task: 'anomaly',
    method: 'simulated',
    startedAt,
    finishedAt: new Date().toISOString(),
    params: {
      size: [input.height, input.width],
      seed,
      quantile,
      timeBudgetSeconds: budget,
      maxSteps: o.maxSteps ?? null,
      cropSize: t.cropSize,
      batchSize: t.batchSize,
      width: config.network.width,
      depth: config.network.depth,
      sigma: config.scoring.sigma,
      topK: config.scoring.topK,
      testTimeFlips: config.network.testTimeFlips ?? 1,
      halfScale: config.network.halfScale ?? false,
      simulation: o.simulation,
    },
    dataset: { root: data.root, hash: data.manifest.id, counts: countsOf(data), skipped: data.skipped, resized: data.resized, sizes: data.sizes, ratios: data.manifest.split?.ratios, fitted: fittedImageHashes(data) },
    training: fit.training,
    thresholds: config.thresholds,
    seconds: fit.seconds,
    test,
    warnings,
    codeVersion: o.codeVersion ?? 'unknown',
    artifacts: [...SIMULATED_FILES],
  };
  await writeFileAtomic(join(o.out, 'run.json'), `${JSON.stringify(record, null, 2)}\n`);
  return record;
}

function simulatedCard(name: string, runId: string, c: SimulatedAnomalyConfig, d: AnomalyFolderData, fitSeconds: number, test: AnomalyReport | undefined, o: TrainSimulatedAnomalyOptions): ModelCard {
  return {
    ...anomalyCardBase(name, c.input, { root: d.root, hash: d.manifest.id, counts: countsOf(d) }, test),
    training: {
      runId,
      method: 'simulated',
      seed: c.training.seed,
      splitRatios: d.manifest.split?.ratios,
      architecture: `unet width ${c.network.width} depth ${c.network.depth}`,
      cropSize: c.training.cropSize,
      batchSize: c.training.batchSize,
      steps: c.training.steps,
      stoppedBy: c.training.stoppedBy,
      averagedSteps: c.training.averagedSteps ?? 0,
      testTimeFlips: c.network.testTimeFlips ?? 1,
      halfScale: c.network.halfScale ?? false,
      sigma: c.scoring.sigma,
      topK: c.scoring.topK,
      imageThreshold: { source: c.thresholds.image.source, value: c.thresholds.image.value },
      pixelThreshold: { source: c.thresholds.pixel.source, value: c.thresholds.pixel.value },
      fitSeconds: Math.round(fitSeconds * 100) / 100,
      codeVersion: o.codeVersion ?? 'unknown',
    },
    intendedUse: `Unsupervised detection and localisation of anomalies on images like the good images of ${basename(d.root)}, learned from good images with simulated defects pasted in.`,
    limitations: [
      'Scores are the defect probabilities of a network trained on simulated defects, normalised so that 0.5 is the validation threshold; they are not calibrated probabilities of a real defect.',
      'Real defects unlike every simulated kind (Perlin-noise patches of foreign or own texture, scratches, cracks, spots, holes, stains) may be missed.',
      `Thresholds come from ${c.thresholds.image.counts.good} good validation image(s)${c.thresholds.image.counts.defect ? ` and ${c.thresholds.image.counts.defect} defect image(s)` : ''}; re-fit or re-threshold when the line, lighting or product changes.`,
      `Input is ${c.input.width}x${c.input.height}; images of another size are resized to it.`,
    ],
  };
}
