/**
 * Jobs as the jobs page shows them: statuses, readable names, and the live progress of the
 * `job.progress` events laid over the listed figures.
 */

/** Job statuses, as the server names them. */
export const JOB_STATUSES = ['queued', 'running', 'succeeded', 'failed', 'cancelled'] as const;
/** A job status. */
export type JobStatus = (typeof JOB_STATUSES)[number];

/** What each job name does, in words. */
export const JOB_TITLES: Record<string, string> = {
  'blob.sweep': 'Clean up unused files',
  explain: 'Explain an inspection',
  'embedding.index': 'Index embeddings',
  'run.train': 'Train a model',
  'run.evaluate': 'Evaluate a model',
  'calibration.fit': 'Fit calibration',
  'report.render': 'Render a report',
  'alerts.evaluate': 'Evaluate alert rules',
  'webhook.deliver': 'Deliver a webhook',
  'monitor.run': 'Run a monitor',
};

/** Live progress of a job from the WebSocket. */
export interface LiveProgress {
  progress: number;
  message: string | null;
}

/** The fields of a job the list needs. */
export interface JobLike {
  id: string;
  status: string;
  progress: number;
  progressMessage: string | null;
  updatedAt?: string;
}

/**
 * A job with the live progress laid over it: only while the listed job is queued or
 * running, and only forward (an older event never moves the bar back).
 */
export function withLiveProgress<T extends JobLike>(job: T, live: LiveProgress | undefined): T {
  if (!live || (job.status !== 'queued' && job.status !== 'running')) return job;
  if (live.progress < job.progress) return job;
  return { ...job, status: 'running', progress: live.progress, progressMessage: live.message ?? job.progressMessage };
}

/** Whether an operator may still cancel the job. */
export function cancellable(status: string): boolean {
  return status === 'queued' || status === 'running';
}
