/**
 * History: the account's inspections, newest first, with filters in the URL (bookmarkable),
 * sort by defect score or uncertainty, lazy thumbnails, cursor pagination ("Load more": rows
 * render a first screen at once and the rest a few per task), and
 * the ground truth (the current review) next to the prediction with quick filters for false
 * positives, false negatives, wrong class and correct.
 *
 * `GET /inspections` does all of it on the server: each item carries its current review, and
 * the reviewed / reviewer / outcome filters and the sort apply to every inspection of the
 * account, not only the loaded pages (a cursor follows the sort it came from).
 */
import { data } from '@xai-qc/client';
import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { getRouteApi, Link } from '@tanstack/react-router';
import { ImageOff, X } from 'lucide-react';
import { memo, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { ReactNode } from 'react';
import { api } from '../../app/api.ts';
import { cn } from '../../shared/lib/cn.ts';
import { dateTime, num, percent } from '../../shared/lib/format.ts';
import { useApiBlobUrl } from '../../shared/lib/use-api-blob.ts';
import { Badge } from '../../shared/ui/badge.tsx';
import { Button } from '../../shared/ui/button.tsx';
import { Card, CardContent } from '../../shared/ui/card.tsx';
import { Input, Label, Select } from '../../shared/ui/form.tsx';
import { EmptyState, ErrorMessage, PageHeader, Skeleton, Spinner } from '../../shared/ui/states.tsx';
import { Table, Td, Th } from '../../shared/ui/table.tsx';
import { OUTCOME_LABEL, outcomeOf, uncertaintyOf } from './ground-truth.ts';
import type { Outcome } from './ground-truth.ts';
import { activeFilterCount, OUTCOME_FILTERS, toListQuery } from './history-search.ts';
import { useProgressiveCount } from './progressive.ts';
import type { HistorySearch, OutcomeFilter, Sort } from './history-search.ts';

/** Inspections per page. */
const PAGE = 50;
const fetchPage = (query: ReturnType<typeof toListQuery>, cursor: string | undefined, signal: AbortSignal) =>
  data(api.GET('/api/xai-qc/inspections', { params: { query: { ...query, limit: PAGE, cursor } }, signal }));
type Inspection = Awaited<ReturnType<typeof fetchPage>>['items'][number];

const route = getRouteApi('/app/history');

const SORT_LABEL: Record<Sort, string> = {
  newest: 'Newest first',
  'score-desc': 'Defect score, highest first',
  'score-asc': 'Defect score, lowest first',
  'uncertainty-desc': 'Most uncertain first (defect score near 0.5)',
};

const OUTCOME_VARIANT: Record<Outcome, 'good' | 'bad' | 'warn' | 'outline'> = {
  correct: 'good',
  'false-positive': 'warn',
  'false-negative': 'bad',
  'wrong-class': 'warn',
  unreviewed: 'outline',
  'pass-other-class': 'outline',
};

/** History. */
export default function HistoryPage() {
  const search = route.useSearch();
  const navigate = route.useNavigate();
  const setSearch = (patch: Partial<HistorySearch>) => void navigate({ search: (prev: HistorySearch) => ({ ...prev, ...patch }), replace: true });
  const listQuery = useMemo(() => toListQuery(search), [search]);

  const list = useInfiniteQuery({
    queryKey: ['inspections', 'history', listQuery],
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam, signal }) => fetchPage(listQuery, pageParam, signal),
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const rows = useMemo(() => list.data?.pages.flatMap((p) => p.items) ?? [], [list.data]);
  const setSearchRef = useRef(setSearch);
  setSearchRef.current = setSearch;
  const onReviewer = useCallback((reviewer: string) => setSearchRef.current({ reviewer }), []);
  const filtered = activeFilterCount(search) > 0;
  // The unreviewed outcome is reviewed=false: choosing it drops reviewed=yes, and reviewed=yes drops it.
  const setOutcome = (outcome: OutcomeFilter | undefined) => setSearch(outcome === 'unreviewed' ? { outcome, reviewed: undefined } : { outcome });
  const setReviewed = (reviewed: boolean | undefined) => setSearch(reviewed === true && search.outcome === 'unreviewed' ? { reviewed, outcome: undefined } : { reviewed });

  return (
    <div className="flex flex-col gap-4">
      <PageHeader
        title="History"
        description="Every inspection of your account, newest first. Filters live in the address, so a filtered view can be bookmarked."
        actions={
          filtered ? (
            <Button variant="outline" onClick={() => void navigate({ search: search.sort ? { sort: search.sort } : {}, replace: true })}>
              <X aria-hidden="true" /> Clear filters
            </Button>
          ) : null
        }
      />
      <Filters search={search} setSearch={setSearch} setReviewed={setReviewed} />
      <div role="group" aria-label="Ground truth quick filters" className="flex flex-wrap items-center gap-2">
        <QuickFilter pressed={!search.outcome} onClick={() => setOutcome(undefined)}>
          All
        </QuickFilter>
        {OUTCOME_FILTERS.map((o) => (
          <QuickFilter key={o} pressed={search.outcome === o} onClick={() => setOutcome(search.outcome === o ? undefined : o)}>
            {OUTCOME_LABEL[o]}
          </QuickFilter>
        ))}
      </div>

      {list.isError ? <ErrorMessage error={list.error} action={<Button variant="outline" size="sm" onClick={() => void list.refetch()}>Try again</Button>} /> : null}

      {list.isPending ? (
        <Card>
          <CardContent className="flex flex-col gap-2 pt-4">
            <Spinner label="Loading inspections" />
            {Array.from({ length: 6 }, (_, k) => (
              <Skeleton key={k} className="h-14 w-full" />
            ))}
          </CardContent>
        </Card>
      ) : list.isSuccess && rows.length === 0 ? (
        <EmptyState title={filtered ? 'No inspection matches these filters' : 'No inspections yet'}>
          {!filtered ? (
            <>Inspect an image on the <Link to="/inspect" className="underline">Inspect page</Link>; it appears here at once.</>
          ) : (
            'Widen the date range or clear a filter.'
          )}
        </EmptyState>
      ) : list.isSuccess ? (
        <Card className="overflow-hidden">
          <Table aria-label="Inspections">
            <thead>
              <tr>
                <Th className="w-16"><span className="sr-only">Thumbnail</span></Th>
                <Th>Inspection</Th>
                <Th className="hidden xl:table-cell">Model</Th>
                <Th>Prediction</Th>
                <Th className="whitespace-nowrap">Ground truth</Th>
                <Th>Outcome</Th>
                <Th className="text-right">Defect score</Th>
                <Th className="text-right" title="1 - 2 |defect score - 0.5|: 1 when the defect score is 0.5">Uncer&shy;tainty</Th>
              </tr>
            </thead>
            <HistoryRows rows={rows} onReviewer={onReviewer} />
          </Table>
        </Card>
      ) : null}

      {list.isSuccess ? (
        <div className="flex flex-wrap items-center justify-between gap-3 text-sm text-muted-foreground">
          <p aria-live="polite">
            {`${rows.length} inspection${rows.length === 1 ? '' : 's'} ${list.hasNextPage ? 'loaded; more match.' : filtered ? 'match.' : 'in all.'}`}
          </p>
          {list.hasNextPage ? (
            <Button variant="outline" onClick={() => void list.fetchNextPage()} disabled={list.isFetchingNextPage}>
              {list.isFetchingNextPage ? 'Loading\u2026' : `Load ${PAGE} more`}
            </Button>
          ) : null}
        </div>
      ) : null}
    </div>
  );
}

/**
 * The table's rows: the first screen at once, the rest a few per task (no long task on a full
 * page). Only this component re-renders per slice, and a row already shown is not rendered again.
 */
function HistoryRows({ rows, onReviewer }: { rows: Inspection[]; onReviewer: (subject: string) => void }) {
  const shown = useProgressiveCount(rows.length);
  return (
    <tbody>
      {rows.slice(0, shown).map((i) => (
        <HistoryRowMemo key={i.id} inspection={i} onReviewer={onReviewer} />
      ))}
    </tbody>
  );
}

function QuickFilter({ pressed, onClick, children }: { pressed: boolean; onClick: () => void; children: ReactNode }) {
  return (
    <Button variant={pressed ? 'secondary' : 'outline'} size="sm" aria-pressed={pressed} onClick={onClick} className={cn(pressed && 'ring-2 ring-ring')}>
      {children}
    </Button>
  );
}

/** A text filter that writes to the URL 300 ms after typing stops (and at once on Enter). */
function TextFilter({ id, value, onCommit, placeholder, list }: { id: string; value: string | undefined; onCommit: (v: string | undefined) => void; placeholder?: string; list?: string }) {
  const [text, setText] = useState(value ?? '');
  const commitRef = useRef(onCommit);
  commitRef.current = onCommit;
  useEffect(() => {
    setText(value ?? '');
  }, [value]);
  useEffect(() => {
    if (text.trim() === (value ?? '')) return;
    const t = setTimeout(() => commitRef.current(text.trim() || undefined), 300);
    return () => clearTimeout(t);
  }, [text, value]);
  return (
    <Input
      id={id}
      value={text}
      list={list}
      placeholder={placeholder}
      onChange={(e) => setText(e.target.value)}
      onKeyDown={(e) => {
        if (e.key === 'Enter') commitRef.current(text.trim() || undefined);
      }}
    />
  );
}

function Filters({ search, setSearch, setReviewed }: { search: HistorySearch; setSearch: (p: Partial<HistorySearch>) => void; setReviewed: (v: boolean | undefined) => void }) {
  const models = useQuery({ queryKey: ['models'], queryFn: ({ signal }) => data(api.GET('/api/xai-qc/models', { signal })) });
  const model = useQuery({
    queryKey: ['models', search.model],
    enabled: !!search.model,
    queryFn: ({ signal }) => data(api.GET('/api/xai-qc/models/{model}', { params: { path: { model: search.model! } }, signal })),
  });
  const labels = [...new Set(model.data?.versions.flatMap((v) => v.card.labels ?? []) ?? [])];
  const tri = (v: boolean | undefined) => (v === undefined ? '' : v ? 'yes' : 'no');
  const fromTri = (v: string) => (v === '' ? undefined : v === 'yes');
  const field = 'flex min-w-0 flex-col gap-1.5';
  return (
    <Card>
      <CardContent className="grid grid-cols-2 gap-3 pt-4 md:grid-cols-4 xl:grid-cols-6">
        <div className={field}>
          <Label htmlFor="h-from">From</Label>
          <Input id="h-from" type="date" value={search.from ?? ''} max={search.to} onChange={(e) => setSearch({ from: e.target.value || undefined })} />
        </div>
        <div className={field}>
          <Label htmlFor="h-to">To</Label>
          <Input id="h-to" type="date" value={search.to ?? ''} min={search.from} onChange={(e) => setSearch({ to: e.target.value || undefined })} />
        </div>
        <div className={field}>
          <Label htmlFor="h-model">Model</Label>
          <Select id="h-model" value={search.model ?? ''} onChange={(e) => setSearch({ model: e.target.value || undefined, version: undefined, class: undefined })}>
            <option value="">All models</option>
            {models.data?.items.map((m) => (
              <option key={m.id} value={m.name}>{m.name}</option>
            ))}
            {search.model && models.data && !models.data.items.some((m) => m.name === search.model) ? <option value={search.model}>{search.model}</option> : null}
          </Select>
        </div>
        <div className={field}>
          <Label htmlFor="h-version">Version</Label>
          <Select id="h-version" value={search.version ?? ''} disabled={!search.model} onChange={(e) => setSearch({ version: e.target.value || undefined })}>
            <option value="">{search.model ? 'All versions' : 'Choose a model first'}</option>
            {model.data?.versions.map((v) => (
              <option key={v.id} value={v.id}>{v.version}{v.active ? ' (active)' : ''}</option>
            ))}
          </Select>
        </div>
        <div className={field}>
          <Label htmlFor="h-verdict">Verdict</Label>
          <Select id="h-verdict" value={search.verdict ?? ''} onChange={(e) => setSearch({ verdict: (e.target.value || undefined) as HistorySearch['verdict'] })}>
            <option value="">Pass and reject</option>
            <option value="pass">Pass</option>
            <option value="reject">Reject</option>
          </Select>
        </div>
        <div className={field}>
          <Label htmlFor="h-class">Class</Label>
          <TextFilter id="h-class" value={search.class} list={labels.length ? 'h-class-labels' : undefined} placeholder="Any class" onCommit={(v) => setSearch({ class: v })} />
          {labels.length ? (
            <datalist id="h-class-labels">
              {labels.map((l) => (
                <option key={l} value={l} />
              ))}
            </datalist>
          ) : null}
        </div>
        <div className={field}>
          <Label htmlFor="h-referred">Referred</Label>
          <Select id="h-referred" value={tri(search.referred)} onChange={(e) => setSearch({ referred: fromTri(e.target.value) })}>
            <option value="">Either</option>
            <option value="yes">Referred to review</option>
            <option value="no">Not referred</option>
          </Select>
        </div>
        <div className={field}>
          <Label htmlFor="h-reviewed">Reviewed</Label>
          <Select id="h-reviewed" value={tri(search.reviewed)} onChange={(e) => setReviewed(fromTri(e.target.value))}>
            <option value="">Either</option>
            <option value="yes">Reviewed</option>
            <option value="no">Not reviewed</option>
          </Select>
        </div>
        <div className={field}>
          <Label htmlFor="h-reviewer">Reviewer</Label>
          <TextFilter id="h-reviewer" value={search.reviewer} placeholder="Any (exact subject)" onCommit={(v) => setSearch({ reviewer: v })} />
        </div>
        <div className={cn(field, 'col-span-2 md:col-span-1 xl:col-span-2')}>
          <Label htmlFor="h-sort">Sort</Label>
          <Select id="h-sort" value={search.sort ?? 'newest'} onChange={(e) => setSearch({ sort: e.target.value === 'newest' ? undefined : (e.target.value as Sort) })}>
            {(Object.keys(SORT_LABEL) as Sort[]).map((s) => (
              <option key={s} value={s}>{SORT_LABEL[s]}</option>
            ))}
          </Select>
        </div>
      </CardContent>
    </Card>
  );
}

/** Fetches the image only once the row scrolls near the viewport. */
function Thumbnail({ path }: { path: string }) {
  const ref = useRef<HTMLDivElement>(null);
  const [seen, setSeen] = useState(false);
  useEffect(() => {
    const el = ref.current;
    if (!el || seen) return;
    if (typeof IntersectionObserver === 'undefined') {
      setSeen(true);
      return;
    }
    const io = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting)) {
        setSeen(true);
        io.disconnect();
      }
    }, { rootMargin: '200px' });
    io.observe(el);
    return () => io.disconnect();
  }, [seen]);
  const img = useApiBlobUrl(seen ? path : null);
  return (
    <div ref={ref} className="flex size-12 items-center justify-center overflow-hidden rounded border bg-muted">
      {img.data ? <img src={img.data} alt="" className="size-full object-cover" decoding="async" data-testid="thumbnail" /> : img.isError ? <ImageOff className="size-4 text-muted-foreground" aria-hidden="true" /> : null}
    </div>
  );
}

