/**
 * Runs explain requests on a worker thread (explain-worker.ts) so that the core's
 * `explainImage` never blocks the event loop of the thread that asks (the API, or a job
 * worker). One thread per runner, started on the first request and stopped after it has
 * been idle for `idleMs`; requests queue in the thread and run one at a time. The runner
 * remembers which model versions the thread holds, sends a version's bytes only with its
 * first request, and unloads the least recently used beyond `maxModels`. A thread that dies
 * fails its pending requests; the next request starts a fresh one.
 */
import { Worker } from 'node:worker_threads';
import type { ExplainProgress } from '@xai-qc/core';
import { ApiError } from '../errors/api-error.ts';
import type { ExplainModel, ExplainOutput, ExplainTask, ExplainWorkerReply, ExplainWorkerRequest } from './explain.types.ts';
import { workerCode } from './worker-code.ts';

/** Options of {@link ExplainRunner}; every field has a default. */
export interface ExplainRunnerOptions {
  /** Stop the thread after this long without requests, ms (default 60000). */
  idleMs?: number;
  /** Model versions kept loaded in the thread (default 4). */
  maxModels?: number;
  /** How long the thread may take to start, ms (default 60000). */
  startTimeoutMs?: number;
}

/** An error the worker reported, with the core's code. */
export class ExplainWorkerError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ExplainWorkerError';
  }
}

interface Pending {
  resolve: (o: ExplainOutput | null) => void;
  reject: (e: Error) => void;
  onProgress?: (e: ExplainProgress) => void;
}

/** See the module comment. */
export class ExplainRunner {
  private worker: Promise<Worker> | undefined;
  /** The running thread, once started. */
  private current: Worker | undefined;
  private readonly pending = new Map<number, Pending>();
  /** Versions loaded in the current thread, least recently used first. */
  private readonly loaded = new Set<string>();
  private nextId = 0;
  private idleTimer: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly idleMs: number;
  private readonly maxModels: number;
  private readonly startTimeoutMs: number;

  constructor(options: ExplainRunnerOptions = {}) {
    this.idleMs = options.idleMs ?? 60_000;
    this.maxModels = options.maxModels ?? 4;
    this.startTimeoutMs = options.startTimeoutMs ?? 60_000;
  }

  /**
   * Runs `task` on the thread. `model` is read only when the thread does not hold `task.key`.
   * @throws ExplainWorkerError with the core's code for a failure of the computation;
   *   ApiError 503 XQC_EXPLAIN_UNAVAILABLE when the thread cannot start or dies.
   */
  async run(task: Omit<ExplainTask, 'model'>, model: () => Promise<ExplainModel>, onProgress?: (e: ExplainProgress) => void): Promise<ExplainOutput> {
    if (this.closed) throw new ApiError(503, 'XQC_EXPLAIN_UNAVAILABLE', 'the explain runner is closed');
    const known = this.loaded.has(task.key);
    const full: ExplainTask = known ? { ...task } : { ...task, model: await model() };
    const worker = await this.started();
    this.loaded.delete(task.key);
    this.loaded.add(task.key);
    while (this.loaded.size > this.maxModels) {
      const oldest = this.loaded.values().next().value as string;
      this.loaded.delete(oldest);
      void this.call(worker, { type: 'unload', id: 0, key: oldest }).catch(() => undefined);
    }
    try {
      return (await this.call(worker, { type: 'explain', id: 0, task: full }, onProgress)) as ExplainOutput;
    } catch (e) {
      if (e instanceof ExplainWorkerError && e.code === 'XQC_EXPLAIN_NOT_LOADED') {
        this.loaded.delete(task.key);
        return this.run(task, model, onProgress);
      }
      throw e;
    }
  }

  /** Stops the thread (pending requests fail) and refuses later requests. */
  async close(): Promise<void> {
    this.closed = true;
    await this.stop();
  }

  private async stop(): Promise<void> {
    clearTimeout(this.idleTimer);
    const w = await this.worker?.catch(() => undefined);
    this.worker = undefined;
    this.loaded.clear();
    if (w) await w.terminate();
  }

  /** Stops an idle thread at once (synchronously, so no request can slip in between the check and the stop). */
  private stopIdle(): void {
    const w = this.current;
    if (!w || this.pending.size > 0) return;
    this.current = undefined;
    this.worker = undefined;
    this.loaded.clear();
    void w.terminate();
  }

  private call(worker: Worker, message: ExplainWorkerRequest, onProgress?: (e: ExplainProgress) => void): Promise<ExplainOutput | null> {
    const id = ++this.nextId;
    clearTimeout(this.idleTimer);
    worker.ref();
    return new Promise<ExplainOutput | null>((resolve, reject) => {
      this.pending.set(id, { resolve, reject, onProgress });
      worker.postMessage({ ...message, id });
    });
  }

  private settled(worker: Worker): void {
    if (this.pending.size > 0) return;
    // An idle thread does not keep the process alive, and stops after idleMs.
    worker.unref();
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => this.stopIdle(), this.idleMs);
    this.idleTimer.unref();
  }

  private started(): Promise<Worker> {
    if (!this.worker) {
      this.worker = startWorker(this.startTimeoutMs).then((w) => {
        this.attach(w);
        return w;
      });
      this.worker.catch(() => (this.worker = undefined));
    }
    return this.worker;
  }

  private attach(worker: Worker): void {
    this.current = worker;
    worker.on('message', (m: ExplainWorkerReply) => {
      if (m.type === 'ready' || m.type === 'startError') return;
      const p = this.pending.get(m.id);
      if (!p) return;
      if (m.type === 'progress') {
        p.onProgress?.({ step: m.step, steps: m.steps, stage: m.stage });
        return;
      }
      this.pending.delete(m.id);
      if (m.type === 'done') p.resolve(m.output);
      else p.reject(new ExplainWorkerError(m.code, m.message));
      this.settled(worker);
    });
    const failAll = (e: Error): void => {
      for (const p of this.pending.values()) p.reject(e);
      this.pending.clear();
    };
    worker.on('error', (e) => failAll(new ApiError(503, 'XQC_EXPLAIN_UNAVAILABLE', `explain worker failed: ${e.message}`, { cause: e })));
    worker.on('exit', (code) => {
      if (this.current === worker) {
        this.current = undefined;
        this.worker = undefined;
        this.loaded.clear();
      }
      failAll(new ApiError(503, 'XQC_EXPLAIN_UNAVAILABLE', `explain worker exited (code ${code})`));
    });
  }
}

/**
 * Starts a thread running explain-worker.ts. Sources run through tsx register its loader in
 * the new thread first (a worker does not inherit it), as inference-pool.ts does.
 */
async function startWorker(timeoutMs: number): Promise<Worker> {
  const code = workerCode(import.meta.url, 'explain-worker');
  const worker = new Worker(code, { eval: true });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => finish(new Error(`explain worker did not start within ${timeoutMs} ms`)), timeoutMs);
    const finish = (e?: Error): void => {
      clearTimeout(timer);
      worker.off('message', onMessage);
      worker.off('error', finish);
      if (e) {
        void worker.terminate();
        reject(new ApiError(503, 'XQC_EXPLAIN_UNAVAILABLE', `explain worker failed to start: ${e.message.split('\n')[0]}`, { cause: e }));
      } else resolve();
    };
    const onMessage = (m: ExplainWorkerReply): void => {
      if (m.type === 'ready') finish();
      else if (m.type === 'startError') finish(new Error(m.message));
    };
    worker.on('message', onMessage);
    worker.on('error', finish);
  });
  return worker;
}
