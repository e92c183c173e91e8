/**
 * Fitting the anomaly detector trained on simulated defects (DRAEM, Zavrtanik et al. 2021;
 * NSA, Schlueter et al. 2022; CutPaste, Li et al. 2021) from good images only.
 *
 * Each step draws `batchSize` random crops of the good training images at their own
 * resolution (never downscaled: defects may be a few pixels), randomly flipped; the
 * simulator (`simulated.types.ts`, passed in) pastes defects into each crop and returns
 * their exact masks, with a few other crops as the texture pool; a small U-Net
 * (`train/zoo/unet.ts`, two classes, no dropout) takes one Adam step on the class-weighted
 * cross-entropy plus soft Dice of the defect class (`train/losses.ts` `diceCrossEntropy`:
 * simulated defects often cover well under 1 % of a crop). Training stops at `maxSteps` or
 * when the time budget, less the time the thresholds will take (measured before training
 * on one validation batch), is spent, whichever comes first.
 *
 * Learning rate: linear warm-up over the first 3 % of progress, then a cosine decay to 5 %
 * of `lr`, where progress is step / maxSteps, or, with a finite time budget, the larger of
 * that and elapsed / training time available. The saved weights are the mean of the weights
 * after every step from `averageFrom` of the progress on (default the last quarter;
 * BatchNorm running statistics averaged alike), as stochastic weight averaging (Izmailov et
 * al. 2018) does: one run's final weights vary more from seed to seed and machine to machine. A run without a time budget
 * (`timeBudgetSeconds: Infinity`) is a pure function of its seed and options; with a
 * budget the number of steps and the schedule depend on the machine's speed.
 *
 * The trained weights are copied into the same U-Net built at the full model input
 * (`simulated-scorer.ts`), its map averaged over `testTimeFlips` mirrored copies of the
 * input (`withTestTimeViews`, default all four; optionally combined with a half-scale view,
 * `halfScale`), and the good validation images (plus labelled validation
 * defects when there are any) set the thresholds and normalisation exactly as for
 * PatchCore (`thresholds.ts`).
 */
import { XqcError } from '../../errors.ts';
import type { ImageU8 } from '../../image/image.types.ts';
import type { Model } from '../../onnx/ir.ts';
import { saveModel } from '../../onnx/model-io.ts';
import { drawMask } from '../../onnx/passes/dropout-as-mask.ts';
import { tensor } from '../../onnx/tensor.ts';
import type { Tensor } from '../../onnx/tensor.ts';
import { createSession, defaultSessionCache, SessionCache } from '../../runtime/session.ts';
import type { SessionOptions } from '../../runtime/session.ts';
import { maskOneHot } from '../losses.ts';
import { createOptimizer } from '../optimizers.ts';
import { exportWeights } from '../trainer.ts';
import { buildTrainingGraph } from '../training-graph.ts';
import type { TrainingGraph } from '../training-graph.ts';
import { createRng, hashSeed, keyedRng } from '../../util/random.ts';
import type { Rng } from '../../util/random.ts';
import type { InputSpec } from '../../models/card.ts';
import { fitImage, preprocess } from '../../models/preprocess.ts';
import type { SimulatedAnomalyConfig } from '../../models/anomaly/artifact.ts';
import { ANOMALY_FILES, SIMULATED_FORMAT, SIMULATED_FORMAT_VERSION, SIMULATED_NETWORK_FILE, sha256Hex } from '../../models/anomaly/artifact.ts';
import type { DefectSample, FitData } from '../../models/anomaly/fit.ts';
import { chooseThreshold, normalisationFor } from '../../models/anomaly/thresholds.ts';
import { defaultTopK, paddedSize, PROBABILITY_OUTPUT, SimulatedScorer, TEST_TIME_FLIPS, withTestTimeViews, wrapNetwork } from '../../models/anomaly/simulated/simulated-scorer.ts';
import type { TestTimeFlips } from '../../models/anomaly/simulated/simulated-scorer.ts';
import { simulatedUnet } from './simulated-unet.ts';
import type { SimulatedNetworkSpec } from '../../models/anomaly/simulated/simulated-scorer.ts';
import type { DefectSimulator, SimulationOptions } from '../../models/anomaly/simulated/simulated.types.ts';

