/**
 * Jobs as the API offers them: list, get and cancel the caller's jobs through the queue
 * port, whichever adapter runs it. Another account's job is reported as not found.
 */
import type { Principal } from '../auth/principal.ts';
import { conflict, notFound } from '../errors/api-error.ts';
import type { Job, JobPage, JobQueue } from '../jobs/job-queue.ts';
import { isFinished } from '../jobs/job-queue.ts';
import type { JobListQueryDto } from '../schemas/job.schema.ts';

/** See the module comment. */
export class JobService {
  constructor(private readonly queue: JobQueue) {}

  /** The caller's jobs, newest first, filtered by status and name, one page after `cursor`. */
  async list(principal: Principal, q: JobListQueryDto): Promise<JobPage> {
    return this.queue.list(principal.accountId, { status: q.status, name: q.name, cursor: q.cursor, limit: q.limit ?? 50 });
  }

  /**
   * The caller's job `id`.
   * @throws ApiError 404 XQC_NOT_FOUND for an unknown id or another account's job.
   */
  async get(principal: Principal, id: string): Promise<Job> {
    const job = await this.queue.get(principal.accountId, id);
    if (!job) throw notFound(`job ${id}`);
    return job;
  }

  /**
   * Cancels the caller's job `id`: a queued job ends cancelled at once; a running one is
   * asked to stop (`cancelRequested`) and ends cancelled when its handler sees the signal.
   * @throws ApiError 404 for an unknown id or another account's job; 409 XQC_JOB_FINISHED when it already ended.
   */
  async cancel(principal: Principal, id: string): Promise<Job> {
    const before = await this.get(principal, id);
    if (isFinished(before.status)) throw conflict('XQC_JOB_FINISHED', `job ${id} already ended ${before.status}; only queued or running jobs can be cancelled`);
    const job = await this.queue.cancel(principal.accountId, id);
    if (!job) throw notFound(`job ${id}`);
    return job;
  }
}
