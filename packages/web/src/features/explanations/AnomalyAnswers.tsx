import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { data } from '@xai-qc/client';
import type { components } from '@xai-qc/client';
import { useEffect } from 'react';
import type { ReactNode } from 'react';
import { api } from '../../app/api.ts';
import { dateTime, duration, percent } from '../../shared/lib/format.ts';
import { useApiBlobUrl } from '../../shared/lib/use-api-blob.ts';
import { Badge } from '../../shared/ui/badge.tsx';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '../../shared/ui/card.tsx';
import { EmptyState, ErrorMessage, Skeleton } from '../../shared/ui/states.tsx';
import { JobProgress } from './JobProgress.tsx';
import { HeatmapImage } from './MethodView.tsx';
import { ReadingList } from './Readings.tsx';
import { anomalyWhereReadings, surrogateFitReading } from './anomaly-hints.ts';
import type { Inspection } from './types.ts';
import { isFinished, useJob } from './use-explanations.ts';
import { WaterfallChart } from './WaterfallChart.tsx';

type Answers = components['schemas']['AnomalyAnswers'];
type Similar = NonNullable<Answers['what']>['items'][number];

/** Props of {@link AnomalyAnswers}. */
export interface AnomalyAnswersProps {
  /** The inspection (of an anomaly model) whose four answers are shown. */
  inspection: Inspection;
}

/**
 * The four answers of an anomaly inspection (`GET /inspections/{id}/anomaly`): where (the
 * anomaly map and its statistics), which (Grad-CAM++ of the score), why (the feature
 * waterfall, drawn here from the JSON) and what (similar past inspections with their
 * verdicts and reviews). Renders nothing for other models.
 */
export function AnomalyAnswers({ inspection }: AnomalyAnswersProps) {
  const isAnomaly = inspection.model.task === 'anomaly';
  const answers = useQuery({
    queryKey: ['anomaly-answers', inspection.id],
    enabled: isAnomaly,
    staleTime: 60_000,
    queryFn: ({ signal }) => data(api.GET('/api/xai-qc/inspections/{id}/anomaly', { params: { path: { id: inspection.id }, query: { k: 6 } }, signal })),
  });
  if (!isAnomaly) return null;
  const a = answers.data;
  return (
    <Card data-testid="anomaly-answers">
      <CardHeader>
        <CardTitle>{inspection.verdict === 'reject' ? 'Why is this part anomalous?' : 'Why does this part look normal?'}</CardTitle>
        <CardDescription>Four answers: where the part differs from good parts, which areas drove the score, why the score is what it is, and what similar parts were.</CardDescription>
      </CardHeader>
      <CardContent>
        {answers.error ? <ErrorMessage error={answers.error} /> : null}
        <div className="grid gap-4 xl:grid-cols-2">
          <Section title="Where" question="Where does the part differ from the good parts?" testId="answer-where">
            {a?.where ? <Where where={a.where} /> : answers.isPending ? <Skeleton className="aspect-square w-full max-w-64" /> : <p className="text-sm text-muted-foreground">No anomaly map is stored for this inspection.</p>}
          </Section>
          <Section title="Which" question="Which areas drove the score? (Grad-CAM++)" testId="answer-which">
            {a?.which ? <Which which={a.which} inspectionId={inspection.id} /> : answers.isPending ? <Skeleton className="aspect-square w-full max-w-64" /> : null}
          </Section>
          <Section title="Why" question="Why is the score what it is?" testId="answer-why" wide>
            {a?.why ? <Why why={a.why} /> : answers.isPending ? <Skeleton className="h-56 w-full" /> : null}
          </Section>
          <Section title="What" question="What were similar parts, and what did people decide?" testId="answer-what" wide>
            {a?.what ? <What what={a.what} /> : answers.isPending ? <Skeleton className="h-32 w-full" /> : null}
          </Section>
        </div>
      </CardContent>
    </Card>
  );
}

function Section({ title, question, testId, wide, children }: { title: string; question: string; testId: string; wide?: boolean; children: ReactNode }) {
  return (
    <section className={wide ? 'flex flex-col gap-2 xl:col-span-2' : 'flex flex-col gap-2'} aria-label={title} data-testid={testId}>
      <h3 className="text-base font-semibold">
        {title}
        <span className="ml-2 text-sm font-normal text-muted-foreground">{question}</span>
      </h3>
      {children}
    </section>
  );
}

function Where({ where }: { where: NonNullable<Answers['where']> }) {
  return (
    <div className="grid gap-3 sm:grid-cols-[minmax(0,14rem)_1fr]">
      <HeatmapImage path={where.links.overlay} alt="Anomaly map over the image: red areas differ most from the good parts" width={where.width} height={where.height} className="aspect-square w-full rounded-md border bg-muted object-contain" />
      <ReadingList readings={anomalyWhereReadings(where)} testId="where-readings" />
    </div>
  );
}

