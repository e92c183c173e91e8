/** `xaiqc train`: trains a classifier or segmenter, or fits an anomaly detector, from a dataset folder. */
import { TRAINABLE_TASKS, runTraining, splitRatiosFor } from '@xai-qc/core';
import type { SplitRatios, TrainableTask } from '@xai-qc/core';
import type { CliIO, Command } from '../command.ts';
import { UsageError, intOption, required } from '../command.ts';
import { progressReporter } from '../progress.ts';
import { codeVersion } from '../version.ts';
import { ANOMALY_TRAIN_HELP, ANOMALY_TRAIN_OPTIONS, runAnomalyTraining } from './train-anomaly.ts';

/** The shares of --val-split and --test-split (defaults 0.15 and 0.15) as split ratios. */
function splitOptions(values: Record<string, unknown>): SplitRatios {
  const share = (name: string): number => {
    const v = values[name];
    if (v === undefined) return 0.15;
    const n = Number(v);
    if (v === '' || !Number.isFinite(n)) throw new UsageError(`--${name} must be a number, got '${String(v)}'`);
    return n;
  };
  const val = share('val-split');
  const test = share('test-split');
  if (!(val > 0 && val < 1)) throw new UsageError(`--val-split must be in (0, 1): the validation split picks the best epoch and sets thresholds; got ${val}`);
  if (!(test >= 0 && test < 1)) throw new UsageError(`--test-split must be in [0, 1) (0 for a separate test folder); got ${test}`);
  if (!(val + test < 1)) throw new UsageError(`--val-split + --test-split must be below 1 to leave images to train on; got ${val} + ${test}`);
  return splitRatiosFor(val, test);
}

/** --workers N: a whole number from 1 to 64, or undefined for core's default (the cores, at most 4). */
function workersOption(values: Record<string, unknown>): number | undefined {
  const v = values.workers;
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 64) throw new UsageError(`--workers must be a whole number from 1 to 64, got '${String(v)}'`);
  return n;
}

/** How `--task` is trained: a network for each trainable task of core's table, PatchCore for anomaly. */
type Trainer = (values: Record<string, unknown>, io: CliIO, splitRatios: SplitRatios, task: string) => Promise<number>;

const TRAINERS: Readonly<Record<string, Trainer>> = Object.freeze({
  ...Object.fromEntries(TRAINABLE_TASKS.map((t): [string, Trainer] => [t, trainNetwork])),
  anomaly: (values: Record<string, unknown>, io: CliIO, splitRatios: SplitRatios) => runAnomalyTraining(values, io, splitRatios),
});

/** The known tasks as 'a, b or c'. */
function taskList(): string {
  const names = Object.keys(TRAINERS);
  return `${names.slice(0, -1).join(', ')} or ${names[names.length - 1]}`;
}

/** Trains a network for `task` (a key of core's training table) and prints the run. */
async function trainNetwork(values: Record<string, unknown>, io: CliIO, splitRatios: SplitRatios, task: string): Promise<number> {
  const num = (name: string): number | undefined => {
    const v = values[name];
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isFinite(n) || n <= 0) throw new UsageError(`--${name} must be a positive number`);
    return n;
  };
  const optimizer = values.optimizer as string | undefined;
  if (optimizer && !['sgd', 'adam', 'adamw'].includes(optimizer)) throw new UsageError('--optimizer must be sgd, adam or adamw');
  const schedule = values.schedule as string | undefined;
  if (schedule && !['cosine', 'step', 'constant'].includes(schedule)) throw new UsageError('--schedule must be cosine, step or constant');
  const mlflowUri = process.env.MLFLOW_TRACKING_URI;
  const record = await runTraining({
    task: task as TrainableTask,
    data: required(values, 'data'),
    out: required(values, 'out'),
    name: values.name as string | undefined,
    epochs: num('epochs'),
    batchSize: num('batch'),
    lr: num('lr'),
    width: num('width'),
    depth: num('depth'),
    size: num('size'),
    seed: intOption(values, 'seed', 0),
    splitRatios,
    optimizer: optimizer as 'adamw' | undefined,
    schedule: schedule as 'cosine' | undefined,
    labelSmoothing: values['label-smoothing'] === undefined ? undefined : Number(values['label-smoothing']),
    patience: num('patience'),
    augment: values['no-augment'] ? false : undefined,
    threads: num('threads'),
    workers: workersOption(values),
    resume: values.resume === true,
    codeVersion: codeVersion(),
    mlflow: mlflowUri ? { trackingUri: mlflowUri, experiment: process.env.MLFLOW_EXPERIMENT_NAME } : undefined,
    onEvent: io.progress ? progressReporter(io.progress) : undefined,
  });
  if (values.json) io.out(JSON.stringify(record, null, 2));
  else {
    io.out(`run ${record.id}: best epoch ${record.bestEpoch} of ${record.history.length}, ${record.timings.totalSeconds.toFixed(1)} s`);
    if (record.dataset.skipped.length) io.out(`skipped ${record.dataset.skipped.length} file(s): ${record.dataset.skipped.slice(0, 5).map((s) => `${s.path} (${s.reason})`).join('; ')}`);
    const t = record.test;
    if (!t) io.out('test: no test split (--test-split 0); measure the model on a separate folder with xaiqc evaluate --split all');
    else io.out(`test (${t.count} images): ${JSON.stringify('accuracy' in t ? { accuracy: t.accuracy, macroF1: t.macroF1 } : { defectDice: t.defectDice, meanIou: t.meanIou })}`);
  }
  return 0;
}

