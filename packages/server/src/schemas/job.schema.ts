/**
 * Job schemas: a job as the API shows it, the list query and page, and the id parameter.
 * TypeBox; the Static types are exported for the service.
 */
import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import { JOB_STATUSES } from '../jobs/job-queue.ts';
import { JOB_NAMES } from '../jobs/job-names.ts';

const JobStatusSchema = Type.Union(
  JOB_STATUSES.map((s) => Type.Literal(s)),
  { description: 'queued, running, succeeded, failed (every attempt failed: the dead letter) or cancelled' },
);
const JobNameSchema = Type.Union(
  JOB_NAMES.map((n) => Type.Literal(n)),
  { description: 'what the job does' },
);

/** A background job of the caller's account. */
export const JobSchema = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    name: JobNameSchema,
    status: JobStatusSchema,
    payload: Type.Unknown({ description: 'the job input' }),
    result: Type.Unknown({ description: 'what the job produced (succeeded jobs), else null' }),
    blobKeys: Type.Array(Type.String(), { description: 'SHA-256 keys of the blobs the job stored with its result' }),
    error: Type.Union([Type.String(), Type.Null()], { description: 'message of the last failed attempt' }),
    progress: Type.Number({ minimum: 0, maximum: 1 }),
    progressMessage: Type.Union([Type.String(), Type.Null()]),
    attempts: Type.Integer({ minimum: 0, description: 'attempts started so far' }),
    maxAttempts: Type.Integer({ minimum: 1 }),
    priority: Type.Integer({ description: 'higher runs first' }),
    cancelRequested: Type.Boolean({ description: 'cancellation was asked while the job ran' }),
    runAt: Type.String({ format: 'date-time', description: 'earliest start of the next attempt' }),
    createdAt: Type.String({ format: 'date-time' }),
    updatedAt: Type.String({ format: 'date-time' }),
    startedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
    finishedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  },
  { $id: 'Job', title: 'Job' },
);
/** A job body. */
export type JobDto = Static<typeof JobSchema>;

/** `$ref` to {@link JobSchema} (registered by the jobs plugin). */
export const JobRef = Type.Ref('Job');

/** Query of `GET /jobs`. */
export const JobListQuerySchema = Type.Object(
  {
    status: Type.Optional(JobStatusSchema),
    name: Type.Optional(JobNameSchema),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
    cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'nextCursor of the previous page' })),
  },
  { additionalProperties: false },
);
/** Query of the list route. */
export type JobListQueryDto = Static<typeof JobListQuerySchema>;

/** A page of jobs, newest first. */
export const JobPageSchema = Type.Object({
  items: Type.Array(JobRef),
  nextCursor: Type.Union([Type.String(), Type.Null()], { description: 'pass as cursor for the next page; null on the last' }),
});

/** `{id}` of the job routes. */
export const JobIdParams = Type.Object({ id: Type.String({ format: 'uuid' }) });
