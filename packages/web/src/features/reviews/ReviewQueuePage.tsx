/**
 * The review queue: referred, uncertain, audit and confident-sample inspections with counts;
 * each item claimed for one reviewer while it is open (`POST /review-queue/{id}/claim`,
 * released on leaving it; a 409 says another reviewer holds it and offers the next one); the
 * image with the predicted mask and boxes; accept, reject with a reason, override the class,
 * correct the mask with a brush and an eraser (size preview, undo and redo), comment; sent as
 * `POST /inspections/{id}/reviews`. Keyboard first: a accept, r reject, n / p next /
 * previous, ctrl+z undo, ctrl+shift+z redo, b brush, e eraser, [ ] size, ctrl+enter submit.
 * A draft (decision and painted mask with its undo history) is kept per item while the page
 * is open, so moving to another item and back loses nothing.
 */
import { data, isXaiQcApiError } from '@xai-qc/client';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { getRouteApi, Link } from '@tanstack/react-router';
import { Brush, Check, ChevronLeft, ChevronRight, Eraser, Redo2, Send, Trash2, Undo2, X } from 'lucide-react';
import { useEffect, useMemo, useRef, useState } from 'react';
import type { ReactNode } from 'react';
import { api } from '../../app/api.ts';
import { isTyping } from '../../app/AppShell.tsx';
import { cn } from '../../shared/lib/cn.ts';
import { dateTime, num, percent } from '../../shared/lib/format.ts';
import { useApiBlobUrl } from '../../shared/lib/use-api-blob.ts';
import { Badge } from '../../shared/ui/badge.tsx';
import { Button } from '../../shared/ui/button.tsx';
import { Card, CardContent, CardHeader, CardTitle } from '../../shared/ui/card.tsx';
import { Input, Label, Select, Textarea } from '../../shared/ui/form.tsx';
import { Slider } from '../../shared/ui/slider.tsx';
import { Switch } from '../../shared/ui/switch.tsx';
import { EmptyState, ErrorMessage, PageHeader, Skeleton, Spinner } from '../../shared/ui/states.tsx';
import { toast } from '../../shared/ui/toast.tsx';
import { clampRadius, MaskEditor } from './mask-brush.ts';
import type { Tool } from './mask-brush.ts';
import { emptyMask, maskArea, orRle } from './mask-codec.ts';
import { MaskCanvas } from './MaskCanvas.tsx';
import { draftProblem, initialDraft, proposedLabel, QUEUE_REASONS, REJECT_REASONS, rejectsVerdict, reviewBody, STRATEGIES } from './review-draft.ts';
import type { Draft, QueueReason, QueueSearch, Strategy } from './review-draft.ts';

const route = getRouteApi('/app/reviews');

const fetchQueue = (q: Omit<QueueSearch, 'item'>, signal: AbortSignal) => data(api.GET('/api/xai-qc/review-queue', { params: { query: { ...q, limit: 200 } }, signal }));
const fetchInspection = (id: string, signal: AbortSignal) => data(api.GET('/api/xai-qc/inspections/{id}', { params: { path: { id } }, signal }));
type QueueItem = Awaited<ReturnType<typeof fetchQueue>>['items'][number];
type Inspection = Awaited<ReturnType<typeof fetchInspection>>;

const REASON_LABEL: Record<QueueReason, string> = { referred: 'Referred', uncertain: 'Uncertain', audit: 'Audit', 'confident-sample': 'Confident sample' };
const STRATEGY_LABEL: Record<Strategy, string> = { entropy: 'Entropy', margin: 'Margin', 'least-confidence': 'Least confidence', bald: 'BALD (MC-Dropout)' };

/** Everything the reviewer did on one item. */
interface ItemDraft {
  draft: Draft;
  editor: MaskEditor | null;
  /** A mask was given by the model or painted: send it. */
  maskProblem: string | null;
}

