/**
 * Following a background job (`GET /jobs/{id}`) until it ends: the query key is
 * `['job', id]`, which the live events (`job.progress`, `job.finished`) invalidate, and it is
 * also polled every second while the job is queued or running in case the WebSocket is down.
 */
import { useQuery } from '@tanstack/react-query';
import { data } from '@xai-qc/client';
import type { components } from '@xai-qc/client';
import { api } from '../../app/api.ts';

/** A job as the API returns it. */
export type Job = components['schemas']['Job'];

/** True when the job will not change any more. */
export function jobEnded(job: Pick<Job, 'status'> | undefined): boolean {
  return job !== undefined && (job.status === 'succeeded' || job.status === 'failed' || job.status === 'cancelled');
}

/** The job `id` (nothing while undefined), refreshed until it ends. */
export function useJob(id: string | undefined) {
  return useQuery({
    queryKey: ['job', id],
    enabled: id !== undefined,
    staleTime: 0,
    queryFn: ({ signal }) => data(api.GET('/api/xai-qc/jobs/{id}', { params: { path: { id: id! } }, signal })),
    refetchInterval: (q) => (jobEnded(q.state.data) ? false : 1000),
  });
}

/** A job's progress as a sentence for the page ("Rendering pages, 40 %"). */
export function jobProgressText(job: Pick<Job, 'status' | 'progress' | 'progressMessage' | 'error'> | undefined): string {
  if (!job) return 'Starting';
  switch (job.status) {
    case 'queued':
      return 'Waiting for a worker';
    case 'running':
      return `${job.progressMessage ? job.progressMessage[0]!.toUpperCase() + job.progressMessage.slice(1) : 'Working'}, ${Math.round(job.progress * 100)} %`;
    case 'succeeded':
      return 'Done';
    case 'cancelled':
      return 'Cancelled';
    case 'failed':
      return `Failed${job.error ? `: ${job.error}` : ''}`;
  }
}
