/**
 * Threshold tuning (`/thresholds`, engineers): the defect-score histograms of reviewed good
 * and defective parts with a draggable reject threshold; precision, recall, F1, escape and
 * false-reject rates follow it live (computed here, exactly, from the server's curve:
 * thresholds-math.ts); the F1-optimal threshold is suggested; a chosen threshold is saved as a
 * new, inactive version of the model.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useNavigate } from '@tanstack/react-router';
import { data } from '@xai-qc/client';
import type { paths } from '@xai-qc/client';
import { Save, Sparkles, Undo2 } from 'lucide-react';
import { useMemo, useState } from 'react';
import { api } from '../../app/api.ts';
import { CHART_COLORS } from '../../shared/charts/chart-frame.tsx';
import { ConfusionMatrix } from '../../shared/charts/ConfusionMatrix.tsx';
import { HistogramChart } from '../../shared/charts/HistogramChart.tsx';
import { percent } from '../../shared/lib/format.ts';
import { cn } from '../../shared/lib/cn.ts';
import { Button } from '../../shared/ui/button.tsx';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '../../shared/ui/card.tsx';
import { Field, Input } from '../../shared/ui/form.tsx';
import { EmptyState, ErrorMessage, PageHeader, Skeleton } from '../../shared/ui/states.tsx';
import { toast } from '../../shared/ui/toast.tsx';
import type { CalibrationSearch } from '../calibration/route.ts';
import { apiRange } from '../metrics/metrics-search.ts';
import { ModelVersionPicker, useModelDetail, useModels, usePreferredModel } from '../metrics/ModelVersionPicker.tsx';
import { thresholdsRoute } from './route.ts';
import { f1Optimal, figuresAt, prepareCurve } from './thresholds-math.ts';
import type { ThresholdFigures } from './thresholds-math.ts';

type Report = paths['/api/xai-qc/models/{model}/versions/{version}/thresholds']['get']['responses'][200]['content']['application/json'];

function rangeQuery(s: CalibrationSearch): { from?: string; to?: string } {
  const r = apiRange({ from: s.from ?? '1970-01-01', to: s.to ?? '9999-12-30' });
  return { ...(s.from ? { from: r.from } : {}), ...(s.to ? { to: r.to } : {}) };
}

/** The threshold page. */
export default function ThresholdsPage() {
  const search = thresholdsRoute.useSearch();
  const navigate = useNavigate({ from: thresholdsRoute.fullPath });
  const set = (patch: Partial<CalibrationSearch>) => void navigate({ search: (prev: CalibrationSearch) => ({ ...prev, ...patch }), replace: true });
  const models = useModels();
  const items = models.data?.items ?? [];
  const preferred = usePreferredModel();
  const model = search.model ?? preferred.name;
  const detail = useModelDetail(model);
  const version = search.version ?? detail.data?.model.activeVersion ?? undefined;
  const range = rangeQuery(search);
  const report = useQuery({
    queryKey: ['models', model, 'thresholds', version, range],
    enabled: !!model && !!version,
    queryFn: ({ signal }) => data(api.GET('/api/xai-qc/models/{model}/versions/{version}/thresholds', { params: { path: { model: model!, version: version! }, query: range }, signal })),
  });

  return (
    <div className="flex flex-col gap-4">
      <PageHeader title="Thresholds" description="Where to draw the line between pass and reject, judged on reviewed parts. Saving makes a new version; nothing changes until it is activated." />
      <Card>
        <CardContent className="flex flex-wrap items-end gap-3 pt-4">
          <ModelVersionPicker model={model} version={search.version} onChange={(v) => set({ model: v.model, version: v.version })} />
          <Field label="Reviews from (UTC)">{(p) => <Input {...p} type="date" value={search.from ?? ''} max={search.to} onChange={(e) => set({ from: e.target.value || undefined })} />}</Field>
          <Field label="Reviews to (UTC, included)">{(p) => <Input {...p} type="date" value={search.to ?? ''} min={search.from} onChange={(e) => set({ to: e.target.value || undefined })} />}</Field>
        </CardContent>
      </Card>
      {models.error ? <ErrorMessage error={models.error} /> : null}
      {detail.error ? <ErrorMessage error={detail.error} /> : null}
      {report.error ? <ErrorMessage error={report.error} /> : null}
      {models.data && items.length === 0 ? (
        <EmptyState title="No models yet">
          <p>
            Upload a model on the <Link to="/models" className="underline">Models page</Link> first.
          </p>
        </EmptyState>
      ) : null}
      {model && detail.data && !version ? (
        <EmptyState title="This model has no active version">
          <p>Choose a version above, or activate one on the <Link to="/models" className="underline">Models page</Link>.</p>
        </EmptyState>
      ) : null}
      {(report.isPending && version) || (!search.model && preferred.pending) ? <Skeleton className="h-96" /> : null}
      {report.data ? <Tuner key={`${report.data.versionId}:${report.data.range.from}:${report.data.range.to}`} report={report.data} /> : null}
    </div>
  );
}