/** Review queue. */
export default function ReviewQueuePage() {
  const search = route.useSearch();
  const navigate = route.useNavigate();
  const qc = useQueryClient();
  const { item: itemParam, ...queueQuery } = search;
  const setSearch = (patch: Partial<QueueSearch>) => void navigate({ search: (prev: QueueSearch) => ({ ...prev, ...patch }), replace: true });

  const queue = useQuery({ queryKey: ['review-queue', queueQuery], queryFn: ({ signal }) => fetchQueue(queueQuery, signal) });
  const items = useMemo(() => queue.data?.items ?? [], [queue.data]);
  // keep the order the reviewer saw, so that a submitted item leaving the queue does not shuffle n / p
  const [skipped, setSkipped] = useState<Set<string>>(() => new Set());
  const free = (i: QueueItem) => !skipped.has(i.inspectionId) && (!i.claim || i.claim.mine);
  const currentId = itemParam ?? items.find(free)?.inspectionId ?? items[0]?.inspectionId;
  const index = items.findIndex((i) => i.inspectionId === currentId);
  const current: QueueItem | undefined = index >= 0 ? items[index] : undefined;

  const go = (delta: 1 | -1) => {
    if (!items.length) return;
    const from = index >= 0 ? index : delta === 1 ? -1 : items.length;
    const next = items[from + delta];
    if (next) setSearch({ item: next.inspectionId });
  };
  const goNextAfter = (id: string) => {
    const k = items.findIndex((i) => i.inspectionId === id);
    const next = items.slice(k + 1).find((i) => i.inspectionId !== id && !skipped.has(i.inspectionId)) ?? items.find((i) => i.inspectionId !== id && !skipped.has(i.inspectionId));
    setSearch({ item: next?.inspectionId });
  };

  return (
    <div className="flex flex-col gap-4">
      <PageHeader
        title="Review queue"
        description="Confirm or correct the model's answers. Each item is yours alone while it is open."
        actions={
          <div className="flex items-center gap-2" role="group" aria-label="Move through the queue">
            <Button variant="outline" size="sm" onClick={() => go(-1)} disabled={index <= 0} aria-keyshortcuts="p">
              <ChevronLeft aria-hidden="true" /> Previous
            </Button>
            <span className="text-sm tabular-nums text-muted-foreground" aria-live="polite">
              {items.length ? `${index + 1} of ${items.length}` : '0 of 0'}
            </span>
            <Button variant="outline" size="sm" onClick={() => go(1)} disabled={index >= items.length - 1} aria-keyshortcuts="n">
              Next <ChevronRight aria-hidden="true" />
            </Button>
          </div>
        }
      />
      <QueueFilters search={search} setSearch={setSearch} counts={queue.data?.counts} total={queue.data?.total} />
      {queue.data?.window.truncated ? <p className="text-sm text-muted-foreground">More unreviewed inspections match than the queue draws from; narrow the filters to see the rest.</p> : null}
      {queue.isError ? <ErrorMessage error={queue.error} action={<Button variant="outline" size="sm" onClick={() => void queue.refetch()}>Try again</Button>} /> : null}
      {queue.isPending ? (
        <div className="grid gap-4 lg:grid-cols-[1fr_20rem]">
          <Skeleton className="aspect-square max-h-[60vh] w-full" />
          <div className="flex flex-col gap-3">
            <Spinner label="Loading the queue" />
            <Skeleton className="h-40" />
          </div>
        </div>
      ) : queue.isSuccess && items.length === 0 ? (
        <EmptyState title={queueQuery.reason ? `No ${REASON_LABEL[queueQuery.reason].toLowerCase()} items to review` : 'Nothing to review'}>
          Inspections the model was unsure of, referred ones and samples for audit appear here. Lower the &ldquo;Uncertain from&rdquo; score to review more, or look through <Link to="/history" className="underline">History</Link>.
        </EmptyState>
      ) : current ? (
        <div className="grid gap-4 xl:grid-cols-[13rem_1fr]">
          <QueueList items={items} currentId={current.inspectionId} onSelect={(id) => setSearch({ item: id })} />
          <ReviewItem
            key={current.inspectionId}
            item={current}
            onSkip={(id) => {
              setSkipped((s) => new Set(s).add(id));
              void qc.invalidateQueries({ queryKey: ['review-queue'] });
              goNextAfter(id);
            }}
            onDone={(id) => {
              setSkipped((s) => new Set(s).add(id));
              goNextAfter(id);
            }}
            onMove={go}
          />
        </div>
      ) : queue.isSuccess ? (
        <EmptyState title="That item is no longer in the queue" action={<Button onClick={() => setSearch({ item: undefined })}>Open the first item</Button>}>
          Someone reviewed it, or the filters leave it out.
        </EmptyState>
      ) : null}
    </div>
  );
}

