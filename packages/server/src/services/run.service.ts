/**
 * Runs of an account: `create` validates a train or evaluate request against the dataset
 * and the registry, records the run and enqueues its job (`run.train` or `run.evaluate`,
 * one attempt: a failed training is not retried blindly); `list` and `get` read runs with
 * their job's status, per-epoch figures and artifacts. Cancellation is the job's
 * (`POST /jobs/{jobId}/cancel`).
 */
import { randomUUID } from 'node:crypto';
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { taskAdapter } from '@xai-qc/core';
import type { Task } from '@xai-qc/core';
import type { Principal } from '../auth/principal.ts';
import { ApiError, badRequest, conflict, notFound } from '../errors/api-error.ts';
import type { JobQueue } from '../jobs/job-queue.ts';
import type { RunCursor, RunRepository, RunWithJob } from '../repositories/run.repository.ts';
import type { CreateRunDto, RunDetailView, RunView } from '../schemas/run.schema.ts';
import type { DatasetService } from './dataset.service.ts';
import type { ModelRegistryService } from './model-registry.service.ts';

/** What the service needs. */
export interface RunServiceDeps {
  repo: RunRepository;
  datasets: DatasetService;
  registry: ModelRegistryService;
  queue: Pick<JobQueue, 'enqueue'>;
  /** Folder of the demo models (default backbone of anomaly runs: `surface-classifier/model.onnx`). */
  modelsDir: string;
  getBlob(sha256: string): Promise<Buffer>;
  clock?: () => Date;
}

/** Default backbone of anomaly training, inside the models folder. */
export const DEFAULT_BACKBONE = join('surface-classifier', 'model.onnx');

/** True when a dataset of `format` has the folder layout `task` reads. */
export function layoutFits(task: Task, format: string): boolean {
  const layout = taskAdapter(task).datasetLayout;
  const folderLike = (f: string): boolean => f === 'classification' || f === 'anomaly';
  return layout === format || (folderLike(layout) && folderLike(format));
}

function toView(r: RunWithJob): RunView {
  return {
    id: r.id,
    kind: r.kind as RunView['kind'],
    task: r.task,
    status: (r.job_status ?? 'queued') as RunView['status'],
    progress: r.job_progress ?? 0,
    progressMessage: r.job_progress_message,
    error: r.job_error,
    jobId: r.job_id,
    datasetId: r.dataset_id,
    datasetHash: r.dataset_hash,
    params: JSON.parse(r.params_json) as unknown,
    modelName: r.model_name,
    sourceVersionId: r.source_version_id,
    resultVersionId: r.result_version_id,
    metrics: r.metrics_json === null ? null : (JSON.parse(r.metrics_json) as unknown),
    mlflowRunId: r.mlflow_run_id,
    createdAt: r.created_at,
    createdBy: r.created_by,
    startedAt: r.job_started_at,
    finishedAt: r.finished_at,
  };
}

function encodeCursor(c: RunCursor): string {
  return Buffer.from(JSON.stringify([c.createdAt, c.id])).toString('base64url');
}

function decodeCursor(s: string): RunCursor {
  try {
    const [createdAt, id] = JSON.parse(Buffer.from(s, 'base64url').toString('utf8')) as unknown[];
    if (typeof createdAt === 'string' && typeof id === 'string') return { createdAt, id };
  } catch {
    // Falls through to the 400 below.
  }
  throw badRequest('XQC_INVALID_CURSOR', 'cursor: not a cursor this API returned; pass nextCursor from the previous page');
}

const invalid = (field: string, message: string): ApiError => new ApiError(400, 'XQC_INVALID_ARGUMENT', `${field}: ${message}`, { errors: [{ field, message }] });

/** PatchCore's own parameters of an anomaly run: refused with method simulated, which has no backbone or bank. */
const PATCHCORE_ONLY = ['layers', 'coreset', 'imageScore', 'dim'] as const;

/**
 * The method of an anomaly train run against its other fields, as `xaiqc train --task
 * anomaly` checks them: a time budget only for simulated or auto; with simulated, no
 * backbone (modelVersionId) and no PatchCore parameter; crops per step at least 2 when the
 * simulated method fits (its BatchNorm statistics).
 * @throws 400 XQC_INVALID_ARGUMENT naming the field
 */
