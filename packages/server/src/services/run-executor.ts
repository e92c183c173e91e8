/**
 * What the run jobs do (jobs/handlers/run-train.job.ts, run-evaluate.job.ts): materialise
 * the dataset's blobs into a temporary folder, train or evaluate in a worker thread
 * (train-worker/), record each epoch and publish it as `run.epoch`, register a trained
 * model as a new inactive version, and store the figures (curves, metrics, run record) as
 * blobs with the run's results in one transaction. The temporary folder is removed in
 * every case. Training is mirrored to MLflow when the config names a tracking server.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AnomalyFolderEvaluation, AnomalyMethodRun, AnomalyRunRecord, FolderEvaluation, RunRecord, SimulatedRunRecord } from '@xai-qc/core';
import { modelCardToYaml, parseModelCardYaml, SIMULATED_FORMAT, splitRatiosFor, taskAdapter } from '@xai-qc/core';
import type { Task, TrainableTask } from '@xai-qc/core';
import { ApiError } from '../errors/api-error.ts';
import type { JobDeps } from '../jobs/job-definition.ts';
import type { JobContext, JobOutcome } from '../jobs/job-queue.ts';
import { DatasetRepository } from '../repositories/dataset.repository.ts';
import { RunRepository } from '../repositories/run.repository.ts';
import type { RunWithJob } from '../repositories/run.repository.ts';
import type { CreateRunDto } from '../schemas/run.schema.ts';
import type { BlobInput } from '../storage/blobs.ts';
import { runInWorker } from '../train-worker/run-in-worker.ts';
import type { WorkerReply } from '../train-worker/run-protocol.ts';
import { SERVER_VERSION } from '../version.ts';
import { DatasetService } from './dataset.service.ts';
import type { ModelFilePart } from './model-validation.ts';
import { MODEL_FILES } from './model-validation.ts';
import { trainingCurvesSvg } from './run-figures.ts';
import { DEFAULT_BACKBONE } from './run.service.ts';

/** A file a run stores. */
interface Artifact {
  name: string;
  bytes: Uint8Array;
  mediaType: string;
}

/** Minimum time between two progress writes within an epoch, ms. */
const PROGRESS_EVERY_MS = 500;

function datasetsOf(deps: JobDeps): DatasetService {
  return new DatasetService({
    repo: new DatasetRepository(deps.db),
    blobs: {
      storeWith: (items, within) => deps.blobs.putWith(items, (infos, trx) => within(infos.map((i) => i.sha256), trx)),
      get: async (sha256) => (await deps.blobs.get(sha256)).bytes,
      release: async (keys) => {
        await deps.blobs.release(keys);
      },
    },
  });
}

async function loadRun(runs: RunRepository, ctx: JobContext<'run.train' | 'run.evaluate'>): Promise<RunWithJob & { dataset_id: string }> {
  const run = await runs.find(ctx.job.accountId, ctx.payload.runId);
  if (!run) throw new ApiError(404, 'XQC_NOT_FOUND', `run ${ctx.payload.runId} not found`);
  if (run.dataset_id === null) throw new ApiError(409, 'XQC_DATASET_GONE', `the dataset of run ${run.id} was deleted`);
  return run as RunWithJob & { dataset_id: string };
}

/** Stores `artifacts` and the results of `runId` in one transaction; returns the blob keys. */
async function storeResults(deps: JobDeps, runs: RunRepository, runId: string, artifacts: readonly Artifact[], results: Parameters<RunRepository['finish']>[2]): Promise<string[]> {
  const items: BlobInput[] = artifacts.map((a) => ({ bytes: a.bytes, mediaType: a.mediaType }));
  return deps.blobs.putWith(items, async (infos, trx) => {
    await runs.finish(trx, runId, results, artifacts.map((a, i) => ({ name: a.name, blob_sha256: infos[i].sha256, size: infos[i].size, media_type: a.mediaType })));
    return infos.map((i) => i.sha256);
  });
}