/** Progress of {@link fitSimulated}. */
export type SimulatedFitEvent =
  | {
      phase: 'train';
      /** Steps done (1-based). */
      step: number;
      maxSteps: number;
      /** Loss of this step. */
      loss: number;
      lr: number;
      elapsedSeconds: number;
      /** Estimate of the seconds left for the whole fit (training until its stop, then the thresholds). */
      remainingSeconds: number;
    }
  | { phase: 'validation'; done: number; total: number };

/** Options of {@link fitSimulated}. */
export interface FitSimulatedOptions {
  /** How images become the input; its height and width are the full model input the network is built at. */
  input: InputSpec;
  /** Pastes simulated defects into good crops (`simulate.ts` `simulateDefect`, or a test's own). */
  simulator: DefectSimulator;
  /** Options passed to the simulator on every call. */
  simulation?: SimulationOptions;
  /** Seed of the weights, the crops and the simulator (default 0). */
  seed?: number;
  /**
   * Wall-time budget of the whole fit in seconds (default 600), thresholds included:
   * training stops when the next step would leave less than the measured threshold time.
   * `Infinity` for step-bounded, deterministic training.
   */
  timeBudgetSeconds?: number;
  /** Most training steps (default 100000: the budget decides). */
  maxSteps?: number;
  /** Side of the square training crops (default 48), cut to the input and rounded down to multiples of 2^depth. */
  cropSize?: number;
  /** Crops per step (default 4, at least 2 for the BatchNorm statistics). */
  batchSize?: number;
  /** Channels of the U-Net's first level (default 8). */
  width?: number;
  /** 2x downsamplings of the U-Net (default 3). */
  depth?: number;
  /** Peak learning rate of Adam (default 0.002). */
  lr?: number;
  /**
   * Share of the training progress (0 to 1) from which the weights after each step are
   * averaged into the saved network (default 0.75: the last quarter); 1 keeps the final
   * weights.
   */
  averageFrom?: number;
  /** Mirrored copies of each input whose maps are averaged at scoring: 1, 2 or 4 (default 4). */
  testTimeFlips?: TestTimeFlips;
  /**
   * Also score each image at half scale and keep the geometric mean of both scales' maps
   * (`withTestTimeViews`), so that defects larger than the training crops are seen whole
   * (default false). Measured on the real development set (docs/anomaly.md, "Half-scale
   * view and map smoothing"), it raised pixel AUROC by 0.003 to 0.004 and lowered the combined
   * image AUROC by 0.003 and the same-size PRO by up to 0.01, for a quarter more scoring time;
   * on 64 px inputs it lowered pixel AUROC. Worth trying where defects are much larger than
   * the crops.
   */
  halfScale?: boolean;
  /** Cross-entropy weight of defect pixels (default 3; good pixels weigh 1). */
  defectWeight?: number;
  /** Gaussian sigma of the map smoothing in pixels (default {@link defaultSimulatedSigma} of the input). */
  sigma?: number;
  /** Pixels averaged into the image score (default 0.1 % of the input pixels, at least 1). */
  topK?: number;
  /** Quantile of the good validation scores for the thresholds (default 0.99). */
  quantile?: number;
  /** ONNX Runtime intra-op threads of the training session (default: the runtime's choice). */
  threads?: number;
  cache?: SessionCache;
  session?: SessionOptions;
  onProgress?: (e: SimulatedFitEvent) => void;
}

/**
 * The default map smoothing of an input of `height x width`: sigma = shorter side / 32,
 * from 2 px (inputs of 64 px and under, where the synthetic sets lose pixel AUROC with
 * more) to 4 px (128 px and over: the sigma PatchCore and anomalib use on 224 to 256 px
 * maps). A network's map of a larger image is patchier inside a large defect, and a wider
 * Gaussian fills it (docs/anomaly.md, "Half-scale view and map smoothing").
 */
