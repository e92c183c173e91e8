/**
 * The training loop: minibatches with seeded augmentation, one ONNX Runtime run per step
 * for loss + all weight gradients + BatchNorm statistics, an optimiser step in
 * JavaScript, validation each epoch, early stopping, best-checkpoint selection and exact
 * resumption. With a worker loader (TrainOptions.loaderWorker) the next batch is made in
 * a worker thread while ONNX Runtime computes the current step (batch-loader.ts:
 * onnxruntime-node runs a session synchronously on the main thread, so batches made there
 * cannot overlap it). With `TrainConfig.workers` > 1 each step is split across worker
 * threads that each own a session of the training graph (data-parallel.ts); the main
 * thread then makes the next batch while they compute.
 */
import { createHash } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { XqcError } from '../errors.ts';
import { taskAdapter } from '../models/tasks/index.ts';
import type { Model } from '../onnx/ir.ts';
import { cloneModel } from '../onnx/ir.ts';
import { saveModel } from '../onnx/model-io.ts';
import { drawMask } from '../onnx/passes/dropout-as-mask.ts';
import { tensor } from '../onnx/tensor.ts';
import type { Tensor } from '../onnx/tensor.ts';
import { createSession } from '../runtime/session.ts';
import type { AugmentConfig } from './augment.ts';
import type { Batch, Normalisation, TrainSample } from './batch.ts';
import { BatchLoader } from './batch-loader.ts';
import { loadCheckpoint, saveCheckpoint } from './checkpoint.ts';
import type { ClassificationReport, SegmentationReport } from './evaluate.ts';
import { createOptimizer } from './optimizers.ts';
import type { OptimizerConfig } from './optimizers.ts';
import { keyedRng, permutation } from '../util/random.ts';
import { learningRate } from './schedules.ts';
import type { ScheduleConfig } from './schedules.ts';
import { DataParallelSteps, combineShards, shardSizes, sliceRows } from './data-parallel.ts';
import { trainingTask } from './tasks/index.ts';
import type { TrainableTask } from './tasks/index.ts';
import { buildTrainingGraph } from './training-graph.ts';
import type { TrainingGraph } from './training-graph.ts';
import { compactResNet } from './zoo/compact-resnet.ts';
import { unet } from './zoo/unet.ts';
import type { ZooModel } from './zoo/zoo.types.ts';

/** Architecture of the model to train. */
export type ArchConfig =
  | { kind: 'compact-resnet'; width?: number; depth?: number; dropout?: number }
  | { kind: 'unet'; width?: number; depth?: number; dropout?: number; upsample?: 'transpose' | 'resize' };

/** Everything that determines a run (with the data). */
export interface TrainConfig {
  task: TrainableTask;
  labels: string[];
  arch: ArchConfig;
  /** Model input [height, width]. */
  inputSize: [number, number];
  norm: Normalisation;
  epochs: number;
  batchSize: number;
  lr: number;
  optimizer: OptimizerConfig;
  schedule: ScheduleConfig;
  labelSmoothing: number;
  augment?: AugmentConfig;
  seed: number;
  /** Stop after this many epochs without a better validation figure (0 = never). */
  patience: number;
  /**
   * ONNX Runtime intra-op threads of each training session (default: the runtime's
   * choice with one worker, 1 with several).
   */
  threads?: number;
  /**
   * Data-parallel workers (default 1: one session on the main thread). With W > 1 each
   * step's batch is cut into W contiguous shards run by W worker threads, each with its
   * own session; gradients and loss are averaged weighted by shard size, BatchNorm uses
   * per-shard batch statistics and averages the running statistics (data-parallel.ts).
   * A run is deterministic for a seed and a worker count; the count is part of the config.
   */
  workers?: number;
}

/** Figures of one epoch. */
export interface EpochRecord {
  epoch: number;
  trainLoss: number;
  lr: number;
  /** Validation figure used for selection: accuracy (classify) or defect Dice (segment). */
  valMetric: number;
  val: ClassificationReport | SegmentationReport;
  seconds: number;
  imagesPerSecond: number;
  /** Process CPU time over wall time during the epoch's training steps (1 = one core busy). */
  cpuUtilisation?: number;
  /**
   * Data-parallel runs only: the share of the epoch's training wall time each worker spent
   * running its shard; the rest it waited (for the slower shard, for the main thread, for
   * the messages).
   */
  workerBusy?: number[];
  /**
   * Data-parallel runs only: the share of the epoch's training wall time the main thread
   * spent between one step's results and the next step's request (averaging the shards,
   * the optimiser step, the next feeds, a batch not yet made), while every worker waited.
   */
  mainSerial?: number;
}

