/**
 * Ask about an inspection: a question box with suggested questions, the answer (the short
 * answer first and large, then each evidence line with its citation markers), an "unsure,
 * send to review" notice when the answerer suggests review, helpful / not helpful with an
 * optional correction (verdict, class) and comment, and the inspection's earlier questions.
 *
 * A citation marker opens what it cites below the evidence: an inspection field's value, a
 * finding (framed on the image viewer named by `viewerKey`, or handed to `onFinding`), an
 * explanation's heatmap on that viewer, a similar past case, a knowledge-base passage with
 * its document and source, or the page with the model's figures or card.
 */
import { Link } from '@tanstack/react-router';
import type { components } from '@xai-qc/client';
import { AlertTriangle, BookOpen, ExternalLink, Loader2, MessageSquare, Send, ThumbsDown, ThumbsUp, X } from 'lucide-react';
import { useEffect, useId, useMemo, useRef, useState } from 'react';
import type { FormEvent, ReactNode } from 'react';
import { hasRole, useSession } from '../../app/session.ts';
import { cn } from '../../shared/lib/cn.ts';
import { dateTime, duration, percent } from '../../shared/lib/format.ts';
import { Badge } from '../../shared/ui/badge.tsx';
import { Button, buttonVariants } from '../../shared/ui/button.tsx';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '../../shared/ui/card.tsx';
import { Label, Select, Textarea } from '../../shared/ui/form.tsx';
import { Skeleton, Spinner } from '../../shared/ui/states.tsx';
import { AskErrorMessage } from './AskErrorMessage.tsx';
import { requestHeatmap, viewerStore } from '../../shared/viewer/index.ts';
import { FIT_VIEW } from '../../shared/viewer/viewer-geometry.ts';
import { withLayer } from '../../shared/viewer/viewer-state.ts';
import { checkQuestion, citationKey, evidenceSegments, feedbackBody, fieldValue, INTENT_NAMES, KIND_NAMES, latestFeedback, MAX_QUESTION_LENGTH, revealOf, SUGGESTED_QUESTIONS, viewForBox } from './ask-logic.ts';
import type { FeedbackDraft } from './ask-logic.ts';
import { useAsk, useDocument, useFeedback, useQuestions } from './use-ask.ts';
import type { Citation, FeedbackBody, KnowledgePassage, Question } from './types.ts';

type Inspection = components['schemas']['Inspection'];

/** Props of {@link AskPanel}. */
export interface AskPanelProps {
  /** The inspection asked about. */
  inspection: Inspection;
  /** The image viewer's state key on this page: cited findings are framed and cited heatmaps shown there. */
  viewerKey?: string;
  /** Called with a cited finding's index (null when the citation closes), for pages that draw their own overlay. */
  onFinding?: (index: number | null) => void;
  /** Card title (default "Ask about this inspection"). */
  title?: string;
  className?: string;
}

function scrollToTestId(id: string): void {
  document.querySelector(`[data-testid="${id}"]`)?.scrollIntoView({ block: 'nearest', behavior: 'smooth' });
}

/** Who asked: "You" for the signed-in user, else the subject. */
function askerName(createdBy: string, me: { subject: string; name: string } | undefined): string {
  return me && (createdBy === me.subject || createdBy === me.name) ? 'You' : createdBy;
}

