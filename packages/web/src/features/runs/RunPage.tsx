import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { data } from '@xai-qc/client';
import { ArrowLeft, Download } from 'lucide-react';
import { useState } from 'react';
import { api, downloadBlob, getBlob } from '../../app/api.ts';
import { useLiveEvent } from '../../app/live-events.ts';
import { hasRole, useSession } from '../../app/session.ts';
import { bytes, dateTime, num, percent } from '../../shared/lib/format.ts';
import { Button, buttonVariants } from '../../shared/ui/button.tsx';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '../../shared/ui/card.tsx';
import { EmptyState, ErrorMessage, PageHeader, Skeleton } from '../../shared/ui/states.tsx';
import { Table, Td, Th } from '../../shared/ui/table.tsx';
import { toast } from '../../shared/ui/toast.tsx';
import { LineChart } from './LineChart.tsx';
import { bestEpoch, isLive, mergeEpochs } from './run-epochs.ts';
import { runMethod } from './run-method.ts';
import type { EpochFigures } from './run-epochs.ts';
import { runRoute } from './route.ts';
import { RunStatusBadge } from './RunStatusBadge.tsx';

/** One run: status and progress, live per-epoch curves, figures, artifacts; cancel while it runs. */
export default function RunPage() {
  const { runId } = runRoute.useParams();
  const operator = hasRole(useSession().user?.role, 'operator');
  const qc = useQueryClient();
  const [live, setLive] = useState<EpochFigures[]>([]);
  const run = useQuery({
    queryKey: ['run', runId],
    queryFn: () => data(api.GET('/api/xai-qc/runs/{id}', { params: { path: { id: runId } } })),
    refetchInterval: (q) => (q.state.data && isLive(q.state.data.status) ? 10_000 : false),
  });
  useLiveEvent('run.epoch', (e) => {
    if (e.data.runId === runId) setLive((l) => [...l, e.data]);
  });
  useLiveEvent('job.progress', (e) => {
    if (run.data && e.data.jobId === run.data.jobId) qc.setQueryData(['run', runId], { ...run.data, progress: e.data.progress, progressMessage: e.data.message, status: 'running' as const });
  });
  const cancel = useMutation({
    mutationFn: (jobId: string) => data(api.POST('/api/xai-qc/jobs/{id}/cancel', { params: { path: { id: jobId } } })),
    onSuccess: async () => {
      toast('Cancellation asked', { description: 'Training stops at its next step.' });
      await qc.invalidateQueries({ queryKey: ['run', runId] });
    },
  });

  const r = run.data;
  const epochs = mergeEpochs(r?.epochs ?? [], live);
  const best = bestEpoch(epochs);
  const planned = (r?.params as { params?: { epochs?: number } } | undefined)?.params?.epochs;
  const method = r ? runMethod(r) : undefined;
  const metricName = r?.task === 'segment' ? 'Validation defect Dice' : 'Validation accuracy';

  const download = async (name: string) => {
    try {
      downloadBlob(await getBlob(`/runs/${runId}/artifacts/${encodeURIComponent(name)}`), name);
    } catch (e) {
      toast('The download failed', { tone: 'error', description: e instanceof Error ? e.message : undefined });
    }
  };

  return (
    <div className="flex flex-col gap-4">
      <div>
        <Link to="/runs" className={buttonVariants({ variant: 'link', size: 'sm', className: 'px-0' })}>
          <ArrowLeft aria-hidden="true" /> All runs
        </Link>
        <PageHeader
          title={`Run ${runId.slice(0, 8)}`}
          description={r ? `${r.kind} ${r.task}${r.modelName ? ` of ${r.modelName}` : ''}, created ${dateTime(r.createdAt)}` : undefined}
          actions={
            r && operator && isLive(r.status) ? (
              <Button variant="destructive" onClick={() => cancel.mutate(r.jobId)} disabled={cancel.isPending}>
                Cancel run
              </Button>
            ) : null
          }
        />
      </div>
      {run.error ? <ErrorMessage error={run.error} /> : null}
      {cancel.error ? <ErrorMessage error={cancel.error} /> : null}
      {run.isPending ? <Skeleton className="h-40 w-full" /> : null}
      {r ? (
        <>
          <Card>
            <CardContent className="grid gap-4 pt-4 sm:grid-cols-2 lg:grid-cols-4">
              <Figure label="Status">
                <RunStatusBadge status={r.status} />
              </Figure>
              <Figure label="Progress">
                <div className="flex items-center gap-2">
                  <progress value={r.progress} max={1} className="h-2 min-w-0 flex-1 accent-primary" aria-label="Run progress" />
                  <span className="shrink-0 whitespace-nowrap tabular-nums">{percent(r.progress, 0)}</span>
                </div>
                {r.progressMessage ? <p className="text-xs text-muted-foreground">{r.progressMessage}</p> : null}
              </Figure>
              <Figure label="Epochs">
                {epochs.length}
                {planned ? ` of ${planned}` : ''}
                {best ? <span className="text-muted-foreground"> (best {best.epoch}: {num(best.valMetric)})</span> : null}
              </Figure>
              <Figure label="Result">
                {r.resultVersionId && r.modelName ? (
                  <Link to="/models/$modelName" params={{ modelName: r.modelName }} className="text-primary underline-offset-4 hover:underline">
                    New version of {r.modelName}
                  </Link>
                ) : (
                  '\u2013'
                )}
              </Figure>
            </CardContent>
          </Card>
          {r.error ? <ErrorMessage error={new Error(r.error)} /> : null}
          {method ? (
            <Card>
              <CardContent className="grid gap-4 pt-4 sm:grid-cols-2 lg:grid-cols-4">
                <Figure label="Anomaly method">
                  {method.requested}
                  {method.budgetSeconds !== undefined ? <span className="text-muted-foreground"> (budget {method.budgetSeconds} s)</span> : null}
                </Figure>
                <Figure label="Fitted">{method.fitted ?? '\u2013'}</Figure>
                {method.reason ? (
                  <div className="sm:col-span-2">
                    <Figure label="Why auto chose it">{method.reason}</Figure>
                  </div>
                ) : null}
              </CardContent>
            </Card>
          ) : null}
          <Card>
            <CardHeader>
              <CardTitle>Curves</CardTitle>
              <CardDescription>{isLive(r.status) ? 'Updated live as each epoch finishes.' : 'Per-epoch figures of the run.'}</CardDescription>
            </CardHeader>
            <CardContent>
              {epochs.length === 0 ? (
                <EmptyState title={isLive(r.status) ? 'Waiting for the first epoch' : 'No epochs recorded'}>
                  {isLive(r.status) ? 'The curves appear here as soon as the first epoch finishes.' : 'Evaluate runs and anomaly fits have no epochs.'}
                </EmptyState>
              ) : (
                <div className="grid gap-6 lg:grid-cols-2">
                  <LineChart
                    title="Training loss"
                    xLabel="epoch"
                    integerX
                    series={[{ name: 'train loss', color: 'var(--color-primary)', points: epochs.map((e) => ({ x: e.epoch, y: e.trainLoss })) }]}
                    summary={`Training loss over ${epochs.length} epochs: from ${num(epochs[0]?.trainLoss)} to ${num(epochs[epochs.length - 1]?.trainLoss)}.`}
                    yFormat={(v) => num(v, 2)}
                  />
                  <LineChart
                    title={metricName}
                    xLabel="epoch"
                    integerX
                    yDomain={[0, 1]}
                    series={[{ name: metricName.toLowerCase(), color: 'var(--color-success)', points: epochs.map((e) => ({ x: e.epoch, y: e.valMetric })) }]}
                    summary={`${metricName} over ${epochs.length} epochs: latest ${num(epochs[epochs.length - 1]?.valMetric)}, best ${num(best?.valMetric)} at epoch ${best?.epoch ?? '-'}.`}
                    yFormat={(v) => num(v, 1)}
                  />
                </div>
              )}
            </CardContent>
          </Card>
          {epochs.length ? (
            <Card>
              <CardHeader>
                <CardTitle>Epochs</CardTitle>
              </CardHeader>
              <Table aria-label="Epochs">
                <thead>
                  <tr>
                    <Th className="text-right">Epoch</Th>
                    <Th className="text-right">Train loss</Th>
                    <Th className="text-right">{metricName}</Th>
                    <Th className="text-right">Learning rate</Th>
                    <Th className="text-right">Seconds</Th>
                  </tr>
                </thead>
                <tbody>
                  {[...epochs].reverse().map((e) => (
                    <tr key={e.epoch} className={best?.epoch === e.epoch ? 'bg-success/10' : undefined}>
                      <Td className="text-right tabular-nums">
                        {e.epoch}
                        {best?.epoch === e.epoch ? <span className="ml-1 text-xs text-success">best</span> : null}
                      </Td>
                      <Td className="text-right tabular-nums">{num(e.trainLoss, 4)}</Td>
                      <Td className="text-right tabular-nums">{num(e.valMetric, 4)}</Td>
                      <Td className="text-right tabular-nums">{e.lr.toExponential(2)}</Td>
                      <Td className="text-right tabular-nums">{num(e.seconds, 1)}</Td>
                    </tr>
                  ))}
                </tbody>
              </Table>
            </Card>
          ) : null}
          <Card>
            <CardHeader>
              <CardTitle>Artifacts</CardTitle>
              <CardDescription>Files the run stored: the training curves, its figures and the dataset card.</CardDescription>
            </CardHeader>
            <CardContent>
              {r.artifacts.length === 0 ? (
                <p className="text-sm text-muted-foreground">{isLive(r.status) ? 'Artifacts are stored when the run finishes.' : 'This run stored no artifacts.'}</p>
              ) : (
                <ul className="flex flex-col divide-y">
                  {r.artifacts.map((a) => (
                    <li key={a.name} className="flex items-center justify-between gap-2 py-2 text-sm">
                      <span className="font-mono text-xs">{a.name}</span>
                      <span className="flex items-center gap-3">
                        <span className="text-muted-foreground">{bytes(a.size)}</span>
                        <Button size="sm" variant="outline" onClick={() => void download(a.name)} aria-label={`Download ${a.name}`}>
                          <Download aria-hidden="true" /> Download
                        </Button>
                      </span>
                    </li>
                  ))}
                </ul>
              )}
            </CardContent>
          </Card>
        </>
      ) : null}
    </div>
  );
}

function Figure({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div className="flex flex-col gap-1">
      <span className="text-xs font-medium uppercase tracking-wide text-muted-foreground">{label}</span>
      <div className="text-sm">{children}</div>
    </div>
  );
}