/** Progress events. */
export type TrainEvent =
  | { type: 'step'; epoch: number; step: number; steps: number; loss: number; lr: number }
  | { type: 'epoch'; record: EpochRecord; best: boolean }
  | { type: 'resume'; epoch: number }
  | { type: 'loader'; mode: 'worker' | 'inline'; fallbackReason?: string }
  | { type: 'early-stop'; epoch: number; bestEpoch: number };

/** Result of a run. */
export interface TrainResult {
  /** Inference model with the best weights. */
  model: Model;
  zoo: ZooModel;
  history: EpochRecord[];
  bestEpoch: number;
  bestMetric: number;
  test?: ClassificationReport | SegmentationReport;
  stoppedEarly: boolean;
  resumedFromEpoch: number;
  totalSeconds: number;
}

/** Options of {@link trainModel}. */
export interface TrainOptions {
  /** Folder for resumable checkpoints (written after every epoch). */
  checkpointDir?: string;
  /** Continue from the checkpoint in `checkpointDir` when it matches this config. */
  resume?: boolean;
  onEvent?: (e: TrainEvent) => void;
  /** Stop after this epoch (for tests of resumption); the checkpoint stays resumable. */
  stopAfterEpoch?: number;
  /**
   * Make batches in a worker thread, overlapping the ONNX Runtime run (see
   * batch-loader.ts). Batches are identical either way. Default: only with more than two
   * cores. On the 2-core reference machine ONNX Runtime's two intra-op threads already
   * fill both cores, the worker measured no faster there (docs/benchmarks.md), and it
   * holds a second copy of the training images.
   */
  loaderWorker?: boolean;
}

interface CheckpointMeta {
  configHash: string;
  epoch: number;
  history: EpochRecord[];
  bestEpoch: number;
  bestMetric: number;
  optimizerStep: number;
  slotCounts: Record<string, number>;
}

/** Builds the architecture of `cfg` in training or inference form. */
export function buildArchitecture(cfg: TrainConfig, training: boolean): ZooModel {
  const common = { seed: cfg.seed, training, numClasses: cfg.labels.length, inputSize: cfg.inputSize };
  if (cfg.arch.kind === 'compact-resnet') return compactResNet({ ...common, width: cfg.arch.width, depth: cfg.arch.depth, dropout: cfg.arch.dropout });
  return unet({ ...common, width: cfg.arch.width, depth: cfg.arch.depth, dropout: cfg.arch.dropout, upsample: cfg.arch.upsample });
}

/** SHA-256 of the config (key order normalised), identifying what a checkpoint belongs to. */
export function configHash(cfg: TrainConfig): string {
  const canon = (v: unknown): unknown =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, canon((v as Record<string, unknown>)[k])]))
      : v;
  return createHash('sha256').update(JSON.stringify(canon(cfg))).digest('hex');
}

/** Copies `params` and BatchNorm statistics into the inference model of the zoo. */
export function exportWeights(zoo: ZooModel, params: Record<string, Float32Array>): Model {
  const m = cloneModel(zoo.model);
  for (const [name, data] of Object.entries(params)) {
    const t = m.graph.initializers.get(name);
    if (!t) continue;
    if (t.data.length !== data.length) throw new XqcError('XQC_TRAIN', `weight ${name} has ${data.length} values, model expects ${t.data.length}`);
    m.graph.initializers.set(name, tensor('float32', t.dims, data.slice()));
  }
  return m;
}

/**
 * Trains a model on in-memory samples (images already at `cfg.inputSize`).
 * @throws XQC_TRAIN on empty data, a loss that becomes NaN, or a checkpoint of another config.
 */
