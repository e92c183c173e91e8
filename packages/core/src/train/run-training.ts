/**
 * A whole training run from a dataset folder to a shipped model: load and version the
 * data, train (resumable), and write `model.onnx`, `model_card.yaml` (from the measured
 * figures), `dataset_card.yaml` and `run.json`, optionally mirrored to MLflow.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import YAML from 'yaml';
import { DEFAULT_SPLIT_RATIOS } from '../data/split.ts';
import type { SplitRatios } from '../data/split.ts';
import { writeFileAtomic } from '../io/atomic-write.ts';
import type { ModelCard } from '../models/card.ts';
import { modelCardToYaml } from '../models/card.ts';
import { taskAdapter } from '../models/tasks/index.ts';
import { saveModel } from '../onnx/model-io.ts';
import type { AugmentConfig } from './augment.ts';
import { DEFAULT_AUGMENT } from './augment.ts';
import { loadTrainingData } from './dataset-samples.ts';
import type { TrainingData } from './dataset-samples.ts';
import type { ClassificationReport, SegmentationReport } from './evaluate.ts';
import { MlflowClient } from './mlflow.ts';
import type { MlflowMetric } from './mlflow.ts';
import type { OptimizerConfig } from './optimizers.ts';
import { defaultWorkers } from './data-parallel.ts';
import { trainModel } from './trainer.ts';
import type { EpochRecord, TrainConfig, TrainEvent, TrainResult } from './trainer.ts';
import { trainingTask } from './tasks/index.ts';
import type { TrainableTask } from './tasks/index.ts';

/** Options of {@link runTraining}; everything but `data`, `out` and `task` has a default. */
export interface RunTrainingOptions {
  data: string;
  out: string;
  task: TrainableTask;
  name?: string;
  epochs?: number;
  batchSize?: number;
  lr?: number;
  width?: number;
  depth?: number;
  dropout?: number;
  /** Square input size (default 64). */
  size?: number;
  seed?: number;
  /**
   * Shares of each label drawn into train, val and test (default 70/15/15). `test: 0`
   * trains on everything but the validation share, for a separate test folder. The card
   * records them (`training.splitRatios`) so `evaluate` and `calibrate` draw the same split.
   */
  splitRatios?: SplitRatios;
  optimizer?: OptimizerConfig['kind'];
  weightDecay?: number;
  schedule?: 'cosine' | 'step' | 'constant';
  labelSmoothing?: number;
  patience?: number;
  augment?: boolean | AugmentConfig;
  threads?: number;
  /**
   * Data-parallel training workers (default {@link defaultWorkers}: the cores, at most 4
   * and at most one per 4 images of the batch); recorded in `run.json` as `params.workers`.
   */
  workers?: number;
  resume?: boolean;
  /** Label names that mean "no defect" for the card (default `good` if present / the background). */
  goodLabels?: string[];
  intendedUse?: string;
  limitations?: string[];
  /** Commit or version of the code that trained the model. */
  codeVersion?: string;
  mlflow?: { trackingUri: string; experiment?: string; fetch?: typeof fetch };
  onEvent?: (e: TrainEvent) => void;
}

/** The `run.json` record. */
export interface RunRecord {
  id: string;
  name: string;
  task: TrainableTask;
  startedAt: string;
  finishedAt: string;
  params: TrainConfig;
  dataset: { root: string; hash: string; ratios: SplitRatios; counts: Record<string, number>; skipped: { path: string; reason: string }[] };
  codeVersion: string;
  history: EpochRecord[];
  bestEpoch: number;
  stoppedEarly: boolean;
  resumedFromEpoch: number;
  test?: ClassificationReport | SegmentationReport;
  timings: { totalSeconds: number; meanImagesPerSecond: number };
  artifacts: string[];
  mlflowRunId?: string;
}

