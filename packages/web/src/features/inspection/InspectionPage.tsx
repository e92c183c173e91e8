/**
 * One inspection at `/inspections/$inspectionId`: the image viewer with every layer, the
 * verdict, the findings, the model and version and the time, then the trust panel, the
 * explanation viewer and, for anomaly models, the four anomaly answers (built in
 * features/explanations). "Show on image" in the explanation viewer turns the viewer's
 * heatmap layer to that method.
 */
import { useQuery } from '@tanstack/react-query';
import { getRouteApi, Link } from '@tanstack/react-router';
import type { components } from '@xai-qc/client';
import { ArrowLeft } from 'lucide-react';
import { useCallback } from 'react';
import type { ReactNode } from 'react';
import { api } from '../../app/api.ts';
import { cn } from '../../shared/lib/cn.ts';
import { dateTime, duration, num, percent } from '../../shared/lib/format.ts';
import { Badge } from '../../shared/ui/badge.tsx';
import { buttonVariants } from '../../shared/ui/button.tsx';
import { Card, CardContent, CardHeader, CardTitle } from '../../shared/ui/card.tsx';
import { ErrorMessage, PageHeader, Skeleton } from '../../shared/ui/states.tsx';
import { classColor, ImageViewer, requestHeatmap } from '../../shared/viewer/index.ts';
import { AskPanel } from '../ask/index.ts';
import { AnomalyAnswers, ExplanationPanel, TrustPanel } from '../explanations/index.ts';

type Inspection = components['schemas']['Inspection'];

const route = getRouteApi('/app/inspections/$inspectionId');
const VIEWER_KEY = 'inspection';

function Row({ term, children }: { term: string; children: ReactNode }) {
  return (
    <div className="flex justify-between gap-3 border-b py-1.5 last:border-b-0">
      <dt className="text-muted-foreground">{term}</dt>
      <dd className="min-w-0 truncate text-right">{children}</dd>
    </div>
  );
}

function Summary({ inspection: r }: { inspection: Inspection }) {
  return (
    <Card data-testid="inspection-summary">
      <CardHeader className="flex-row items-center justify-between gap-2">
        <CardTitle>Verdict</CardTitle>
        <span className="text-base">{r.verdict === 'reject' ? <Badge variant="bad">Reject</Badge> : <Badge variant="good">Pass</Badge>}</span>
      </CardHeader>
      <CardContent>
        <dl className="text-sm">
          <Row term="Class">
            <span className="font-medium">{r.label}</span> <span className="tabular-nums text-muted-foreground">{percent(r.score)}</span>
          </Row>
          <Row term={r.model.task === 'anomaly' ? 'Anomaly score' : 'Defect score'}>
            <span className="tabular-nums">{num(r.defectScore)}</span>
          </Row>
          <Row term="Review">{r.referred ? <Badge variant="warn">Sent to review</Badge> : 'Not needed'}</Row>
          <Row term="Model">
            <Link to="/models" className="text-primary underline-offset-4 hover:underline">
              {r.model.name}
            </Link>{' '}
            <span className="text-muted-foreground">{r.model.version}</span>
          </Row>
          <Row term="Inspected">
            <time dateTime={r.createdAt}>{dateTime(r.createdAt)}</time>
          </Row>
          <Row term="By">{r.createdBy}</Row>
          <Row term="Time taken">{duration(r.latency.totalMs)}</Row>
          <Row term="Image">
            <span title={r.image.name ?? undefined}>
              {r.image.width} x {r.image.height} {r.image.mediaType.replace('image/', '').toUpperCase()}
            </span>
          </Row>
        </dl>
      </CardContent>
    </Card>
  );
}

