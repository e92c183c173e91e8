/**
 * The prefetching minibatch loader. onnxruntime-node runs a session synchronously on the
 * main thread (its asynchronous `run` only defers the call), so batch preparation done on
 * the main thread can never overlap a training step. This loader makes batches
 * (augmentation, NCHW conversion, targets: {@link makeBatch}) in a worker thread instead:
 * the trainer asks for batch s+1 before it starts step s, and the worker builds it while
 * ONNX Runtime computes the step.
 *
 * The worker receives a copy of the samples once, at start (the training images are then
 * held twice in memory); each request names the sample indices and the epoch, and the
 * batch comes back in transferred buffers. makeBatch is a pure function of (samples,
 * indices, options), so a batch is bit-identical whichever thread made it. With
 * `worker: false`, or where no worker can start (the reason is kept in `fallbackReason`),
 * batches are made inline, on request.
 */
import type { Worker } from 'node:worker_threads';
import { XqcError } from '../errors.ts';
import { makeBatch } from './batch.ts';
import type { Batch, BatchOptions, TrainSample } from './batch.ts';
import { spawnModuleWorker } from './ts-worker.ts';

/** What every batch of one loader shares: the batch options without the epoch. */
export type LoaderBatchOptions = Omit<BatchOptions, 'epoch'>;

/** Options of {@link BatchLoader.create}. */
export interface BatchLoaderOptions {
  /** Prepare batches in a worker thread (default true). */
  worker?: boolean;
  /** How long the worker may take to start before the loader falls back to inline batches (ms, default 30000). */
  startTimeoutMs?: number;
}

/** Messages from the worker. */
export type WorkerReply = { ready: true } | { id: number; batch: Batch } | { id: number; error: string } | { startError: string };

/**
 * Buffers of a batch that can move between threads without a copy: the images and
 * targets, which makeBatch always allocates. Not the masks: without augmentation they are
 * the samples' own arrays, which must stay with the worker.
 */
export function batchTransferList(b: Batch): ArrayBuffer[] {
  const buffers = [b.images.data.buffer, b.targets.data.buffer];
  return [...new Set(buffers)].filter((x): x is ArrayBuffer => x instanceof ArrayBuffer);
}

/** See the module comment. */
export class BatchLoader {
  private next = 0;
  private readonly pending = new Map<number, { resolve: (b: Batch) => void; reject: (e: Error) => void }>();
  private failure: Error | undefined;

  private constructor(
    private readonly samples: readonly TrainSample[],
    private readonly options: LoaderBatchOptions,
    private readonly worker: Worker | undefined,
    /** Why batches are made inline although a worker was asked for. */
    readonly fallbackReason?: string,
  ) {
    worker?.on('message', (m: WorkerReply) => this.receive(m));
    worker?.on('error', (e) => this.fail(new XqcError('XQC_TRAIN', `batch worker failed: ${e.message}`)));
    worker?.on('exit', (code) => {
      if (this.pending.size) this.fail(new XqcError('XQC_TRAIN', `batch worker exited (code ${code}) with ${this.pending.size} batch(es) pending`));
    });
  }

  /** Where batches are made. */
  get mode(): 'worker' | 'inline' {
    return this.worker ? 'worker' : 'inline';
  }

  /** Starts a loader over `samples`; waits until its worker has loaded (or fallen back). */
  static async create(samples: readonly TrainSample[], options: LoaderBatchOptions, loader: BatchLoaderOptions = {}): Promise<BatchLoader> {
    if (loader.worker === false) return new BatchLoader(samples, options, undefined);
    let worker: Worker;
    try {
      worker = spawnWorker(samples, options);
    } catch (e) {
      return new BatchLoader(samples, options, undefined, (e as Error).message);
    }
    const started = await new Promise<string | true>((resolve) => {
      const timer = setTimeout(() => resolve(`the batch worker did not start within ${loader.startTimeoutMs ?? 30000} ms`), loader.startTimeoutMs ?? 30000);
      const done = (r: string | true): void => {
        clearTimeout(timer);
        worker.off('message', onMessage);
        worker.off('error', onError);
        resolve(r);
      };
      const onMessage = (m: WorkerReply): void => done('ready' in m ? true : 'startError' in m ? m.startError : 'unexpected message from the batch worker');
      const onError = (e: Error): void => done(e.message);
      worker.on('message', onMessage);
      worker.on('error', onError);
    });
    if (started !== true) {
      await worker.terminate();
      return new BatchLoader(samples, options, undefined, started.split('\n')[0]);
    }
    // A loader that is never closed must not keep the process alive: the worker holds the
    // event loop only while a batch is pending (see get/receive).
    worker.unref();
    return new BatchLoader(samples, options, worker);
  }

  /**
   * The batch of `indices` at `epoch`. With a worker the batch starts at once, on the
   * worker's thread; inline it is made here, synchronously, before this returns.
   */
  get(indices: readonly number[], epoch: number): Promise<Batch> {
    if (this.failure) return Promise.reject(this.failure);
    if (!this.worker) {
      try {
        return Promise.resolve(makeBatch(this.samples, indices, { ...this.options, epoch }));
      } catch (e) {
        return Promise.reject(e as Error);
      }
    }
    const id = this.next++;
    if (this.pending.size === 0) this.worker.ref();
    const promise = new Promise<Batch>((resolve, reject) => this.pending.set(id, { resolve, reject }));
    this.worker.postMessage({ id, indices: [...indices], epoch });
    return promise;
  }

  /** Stops the worker; pending requests are rejected. */
  async close(): Promise<void> {
    if (!this.worker) return;
    this.fail(new XqcError('XQC_TRAIN', 'the batch loader was closed'));
    await this.worker.terminate();
  }

  private receive(m: WorkerReply): void {
    if (!('id' in m)) return;
    const p = this.pending.get(m.id);
    if (!p) return;
    this.pending.delete(m.id);
    if (this.pending.size === 0) this.worker?.unref();
    if ('error' in m) p.reject(new XqcError('XQC_TRAIN', `could not make a batch: ${m.error}`));
    else p.resolve(m.batch);
  }

  private fail(e: Error): void {
    this.failure ??= e;
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
    this.worker?.unref();
  }
}

/** A worker running batch-worker.ts (see ts-worker.ts for how TypeScript sources start). */
function spawnWorker(samples: readonly TrainSample[], options: LoaderBatchOptions): Worker {
  return spawnModuleWorker('batch-worker', { samples, options });
}
