/**
 * PatchCore benchmark on a ResNet-18-sized backbone: the zoo's `resnet({ depth: 18 })`,
 * seeded random weights (the figures are about cost, which weights do not change), input
 * 224 x 224, features from layer2 and layer3 (D = 384 on a 28 x 28 patch grid), good
 * synthetic surface images.
 *
 * - fit: wall time per phase and peak resident memory for 200 and 1000 good images
 *   (coreset ratio 0.1, 20 good validation images);
 * - scoring: latency per image with banks of 10,000 and 100,000 patches, through the
 *   TypeScript detector and through the single exported ONNX graph, batch 1 and 8;
 * - nearest-neighbour search of one image's 784 patches: the ONNX graph with the bank as
 *   initializers, the same graph fed the bank as an input, and a plain JavaScript loop.
 *
 * Run: npm run bench -w @xai-qc/core -- anomaly
 */
import { generateSurface } from '../src/data/synthetic/surface.ts';
import type { ImageU8 } from '../src/image/image.types.ts';
import { IMAGENET_NORMALIZE } from '../src/image/image-tensor.ts';
import type { InputSpec } from '../src/models/card.ts';
import { AnomalyDetector } from '../src/models/anomaly/detector.ts';
import { buildDetectorModel } from '../src/models/anomaly/export-onnx.ts';
import { fitPatchCore } from '../src/models/anomaly/fit.ts';
import type { FitResult } from '../src/models/anomaly/fit.ts';
import { NearestNeighbourIndex, nearestNeighboursJs } from '../src/models/anomaly/nn-search.ts';
import { preprocess } from '../src/models/preprocess.ts';
import { saveModel } from '../src/onnx/model-io.ts';
import { createSession } from '../src/runtime/session.ts';
import { resnet } from '../src/train/zoo/resnet.ts';
import { fillNormal, uniformRng } from '../src/util/random.ts';
import { MemoryLog, formatTable, machineInfo, round, timeRuns, writeResult } from './harness.ts';
import type { MachineInfo, MemoryPhase, Timing } from './harness.ts';

const SIZE = 224;
const INPUT: InputSpec = { height: SIZE, width: SIZE, resize: 'stretch', layout: 'NCHW', color: 'rgb', mean: [...IMAGENET_NORMALIZE.mean], std: [...IMAGENET_NORMALIZE.std] };

/** Options of {@link benchAnomaly}. */
export interface AnomalyBenchOptions {
  /** Training set sizes (default [200, 1000]). */
  fitSizes?: number[];
  /** Bank sizes of the scoring and search figures (default [10000, 100000]). */
  bankSizes?: number[];
  /** Timed runs per latency figure (default 5). */
  runs?: number;
}

/** One fit. */
export interface FitFigure {
  images: number;
  patches: number;
  bank: number;
  seconds: FitResult['seconds'];
  memory: MemoryPhase;
}

/** Latency per image of one bank size, in ms. */
export interface ScoringFigure {
  bank: number;
  detectorBatch1: Timing;
  detectorBatch8PerImage: Timing;
  exportedBatch1: Timing;
  exportedBatch8PerImage: Timing;
  /** Compiling the detector's sessions, and the exported graph's, in ms. */
  compileMs: { detector: number; exported: number };
}

/** k = 1 search of 784 query patches, in ms. */
export interface SearchFigure {
  bank: number;
  onnxInitializer: Timing;
  onnxInput: Timing;
  javascript: Timing;
}

/** What {@link benchAnomaly} measured. */
export interface AnomalyBenchResult {
  machine: MachineInfo;
  backbone: string;
  fit: FitFigure[];
  scoring: ScoringFigure[];
  search: SearchFigure[];
  loadAverageEnd: number[];
}

function goodSurfaces(count: number, seed: number): ImageU8[] {
  return Array.from({ length: count }, (_, i) => generateSurface({ seed: seed + i, label: 'good', width: SIZE, height: SIZE }).image);
}

function randomRows(rows: number, dim: number, seed: number): Float32Array {
  const out = new Float32Array(rows * dim);
  fillNormal(out, uniformRng(seed));
  return out;
}

function perImage(t: Timing, n: number): Timing {
  return { median: round(t.median / n), min: round(t.min / n), max: round(t.max / n), runs: t.runs };
}

