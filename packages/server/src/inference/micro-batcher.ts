/**
 * Dynamic micro-batching of concurrent requests, as Triton's dynamic batcher does: items
 * wait in a queue until `maxBatchSize` of them are there or the oldest has waited
 * `maxQueueDelayMs`, then leave together as one batch. At most `maxConcurrentBatches`
 * batches run at once (one per inference worker); while they are all busy the queue keeps
 * filling, so batches grow exactly when the server is loaded and stay small (low latency)
 * when it is not. The queue is bounded: beyond `maxQueueSize` waiting items a submission
 * is refused at once (503) rather than waiting without limit.
 */
import { ApiError } from '../errors/api-error.ts';

/** Options of a {@link MicroBatcher}. */
export interface MicroBatcherOptions {
  /** Largest batch (>= 1). */
  maxBatchSize: number;
  /** Longest time the oldest queued item waits for a batch to fill, in ms (>= 0). */
  maxQueueDelayMs: number;
  /** Batches running at once (>= 1, default 1). */
  maxConcurrentBatches?: number;
  /** Waiting items beyond which submissions are refused (default 1024). */
  maxQueueSize?: number;
}

/** What the batch function returns for one item: its value, or the error of that item alone. */
export type ItemOutcome<O> = { value: O } | { error: Error };

/** Runs one batch; returns one outcome per item, in order. A rejection fails every item. */
export type BatchRunner<I, O> = (items: readonly I[]) => Promise<readonly ItemOutcome<O>[]>;

/** The value of one item and how its batch went. */
export interface BatchedResult<O> {
  value: O;
  /** Time the item spent queued before its batch started, ms. */
  queueMs: number;
  /** Size of the batch it ran in. */
  batchSize: number;
}

interface Pending<I, O> {
  item: I;
  enqueuedAt: number;
  resolve: (r: BatchedResult<O>) => void;
  reject: (e: Error) => void;
}

/** Observes every batch (for metrics): its size and the queue time of each item, ms. */
export type BatchObserver = (batch: { size: number; queueMs: readonly number[] }) => void;

/** See the module comment. */
export class MicroBatcher<I, O> {
  private readonly queue: Pending<I, O>[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private closed = false;
  private readonly maxConcurrent: number;
  private readonly maxQueue: number;

  constructor(
    private readonly run: BatchRunner<I, O>,
    private readonly options: MicroBatcherOptions,
    private readonly observe?: BatchObserver,
    private readonly now: () => number = () => performance.now(),
  ) {
    const { maxBatchSize, maxQueueDelayMs } = options;
    if (!Number.isInteger(maxBatchSize) || maxBatchSize < 1) throw new RangeError(`maxBatchSize must be an integer >= 1, got ${maxBatchSize}`);
    if (!(maxQueueDelayMs >= 0)) throw new RangeError(`maxQueueDelayMs must be >= 0, got ${maxQueueDelayMs}`);
    this.maxConcurrent = options.maxConcurrentBatches ?? 1;
    if (!Number.isInteger(this.maxConcurrent) || this.maxConcurrent < 1) throw new RangeError(`maxConcurrentBatches must be an integer >= 1, got ${this.maxConcurrent}`);
    this.maxQueue = options.maxQueueSize ?? 1024;
  }

  /** Items waiting for a batch. */
  get queued(): number {
    return this.queue.length;
  }

  /** Batches running now. */
  get running(): number {
    return this.inFlight.size;
  }

  /**
   * Queues `item`; resolves with its value once its batch has run.
   * @throws ApiError 503 XQC_INFERENCE_OVERLOADED when the queue is full,
   * 503 XQC_INFERENCE_UNAVAILABLE after {@link close}.
   */
  submit(item: I): Promise<BatchedResult<O>> {
    if (this.closed) return Promise.reject(new ApiError(503, 'XQC_INFERENCE_UNAVAILABLE', 'inference is shutting down'));
    if (this.queue.length >= this.maxQueue) {
      return Promise.reject(new ApiError(503, 'XQC_INFERENCE_OVERLOADED', `inference queue is full (${this.maxQueue} waiting); retry later`));
    }
    return new Promise<BatchedResult<O>>((resolve, reject) => {
      this.queue.push({ item, enqueuedAt: this.now(), resolve, reject });
      this.schedule();
    });
  }

  /**
   * Stops accepting items, runs everything already queued (without waiting for the delay)
   * and resolves when every batch has finished.
   */
  async close(): Promise<void> {
    this.closed = true;
    this.clearTimer();
    this.schedule();
    while (this.inFlight.size > 0 || this.queue.length > 0) {
      await Promise.race(this.inFlight);
      this.schedule();
    }
  }

  private schedule(): void {
    while (this.queue.length > 0 && this.inFlight.size < this.maxConcurrent) {
      const full = this.queue.length >= this.options.maxBatchSize;
      const waited = this.now() - this.queue[0].enqueuedAt;
      if (!full && !this.closed && waited < this.options.maxQueueDelayMs) {
        this.armTimer(this.options.maxQueueDelayMs - waited);
        return;
      }
      this.dispatch(this.queue.splice(0, this.options.maxBatchSize));
    }
    if (this.queue.length === 0) this.clearTimer();
  }

  private armTimer(ms: number): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.schedule();
    }, ms);
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private dispatch(batch: Pending<I, O>[]): void {
    const started = this.now();
    const queueMs = batch.map((p) => started - p.enqueuedAt);
    this.observe?.({ size: batch.length, queueMs });
    const done = this.runBatch(batch, queueMs).finally(() => {
      this.inFlight.delete(done);
      this.schedule();
    });
    this.inFlight.add(done);
  }

  private async runBatch(batch: Pending<I, O>[], queueMs: number[]): Promise<void> {
    let outcomes: readonly ItemOutcome<O>[];
    try {
      outcomes = await this.run(batch.map((p) => p.item));
      if (outcomes.length !== batch.length) throw new Error(`batch runner returned ${outcomes.length} outcomes for ${batch.length} items`);
    } catch (e) {
      const error = e instanceof Error ? e : new Error(String(e));
      for (const p of batch) p.reject(error);
      return;
    }
    batch.forEach((p, i) => {
      const o = outcomes[i];
      if ('error' in o) p.reject(o.error);
      else p.resolve({ value: o.value, queueMs: queueMs[i], batchSize: batch.length });
    });
  }
}