function Findings({ inspection: r }: { inspection: Inspection }) {
  return (
    <Card data-testid="inspection-findings">
      <CardHeader>
        <CardTitle>Findings</CardTitle>
      </CardHeader>
      <CardContent>
        {r.findings.length === 0 ? (
          <p className="text-sm text-muted-foreground">{r.model.task === 'classify' ? 'Classifiers judge the whole image; see the class probabilities below.' : 'No defect region was found.'}</p>
        ) : (
          <ul className="flex flex-col gap-1.5 text-sm">
            {r.findings.map((f, i) => (
              <li key={i} className="flex items-center gap-2">
                <span className="size-3 shrink-0 rounded-sm" style={{ background: classColor(f.classIndex) }} aria-hidden="true" />
                <span className="font-medium">{f.label}</span>
                <span className="tabular-nums text-muted-foreground">{percent(f.score)}</span>
                <Badge variant={f.severity === 'critical' ? 'bad' : f.severity === 'major' ? 'warn' : 'secondary'} className="ml-auto">
                  {f.severity}
                </Badge>
                {f.area !== undefined ? <span className="w-20 text-right text-xs tabular-nums text-muted-foreground">{f.area} px</span> : null}
              </li>
            ))}
          </ul>
        )}
        {r.labels.length > 1 ? (
          <div className="mt-3 flex flex-col gap-1" aria-label="Class probabilities" role="group">
            {r.labels.map((l, i) => (
              <div key={l} className="grid grid-cols-[6rem_1fr_3.5rem] items-center gap-2 text-xs">
                <span className="truncate">{l}</span>
                <span className="h-2 overflow-hidden rounded-full bg-secondary" aria-hidden="true">
                  <span className="block h-full bg-primary" style={{ width: `${(r.probabilities[i] ?? 0) * 100}%` }} />
                </span>
                <span className="text-right tabular-nums">{percent(r.probabilities[i])}</span>
              </div>
            ))}
          </div>
        ) : null}
      </CardContent>
    </Card>
  );
}

/** Inspection. */
export default function InspectionPage() {
  const { inspectionId } = route.useParams();
  const q = useQuery({
    queryKey: ['inspection', inspectionId],
    queryFn: async ({ signal }) => {
      const { data, error } = await api.GET('/api/xai-qc/inspections/{id}', { params: { path: { id: inspectionId } }, signal });
      if (error) throw error;
      return data as Inspection;
    },
  });
  const showHeatmap = useCallback((explanationId: string) => {
    requestHeatmap(VIEWER_KEY, explanationId);
    document.querySelector('[data-testid="image-viewer"]')?.scrollIntoView({ block: 'nearest', behavior: 'smooth' });
  }, []);
  const r = q.data;
  const back = (
    <Link to="/history" className={cn(buttonVariants({ variant: 'outline' }))}>
      <ArrowLeft aria-hidden="true" />
      History
    </Link>
  );

  if (q.isError) {
    return (
      <>
        <PageHeader title="Inspection" actions={back} />
        <ErrorMessage error={q.error} />
      </>
    );
  }

  return (
    <>
      <PageHeader
        title={r ? `Inspection of ${r.image.name ?? 'an image'}` : 'Inspection'}
        description={r ? `${r.model.name} ${r.model.version} \u00b7 ${dateTime(r.createdAt)}` : 'Loading\u2026'}
        actions={back}
      />
      {!r ? (
        <div className="grid gap-4 xl:grid-cols-[minmax(0,1fr)_22rem]" aria-busy="true">
          <Skeleton className="h-[clamp(18rem,calc(100dvh-22rem),52rem)]" />
          <div className="flex flex-col gap-4">
            <Skeleton className="h-64" />
            <Skeleton className="h-40" />
          </div>
        </div>
      ) : (
        <div className="flex flex-col gap-4">
          <div className="grid min-w-0 items-start gap-4 xl:grid-cols-[minmax(0,1fr)_22rem]">
            <ImageViewer inspection={r} stateKey={VIEWER_KEY} noHeatmapHint="No explanation yet. Compute one in Explanations below; its heatmap then shows here." />
            <div className="grid min-w-0 items-start gap-4 md:grid-cols-2 xl:grid-cols-1">
              <Summary inspection={r} />
              <Findings inspection={r} />
            </div>
          </div>
          <AskPanel inspection={r} viewerKey={VIEWER_KEY} />
          <TrustPanel inspection={r} />
          <ExplanationPanel inspection={r} onShowHeatmap={showHeatmap} />
          {r.model.task === 'anomaly' || r.anomaly ? <AnomalyAnswers inspection={r} /> : null}
        </div>
      )}
    </>
  );
}
