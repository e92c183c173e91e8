/**
 * What the API calls for inference (`app.inference`): makes sure a registered model
 * version is loaded in every worker (writing its blobs into a serving folder the worker
 * can read), runs images through the pool, and keeps the Triton-style metrics. The pool
 * starts with the first model load, so an app without active models runs no workers.
 */
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { parseModelCard, writeFileAtomic } from '@xai-qc/core';
import { ApiError } from '../errors/api-error.ts';
import type { ServingVersion } from '../repositories/inspection.repository.ts';
import type { InferencePool } from './inference-pool.ts';
import { InferenceItemError } from './inference-pool.ts';
import type { InferenceMetrics } from './inference-metrics.ts';
import type { ImageSignals } from '@xai-qc/core';
import type { DetectOutput, McDropoutRequest, ModelSpec } from './inference.types.ts';

/** Reads a blob's bytes (the app's blob store). */
export type BlobReader = (sha256: string) => Promise<Uint8Array>;

/** One image's result with the API-side timings. */
export interface EngineResult {
  output: DetectOutput;
  /** Time in the micro-batcher's queue, ms. */
  queueMs: number;
  /** From submission to result, ms. */
  totalMs: number;
  /**
   * The image's monitoring signals when they were asked for: the worker measures them after it
   * has answered, so they arrive a little later than `output` (undefined when they could not
   * be measured). Await them just before storing the inspection.
   */
  signals?: Promise<ImageSignals | undefined>;
}

/** See the module comment. */
export class InferenceEngine {
  private readonly loading = new Map<string, Promise<void>>();
  private readonly labels = new Map<string, { model: string; version: string }>();

  private poolStart: Promise<InferencePool> | undefined;
  private pool: InferencePool | undefined;

  constructor(
    private readonly startPool: () => Promise<InferencePool>,
    private readonly metrics: InferenceMetrics,
    private readonly readBlob: BlobReader,
    /** Folder the versions' files are written to, one sub-folder per version id. */
    private readonly servingDir: string,
  ) {}

  /** True when `versionId` is loaded in every worker. */
  isLoaded(versionId: string): boolean {
    return this.pool?.has(versionId) ?? false;
  }

  /** False when a worker has stopped (the readiness check); true before the pool starts. */
  get healthy(): boolean {
    return this.pool?.healthy ?? true;
  }

  /** The thread budget of the running pool, undefined before it starts. */
  get budget(): InferencePool['budget'] | undefined {
    return this.pool?.budget;
  }

  private started(): Promise<InferencePool> {
    if (!this.poolStart) {
      this.poolStart = this.startPool().then((p) => (this.pool = p));
      // A pool that failed to start is tried again by the next load.
      this.poolStart.catch(() => (this.poolStart = undefined));
    }
    return this.poolStart;
  }

  /** Loads `v` in every worker once; concurrent callers share one load. A failed load can be retried. */
  ensureLoaded(v: ServingVersion): Promise<void> {
    this.labels.set(v.id, { model: v.modelName, version: v.version });
    if (this.pool?.has(v.id)) return Promise.resolve();
    let p = this.loading.get(v.id);
    if (!p) {
      p = Promise.all([this.started(), this.materialise(v)]).then(([pool, spec]) => pool.load(spec));
      this.loading.set(v.id, p);
      p.then(
        () => this.loading.delete(v.id),
        () => this.loading.delete(v.id),
      );
    }
    return p;
  }

  /**
   * Runs one encoded image through `v` (loading it first when needed).
   * @throws InferenceItemError for a problem of this image; ApiError 503 when overloaded.
   */
  async detect(v: ServingVersion, bytes: Uint8Array, options: { maxPixels: number; uncertainty?: McDropoutRequest; signals?: boolean }): Promise<EngineResult> {
    await this.ensureLoaded(v);
    const labels = { model: v.modelName, version: v.version };
    const t0 = performance.now();
    this.metrics.pending.inc(labels);
    try {
      const r = await (this.pool as InferencePool).detect({ key: v.id, bytes, maxPixels: options.maxPixels, uncertainty: options.uncertainty, signals: options.signals });
      const totalMs = performance.now() - t0;
      this.metrics.success.inc(labels);
      this.metrics.count.inc(labels);
      this.metrics.requestUs.inc(labels, Math.round(totalMs * 1000));
      this.metrics.queueUs.inc(labels, Math.round(r.queueMs * 1000));
      this.metrics.computeUs.inc(labels, Math.round(r.value.timings.computeMs * 1000));
      this.metrics.requestSeconds.observe(labels, totalMs / 1000);
      const { signalsLater, ...output } = r.value;
      return { output, queueMs: r.queueMs, totalMs, signals: signalsLater };
    } catch (e) {
      const code = e instanceof InferenceItemError ? e.item.code : e instanceof ApiError ? e.code : 'XQC_INTERNAL';
      this.metrics.failure.inc({ ...labels, code });
      throw e;
    } finally {
      this.metrics.pending.dec(labels);
    }
  }

  /** Records one model execution of `size` requests of version `key` (the pool's batch observer). */
  observeBatch(key: string, size: number): void {
    const labels = this.labels.get(key);
    if (!labels) return;
    this.metrics.execCount.inc(labels);
    this.metrics.batchSize.observe(labels, size);
  }

  /** Counts a stored inspection by verdict. */
  countInspection(modelName: string, verdict: string): void {
    this.metrics.inspections.inc({ model: modelName, verdict });
  }

  /** Stops the pool after the queued requests have run. */
  async close(): Promise<void> {
    const pool = await this.poolStart?.catch(() => undefined);
    await pool?.close();
  }

  /** Writes the version's files where a worker can read them and returns its spec. */
  private async materialise(v: ServingVersion): Promise<ModelSpec> {
    const card = parseModelCard(JSON.parse(v.cardJson) as unknown);
    const dir = join(this.servingDir, v.id);
    await this.writeBlob(join(dir, 'model.onnx'), v.onnxSha256);
    for (const f of v.files) {
      if (!/^[A-Za-z0-9._-]+$/.test(f.name) || f.name.startsWith('.')) throw new ApiError(500, 'XQC_MODEL_INVALID', `model version ${v.id} has a file with an unsafe name`);
      await this.writeBlob(join(dir, f.name), f.sha256);
    }
    // An anomaly detector folder of either format (PatchCore or trained on simulated defects): core's AnomalyDetector.load reads anomaly.json's format.
    const patchcore = card.task === 'anomaly' && v.files.some((f) => f.name === 'anomaly.json');
    if (card.task === 'anomaly' && !patchcore) {
      throw new ApiError(422, 'XQC_MODEL_INVALID', `anomaly model version ${v.id} has no detector artifacts (anomaly.json with features.onnx and bank.npy, or with network.onnx)`);
    }
    return { key: v.id, card, runner: patchcore ? 'patchcore' : 'onnx', path: patchcore ? dir : join(dir, 'model.onnx') };
  }

  private async writeBlob(path: string, sha256: string): Promise<void> {
    if (await stat(path).then((s) => s.isFile(), () => false)) return;
    await writeFileAtomic(path, await this.readBlob(sha256));
  }
}