/** Runs the PatchCore benchmark and writes bench/results/anomaly.json. */
export async function benchAnomaly(options: AnomalyBenchOptions = {}): Promise<AnomalyBenchResult> {
  const machine = machineInfo();
  const runs = options.runs ?? 5;
  const fitSizes = options.fitSizes ?? [200, 1000];
  const bankSizes = options.bankSizes ?? [10_000, 100_000];
  const zoo = resnet({ depth: 18, numClasses: 2, inputSize: SIZE, seed: 0 });
  const memory = new MemoryLog();
  const validation = goodSurfaces(20, 900_000);
  const fits: FitFigure[] = [];
  let reference: FitResult | undefined;
  for (const n of fitSizes) {
    const train = goodSurfaces(n, 0);
    const fit = await memory.phase(`fit ${n} images`, () =>
      fitPatchCore({ train, validation: { good: validation, defects: [] } }, { backbone: zoo.model, backboneSha256: '0'.repeat(64), backboneSource: 'resnet18-random.onnx', input: INPUT, batchSize: 8 }),
    );
    fits.push({ images: n, patches: fit.config.bank.sourcePatches, bank: fit.config.bank.size, seconds: fit.seconds, memory: memory.phases[memory.phases.length - 1] });
    console.log(`fit ${n}: ${JSON.stringify(fit.seconds)}`);
    reference ??= fit;
  }
  if (!reference) throw new Error('no fit size given');
  const fitted = reference;
  const dim = fitted.config.features.dim;
  const test = goodSurfaces(8, 800_000);
  const batch8 = preprocess(test, INPUT).tensor;
  const batch1 = preprocess(test.slice(0, 1), INPUT).tensor;

  const scoring: ScoringFigure[] = [];
  const search: SearchFigure[] = [];
  const queries = randomRows(784, dim, 7);
  for (const m of bankSizes) {
    const bank = randomRows(m, dim, m);
    const config = { ...fitted.config, bank: { ...fitted.config.bank, size: m } };
    let t0 = performance.now();
    const detector = await AnomalyDetector.create(config, fitted.featureModel, bank);
    const compileDetector = performance.now() - t0;
    const detectorBatch1 = await timeRuns(() => detector.scorer.score(batch1), runs, 2);
    const detectorBatch8 = await timeRuns(() => detector.scorer.score(batch8), runs, 1);
    t0 = performance.now();
    const exported = await createSession(saveModel(buildDetectorModel(fitted.featureModel, bank, config)));
    const compileExported = performance.now() - t0;
    const exportedBatch1 = await timeRuns(() => exported.run({ input: batch1 }), runs, 2);
    const exportedBatch8 = await timeRuns(() => exported.run({ input: batch8 }), runs, 1);
    scoring.push({
      bank: m,
      detectorBatch1,
      detectorBatch8PerImage: perImage(detectorBatch8, 8),
      exportedBatch1,
      exportedBatch8PerImage: perImage(exportedBatch8, 8),
      compileMs: { detector: round(compileDetector), exported: round(compileExported) },
    });
    await exported.release();

    const initializer = await NearestNeighbourIndex.create(bank, m, dim);
    const fed = await NearestNeighbourIndex.create(bank, m, dim, { bankAs: 'input' });
    search.push({
      bank: m,
      onnxInitializer: await timeRuns(() => initializer.search(queries, 784, 1), runs, 2),
      onnxInput: await timeRuns(() => fed.search(queries, 784, 1), runs, 2),
      javascript: await timeRuns(() => nearestNeighboursJs(bank, m, dim, queries, 784, 1), m > 20_000 ? 1 : 3, 0),
    });
    console.log(`bank ${m}: scored and searched`);
  }

  const result: AnomalyBenchResult = { machine, backbone: 'zoo resnet18 (random weights), 224x224, layer2 + layer3, D = 384, grid 28x28', fit: fits, scoring, search, loadAverageEnd: machineInfo().loadAverage };
  console.log(`\n${machine.cpuModel}, ${machine.cpus} cores, load ${machine.loadAverage.join(' ')}; ${result.backbone}`);
  console.log(formatTable(
    ['images', 'patches', 'bank', 'features s', 'projection s', 'selection s', 'validation s', 'total s', 'peak RSS MiB', 'peak rise MiB'],
    fits.map((f) => [f.images, f.patches, f.bank, f.seconds.features, f.seconds.projection, f.seconds.selection, f.seconds.validation, f.seconds.total, f.memory.maxRss, f.memory.maxRssDelta]),
  ));
  console.log(formatTable(
    ['bank', 'TS batch 1 ms', 'TS batch 8 ms/img', 'ONNX export batch 1 ms', 'ONNX export batch 8 ms/img', 'compile TS ms', 'compile export ms'],
    scoring.map((s) => [s.bank, s.detectorBatch1.median, s.detectorBatch8PerImage.median, s.exportedBatch1.median, s.exportedBatch8PerImage.median, s.compileMs.detector, s.compileMs.exported]),
  ));
  console.log(formatTable(
    ['bank', 'ONNX initializer ms', 'ONNX input ms', 'JavaScript ms', 'JS / ONNX'],
    search.map((s) => [s.bank, s.onnxInitializer.median, s.onnxInput.median, s.javascript.median, round(s.javascript.median / s.onnxInitializer.median)]),
  ));
  console.log(`\nload at the end ${result.loadAverageEnd.join(' ')}; wrote ${await writeResult('anomaly', result)}`);
  return result;
}