/** The ask panel. */
export function AskPanel({ inspection, viewerKey, onFinding, title = 'Ask about this inspection', className }: AskPanelProps) {
  const questions = useQuestions(inspection.id);
  const ask = useAsk(inspection.id);
  const me = useSession().user;
  const [text, setText] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const inputId = useId();
  const hintId = useId();
  const inputRef = useRef<HTMLTextAreaElement>(null);

  const items = useMemo(() => questions.data ?? [], [questions.data]);
  const selected = items.find((q) => q.id === selectedId) ?? items[items.length - 1];
  const earlier = items.filter((q) => q !== selected).reverse();

  const submit = (raw: string) => {
    const c = checkQuestion(raw);
    if (!c.ok) {
      setProblem(c.reason);
      inputRef.current?.focus();
      return;
    }
    setProblem(null);
    ask.mutate(c.text, {
      onSuccess: (q) => {
        setSelectedId(q.id);
        setText('');
      },
    });
  };
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    submit(text);
  };
  const over = text.trim().length > MAX_QUESTION_LENGTH;

  return (
    <Card className={cn('min-w-0', className)} data-testid="ask-panel">
      <CardHeader>
        <CardTitle className="flex items-center gap-2">
          <MessageSquare className="size-4" aria-hidden="true" />
          {title}
        </CardTitle>
        <CardDescription>Answers come from this inspection&rsquo;s own results and the defect knowledge base; each says what it rests on.</CardDescription>
      </CardHeader>
      <CardContent className="flex flex-col gap-4">
        <form onSubmit={onSubmit} className="flex flex-col gap-2" aria-label="Ask a question">
          <Label htmlFor={inputId}>Your question</Label>
          <div className="flex flex-col gap-2 sm:flex-row sm:items-start">
            <Textarea
              ref={inputRef}
              id={inputId}
              value={text}
              rows={2}
              maxLength={MAX_QUESTION_LENGTH * 2}
              placeholder="For example: where is the defect?"
              aria-invalid={!!problem || over}
              aria-describedby={hintId}
              className="min-h-12 flex-1 text-base"
              onChange={(e) => {
                setText(e.target.value);
                if (problem) setProblem(null);
              }}
              onKeyDown={(e) => {
                if (e.key === 'Enter' && !e.shiftKey) {
                  e.preventDefault();
                  submit(text);
                }
              }}
              data-testid="ask-input"
            />
            <Button type="submit" size="lg" className="h-12 sm:w-32" disabled={ask.isPending}>
              {ask.isPending ? <Loader2 className="animate-spin" aria-hidden="true" /> : <Send aria-hidden="true" />}
              Ask
            </Button>
          </div>
          <p id={hintId} className={cn('text-xs text-muted-foreground', (problem || over) && 'text-destructive')} role={problem ? 'alert' : undefined}>
            {problem ?? (over ? `${text.trim().length.toLocaleString('en')} of ${MAX_QUESTION_LENGTH.toLocaleString('en')} characters: shorten the question.` : 'Enter asks; Shift and Enter starts a new line.')}
          </p>
          <div className="flex flex-wrap gap-2" role="group" aria-label="Suggested questions">
            {SUGGESTED_QUESTIONS.map((s) => (
              <Button key={s} variant="outline" className="h-11 rounded-full" disabled={ask.isPending} onClick={() => submit(s)}>
                {s}
              </Button>
            ))}
          </div>
        </form>

        {ask.isError ? <AskErrorMessage error={ask.error} /> : null}
        {ask.isPending ? <Spinner label="Answering" /> : null}
        {questions.isError ? <AskErrorMessage error={questions.error} /> : null}
        {questions.isPending ? <Skeleton className="h-32" /> : null}

        {selected ? <AnswerView key={selected.id} question={selected} inspection={inspection} viewerKey={viewerKey} onFinding={onFinding} onAsk={(q) => submit(q)} /> : null}
        {questions.isSuccess && items.length === 0 && !ask.isPending ? <p className="text-sm text-muted-foreground">No questions about this inspection yet. Tap a suggestion or type your own.</p> : null}

        {earlier.length ? (
          <section aria-labelledby={`${inputId}-history`} className="flex flex-col gap-2" data-testid="ask-history">
            <h3 id={`${inputId}-history`} className="text-sm font-semibold">
              Earlier questions ({earlier.length})
            </h3>
            <ul className="flex flex-col divide-y rounded-md border">
              {earlier.map((q) => (
                <li key={q.id}>
                  <button
                    type="button"
                    className="flex min-h-12 w-full flex-col items-start gap-0.5 px-3 py-2 text-left hover:bg-accent focus-visible:outline-2 focus-visible:outline-ring"
                    onClick={() => {
                      setSelectedId(q.id);
                      onFinding?.(null);
                    }}
                  >
                    <span className="text-sm font-medium">{q.question}</span>
                    <span className="line-clamp-2 text-sm text-muted-foreground">{q.answer.short}</span>
                    <span className="text-xs text-muted-foreground">
                      {askerName(q.createdBy, me)} &middot; <time dateTime={q.createdAt}>{dateTime(q.createdAt)}</time>
                    </span>
                  </button>
                </li>
              ))}
            </ul>
          </section>
        ) : null}
      </CardContent>
    </Card>
  );
}

