import { useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query';
import { useNavigate } from '@tanstack/react-router';
import { data } from '@xai-qc/client';
import type { components } from '@xai-qc/client';
import { useState } from 'react';
import { api } from '../../app/api.ts';
import { useLiveEvent } from '../../app/live-events.ts';
import { hasRole, useSession } from '../../app/session.ts';
import { dateTime, percent } from '../../shared/lib/format.ts';
import { Button } from '../../shared/ui/button.tsx';
import { Card } from '../../shared/ui/card.tsx';
import { Field, Select } from '../../shared/ui/form.tsx';
import { EmptyState, ErrorMessage, PageHeader, Skeleton } from '../../shared/ui/states.tsx';
import { Table, Td, Th } from '../../shared/ui/table.tsx';
import { toast } from '../../shared/ui/toast.tsx';
import { RunStatusBadge } from '../runs/RunStatusBadge.tsx';
import { cancellable, JOB_STATUSES, JOB_TITLES, withLiveProgress } from './job-view.ts';
import type { JobStatus, LiveProgress } from './job-view.ts';
import { jobsRoute } from './route.ts';

type Job = components['schemas']['Job'];

/** Jobs: background work of the account with status, live progress, errors; cancel (operators). */
export default function JobsPage() {
  const operator = hasRole(useSession().user?.role, 'operator');
  const { status } = jobsRoute.useSearch();
  const navigate = useNavigate({ from: jobsRoute.fullPath });
  const qc = useQueryClient();
  const [live, setLive] = useState<Record<string, LiveProgress>>({});
  const jobs = useInfiniteQuery({
    queryKey: ['jobs', { status }],
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) => data(api.GET('/api/xai-qc/jobs', { params: { query: { limit: 50, cursor: pageParam, status } } })),
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    refetchInterval: 30_000,
  });
  useLiveEvent('job.progress', (e) => setLive((l) => ({ ...l, [e.data.jobId]: { progress: e.data.progress, message: e.data.message } })));
  const cancel = useMutation({
    mutationFn: (id: string) => data(api.POST('/api/xai-qc/jobs/{id}/cancel', { params: { path: { id } } })),
    onSuccess: async (j) => {
      toast(j.status === 'cancelled' ? 'Job cancelled' : 'Cancellation asked', { description: j.status === 'cancelled' ? undefined : 'The job stops at its next step.' });
      await qc.invalidateQueries({ queryKey: ['jobs'] });
    },
  });
  const items: Job[] = (jobs.data?.pages.flatMap((p) => p.items) ?? []).map((j) => withLiveProgress(j, live[j.id]));

  return (
    <div className="flex flex-col gap-4">
      <PageHeader
        title="Jobs"
        description="Background work: training, explanations, reports, monitors and webhook deliveries."
        actions={
          <Field label="Status" className="w-48">
            {(p) => (
              <Select {...p} value={status ?? ''} onChange={(e) => void navigate({ search: { status: (e.target.value || undefined) as JobStatus | undefined } })}>
                <option value="">All statuses</option>
                {JOB_STATUSES.map((s) => (
                  <option key={s} value={s}>
                    {s}
                  </option>
                ))}
              </Select>
            )}
          </Field>
        }
      />
      {jobs.error ? <ErrorMessage error={jobs.error} /> : null}
      {cancel.error ? <ErrorMessage error={cancel.error} /> : null}
      <Card>
        <Table aria-label="Jobs">
          <thead>
            <tr>
              <Th>Job</Th>
              <Th>Status</Th>
              <Th className="min-w-44">Progress</Th>
              <Th className="text-right">Attempts</Th>
              <Th>Time</Th>
              <Th>
                <span className="sr-only">Actions</span>
              </Th>
            </tr>
          </thead>
          <tbody>
            {jobs.isPending
              ? Array.from({ length: 5 }, (_, i) => (
                  <tr key={i}>
                    <Td colSpan={6}>
                      <Skeleton className="h-6 w-full" />
                    </Td>
                  </tr>
                ))
              : items.map((j) => (
                  <tr key={j.id} className="align-top">
                    <Td>
                      <p className="font-medium">{JOB_TITLES[j.name] ?? j.name}</p>
                      <p className="font-mono text-xs text-muted-foreground">
                        {j.name} {j.id.slice(0, 8)}
                      </p>
                      {j.error ? (
                        <p className="mt-1 max-w-xl text-xs break-words text-destructive">
                          <span className="font-medium">Error: </span>
                          {j.error}
                        </p>
                      ) : null}
                    </Td>
                    <Td>
                      <RunStatusBadge status={j.cancelRequested && j.status === 'running' ? 'cancelling' : j.status} />
                    </Td>
                    <Td>
                      <div className="flex items-center gap-2">
                        <progress value={j.progress} max={1} className="h-2 min-w-0 flex-1 accent-primary" aria-label={`Progress of ${j.name} ${j.id.slice(0, 8)}`} />
                        <span className="w-10 shrink-0 text-right text-xs whitespace-nowrap tabular-nums">{percent(j.progress, 0)}</span>
                      </div>
                      {j.progressMessage ? <p className="text-xs text-muted-foreground">{j.progressMessage}</p> : null}
                    </Td>
                    <Td className="text-right tabular-nums">
                      {j.attempts} / {j.maxAttempts}
                    </Td>
                    <Td className="text-xs">
                      <p>created {dateTime(j.createdAt)}</p>
                      {j.finishedAt ? <p className="text-muted-foreground">finished {dateTime(j.finishedAt)}</p> : j.startedAt ? <p className="text-muted-foreground">started {dateTime(j.startedAt)}</p> : null}
                    </Td>
                    <Td className="text-right">
                      {operator && cancellable(j.status) && !j.cancelRequested ? (
                        <Button size="sm" variant="outline" onClick={() => cancel.mutate(j.id)} disabled={cancel.isPending} aria-label={`Cancel ${j.name} ${j.id.slice(0, 8)}`}>
                          Cancel
                        </Button>
                      ) : null}
                    </Td>
                  </tr>
                ))}
          </tbody>
        </Table>
        {!jobs.isPending && !jobs.error && items.length === 0 ? (
          <EmptyState title={status ? `No ${status} jobs` : 'No jobs yet'} className="m-4">
            {status ? 'Choose another status to see other jobs.' : 'Jobs appear here when you start training, ask for explanations or reports, or a monitor runs.'}
          </EmptyState>
        ) : null}
        {jobs.hasNextPage ? (
          <div className="flex justify-center p-3">
            <Button variant="outline" onClick={() => void jobs.fetchNextPage()} disabled={jobs.isFetchingNextPage}>
              {jobs.isFetchingNextPage ? 'Loading\u2026' : 'Load more'}
            </Button>
          </div>
        ) : null}
      </Card>
    </div>
  );
}