export function defaultSimulatedSigma(height: number, width: number): number {
  return Math.min(4, Math.max(2, Math.min(height, width) / 32));
}

/** Why training stopped. */
export type StopReason = 'budget' | 'steps';

/** A fitted detector in memory, with the bytes of its network and what fitting measured. */
export interface FitSimulatedResult {
  config: SimulatedAnomalyConfig;
  /** The wrapped network at the model input (`simulated-scorer.ts`). */
  network: Model;
  networkBytes: Uint8Array;
  scorer: SimulatedScorer;
  validation: { goodScores: Float64Array; defectScores: Float64Array };
  training: {
    steps: number;
    stoppedBy: StopReason;
    /** Steps whose weights were averaged into the saved network (0: the final weights). */
    averagedSteps: number;
    /** Mean loss of each block of 25 steps. */
    loss: number[];
    /** Seconds kept back for the thresholds, as measured before training. */
    reserveSeconds: number;
  };
  seconds: { training: number; validation: number; total: number };
  warnings: string[];
}

const DEFAULTS = Object.freeze({ budget: 600, maxSteps: 100_000, crop: 48, batch: 4, width: 8, depth: 3, lr: 0.002, defectWeight: 3, quantile: 0.99, averageFrom: 0.75, flips: 4 as TestTimeFlips });

/** The running mean of named parameter arrays, summed in float64 (the weight average of {@link fitSimulated}). */
export class WeightAverage {
  private readonly sums = new Map<string, Float64Array>();
  /** Snapshots added. */
  count = 0;

  /** Adds one snapshot; every snapshot must have the same names and lengths. */
  add(params: Readonly<Record<string, Float32Array>>): void {
    for (const [name, a] of Object.entries(params)) {
      let sum = this.sums.get(name);
      if (!sum) this.sums.set(name, (sum = new Float64Array(a.length)));
      if (sum.length !== a.length) throw new XqcError('XQC_SHAPE_MISMATCH', `parameter ${name} has ${a.length} values, earlier ${sum.length}`);
      for (let i = 0; i < a.length; i++) sum[i] += a[i];
    }
    this.count++;
  }

  /** The mean of the snapshots added. @throws XQC_INVALID_ARGUMENT when none was */
  mean(): Record<string, Float32Array> {
    if (this.count === 0) throw new XqcError('XQC_INVALID_ARGUMENT', 'no weights were averaged');
    const out: Record<string, Float32Array> = {};
    for (const [name, sum] of this.sums) out[name] = Float32Array.from(sum, (v) => v / this.count);
    return out;
  }
}

/** A learning rate at `progress` in [0, 1]: warm-up over 3 %, then cosine to 5 % of `lr`. */
export function simulatedLearningRate(lr: number, progress: number): number {
  const p = Math.min(1, Math.max(0, progress));
  const warm = 0.03;
  if (p < warm) return lr * Math.max(0.05, p / warm);
  const q = (p - warm) / (1 - warm);
  return lr * (0.05 + 0.95 * 0.5 * (1 + Math.cos(Math.PI * q)));
}

function checkOption(name: string, v: number, min: number, integer = true): void {
  if (!(v >= min) || (integer && !Number.isInteger(v)) || Number.isNaN(v)) {
    throw new XqcError('XQC_INVALID_ARGUMENT', `${name} must be ${integer ? 'an integer ' : ''}>= ${min}, got ${v}`);
  }
}

/** A `h x w` crop of `image` at (x, y), optionally mirrored. */
function crop(image: ImageU8, x: number, y: number, w: number, h: number, flipX: boolean, flipY: boolean): ImageU8 {
  const c = image.channels;
  const data = new Uint8Array(w * h * c);
  for (let r = 0; r < h; r++) {
    const sy = y + (flipY ? h - 1 - r : r);
    for (let q = 0; q < w; q++) {
      const sx = x + (flipX ? w - 1 - q : q);
      const from = (sy * image.width + sx) * c;
      data.set(image.data.subarray(from, from + c), (r * w + q) * c);
    }
  }
  return { width: w, height: h, channels: c, data };
}

