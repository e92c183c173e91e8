/**
 * The metrics dashboard (`/dashboard`): what the reviews say about the model's decisions over
 * a date range. Headline figures with the counts they rest on; per day or week: volume and
 * reviews, escape and false-reject rates, precision and recall, AUROC; the confusion matrix;
 * the same figures per model version. Filters live in the URL. New inspections refresh it
 * live (the `inspection.created` event invalidates `['metrics']`).
 */
import { useQuery } from '@tanstack/react-query';
import { Link, useNavigate } from '@tanstack/react-router';
import { data } from '@xai-qc/client';
import { useMemo } from 'react';
import { api } from '../../app/api.ts';
import { BarChart } from '../../shared/charts/BarChart.tsx';
import { CHART_COLORS } from '../../shared/charts/chart-frame.tsx';
import { ConfusionMatrix } from '../../shared/charts/ConfusionMatrix.tsx';
import { LineChart } from '../../shared/charts/LineChart.tsx';
import { duration, percent } from '../../shared/lib/format.ts';
import { ExportReportButton } from '../../shared/report/ExportReportButton.tsx';
import { buttonVariants } from '../../shared/ui/button.tsx';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '../../shared/ui/card.tsx';
import { Field, Input, Select } from '../../shared/ui/form.tsx';
import { EmptyState, ErrorMessage, PageHeader, Skeleton } from '../../shared/ui/states.tsx';
import { Table, Td, Th } from '../../shared/ui/table.tsx';
import { bucketKeys, addDays, dayOf, metricsQuery, resolveMetricsSearch } from './metrics-search.ts';
import type { MetricsSearch } from './metrics-search.ts';
import { bucketLabel, dashboardSeries, honestRates } from './metrics-series.ts';
import { ModelVersionPicker } from './ModelVersionPicker.tsx';
import { StatTile } from './StatTile.tsx';
import { metricsRoute } from './route.ts';

const PRESETS = [7, 30, 90] as const;
const pct = (v: number) => `${Math.round(v * 100)} %`;

