import { describe, expect, it } from 'vitest';
import type { Principal } from '../auth/principal.ts';
import type { Job, JobListQuery, JobPage, JobQueue, JobStatus } from '../jobs/job-queue.ts';
import { JobService } from './job.service.ts';

/** A queue fake holding jobs in memory; records what the service asked of it. */
class FakeQueue implements JobQueue {
  readonly kind = 'embedded' as const;
  readonly calls: string[] = [];
  constructor(private readonly jobs: Job[]) {}
  async enqueue(): Promise<Job> {
    throw new Error('not used');
  }
  async get(accountId: string, id: string): Promise<Job | undefined> {
    return this.jobs.find((j) => j.accountId === accountId && j.id === id);
  }
  async list(accountId: string, q: JobListQuery = {}): Promise<JobPage> {
    this.calls.push(`list ${accountId} ${JSON.stringify(q)}`);
    return { items: this.jobs.filter((j) => j.accountId === accountId), nextCursor: null };
  }
  async cancel(accountId: string, id: string): Promise<Job | undefined> {
    this.calls.push(`cancel ${accountId} ${id}`);
    const j = await this.get(accountId, id);
    if (j) j.status = 'cancelled';
    return j;
  }
  run(): never {
    throw new Error('not used');
  }
  async close(): Promise<void> {}
}

const job = (id: string, accountId: string, status: JobStatus): Job => ({
  id, accountId, name: 'blob.sweep', status, payload: {}, result: null, blobKeys: [], error: null, progress: 0, progressMessage: null, attempts: 0,
  maxAttempts: 3, priority: 0, dedupeKey: null, cancelRequested: false, runAt: '', createdAt: '', updatedAt: '', startedAt: null, finishedAt: null,
});
const caller = (accountId: string): Principal => ({ kind: 'user', subject: 'u', accountId, role: 'operator' });

describe('JobService', () => {
  it('lists with the caller account and the default page size', async () => {
    const q = new FakeQueue([job('a', 'acct-1', 'queued'), job('b', 'acct-2', 'queued')]);
    const page = await new JobService(q).list(caller('acct-1'), { status: 'queued' });
    expect(page.items.map((j) => j.id)).toEqual(['a']);
    expect(q.calls).toEqual(['list acct-1 {"status":"queued","limit":50}']);
  });

  it('reports another account job as not found and refuses to cancel a finished one', async () => {
    const q = new FakeQueue([job('a', 'acct-1', 'queued'), job('done', 'acct-1', 'succeeded')]);
    const s = new JobService(q);
    await expect(s.get(caller('acct-2'), 'a')).rejects.toMatchObject({ status: 404, code: 'XQC_NOT_FOUND' });
    await expect(s.cancel(caller('acct-2'), 'a')).rejects.toMatchObject({ status: 404 });
    await expect(s.cancel(caller('acct-1'), 'done')).rejects.toMatchObject({ status: 409, code: 'XQC_JOB_FINISHED' });
    expect(await s.cancel(caller('acct-1'), 'a')).toMatchObject({ status: 'cancelled' });
    expect(q.calls).toEqual(['cancel acct-1 a']);
  });
});
