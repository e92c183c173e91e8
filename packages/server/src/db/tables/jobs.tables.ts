/**
 * Tables of the job system (migration 0004-jobs): one row per background job, and the blobs
 * a finished job produced. Portable conventions (db/schema.ts): text UUIDs, ISO-8601 UTC
 * text timestamps (compared as text), 0/1 integers, JSON as text. Every row carries its
 * `account_id`; every read filters by it.
 */
import type { Insertable, Selectable } from 'kysely';

/** One job. A row moves queued -> running -> succeeded | failed | cancelled, or back to queued on a retry. */
export interface JobsTable {
  id: string;
  account_id: string;
  /** A name of jobs/job-names.ts. */
  name: string;
  /** queued, running, succeeded, failed (dead letter) or cancelled. */
  status: string;
  payload_json: string;
  /** What the handler returned, JSON; set with the status change to succeeded. */
  result_json: string | null;
  /** Message of the last failure (kept when a retry succeeds later only until then). */
  error: string | null;
  /** 0..1. */
  progress: number;
  progress_message: string | null;
  /** Attempts started so far (incremented when a worker claims the job). */
  attempts: number;
  max_attempts: number;
  /** Higher runs first. */
  priority: number;
  /** Two active jobs of one account and name never share a dedupe key. */
  dedupe_key: string | null;
  /** Earliest time a worker may claim it (backoff after a failure). */
  run_at: string;
  /** Random token of the current attempt; completions must present it. */
  lease_token: string | null;
  /** Which worker holds the lease (`host:pid:n`). */
  lease_owner: string | null;
  /** When the lease lapses unless renewed; an expired lease is reclaimed. */
  lease_expires_at: string | null;
  /** 1 once cancellation was asked for a running job; the worker aborts the handler's signal. */
  cancel_requested: number;
  created_at: string;
  updated_at: string;
  started_at: string | null;
  finished_at: string | null;
}

/** A blob a succeeded job produced; inserted in the transaction that marks it succeeded. */
export interface JobBlobsTable {
  job_id: string;
  blob_sha256: string;
}

/** The job module's tables, merged into the app's `Database`. */
export interface JobTables {
  jobs: JobsTable;
  job_blobs: JobBlobsTable;
}

/** A job row. */
export type JobRow = Selectable<JobsTable>;
/** A job row to insert. */
export type NewJobRow = Insertable<JobsTable>;
