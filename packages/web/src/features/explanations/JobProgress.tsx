import { useMutation } from '@tanstack/react-query';
import { data } from '@xai-qc/client';
import type { components } from '@xai-qc/client';
import { useEffect, useRef } from 'react';
import { api } from '../../app/api.ts';
import { Button } from '../../shared/ui/button.tsx';
import { ErrorMessage } from '../../shared/ui/states.tsx';
import { isFinished, useJob } from './use-explanations.ts';

type Job = components['schemas']['Job'];

/** A progress bar (0..1) with its label; indeterminate while `value` is undefined. */
export function ProgressBar({ value, label }: { value: number | undefined; label: string }) {
  const pct = value === undefined ? undefined : Math.round(Math.min(1, Math.max(0, value)) * 100);
  return (
    <div role="progressbar" aria-label={label} aria-valuemin={0} aria-valuemax={100} aria-valuenow={pct} className="h-2 w-full overflow-hidden rounded-full bg-muted">
      <div className={pct === undefined ? 'h-full w-1/3 animate-pulse rounded-full bg-primary/60' : 'h-full rounded-full bg-primary transition-[width] duration-300'} style={pct === undefined ? undefined : { width: `${pct}%` }} />
    </div>
  );
}

/** Follows a job while it runs and reports when it ended (renders nothing). */
export function JobWatch({ jobId, onFinished }: { jobId: string; onFinished: (jobId: string, job: Job) => void }) {
  const job = useJob(jobId);
  const done = useRef(false);
  const finished = job.data && isFinished(job.data) ? job.data : undefined;
  useEffect(() => {
    if (finished && !done.current) {
      done.current = true;
      onFinished(jobId, finished);
    }
  }, [finished, jobId, onFinished]);
  return null;
}

/** The progress of an explain job: bar, what it is doing, and a cancel button. */
export function JobProgress({ jobId, label, canCancel }: { jobId: string; label: string; canCancel: boolean }) {
  const job = useJob(jobId);
  const cancel = useMutation({ mutationFn: () => data(api.POST('/api/xai-qc/jobs/{id}/cancel', { params: { path: { id: jobId } } })) });
  const j = job.data;
  const status = !j ? 'Starting\u2026' : j.status === 'queued' ? 'Waiting for a free worker\u2026' : j.status === 'running' ? (j.progressMessage ? `Running: ${j.progressMessage}` : 'Running\u2026') : j.status === 'succeeded' ? 'Done, loading the result\u2026' : j.status === 'cancelled' ? 'Cancelled.' : 'Failed.';
  return (
    <div className="flex flex-col gap-2 rounded-md border bg-muted/40 p-3" data-testid="explain-job" data-job-status={j?.status ?? 'unknown'}>
      <div className="flex items-center justify-between gap-2">
        <p className="text-sm" aria-live="polite">
          {status}
          {j && j.status === 'running' && j.progress > 0 ? <span className="ml-1 font-mono tabular-nums">{Math.round(j.progress * 100)} %</span> : null}
        </p>
        {canCancel && j && !isFinished(j) ? (
          <Button variant="outline" size="sm" onClick={() => cancel.mutate()} disabled={cancel.isPending || j.cancelRequested}>
            {j.cancelRequested ? 'Cancelling\u2026' : 'Cancel'}
          </Button>
        ) : null}
      </div>
      <ProgressBar value={j && j.status === 'running' && j.progress > 0 ? j.progress : j?.status === 'succeeded' ? 1 : undefined} label={`Progress of ${label}`} />
      <p className="text-xs text-muted-foreground">This runs in the background: you can keep working, the result appears here when it is ready.</p>
      {cancel.error ? <ErrorMessage error={cancel.error} /> : null}
      {job.error ? <ErrorMessage error={job.error} /> : null}
    </div>
  );
}