function QueueFilters({ search, setSearch, counts, total }: { search: QueueSearch; setSearch: (p: Partial<QueueSearch>) => void; counts?: Record<QueueReason, number>; total?: number }) {
  const [u, setU] = useState(search.uncertainMin === undefined ? '' : String(search.uncertainMin));
  useEffect(() => {
    setU(search.uncertainMin === undefined ? '' : String(search.uncertainMin));
  }, [search.uncertainMin]);
  const commitU = () => {
    const v = u.trim() === '' ? undefined : Number(u);
    if (v === undefined || (Number.isFinite(v) && v >= 0 && v <= 1)) setSearch({ uncertainMin: v, item: undefined });
  };
  return (
    <div className="flex flex-wrap items-end gap-3">
      <div role="group" aria-label="Reasons" className="flex flex-wrap gap-1.5">
        <ReasonButton pressed={!search.reason} onClick={() => setSearch({ reason: undefined, item: undefined })}>
          All <span className="tabular-nums text-muted-foreground">{total ?? '\u2026'}</span>
        </ReasonButton>
        {QUEUE_REASONS.map((r) => (
          <ReasonButton key={r} pressed={search.reason === r} onClick={() => setSearch({ reason: search.reason === r ? undefined : r, item: undefined })}>
            {REASON_LABEL[r]} <span className="tabular-nums text-muted-foreground">{counts ? counts[r] : '\u2026'}</span>
          </ReasonButton>
        ))}
      </div>
      <div className="ml-auto flex flex-wrap items-end gap-3">
        <div className="flex flex-col gap-1.5">
          <Label htmlFor="q-strategy">Uncertainty score</Label>
          <Select id="q-strategy" className="h-9 w-44 py-1" value={search.strategy ?? 'entropy'} onChange={(e) => setSearch({ strategy: e.target.value === 'entropy' ? undefined : (e.target.value as Strategy), item: undefined })}>
            {STRATEGIES.map((s) => (
              <option key={s} value={s}>{STRATEGY_LABEL[s]}</option>
            ))}
          </Select>
        </div>
        <div className="flex h-9 items-center gap-2">
          <Switch id="q-claimed" checked={!!search.includeClaimed} onCheckedChange={(v) => setSearch({ includeClaimed: v || undefined, item: undefined })} />
          <Label htmlFor="q-claimed">Show items others hold</Label>
        </div>
        <div className="flex flex-col gap-1.5">
          <Label htmlFor="q-umin">Uncertain from</Label>
          <Input id="q-umin" className="h-9 w-24 py-1" type="number" min={0} max={1} step={0.05} placeholder="0.5" value={u} onChange={(e) => setU(e.target.value)} onBlur={commitU} onKeyDown={(e) => e.key === 'Enter' && commitU()} />
        </div>
      </div>
    </div>
  );
}

function ReasonButton({ pressed, onClick, children }: { pressed: boolean; onClick: () => void; children: ReactNode }) {
  return (
    <Button variant={pressed ? 'secondary' : 'outline'} size="sm" aria-pressed={pressed} onClick={onClick} className={cn(pressed && 'ring-2 ring-ring')}>
      {children}
    </Button>
  );
}

