/**
 * The embedded adapter (default): a durable queue in the app's database (`jobs` table).
 * A worker claims a due job under a lease (a random token and an expiry), renews the lease
 * while the handler runs, and ends the attempt with a write that presents the token: a
 * worker that lost its lease (it stalled or died and another worker took the job) can no
 * longer change the row, so every job completes at most once. A lapsed lease is reclaimed
 * by any worker: the job is retried after backoff, or dead-lettered as `failed` when its
 * attempts are spent. Work survives a crash because all state is in the database.
 */
import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { hostname } from 'node:os';
import type { EventSink } from '../events/event-sink.ts';
import type { JobRepository, Lease } from '../repositories/job.repository.ts';
import type { EnqueueOptions, Job, JobContext, JobHandler, JobHandlers, JobListQuery, JobPage, JobQueue, JobWorker, RunOptions } from './job-queue.ts';
import { isFinished } from './job-queue.ts';
import type { JobName, JobPayloads } from './job-names.ts';
import type { Backoff } from './job-record.ts';
import { backoffDelayMs, cancelledReason, checkProgress, decodeJobCursor, DEFAULT_BACKOFF, encodeJobCursor, errorMessage, leaseLostReason, newJobRow, toJob } from './job-record.ts';

/** Where the queue reports trouble it cannot throw (a pino logger fits). */
export interface JobLog {
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/** Options of {@link EmbeddedJobQueue}. */
export interface EmbeddedQueueOptions {
  /** The time; tests pass a fake clock to check leases and backoff. */
  clock?: () => Date;
  /** How long a lease lasts unless renewed (default 30 s); renewed every third of it. */
  leaseMs?: number;
  /** How often an idle worker looks for due jobs (default 500 ms; a local enqueue wakes it at once). */
  pollIntervalMs?: number;
  backoff?: Backoff;
  /** Names this process's workers (default `host:pid`). */
  owner?: string;
  log?: JobLog;
  /** Publishes `job.progress` and `job.finished` after the row write that records them. */
  events?: EventSink;
}

const silentLog: JobLog = { warn: () => undefined, error: () => undefined };

/** See the module comment. */
export class EmbeddedJobQueue implements JobQueue {
  readonly kind = 'embedded' as const;
  private readonly clock: () => Date;
  private readonly leaseMs: number;
  private readonly pollIntervalMs: number;
  private readonly backoff: Backoff;
  private readonly owner: string;
  private readonly log: JobLog;
  private readonly events: EventSink | undefined;
  private readonly wakeUp = new EventEmitter();
  private readonly workers = new Set<JobWorker>();
  private workerCount = 0;

  constructor(
    private readonly repo: JobRepository,
    options: EmbeddedQueueOptions = {},
  ) {
    this.clock = options.clock ?? (() => new Date());
    this.leaseMs = options.leaseMs ?? 30_000;
    this.pollIntervalMs = options.pollIntervalMs ?? 500;
    this.backoff = options.backoff ?? DEFAULT_BACKOFF;
    this.owner = options.owner ?? `${hostname()}:${process.pid}`;
    this.log = options.log ?? silentLog;
    this.events = options.events;
    this.wakeUp.setMaxListeners(0);
  }

  private now(): string {
    return this.clock().toISOString();
  }

  async enqueue<N extends JobName>(name: N, payload: JobPayloads[N], options: EnqueueOptions): Promise<Job> {
    const { row } = await this.repo.insert(newJobRow(name, payload, options, this.now()));
    this.wakeUp.emit('job');
    return toJob(row, []);
  }

  async get(accountId: string, id: string): Promise<Job | undefined> {
    const rec = await this.repo.find(accountId, id);
    return rec ? toJob(rec.row, rec.blobKeys) : undefined;
  }

  async list(accountId: string, query: JobListQuery = {}): Promise<JobPage> {
    const limit = query.limit ?? 50;
    const page = await this.repo.list(accountId, { status: query.status, name: query.name }, query.cursor === undefined ? undefined : decodeJobCursor(query.cursor), limit);
    return { items: page.items.map((r) => toJob(r.row, r.blobKeys)), nextCursor: page.next ? encodeJobCursor(page.next) : null };
  }

