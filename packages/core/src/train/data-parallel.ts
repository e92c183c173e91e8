/**
 * Data-parallel training steps across worker threads. ONNX Runtime's intra-op threads
 * leave most of a training step on one core: the graph has hundreds of small nodes
 * (window Slices, per-tap MatMuls, reductions, elementwise backward ops) whose parallel
 * kernels cost more in thread hand-offs than they save (docs/training.md, profile). So
 * each of W workers owns a session of the whole training graph with one intra-op thread
 * and runs a contiguous share of the batch; the main thread combines their outputs:
 *
 * - loss and every weight gradient: the mean over shards weighted by shard size,
 *   sum_w (n_w / N) x_w, which is the gradient of the batch-mean loss;
 * - BatchNorm: each shard normalises with its own batch statistics (PyTorch's
 *   DataParallel / DistributedDataParallel without SyncBatchNorm); the running
 *   statistics the shards return (m r + (1 - m) s_w) are averaged with the same weights,
 *   which is m r + (1 - m) times the weighted mean of the shard statistics;
 * - dropout masks are drawn for the whole batch by the trainer and cut into the same
 *   rows, so a sample's mask does not depend on the worker count.
 *
 * The combination runs in a fixed order in float64 and each worker's run is
 * single-threaded, so a step is deterministic for a seed and a worker count. With one
 * worker the result is the single-session step; with several it differs from it only
 * through the per-shard BatchNorm statistics (tested: data-parallel.test.ts).
 */
import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { XqcError } from '../errors.ts';
import type { Tensor } from '../onnx/tensor.ts';
import type { SessionOptions } from '../runtime/session.ts';
import { spawnModuleWorker } from './ts-worker.ts';

/** A request to a step worker. */
export interface StepRequest {
  id: number;
  feeds: Record<string, Tensor>;
  fetch: string[];
}

/** Messages from a step worker. */
export type StepReply =
  | { ready: true }
  | { startError: string }
  /** `busyMs`: wall time of the worker's session run (without the message passing). */
  | { id: number; outputs: Record<string, Tensor>; busyMs: number }
  | { id: number; error: string };

/** Most workers the default picks: beyond four, shards of a batch of 32 get too small for BatchNorm statistics. */
export const MAX_DEFAULT_WORKERS = 4;

/**
 * The default worker count: the cores, at most {@link MAX_DEFAULT_WORKERS} and at most
 * one per 4 images of the batch (so each shard's BatchNorm statistics see at least 4).
 */
export function defaultWorkers(batchSize: number, cores = availableParallelism()): number {
  return Math.max(1, Math.min(cores, MAX_DEFAULT_WORKERS, Math.floor(batchSize / 4)));
}

/** Sizes of `workers` contiguous shards of `n` rows: as equal as possible, the larger first. */
export function shardSizes(n: number, workers: number): number[] {
  const w = Math.max(1, Math.min(workers, n));
  const base = Math.floor(n / w);
  return Array.from({ length: w }, (_, i) => base + (i < n % w ? 1 : 0));
}

/** Rows [start, start + count) of a tensor along its first axis (a view of typed arrays, no copy). */
export function sliceRows<T extends Tensor>(t: T, start: number, count: number): T {
  const row = t.dims.slice(1).reduce((a, d) => a * d, 1);
  const data = Array.isArray(t.data) ? t.data.slice(start * row, (start + count) * row) : t.data.subarray(start * row, (start + count) * row);
  return { ...t, dims: [count, ...t.dims.slice(1)], data } as T;
}

/**
 * The outputs `names` of every shard combined as sum_w (counts[w] / sum counts) x_w,
 * accumulated in float64 in shard order. Float32 outputs only.
 */
export function combineShards(outputs: readonly Record<string, Tensor>[], counts: readonly number[], names: readonly string[]): Record<string, Tensor> {
  const total = counts.reduce((a, b) => a + b, 0);
  const result: Record<string, Tensor> = {};
  for (const name of names) {
    const first = outputs[0][name];
    if (!first || first.dtype !== 'float32') throw new XqcError('XQC_TRAIN', `shard output ${name} is missing or not float32`);
    const acc = new Float64Array(first.data.length);
    outputs.forEach((o, w) => {
      const d = o[name].data as Float32Array;
      if (d.length !== acc.length) throw new XqcError('XQC_TRAIN', `shard ${w} output ${name} has ${d.length} values, shard 0 ${acc.length}`);
      const share = counts[w] / total;
      for (let i = 0; i < acc.length; i++) acc[i] += share * d[i];
    });
    result[name] = { dtype: 'float32', dims: [...first.dims], data: Float32Array.from(acc) };
  }
  return result;
}

/** Options of {@link DataParallelSteps.create}. */
export interface DataParallelOptions {
  /** Session options of every worker (default one intra-op thread each). */
  sessionOptions?: SessionOptions;
  /** How long the workers may take to compile the graph (ms, default 120000). */
  startTimeoutMs?: number;
}