export async function trainModel(cfg: TrainConfig, data: { train: TrainSample[]; val: TrainSample[]; test?: TrainSample[] }, opts: TrainOptions = {}): Promise<TrainResult> {
  const t0 = performance.now();
  if (data.train.length < 2) throw new XqcError('XQC_TRAIN', `need at least 2 training images, got ${data.train.length}`);
  if (data.val.length === 0) throw new XqcError('XQC_TRAIN', 'the validation split is empty');
  if (!(cfg.epochs >= 1) || !(cfg.batchSize >= 2)) throw new XqcError('XQC_TRAIN', 'epochs must be >= 1 and batch size >= 2');
  const workers = cfg.workers ?? 1;
  if (!Number.isInteger(workers) || workers < 1 || workers > Math.floor(cfg.batchSize / 2)) {
    throw new XqcError('XQC_TRAIN', `workers must be an integer from 1 to half the batch size (${Math.floor(cfg.batchSize / 2)}: each shard needs 2 images for its BatchNorm statistics), got ${workers}`);
  }
  const k = cfg.labels.length;
  const task = trainingTask(cfg.task);
  const trainZoo = buildArchitecture(cfg, true);
  const inferZoo = buildArchitecture(cfg, false);
  const tg = buildTrainingGraph({
    model: trainZoo.model,
    parameters: trainZoo.parameters,
    batchNorms: trainZoo.batchNorms,
    loss: task.loss,
    numClasses: k,
    classWeights: task.classWeights(data.train, k),
  });
  const sessionOptions = cfg.threads ? { intraOpThreads: cfg.threads } : {};

  const params: Record<string, Float32Array> = {};
  for (const name of [...tg.parameters, ...Object.keys(tg.runningStats)]) {
    params[name] = Float32Array.from(tg.initial[name].data as Float32Array);
  }
  const optimizer = createOptimizer(cfg.optimizer);
  let history: EpochRecord[] = [];
  let bestEpoch = -1;
  let bestMetric = -Infinity;
  let best: Record<string, Float32Array> = cloneParams(params);
  let startEpoch = 0;
  const hash = configHash(cfg);

  if (opts.resume && opts.checkpointDir) {
    const ck = await loadCheckpoint<CheckpointMeta>(opts.checkpointDir);
    if (ck) {
      if (ck.meta.configHash !== hash) throw new XqcError('XQC_TRAIN', 'the checkpoint was written by a run with another configuration');
      for (const name of Object.keys(params)) params[name] = ck.arrays[`param:${name}`];
      best = Object.fromEntries(Object.keys(params).map((name) => [name, ck.arrays[`best:${name}`]]));
      const slots = Object.fromEntries(Object.entries(ck.meta.slotCounts).map(([name, n]) => [name, Array.from({ length: n }, (_, i) => ck.arrays[`slot:${name}:${i}`])]));
      optimizer.load({ step: ck.meta.optimizerStep, slots });
      history = ck.meta.history;
      bestEpoch = ck.meta.bestEpoch;
      bestMetric = ck.meta.bestMetric;
      startEpoch = ck.meta.epoch + 1;
      opts.onEvent?.({ type: 'resume', epoch: startEpoch });
    }
  }

  const stepsPerEpoch = Math.floor(data.train.length / cfg.batchSize) || 1;
  const totalSteps = stepsPerEpoch * cfg.epochs;
  let stoppedEarly = false;
  const loader = await BatchLoader.create(
    data.train,
    { task: cfg.task, numClasses: k, norm: cfg.norm, labelSmoothing: cfg.labelSmoothing, augment: cfg.augment, seed: cfg.seed },
    { worker: opts.loaderWorker ?? availableParallelism() > 2 },
  );
  opts.onEvent?.({ type: 'loader', mode: loader.mode, fallbackReason: loader.fallbackReason });
  // Compiled last, so that everything which can fail before the loop leaves no native session behind.
  const compiled = await (workers > 1
    ? DataParallelSteps.create(saveModel(tg.model), workers, { sessionOptions: { intraOpThreads: cfg.threads ?? 1 } })
    : createSession(saveModel(tg.model), sessionOptions)
  ).catch(async (e: unknown) => {
    await loader.close();
    throw e;
  });
  const fetch = [tg.loss, ...tg.parameters.map((p) => tg.grads[p]), ...Object.values(tg.runningStats)];
  const shards = shardSizes(cfg.batchSize, workers);
  try {
    for (let epoch = startEpoch; epoch < cfg.epochs; epoch++) {
      const te = performance.now();
      const order = permutation(data.train.length, keyedRng(cfg.seed, epoch, 0x5eed));
      const batchAt = (s: number): Promise<Batch> => loader.get(order.slice(s * cfg.batchSize, (s + 1) * cfg.batchSize), epoch);
      let lossSum = 0;
      const cpu0 = process.cpuUsage();
      const busy0 = compiled instanceof DataParallelSteps ? compiled.busyMs() : [];
      let serialMs = 0;
      let resultsAt = -1;
      let next = batchAt(0);
      for (let s = 0; s < stepsPerEpoch; s++) {
        const step = epoch * stepsPerEpoch + s;
        const batch = await next;
        let out: Record<string, Tensor>;
        if (compiled instanceof DataParallelSteps) {
          // The shards are posted first, so the next batch is made while the workers compute.
          const pending = compiled.run(shardFeeds(stepFeeds(tg, batch, params, cfg.seed, step), tg, shards), fetch);
          if (resultsAt >= 0) serialMs += performance.now() - resultsAt;
          if (s + 1 < stepsPerEpoch) next = batchAt(s + 1);
          const shardOutputs = await pending;
          resultsAt = performance.now();
          out = combineShards(shardOutputs, shards, fetch);
        } else {
          // Asked for before the run starts, so the loader's worker makes it during the run.
          if (s + 1 < stepsPerEpoch) next = batchAt(s + 1);
          out = await compiled.run(stepFeeds(tg, batch, params, cfg.seed, step), fetch);
        }
        const loss = Number(out[tg.loss].data[0]);
        if (!Number.isFinite(loss)) throw new XqcError('XQC_TRAIN', `loss became ${loss} at epoch ${epoch + 1}, step ${s + 1}: lower the learning rate`);
        lossSum += loss;
        const lr = learningRate(cfg.schedule, cfg.lr, step, totalSteps);
        const grads: Record<string, Float32Array> = {};
        for (const p of tg.parameters) grads[p] = out[tg.grads[p]].data as Float32Array;
        optimizer.step(pickParams(params, tg.parameters), grads, lr);
        for (const [input, output] of Object.entries(tg.runningStats)) params[input] = Float32Array.from(out[output].data as Float32Array);
        opts.onEvent?.({ type: 'step', epoch: epoch + 1, step: s + 1, steps: stepsPerEpoch, loss, lr });
      }
      const trainEnd = performance.now();
      if (resultsAt >= 0) serialMs += trainEnd - resultsAt;
      const trainSeconds = (trainEnd - te) / 1000;
      const cpu = process.cpuUsage(cpu0);
      const val = await evaluate(cfg, inferZoo, params, data.val, sessionOptions);
      const valMetric = taskAdapter(cfg.task).selectionMetric.of(val as unknown as Record<string, unknown>);
      const record: EpochRecord = {
        epoch: epoch + 1,
        trainLoss: lossSum / stepsPerEpoch,
        lr: learningRate(cfg.schedule, cfg.lr, (epoch + 1) * stepsPerEpoch - 1, totalSteps),
        valMetric,
        val,
        seconds: (performance.now() - te) / 1000,
        imagesPerSecond: (stepsPerEpoch * cfg.batchSize) / trainSeconds,
        cpuUtilisation: (cpu.user + cpu.system) / 1e6 / trainSeconds,
      };
      if (compiled instanceof DataParallelSteps) {
        record.workerBusy = compiled.busyMs().map((b, w) => (b - busy0[w]) / 1000 / trainSeconds);
        record.mainSerial = serialMs / 1000 / trainSeconds;
      }
      history.push(record);
      const improved = valMetric > bestMetric;
      if (improved) {
        bestMetric = valMetric;
        bestEpoch = epoch + 1;
        best = cloneParams(params);
      }
      opts.onEvent?.({ type: 'epoch', record, best: improved });
      if (opts.checkpointDir) {
        const state = optimizer.state();
        const arrays: Record<string, Float32Array> = {};
        for (const [n, a] of Object.entries(params)) arrays[`param:${n}`] = a;
        for (const [n, a] of Object.entries(best)) arrays[`best:${n}`] = a;
        for (const [n, list] of Object.entries(state.slots)) list.forEach((a, i) => (arrays[`slot:${n}:${i}`] = a));
        await saveCheckpoint<CheckpointMeta>(opts.checkpointDir, {
          meta: {
            configHash: hash, epoch, history, bestEpoch, bestMetric, optimizerStep: state.step,
            slotCounts: Object.fromEntries(Object.entries(state.slots).map(([n, l]) => [n, l.length])),
          },
          arrays,
        });
      }
      if (cfg.patience > 0 && epoch + 1 - bestEpoch >= cfg.patience && epoch + 1 < cfg.epochs) {
        stoppedEarly = true;
        opts.onEvent?.({ type: 'early-stop', epoch: epoch + 1, bestEpoch });
        break;
      }
      if (opts.stopAfterEpoch !== undefined && epoch + 1 >= opts.stopAfterEpoch) break;
    }
  } finally {
    await loader.close();
    if (compiled instanceof DataParallelSteps) await compiled.close();
    else await compiled.release();
  }
  const model = exportWeights(inferZoo, best);
  const test = data.test && data.test.length ? await evaluateModel(cfg, model, data.test, sessionOptions) : undefined;
  return {
    model,
    zoo: inferZoo,
    history,
    bestEpoch,
    bestMetric,
    test,
    stoppedEarly,
    resumedFromEpoch: startEpoch,
    totalSeconds: (performance.now() - t0) / 1000,
  };
}

