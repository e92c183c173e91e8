/**
 * The anomaly answers' heavy work off the API's event loop: one worker thread
 * (anomaly-worker.ts) embeds images, draws the anomaly-map overlay and thumbnails, fits the
 * score surrogate and explains a score with its waterfall.
 * ONNX Runtime's `run` blocks the thread that calls it, and decoding, features and PNG
 * encoding take tens of milliseconds per image, so none of it runs on the API thread.
 * The thread starts on the first request, runs requests one at a time (one ONNX Runtime
 * caller, one intra-op thread: the inference pool keeps the other cores), and ends after
 * {@link IDLE_MS} without work, so an app that never asks holds no thread.
 */
import { Worker } from 'node:worker_threads';
import type { ModelCard } from '@xai-qc/core';
import { ApiError } from '../errors/api-error.ts';
import type { AnomalyScoreExplanation, AnomalySurrogate } from './anomaly-core.ts';
import { workerCode } from '../inference/worker-code.ts';

/** How long the thread waits for work before it ends, ms. */
export const IDLE_MS = 30_000;

/** Longest side at which images and maps are read for features and overlays. */
export const ANSWER_MAX_SIDE = 1024;

/** A detector's files on disk (see anomaly-models.ts). */
export interface DetectorFiles {
  /** Model version id: the key of the thread's cached sessions. */
  key: string;
  /** Folder with the backbone file and anomaly.json. */
  dir: string;
  card: ModelCard;
  /**
   * File in `dir` whose activation at `layer` is pooled for embeddings: features.onnx for
   * PatchCore (the default), model.onnx for a detector trained on simulated defects.
   */
  backbone?: string;
  /** Value pooled for embeddings: the deepest PatchCore feature layer, or the deepest automatic layer of the simulated detector's network (its U-Net bottleneck). */
  layer: string;
}

/** Statistics of a normalised anomaly map (0.5 is the pixel threshold). */
export interface MapStats {
  width: number;
  height: number;
  max: number;
  mean: number;
  /** Share of pixels at or above 0.5. */
  defectArea: number;
}

/** The "why" of one score: the core's explanation without its SVG. */
export type WhyResult = Omit<AnomalyScoreExplanation, 'waterfall'> & { waterfall: { data: AnomalyScoreExplanation['waterfall']['data']; png: Uint8Array } };

/** Requests to the thread, by type: what each takes and what it answers. */
export interface AnomalyWork {
  embed: { in: { model: DetectorFiles; images: Uint8Array[] }; out: { dim: number; vectors: Float32Array } };
  where: { in: { image: Uint8Array; map: Uint8Array }; out: { stats: MapStats; overlayPng: Uint8Array; npy: Uint8Array } };
  fit: { in: { items: { image: Uint8Array; map: Uint8Array; score: number }[] }; out: AnomalySurrogate };
  why: { in: { image: Uint8Array; map: Uint8Array; score: number; surrogate: AnomalySurrogate }; out: WhyResult };
  thumbnail: { in: { image: Uint8Array; size: number }; out: Uint8Array };
}

/** One message to the thread. */
export type AnomalyWorkRequest = { [K in keyof AnomalyWork]: { id: number; type: K; input: AnomalyWork[K]['in'] } }[keyof AnomalyWork];

/** One answer of the thread. */
export type AnomalyWorkReply = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: { code: string; message: string } } | { type: 'ready' } | { type: 'startError'; message: string };

/** See the module comment. */
export class AnomalyCompute {
  private worker: Promise<Worker> | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private idle: NodeJS.Timeout | undefined;

  /** Runs one request in the thread (starting it when needed). */
  async run<K extends keyof AnomalyWork>(type: K, input: AnomalyWork[K]['in']): Promise<AnomalyWork[K]['out']> {
    if (this.idle) clearTimeout(this.idle);
    this.idle = undefined;
    const worker = await this.started();
    const id = this.nextId++;
    try {
      return (await new Promise<unknown>((resolve, reject) => {
        this.pending.set(id, { resolve, reject });
        worker.postMessage({ id, type, input } as AnomalyWorkRequest);
      })) as AnomalyWork[K]['out'];
    } finally {
      if (this.pending.size === 0) {
        this.idle = setTimeout(() => void this.close(), IDLE_MS);
        this.idle.unref();
      }
    }
  }

  /** Ends the thread; requests in flight fail with 503. */
  async close(): Promise<void> {
    if (this.idle) clearTimeout(this.idle);
    this.idle = undefined;
    const w = this.worker;
    this.worker = undefined;
    const worker = await w?.catch(() => undefined);
    await worker?.terminate();
  }

  private started(): Promise<Worker> {
    this.worker ??= startWorker((m) => this.onMessage(m), (e) => this.failAll(e));
    this.worker.catch(() => (this.worker = undefined));
    return this.worker;
  }

  private onMessage(m: AnomalyWorkReply): void {
    if (!('id' in m)) return;
    const p = this.pending.get(m.id);
    this.pending.delete(m.id);
    if (!p) return;
    if (m.ok) p.resolve(m.value);
    else p.reject(toApiError(m.error));
  }

  private failAll(e: Error): void {
    this.worker = undefined;
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
  }
}

/** A core error code from the thread as an API error: bad images 422, everything else 500. */
function toApiError(e: { code: string; message: string }): ApiError {
  if (e.code === 'XQC_IMAGE_INVALID') return new ApiError(422, e.code, e.message);
  return new ApiError(500, e.code, e.message);
}

/**
 * Starts anomaly-worker.ts. The sources are TypeScript run through tsx: the thread
 * registers tsx's loader before it imports the entry, as the inference pool's workers do.
 */
async function startWorker(onMessage: (m: AnomalyWorkReply) => void, onFailure: (e: Error) => void): Promise<Worker> {
  const code = workerCode(import.meta.url, 'anomaly-worker');
  const worker = new Worker(code, { eval: true });
  worker.unref();
  await new Promise<void>((resolve, reject) => {
    const first = (m: AnomalyWorkReply): void => {
      worker.off('message', first);
      worker.off('error', reject);
      if ('type' in m && m.type === 'startError') reject(new ApiError(503, 'XQC_COMPUTE_UNAVAILABLE', `anomaly worker failed to start: ${m.message.split('\n')[0]}`));
      else resolve();
    };
    worker.on('message', first);
    worker.once('error', reject);
  });
  worker.on('message', onMessage);
  worker.on('error', (e) => onFailure(new ApiError(500, 'XQC_RUNTIME', `anomaly worker failed: ${e.message}`, { cause: e })));
  worker.on('exit', (code) => onFailure(new ApiError(503, 'XQC_COMPUTE_UNAVAILABLE', `anomaly worker exited (code ${code})`)));
  return worker;
}
