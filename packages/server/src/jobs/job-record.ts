/**
 * Shared by both adapters: a job row as the port's {@link Job}, the opaque list cursor,
 * the retry delay, the message a failed attempt leaves, and the checks on enqueue options.
 */
import { Buffer } from 'node:buffer';
import { isXqcError } from '@xai-qc/core';
import { ApiError, badRequest } from '../errors/api-error.ts';
import { randomUUID } from 'node:crypto';
import type { JobRow, NewJobRow } from '../db/tables/jobs.tables.ts';
import type { JobCursor } from '../repositories/job.repository.ts';
import type { EnqueueOptions, Job, JobStatus } from './job-queue.ts';
import type { JobName, JobPayloads } from './job-names.ts';

/** Default attempts before a job is dead-lettered. */
export const DEFAULT_MAX_ATTEMPTS = 3;

/** The port's view of a row and its blobs. */
export function toJob(row: JobRow, blobKeys: readonly string[]): Job {
  return {
    id: row.id,
    accountId: row.account_id,
    name: row.name as JobName,
    status: row.status as JobStatus,
    payload: JSON.parse(row.payload_json) as unknown,
    result: row.result_json === null ? null : (JSON.parse(row.result_json) as unknown),
    blobKeys: [...blobKeys],
    error: row.error,
    progress: row.progress,
    progressMessage: row.progress_message,
    attempts: row.attempts,
    maxAttempts: row.max_attempts,
    priority: row.priority,
    dedupeKey: row.dedupe_key,
    cancelRequested: row.cancel_requested === 1,
    runAt: row.run_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
  };
}

/** The opaque `nextCursor` string of a list position (base64url JSON). */
export function encodeJobCursor(c: JobCursor): string {
  return Buffer.from(JSON.stringify([c.createdAt, c.id])).toString('base64url');
}

/**
 * Reads a cursor made by {@link encodeJobCursor}.
 * @throws ApiError 400 XQC_INVALID_CURSOR for anything else.
 */
export function decodeJobCursor(s: string): JobCursor {
  try {
    const v = JSON.parse(Buffer.from(s, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(v) && v.length === 2 && typeof v[0] === 'string' && typeof v[1] === 'string') return { createdAt: v[0], id: v[1] };
  } catch {
    // Falls through to the error below: a cursor that is not base64url JSON is as invalid as a wrong shape.
  }
  throw badRequest('XQC_INVALID_CURSOR', 'cursor: not a cursor this API returned; pass nextCursor from the previous page');
}

/** How retries wait: `baseMs * 2^(attempt-1)`, capped at `maxMs`. */
export interface Backoff {
  baseMs: number;
  maxMs: number;
}

/** Default backoff: 1 s, 2 s, 4 s ... at most 5 minutes. */
export const DEFAULT_BACKOFF: Backoff = Object.freeze({ baseMs: 1000, maxMs: 5 * 60 * 1000 });

/**
 * Delay before the retry that follows failed attempt number `attempt` (1-based):
 * `min(maxMs, baseMs * 2^(attempt - 1))`.
 */
export function backoffDelayMs(attempt: number, backoff: Backoff = DEFAULT_BACKOFF): number {
  return Math.min(backoff.maxMs, backoff.baseMs * 2 ** Math.max(0, attempt - 1));
}

/** The message a failed attempt records: `CODE: message` for coded errors. */
export function errorMessage(e: unknown): string {
  if (e instanceof ApiError || isXqcError(e)) return `${e.code}: ${e.message}`;
  return e instanceof Error ? e.message : String(e);
}

/**
 * Checks enqueue options and fills defaults.
 * @throws ApiError 400 naming the valid range.
 */
export function checkEnqueueOptions(o: EnqueueOptions): { accountId: string; maxAttempts: number; priority: number; dedupeKey: string | null } {
  const maxAttempts = o.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  const priority = o.priority ?? 0;
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1 || maxAttempts > 100) throw badRequest('XQC_INVALID_ARGUMENT', `maxAttempts must be an integer 1..100, got ${maxAttempts}`);
  if (!Number.isInteger(priority) || priority < -1000 || priority > 1000) throw badRequest('XQC_INVALID_ARGUMENT', `priority must be an integer -1000..1000, got ${priority}`);
  if (o.accountId === '') throw badRequest('XQC_INVALID_ARGUMENT', 'accountId must not be empty');
  if (o.dedupeKey !== undefined && (o.dedupeKey.length === 0 || o.dedupeKey.length > 200)) throw badRequest('XQC_INVALID_ARGUMENT', 'dedupeKey must be 1..200 characters');
  return { accountId: o.accountId, maxAttempts, priority, dedupeKey: o.dedupeKey ?? null };
}

/**
 * Checks a progress report.
 * @throws ApiError 500 XQC_JOB_PROGRESS unless 0 <= fraction <= 1.
 */
export function checkProgress(fraction: number): void {
  if (!Number.isFinite(fraction) || fraction < 0 || fraction > 1) throw new ApiError(500, 'XQC_JOB_PROGRESS', `progress must be a number 0..1, got ${fraction}`);
}

/** The abort reason a handler sees when its job is cancelled. */
export const cancelledReason = (id: string): ApiError => new ApiError(409, 'XQC_JOB_CANCELLED', `job ${id} was cancelled`);
/** The abort reason a handler sees when its worker lost the lease (another worker may run the job). */
export const leaseLostReason = (id: string): ApiError => new ApiError(409, 'XQC_JOB_LEASE_LOST', `job ${id}: this worker lost its lease`);

/**
 * The row of a newly enqueued job, shared by both queue adapters: options checked, queued
 * to run at `now`, no lease, no attempts yet.
 * @throws the errors of {@link checkEnqueueOptions}
 */
export function newJobRow<N extends JobName>(name: N, payload: JobPayloads[N], options: EnqueueOptions, now: string): NewJobRow {
  const o = checkEnqueueOptions(options);
  return {
    id: randomUUID(),
    account_id: o.accountId,
    name,
    status: 'queued',
    payload_json: JSON.stringify(payload),
    result_json: null,
    error: null,
    progress: 0,
    progress_message: null,
    attempts: 0,
    max_attempts: o.maxAttempts,
    priority: o.priority,
    dedupe_key: o.dedupeKey,
    run_at: now,
    lease_token: null,
    lease_owner: null,
    lease_expires_at: null,
    cancel_requested: 0,
    created_at: now,
    updated_at: now,
    started_at: null,
    finished_at: null,
  };
}