  async cancel(accountId: string, id: string): Promise<Job | undefined> {
    const job = await this.get(accountId, id);
    if (!job || isFinished(job.status)) return job;
    const now = this.now();
    if (await this.repo.cancelQueued(accountId, id, now)) this.finished(job, 'cancelled', null);
    else await this.repo.requestCancel(accountId, id, now);
    return this.get(accountId, id);
  }

  /**
   * Returns lapsed leases to the queue: a job whose cancellation was asked ends cancelled,
   * one with attempts left is queued again after backoff, the rest are dead-lettered.
   * @returns how many jobs were released.
   */
  async reapExpired(limit = 100): Promise<number> {
    const now = this.clock();
    let released = 0;
    for (const e of await this.repo.expiredLeases(now.toISOString(), limit)) {
      const message = `lease expired: the worker running attempt ${e.attempts} stopped renewing it`;
      const retryAt = e.cancelRequested ? undefined : this.retryAt(e.attempts, e.maxAttempts, now);
      const done = e.cancelRequested
        ? await this.repo.finishCancelled(e.id, e.token, now.toISOString())
        : await this.repo.fail(e.id, e.token, message, retryAt, now.toISOString());
      if (!done) continue;
      released++;
      if (this.events && retryAt === undefined) {
        const row = await this.repo.findById(e.id);
        if (row) this.finished({ id: row.id, accountId: row.account_id, name: row.name as JobName }, e.cancelRequested ? 'cancelled' : 'failed', e.cancelRequested ? null : message);
      }
    }
    return released;
  }

  private retryAt(attempts: number, maxAttempts: number, now: Date): string | undefined {
    return attempts < maxAttempts ? new Date(now.getTime() + backoffDelayMs(attempts, this.backoff)).toISOString() : undefined;
  }

  private newLease(workerId: string): Lease {
    return { token: randomBytes(16).toString('hex'), owner: workerId, expiresAt: new Date(this.clock().getTime() + this.leaseMs).toISOString() };
  }

  /**
   * Reclaims lapsed leases, then claims one due job among `handlers`' names and runs it to
   * its end (tests and single-shot tools).
   * @returns the job's id, or undefined when none was due.
   */
  async runOnce(handlers: Partial<JobHandlers>, workerId = `${this.owner}:once`): Promise<string | undefined> {
    await this.reapExpired();
    const lease = this.newLease(workerId);
    const row = await this.repo.claim(Object.keys(handlers), lease, this.now());
    if (!row) return undefined;
    await this.execute(toJob(row, []), lease.token, handlers[row.name as JobName] as JobHandler);
    return row.id;
  }

  /**
   * Runs one claimed attempt: renews the lease every third of its length (and aborts the
   * handler's signal when the job is cancelled or the lease is lost), then records success,
   * cancellation, a retry or the dead letter, each presenting the attempt's token.
   */
  private async execute(job: Job, token: string, handler: JobHandler): Promise<void> {
    const controller = new AbortController();
    const renew = async (): Promise<void> => {
      const expiresAt = new Date(this.clock().getTime() + this.leaseMs).toISOString();
      const r = await this.repo.renew(job.id, token, expiresAt, this.now());
      if (!r) controller.abort(leaseLostReason(job.id));
      else if (r.cancelRequested) controller.abort(cancelledReason(job.id));
    };
    const timer = setInterval(() => {
      renew().catch((e: unknown) => this.log.warn({ err: e, jobId: job.id }, 'job lease renewal failed'));
    }, Math.max(10, Math.floor(this.leaseMs / 3)));
    const ctx: JobContext = {
      job,
      payload: job.payload as JobPayloads[JobName],
      signal: controller.signal,
      progress: async (fraction, message) => {
        checkProgress(fraction);
        if (controller.signal.aborted) return;
        if (await this.repo.progress(job.id, token, fraction, message ?? null, this.now())) {
          this.events?.(job.accountId, 'job.progress', { jobId: job.id, name: job.name, progress: fraction, message: message ?? null });
        }
      },
    };
    try {
      let outcome;
      try {
        outcome = await handler(ctx);
      } catch (e) {
        await this.endAttempt(job, token, controller.signal, e);
        return;
      }
      if (controller.signal.aborted) {
        await this.endAttempt(job, token, controller.signal, controller.signal.reason);
        return;
      }
      let stored;
      try {
        stored = await this.repo.complete(job.id, token, JSON.stringify(outcome.result ?? null), outcome.blobKeys ?? [], this.now());
      } catch (e) {
        // The transaction rolled back (an unknown blob key, for one): nothing of the result stays; the attempt failed.
        await this.endAttempt(job, token, controller.signal, e);
        return;
      }
      if (stored) this.finished(job, 'succeeded', null);
      else this.log.warn({ jobId: job.id }, 'job finished after its lease was lost; the result was discarded');
    } finally {
      clearInterval(timer);
    }
  }

