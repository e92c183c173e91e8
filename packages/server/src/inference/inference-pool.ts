/**
 * The inference worker pool. ONNX Runtime's `run` blocks the thread that calls it, so no
 * model runs on the API's event loop: each worker thread (inference-worker.ts) owns its
 * own sessions of every loaded model version, and decodes and preprocesses its images too.
 * Requests reach the workers through one {@link MicroBatcher} per (model version,
 * uncertainty request), which groups concurrent requests into batches.
 *
 * Thread budget: `workers * intraOpThreads <= cores`, so ONNX Runtime's thread pools never
 * ask for more cores than there are (oversubscribed pools spin against each other and
 * lose throughput). By default the pool takes one worker per two cores (at least one) and
 * gives each worker `floor(cores / workers)` intra-op threads: on 2 cores, 1 worker with
 * 2 threads; on 16 cores, 8 workers with 2 threads. The API thread and sharp's decoder
 * threads share the cores with them; a worker that is decoding leaves its intra-op threads
 * idle, which is what keeps the API thread responsive under load.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { ApiError } from '../errors/api-error.ts';
import type { ImageSignals } from '@xai-qc/core';
import type { DetectOptions, DetectOutput, ItemError, McDropoutRequest, ModelSpec, WorkerReply, WorkerRequest } from './inference.types.ts';
import { MicroBatcher } from './micro-batcher.ts';
import type { BatchObserver, BatchedResult, ItemOutcome } from './micro-batcher.ts';
import { workerCode } from './worker-code.ts';

/** Options of {@link InferencePool.start}; every field has a default. */
export interface InferencePoolOptions {
  /** Worker threads (default: see {@link threadBudget}). */
  workers?: number;
  /** ONNX Runtime intra-op threads per worker session (default: see {@link threadBudget}). */
  intraOpThreads?: number;
  /** Cores to budget for (default `os.availableParallelism()`). */
  cores?: number;
  /** Largest micro-batch (default 8). */
  maxBatchSize?: number;
  /**
   * Longest wait of the oldest queued request for its batch to fill, ms. Default 0, as
   * Triton's `max_queue_delay_microseconds`: a request leaves at once when a worker is
   * free, and batches form from the requests that queued while every worker was busy.
   */
  maxQueueDelayMs?: number;
  /**
   * Batches handed to each worker at once (default 2): the next batch waits in the worker's
   * queue while the current one runs, so a worker never idles for the round trip through
   * the API thread; requests arriving meanwhile still queue and batch.
   */
  batchesPerWorker?: number;
  /** Requests waiting per model beyond which new ones get 503 (default 256). */
  maxQueueSize?: number;
  /** How long a worker may take to start, ms (default 60000). */
  startTimeoutMs?: number;
  /** Called as each batch is dispatched, with its model version key (metrics). */
  onBatch?: (key: string, batch: Parameters<BatchObserver>[0]) => void;
}

/** Resolved thread settings. */
export interface ThreadBudget {
  workers: number;
  intraOpThreads: number;
  cores: number;
}

/**
 * The worker and intra-op thread counts for `cores` cores, honouring explicit choices.
 * @throws RangeError when explicit choices ask for more threads than cores.
 */
export function threadBudget(options: { workers?: number; intraOpThreads?: number; cores?: number } = {}): ThreadBudget {
  const cores = Math.max(1, options.cores ?? availableParallelism());
  const workers = options.workers ?? Math.max(1, Math.floor(cores / 2));
  const intraOpThreads = options.intraOpThreads ?? Math.max(1, Math.floor(cores / workers));
  if (!Number.isInteger(workers) || workers < 1) throw new RangeError(`inference workers must be an integer >= 1, got ${workers}`);
  if (!Number.isInteger(intraOpThreads) || intraOpThreads < 1) throw new RangeError(`intra-op threads must be an integer >= 1, got ${intraOpThreads}`);
  if (workers * intraOpThreads > cores) {
    throw new RangeError(`${workers} workers x ${intraOpThreads} intra-op threads = ${workers * intraOpThreads} threads exceeds ${cores} cores`);
  }
  return { workers, intraOpThreads, cores };
}

/** An error of one image from a worker, as the API reports it. */
export class InferenceItemError extends Error {
  constructor(readonly item: ItemError) {
    super(item.message);
    this.name = 'InferenceItemError';
  }
}

interface WorkerSlot {
  worker: Worker;
  pending: Map<number, { resolve: (r: WorkerReply) => void; reject: (e: Error) => void }>;
  /** Detect batches asked with signals whose `signals` message has not arrived yet, by request id. */
  signals: Map<number, { resolve: (s: (ImageSignals | null)[]) => void; reject: (e: Error) => void }>;
  /** Why the worker stopped, once it has. */
  failure?: Error;
}