/** One answer: short answer, notice, evidence with citation markers, the opened citation, feedback. */
function AnswerView({ question: q, inspection, viewerKey, onFinding, onAsk }: { question: Question; inspection: Inspection; viewerKey?: string; onFinding?: (index: number | null) => void; onAsk: (q: string) => void }) {
  const a = q.answer;
  const [open, setOpen] = useState<Citation | null>(null);
  const revealId = useId();
  const session = useSession();
  const canReview = hasRole(session.user?.role, 'operator');

  const toggle = (c: Citation) => {
    const closing = open && citationKey(open.id) === citationKey(c.id);
    setOpen(closing ? null : c);
    const r = revealOf(c);
    if (closing) {
      if (r.action === 'finding') onFinding?.(null);
      return;
    }
    onFinding?.(r.action === 'finding' ? r.index : null);
    if (!viewerKey) return;
    if (r.action === 'finding') {
      const f = inspection.findings[r.index];
      viewerStore(viewerKey).set((s) => {
        const shown = withLayer(withLayer(s, 'boxes', { visible: true }), 'masks', { visible: true });
        return { ...shown, view: f?.box ? viewForBox(f.box as [number, number, number, number], inspection.image) : FIT_VIEW };
      });
      scrollToTestId('image-viewer');
    } else if (r.action === 'heatmap') {
      requestHeatmap(viewerKey, r.explanationId);
      scrollToTestId('image-viewer');
    }
  };

  return (
    <article className="flex flex-col gap-3 rounded-md border bg-background p-3" aria-label={`Answer to: ${q.question}`} data-testid="ask-answer">
      <div className="flex flex-wrap items-center gap-2 text-xs text-muted-foreground">
        <span className="text-sm text-foreground">
          <span className="sr-only">Question: </span>
          &ldquo;{q.question}&rdquo;
        </span>
        <Badge variant="secondary">{INTENT_NAMES[a.intent] ?? a.intent}</Badge>
        {a.composer === 'llm' ? <Badge variant="outline">Worded by the language model</Badge> : null}
        <span className="ml-auto">
          {askerName(q.createdBy, session.user)} &middot; <time dateTime={q.createdAt}>{dateTime(q.createdAt)}</time> &middot; {duration(q.latencyMs)}
        </span>
      </div>
      <p className="text-xl font-semibold leading-snug" data-testid="ask-short">
        {a.short}
      </p>
      {a.suggestReview ? (
        <div className="flex items-start gap-2 rounded-md border border-warning/50 bg-warning/10 p-3 text-sm" role="note" data-testid="ask-review-notice">
          <AlertTriangle className="mt-0.5 size-4 shrink-0 text-warning" aria-hidden="true" />
          <div className="flex flex-col gap-1">
            <p className="font-medium">{a.unsure ? 'The model is unsure about this inspection: send it to review.' : 'This answer suggests a review by a person.'}</p>
            <p className="text-muted-foreground">
              {inspection.referred ? 'It is already in the review queue.' : 'Give the right verdict or class below with "Not helpful", or review it from the review queue.'}
            </p>
            {canReview ? (
              <Link to="/reviews" className="w-fit text-primary underline-offset-4 hover:underline">
                Open the review queue
              </Link>
            ) : null}
          </div>
        </div>
      ) : null}
      {a.evidence.length ? (
        <ul className="flex list-disc flex-col gap-1.5 pl-5 text-sm" aria-label="Evidence" data-testid="ask-evidence">
          {a.evidence.map((item, i) => (
            <li key={i}>
              {evidenceSegments(item, a.citations).map((s, j) =>
                s.kind === 'text' ? (
                  <span key={j}>{s.text}</span>
                ) : (
                  <button
                    key={j}
                    type="button"
                    className={cn(
                      'mx-0.5 inline-flex min-h-7 min-w-7 items-center justify-center rounded border px-1 align-baseline text-xs font-semibold tabular-nums text-primary hover:bg-accent focus-visible:outline-2 focus-visible:outline-ring',
                      open && citationKey(open.id) === citationKey(s.citation.id) && 'border-primary bg-primary text-primary-foreground hover:bg-primary',
                    )}
                    aria-label={`Source ${citationKey(s.citation.id)}: ${KIND_NAMES[s.citation.kind] ?? s.citation.kind}, ${s.citation.label}`}
                    aria-expanded={!!open && citationKey(open.id) === citationKey(s.citation.id)}
                    aria-controls={revealId}
                    onClick={() => toggle(s.citation)}
                    data-testid="ask-cite"
                  >
                    {citationKey(s.citation.id)}
                  </button>
                ),
              )}
            </li>
          ))}
        </ul>
      ) : null}
      <div id={revealId} aria-live="polite">
        {open ? <CitationReveal citation={open} inspection={inspection} viewerKey={viewerKey} onClose={() => toggle(open)} /> : null}
      </div>
      {a.canAnswer?.length ? (
        <div className="flex flex-col gap-1.5 text-sm">
          <p className="text-muted-foreground">What I can answer about this inspection:</p>
          <div className="flex flex-wrap gap-2">
            {a.canAnswer.map((c) => (
              <Button key={c} variant="secondary" size="sm" className="h-10" onClick={() => onAsk(c)}>
                {c}
              </Button>
            ))}
          </div>
        </div>
      ) : null}
      {a.citations.length ? (
        <details className="text-xs text-muted-foreground">
          <summary className="cursor-pointer py-1">All sources ({a.citations.length})</summary>
          <ol className="mt-1 flex flex-col gap-0.5">
            {a.citations.map((c) => (
              <li key={c.id}>
                [{citationKey(c.id)}] {KIND_NAMES[c.kind] ?? c.kind}: {c.label}
                {c.source ? ` (${c.source})` : ''}
              </li>
            ))}
          </ol>
        </details>
      ) : null}
      {a.llmRejected ? <p className="text-xs text-muted-foreground">The language model&rsquo;s wording was not used ({a.llmRejected}); this answer comes from the record.</p> : null}
      <FeedbackForm question={q} inspection={inspection} canCorrect={canReview} />
    </article>
  );
}