/** Runs `fn` with a fresh temporary folder under `dataDir/tmp`, removed afterwards whatever happens. */
async function inTempDir<T>(deps: JobDeps, fn: (dir: string) => Promise<T>): Promise<T> {
  const parent = join(deps.config.dataDir, 'tmp');
  await mkdir(parent, { recursive: true });
  const dir = await mkdtemp(join(parent, 'xqc-run-'));
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** How often a run reads its job's cancellation flag, ms. */
const CANCEL_POLL_MS = 250;
/** How long a run stopped for a cancellation waits for the queue to abort its signal, ms. */
const CANCEL_WAIT_MS = 60_000;

/**
 * Runs `work` with a signal that aborts when the job's signal does, or as soon as the job row
 * says cancellation was asked (read every {@link CANCEL_POLL_MS}): the queue aborts the
 * handler's signal only at its next lease renewal, and a short run could finish meanwhile.
 * Stopped that way, it waits for the queue's signal and throws its reason, so the job ends
 * `cancelled` rather than failed.
 */
async function cancellable<T>(runs: RunRepository, ctx: JobContext<'run.train' | 'run.evaluate'>, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const local = new AbortController();
  const follow = (): void => local.abort(ctx.signal.reason);
  ctx.signal.addEventListener('abort', follow, { once: true });
  const timer = setInterval(() => {
    runs.cancelRequested(ctx.job.id).then(
      (asked) => {
        if (asked && !local.signal.aborted) local.abort(new ApiError(409, 'XQC_JOB_CANCELLED', `job ${ctx.job.id} was cancelled`));
      },
      () => undefined,
    );
  }, CANCEL_POLL_MS);
  try {
    return await work(local.signal);
  } catch (e) {
    if (local.signal.aborted && !ctx.signal.aborted) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, CANCEL_WAIT_MS);
        ctx.signal.addEventListener('abort', () => { clearTimeout(t); resolve(); }, { once: true });
      });
    }
    throw ctx.signal.aborted ? ctx.signal.reason : local.signal.aborted ? local.signal.reason : e;
  } finally {
    clearInterval(timer);
    ctx.signal.removeEventListener('abort', follow);
  }
}

