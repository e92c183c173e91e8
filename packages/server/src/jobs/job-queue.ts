/**
 * The job port: what routes, services and workers see of the queue, whichever adapter runs it
 * (embedded in the database by default, BullMQ on Redis when `REDIS_URL` is set). Jobs belong
 * to an account; `get`, `list` and `cancel` never see another account's jobs.
 */
import type { JobName, JobPayloads } from './job-names.ts';

/** Where a job is in its life. `failed` is the dead letter: every attempt failed. */
export type JobStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';

/** Every status, in life order. */
export const JOB_STATUSES: readonly JobStatus[] = Object.freeze(['queued', 'running', 'succeeded', 'failed', 'cancelled'] satisfies JobStatus[]);

/** True for statuses a job never leaves. */
export function isFinished(status: JobStatus): boolean {
  return status === 'succeeded' || status === 'failed' || status === 'cancelled';
}

/** A job as the port returns it. Times are ISO-8601 UTC strings. */
export interface Job {
  id: string;
  accountId: string;
  name: JobName;
  status: JobStatus;
  payload: unknown;
  /** What the handler returned (succeeded jobs), else null. */
  result: unknown;
  /** Blobs the job produced, stored with its success. */
  blobKeys: string[];
  /** Message of the last failure, null when none. */
  error: string | null;
  /** 0..1 and what the handler said it was doing. */
  progress: number;
  progressMessage: string | null;
  attempts: number;
  maxAttempts: number;
  priority: number;
  dedupeKey: string | null;
  cancelRequested: boolean;
  runAt: string;
  createdAt: string;
  updatedAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

/** Options of {@link JobQueue.enqueue}. */
export interface EnqueueOptions {
  /** The owning account (tenant). */
  accountId: string;
  /** Attempts before the job is dead-lettered as `failed` (default 3, 1..100). */
  maxAttempts?: number;
  /** Higher runs first (default 0, -1000..1000). */
  priority?: number;
  /** While a job of this account and name with this key is queued or running, enqueue returns it instead of adding another. */
  dedupeKey?: string;
}

/** List filters of {@link JobQueue.list}. */
export interface JobListQuery {
  status?: JobStatus;
  name?: JobName;
  /** `nextCursor` of the previous page. */
  cursor?: string;
  /** Page size, 1..200 (default 50). */
  limit?: number;
}

/** A page of jobs, newest first. */
export interface JobPage {
  items: Job[];
  /** Pass as `cursor` for the next page; null on the last. */
  nextCursor: string | null;
}

/** What a handler sees of its job. */
export interface JobContext<N extends JobName = JobName> {
  readonly job: Job;
  readonly payload: JobPayloads[N];
  /** Aborted when the job is cancelled or this worker lost its lease; stop soon and throw `signal.reason`. */
  readonly signal: AbortSignal;
  /**
   * Records progress; ignored once the lease is lost.
   * @param fraction 0..1.
   */
  progress(fraction: number, message?: string): Promise<void>;
}

/** What a handler returns: a JSON result and the keys of blobs it stored (already `put`). */
export interface JobOutcome {
  result?: unknown;
  blobKeys?: readonly string[];
}

/** Runs one job; throws to fail the attempt (it is retried until `maxAttempts`). */
export type JobHandler<N extends JobName = JobName> = (ctx: JobContext<N>) => Promise<JobOutcome>;

/** Exactly one handler per job name. */
export type JobHandlers = { readonly [N in JobName]: JobHandler<N> };

/** Options of {@link JobQueue.run}. */
export interface RunOptions {
  /** Jobs run at once by this worker (default 1). */
  concurrency?: number;
}

/** A running worker. */
export interface JobWorker {
  /** Stops claiming and waits for the jobs in hand to settle. */
  stop(): Promise<void>;
}

/** The queue port. */
export interface JobQueue {
  /** Which adapter this is. */
  readonly kind: 'embedded' | 'bullmq';
  /** Adds a job (or returns the active one with the same dedupe key). */
  enqueue<N extends JobName>(name: N, payload: JobPayloads[N], options: EnqueueOptions): Promise<Job>;
  /** The job `id` of `accountId`; undefined for an unknown id or another account's job. */
  get(accountId: string, id: string): Promise<Job | undefined>;
  /** Jobs of `accountId`, newest first. */
  list(accountId: string, query?: JobListQuery): Promise<JobPage>;
  /**
   * Cancels a job: a queued one never starts; a running one is asked to stop (its handler's
   * signal aborts) and ends `cancelled`. Finished jobs are returned unchanged.
   * @returns undefined for an unknown id or another account's job.
   */
  cancel(accountId: string, id: string): Promise<Job | undefined>;
  /** Starts a worker running `handlers` in this process. */
  run(handlers: JobHandlers, options?: RunOptions): JobWorker;
  /** Stops workers started here and releases connections (not the database). */
  close(): Promise<void>;
}