/** A pool of step workers, each with its own session of one training graph; see the module comment. */
export class DataParallelSteps {
  private next = 0;
  private readonly pending = new Map<number, { worker: number; resolve: (o: Record<string, Tensor>) => void; reject: (e: Error) => void }>();
  private readonly busy: number[];
  private failure: Error | undefined;
  private closed = false;

  private constructor(private readonly workers: Worker[]) {
    this.busy = workers.map(() => 0);
    for (const w of workers) {
      w.on('message', (m: StepReply) => this.receive(m));
      w.on('error', (e) => this.fail(new XqcError('XQC_TRAIN', `training worker failed: ${e.message}`)));
      w.on('exit', (code) => {
        if (this.pending.size) this.fail(new XqcError('XQC_TRAIN', `training worker exited (code ${code}) with ${this.pending.size} step(s) pending`));
      });
    }
  }

  /** Number of workers. */
  get size(): number {
    return this.workers.length;
  }

  /**
   * Milliseconds each worker has spent running its session (the sum of its runs' wall
   * times, message passing excluded) since the pool started, in worker order. Differences
   * of two readings over a stretch of wall time give each worker's busy share.
   */
  busyMs(): number[] {
    return [...this.busy];
  }

  /**
   * Starts `count` workers on the serialised training graph `model`; resolves once every
   * one has compiled its session.
   * @throws XQC_TRAIN when a worker cannot start or compile the graph in time.
   */
  static async create(model: Uint8Array, count: number, o: DataParallelOptions = {}): Promise<DataParallelSteps> {
    if (!Number.isInteger(count) || count < 1) throw new XqcError('XQC_TRAIN', `worker count must be a positive integer, got ${count}`);
    const sessionOptions: SessionOptions = { intraOpThreads: 1, ...o.sessionOptions };
    const workers: Worker[] = [];
    try {
      for (let i = 0; i < count; i++) workers.push(spawnModuleWorker('step-worker', { model, sessionOptions }));
      const timeout = o.startTimeoutMs ?? 120000;
      await Promise.all(workers.map((w, i) => new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new XqcError('XQC_TRAIN', `training worker ${i} did not start within ${timeout} ms`)), timeout);
        const done = (e?: Error): void => {
          clearTimeout(timer);
          w.off('message', onMessage);
          w.off('error', onError);
          if (e) reject(e);
          else resolve();
        };
        const onMessage = (m: StepReply): void => done('ready' in m ? undefined : new XqcError('XQC_TRAIN', `training worker ${i} could not start: ${'startError' in m ? m.startError.split('\n')[0] : 'unexpected message'}`));
        const onError = (e: Error): void => done(new XqcError('XQC_TRAIN', `training worker ${i} could not start: ${e.message}`));
        w.on('message', onMessage);
        w.on('error', onError);
      })));
    } catch (e) {
      await Promise.all(workers.map((w) => w.terminate()));
      throw e;
    }
    // Idle workers must not keep the process alive (a pool that is never closed).
    for (const w of workers) w.unref();
    return new DataParallelSteps(workers);
  }

  /**
   * Runs shard w's `feeds[w]` on worker w, all at once; resolves with each shard's
   * fetched outputs, in shard order. The requests are posted before this returns, so the
   * caller's thread is free while the workers compute.
   */
  run(feeds: readonly Record<string, Tensor>[], fetch: readonly string[]): Promise<Record<string, Tensor>[]> {
    if (this.closed) return Promise.reject(new XqcError('XQC_TRAIN', 'the training workers were closed'));
    if (this.failure) return Promise.reject(this.failure);
    if (feeds.length > this.workers.length) return Promise.reject(new XqcError('XQC_TRAIN', `${feeds.length} shards for ${this.workers.length} workers`));
    return Promise.all(feeds.map((f, w) => {
      const id = this.next++;
      const worker = this.workers[w];
      if (this.pending.size === 0) for (const x of this.workers) x.ref();
      const p = new Promise<Record<string, Tensor>>((resolve, reject) => this.pending.set(id, { worker: w, resolve, reject }));
      worker.postMessage({ id, feeds: f, fetch: [...fetch] } satisfies StepRequest);
      return p;
    }));
  }

  /** Releases every worker's session and stops the workers; pending steps are rejected. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.fail(new XqcError('XQC_TRAIN', 'the training workers were closed'));
    // Each worker releases its session and ends; one that does not within 5 s is terminated.
    await Promise.all(this.workers.map((w) => new Promise<void>((resolve) => {
      const timer = setTimeout(() => void w.terminate().then(() => resolve()), 5000);
      w.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      w.ref();
      w.postMessage({ close: true });
    })));
  }

  private receive(m: StepReply): void {
    if (!('id' in m)) return;
    const p = this.pending.get(m.id);
    if (!p) return;
    this.pending.delete(m.id);
    if (this.pending.size === 0) for (const x of this.workers) x.unref();
    if ('error' in m) p.reject(new XqcError('XQC_TRAIN', `training step failed in a worker: ${m.error}`));
    else {
      this.busy[p.worker] += m.busyMs;
      p.resolve(m.outputs);
    }
  }

  private fail(e: Error): void {
    this.failure ??= e;
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
    for (const x of this.workers) x.unref();
  }
}
