/**
 * Inspect: choose a model, drop or pick images or a whole folder; each file goes to
 * `POST /detect` (a few at a time) and its verdict appears as soon as it finishes. The
 * selected result shows in the image viewer with its layers, with a link to the full
 * inspection. The queue lives outside the page, so results are still there after a visit
 * to an inspection. Keyboard: j / k or the arrow keys move through the list when it has
 * focus.
 */
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { isXaiQcApiError } from '@xai-qc/client';
import type { components } from '@xai-qc/client';
import { ExternalLink, FolderOpen, ImageOff, ImagePlus, Loader2, RotateCw, Trash2, Upload } from 'lucide-react';
import { memo, useCallback, useDeferredValue, useEffect, useId, useMemo, useRef, useState, useSyncExternalStore } from 'react';
import type { DragEvent, KeyboardEvent } from 'react';
import { api, postForm } from '../../app/api.ts';
import { cn } from '../../shared/lib/cn.ts';
import { describeError } from '../../shared/lib/error-sentences.ts';
import { duration, percent } from '../../shared/lib/format.ts';
import { Badge } from '../../shared/ui/badge.tsx';
import { Button, buttonVariants } from '../../shared/ui/button.tsx';
import { Label, Select } from '../../shared/ui/form.tsx';
import { EmptyState, ErrorMessage, PageHeader, Skeleton, Spinner } from '../../shared/ui/states.tsx';
import { ImageViewer } from '../../shared/viewer/index.ts';
import { DetectQueue } from './detect-queue.ts';
import type { QueueItem } from './detect-queue.ts';
import { IMAGE_ACCEPT, imagesFromDrop, imagesFromFileList } from './dropped-files.ts';
import type { PickedFile } from './dropped-files.ts';

type Inspection = components['schemas']['Inspection'];
type Model = components['schemas']['Model'];

/** What one queue entry sends. */
interface DetectInput {
  file: File;
  model: string;
}

type Item = QueueItem<DetectInput, Inspection>;

const MODEL_KEY = 'xqc-inspect-model';
/** Files sent to the server at once. */
const CONCURRENCY = 3;

let queue: DetectQueue<DetectInput, Inspection> | undefined;
let lastSelected: string | null = null;

function useQueue(): DetectQueue<DetectInput, Inspection> {
  const queryClient = useQueryClient();
  queue ??= new DetectQueue<DetectInput, Inspection>({
    concurrency: CONCURRENCY,
    run: ({ file, model }, signal) => {
      const form = new FormData();
      form.append('image', file, file.name);
      return postForm<Inspection>('/detect', form, { signal, query: { model } });
    },
    tally: (r) => r.verdict,
    retryable: (e) => isXaiQcApiError(e) && (e.code === 'XQC_INFERENCE_OVERLOADED' || e.status === 429),
    onResult: (item) => {
      // the inspection page opens at once, without asking again
      if (item.result) queryClient.setQueryData(['inspection', item.result.id], item.result);
    },
  });
  return queue;
}

function verdictBadge(verdict: Inspection['verdict']) {
  return verdict === 'reject' ? <Badge variant="bad">Reject</Badge> : <Badge variant="good">Pass</Badge>;
}

/** One observer for every thumbnail: a row's object URL is made only when it comes near the screen. */
const thumbWatchers = new WeakMap<Element, () => void>();
let thumbObserver: IntersectionObserver | undefined;
function watchThumb(el: Element, onVisible: () => void): () => void {
  thumbObserver ??= new IntersectionObserver(
    (entries) => {
      for (const e of entries) {
        if (!e.isIntersecting) continue;
        thumbWatchers.get(e.target)?.();
        thumbWatchers.delete(e.target);
        thumbObserver!.unobserve(e.target);
      }
    },
    { rootMargin: '300px' },
  );
  thumbWatchers.set(el, onVisible);
  thumbObserver.observe(el);
  return () => {
    thumbWatchers.delete(el);
    thumbObserver?.unobserve(el);
  };
}