function checkAnomalyMethod(body: CreateRunDto): void {
  const p = body.params ?? {};
  const method = p.method ?? 'patchcore';
  if (method === 'patchcore' && p.timeBudgetSeconds !== undefined) throw invalid('params.timeBudgetSeconds', "applies to method simulated or auto; PatchCore's fit takes no budget");
  if (method === 'simulated') {
    if (body.modelVersionId !== undefined) throw invalid('modelVersionId', 'method simulated trains from scratch and takes no backbone; use method patchcore or auto');
    const given = PATCHCORE_ONLY.find((k) => p[k] !== undefined);
    if (given) throw invalid(`params.${given}`, 'applies to PatchCore (method patchcore or auto), not to method simulated');
  }
  if (method !== 'patchcore' && p.batchSize === 1) throw invalid('params.batchSize', 'the simulated method trains on at least 2 crops per step');
}

/** Run logic over its repository, datasets, the registry and the job queue. */
export class RunService {
  private readonly clock: () => Date;

  constructor(private readonly deps: RunServiceDeps) {
    this.clock = deps.clock ?? (() => new Date());
  }

  /**
   * Records a run and enqueues its job.
   * @throws 400 XQC_INVALID_ARGUMENT (fields that do not fit the kind or task), 404 dataset or
   *   version, 409 XQC_VERSION_EXISTS or XQC_TASK_MISMATCH, 422 XQC_DATASET_TASK_MISMATCH
   */
  async create(principal: Principal, body: CreateRunDto): Promise<RunDetailView> {
    const dataset = await this.deps.datasets.row(principal.accountId, body.datasetId);
    const p = body.params ?? {};
    if ((p.valSplit ?? 0.15) + (p.testSplit ?? 0.15) >= 1) throw invalid('params', 'valSplit + testSplit must be below 1 to leave images to train on');
    const id = randomUUID();
    let task: Task;
    let sourceVersionId: string | null = null;
    let modelName: string | null = null;
    if (body.kind === 'evaluate') {
      if (body.modelVersionId === undefined) throw invalid('modelVersionId', 'an evaluate run names the version to evaluate');
      for (const f of ['modelName', 'version'] as const) if (body[f] !== undefined) throw invalid(f, 'only train runs take it');
      if (body.params !== undefined) throw invalid('params', 'only train runs take hyper-parameters');
      const resolved = await this.deps.registry.resolve(undefined, body.modelVersionId);
      task = resolved.card.task;
      if (body.task !== undefined && body.task !== task) throw invalid('task', `version ${body.modelVersionId} is a ${task} model`);
      sourceVersionId = resolved.view.id;
      modelName = resolved.view.modelName;
    } else {
      if (body.task === undefined) throw invalid('task', 'a train run names its task: classify, segment or anomaly');
      if (body.modelName === undefined) throw invalid('modelName', 'a train run names the model its version joins');
      task = body.task;
      modelName = body.modelName;
      await this.checkNewVersion(modelName, task, body.version ?? `run-${id.slice(0, 8)}`);
      if (task === 'anomaly') checkAnomalyMethod(body);
      else for (const f of ['method', 'timeBudgetSeconds'] as const) if (p[f] !== undefined) throw invalid(`params.${f}`, 'applies to anomaly runs only');
      // Method simulated trains from scratch: no backbone to name or to find.
      if (task === 'anomaly' && p.method !== 'simulated') {
        if (body.modelVersionId !== undefined) {
          const backbone = await this.deps.registry.resolve(undefined, body.modelVersionId);
          if (backbone.card.task !== 'classify') throw invalid('modelVersionId', `the backbone of an anomaly run is a classify model; version ${body.modelVersionId} is ${backbone.card.task}`);
          sourceVersionId = backbone.view.id;
        } else {
          try {
            await access(join(this.deps.modelsDir, DEFAULT_BACKBONE));
          } catch {
            throw invalid('modelVersionId', `name a classify model version as the backbone: the default ${DEFAULT_BACKBONE} is not in the models folder`);
          }
        }
      } else if (task !== 'anomaly' && body.modelVersionId !== undefined) {
        throw invalid('modelVersionId', 'classify and segment models are trained from scratch; set the architecture with params.width, params.depth and params.size');
      }
    }
    if (!layoutFits(task, dataset.format)) {
      throw new ApiError(422, 'XQC_DATASET_TASK_MISMATCH', `a ${task} run reads the ${taskAdapter(task).datasetLayout} layout; dataset ${dataset.id} is ${dataset.format}`);
    }
    const now = this.clock().toISOString();
    await this.deps.repo.insert({
      id,
      account_id: principal.accountId,
      kind: body.kind,
      task,
      dataset_id: dataset.id,
      dataset_hash: dataset.manifest_hash,
      job_id: id,
      params_json: JSON.stringify(body),
      model_name: modelName,
      source_version_id: sourceVersionId,
      result_version_id: null,
      metrics_json: null,
      record_json: null,
      mlflow_run_id: null,
      created_at: now,
      created_by: principal.subject,
      finished_at: null,
    });
    try {
      const job = body.kind === 'train'
        ? await this.deps.queue.enqueue('run.train', { runId: id }, { accountId: principal.accountId, maxAttempts: 1 })
        : await this.deps.queue.enqueue('run.evaluate', { runId: id }, { accountId: principal.accountId, maxAttempts: 1 });
      await this.deps.repo.attachJob(id, job.id);
    } catch (e) {
      await this.deps.repo.remove(id);
      throw e;
    }
    return this.get(principal, id);
  }