function RevealFrame({ title, icon, children, onClose }: { title: ReactNode; icon?: ReactNode; children: ReactNode; onClose: () => void }) {
  return (
    <div className="flex flex-col gap-2 rounded-md border border-primary/40 bg-primary/5 p-3 text-sm" data-testid="ask-reveal">
      <div className="flex items-start gap-2">
        {icon}
        <p className="flex-1 font-medium">{title}</p>
        <Button variant="ghost" size="icon" className="-m-2" aria-label="Close the source" onClick={onClose}>
          <X aria-hidden="true" />
        </Button>
      </div>
      {children}
    </div>
  );
}

/** What one citation points at. */
function CitationReveal({ citation: c, inspection, viewerKey, onClose }: { citation: Citation; inspection: Inspection; viewerKey?: string; onClose: () => void }) {
  const r = revealOf(c);
  const n = citationKey(c.id);
  if (r.action === 'field') {
    const value = fieldValue(inspection, r.path);
    return (
      <RevealFrame title={`[${n}] Inspection field: ${r.path}`} onClose={onClose}>
        <p>{c.label}</p>
        {value !== undefined ? (
          <p className="rounded bg-background px-2 py-1 font-mono text-xs" data-testid="ask-field-value">
            {r.path} = {value}
          </p>
        ) : null}
      </RevealFrame>
    );
  }
  if (r.action === 'finding') {
    const f = inspection.findings[r.index];
    return (
      <RevealFrame title={`[${n}] Finding ${r.index + 1}${f ? `: ${f.label}` : ''}`} onClose={onClose}>
        <p>{c.label}</p>
        {f ? (
          <p className="text-muted-foreground">
            Score {percent(f.score)}
            {f.severity ? `, ${f.severity}` : ''}
            {f.area !== undefined ? `, ${f.area} px` : ''}
            {f.box ? `, box ${f.box.map((v) => Math.round(v)).join(', ')}` : ''}. {viewerKey || f.box ? 'It is outlined on the image.' : ''}
          </p>
        ) : null}
        {viewerKey ? (
          <Button variant="outline" size="sm" className="h-10 w-fit" onClick={() => viewerStore(viewerKey).set((s) => ({ ...s, view: FIT_VIEW }))}>
            Show the whole image
          </Button>
        ) : null}
      </RevealFrame>
    );
  }
  if (r.action === 'heatmap') {
    return (
      <RevealFrame title={`[${n}] ${c.kind === 'aggregate' ? 'Consensus of explanations' : 'Explanation'}`} onClose={onClose}>
        <p>{c.label}</p>
        {viewerKey ? (
          <div className="flex flex-wrap gap-2">
            <p className="text-muted-foreground">Its heatmap is now on the image.</p>
            <Button variant="outline" size="sm" className="h-10" onClick={() => scrollToTestId('explanation-panel')}>
              Go to the explanations
            </Button>
          </div>
        ) : (
          <Link to="/inspections/$inspectionId" params={{ inspectionId: inspection.id }} className={cn(buttonVariants({ variant: 'outline', size: 'sm' }), 'h-10 w-fit')}>
            <ExternalLink aria-hidden="true" />
            Open the inspection&rsquo;s explanations
          </Link>
        )}
      </RevealFrame>
    );
  }
  if (r.action === 'case') {
    return (
      <RevealFrame title={`[${n}] Similar past case`} onClose={onClose}>
        <p>{c.label}</p>
        <Link to="/inspections/$inspectionId" params={{ inspectionId: r.inspectionId }} className={cn(buttonVariants({ variant: 'outline', size: 'sm' }), 'h-10 w-fit')} data-testid="ask-case-link">
          <ExternalLink aria-hidden="true" />
          Open that inspection
        </Link>
      </RevealFrame>
    );
  }
  if (r.action === 'passage') return <PassageReveal n={n} citation={c} passageId={r.passageId} documentId={r.documentId} onClose={onClose} />;
  return (
    <RevealFrame title={`[${n}] ${r.what === 'the model card' ? 'Model card' : 'Model figures'}`} onClose={onClose}>
      <p>{c.label}</p>
      <Link to={r.to} className={cn(buttonVariants({ variant: 'outline', size: 'sm' }), 'h-10 w-fit')}>
        <ExternalLink aria-hidden="true" />
        {r.to === '/models' ? 'Go to Models' : 'Go to Metrics'}
      </Link>
    </RevealFrame>
  );
}

