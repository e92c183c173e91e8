/**
 * Calibration (`/calibration`): whether a classifier's confidence can be taken at face value.
 * The status in words, ECE before and after temperature scaling with the other figures, the
 * reliability diagram, the referral rate, and Recalibrate (engineers): a `calibration.fit`
 * job whose progress shows here and whose result is a new, inactive version.
 */
import { useMutation, useQuery } from '@tanstack/react-query';
import { Link, useNavigate } from '@tanstack/react-router';
import { data } from '@xai-qc/client';
import { RefreshCcw } from 'lucide-react';
import { useEffect, useId } from 'react';
import { api } from '../../app/api.ts';
import { hasRole, useSession } from '../../app/session.ts';
import { ReliabilityDiagram } from '../../shared/charts/ReliabilityDiagram.tsx';
import { num, percent } from '../../shared/lib/format.ts';
import { ExportReportButton } from '../../shared/report/ExportReportButton.tsx';
import { jobEnded, jobProgressText, useJob } from '../../shared/report/use-job.ts';
import { Badge } from '../../shared/ui/badge.tsx';
import { Button } from '../../shared/ui/button.tsx';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '../../shared/ui/card.tsx';
import { Field, Input } from '../../shared/ui/form.tsx';
import { EmptyState, ErrorMessage, PageHeader, Skeleton } from '../../shared/ui/states.tsx';
import { Table, Td, Th } from '../../shared/ui/table.tsx';
import { toast } from '../../shared/ui/toast.tsx';
import { apiRange } from '../metrics/metrics-search.ts';
import { ModelVersionPicker, useModels, usePreferredModel } from '../metrics/ModelVersionPicker.tsx';
import { StatTile } from '../metrics/StatTile.tsx';
import { eceChange, recalibrateBlocker, statusView } from './calibration-view.ts';
import { calibrationRoute } from './route.ts';
import type { CalibrationSearch } from './route.ts';

/** What `calibration.fit` returns. */
interface FitResult {
  modelName: string;
  fromVersion: string;
  newVersion: string;
  temperature: number;
  previousTemperature: number | null;
  items: number;
  eceBefore: number;
  eceAfter: number;
}

function rangeQuery(s: CalibrationSearch): { from?: string; to?: string } {
  const r = apiRange({ from: s.from ?? '1970-01-01', to: s.to ?? '9999-12-30' });
  return { ...(s.from ? { from: r.from } : {}), ...(s.to ? { to: r.to } : {}) };
}