/** Handles `run.train`: trains, registers an inactive version, stores curves and metrics. */
export async function executeTrain(deps: JobDeps, ctx: JobContext<'run.train'>): Promise<JobOutcome> {
  const runs = new RunRepository(deps.db);
  const run = await loadRun(runs, ctx);
  const body = JSON.parse(run.params_json) as CreateRunDto;
  const p = body.params ?? {};
  const task = run.task as TrainableTask | 'anomaly';
  const modelName = run.model_name as string;
  const version = body.version ?? `run-${run.id.slice(0, 8)}`;
  return inTempDir(deps, async (dir) => {
    const data = join(dir, 'data');
    const out = join(dir, 'out');
    await ctx.progress(0, 'materialising the dataset');
    await datasetsOf(deps).materialise(ctx.job.accountId, run.dataset_id, data);
    const ratios = splitRatiosFor(p.valSplit ?? 0.15, p.testSplit ?? 0.15);
    const epochs = p.epochs ?? 20;
    let pending: Promise<void> = Promise.resolve();
    let lastProgress = 0;
    const onMessage = (m: Exclude<WorkerReply, { type: 'done' | 'error' | 'startError' }>): void => {
      if (m.type === 'train-event' && m.event.type === 'epoch') {
        const { record, best } = m.event;
        pending = pending.then(async () => {
          await runs.addEpoch({ run_id: run.id, epoch: record.epoch, train_loss: record.trainLoss, val_metric: record.valMetric, lr: record.lr, seconds: record.seconds, val_json: JSON.stringify(record.val) });
          await deps.events.publish(ctx.job.accountId, 'run.epoch', {
            runId: run.id, jobId: ctx.job.id, epoch: record.epoch, epochs, trainLoss: record.trainLoss, valMetric: record.valMetric, lr: record.lr, seconds: record.seconds, best,
          });
          await ctx.progress(Math.min(0.9, (0.9 * record.epoch) / epochs), `epoch ${record.epoch} of ${epochs}`);
        });
      } else if (m.type === 'progress' && Date.now() - lastProgress >= PROGRESS_EVERY_MS) {
        lastProgress = Date.now();
        // A budgeted anomaly fit (simulated, auto) says how long it has left: its share of the time is the progress.
        const timed = task === 'anomaly' && m.remainingSeconds !== undefined && m.elapsedSeconds !== undefined && Number.isFinite(m.remainingSeconds);
        const fraction = timed
          ? (m.elapsedSeconds as number) / Math.max((m.elapsedSeconds as number) + (m.remainingSeconds as number), 1e-9)
          : task === 'anomaly' || m.epoch === undefined ? m.done / Math.max(m.total, 1) : (m.epoch - 1 + m.done / Math.max(m.total, 1)) / epochs;
        const message = timed && m.phase.endsWith('train') ? `${m.phase}: step ${m.done}, about ${Math.round(m.remainingSeconds as number)} s left` : `${m.phase}: ${m.done} of ${m.total}`;
        pending = pending.then(() => ctx.progress(Math.min(0.9, 0.9 * fraction), message));
      }
    };
    let record: RunRecord | AnomalyMethodRun['record'];
    let anomalyMethod: AnomalyMethodRun['method'] | undefined;
    try {
      record = await cancellable(runs, ctx, async (signal) => {
        if (task === 'anomaly') {
          const method = p.method ?? 'patchcore';
          // Method simulated has no backbone; patchcore and auto fit PatchCore on the named version or the demo backbone.
          const backbone = method === 'simulated' ? undefined : await backbonePath(deps, run, join(dir, 'backbone'));
          const options = {
            method, data, out, name: modelName, quantile: p.quantile, seed: p.seed ?? 0, ratios, timeBudgetSeconds: p.timeBudgetSeconds, codeVersion: SERVER_VERSION,
            patchcore: { backbone, layers: p.layers, coreset: p.coreset, size: p.size, imageScore: p.imageScore, dim: p.dim, batchSize: p.batchSize, session: p.threads ? { intraOpThreads: p.threads } : undefined },
            simulated: { size: p.size, batchSize: p.batchSize, width: p.width, depth: p.depth, lr: p.lr, threads: p.threads },
          };
          const result = await runInWorker<AnomalyMethodRun>({ op: 'train-anomaly', options }, { signal, onMessage });
          anomalyMethod = result.method;
          return result.record;
        }
        const options = {
          task, data, out, name: modelName, epochs, batchSize: p.batchSize, lr: p.lr, width: p.width, depth: p.depth, size: p.size, seed: p.seed ?? 0,
          splitRatios: ratios, optimizer: p.optimizer, schedule: p.schedule, labelSmoothing: p.labelSmoothing, patience: p.patience, augment: p.augment,
          threads: p.threads, codeVersion: SERVER_VERSION, mlflow: deps.config.mlflow,
        };
        return runInWorker<RunRecord>({ op: 'train', options }, { signal, onMessage });
      });
    } catch (e) {
      await pending.catch(() => undefined);
      throw e;
    }
    await pending;
    if (ctx.signal.aborted) throw ctx.signal.reason;
    await ctx.progress(0.92, 'registering the model version');
    const view = await registerVersion(deps, out, task, modelName, version, run.created_by);
    const artifacts: Artifact[] = [{ name: 'run.json', bytes: Buffer.from(JSON.stringify(record, null, 2)), mediaType: 'application/json' }];
    let metrics: unknown;
    if (task === 'anomaly' && anomalyMethod === 'simulated') {
      const r = record as SimulatedRunRecord & { choice?: unknown };
      metrics = { method: 'simulated', choice: r.choice ?? null, test: r.test ?? null, thresholds: r.thresholds, training: r.training, seconds: r.seconds, warnings: r.warnings };
    } else if (task === 'anomaly') {
      const r = record as AnomalyRunRecord & { choice?: unknown };
      metrics = { method: 'patchcore', choice: r.choice ?? null, test: r.test ?? null, thresholds: r.thresholds, bank: r.bank, warnings: r.warnings };
    } else {
      const r = record as RunRecord;
      const history = r.history.map((h) => ({ epoch: h.epoch, trainLoss: h.trainLoss, valMetric: h.valMetric, lr: h.lr, seconds: h.seconds }));
      metrics = { test: r.test ?? null, bestEpoch: r.bestEpoch, stoppedEarly: r.stoppedEarly, history };
      artifacts.push({ name: 'training-curves.svg', bytes: Buffer.from(trainingCurvesSvg(history, taskAdapter(task).selectionMetric.name)), mediaType: 'image/svg+xml' });
      artifacts.push({ name: 'dataset_card.yaml', bytes: await readFile(join(out, 'dataset_card.yaml')), mediaType: 'application/yaml' });
    }
    artifacts.push({ name: 'metrics.json', bytes: Buffer.from(JSON.stringify(metrics, null, 2)), mediaType: 'application/json' });
    const blobKeys = await storeResults(deps, runs, run.id, artifacts, {
      result_version_id: view.id,
      metrics_json: JSON.stringify(metrics),
      record_json: JSON.stringify(record),
      mlflow_run_id: (record as RunRecord).mlflowRunId ?? null,
      finished_at: new Date().toISOString(),
    });
    await ctx.progress(1, `registered ${modelName} ${version} (inactive)`);
    return { result: { runId: run.id, versionId: view.id, modelName, version }, blobKeys };
  });
}