/** Trains as configured and writes the model folder. */
export async function runTraining(o: RunTrainingOptions): Promise<RunRecord> {
  const startedAt = new Date().toISOString();
  const size = o.size ?? 64;
  const ratios = o.splitRatios ?? { ...DEFAULT_SPLIT_RATIOS };
  const data = await loadTrainingData(o.data, { task: o.task, inputSize: [size, size], seed: o.seed ?? 0, ratios });
  const cfg = makeConfig(o, data.labels, size);
  await mkdir(o.out, { recursive: true });
  const checkpointDir = join(o.out, 'checkpoint');
  await mkdir(checkpointDir, { recursive: true });
  const result = await trainModel(cfg, data, { checkpointDir, resume: o.resume, onEvent: o.onEvent });
  const name = o.name ?? basename(resolve(o.out));
  const id = randomUUID();
  const artifacts = ['model.onnx', 'model_card.yaml', 'dataset_card.yaml', 'run.json'];
  await writeFileAtomic(join(o.out, 'model.onnx'), saveModel(result.model));
  await writeFileAtomic(join(o.out, 'model_card.yaml'), modelCardToYaml(modelCard(o, name, cfg, data, result, id, ratios)));
  await writeFileAtomic(join(o.out, 'dataset_card.yaml'), datasetCard(o.data, data));
  const record: RunRecord = {
    id,
    name,
    task: o.task,
    startedAt,
    finishedAt: new Date().toISOString(),
    params: cfg,
    dataset: { root: resolve(o.data), hash: data.manifest.id, ratios, counts: { train: data.train.length, val: data.val.length, test: data.test.length }, skipped: data.skipped },
    codeVersion: o.codeVersion ?? 'unknown',
    history: result.history,
    bestEpoch: result.bestEpoch,
    stoppedEarly: result.stoppedEarly,
    resumedFromEpoch: result.resumedFromEpoch,
    test: result.test,
    timings: {
      totalSeconds: result.totalSeconds,
      meanImagesPerSecond: result.history.length ? result.history.reduce((s, h) => s + h.imagesPerSecond, 0) / result.history.length : 0,
    },
    artifacts,
  };
  if (o.mlflow) record.mlflowRunId = await mirrorToMlflow(o.mlflow, record, o.out);
  await writeFileAtomic(join(o.out, 'run.json'), JSON.stringify(record, null, 2));
  return record;
}

function makeConfig(o: RunTrainingOptions, labels: string[], size: number): TrainConfig {
  const task = trainingTask(o.task);
  const arch = task.architecture({ width: o.width, depth: o.depth, dropout: o.dropout });
  const opt = o.optimizer ?? 'adamw';
  const optimizer: OptimizerConfig = opt === 'sgd' ? { kind: 'sgd', momentum: 0.9, weightDecay: o.weightDecay ?? 5e-4 } : { kind: opt, weightDecay: o.weightDecay ?? (opt === 'adamw' ? 1e-4 : 0) };
  const aug = o.augment === false ? undefined : o.augment === true || o.augment === undefined ? DEFAULT_AUGMENT : o.augment;
  return {
    task: o.task,
    labels,
    arch,
    inputSize: [size, size],
    norm: { mean: [0.5, 0.5, 0.5], std: [0.25, 0.25, 0.25] },
    epochs: o.epochs ?? 20,
    batchSize: o.batchSize ?? 32,
    lr: o.lr ?? 3e-3,
    optimizer,
    schedule: o.schedule === 'step' ? { kind: 'step', stepSize: 1000, gamma: 0.1 } : o.schedule === 'constant' ? { kind: 'constant' } : { kind: 'cosine', warmupSteps: 20 },
    labelSmoothing: o.labelSmoothing ?? task.defaultLabelSmoothing,
    augment: aug,
    seed: o.seed ?? 0,
    patience: o.patience ?? 0,
    threads: o.threads,
    workers: o.workers ?? defaultWorkers(o.batchSize ?? 32),
  };
}

function modelCard(o: RunTrainingOptions, name: string, cfg: TrainConfig, data: TrainingData, r: TrainResult, runId: string, splitRatios: SplitRatios): ModelCard {
  const good = o.goodLabels ?? taskAdapter(o.task).defaultGoodLabels(data.labels);
  return {
    name,
    version: '1.0.0',
    task: o.task,
    labels: data.labels,
    goodLabels: good,
    input: { name: 'input', height: cfg.inputSize[0], width: cfg.inputSize[1], resize: 'stretch', layout: 'NCHW', color: 'rgb', mean: cfg.norm.mean, std: cfg.norm.std },
    outputs: { logits: 'logits' },
    explain: { layer: r.zoo.lastSpatial },
    thresholds: { reject: 0.5 },
    severity: [
      { severity: 'critical', minAreaFraction: 0.05 },
      { severity: 'major', minAreaFraction: 0.01 },
      { severity: 'minor' },
    ],
    dataset: { name: basename(resolve(o.data)), hash: data.manifest.id, split: { train: data.train.length, val: data.val.length, test: data.test.length } },
    metrics: r.test ? summariseMetrics(r.test) : undefined,
    training: {
      runId,
      architecture: cfg.arch,
      epochs: r.history.length,
      bestEpoch: r.bestEpoch,
      optimizer: cfg.optimizer,
      lr: cfg.lr,
      batchSize: cfg.batchSize,
      seed: cfg.seed,
      splitRatios,
      codeVersion: o.codeVersion ?? 'unknown',
    },
    intendedUse: o.intendedUse ?? `${trainingTask(o.task).intendedUse} of images like the training set (${basename(resolve(o.data))}).`,
    limitations: o.limitations ?? [
      r.test
        ? 'Figures were measured on a held-out split of the training distribution only; validate on your own line images before use.'
        : 'No test split was held out (test share 0): measure the model on a separate test folder (xaiqc evaluate --split all) before use.',
      `Input is resized to ${cfg.inputSize[0]}x${cfg.inputSize[1]}; defects smaller than a few pixels at that size may be missed.`,
    ],
  };
}