function randomCrop(images: readonly ImageU8[], rng: Rng, w: number, h: number): ImageU8 {
  const img = images[rng.int(0, images.length)];
  return crop(img, rng.int(0, img.width - w + 1), rng.int(0, img.height - h + 1), w, h, rng.chance(0.5), rng.chance(0.5));
}

/** The simulated crops of one step: images, one-hot targets [B, 2, h, w] and defect pixel count. */
function makeBatch(
  images: readonly ImageU8[],
  o: { batch: number; w: number; h: number; input: InputSpec; simulator: DefectSimulator; simulation?: SimulationOptions },
  rng: Rng,
): { images: Tensor<'float32'>; targets: Tensor<'float32'>; defectPixels: number } {
  const plane = o.w * o.h;
  const crops: ImageU8[] = [];
  const targets = new Float32Array(o.batch * 2 * plane);
  let defectPixels = 0;
  for (let i = 0; i < o.batch; i++) {
    const base = randomCrop(images, rng, o.w, o.h);
    const pool = [randomCrop(images, rng, o.w, o.h), randomCrop(images, rng, o.w, o.h)];
    const s = o.simulator(base, pool, rng, o.simulation);
    if (s.image.width !== o.w || s.image.height !== o.h || s.image.channels !== base.channels || s.mask.length !== plane) {
      throw new XqcError('XQC_SHAPE_MISMATCH', `the simulator returned a ${s.image.width}x${s.image.height}x${s.image.channels} image with a mask of ${s.mask.length} pixels for a ${o.w}x${o.h}x${base.channels} crop`);
    }
    for (const v of s.mask) if (v) defectPixels++;
    maskOneHot(s.mask, 2, targets, i * 2 * plane);
    crops.push(s.image);
  }
  const spec: InputSpec = { ...o.input, height: o.h, width: o.w };
  return { images: preprocess(crops, spec).tensor, targets: tensor('float32', [o.batch, 2, o.h, o.w], targets), defectPixels };
}

function inputDims(tg: TrainingGraph): Map<string, number[]> {
  const m = new Map<string, number[]>();
  for (const i of tg.model.graph.inputs) if (i.shape) m.set(i.name, i.shape as number[]);
  return m;
}

/**
 * Fits the detector on simulated defects; see the module comment.
 * @throws XQC_DATASET_INVALID without good training or validation images;
 *   XQC_INVALID_ARGUMENT for a bad option or an input smaller than 2^depth; XQC_TRAIN when
 *   the loss becomes NaN
 */
