/**
 * Runs a {@link WorkerTask} in a worker thread (run-worker.ts) so that training and
 * evaluation never block the API's event loop in embedded mode. Cancellation sets a shared
 * flag the worker checks at every step, image or phase; a worker that has not stopped
 * `graceMs` later is terminated.
 */
import { Worker } from 'node:worker_threads';
import { ApiError } from '../errors/api-error.ts';
import type { WorkerReply, WorkerTask } from './run-protocol.ts';
import { workerCode } from '../inference/worker-code.ts';

/** Callbacks of {@link runInWorker}. */
export interface RunInWorkerOptions {
  /** Aborting asks the worker to stop; the promise then rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Each message the worker posts besides its end. */
  onMessage?: (m: Exclude<WorkerReply, { type: 'done' | 'error' | 'startError' }>) => void;
  /** Time a cancelled worker gets to stop at its next step before it is terminated (default 10 s). */
  graceMs?: number;
}

/**
 * The worker's code: registers tsx's loader in the worker's own thread when the sources are
 * TypeScript (a worker does not inherit the loader of the thread that made it), as the
 * inference pool and core's batch loader do.
 */
function entryCode(): string {
  return workerCode(import.meta.url, 'run-worker');
}

/**
 * Runs `task` in a fresh worker thread and resolves with what the core returned.
 * @throws the signal's reason when cancelled; ApiError with the core's code when the task failed
 */
export function runInWorker<T>(task: WorkerTask, options: RunInWorkerOptions = {}): Promise<T> {
  const cancel = new SharedArrayBuffer(4);
  const flag = new Int32Array(cancel);
  const { signal } = options;
  if (signal?.aborted) return Promise.reject(signal.reason);
  const worker = new Worker(entryCode(), { eval: true, workerData: { task, cancel } });
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    let killTimer: NodeJS.Timeout | undefined;
    const finish = (fn: () => void): void => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      if (killTimer) clearTimeout(killTimer);
      void worker.terminate();
      fn();
    };
    const onAbort = (): void => {
      Atomics.store(flag, 0, 1);
      killTimer = setTimeout(() => finish(() => reject(signal?.reason)), options.graceMs ?? 10_000);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    worker.on('message', (m: WorkerReply) => {
      if (m.type === 'done') finish(() => resolve(m.result as T));
      else if (m.type === 'error') finish(() => reject(signal?.aborted ? signal.reason : new ApiError(m.code === 'XQC_DATASET_INVALID' ? 422 : 500, m.code, m.message)));
      else if (m.type === 'startError') finish(() => reject(new ApiError(500, 'XQC_RUN_WORKER', `run worker failed to start: ${m.message.split('\n')[0]}`)));
      else options.onMessage?.(m);
    });
    worker.on('error', (e) => finish(() => reject(signal?.aborted ? signal.reason : new ApiError(500, 'XQC_RUN_WORKER', `run worker failed: ${e.message}`, { cause: e }))));
    worker.on('exit', (code) => finish(() => reject(signal?.aborted ? signal.reason : new ApiError(500, 'XQC_RUN_WORKER', `run worker exited (code ${code}) without a result`))));
  });
}