function Figure({ label, value, was, testId, lowerIsBetter }: { label: string; value: number | null; was: number | null; testId: string; lowerIsBetter?: boolean }) {
  const delta = value !== null && was !== null ? value - was : null;
  const better = delta === null || Math.abs(delta) < 1e-12 ? null : lowerIsBetter ? delta < 0 : delta > 0;
  return (
    <div className="flex flex-col rounded-md border p-2">
      <dt className="text-xs text-muted-foreground">{label}</dt>
      <dd className="text-xl font-semibold tabular-nums" data-testid={testId}>
        {percent(value)}
      </dd>
      <dd className={cn('text-xs tabular-nums text-muted-foreground', better === true && 'text-success', better === false && 'text-destructive')}>
        {delta === null ? 'current: ' + percent(was) : Math.abs(delta) < 1e-12 ? 'same as current' : `${delta > 0 ? '+' : '\u2212'}${(Math.abs(delta) * 100).toFixed(1)} pts vs current`}
      </dd>
    </div>
  );
}

function Tuner({ report }: { report: Report }) {
  const queryClient = useQueryClient();
  const curve = useMemo(() => prepareCurve(report.points), [report.points]);
  const best = useMemo(() => f1Optimal(curve), [curve]);
  const current = report.current.threshold ?? 0.5;
  const [threshold, setThreshold] = useState(current);
  const [note, setNote] = useState('');
  const at: ThresholdFigures = figuresAt(curve, threshold);
  const was: ThresholdFigures = figuresAt(curve, current);
  const save = useMutation({
    mutationFn: () => data(api.POST('/api/xai-qc/models/{model}/versions/{version}/thresholds', { params: { path: { model: report.model, version: report.version } }, body: { threshold, ...(note.trim() ? { note: note.trim() } : {}) } })),
    onSuccess: (v) => {
      void queryClient.invalidateQueries({ queryKey: ['models'] });
      toast('Threshold saved', { description: `New version ${v.modelName}@${v.version} (not active).`, tone: 'success' });
    },
  });
  const fmt = (t: number) => t.toFixed(Number.isInteger(t * 100) ? 2 : 3);

  if (report.reviewed === 0) {
    return (
      <EmptyState title="No reviewed inspections of this version">
        <p>
          Thresholds are judged against the reviewers' truth. Review inspections of {report.model}@{report.version} in the <Link to="/reviews" className="underline">Review queue</Link>, then come back.
        </p>
      </EmptyState>
    );
  }

  return (
    <div className="grid items-start gap-4 xl:grid-cols-[minmax(0,3fr)_minmax(0,2fr)]">
      <Card className="xl:sticky xl:top-4">
        <CardHeader>
          <CardTitle>Defect scores of reviewed parts</CardTitle>
          <CardDescription>
            {report.reviewed} reviewed inspections of {report.model}@{report.version}: {report.defects} defective, {report.reviewed - report.defects} good. Parts at or above the threshold are rejected. Drag the line, or focus it and use the arrow keys (Shift for bigger steps).
          </CardDescription>
        </CardHeader>
        <CardContent>
          <HistogramChart
            title={`Defect-score histograms of ${report.model}@${report.version}`}
            thresholdLabel="Reject threshold"
            edges={report.histogram.edges}
            series={[
              { id: 'good', label: `Good (${report.reviewed - report.defects})`, color: CHART_COLORS.good, counts: report.histogram.good },
              { id: 'defect', label: `Defect (${report.defects})`, color: CHART_COLORS.bad, counts: report.histogram.defect },
            ]}
            threshold={threshold}
            onThresholdChange={setThreshold}
            xLabel="defect score"
            yLabel="parts"
            markers={[
              { value: current, label: `Current (${fmt(current)})`, color: CHART_COLORS.muted },
              ...(best ? [{ value: best.threshold, label: `F1-optimal (${fmt(best.threshold)})`, color: CHART_COLORS.violet }] : []),
            ]}
          />
        </CardContent>
      </Card>
      <div className="flex flex-col gap-4">
        <Card>
          <CardHeader>
            <CardTitle>
              At a threshold of <span data-testid="thr-value" className="tabular-nums">{fmt(threshold)}</span>
            </CardTitle>
            <CardDescription aria-live="polite">
              {at.tp + at.fp} of {report.reviewed} reviewed parts would be rejected ({percent(at.rejectRate)}).
            </CardDescription>
          </CardHeader>
          <CardContent className="flex flex-col gap-3">
            <dl className="grid grid-cols-2 gap-2 sm:grid-cols-3 xl:grid-cols-2 2xl:grid-cols-3">
              <Figure label="Escape rate" value={at.escapeRate} was={was.escapeRate} testId="thr-escape" lowerIsBetter />
              <Figure label="False-reject rate" value={at.falseRejectRate} was={was.falseRejectRate} testId="thr-false-reject" lowerIsBetter />
              <Figure label="F1" value={at.f1} was={was.f1} testId="thr-f1" />
              <Figure label="Precision" value={at.precision} was={was.precision} testId="thr-precision" />
              <Figure label="Recall" value={at.recall} was={was.recall} testId="thr-recall" />
            </dl>
            <div className="flex flex-wrap gap-2">
              {best ? (
                <Button variant="secondary" onClick={() => setThreshold(best.threshold)} disabled={best.threshold === threshold}>
                  <Sparkles aria-hidden="true" />
                  Use F1-optimal ({fmt(best.threshold)}, F1 {percent(best.f1)})
                </Button>
              ) : (
                <p className="text-sm text-muted-foreground">No F1-optimal suggestion: no defect has been reviewed yet.</p>
              )}
              <Button variant="ghost" onClick={() => setThreshold(current)} disabled={threshold === current}>
                <Undo2 aria-hidden="true" />
                Back to current ({fmt(current)})
              </Button>
            </div>
          </CardContent>
        </Card>
        <Card>
          <CardHeader>
            <CardTitle>At this threshold</CardTitle>
          </CardHeader>
          <CardContent>
            <ConfusionMatrix counts={at} caption={`Reviewed parts at a threshold of ${fmt(threshold)}. Rows: the reviewers' truth; columns: the verdict at this threshold.`} />
          </CardContent>
        </Card>
        <Card>
          <CardHeader>
            <CardTitle>Save as a new version</CardTitle>
            <CardDescription>Registers {report.model} with this threshold as a new version; the active version stays until you activate the new one on the Models page.</CardDescription>
          </CardHeader>
          <CardContent>
            <form
              className="flex flex-col gap-3"
              onSubmit={(e) => {
                e.preventDefault();
                save.mutate();
              }}
            >
              <Field label="Note (optional)" hint="Why this threshold: kept with the version.">
                {(p) => <Input {...p} value={note} maxLength={500} onChange={(e) => setNote(e.target.value)} />}
              </Field>
              {save.error ? <ErrorMessage error={save.error} /> : null}
              {save.data ? (
                <p className="text-sm" role="status">
                  Saved as version <strong>{save.data.version}</strong> (not active). Activate it on the <Link to="/models" className="underline">Models page</Link>.
                </p>
              ) : null}
              <div>
                <Button type="submit" disabled={save.isPending || threshold === current}>
                  <Save aria-hidden="true" />
                  {save.isPending ? 'Saving' : `Save threshold ${fmt(threshold)}`}
                </Button>
                {threshold === current ? <p className="mt-1 text-xs text-muted-foreground">Move the threshold away from the current one to save a new version.</p> : null}
              </div>
            </form>
          </CardContent>
        </Card>
      </div>
    </div>
  );
}