/** A detection request of one image. */
export interface DetectRequest {
  /** The model version's {@link ModelSpec.key}. */
  key: string;
  bytes: Uint8Array;
  maxPixels: number;
  uncertainty?: McDropoutRequest;
  /** Compute the image's monitoring signals in the worker. */
  signals?: boolean;
}

/**
 * One image's result from the pool: the worker's output and, when the request asked for
 * signals, a promise of the image's monitoring signals, which the worker measures after it
 * has sent the results (undefined when they could not be measured, for example because the
 * worker stopped in between).
 */
export type PoolDetectOutput = DetectOutput & { signalsLater?: Promise<ImageSignals | undefined> };

/** See the module comment. */
export class InferencePool {
  private nextId = 0;
  private nextWorker = 0;
  private readonly specs = new Map<string, ModelSpec>();
  private readonly batchers = new Map<string, MicroBatcher<DetectRequest, PoolDetectOutput>>();
  private closed = false;

  private constructor(private readonly slots: WorkerSlot[], readonly budget: ThreadBudget, private readonly options: InferencePoolOptions) {
    slots.forEach((slot, index) => this.watch(slot, index));
  }

  /** Replaces a worker that stops while the pool is open: a new one starts and loads every model again. */
  private watch(slot: WorkerSlot, index: number): void {
    slot.worker.once('exit', () => {
      if (this.closed) return;
      void (async () => {
        const fresh = await startWorker(this.budget.intraOpThreads, this.options.startTimeoutMs ?? 60_000);
        for (const spec of this.specs.values()) await this.call(fresh, { type: 'load', id: 0, spec });
        if (this.closed) {
          await fresh.worker.terminate();
          return;
        }
        this.slots[index] = fresh;
        this.watch(fresh, index);
      })().catch(() => undefined);
    });
  }

  /** Starts the workers and waits until each has loaded its code. */
  static async start(options: InferencePoolOptions = {}): Promise<InferencePool> {
    const budget = threadBudget(options);
    const slots: WorkerSlot[] = [];
    try {
      for (let i = 0; i < budget.workers; i++) slots.push(await startWorker(budget.intraOpThreads, options.startTimeoutMs ?? 60_000));
    } catch (e) {
      await Promise.all(slots.map((s) => s.worker.terminate()));
      throw e;
    }
    return new InferencePool(slots, budget, options);
  }

  /** Keys of the loaded model versions. */
  get loaded(): string[] {
    return [...this.specs.keys()];
  }

  /** True when `key` is loaded in every worker. */
  has(key: string): boolean {
    return this.specs.has(key);
  }

  /** True while every worker is running (the readiness check); false while a stopped one is replaced. */
  get healthy(): boolean {
    return !this.closed && this.slots.every((s) => !s.failure);
  }

  /** Loads a model version in every worker (idempotent); resolves once all have compiled it. */
  async load(spec: ModelSpec): Promise<void> {
    if (this.closed) throw new ApiError(503, 'XQC_INFERENCE_UNAVAILABLE', 'inference is shutting down');
    await Promise.all(this.slots.map((s) => this.call(s, { type: 'load', id: 0, spec })));
    this.specs.set(spec.key, spec);
  }

  /**
   * Runs one image through the micro-batcher of its model version.
   * @throws InferenceItemError for a problem of this image (undecodable, too large),
   * ApiError 503 when the queue is full or the pool is closing.
   */
  async detect(request: DetectRequest): Promise<BatchedResult<PoolDetectOutput>> {
    if (!this.specs.has(request.key)) throw new ApiError(503, 'XQC_MODEL_NOT_LOADED', `model version ${request.key} is not loaded`);
    const u = request.uncertainty;
    const batchKey = `${request.key}|${request.maxPixels}|${u ? `${u.method}:${u.samples}:${u.seed}` : ''}|${request.signals ? 's' : ''}`;
    let batcher = this.batchers.get(batchKey);
    if (!batcher) {
      const options: DetectOptions = { maxPixels: request.maxPixels, uncertainty: u, signals: request.signals };
      batcher = new MicroBatcher<DetectRequest, PoolDetectOutput>(
        (items) => this.runBatch(request.key, items, options),
        {
          maxBatchSize: this.options.maxBatchSize ?? 8,
          maxQueueDelayMs: this.options.maxQueueDelayMs ?? 0,
          maxConcurrentBatches: this.slots.length * (this.options.batchesPerWorker ?? 2),
          maxQueueSize: this.options.maxQueueSize ?? 256,
        },
        this.options.onBatch ? (b) => this.options.onBatch?.(request.key, b) : undefined,
      );
      this.batchers.set(batchKey, batcher);
    }
    return batcher.submit(request);
  }