export async function fitSimulated(data: FitData, o: FitSimulatedOptions): Promise<FitSimulatedResult> {
  const t0 = performance.now();
  if (data.train.length === 0) throw new XqcError('XQC_DATASET_INVALID', 'the simulated-defect detector needs at least one good training image');
  if (data.validation.good.length === 0) throw new XqcError('XQC_DATASET_INVALID', 'the simulated-defect detector needs at least one good validation image to set its thresholds');
  const seed = o.seed ?? 0;
  const budget = o.timeBudgetSeconds ?? DEFAULTS.budget;
  const maxSteps = o.maxSteps ?? DEFAULTS.maxSteps;
  const batch = o.batchSize ?? DEFAULTS.batch;
  const spec: SimulatedNetworkSpec = { width: o.width ?? DEFAULTS.width, depth: o.depth ?? DEFAULTS.depth, seed };
  const lr0 = o.lr ?? DEFAULTS.lr;
  const sigma = o.sigma ?? defaultSimulatedSigma(o.input.height, o.input.width);
  const quantile = o.quantile ?? DEFAULTS.quantile;
  const averageFrom = o.averageFrom ?? DEFAULTS.averageFrom;
  const flips = o.testTimeFlips ?? DEFAULTS.flips;
  if (!(averageFrom >= 0 && averageFrom <= 1)) throw new XqcError('XQC_INVALID_ARGUMENT', `averageFrom must be from 0 to 1, got ${averageFrom}`);
  if (!TEST_TIME_FLIPS.includes(flips)) throw new XqcError('XQC_INVALID_ARGUMENT', `testTimeFlips must be 1, 2 or 4, got ${String(flips)}`);
  if (!(budget > 0)) throw new XqcError('XQC_INVALID_ARGUMENT', `timeBudgetSeconds must be > 0, got ${budget}`);
  checkOption('maxSteps', maxSteps, 1);
  checkOption('batchSize', batch, 2);
  checkOption('width', spec.width, 1);
  checkOption('depth', spec.depth, 1);
  if (spec.depth > 5) throw new XqcError('XQC_INVALID_ARGUMENT', `depth must be at most 5, got ${spec.depth}`);
  checkOption('lr', lr0, Number.MIN_VALUE, false);
  checkOption('sigma', sigma, Number.MIN_VALUE, false);
  const { height: H, width: W } = o.input;
  const step = 2 ** spec.depth;
  const side = o.cropSize ?? DEFAULTS.crop;
  checkOption('cropSize', side, step);
  const ch = Math.floor(Math.min(side, H) / step) * step;
  const cw = Math.floor(Math.min(side, W) / step) * step;
  if (ch < step || cw < step) throw new XqcError('XQC_INVALID_ARGUMENT', `the input ${W}x${H} is smaller than ${step} px, the least a U-Net of depth ${spec.depth} takes`);
  const halfScale = o.halfScale ?? false;
  if (typeof halfScale !== 'boolean') throw new XqcError('XQC_INVALID_ARGUMENT', `halfScale must be true or false, got ${String(halfScale)}`);
  const topK = o.topK ?? defaultTopK(H, W);
  checkOption('topK', topK, 1);
  if (topK > H * W) throw new XqcError('XQC_INVALID_ARGUMENT', `topK ${topK} exceeds the ${H * W} pixels of the input`);
  const cache = o.cache ?? defaultSessionCache;
  const warnings: string[] = [];

  // Good training images at the model input, exactly as `preprocess` would place them.
  const train = data.train.map((img) => fitImage(img, o.input).image);
  const padded: [number, number] = [paddedSize(H, spec.depth), paddedSize(W, spec.depth)];
  const inferZoo = simulatedUnet(spec, padded[0], padded[1], false);
  const scoringNetwork = (weights: Record<string, Float32Array> | undefined): Model => withTestTimeViews(wrapNetwork(weights ? exportWeights(inferZoo, weights) : inferZoo.model, H, W, padded), { flips, halfScale });
  const valBatch = 8;

  // Time the thresholds will take: score one validation batch with the initial weights.
  const validationImages = [...data.validation.good, ...data.validation.defects.map((s) => s.image)];
  let reserve = 0;
  if (Number.isFinite(budget)) {
    const tr = performance.now();
    // A cache of its own, cleared at once, so the probe's session does not outlive it.
    const probeCache = new SessionCache(1);
    const probe = await SimulatedScorer.create({ network: scoringNetwork(undefined), inputName: o.input.name ?? 'input', size: [H, W], sigma, topK, flips, halfScale }, { cache: probeCache, session: o.session });
    const first = validationImages.slice(0, valBatch);
    const tp = performance.now();
    await probe.score(preprocess(first, o.input).tensor).finally(() => probeCache.clear());
    const perImage = (performance.now() - tp) / 1000 / first.length;
    // Scoring every validation image and compiling the final network, with a fifth to spare.
    reserve = 1.2 * (perImage * validationImages.length + (tp - tr) / 1000) + 0.2;
  }

  const trainZoo = simulatedUnet(spec, ch, cw, true);
  const defectWeight = o.defectWeight ?? DEFAULTS.defectWeight;
  checkOption('defectWeight', defectWeight, 1, false);
  const tg = buildTrainingGraph({ model: trainZoo.model, parameters: trainZoo.parameters, batchNorms: trainZoo.batchNorms, loss: 'dice-ce', numClasses: 2, classWeights: [1, defectWeight] });
  const params: Record<string, Float32Array> = {};
  for (const name of [...tg.parameters, ...Object.keys(tg.runningStats)]) params[name] = Float32Array.from(tg.initial[name].data as Float32Array);
  const dims = inputDims(tg);
  const optimizer = createOptimizer({ kind: 'adam' });
  const fetch = [tg.loss, ...tg.parameters.map((p) => tg.grads[p]), ...Object.values(tg.runningStats)];
  const session = await createSession(saveModel(tg.model), o.threads ? { intraOpThreads: o.threads } : {});
  const trainStart = performance.now();
  const available = budget - reserve - (trainStart - t0) / 1000;
  const lossBlocks: number[] = [];
  let blockSum = 0;
  let blockCount = 0;
  let steps = 0;
  let stoppedBy: StopReason = 'steps';
  let stepSeconds = 0;
  let lastLoss = NaN;
  const average = new WeightAverage();
  try {
    while (steps < maxSteps) {
      const elapsed = (performance.now() - trainStart) / 1000;
      if (Number.isFinite(budget) && elapsed + stepSeconds > available) {
        stoppedBy = 'budget';
        break;
      }
      const rng = createRng(hashSeed(seed, steps, 'simulated-batch'));
      const b = makeBatch(train, { batch, w: cw, h: ch, input: o.input, simulator: o.simulator, simulation: o.simulation }, rng);
      const feeds: Record<string, Tensor> = { [tg.input]: b.images, [tg.targets]: b.targets, [tg.cotangent]: tensor('float32', [], [1]) };
      for (const [name, a] of Object.entries(params)) feeds[name] = { dtype: 'float32', dims: dims.get(name) as number[], data: a };
      const maskRng = keyedRng(seed, steps, 0xd409);
      for (const d of tg.dropouts) feeds[d.input] = tensor('float32', [batch, ...d.dims], drawMask(d, batch, maskRng));
      const out = await session.run(feeds, fetch);
      const loss = Number(out[tg.loss].data[0]);
      if (!Number.isFinite(loss)) throw new XqcError('XQC_TRAIN', `loss became ${loss} at step ${steps + 1}: lower the learning rate`);
      const progress = Number.isFinite(budget) ? Math.max(steps / maxSteps, elapsed / Math.max(available, 1e-9)) : steps / maxSteps;
      const lr = simulatedLearningRate(lr0, progress);
      const grads: Record<string, Float32Array> = {};
      for (const p of tg.parameters) grads[p] = out[tg.grads[p]].data as Float32Array;
      optimizer.step(Object.fromEntries(tg.parameters.map((p) => [p, params[p]])), grads, lr);
      for (const [input, output] of Object.entries(tg.runningStats)) params[input] = Float32Array.from(out[output].data as Float32Array);
      if (averageFrom < 1 && progress >= averageFrom) average.add(params);
      steps++;
      lastLoss = loss;
      blockSum += loss;
      if (++blockCount === 25) {
        lossBlocks.push(blockSum / blockCount);
        blockSum = 0;
        blockCount = 0;
      }
      // Mean seconds of a whole step so far, batch making included.
      const now = (performance.now() - trainStart) / 1000;
      stepSeconds = now / steps;
      const trainingLeft = Math.min((maxSteps - steps) * stepSeconds, Number.isFinite(budget) ? Math.max(0, available - now) : Infinity);
      o.onProgress?.({ phase: 'train', step: steps, maxSteps, loss, lr, elapsedSeconds: (performance.now() - t0) / 1000, remainingSeconds: trainingLeft + reserve });
    }
  } finally {
    await session.release();
  }
  if (blockCount > 0) lossBlocks.push(blockSum / blockCount);
  if (steps === 0) throw new XqcError('XQC_TRAIN', `the time budget of ${budget} s left no time for a training step after ${reserve.toFixed(1)} s kept for the thresholds; raise --time-budget`);
  if (steps < 200) warnings.push(`training stopped after ${steps} step(s) (${stoppedBy === 'budget' ? 'time budget' : 'maxSteps'}); the network is likely undertrained`);
  const t1 = performance.now();

  const network = scoringNetwork(average.count > 0 ? average.mean() : params);
  const networkBytes = saveModel(network);
  const scorer = await SimulatedScorer.create({ network, inputName: o.input.name ?? 'input', size: [H, W], sigma, topK, flips, halfScale }, { cache, session: o.session });
  const total = validationImages.length;
  const scoreAll = async (images: readonly ImageU8[], offset: number): Promise<{ scores: Float64Array; maps: Float32Array[] }> => {
    const scores: number[] = [];
    const maps: Float32Array[] = [];
    for (let i = 0; i < images.length; i += valBatch) {
      const r = await scorer.score(preprocess(images.slice(i, i + valBatch), o.input).tensor);
      scores.push(...r.scores);
      maps.push(...r.maps);
      o.onProgress?.({ phase: 'validation', done: offset + i + r.scores.length, total });
    }
    return { scores: Float64Array.from(scores), maps };
  };
  const good = await scoreAll(data.validation.good, 0);
  const defect = await scoreAll(data.validation.defects.map((s) => s.image), data.validation.good.length);
  const imageThreshold = chooseThreshold(good.scores, defect.scores, { quantile, what: 'image' });
  const pixels = pixelSamples(good.maps, defect.maps, data.validation.defects);
  const pixelThreshold = chooseThreshold(pixels.good, pixels.defect, { quantile, what: 'pixel', extraNegatives: pixels.background });
  const t2 = performance.now();

  const config: SimulatedAnomalyConfig = {
    format: SIMULATED_FORMAT,
    version: SIMULATED_FORMAT_VERSION,
    createdAt: new Date().toISOString(),
    input: { ...o.input, name: o.input.name ?? 'input' },
    network: { file: SIMULATED_NETWORK_FILE, sha256: sha256Hex(networkBytes), architecture: 'unet', width: spec.width, depth: spec.depth, padded, output: PROBABILITY_OUTPUT, testTimeFlips: flips, halfScale },
    scoring: { sigma, topK },
    training: { seed, cropSize: [ch, cw], batchSize: batch, steps, stoppedBy, averagedSteps: average.count, seconds: (t1 - trainStart) / 1000, finalLoss: lastLoss },
    thresholds: { image: imageThreshold, pixel: pixelThreshold },
    normalisation: { image: normalisationFor(imageThreshold.value, good.scores), pixel: normalisationFor(pixelThreshold.value, pixels.good) },
  };
  return {
    config,
    network,
    networkBytes,
    scorer,
    validation: { goodScores: good.scores, defectScores: defect.scores },
    training: { steps, stoppedBy, averagedSteps: average.count, loss: lossBlocks, reserveSeconds: reserve },
    seconds: { training: (t1 - trainStart) / 1000, validation: (t2 - t1) / 1000, total: (t2 - t0) / 1000 },
    warnings: [...warnings, ...imageThreshold.warnings, ...pixelThreshold.warnings],
  };
}