function PassageReveal({ n, citation: c, passageId, documentId, onClose }: { n: string; citation: Citation; passageId: string; documentId?: string; onClose: () => void }) {
  const doc = useDocument(documentId);
  const passages: KnowledgePassage[] = doc.data?.passagesList ?? (Array.isArray(doc.data?.passages) ? doc.data.passages : []);
  const passage = passages.find((p) => p.id === passageId);
  return (
    <RevealFrame title={`[${n}] Knowledge base: ${doc.data?.title ?? c.label}`} icon={<BookOpen className="mt-0.5 size-4 shrink-0 text-primary" aria-hidden="true" />} onClose={onClose}>
      {c.source || passage?.source ? <p className="text-xs text-muted-foreground">Source: {passage?.source ?? c.source}</p> : null}
      {doc.isPending && documentId ? <Skeleton className="h-16" /> : null}
      {passage ? (
        <blockquote className="whitespace-pre-line border-l-2 border-primary/50 pl-3 text-sm" data-testid="ask-passage">
          {passage.text}
        </blockquote>
      ) : doc.isPending && documentId ? null : (
        <p data-testid="ask-passage">{c.label}</p>
      )}
      {doc.isError ? <AskErrorMessage error={doc.error} /> : null}
    </RevealFrame>
  );
}