/** A local thumbnail of the file (its object URL made and the image decoded only when the row is near the screen). */
function Thumb({ file }: { file: File }) {
  const ref = useRef<HTMLSpanElement>(null);
  const [near, setNear] = useState(false);
  const [url, setUrl] = useState<string>();
  const [broken, setBroken] = useState(false);
  useEffect(() => (ref.current ? watchThumb(ref.current, () => setNear(true)) : undefined), []);
  useEffect(() => {
    if (!near) return;
    const u = URL.createObjectURL(file);
    setUrl(u);
    return () => URL.revokeObjectURL(u);
  }, [file, near]);
  return (
    <span ref={ref} className="flex size-12 shrink-0 items-center justify-center overflow-hidden rounded bg-muted" aria-hidden="true">
      {broken ? <ImageOff className="size-5 text-muted-foreground" /> : url ? <img src={url} alt="" width={48} height={48} decoding="async" onError={() => setBroken(true)} className="size-12 object-cover" /> : null}
    </span>
  );
}

const Row = memo(function Row({ q, itemKey, selected, onSelect, domId }: { q: DetectQueue<DetectInput, Inspection>; itemKey: string; selected: boolean; onSelect: (key: string) => void; domId: string }) {
  const subscribe = useCallback((l: () => void) => q.subscribeItem(itemKey, l), [q, itemKey]);
  const item = useSyncExternalStore(subscribe, () => q.item(itemKey), () => q.item(itemKey));
  if (!item) return null;
  const r = item.result;
  return (
    <li
      id={domId}
      role="option"
      aria-selected={selected}
      onClick={() => onSelect(itemKey)}
      className={cn(
        'flex min-h-16 w-60 shrink-0 cursor-pointer items-center gap-3 rounded-md border border-transparent px-2 py-1.5 [contain-intrinsic-size:auto_64px] [content-visibility:auto] hover:bg-muted xl:w-auto',
        selected && 'border-primary bg-primary/5 hover:bg-primary/5',
      )}
      data-testid="inspect-item"
      data-status={item.status}
    >
      <Thumb file={item.input.file} />
      <div className="flex min-w-0 flex-1 flex-col gap-1">
        <span className="truncate text-sm font-medium" title={item.name}>
          {item.name}
        </span>
        <span className="flex flex-wrap items-center gap-x-2 gap-y-0.5 text-xs text-muted-foreground">
          {item.status === 'queued' ? 'Waiting' : null}
          {item.status === 'running' ? (
            <span className="inline-flex items-center gap-1">
              <Loader2 className="size-3 animate-spin" aria-hidden="true" />
              Inspecting{item.attempts > 1 ? ` (try ${item.attempts})` : ''}
            </span>
          ) : null}
          {item.status === 'failed' ? (
            <>
              <Badge variant="bad">Failed</Badge>
              <span className="truncate">{describeError(item.error).title}</span>
            </>
          ) : null}
          {r ? (
            <>
              {verdictBadge(r.verdict)}
              <span className="truncate text-foreground">{r.label}</span>
              <span className="tabular-nums">{percent(r.score)}</span>
              {r.referred ? <Badge variant="outline">Review</Badge> : null}
            </>
          ) : null}
        </span>
      </div>
    </li>
  );
});

function Counts({ q }: { q: DetectQueue<DetectInput, Inspection> }) {
  const c = useSyncExternalStore(q.subscribeCounts, q.counts, q.counts);
  if (!c.total) return null;
  const finished = c.done + c.failed;
  return (
    <div className="flex flex-col gap-1.5">
      <p className="flex flex-wrap gap-x-3 text-sm" aria-live="polite" data-testid="inspect-counts">
        <span>
          {finished} of {c.total} done
        </span>
        {c.tally.reject ? <span className="text-destructive">{c.tally.reject} reject</span> : null}
        {c.tally.pass ? <span className="text-success">{c.tally.pass} pass</span> : null}
        {c.failed ? <span className="text-warning">{c.failed} failed</span> : null}
      </p>
      <div className="h-1.5 overflow-hidden rounded-full bg-secondary" role="progressbar" aria-label="Inspected" aria-valuemin={0} aria-valuemax={c.total} aria-valuenow={finished}>
        <div className="h-full bg-primary transition-[width]" style={{ width: `${(finished / c.total) * 100}%` }} />
      </div>
    </div>
  );
}