/** The artifact files of a simulated detector folder, in writing order. */
export const SIMULATED_FILES: readonly string[] = [SIMULATED_NETWORK_FILE, ANOMALY_FILES.model, ANOMALY_FILES.config, ANOMALY_FILES.card, 'run.json'];

/**
 * Pixel values for the pixel threshold, as `fit.ts` collects them for PatchCore: every
 * pixel of the good maps, and of defect maps that have a mask, the defect pixels and the
 * defect-free ones apart.
 */
function pixelSamples(goodMaps: Float32Array[], defectMaps: Float32Array[], defects: readonly DefectSample[]): { good: Float32Array; defect: Float32Array; background: Float32Array } {
  const good = new Float32Array(goodMaps.reduce((s, m) => s + m.length, 0));
  goodMaps.reduce((at, m) => (good.set(m, at), at + m.length), 0);
  const defect: number[] = [];
  const background: number[] = [];
  defects.forEach((s, i) => {
    if (!s.mask) return;
    const map = defectMaps[i];
    if (s.mask.length !== map.length) throw new XqcError('XQC_SHAPE_MISMATCH', `defect mask ${i} has ${s.mask.length} pixels, its map ${map.length}`);
    for (let p = 0; p < map.length; p++) (s.mask[p] ? defect : background).push(map[p]);
  });
  return { good, defect: Float32Array.from(defect), background: Float32Array.from(background) };
}