/** The backbone of an anomaly run: the named version's files written under `dir`, else the demo model. */
async function backbonePath(deps: JobDeps, run: RunWithJob, dir: string): Promise<string> {
  if (run.source_version_id === null) return join(deps.config.modelsDir, DEFAULT_BACKBONE);
  await writeVersion(deps, run.source_version_id, dir);
  return join(dir, MODEL_FILES.model);
}

async function writeVersion(deps: JobDeps, versionId: string, dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  for (const [name, bytes] of await deps.registry.readVersionFiles(versionId)) await writeFile(join(dir, name), bytes);
}

/** Registers the model folder `out` as version `version` of `modelName`, not activated. */
async function registerVersion(deps: JobDeps, out: string, task: Task, modelName: string, version: string, createdBy: string | null) {
  const card = parseModelCardYaml(await readFile(join(out, MODEL_FILES.card), 'utf8'));
  const parts = new Map<ModelFilePart, Uint8Array>([
    ['model', await readFile(join(out, MODEL_FILES.model))],
    ['card', Buffer.from(modelCardToYaml({ ...card, name: modelName, version }))],
  ]);
  if (task === 'anomaly') {
    // anomaly.json's format says which artifacts the detector folder holds (PatchCore's, or network.onnx of the simulated method).
    const config = await readFile(join(out, MODEL_FILES.anomaly));
    const simulated = (JSON.parse(config.toString('utf8')) as { format?: string }).format === SIMULATED_FORMAT;
    parts.set('anomaly', config);
    for (const part of simulated ? (['network'] as const) : (['features', 'bank'] as const)) parts.set(part, await readFile(join(out, MODEL_FILES[part])));
  }
  return deps.registry.upload(parts, { activate: false, createdBy });
}

/** Handles `run.evaluate`: evaluates the version on the whole dataset and stores the report. */
export async function executeEvaluate(deps: JobDeps, ctx: JobContext<'run.evaluate'>): Promise<JobOutcome> {
  const runs = new RunRepository(deps.db);
  const run = await loadRun(runs, ctx);
  if (run.source_version_id === null) throw new ApiError(409, 'XQC_RUN_INVALID', `run ${run.id} names no model version`);
  const versionId = run.source_version_id;
  return inTempDir(deps, async (dir) => {
    const data = join(dir, 'data');
    const model = join(dir, 'model');
    await ctx.progress(0, 'materialising the dataset and the model');
    await datasetsOf(deps).materialise(ctx.job.accountId, run.dataset_id, data);
    await writeVersion(deps, versionId, model);
    let lastProgress = 0;
    let pending: Promise<void> = Promise.resolve();
    let evaluation: FolderEvaluation | AnomalyFolderEvaluation;
    try {
      const onMessage = (m: Exclude<WorkerReply, { type: 'done' | 'error' | 'startError' }>): void => {
        if (m.type !== 'progress' || Date.now() - lastProgress < PROGRESS_EVERY_MS) return;
        lastProgress = Date.now();
        pending = pending.then(() => ctx.progress(Math.min(0.95, (0.95 * m.done) / Math.max(m.total, 1)), `${m.done} of ${m.total} images`));
      };
      const task = { op: 'evaluate', modelPath: join(model, MODEL_FILES.model), dataDir: data, anomaly: run.task === 'anomaly' } as const;
      evaluation = await cancellable(runs, ctx, (signal) => runInWorker<FolderEvaluation | AnomalyFolderEvaluation>(task, { signal, onMessage }));
    } catch (e) {
      await pending.catch(() => undefined);
      throw e;
    }
    await pending;
    if (ctx.signal.aborted) throw ctx.signal.reason;
    const metrics = { ...evaluation, skipped: evaluation.skipped.length };
    const blobKeys = await storeResults(deps, runs, run.id, [{ name: 'metrics.json', bytes: Buffer.from(JSON.stringify(evaluation, null, 2)), mediaType: 'application/json' }], {
      metrics_json: JSON.stringify(metrics),
      finished_at: new Date().toISOString(),
    });
    await ctx.progress(1, 'evaluated');
    return { result: { runId: run.id, versionId }, blobKeys };
  });
}