function SelectedResult({ q, itemKey }: { q: DetectQueue<DetectInput, Inspection>; itemKey: string }) {
  const subscribe = useCallback((l: () => void) => q.subscribeItem(itemKey, l), [q, itemKey]);
  const item: Item | undefined = useSyncExternalStore(subscribe, () => q.item(itemKey), () => q.item(itemKey));
  if (!item) return null;
  if (item.status === 'failed') {
    return (
      <ErrorMessage
        error={item.error}
        action={
          <div>
            <Button variant="outline" size="sm" onClick={() => q.retry(itemKey)}>
              <RotateCw aria-hidden="true" />
              Try {item.name} again
            </Button>
          </div>
        }
      />
    );
  }
  const r = item.result;
  if (!r) {
    return (
      <div className="flex flex-col gap-3">
        <Spinner label={item.status === 'queued' ? `${item.name} is waiting its turn` : `Inspecting ${item.name}`} />
        <Skeleton className="h-[clamp(18rem,calc(100dvh-22rem),52rem)]" />
      </div>
    );
  }
  return (
    <div className="flex min-w-0 flex-col gap-3">
      <div className="flex flex-wrap items-center gap-x-4 gap-y-2 rounded-lg border bg-card px-3 py-2" data-testid="inspect-verdict">
        <span className="text-lg">{verdictBadge(r.verdict)}</span>
        <span className="text-sm">
          <span className="font-medium">{r.label}</span> <span className="tabular-nums text-muted-foreground">{percent(r.score)}</span>
        </span>
        <span className="text-sm text-muted-foreground">
          Defect score <span className="tabular-nums text-foreground">{r.defectScore.toFixed(3)}</span>
        </span>
        {r.findings.length ? <span className="text-sm text-muted-foreground">{r.findings.length} finding{r.findings.length === 1 ? '' : 's'}</span> : null}
        {r.referred ? <Badge variant="warn">Sent to review</Badge> : null}
        <span className="text-xs text-muted-foreground max-xl:hidden">
          {r.model.name} {r.model.version} &middot; {duration(r.latency.totalMs)}
        </span>
        <Link to="/inspections/$inspectionId" params={{ inspectionId: r.id }} className={cn(buttonVariants({ variant: 'outline', size: 'sm' }), 'ml-auto h-10')}>
          <ExternalLink aria-hidden="true" />
          Open inspection
        </Link>
      </div>
      <ImageViewer inspection={r} stateKey="inspect" noHeatmapHint="Open the inspection to compute explanations; their heatmaps then show here." />
    </div>
  );
}

/** Scrolls the list (only the list, never the window) so that `el` is inside it. */
function scrollIntoList(el: HTMLElement, list: HTMLElement): void {
  const r = el.getBoundingClientRect();
  const l = list.getBoundingClientRect();
  if (r.top < l.top) list.scrollTop -= l.top - r.top + 4;
  else if (r.bottom > l.bottom) list.scrollTop += r.bottom - l.bottom + 4;
  if (r.left < l.left) list.scrollLeft -= l.left - r.left + 4;
  else if (r.right > l.right) list.scrollLeft += r.right - l.right + 4;
}