function summariseMetrics(t: ClassificationReport | SegmentationReport): Record<string, unknown> {
  const round = (v: number): number => Math.round(v * 1e4) / 1e4;
  if ('accuracy' in t) {
    return {
      split: 'test',
      count: t.count,
      accuracy: round(t.accuracy),
      macroF1: round(t.macroF1),
      perClass: Object.fromEntries(t.perClass.map((c) => [c.label, { precision: round(c.precision), recall: round(c.recall), f1: round(c.f1), support: c.support }])),
    };
  }
  return {
    split: 'test',
    count: t.count,
    defectDice: round(t.defectDice),
    defectPixelDice: round(t.defectPixelDice),
    meanIou: round(t.meanIou),
    meanDice: round(t.meanDice),
    perClass: Object.fromEntries(t.perClass.map((c) => [c.label, { iou: round(c.iou), dice: round(c.dice) }])),
  };
}

function datasetCard(root: string, d: TrainingData): string {
  const perClass: Record<string, Record<string, number>> = {};
  for (const split of ['train', 'val', 'test'] as const) {
    for (const s of d[split]) {
      const label = d.labels[s.label] ?? String(s.label);
      perClass[label] ??= { train: 0, val: 0, test: 0 };
      perClass[label][split]++;
    }
  }
  const card = {
    name: basename(resolve(root)),
    hash: d.manifest.id,
    format: d.manifest.format,
    classes: d.labels,
    split: d.manifest.split,
    counts: { train: d.train.length, val: d.val.length, test: d.test.length },
    perClass,
    skipped: d.skipped.length,
    files: d.manifest.files.length,
  };
  return `# XAI-QC dataset card\n${YAML.stringify(card)}`;
}

async function mirrorToMlflow(m: NonNullable<RunTrainingOptions['mlflow']>, r: RunRecord, out: string): Promise<string> {
  const client = new MlflowClient(m.trackingUri, m.fetch);
  const exp = await client.experimentId(m.experiment ?? 'xai-qc');
  const runId = await client.createRun(exp, r.name, { 'xaiqc.run_id': r.id, 'xaiqc.task': r.task, 'xaiqc.dataset_hash': r.dataset.hash, 'mlflow.source.git.commit': r.codeVersion });
  try {
    const params: Record<string, string> = {};
    for (const [k, v] of Object.entries(r.params)) params[k] = typeof v === 'object' ? JSON.stringify(v) : String(v);
    params.dataset_hash = r.dataset.hash;
    const metrics: MlflowMetric[] = [];
    const ts = Date.now();
    for (const h of r.history) {
      metrics.push({ key: 'train_loss', value: h.trainLoss, step: h.epoch, timestamp: ts });
      metrics.push({ key: 'val_metric', value: h.valMetric, step: h.epoch, timestamp: ts });
      metrics.push({ key: 'images_per_second', value: h.imagesPerSecond, step: h.epoch, timestamp: ts });
    }
    const test = r.test ? summariseMetrics(r.test) : {};
    for (const [k, v] of Object.entries(test)) if (typeof v === 'number') metrics.push({ key: `test_${k}`, value: v, step: r.history.length, timestamp: ts });
    await client.logBatch(runId, params, metrics);
    for (const a of ['model.onnx', 'model_card.yaml', 'dataset_card.yaml']) await client.logArtifact(runId, exp, a, await readFile(join(out, a)));
    await client.terminate(runId, 'FINISHED');
  } catch (e) {
    await client.terminate(runId, 'FAILED').catch(() => undefined);
    throw e;
  }
  return runId;
}
