/**
 * The BullMQ adapter, used when `REDIS_URL` is set: Redis delivers jobs to `xaiqc worker`
 * processes (locks, stall detection, retries with exponential backoff), and the database
 * row of each job stays the record the API reads. Choice: rows mirror BullMQ state rather
 * than the API reading BullMQ, because listing per account, filtering, cursor pages and
 * keeping results and blob keys atomically with the status need the database anyway, and
 * Redis may drop finished jobs (`removeOnComplete`).
 *
 * - enqueue: the row is inserted (deduplicated as in the embedded adapter), then added to
 *   BullMQ with the row id as BullMQ job id.
 * - a worker takes a job: the row is marked running with BullMQ's lock token as lease token
 *   and the attempt counted; a cancelled or finished row is skipped. While the handler runs,
 *   the worker renews the row and aborts the handler's signal when cancellation is asked.
 * - success: result and blob keys are written with the status change in one transaction,
 *   presenting the token; an attempt whose lock passed to another worker (it stalled) is
 *   refused, so every job completes once. Failure: the row is queued again (BullMQ retries
 *   after `base * 2^(attempt-1)`) or dead-lettered when the attempts are spent.
 * - a worker that dies: BullMQ's stall check hands the job to another worker; the stall
 *   counts as an attempt in the row, and a row past its attempts is dead-lettered.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { Queue, UnrecoverableError, Worker } from 'bullmq';
import type { Job as BullJob } from 'bullmq';
import { Redis } from 'ioredis';
import type { EventSink } from '../events/event-sink.ts';
import type { JobRepository } from '../repositories/job.repository.ts';
import type { EnqueueOptions, Job, JobContext, JobHandler, JobHandlers, JobListQuery, JobPage, JobQueue, JobWorker, RunOptions } from './job-queue.ts';
import { isFinished } from './job-queue.ts';
import type { JobName, JobPayloads } from './job-names.ts';
import type { Backoff } from './job-record.ts';
import { backoffDelayMs, cancelledReason, checkProgress, decodeJobCursor, DEFAULT_BACKOFF, encodeJobCursor, errorMessage, newJobRow, toJob } from './job-record.ts';
import type { JobLog } from './embedded-queue.ts';

/** The BullMQ queue name of the app's jobs. */
export const BULLMQ_QUEUE_NAME = 'xqc-jobs';

/** Options of {@link BullMqJobQueue}. */
export interface BullMqQueueOptions {
  /** `redis://` or `rediss://` URL. */
  redisUrl: string;
  /** Redis key prefix (default `xqc`); tests use a unique one per run. */
  prefix?: string;
  /** BullMQ lock duration: a worker silent this long is considered stalled (default 30 s). */
  lockMs?: number;
  /** How often the worker renews the row and looks for a cancellation (default 1 s). */
  renewMs?: number;
  backoff?: Backoff;
  log?: JobLog;
  clock?: () => Date;
  /** Publishes `job.progress` and `job.finished` after the row write that records them. */
  events?: EventSink;
}

const silentLog: JobLog = { warn: () => undefined, error: () => undefined };

/** See the module comment. */
export class BullMqJobQueue implements JobQueue {
  readonly kind = 'bullmq' as const;
  private readonly connection: Redis;
  private readonly queue: Queue;
  private readonly workers = new Set<JobWorker>();
  private readonly prefix: string;
  private readonly lockMs: number;
  private readonly renewMs: number;
  private readonly backoff: Backoff;
  private readonly log: JobLog;
  private readonly clock: () => Date;

  constructor(
    private readonly repo: JobRepository,
    private readonly options: BullMqQueueOptions,
  ) {
    this.prefix = options.prefix ?? 'xqc';
    this.lockMs = options.lockMs ?? 30_000;
    this.renewMs = options.renewMs ?? 1000;
    this.backoff = options.backoff ?? DEFAULT_BACKOFF;
    this.log = options.log ?? silentLog;
    this.clock = options.clock ?? (() => new Date());
    this.connection = new Redis(options.redisUrl, { maxRetriesPerRequest: null });
    this.queue = new Queue(BULLMQ_QUEUE_NAME, { connection: this.connection, prefix: this.prefix });
  }