function cloneParams(p: Record<string, Float32Array>): Record<string, Float32Array> {
  return Object.fromEntries(Object.entries(p).map(([k, v]) => [k, v.slice()]));
}

function pickParams(p: Record<string, Float32Array>, names: string[]): Record<string, Float32Array> {
  return Object.fromEntries(names.map((n) => [n, p[n]]));
}

/** Feeds of one training step: batch, weights, statistics and dropout masks (drawn for the whole batch). */
function stepFeeds(tg: TrainingGraph, batch: Batch, params: Record<string, Float32Array>, seed: number, step: number): Record<string, Tensor> {
  const n = batch.images.dims[0];
  const feeds: Record<string, Tensor> = {
    [tg.input]: batch.images,
    [tg.targets]: batch.targets,
    [tg.cotangent]: tensor('float32', [], [1]),
  };
  for (const [name, a] of Object.entries(params)) {
    feeds[name] = { dtype: 'float32', dims: paramDims(tg, name), data: a };
  }
  const rng = keyedRng(seed, step, 0xd409);
  for (const d of tg.dropouts) feeds[d.input] = tensor('float32', [n, ...d.dims], drawMask(d, n, rng));
  return feeds;
}

/** The feeds of each shard: contiguous rows of the images, targets and dropout masks; weights as they are. */
function shardFeeds(feeds: Record<string, Tensor>, tg: TrainingGraph, sizes: readonly number[]): Record<string, Tensor>[] {
  const perRow = new Set([tg.input, tg.targets, ...tg.dropouts.map((d) => d.input)]);
  let start = 0;
  return sizes.map((count) => {
    const f: Record<string, Tensor> = {};
    for (const [name, t] of Object.entries(feeds)) f[name] = perRow.has(name) ? sliceRows(t, start, count) : t;
    start += count;
    return f;
  });
}