/** Helpful / not helpful, with an optional correction and comment. */
function FeedbackForm({ question: q, inspection, canCorrect }: { question: Question; inspection: Inspection; canCorrect: boolean }) {
  const feedback = useFeedback(inspection.id);
  const given = latestFeedback(q);
  const [draft, setDraft] = useState<FeedbackDraft | null>(null);
  const [sent, setSent] = useState<FeedbackBody | null>(null);
  const [reopen, setReopen] = useState(false);
  const ids = useId();
  useEffect(() => setSent(null), [q.id]);

  const done = sent ?? given;
  if (done && !draft && !reopen) {
    return (
      <p className="flex flex-wrap items-center gap-2 border-t pt-3 text-sm text-muted-foreground" data-testid="ask-feedback-given" role="status">
        {done.helpful ? <ThumbsUp className="size-4" aria-hidden="true" /> : <ThumbsDown className="size-4" aria-hidden="true" />}
        Marked {done.helpful ? 'helpful' : 'not helpful'}
        {done.correction && (done.correction.verdict || done.correction.label) ? ` with a correction (${[done.correction.verdict, done.correction.label].filter(Boolean).join(', ')})` : ''}. Thank you.
        <Button variant="link" className="h-10 px-1" onClick={() => setReopen(true)}>
          Change
        </Button>
      </p>
    );
  }
  const send = (d: FeedbackDraft) =>
    feedback.mutate(
      { questionId: q.id, body: feedbackBody(d) },
      {
        onSuccess: (_r, { body }) => {
          setSent(body);
          setDraft(null);
          setReopen(false);
        },
      },
    );

  return (
    <div className="flex flex-col gap-3 border-t pt-3" data-testid="ask-feedback">
      <div className="flex flex-wrap items-center gap-2">
        <span className="text-sm font-medium" id={`${ids}-q`}>
          Was this answer helpful?
        </span>
        <Button variant="outline" className="h-11" aria-describedby={`${ids}-q`} disabled={feedback.isPending} onClick={() => send({ helpful: true, comment: '', verdict: '', label: '' })}>
          <ThumbsUp aria-hidden="true" />
          Helpful
        </Button>
        <Button
          variant={draft ? 'secondary' : 'outline'}
          className="h-11"
          aria-describedby={`${ids}-q`}
          aria-expanded={!!draft}
          disabled={feedback.isPending}
          onClick={() => setDraft((d) => (d ? null : { helpful: false, comment: '', verdict: '', label: '' }))}
        >
          <ThumbsDown aria-hidden="true" />
          Not helpful
        </Button>
      </div>
      {draft ? (
        <form
          className="flex flex-col gap-3"
          aria-label="What was wrong"
          onSubmit={(e) => {
            e.preventDefault();
            send(draft);
          }}
        >
          {canCorrect ? (
            <fieldset className="flex flex-wrap gap-3">
              <legend className="mb-1.5 text-sm font-medium">Correction (optional; it becomes a review of this inspection)</legend>
              <div className="flex flex-col gap-1.5">
                <Label htmlFor={`${ids}-verdict`}>Right verdict</Label>
                <Select id={`${ids}-verdict`} className="h-11 w-44" value={draft.verdict} onChange={(e) => setDraft({ ...draft, verdict: e.target.value as FeedbackDraft['verdict'] })}>
                  <option value="">No correction</option>
                  <option value="pass">Pass</option>
                  <option value="reject">Reject</option>
                </Select>
              </div>
              {inspection.labels.length ? (
                <div className="flex flex-col gap-1.5">
                  <Label htmlFor={`${ids}-label`}>Right class</Label>
                  <Select id={`${ids}-label`} className="h-11 w-52" value={draft.label} onChange={(e) => setDraft({ ...draft, label: e.target.value })}>
                    <option value="">No correction</option>
                    {inspection.labels.map((l) => (
                      <option key={l} value={l}>
                        {l}
                      </option>
                    ))}
                  </Select>
                </div>
              ) : null}
            </fieldset>
          ) : null}
          <div className="flex flex-col gap-1.5">
            <Label htmlFor={`${ids}-comment`}>Comment (optional)</Label>
            <Textarea id={`${ids}-comment`} rows={2} maxLength={2000} value={draft.comment} onChange={(e) => setDraft({ ...draft, comment: e.target.value })} placeholder="What was wrong or missing?" />
          </div>
          <div className="flex gap-2">
            <Button type="submit" className="h-11" disabled={feedback.isPending}>
              {feedback.isPending ? <Loader2 className="animate-spin" aria-hidden="true" /> : null}
              Send feedback
            </Button>
            <Button variant="ghost" className="h-11" onClick={() => setDraft(null)}>
              Cancel
            </Button>
          </div>
        </form>
      ) : null}
      {feedback.isError ? <AskErrorMessage error={feedback.error} /> : null}
    </div>
  );
}