  private now(): string {
    return this.clock().toISOString();
  }

  async enqueue<N extends JobName>(name: N, payload: JobPayloads[N], options: EnqueueOptions): Promise<Job> {
    const { row, created } = await this.repo.insert(newJobRow(name, payload, options, this.now()));
    if (created) {
      try {
        await this.queue.add(name, {}, {
          jobId: row.id,
          attempts: row.max_attempts,
          backoff: { type: 'exponential', delay: this.backoff.baseMs },
          // BullMQ runs lower numbers first; 0 means none. Ours: higher first, -1000..1000.
          priority: 1001 - row.priority,
          removeOnComplete: true,
          removeOnFail: true,
        });
      } catch (e) {
        const error = `could not hand the job to Redis: ${errorMessage(e)}`;
        if (await this.repo.markFailed(row.id, error, this.now())) this.finished(row.id, row.account_id, row.name, 'failed', error);
        throw e;
      }
    }
    return toJob(row, []);
  }

  async get(accountId: string, id: string): Promise<Job | undefined> {
    const rec = await this.repo.find(accountId, id);
    return rec ? toJob(rec.row, rec.blobKeys) : undefined;
  }

  async list(accountId: string, query: JobListQuery = {}): Promise<JobPage> {
    const page = await this.repo.list(accountId, { status: query.status, name: query.name }, query.cursor === undefined ? undefined : decodeJobCursor(query.cursor), query.limit ?? 50);
    return { items: page.items.map((r) => toJob(r.row, r.blobKeys)), nextCursor: page.next ? encodeJobCursor(page.next) : null };
  }

  async cancel(accountId: string, id: string): Promise<Job | undefined> {
    const job = await this.get(accountId, id);
    if (!job || isFinished(job.status)) return job;
    const now = this.now();
    if (await this.repo.cancelQueued(accountId, id, now)) {
      this.finished(id, accountId, job.name, 'cancelled', null);
      // A worker that takes it anyway finds the row cancelled and skips it.
      await this.queue.remove(id).catch((e: unknown) => this.log.warn({ err: e, jobId: id }, 'cancelled job still in Redis'));
    } else {
      await this.repo.requestCancel(accountId, id, now);
    }
    return this.get(accountId, id);
  }

  run(handlers: JobHandlers, options: RunOptions = {}): JobWorker {
    const concurrency = options.concurrency ?? 1;
    if (!Number.isInteger(concurrency) || concurrency < 1) throw new RangeError(`concurrency must be an integer >= 1, got ${concurrency}`);
    const owner = `${hostname()}:${process.pid}`;
    const connection = new Redis(this.options.redisUrl, { maxRetriesPerRequest: null });
    const worker = new Worker(BULLMQ_QUEUE_NAME, (job, token) => this.process(job, token ?? randomUUID(), owner, handlers), {
      connection,
      prefix: this.prefix,
      concurrency,
      lockDuration: this.lockMs,
      stalledInterval: Math.max(1000, Math.floor(this.lockMs / 2)),
      // Stalls are counted as attempts in the row instead (see process).
      maxStalledCount: 1000,
    });
    worker.on('error', (e) => this.log.error({ err: e }, 'job worker error'));
    const handle: JobWorker = {
      stop: async () => {
        await worker.close();
        await connection.quit().catch(() => undefined);
        this.workers.delete(handle);
      },
    };
    this.workers.add(handle);
    return handle;
  }