  private async checkNewVersion(modelName: string, task: Task, version: string): Promise<void> {
    let model;
    try {
      model = await this.deps.registry.findModel(modelName);
    } catch (e) {
      if ((e as ApiError).status === 404) return;
      throw e;
    }
    if (model.task !== task) throw conflict('XQC_TASK_MISMATCH', `model '${modelName}' is a ${model.task} model; this run trains ${task}`);
    const detail = await this.deps.registry.getModel(model.id);
    if (detail.versions.some((v) => v.version === version)) throw conflict('XQC_VERSION_EXISTS', `model '${modelName}' already has version '${version}'; name another version`);
  }

  /** A page of the account's runs, newest first. */
  async list(principal: Principal, q: { datasetId?: string; kind?: string; limit?: number; cursor?: string }): Promise<{ items: RunView[]; nextCursor: string | null }> {
    const page = await this.deps.repo.list(principal.accountId, q.limit ?? 50, { datasetId: q.datasetId, kind: q.kind }, q.cursor === undefined ? undefined : decodeCursor(q.cursor));
    return { items: page.items.map(toView), nextCursor: page.next ? encodeCursor(page.next) : null };
  }

  /** A run with its epochs and artifacts. @throws 404 */
  async get(principal: Principal, id: string): Promise<RunDetailView> {
    const row = await this.deps.repo.find(principal.accountId, id);
    if (!row) throw notFound(`run ${id}`);
    const [epochs, artifacts] = await Promise.all([this.deps.repo.epochs(id), this.deps.repo.artifacts(id)]);
    return {
      ...toView(row),
      epochs: epochs.map((e) => ({ epoch: e.epoch, trainLoss: e.train_loss, valMetric: e.val_metric, lr: e.lr, seconds: e.seconds, val: JSON.parse(e.val_json) as unknown })),
      artifacts: artifacts.map((a) => ({ name: a.name, sha256: a.blob_sha256, size: a.size, mediaType: a.media_type })),
    };
  }

  /** The bytes of artifact `name` of run `id`. @throws 404 */
  async artifact(principal: Principal, id: string, name: string): Promise<{ bytes: Buffer; mediaType: string }> {
    const row = await this.deps.repo.find(principal.accountId, id);
    if (!row) throw notFound(`run ${id}`);
    const a = (await this.deps.repo.artifacts(id)).find((x) => x.name === name);
    if (!a) throw notFound(`artifact '${name}' of run ${id}`);
    return { bytes: await this.deps.getBlob(a.blob_sha256), mediaType: a.media_type };
  }
}