function VerdictBadge({ verdict, label }: { verdict: 'pass' | 'reject'; label: string }) {
  return (
    <span className="flex flex-wrap items-center gap-1.5">
      <Badge variant={verdict === 'pass' ? 'good' : 'bad'} className="whitespace-nowrap">{verdict === 'pass' ? 'Pass' : 'Reject'}</Badge>
      <span className="text-sm">{label}</span>
    </span>
  );
}

function HistoryRow({ inspection: i, onReviewer }: { inspection: Inspection; onReviewer: (subject: string) => void }) {
  const review = i.review;
  const outcome = outcomeOf(i, review);
  return (
    <tr className="hover:bg-muted/50" data-testid="history-row" data-inspection-id={i.id} data-outcome={outcome}>
      <Td>
        <Thumbnail path={i.links.image} />
      </Td>
      <Td className="max-w-56">
        <Link to="/inspections/$inspectionId" params={{ inspectionId: i.id }} className="block truncate font-medium text-primary underline-offset-4 hover:underline focus-visible:outline-2 focus-visible:outline-ring">
          {i.image.name ?? `Inspection ${i.id.slice(0, 8)}`}
        </Link>
        <span className="text-xs text-muted-foreground">{dateTime(i.createdAt)}</span>
        {i.referred ? <Badge variant="secondary" className="ml-2">Referred</Badge> : null}
        <span className="block truncate text-xs text-muted-foreground xl:hidden">
          {i.model.name} {i.model.version}
        </span>
      </Td>
      <Td className="hidden xl:table-cell">
        <span className="block">{i.model.name}</span>
        <span className="text-xs text-muted-foreground">{i.model.version}</span>
      </Td>
      <Td data-testid="prediction">
        <VerdictBadge verdict={i.verdict} label={i.label} />
        <span className="text-xs text-muted-foreground">{percent(i.score)} sure</span>
      </Td>
      <Td data-testid="ground-truth">
        {review ? (
          <>
            <VerdictBadge verdict={review.verdict} label={review.label} />
            <span className="text-xs text-muted-foreground">
              by{' '}
              <button
                type="button"
                className="underline-offset-4 hover:underline focus-visible:outline-2 focus-visible:outline-ring"
                title={`Show the inspections ${review.reviewer.name ?? review.reviewer.subject} reviewed last`}
                onClick={() => onReviewer(review.reviewer.subject)}
              >
                {review.reviewer.name ?? review.reviewer.subject}
              </button>
            </span>
          </>
        ) : (
          <span className="text-sm text-muted-foreground">Not reviewed</span>
        )}
      </Td>
      <Td>
        <Badge variant={OUTCOME_VARIANT[outcome]} className="whitespace-nowrap">{OUTCOME_LABEL[outcome]}</Badge>
      </Td>
      <Td className="text-right tabular-nums">{num(i.defectScore, 3)}</Td>
      <Td className="text-right tabular-nums">{num(uncertaintyOf(i), 3)}</Td>
    </tr>
  );
}

const HistoryRowMemo = memo(HistoryRow);