function QueueList({ items, currentId, onSelect }: { items: QueueItem[]; currentId: string; onSelect: (id: string) => void }) {
  const currentRef = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    // a block body: scrollIntoView returns a promise in current Chromium, and an effect may return only a clean-up function
    void currentRef.current?.scrollIntoView({ block: 'nearest' });
  }, [currentId]);
  return (
    <nav aria-label="Queue items" className="hidden max-h-[75vh] overflow-y-auto rounded-lg border xl:block">
      <ul className="flex flex-col">
        {items.map((i, k) => {
          const active = i.inspectionId === currentId;
          return (
            <li key={i.inspectionId}>
              <button
                ref={active ? currentRef : undefined}
                type="button"
                aria-current={active ? 'true' : undefined}
                onClick={() => onSelect(i.inspectionId)}
                className={cn('flex w-full flex-col items-start gap-0.5 border-b px-3 py-2 text-left text-sm hover:bg-accent focus-visible:outline-2 focus-visible:-outline-offset-2 focus-visible:outline-ring', active && 'border-l-4 border-l-primary pl-2 font-semibold')}
              >
                <span className="flex w-full items-center justify-between gap-2">
                  <span className="font-medium">{k + 1}. {i.label}</span>
                  <Badge variant={i.verdict === 'pass' ? 'good' : 'bad'}>{i.verdict === 'pass' ? 'Pass' : 'Reject'}</Badge>
                </span>
                <span className="text-xs text-muted-foreground">
                  {REASON_LABEL[i.reason]} &middot; {num(i.uncertainty, 2)}
                  {i.claim && !i.claim.mine ? ' \u00b7 held by another reviewer' : ''}
                </span>
              </button>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}

type ClaimState = { state: 'claiming' } | { state: 'mine' } | { state: 'taken'; error: unknown } | { state: 'failed'; error: unknown };

/** Claims the item while it is open and releases it on leaving (unless reviewed). */
function useClaim(id: string, reviewed: React.RefObject<boolean>): [ClaimState, () => void] {
  const [claim, setClaim] = useState<ClaimState>({ state: 'claiming' });
  const [attempt, setAttempt] = useState(0);
  useEffect(() => {
    let alive = true;
    let held = false;
    const path = { params: { path: { id } } };
    const take = () =>
      api.POST('/api/xai-qc/review-queue/{id}/claim', path).then(
        () => {
          held = true;
          if (alive) setClaim({ state: 'mine' });
          else void api.DELETE('/api/xai-qc/review-queue/{id}/claim', path).catch(() => undefined);
        },
        (error: unknown) => {
          if (alive) setClaim(isXaiQcApiError(error) && error.code === 'XQC_REVIEW_CLAIMED' ? { state: 'taken', error } : { state: 'failed', error });
        },
      );
    setClaim({ state: 'claiming' });
    void take();
    // claims last 15 minutes: renew while the item stays open
    const renew = setInterval(() => held && void take(), 10 * 60_000);
    return () => {
      alive = false;
      clearInterval(renew);
      if (held && !reviewed.current) void api.DELETE('/api/xai-qc/review-queue/{id}/claim', path).catch(() => undefined);
    };
  }, [id, attempt, reviewed]);
  return [claim, () => setAttempt((a) => a + 1)];
}

const drafts = new Map<string, ItemDraft>();

function makeItemDraft(i: Inspection): ItemDraft {
  const segments = i.model.task === 'segment' || i.findings.some((f) => f.rle);
  let editor: MaskEditor | null = null;
  let maskProblem: string | null = null;
  if (segments) {
    const mask = emptyMask(i.image.width, i.image.height);
    for (const f of i.findings) {
      if (!f.rle) continue;
      try {
        orRle(mask, f.rle as { size: [number, number]; counts: number[] });
      } catch {
        maskProblem = 'A predicted mask does not fit the image; it is left out.';
      }
    }
    editor = new MaskEditor(mask);
  }
  return { draft: initialDraft(i), editor, maskProblem };
}

function ReviewItem({ item, onSkip, onDone, onMove }: { item: QueueItem; onSkip: (id: string) => void; onDone: (id: string) => void; onMove: (d: 1 | -1) => void }) {
  const id = item.inspectionId;
  const qc = useQueryClient();
  const reviewed = useRef(false);
  const [claim, retryClaim] = useClaim(id, reviewed);
  const inspection = useQuery({ queryKey: ['inspection', id], queryFn: ({ signal }) => fetchInspection(id, signal) });
  const image = useApiBlobUrl(inspection.data?.links.image);
  const [, setTick] = useState(0);
  const rerender = () => setTick((t) => t + 1);
  const [revision, setRevision] = useState(0);
  const [tool, setTool] = useState<Tool>('brush');
  const [radius, setRadius] = useState(6);
  const [opacity, setOpacity] = useState(0.55);
  const [showProblem, setShowProblem] = useState(false);
  const reasonRef = useRef<HTMLSelectElement>(null);

  const i = inspection.data;
  if (i && !drafts.has(id)) drafts.set(id, makeItemDraft(i));
  const itemDraft = i ? drafts.get(id)! : undefined;
  const draft = itemDraft?.draft;
  const editor = itemDraft?.editor ?? null;

  const setDraft = (patch: Partial<Draft>) => {
    if (!itemDraft) return;
    itemDraft.draft = { ...itemDraft.draft, ...patch };
    rerender();
  };

  const submit = useMutation({
    mutationFn: (body: ReturnType<typeof reviewBody>) => data(api.POST('/api/xai-qc/inspections/{id}/reviews', { params: { path: { id } }, body })),
    onSuccess: (review) => {
      reviewed.current = true;
      drafts.delete(id);
      toast(review.decision === 'confirm' ? 'Review saved: confirmed' : 'Review saved: corrected', { tone: 'success', ms: 2500 });
      void qc.invalidateQueries({ queryKey: ['review-queue'] });
      void qc.invalidateQueries({ queryKey: ['reviews', 'inspection', id] });
      void qc.invalidateQueries({ queryKey: ['inspections'] });
      void qc.invalidateQueries({ queryKey: ['metrics'] });
      onDone(id);
    },
  });

  const boxes = useMemo(() => (i?.findings ?? []).filter((f) => f.box).map((f) => ({ label: f.label, box: f.box as [number, number, number, number] })), [i]);
  const canAct = claim.state === 'mine' && !!i && !!draft && !submit.isPending;

  const send = (d: Draft) => {
    if (!i || !canAct) return;
    setDraft(d);
    const problem = draftProblem(i, d);
    if (problem) {
      setShowProblem(true);
      reasonRef.current?.focus();
      return;
    }
    submit.mutate(reviewBody({ ...i, boxes }, d, editor ? editor.mask : null));
  };
  const accept = () => i && draft && send({ ...draft, verdict: i.verdict, label: i.label, reason: '' });
  const reject = () => {
    if (!i || !draft || !canAct) return;
    const verdict = i.verdict === 'pass' ? 'reject' : 'pass';
    setDraft({ verdict, label: proposedLabel(i, verdict), reason: draft.reason || (verdict === 'pass' ? REJECT_REASONS[0] : REJECT_REASONS[1]) });
    // a good part has no defect region: clear the predicted mask (ctrl+z brings it back)
    if (verdict === 'pass' && editor?.fill(0)) setRevision((r) => r + 1);
    setTimeout(() => reasonRef.current?.focus(), 0);
  };
  const undo = () => {
    if (editor?.undo()) setRevision((r) => r + 1);
  };
  const redo = () => {
    if (editor?.redo()) setRevision((r) => r + 1);
  };
  const resize = (delta: number) => setRadius((r) => clampRadius(r + delta * Math.max(1, Math.round(r / 6))));

  // keyboard shortcuts (a, r, n, p, b, e, [ ], ctrl+z, ctrl+shift+z / ctrl+y, ctrl+enter)
  const keys = useRef<(e: KeyboardEvent) => void>(() => undefined);
  keys.current = (e: KeyboardEvent) => {
    const mod = e.ctrlKey || e.metaKey;
    if (mod && e.key === 'Enter') {
      e.preventDefault();
      if (draft) send(draft);
      return;
    }
    if (isTyping(e)) return;
    if (mod && !e.altKey && (e.key === 'z' || e.key === 'Z' || e.key === 'y')) {
      e.preventDefault();
      if (e.key === 'y' || e.shiftKey) redo();
      else undo();
      return;
    }
    if (mod || e.altKey || Date.now() - lastG < 1500) return;
    const act: Record<string, () => void> = {
      a: accept,
      r: reject,
      n: () => onMove(1),
      p: () => onMove(-1),
      b: () => setTool('brush'),
      e: () => setTool('eraser'),
      '[': () => resize(-1),
      ']': () => resize(1),
    };
    const f = act[e.key];
    if (f) {
      e.preventDefault();
      f();
    }
  };
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'g' && !isTyping(e)) lastG = Date.now();
      else keys.current(e);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  if (inspection.isError) return <ErrorMessage error={inspection.error} action={<Button variant="outline" size="sm" onClick={() => onSkip(id)}>Take the next one</Button>} />;

  const changedVerdict = i && draft ? rejectsVerdict(i, draft) : false;
  const problem = i && draft ? draftProblem(i, draft) : null;
  const area = editor ? maskArea(editor.mask) : 0;

  return (
    <div className="grid min-w-0 gap-4 lg:grid-cols-[minmax(0,1fr)_19rem]">
      <div className="flex min-w-0 flex-col gap-3">
        {claim.state === 'taken' ? (
          <ErrorMessage error={claim.error} action={<div className="flex gap-2"><Button size="sm" onClick={() => onSkip(id)}>Take the next one</Button><Button size="sm" variant="outline" onClick={retryClaim}>Try this one again</Button></div>} />
        ) : claim.state === 'failed' ? (
          <ErrorMessage error={claim.error} action={<Button size="sm" variant="outline" onClick={retryClaim}>Try again</Button>} />
        ) : null}
        {i ? (
          <MaskCanvas
            imageUrl={image.data}
            width={i.image.width}
            height={i.image.height}
            editor={claim.state === 'mine' ? editor : null}
            tool={tool}
            radius={radius}
            opacity={opacity}
            boxes={boxes}
            revision={revision}
            onEdit={rerender}
            label={`Inspected image ${i.image.name ?? ''}`.trim()}
          />
        ) : (
          <Skeleton className="mx-auto aspect-square w-full max-w-[60vh]" />
        )}
        {itemDraft?.maskProblem ? <p className="text-sm text-warning">{itemDraft.maskProblem}</p> : null}
        {editor ? (
          <div className="flex flex-wrap items-center gap-x-4 gap-y-2 rounded-lg border p-2" role="toolbar" aria-label="Mask tools">
            <div className="flex gap-1">
              <Button size="sm" variant={tool === 'brush' ? 'secondary' : 'ghost'} aria-pressed={tool === 'brush'} onClick={() => setTool('brush')} aria-keyshortcuts="b" className={cn(tool === 'brush' && 'ring-2 ring-ring')}>
                <Brush aria-hidden="true" /> Brush
              </Button>
              <Button size="sm" variant={tool === 'eraser' ? 'secondary' : 'ghost'} aria-pressed={tool === 'eraser'} onClick={() => setTool('eraser')} aria-keyshortcuts="e" className={cn(tool === 'eraser' && 'ring-2 ring-ring')}>
                <Eraser aria-hidden="true" /> Eraser
              </Button>
            </div>
            <div className="flex min-w-44 flex-1 items-center gap-2">
              <span className="text-sm" aria-hidden="true">Size</span>
              <Slider aria-label="Brush size" min={1} max={64} step={1} value={[radius]} onValueChange={([v]) => setRadius(clampRadius(v ?? radius))} className="max-w-40" />
              <span className="flex size-8 items-center justify-center" aria-hidden="true">
                <span className="rounded-full border-2 border-foreground" style={{ width: Math.min(32, Math.max(3, radius)), height: Math.min(32, Math.max(3, radius)) }} />
              </span>
              <span className="w-14 whitespace-nowrap text-sm tabular-nums text-muted-foreground" data-testid="brush-size">{radius} px</span>
            </div>
            <div className="flex min-w-36 items-center gap-2">
              <span className="text-sm" aria-hidden="true">Opacity</span>
              <Slider aria-label="Mask opacity" min={0} max={100} step={5} value={[Math.round(opacity * 100)]} onValueChange={([v]) => setOpacity((v ?? 55) / 100)} className="max-w-28" />
            </div>
            <div className="flex gap-1">
              <Button size="sm" variant="ghost" onClick={undo} disabled={!editor.undoDepth} aria-keyshortcuts="Control+Z" title="Undo (Ctrl+Z)">
                <Undo2 aria-hidden="true" /> Undo
              </Button>
              <Button size="sm" variant="ghost" onClick={redo} disabled={!editor.redoDepth} aria-keyshortcuts="Control+Shift+Z" title="Redo (Ctrl+Shift+Z)">
                <Redo2 aria-hidden="true" /> Redo
              </Button>
              <Button size="sm" variant="ghost" onClick={() => editor.fill(0) && setRevision((r) => r + 1)} disabled={area === 0}>
                <Trash2 aria-hidden="true" /> Clear
              </Button>
            </div>
            <p className="w-full text-xs text-muted-foreground" data-testid="mask-status">
              Mask: {area.toLocaleString()} px {editor.undoDepth ? `\u00b7 ${editor.undoDepth} edit${editor.undoDepth === 1 ? '' : 's'}` : '\u00b7 as predicted'}
            </p>
          </div>
        ) : i ? (
          <p className="text-sm text-muted-foreground">This model {i.model.task === 'classify' ? 'classifies the whole image' : 'gives no mask'}; there is no mask to correct.</p>
        ) : null}
        <p className="text-xs text-muted-foreground" data-testid="shortcut-help">
          Keys: <Kbd>A</Kbd> accept &middot; <Kbd>R</Kbd> reject &middot; <Kbd>N</Kbd> / <Kbd>P</Kbd> next / previous &middot; <Kbd>Ctrl</Kbd>+<Kbd>Z</Kbd> undo &middot; <Kbd>Ctrl</Kbd>+<Kbd>Shift</Kbd>+<Kbd>Z</Kbd> redo &middot; <Kbd>B</Kbd> brush &middot; <Kbd>E</Kbd> eraser &middot; <Kbd>[</Kbd> <Kbd>]</Kbd> size &middot; <Kbd>Ctrl</Kbd>+<Kbd>Enter</Kbd> submit
        </p>
      </div>

      <Card className="h-fit">
        <CardHeader>
          <CardTitle>Decision</CardTitle>
          <div className="flex flex-wrap items-center gap-1.5 text-sm" data-testid="claim-status">
            <Badge variant="secondary">{REASON_LABEL[item.reason]}</Badge>
            {claim.state === 'claiming' ? <Spinner label="Claiming" /> : claim.state === 'mine' ? <span className="text-muted-foreground">Claimed by you</span> : <span className="text-destructive">Not yours</span>}
          </div>
        </CardHeader>
        <CardContent className="flex flex-col gap-3">
          <dl className="grid grid-cols-[auto_1fr] gap-x-3 gap-y-1 text-sm">
            <dt className="text-muted-foreground">Model</dt>
            <dd className="truncate">{item.model.name} {item.model.version}</dd>
            <dt className="text-muted-foreground">Predicted</dt>
            <dd className="flex flex-wrap items-center gap-1.5">
              <Badge variant={item.verdict === 'pass' ? 'good' : 'bad'}>{item.verdict === 'pass' ? 'Pass' : 'Reject'}</Badge> {item.label} <span className="text-muted-foreground">{percent(item.score)}</span>
            </dd>
            <dt className="text-muted-foreground">Uncertainty</dt>
            <dd>{num(item.uncertainty, 3)}</dd>
            <dt className="text-muted-foreground">Inspected</dt>
            <dd>{dateTime(item.createdAt)}</dd>
          </dl>
          <Link to="/inspections/$inspectionId" params={{ inspectionId: id }} className="text-sm text-primary underline-offset-4 hover:underline">
            Open the inspection and its explanations
          </Link>
          {i && draft ? (
            <form
              className="flex flex-col gap-3"
              onSubmit={(e) => {
                e.preventDefault();
                send(draft);
              }}
            >
              <div className="grid grid-cols-2 gap-2">
                <Button onClick={accept} disabled={!canAct} aria-keyshortcuts="a" variant="default">
                  <Check aria-hidden="true" /> Accept
                </Button>
                <Button onClick={reject} disabled={!canAct} aria-keyshortcuts="r" variant={changedVerdict ? 'destructive' : 'outline'}>
                  <X aria-hidden="true" /> Reject
                </Button>
              </div>
              <fieldset className="flex flex-col gap-1.5" disabled={!canAct}>
                <legend className="mb-1.5 text-sm font-medium">True verdict</legend>
                <div className="grid grid-cols-2 gap-2">
                  {(['pass', 'reject'] as const).map((v) => (
                    <label key={v} className={cn('flex h-9 cursor-pointer items-center justify-center gap-2 rounded-md border text-sm has-[:focus-visible]:outline-2 has-[:focus-visible]:outline-ring', draft.verdict === v && 'border-primary bg-accent font-medium')}>
                      <input type="radio" name="verdict" value={v} checked={draft.verdict === v} onChange={() => setDraft({ verdict: v, label: proposedLabel(i, v) })} className="sr-only" />
                      {v === 'pass' ? 'Pass' : 'Reject'}
                    </label>
                  ))}
                </div>
              </fieldset>
              <div className="flex flex-col gap-1.5">
                <Label htmlFor="r-label">True class</Label>
                <Select id="r-label" value={draft.label} disabled={!canAct} onChange={(e) => setDraft({ label: e.target.value })}>
                  {i.labels.map((l) => (
                    <option key={l} value={l}>{l}{l === i.label ? ' (predicted)' : ''}</option>
                  ))}
                </Select>
                {draft.label !== i.label ? <p className="text-xs text-muted-foreground">Class overridden: {i.label} &rarr; {draft.label}</p> : null}
              </div>
              <div className="flex flex-col gap-1.5">
                <Label htmlFor="r-reason">Reason{changedVerdict ? '' : ' (when rejecting)'}</Label>
                <Select
                  id="r-reason"
                  ref={reasonRef}
                  value={draft.reason}
                  disabled={!canAct}
                  aria-invalid={showProblem && changedVerdict && !draft.reason}
                  aria-describedby={showProblem && problem ? 'r-problem' : undefined}
                  onChange={(e) => setDraft({ reason: e.target.value })}
                >
                  <option value="">{changedVerdict ? 'Choose a reason' : 'No reason needed'}</option>
                  {REJECT_REASONS.map((r) => (
                    <option key={r} value={r}>{r}</option>
                  ))}
                </Select>
              </div>
              <div className="flex flex-col gap-1.5">
                <Label htmlFor="r-comment">Comment</Label>
                <Textarea id="r-comment" value={draft.comment} disabled={!canAct} maxLength={3800} onChange={(e) => setDraft({ comment: e.target.value })} placeholder="Optional: what you saw" className="min-h-16" />
              </div>
              {showProblem && problem ? (
                <p id="r-problem" role="alert" className="text-sm text-destructive">{problem}</p>
              ) : null}
              {submit.isError ? <ErrorMessage error={submit.error} /> : null}
              <Button type="submit" disabled={!canAct} aria-keyshortcuts="Control+Enter">
                <Send aria-hidden="true" /> {submit.isPending ? 'Submitting\u2026' : 'Submit review'}
              </Button>
            </form>
          ) : (
            <Skeleton className="h-56" />
          )}
        </CardContent>
      </Card>
    </div>
  );
}

/** The time of the last `g` (the shell's "go to" prefix): `g r` opens the queue and must not reject. */
let lastG = 0;

function Kbd({ children }: { children: ReactNode }) {
  return <kbd className="rounded border bg-muted px-1 font-mono text-[11px] text-foreground">{children}</kbd>;
}