const dimsCache = new WeakMap<TrainingGraph, Map<string, number[]>>();

function paramDims(tg: TrainingGraph, name: string): number[] {
  let m = dimsCache.get(tg);
  if (!m) {
    m = new Map();
    for (const i of tg.model.graph.inputs) if (i.shape) m.set(i.name, i.shape as number[]);
    dimsCache.set(tg, m);
  }
  const dims = m.get(name);
  if (!dims) throw new XqcError('XQC_TRAIN', `no input shape for ${name}`);
  return dims;
}

async function evaluate(cfg: TrainConfig, zoo: ZooModel, params: Record<string, Float32Array>, samples: TrainSample[], sessionOptions: { intraOpThreads?: number }): Promise<ClassificationReport | SegmentationReport> {
  return evaluateModel(cfg, exportWeights(zoo, params), samples, sessionOptions);
}

/** Evaluates an inference model of the config's task on samples. */
export async function evaluateModel(cfg: Pick<TrainConfig, 'task' | 'labels' | 'norm'>, model: Model, samples: TrainSample[], sessionOptions: { intraOpThreads?: number } = {}): Promise<ClassificationReport | SegmentationReport> {
  const s = await createSession(saveModel(model), sessionOptions);
  try {
    return await trainingTask(cfg.task).evaluate(s, samples, cfg.labels, cfg.norm);
  } finally {
    await s.release();
  }
}