export const trainCommand: Command = {
  name: 'train',
  summary: 'train a classifier or segmenter, or fit an anomaly detector, on a dataset folder',
  help: `Usage: xaiqc train --task classify|segment --data DIR --out DIR [--epochs N] [--batch N] [--lr X]
                   [--width N] [--depth N] [--size PX] [--seed S] [--optimizer sgd|adam|adamw]
                   [--schedule cosine|step|constant] [--label-smoothing X] [--patience N]
                   [--val-split F] [--test-split F] [--no-augment] [--threads N] [--workers N] [--resume]
                   [--name NAME] [--json]

Trains a compact residual CNN (classify, data in ROOT/<class>/*) or a small U-Net
(segment, data in ROOT/images + ROOT/masks) with XAI-QC's ONNX autodiff. Corrupt files
are reported and skipped. Writes DIR/model.onnx, model_card.yaml (measured figures on the
test split), dataset_card.yaml, run.json and DIR/checkpoint (for --resume).
--val-split and --test-split (defaults 0.15 and 0.15) are the shares of each label drawn,
seeded by --seed, into the validation split (model selection, calibration) and the test
split (the card's figures); the rest trains. With a separate test folder, pass
--test-split 0 to train on everything but the validation share, then measure with
xaiqc evaluate --data TESTDIR --split all. The card records the shares, so evaluate and
calibrate draw the same split of the training folder.
--workers N (default: the cores, at most 4 and one per 4 images of the batch) splits
each step's batch across N worker threads, each with its own ONNX Runtime session
(--threads intra-op threads each, default 1); gradients are averaged, BatchNorm uses
per-shard statistics. A run is reproducible for a seed and a worker count; run.json
records the count (params.workers).
When MLFLOW_TRACKING_URI is set the run is mirrored to that MLflow server
(experiment MLFLOW_EXPERIMENT_NAME, default xai-qc).

Progress is a bar on a terminal and JSON lines otherwise.

${ANOMALY_TRAIN_HELP}`,
  options: {
    ...ANOMALY_TRAIN_OPTIONS,
    task: { type: 'string' },
    data: { type: 'string' },
    out: { type: 'string' },
    epochs: { type: 'string' },
    batch: { type: 'string' },
    lr: { type: 'string' },
    width: { type: 'string' },
    depth: { type: 'string' },
    size: { type: 'string' },
    seed: { type: 'string' },
    optimizer: { type: 'string' },
    schedule: { type: 'string' },
    'label-smoothing': { type: 'string' },
    'val-split': { type: 'string' },
    'test-split': { type: 'string' },
    patience: { type: 'string' },
    'no-augment': { type: 'boolean' },
    threads: { type: 'string' },
    workers: { type: 'string' },
    resume: { type: 'boolean' },
    name: { type: 'string' },
    json: { type: 'boolean' },
  },
  async run(values, _p, io) {
    const task = required(values, 'task');
    const splitRatios = splitOptions(values);
    if (!Object.hasOwn(TRAINERS, task)) throw new UsageError(`--task must be ${taskList()}`);
    return TRAINERS[task](values, io, splitRatios, task);
  },
};