  /** Finishes every queued request, then stops the workers. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.batchers.values()].map((b) => b.close()));
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }

  private async runBatch(key: string, items: readonly DetectRequest[], options: DetectOptions): Promise<ItemOutcome<PoolDetectOutput>[]> {
    // Round-robin over running workers: each runs its requests in order, so spreading batches evenly keeps all busy.
    const n = this.slots.length;
    const start = this.nextWorker++;
    const slot = Array.from({ length: n }, (_, i) => this.slots[(start + i) % n]).find((x) => !x.failure) ?? this.slots[start % n];
    let signals: Promise<(ImageSignals | null)[] | undefined> | undefined;
    const reply = await this.call(slot, { type: 'detect', id: 0, key, images: items.map((i) => i.bytes), options }, (s) => (signals = s));
    if (!('results' in reply) || !reply.results) throw new ApiError(500, 'XQC_RUNTIME', 'inference worker returned no results');
    return reply.results.map((r, i): ItemOutcome<PoolDetectOutput> => {
      if (!('value' in r)) return { error: new InferenceItemError(r.error) };
      return { value: signals ? { ...r.value, signalsLater: signals.then((all) => all?.[i] ?? undefined) } : r.value };
    });
  }

  /**
   * Sends `message` and resolves with the worker's reply. For a detect asked with signals,
   * `onSignals` receives, at once, a promise of the batch's signals message (undefined when the
   * reply failed or the worker stopped before sending it; it never rejects).
   */
  private call(slot: WorkerSlot, message: WorkerRequest, onSignals?: (signals: Promise<(ImageSignals | null)[] | undefined>) => void): Promise<WorkerReply> {
    const id = ++this.nextId;
    if (slot.failure) return Promise.reject(slot.failure);
    if (onSignals && message.type === 'detect' && message.options.signals) {
      onSignals(
        new Promise<(ImageSignals | null)[]>((resolve, reject) => slot.signals.set(id, { resolve, reject })).catch(() => undefined),
      );
    }
    return new Promise<WorkerReply>((resolve, reject) => {
      slot.pending.set(id, { resolve, reject });
      slot.worker.postMessage({ ...message, id });
    }).then((reply) => {
      if ('ok' in reply && !reply.ok) {
        // a failed detect sends no signals
        slot.signals.get(id)?.resolve([]);
        slot.signals.delete(id);
        throw new InferenceItemError(reply.error);
      }
      return reply;
    });
  }
}

/**
 * Starts a worker running inference-worker.ts. The sources are TypeScript run through
 * tsx: the worker registers tsx's loader in its own thread before it imports the entry
 * (a worker does not inherit the loader of the thread that made it), as core's batch
 * loader does.
 */
async function startWorker(intraOpThreads: number, timeoutMs: number): Promise<WorkerSlot> {
  const code = workerCode(import.meta.url, 'inference-worker');
  const worker = new Worker(code, { eval: true, workerData: { intraOpThreads } });
  const slot: WorkerSlot = { worker, pending: new Map(), signals: new Map() };
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => finish(new Error(`inference worker did not start within ${timeoutMs} ms`)), timeoutMs);
    const finish = (e?: Error): void => {
      clearTimeout(timer);
      worker.off('message', onMessage);
      worker.off('error', finish);
      if (e) {
        void worker.terminate();
        reject(new ApiError(503, 'XQC_INFERENCE_UNAVAILABLE', `inference worker failed to start: ${e.message.split('\n')[0]}`, { cause: e }));
      } else resolve();
    };
    const onMessage = (m: WorkerReply): void => {
      if ('type' in m && m.type === 'ready') finish();
      else if ('type' in m && m.type === 'startError') finish(new Error(m.message));
    };
    worker.on('message', onMessage);
    worker.on('error', finish);
  });
  const failAll = (e: Error): void => {
    slot.failure ??= e;
    for (const p of slot.pending.values()) p.reject(e);
    slot.pending.clear();
    for (const p of slot.signals.values()) p.reject(e);
    slot.signals.clear();
  };
  worker.on('message', (m: WorkerReply) => {
    if (!('id' in m)) return;
    if ('type' in m && m.type === 'signals') {
      slot.signals.get(m.id)?.resolve(m.signals);
      slot.signals.delete(m.id);
      return;
    }
    const p = slot.pending.get(m.id);
    slot.pending.delete(m.id);
    p?.resolve(m);
  });
  worker.on('error', (e) => failAll(new ApiError(500, 'XQC_RUNTIME', `inference worker failed: ${e.message}`, { cause: e })));
  worker.on('exit', (code) => failAll(new ApiError(503, 'XQC_INFERENCE_UNAVAILABLE', `inference worker exited (code ${code})`)));
  return slot;
}