/** The calibration page. */
export default function CalibrationPage() {
  const search = calibrationRoute.useSearch();
  const navigate = useNavigate({ from: calibrationRoute.fullPath });
  const set = (patch: Partial<CalibrationSearch>) => void navigate({ search: (prev: CalibrationSearch) => ({ ...prev, ...patch }), replace: true });
  const session = useSession();
  const isEngineer = hasRole(session.user?.role, 'engineer');
  const models = useModels();
  const classifiers = (models.data?.items ?? []).filter((m) => m.task === 'classify');
  const preferred = usePreferredModel(['classify']);
  const model = search.model ?? preferred.name;
  const range = rangeQuery(search);

  const query = model ? { model, ...(search.version ? { version: search.version } : {}), ...range } : undefined;
  const status = useQuery({
    queryKey: ['calibration', query],
    enabled: !!query,
    queryFn: ({ signal }) => data(api.GET('/api/xai-qc/calibration', { params: { query: query! }, signal })),
    placeholderData: (prev) => prev,
  });
  const st = status.data;
  const metricsQ = st ? { model: st.model, version: st.version, ...range } : undefined;
  const metrics = useQuery({
    queryKey: ['metrics', metricsQ],
    enabled: !!metricsQ,
    queryFn: ({ signal }) => data(api.GET('/api/xai-qc/metrics', { params: { query: metricsQ! }, signal })),
  });

  const fit = useMutation({
    mutationFn: () => data(api.POST('/api/xai-qc/calibration', { body: { model: st!.model, version: st!.version, ...range } })),
  });
  const job = useJob((fit.data as { id?: string } | undefined)?.id);
  const running = fit.isPending || (fit.data !== undefined && !jobEnded(job.data));
  const result = job.data?.status === 'succeeded' ? (job.data.result as FitResult | null) : undefined;
  useEffect(() => {
    if (result?.newVersion) toast('Recalibrated', { description: `New version ${result.modelName}@${result.newVersion} registered (not active).`, tone: 'success' });
  }, [result?.newVersion, result?.modelName]);
  const blocker = recalibrateBlocker({ isEngineer, status: st, running });
  const reasonId = useId();
  const view = st ? statusView(st) : undefined;
  const ece = eceChange(st?.beforeScaling?.ece, st?.served?.ece);

  return (
    <div className="flex flex-col gap-4">
      <PageHeader
        title="Calibration"
        description="Whether the model's confidence can be taken at face value, measured on reviewed inspections."
        actions={
          <>
            <ExportReportButton filters={{ ...range, ...(st ? { model: st.model, version: st.version } : {}) }} defaultTitle="Calibration report" scope={st ? `Figures and inspections of ${st.model}@${st.version}.` : undefined} />
            <Button onClick={() => fit.mutate()} disabled={blocker !== undefined} aria-describedby={blocker ? reasonId : undefined} title={blocker}>
              <RefreshCcw aria-hidden="true" className={running ? 'animate-spin' : undefined} />
              Recalibrate
            </Button>
          </>
        }
      />

      {blocker ? (
        <p id={reasonId} className="-mt-3 text-sm text-muted-foreground">
          Recalibrate is unavailable: {blocker[0]!.toLowerCase() + blocker.slice(1)}
        </p>
      ) : null}
      <Card>
        <CardContent className="flex flex-wrap items-end gap-3 pt-4">
          <ModelVersionPicker tasks={['classify']} model={model} version={search.version} onChange={(v) => set({ model: v.model, version: v.version })} />
          <Field label="Reviews from (UTC)">{(p) => <Input {...p} type="date" value={search.from ?? ''} max={search.to} onChange={(e) => set({ from: e.target.value || undefined })} />}</Field>
          <Field label="Reviews to (UTC, included)">{(p) => <Input {...p} type="date" value={search.to ?? ''} min={search.from} onChange={(e) => set({ to: e.target.value || undefined })} />}</Field>
        </CardContent>
      </Card>

      {models.error ? <ErrorMessage error={models.error} /> : null}
      {models.data && classifiers.length === 0 ? (
        <EmptyState title="No classifier to calibrate">
          <p>
            Calibration applies to classification models. Upload one on the <Link to="/models" className="underline">Models page</Link>.
          </p>
        </EmptyState>
      ) : null}
      {status.error ? <ErrorMessage error={status.error} /> : null}
      {fit.error ? <ErrorMessage error={fit.error} /> : null}

      {fit.data !== undefined ? (
        <Card aria-live="polite">
          <CardHeader>
            <CardTitle>Recalibration</CardTitle>
          </CardHeader>
          <CardContent className="flex flex-col gap-2 text-sm">
            <div role="progressbar" aria-label="Recalibration progress" aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.round((job.data?.progress ?? 0) * 100)} className="h-2 w-full overflow-hidden rounded-full bg-secondary">
              <div className="h-full bg-primary transition-[width]" style={{ width: `${Math.round((job.data?.progress ?? 0) * 100)}%` }} />
            </div>
            <p role="status">{jobProgressText(job.data)}</p>
            {result ? (
              <p data-testid="recalibration-result">
                New version <strong>{result.newVersion}</strong> of {result.modelName}: temperature {num(result.previousTemperature, 3)} to {num(result.temperature, 3)}, ECE {percent(result.eceBefore)} to {percent(result.eceAfter)} on {result.items} reviews. It is not active yet: compare and activate it on the{' '}
                <Link to="/models" className="underline">Models page</Link>.
              </p>
            ) : null}
          </CardContent>
        </Card>
      ) : null}

      {(status.isPending && query) || (!search.model && preferred.pending) ? <Skeleton className="h-96" /> : null}

      {st && view ? (
        <>
          <Card>
            <CardContent className="flex flex-col gap-3 pt-4">
              <div className="flex flex-wrap items-center gap-2">
                <h2 className="text-base font-semibold">
                  {st.model}@{st.version}
                </h2>
                <Badge variant={view.tone} data-testid="calibration-status">{view.label}</Badge>
              </div>
              <p className="max-w-prose text-sm">{view.sentence}</p>
              {st.status === 'not enough reviews' ? (
                <p className="text-sm">
                  <Link to="/reviews" className="underline">Open the Review queue</Link>
                </p>
              ) : null}
              <dl className="grid grid-cols-2 gap-3 md:grid-cols-3 xl:grid-cols-6">
                <StatTile label="Reviewed" value={st.reviewed} testId="calib-reviewed" sub={`at least ${st.minReviews} needed`} />
                <StatTile label="ECE before scaling" value={percent(st.beforeScaling?.ece)} sub="raw network probabilities" />
                <StatTile label="ECE after scaling" value={percent(st.served?.ece)} testId="calib-ece" tone={ece.better === true ? 'good' : ece.better === false ? 'bad' : undefined} sub={`as served${st.driftThreshold !== null ? `; drift limit ${percent(st.driftThreshold)}` : ''}`} />
                <StatTile label="Temperature" value={num(st.temperature, 3)} sub={st.temperature === null ? 'none in the card' : st.temperature > 1 ? 'softens over-confidence' : 'sharpens the probabilities'} />
                <StatTile label="ECE in the card" value={percent(st.cardEce)} sub="when it was calibrated" />
                <StatTile label="Referral rate" value={percent(metrics.data?.overall.referralRate)} testId="calib-referral" sub={metrics.data ? `${metrics.data.overall.referred} of ${metrics.data.overall.volume} sent to review` : 'loading'} />
              </dl>
            </CardContent>
          </Card>

          <div className="grid items-start gap-4 xl:grid-cols-[minmax(0,3fr)_minmax(0,2fr)]">
            <Card>
              <CardHeader>
                <CardTitle>Reliability diagram</CardTitle>
                <CardDescription>In each bin of confidence, how often the model was right. On the diagonal the confidence is honest; bars below it mean over-confidence.</CardDescription>
              </CardHeader>
              <CardContent>
                {st.reliability ? (
                  <ReliabilityDiagram title={`Reliability of ${st.model}@${st.version}`} bins={st.reliability.served} compare={st.reliability.beforeScaling} />
                ) : (
                  <EmptyState title="No reviewed inspections of this version">
                    <p>
                      The diagram needs reviewed inspections. Inspect parts with this version and review them in the <Link to="/reviews" className="underline">Review queue</Link>.
                    </p>
                  </EmptyState>
                )}
              </CardContent>
            </Card>
            <Card>
              <CardHeader>
                <CardTitle>Figures</CardTitle>
                <CardDescription>Top-label calibration on {st.reviewed} reviewed inspections. Lower is better except accuracy.</CardDescription>
              </CardHeader>
              <CardContent>
                <Table>
                  <caption className="sr-only">Calibration figures before and after temperature scaling</caption>
                  <thead>
                    <tr>
                      <Th>Figure</Th>
                      <Th className="text-right">Before scaling</Th>
                      <Th className="text-right">Served</Th>
                    </tr>
                  </thead>
                  <tbody>
                    {(
                      [
                        ['Accuracy', 'accuracy', true],
                        ['ECE (15 equal-width bins)', 'ece', true],
                        ['ECE (equal-mass bins)', 'eceEqualMass', true],
                        ['MCE (worst bin)', 'mce', true],
                        ['Brier score', 'brier', false],
                        ['Negative log-likelihood', 'nll', false],
                      ] as const
                    ).map(([label, key, asPercent]) => (
                      <tr key={key}>
                        <Th scope="row" className="h-auto border-b py-2 font-normal text-foreground">{label}</Th>
                        <Td className="text-right tabular-nums">{asPercent ? percent(st.beforeScaling?.[key]) : num(st.beforeScaling?.[key], 4)}</Td>
                        <Td className="text-right tabular-nums">{asPercent ? percent(st.served?.[key]) : num(st.served?.[key], 4)}</Td>
                      </tr>
                    ))}
                  </tbody>
                </Table>
              </CardContent>
            </Card>
          </div>
        </>
      ) : null}
    </div>
  );
}