  private async endAttempt(job: Job, token: string, signal: AbortSignal, error: unknown): Promise<void> {
    const now = this.clock();
    const reason: unknown = signal.aborted ? signal.reason : undefined;
    if ((reason as { code?: string } | undefined)?.code === 'XQC_JOB_LEASE_LOST') return;
    const cancelled = (reason as { code?: string } | undefined)?.code === 'XQC_JOB_CANCELLED';
    const retryAt = cancelled ? undefined : this.retryAt(job.attempts, job.maxAttempts, now);
    const ok = cancelled
      ? await this.repo.finishCancelled(job.id, token, now.toISOString())
      : await this.repo.fail(job.id, token, errorMessage(error), retryAt, now.toISOString());
    if (!ok) this.log.warn({ jobId: job.id }, 'job attempt ended after its lease was lost; nothing recorded');
    else if (cancelled) this.finished(job, 'cancelled', null);
    else if (retryAt === undefined) this.finished(job, 'failed', errorMessage(error));
  }

  /** Publishes `job.finished` (after the row says so; retries publish nothing). */
  private finished(job: Pick<Job, 'id' | 'accountId' | 'name'>, status: 'succeeded' | 'failed' | 'cancelled', error: string | null): void {
    this.events?.(job.accountId, 'job.finished', { jobId: job.id, name: job.name, status, error });
  }

  run(handlers: JobHandlers, options: RunOptions = {}): JobWorker {
    const concurrency = options.concurrency ?? 1;
    if (!Number.isInteger(concurrency) || concurrency < 1) throw new RangeError(`concurrency must be an integer >= 1, got ${concurrency}`);
    const workerId = `${this.owner}:${++this.workerCount}`;
    const names = Object.keys(handlers);
    const active = new Set<Promise<void>>();
    let stopping = false;
    let wake: (() => void) | undefined;
    const onJob = (): void => wake?.();
    this.wakeUp.on('job', onJob);
    const idle = (): Promise<void> =>
      new Promise((resolve) => {
        const t = setTimeout(done, this.pollIntervalMs);
        function done(): void {
          clearTimeout(t);
          wake = undefined;
          resolve();
        }
        wake = done;
      });
    const loop = async (): Promise<void> => {
      while (!stopping) {
        try {
          await this.reapExpired();
          while (!stopping && active.size < concurrency) {
            const lease = this.newLease(workerId);
            const row = await this.repo.claim(names, lease, this.now());
            if (!row) break;
            const p: Promise<void> = this.execute(toJob(row, []), lease.token, handlers[row.name as JobName] as JobHandler)
              .catch((e: unknown) => this.log.error({ err: e, jobId: row.id }, 'job attempt could not be recorded'))
              .finally(() => {
                active.delete(p);
                wake?.();
              });
            active.add(p);
          }
        } catch (e) {
          this.log.error({ err: e }, 'job worker could not claim');
        }
        if (!stopping) await idle();
      }
    };
    const loopDone = loop();
    const worker: JobWorker = {
      stop: async () => {
        stopping = true;
        wake?.();
        this.wakeUp.off('job', onJob);
        await loopDone;
        await Promise.allSettled([...active]);
        this.workers.delete(worker);
      },
    };
    this.workers.add(worker);
    return worker;
  }

  async close(): Promise<void> {
    await Promise.all([...this.workers].map((w) => w.stop()));
  }
}