  private async process(bull: BullJob, token: string, owner: string, handlers: JobHandlers): Promise<void> {
    const id = bull.id as string;
    const lease = { token, owner, expiresAt: new Date(this.clock().getTime() + this.lockMs).toISOString() };
    const row = await this.repo.markRunning(id, lease, this.now());
    if (!row) return;
    if (row.attempts > row.max_attempts) {
      const error = `attempts exhausted: ${row.max_attempts} attempt(s) started and none finished (a worker stopped mid-job)`;
      if (await this.repo.fail(id, token, error, undefined, this.now())) this.finished(id, row.account_id, row.name, 'failed', error);
      throw new UnrecoverableError(`job ${id}: attempts exhausted`);
    }
    const job = toJob(row, []);
    const handler = handlers[job.name] as JobHandler | undefined;
    if (!handler) {
      const error = `no handler for job '${job.name}' in this worker`;
      if (await this.repo.fail(id, token, error, undefined, this.now())) this.finished(id, job.accountId, job.name, 'failed', error);
      throw new UnrecoverableError(`job ${id}: no handler for '${job.name}'`);
    }
    const controller = new AbortController();
    const timer = setInterval(() => {
      const expiresAt = new Date(this.clock().getTime() + this.lockMs).toISOString();
      this.repo.renew(id, token, expiresAt, this.now()).then(
        (r) => {
          if (r?.cancelRequested) controller.abort(cancelledReason(id));
        },
        (e: unknown) => this.log.warn({ err: e, jobId: id }, 'job renewal failed'),
      );
    }, this.renewMs);
    const ctx: JobContext = {
      job,
      payload: job.payload as JobPayloads[JobName],
      signal: controller.signal,
      progress: async (fraction, message) => {
        checkProgress(fraction);
        if (controller.signal.aborted) return;
        if (await this.repo.progress(id, token, fraction, message ?? null, this.now())) {
          this.options.events?.(job.accountId, 'job.progress', { jobId: id, name: job.name, progress: fraction, message: message ?? null });
        }
        await bull.updateProgress(fraction);
      },
    };
    try {
      let error: unknown;
      let outcome;
      try {
        outcome = await handler(ctx);
        if (controller.signal.aborted) error = controller.signal.reason;
        else if (await this.repo.complete(id, token, JSON.stringify(outcome.result ?? null), outcome.blobKeys ?? [], this.now())) {
          this.finished(id, job.accountId, job.name, 'succeeded', null);
        } else {
          this.log.warn({ jobId: id }, 'job finished after another worker took it over; the result was discarded');
        }
      } catch (e) {
        error = e;
      }
      if (error === undefined) return;
      if (controller.signal.aborted) {
        if (await this.repo.finishCancelled(id, token, this.now())) this.finished(id, job.accountId, job.name, 'cancelled', null);
        throw new UnrecoverableError(`job ${id} was cancelled`);
      }
      const last = row.attempts >= row.max_attempts;
      const now = this.clock();
      const recorded = await this.repo.fail(id, token, errorMessage(error), last ? undefined : new Date(now.getTime() + backoffDelayMs(bull.attemptsMade + 1, this.backoff)).toISOString(), now.toISOString());
      if (recorded && last) this.finished(id, job.accountId, job.name, 'failed', errorMessage(error));
      if (last) throw new UnrecoverableError(errorMessage(error));
      throw error instanceof Error ? error : new Error(errorMessage(error));
    } finally {
      clearInterval(timer);
    }
  }

  /** Publishes `job.finished` (after the row says so; retries publish nothing). */
  private finished(jobId: string, accountId: string, name: string, status: 'succeeded' | 'failed' | 'cancelled', error: string | null): void {
    this.options.events?.(accountId, 'job.finished', { jobId, name, status, error });
  }

  /** Removes every key of this queue's prefix from Redis (tests). */
  async obliterate(): Promise<void> {
    await this.queue.obliterate({ force: true });
  }

  async close(): Promise<void> {
    await Promise.all([...this.workers].map((w) => w.stop()));
    await this.queue.close();
    await this.connection.quit().catch(() => undefined);
  }
}