/** The dashboard page. */
export default function MetricsPage() {
  const search = metricsRoute.useSearch();
  const navigate = useNavigate({ from: metricsRoute.fullPath });
  const s = resolveMetricsSearch(search);
  const set = (patch: Partial<MetricsSearch>) => void navigate({ search: (prev: MetricsSearch) => ({ ...prev, ...patch }), replace: true });

  const query = metricsQuery(s);
  const metrics = useQuery({
    queryKey: ['metrics', query],
    queryFn: ({ signal }) => data(api.GET('/api/xai-qc/metrics', { params: { query }, signal })),
    placeholderData: (prev) => prev,
  });
  const byVersionQuery = metricsQuery(s, 'version');
  const byVersion = useQuery({
    queryKey: ['metrics', byVersionQuery],
    queryFn: ({ signal }) => data(api.GET('/api/xai-qc/metrics', { params: { query: byVersionQuery }, signal })),
    placeholderData: (prev) => prev,
  });

  const { from, to, group } = s;
  const keys = useMemo(() => bucketKeys({ from, to, group }), [from, to, group]);
  const series = useMemo(() => dashboardSeries(keys, metrics.data?.groups ?? []), [keys, metrics.data]);
  const overall = metrics.data?.overall;
  const rates = honestRates(overall);
  const cls = overall?.classification;
  const xLabel = s.group === 'week' ? 'week (UTC, from Monday)' : 'day (UTC)';
  const xFormat = (k: string) => bucketLabel(k, s.group);
  const scopeText = `${s.model ? `${s.model}${s.version ? `@${s.version}` : ''}` : 'all models'}, ${s.from} to ${s.to} (UTC)`;
  const reviewedNote = (_k: string, i: number) => `${series.reviewed[i]} reviewed`;

  return (
    <div className="flex flex-col gap-4">
      <PageHeader
        title="Metrics"
        description="How the model's decisions compare with the reviewers' ground truth. Defect (reject) is the positive class."
        actions={<ExportReportButton filters={{ ...querySubset(query), ...(s.model ? { model: s.model } : {}), ...(s.version ? { version: s.version } : {}) }} defaultTitle="Quality report" scope={`Figures and inspections of ${scopeText}.`} />}
      />

      <Card>
        <CardContent className="flex flex-col gap-3 pt-4">
          <div className="flex flex-wrap items-end gap-3">
            <Field label="From (UTC)">{(p) => <Input {...p} type="date" value={s.from} max={s.to} onChange={(e) => e.target.value && set({ from: e.target.value })} />}</Field>
            <Field label="To (UTC, included)">{(p) => <Input {...p} type="date" value={s.to} min={s.from} onChange={(e) => e.target.value && set({ to: e.target.value })} />}</Field>
            <div className="flex gap-1" role="group" aria-label="Quick ranges">
              {PRESETS.map((n) => {
                const to = dayOf(new Date());
                const from = addDays(to, -(n - 1));
                const active = s.from === from && s.to === to;
                return (
                  <button
                    key={n}
                    type="button"
                    aria-pressed={active}
                    className={buttonVariants({ variant: active ? 'secondary' : 'ghost', size: 'default' })}
                    onClick={() => set({ from, to, group: undefined })}
                  >
                    {n} days
                  </button>
                );
              })}
            </div>
            <Field label="Per">
              {(p) => (
                <Select {...p} value={s.group} onChange={(e) => set({ group: e.target.value as 'day' | 'week' })}>
                  <option value="day">Day</option>
                  <option value="week">Week</option>
                </Select>
              )}
            </Field>
          </div>
          <div className="flex flex-wrap items-end gap-3">
            <ModelVersionPicker allowAll model={s.model} version={s.version} onChange={(v) => set({ model: v.model, version: v.version })} />
          </div>
        </CardContent>
      </Card>

      {metrics.error ? <ErrorMessage error={metrics.error} /> : null}

      {metrics.isPending ? (
        <div className="grid grid-cols-2 gap-3 md:grid-cols-4">
          {Array.from({ length: 8 }, (_, i) => (
            <Skeleton key={i} className="h-24" />
          ))}
        </div>
      ) : overall ? (
        <dl className="grid grid-cols-2 gap-3 md:grid-cols-4" aria-label="Headline figures" aria-busy={metrics.isFetching}>
          <StatTile label="Inspections" value={overall.volume} testId="stat-volume" sub={overall.volume ? `${percent(overall.referralRate)} referred to review` : 'none in this range'} />
          <StatTile label="Reviewed" value={overall.reviewed} testId="stat-reviewed" sub={overall.volume ? `${percent(overall.reviewCoverage)} of inspections` : 'no inspections'} />
          <StatTile label="Escape rate" value={percent(rates.escapeRate)} testId="stat-escape" tone={rates.escapeRate === null ? undefined : rates.escapeRate > 0.05 ? 'bad' : 'good'} sub={`defects passed, of ${rates.defects} reviewed defects`} />
          <StatTile label="False-reject rate" value={percent(rates.falseRejectRate)} testId="stat-false-reject" tone={rates.falseRejectRate === null ? undefined : rates.falseRejectRate > 0.1 ? 'warn' : undefined} sub={`good parts rejected, of ${rates.goods} reviewed good`} />
          <StatTile label="Precision" value={percent(rates.precision)} testId="stat-precision" sub={cls ? `of ${cls.tp + cls.fp} rejects reviewed` : 'no reviews'} />
          <StatTile label="Recall" value={percent(rates.recall)} testId="stat-recall" sub={`of ${rates.defects} reviewed defects`} />
          <StatTile label="AUROC" value={rates.auroc === null ? '\u2013' : rates.auroc.toFixed(3)} testId="stat-auroc" sub={rates.auroc === null ? 'needs reviewed good and defective parts' : '0.5 is chance, 1 is perfect ranking'} />
          <StatTile label="Latency (median)" value={duration(overall.latencyMs?.p50)} sub={overall.latencyMs ? `p90 ${duration(overall.latencyMs.p90)}, p99 ${duration(overall.latencyMs.p99)}` : 'no inspections'} />
        </dl>
      ) : null}

      {overall && overall.volume === 0 ? (
        <EmptyState title="No inspections in this range">
          <p>
            Inspect parts on the <Link to="/inspect" className="underline">Inspect page</Link>, or widen the range or choose another model above.
          </p>
        </EmptyState>
      ) : null}

      {overall && overall.volume > 0 ? (
        <div className="grid gap-4 lg:grid-cols-2">
          <Card>
            <CardHeader>
              <CardTitle>Volume</CardTitle>
              <CardDescription>Inspections per {s.group}, and how many of them were reviewed.</CardDescription>
            </CardHeader>
            <CardContent>
              <BarChart
                title="Inspections and reviews"
                keys={keys}
                xFormat={xFormat}
                xLabel={xLabel}
                yLabel="inspections"
                series={[
                  { id: 'volume', label: 'Inspections', color: CHART_COLORS.primary, values: series.volume },
                  { id: 'reviewed', label: 'of which reviewed', color: CHART_COLORS.violet, values: series.reviewed },
                ]}
              />
            </CardContent>
          </Card>
          {series.anyReviewed ? (
            <>
              <Card>
                <CardHeader>
                  <CardTitle>Escape and false-reject rates</CardTitle>
                  <CardDescription>Escapes: defects passed, of reviewed defects. False rejects: good parts rejected, of reviewed good parts. Lower is better; gaps mean nothing to measure.</CardDescription>
                </CardHeader>
                <CardContent>
                  <LineChart
                    title="Escape and false-reject rates"
                    keys={keys}
                    xFormat={xFormat}
                    xLabel={xLabel}
                    yLabel="rate"
                    yDomain={[0, 1]}
                    yFormat={pct}
                    note={reviewedNote}
                    noteLabel="Reviewed"
                    series={[
                      { id: 'escape', label: 'Escape rate', color: CHART_COLORS.bad, values: series.escapeRate },
                      { id: 'fr', label: 'False-reject rate', color: CHART_COLORS.warn, values: series.falseRejectRate },
                    ]}
                  />
                </CardContent>
              </Card>
              <Card>
                <CardHeader>
                  <CardTitle>Precision and recall</CardTitle>
                  <CardDescription>Precision: rejects that were defects. Recall: defects that were rejected. Higher is better.</CardDescription>
                </CardHeader>
                <CardContent>
                  <LineChart
                    title="Precision and recall"
                    keys={keys}
                    xFormat={xFormat}
                    xLabel={xLabel}
                    yLabel="rate"
                    yDomain={[0, 1]}
                    yFormat={pct}
                    note={reviewedNote}
                    noteLabel="Reviewed"
                    series={[
                      { id: 'precision', label: 'Precision', color: CHART_COLORS.primary, values: series.precision },
                      { id: 'recall', label: 'Recall', color: CHART_COLORS.good, values: series.recall },
                    ]}
                  />
                </CardContent>
              </Card>
              <Card>
                <CardHeader>
                  <CardTitle>AUROC</CardTitle>
                  <CardDescription>How well the defect score ranks defects above good parts, whatever the threshold: 0.5 is chance, 1 is perfect. Needs both classes reviewed in the {s.group}.</CardDescription>
                </CardHeader>
                <CardContent>
                  <LineChart
                    title="AUROC of the defect score"
                    keys={keys}
                    xFormat={xFormat}
                    xLabel={xLabel}
                    yLabel="AUROC"
                    yDomain={[0, 1]}
                    yFormat={(v) => v.toFixed(2)}
                    note={reviewedNote}
                    noteLabel="Reviewed"
                    series={[{ id: 'auroc', label: 'AUROC', color: CHART_COLORS.violet, values: series.auroc }]}
                  />
                </CardContent>
              </Card>
            </>
          ) : (
            <EmptyState title="No reviews yet">
              <p>
                Escape and false-reject rates, precision, recall and AUROC need ground truth. Review some inspections in the{' '}
                <Link to="/reviews" className="underline">Review queue</Link> and they appear here.
              </p>
            </EmptyState>
          )}
        </div>
      ) : null}

      {overall && overall.volume > 0 ? (
        <div className="grid gap-4 2xl:grid-cols-[minmax(0,2fr)_minmax(0,3fr)]">
          <Card>
            <CardHeader>
              <CardTitle>Confusion matrix</CardTitle>
              <CardDescription>Reviewed inspections of the whole range.</CardDescription>
            </CardHeader>
            <CardContent>
              {cls ? (
                <ConfusionMatrix className="max-w-2xl" counts={cls} caption={`${cls.tp + cls.fp + cls.tn + cls.fn} reviewed inspections, ${scopeText}. Rows: the reviewers' truth; columns: the model's verdict.`} />
              ) : (
                <p className="text-sm text-muted-foreground">No reviewed inspections in this range yet.</p>
              )}
            </CardContent>
          </Card>
          <Card>
            <CardHeader>
              <CardTitle>Per model version</CardTitle>
              <CardDescription>The same figures for each version that inspected parts in the range.</CardDescription>
            </CardHeader>
            <CardContent>
              {byVersion.error ? <ErrorMessage error={byVersion.error} /> : null}
              {byVersion.isPending ? <Skeleton className="h-24" /> : null}
              {byVersion.data ? (
                <Table>
                  <caption className="sr-only">Figures per model version</caption>
                  <thead>
                    <tr>
                      <Th>Version</Th>
                      <Th className="text-right">Inspections</Th>
                      <Th className="text-right">Reviewed</Th>
                      <Th className="text-right">Escape</Th>
                      <Th className="text-right">False reject</Th>
                      <Th className="text-right">Precision</Th>
                      <Th className="text-right">Recall</Th>
                      <Th className="text-right">AUROC</Th>
                    </tr>
                  </thead>
                  <tbody>
                    {byVersion.data.groups.map((g) => {
                      const r = honestRates(g);
                      const [model, version] = splitKey(g.key);
                      return (
                        <tr key={g.key}>
                          <Td>
                            <button type="button" className="text-left underline-offset-2 hover:underline" onClick={() => set({ model, version })} title="Show only this version">
                              {g.key}
                            </button>
                          </Td>
                          <Td className="text-right tabular-nums">{g.volume}</Td>
                          <Td className="text-right tabular-nums">{g.reviewed}</Td>
                          <Td className="text-right tabular-nums">{percent(r.escapeRate)}</Td>
                          <Td className="text-right tabular-nums">{percent(r.falseRejectRate)}</Td>
                          <Td className="text-right tabular-nums">{percent(r.precision)}</Td>
                          <Td className="text-right tabular-nums">{percent(r.recall)}</Td>
                          <Td className="text-right tabular-nums">{r.auroc === null ? '\u2013' : r.auroc.toFixed(3)}</Td>
                        </tr>
                      );
                    })}
                  </tbody>
                </Table>
              ) : null}
            </CardContent>
          </Card>
        </div>
      ) : null}
    </div>
  );
}

function querySubset(q: { from: string; to: string }): { from: string; to: string } {
  return { from: q.from, to: q.to };
}

function splitKey(key: string): [string, string | undefined] {
  const at = key.lastIndexOf('@');
  return at <= 0 ? [key, undefined] : [key.slice(0, at), key.slice(at + 1)];
}