/** Inspect. */
export default function InspectPage() {
  const q = useQueue();
  const keys = useSyncExternalStore(q.subscribeKeys, q.keys, q.keys);
  // a drop of hundreds of files renders its rows in interruptible slices, not one long task
  const shownKeys = useDeferredValue(keys);
  const [selected, setSelectedState] = useState<string | null>(() => (lastSelected && q.item(lastSelected) ? lastSelected : null));
  const setSelected = useCallback((k: string | null) => {
    lastSelected = k;
    setSelectedState(k);
  }, []);
  const listId = useId();
  const modelId = useId();
  const filesRef = useRef<HTMLInputElement>(null);
  const folderRef = useRef<HTMLInputElement>(null);
  const [dragging, setDragging] = useState(false);
  const [dropError, setDropError] = useState<unknown>(null);
  const [notice, setNotice] = useState<string | null>(null);

  const models = useQuery({
    queryKey: ['models'],
    queryFn: async ({ signal }) => {
      const { data, error } = await api.GET('/api/xai-qc/models', { signal });
      if (error) throw error;
      return data.items;
    },
  });
  const active = useMemo(() => (models.data ?? []).filter((m: Model) => m.activeVersionId), [models.data]);
  const [modelChoice, setModelChoice] = useState<string>(() => localStorage.getItem(MODEL_KEY) ?? '');
  const model = active.find((m) => m.name === modelChoice) ?? active[0];

  // select the first result when nothing is selected yet
  useEffect(() => {
    if (selected && q.item(selected)) return;
    const pick = () => {
      const first = q.keys().find((k) => q.item(k)?.status === 'done') ?? null;
      if (first) setSelected(first);
      return !!first;
    };
    if (pick()) return;
    return q.subscribeCounts(() => void pick());
  }, [q, selected, setSelected, keys]);

  const enqueue = useCallback(
    (files: PickedFile[], skipped: number) => {
      if (!model) return;
      setNotice(
        files.length
          ? `${files.length} image${files.length === 1 ? '' : 's'} added${skipped ? `; ${skipped} other file${skipped === 1 ? '' : 's'} skipped` : ''}.`
          : 'No images found in what was dropped. Use PNG, JPEG, TIFF, WebP, BMP or GIF files.',
      );
      q.add(files.map((f) => ({ input: { file: f.file, model: model.name }, name: f.path })));
    },
    [q, model],
  );

  const onPick = (list: FileList | null) => {
    if (!list) return;
    const all = Array.from(list);
    const images = imagesFromFileList(all);
    enqueue(images, all.length - images.length);
  };

  const onDrop = async (e: DragEvent) => {
    e.preventDefault();
    setDragging(false);
    setDropError(null);
    try {
      const count = e.dataTransfer.files.length;
      const images = await imagesFromDrop(e.dataTransfer);
      enqueue(images, Math.max(0, count - images.length));
    } catch (err) {
      setDropError(err);
    }
  };

  const index = selected ? keys.indexOf(selected) : -1;
  const move = (delta: number) => {
    if (!keys.length) return;
    const next = index < 0 ? 0 : Math.min(keys.length - 1, Math.max(0, index + delta));
    setSelected(keys[next]!);
    // keyboard moves bring the row into view (clicks need not: the row is under the pointer)
    requestAnimationFrame(() => {
      const el = document.getElementById(`${listId}-${keys[next]!}`);
      const list = el?.parentElement;
      if (el && list) scrollIntoList(el, list);
    });
  };
  const onListKey = (e: KeyboardEvent<HTMLUListElement>) => {
    const map: Record<string, () => void> = {
      j: () => move(1),
      ArrowDown: () => move(1),
      ArrowRight: () => move(1),
      k: () => move(-1),
      ArrowUp: () => move(-1),
      ArrowLeft: () => move(-1),
      Home: () => move(-keys.length),
      End: () => move(keys.length),
    };
    const f = map[e.key];
    if (f && !e.ctrlKey && !e.metaKey && !e.altKey) {
      e.preventDefault();
      f();
    }
  };

  const noModel = models.isSuccess && active.length === 0;

  return (
    <div
      className="relative"
      onDragOver={(e) => {
        if (!model) return;
        e.preventDefault();
        e.dataTransfer.dropEffect = 'copy';
        setDragging(true);
      }}
      onDragLeave={(e) => {
        if (e.currentTarget === e.target || !e.currentTarget.contains(e.relatedTarget as Node | null)) setDragging(false);
      }}
      onDrop={(e) => void onDrop(e)}
    >
      <PageHeader
        title="Inspect"
        description="Drop images or a whole folder; each verdict appears as soon as its image is inspected."
        actions={
          <div className="flex flex-wrap items-end gap-2">
            <div className="flex flex-col gap-1.5">
              <Label htmlFor={modelId}>Model</Label>
              {models.isPending ? (
                <Skeleton className="h-10 w-72" />
              ) : (
                <Select
                  id={modelId}
                  className="w-72"
                  value={model?.name ?? ''}
                  disabled={!active.length}
                  onChange={(e) => {
                    setModelChoice(e.target.value);
                    localStorage.setItem(MODEL_KEY, e.target.value);
                  }}
                >
                  {active.length ? null : <option value="">No active model</option>}
                  {active.map((m) => (
                    <option key={m.id} value={m.name}>
                      {m.name} {m.activeVersion ? `(${m.activeVersion})` : ''}
                    </option>
                  ))}
                </Select>
              )}
            </div>
            <Button onClick={() => filesRef.current?.click()} disabled={!model}>
              <ImagePlus aria-hidden="true" />
              Choose images
            </Button>
            <Button variant="outline" onClick={() => folderRef.current?.click()} disabled={!model}>
              <FolderOpen aria-hidden="true" />
              Choose folder
            </Button>
          </div>
        }
      />
      <input
        ref={filesRef}
        type="file"
        multiple
        accept={IMAGE_ACCEPT}
        className="hidden"
        aria-label="Images to inspect"
        data-testid="inspect-files"
        onChange={(e) => {
          onPick(e.target.files);
          e.target.value = '';
        }}
      />
      <input
        ref={folderRef}
        type="file"
        multiple
        className="hidden"
        aria-label="Folder of images to inspect"
        data-testid="inspect-folder"
        {...{ webkitdirectory: '', directory: '' }}
        onChange={(e) => {
          onPick(e.target.files);
          e.target.value = '';
        }}
      />
      {models.isError ? <ErrorMessage error={models.error} className="mb-4" /> : null}
      {noModel ? (
        <EmptyState
          title="No model is active"
          action={
            <Link to="/models" className={buttonVariants({ variant: 'outline' })}>
              Go to Models
            </Link>
          }
        >
          Inspecting needs an active model version. Upload or activate one on the Models page.
        </EmptyState>
      ) : null}
      {dropError ? <ErrorMessage error={dropError} className="mb-4" /> : null}
      {notice ? (
        <p className="sr-only" role="status">
          {notice}
        </p>
      ) : null}

      {!noModel && keys.length === 0 ? (
        <button
          type="button"
          onClick={() => filesRef.current?.click()}
          disabled={!model}
          className={cn(
            'flex min-h-72 w-full flex-col items-center justify-center gap-3 rounded-lg border-2 border-dashed p-8 text-center transition-colors hover:bg-accent/40',
            dragging && 'border-primary bg-accent',
          )}
          data-testid="inspect-dropzone"
        >
          <Upload className="size-10 text-muted-foreground" aria-hidden="true" />
          <span className="text-lg font-medium">Drop images or a folder here</span>
          <span className="max-w-prose text-sm text-muted-foreground">
            Or press to choose images. PNG, JPEG, TIFF, WebP, BMP and GIF are read{model ? `; ${model.name} inspects them` : ''}, {CONCURRENCY} at a time. Verdicts appear here as each one
            finishes.
          </span>
        </button>
      ) : null}

      {keys.length ? (
        <div className="grid min-w-0 gap-4 xl:grid-cols-[18rem_minmax(0,1fr)]">
          <section aria-label="Inspected images" className="flex min-w-0 flex-col gap-2 xl:sticky xl:top-4 xl:max-h-[calc(100dvh-14rem)] xl:self-start">
            <Counts q={q} />
            <div className="flex gap-2">
              <Button
                variant="ghost"
                size="sm"
                className="h-10"
                onClick={() => {
                  q.clear();
                  setSelected(null);
                  setNotice(null);
                }}
              >
                <Trash2 aria-hidden="true" />
                Clear list
              </Button>
              <span className={cn('ml-auto self-center text-xs text-muted-foreground', dragging && 'text-primary')}>{dragging ? 'Drop to add' : 'Drop more to add'}</span>
            </div>
            <ul
              role="listbox"
              aria-label="Inspected images (j and k move)"
              tabIndex={0}
              aria-activedescendant={selected ? `${listId}-${selected}` : undefined}
              onKeyDown={onListKey}
              className={cn('flex gap-1 overflow-x-auto rounded-lg border bg-card p-1 xl:min-h-0 xl:flex-1 xl:flex-col xl:overflow-y-auto xl:overflow-x-hidden', dragging && 'border-primary')}
              data-testid="inspect-list"
            >
              {shownKeys.map((k) => (
                <Row key={k} q={q} itemKey={k} selected={k === selected} onSelect={setSelected} domId={`${listId}-${k}`} />
              ))}
            </ul>
          </section>
          <section aria-label="Selected image" className="min-w-0">
            {selected ? (
              <SelectedResult q={q} itemKey={selected} />
            ) : (
              <div className="flex flex-col gap-3">
                <Spinner label="Waiting for the first verdict" />
                <Skeleton className="h-[clamp(18rem,calc(100dvh-22rem),52rem)]" />
              </div>
            )}
          </section>
        </div>
      ) : null}
      {dragging && keys.length ? <div className="pointer-events-none absolute inset-0 rounded-lg border-2 border-dashed border-primary bg-primary/5" aria-hidden="true" /> : null}
    </div>
  );
}