function Which({ which, inspectionId }: { which: NonNullable<Answers['which']>; inspectionId: string }) {
  const qc = useQueryClient();
  const job = useJob(which.status === 'pending' ? which.jobId : undefined);
  const finished = job.data && isFinished(job.data);
  useEffect(() => {
    if (finished) void qc.invalidateQueries({ queryKey: ['anomaly-answers', inspectionId] });
  }, [finished, qc, inspectionId]);
  if (which.status === 'pending') return <JobProgress jobId={which.jobId} label="Grad-CAM++" canCancel={false} />;
  return (
    <div className="grid gap-3 sm:grid-cols-[minmax(0,14rem)_1fr]">
      <HeatmapImage path={which.links.overlay} alt="Grad-CAM++ of the anomaly score over the image" width={which.width} height={which.height} className="aspect-square w-full rounded-md border bg-muted object-contain" />
      <div className="flex flex-col gap-2 text-sm">
        <p className="text-muted-foreground">The areas the network{'\u2019'}s features reacted to when scoring this part ({which.target}).</p>
        {which.degenerate ? <p className="rounded-md border border-warning/40 bg-warning/10 p-2">This map carries no explanation: {which.degenerate}.</p> : null}
        <p className="text-xs text-muted-foreground">Computed in {duration(which.runtimeMs)}.</p>
      </div>
    </div>
  );
}

function Why({ why }: { why: NonNullable<Answers['why']> }) {
  if (why.status === 'insufficient-data') {
    return (
      <EmptyState title="Not enough inspections yet">
        The explanation of the score learns from this model{'\u2019'}s past inspections: it needs {why.needed}, there are {why.available}. Inspect more parts with this model and come back.
      </EmptyState>
    );
  }
  return (
    <div className="flex flex-col gap-3">
      <p className="text-sm text-muted-foreground">
        The anomaly score is {why.score.toFixed(3)}. A simple model of six image features reproduces it as {why.fx.toFixed(3)}: each bar shows how one feature moves it away from a typical part.
      </p>
      <WaterfallChart why={why} className="max-w-3xl" />
      <ReadingList readings={[surrogateFitReading(why.fit)]} testId="why-fit" />
    </div>
  );
}

function What({ what }: { what: NonNullable<Answers['what']> }) {
  if (what.items.length === 0) {
    return (
      <EmptyState title="No similar past parts yet">
        {what.pending > 0 ? `${what.pending} inspections are still being indexed; look again in a moment.` : 'Similar parts appear here once this model has inspected more parts.'}
      </EmptyState>
    );
  }
  return (
    <div className="flex flex-col gap-2">
      <ul className="grid grid-cols-[repeat(auto-fill,minmax(11rem,1fr))] gap-3" aria-label="Similar past parts">
        {what.items.map((s) => (
          <SimilarCase key={s.id} s={s} />
        ))}
      </ul>
      <p className="text-xs text-muted-foreground">
        Most similar first, among {what.indexed} indexed inspections of this model version{what.pending ? ` (${what.pending} still being indexed)` : ''}.
      </p>
    </div>
  );
}

function SimilarCase({ s }: { s: Similar }) {
  const thumb = useApiBlobUrl(`${s.links.thumbnail}?size=128`);
  const review = s.review;
  return (
    <li className="flex flex-col gap-1.5 rounded-md border p-2" data-testid="similar-case">
      <Link to="/inspections/$inspectionId" params={{ inspectionId: s.id }} className="flex flex-col gap-1.5 rounded-sm focus-visible:outline-2 focus-visible:outline-ring">
        {thumb.data ? <img src={thumb.data} alt="" width={128} height={128} className="aspect-square w-full rounded-sm bg-muted object-cover" style={{ imageRendering: 'pixelated' }} /> : <Skeleton className="aspect-square w-full" />}
        <span className="text-sm font-medium underline-offset-2 hover:underline">
          {s.label} {'\u00b7'} {percent(s.similarity, 0)} similar
        </span>
      </Link>
      <div className="flex flex-wrap items-center gap-1.5 text-xs">
        <Badge variant={s.verdict === 'reject' ? 'bad' : 'good'}>{s.verdict}</Badge>
        <span className="font-mono tabular-nums">score {s.score.toFixed(2)}</span>
      </div>
      <p className="text-xs text-muted-foreground">
        {review ? (
          <>
            Reviewed: <span className="font-medium text-foreground">{review.verdict}</span> ({review.decision === 'confirm' ? 'confirmed' : 'overridden'}, {review.label})
          </>
        ) : (
          'Not reviewed'
        )}
      </p>
      <p className="text-xs text-muted-foreground">{dateTime(s.createdAt)}</p>
    </li>
  );
}
