import { Image as ImageIcon, Play, Settings2 } from 'lucide-react';
import { useEffect, useId, useRef, useState } from 'react';
import type { FormEvent } from 'react';
import { duration } from '../../shared/lib/format.ts';
import { useApiBlobUrl } from '../../shared/lib/use-api-blob.ts';
import { Badge } from '../../shared/ui/badge.tsx';
import { Button } from '../../shared/ui/button.tsx';
import { Field, Input, Select } from '../../shared/ui/form.tsx';
import { ErrorMessage, Skeleton, Spinner } from '../../shared/ui/states.tsx';
import { agreementReading, completenessReading, isFast, methodInfo, paramEntries, parseSettings, qualityReadings } from './explain-methods.ts';
import type { Reading } from './explain-methods.ts';
import { JobProgress } from './JobProgress.tsx';
import { ReadingList } from './Readings.tsx';
import type { Explanation } from './types.ts';
import type { RunState } from './use-explanations.ts';

/** The colour scale of the stored overlays (jet by default), low to high. */
const COLORMAP_CSS: Record<string, string> = {
  jet: 'linear-gradient(to right, #00007f, #0000ff, #007fff, #00ffff, #7fff7f, #ffff00, #ff7f00, #ff0000, #7f0000)',
  viridis: 'linear-gradient(to right, #440154, #3b528b, #21918c, #5ec962, #fde725)',
  inferno: 'linear-gradient(to right, #000004, #420a68, #932667, #dd513a, #fca50a, #fcffa4)',
  turbo: 'linear-gradient(to right, #30123b, #4662d7, #36aaf9, #1ae4b6, #72fe5e, #c8ef34, #faba39, #f66b19, #ca2a04, #7a0403)',
};

/** A heatmap image of the API (fetched with the session's token), reserving its size while it loads. */
export function HeatmapImage({ path, alt, width, height, className }: { path: string; alt: string; width: number; height: number; className?: string }) {
  const url = useApiBlobUrl(path);
  if (url.error) return <ErrorMessage error={url.error} />;
  if (!url.data) return <Skeleton className={className ?? 'aspect-square w-full'} />;
  return <img src={url.data} alt={alt} width={width} height={height} className={className} style={{ imageRendering: Math.max(width, height) < 256 ? 'pixelated' : undefined }} />;
}

/** The colour scale under a heatmap: what low and high mean. */
export function ColorScale({ colormap, target, compact = false }: { colormap: string; target: string; compact?: boolean }) {
  return (
    <div className="flex flex-col gap-1" aria-hidden="true">
      <div className="h-2 w-full rounded-sm" style={{ background: COLORMAP_CSS[colormap] ?? COLORMAP_CSS.jet }} />
      <div className="flex justify-between text-xs text-muted-foreground">
        <span>{compact ? 'low' : 'no evidence'}</span>
        <span>{compact ? 'high' : `strong evidence for ${target}`}</span>
      </div>
    </div>
  );
}

/** What a result explains, in words. */
export function targetText(e: Explanation): string {
  const name = e.target.label ?? `output ${e.target.index}`;
  return name;
}

/** Props of {@link MethodView}. */
export interface MethodViewProps {
  method: string;
  explanation: Explanation | undefined;
  run: RunState | undefined;
  /** The stored list has loaded (so a missing result is really missing). */
  ready: boolean;
  canRun: boolean;
  /** Compute this method (with settings) for the current target. */
  onRequest: (params?: Record<string, number | string>) => void;
  onShowHeatmap?: (explanationId: string) => void;
  /** Ask for the method as soon as the view opens when nothing is stored. */
  autoRun?: boolean;
  /** Smaller layout for side-by-side mode. */
  compact?: boolean;
  /** Agreement with the shown consensus, when the result itself does not carry one. */
  agreement?: number;
}

/** One method's result (overlay, figures, parameters) or its progress, or how to compute it. */
export function MethodView({ method, explanation: e, run, ready, canRun, onRequest, onShowHeatmap, autoRun = false, compact = false, agreement: agreementFallback }: MethodViewProps) {
  const info = methodInfo(method);
  const asked = useRef(false);
  const [editing, setEditing] = useState(false);
  useEffect(() => {
    if (autoRun && canRun && ready && !e && !run && !asked.current) {
      asked.current = true;
      onRequest();
    }
  }, [autoRun, canRun, ready, e, run, onRequest]);

  const busy = run?.status === 'requesting' || run?.status === 'job';
  const readings: Reading[] = [];
  const agreement = typeof e?.agreement === 'number' ? e.agreement : agreementFallback;
  if (e) {
    const c = completenessReading(e.method, e.completenessError, e.extras);
    if (c) readings.push(c);
    if (agreement !== undefined) readings.push(agreementReading(agreement));
    readings.push(...qualityReadings(e.quality));
  }
  const Heading = compact ? 'h4' : 'h3';

  return (
    <article className="flex flex-col gap-3" data-testid={`method-${method}`} data-state={e ? 'ready' : busy ? 'running' : run?.status === 'error' ? 'error' : 'empty'} aria-busy={busy}>
      <header className="flex flex-col gap-1">
        <div className="flex flex-wrap items-center gap-2">
          <Heading className={compact ? 'text-sm font-semibold' : 'text-base font-semibold'}>{info.label}</Heading>
          {!compact ? <Badge variant="outline">{isFast(method) ? 'answers at once' : 'runs in the background'}</Badge> : null}
        </div>
        {!compact ? <p className="text-sm text-muted-foreground">{info.what}</p> : null}
      </header>

      {run?.status === 'requesting' ? <Spinner label={`Asking for ${info.label}\u2026`} /> : null}
      {run?.status === 'job' ? <JobProgress jobId={run.jobId} label={info.label} canCancel={canRun && !compact} /> : null}
      {run?.status === 'error' ? <ErrorMessage error={run.error} /> : null}

      {e ? (
        <div className={compact ? 'flex flex-col gap-2' : 'grid gap-4 md:grid-cols-[minmax(0,18rem)_1fr]'}>
          <figure className="flex flex-col gap-2">
            <HeatmapImage
              path={e.links.overlay}
              alt={`${info.label} heatmap over the image, explaining ${targetText(e)}`}
              width={e.width}
              height={e.height}
              className="aspect-square w-full rounded-md border bg-muted object-contain"
            />
            <ColorScale colormap={e.colormap} target={targetText(e)} compact={compact} />
            <figcaption className="text-xs text-muted-foreground">
              Explains <span className="font-medium text-foreground">{targetText(e)}</span> ({e.target.reason}){' \u00b7 '}{duration(e.runtimeMs)}{' \u00b7 '}{e.evaluations} model run{e.evaluations === 1 ? '' : 's'}
            </figcaption>
          </figure>
          <div className="flex min-w-0 flex-col gap-3">
            {e.degenerate ? (
              <p role="note" className="rounded-md border border-warning/40 bg-warning/10 p-2 text-sm">
                This map carries no explanation ({e.degenerate.reason}): {e.degenerate.message}. It is left out of the consensus.
              </p>
            ) : null}
            {!compact ? <ReadingList readings={readings} testId={`readings-${method}`} /> : agreement !== undefined ? <ReadingList readings={[{ ...agreementReading(agreement), label: 'Agreement' }]} /> : null}
            {!compact ? <Parameters e={e} /> : null}
            <div className="flex flex-wrap gap-2">
              {onShowHeatmap ? (
                <Button variant="secondary" size="sm" onClick={() => onShowHeatmap(e.id)}>
                  <ImageIcon aria-hidden="true" />
                  Show on image
                  <span className="sr-only">: {info.label}</span>
                </Button>
              ) : null}
              {!compact && canRun && info.settings.length ? (
                <Button variant="outline" size="sm" onClick={() => setEditing((v) => !v)} aria-expanded={editing}>
                  <Settings2 aria-hidden="true" />
                  Other settings
                </Button>
              ) : null}
            </div>
            {editing && !compact ? (
              <SettingsForm
                method={method}
                used={e.params}
                busy={busy}
                onSubmit={(params) => {
                  setEditing(false);
                  onRequest(params);
                }}
              />
            ) : null}
          </div>
        </div>
      ) : !busy && run?.status !== 'error' ? (
        !ready ? (
          <Skeleton className={compact ? 'aspect-square w-full' : 'h-48 w-full max-w-72'} />
        ) : canRun ? (
          <div className="flex flex-col items-start gap-2 rounded-md border border-dashed p-4">
            <p className="text-sm text-muted-foreground">{isFast(method) ? 'Not computed yet. It takes about a second.' : 'Not computed yet. It runs in the background; the page stays usable.'}</p>
            <Button size="sm" onClick={() => onRequest()}>
              <Play aria-hidden="true" />
              Compute {info.label}
            </Button>
          </div>
        ) : (
          <p className="rounded-md border border-dashed p-4 text-sm text-muted-foreground">Not computed yet. An operator can compute this explanation.</p>
        )
      ) : null}
      {run?.status === 'error' && canRun ? (
        <div>
          <Button size="sm" variant="outline" onClick={() => onRequest()}>
            Try again
          </Button>
        </div>
      ) : null}
    </article>
  );
}

function Parameters({ e }: { e: Explanation }) {
  const entries = paramEntries(e.params);
  return (
    <div className="flex flex-col gap-1">
      <h4 className="text-sm font-medium">Parameters</h4>
      <dl className="grid grid-cols-[auto_1fr] gap-x-3 gap-y-0.5 text-sm">
        {entries.map(([k, v]) => (
          <div key={k} className="contents">
            <dt className="font-mono text-xs leading-5 text-muted-foreground">{k}</dt>
            <dd className="break-all font-mono text-xs leading-5">{v}</dd>
          </div>
        ))}
        <div className="contents">
          <dt className="font-mono text-xs leading-5 text-muted-foreground">seed</dt>
          <dd className="font-mono text-xs leading-5">{e.seed}</dd>
        </div>
        <div className="contents">
          <dt className="font-mono text-xs leading-5 text-muted-foreground">runtime</dt>
          <dd className="font-mono text-xs leading-5">{duration(e.runtimeMs)}</dd>
        </div>
      </dl>
      {entries.length === 0 ? <p className="text-xs text-muted-foreground">This method has no parameters.</p> : null}
    </div>
  );
}

function SettingsForm({ method, used, busy, onSubmit }: { method: string; used: Record<string, unknown>; busy: boolean; onSubmit: (params: Record<string, number | string>) => void }) {
  const info = methodInfo(method);
  const [values, setValues] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | undefined>();
  const formId = useId();
  const submit = (ev: FormEvent) => {
    ev.preventDefault();
    const r = parseSettings(method, values);
    if ('error' in r) return setError(r.error);
    setError(undefined);
    onSubmit(r.params);
  };
  return (
    <form onSubmit={submit} className="flex flex-col gap-3 rounded-md border p-3" aria-labelledby={`${formId}-title`}>
      <p id={`${formId}-title`} className="text-sm font-medium">
        Run {info.label} with other settings
      </p>
      <div className="grid gap-3 sm:grid-cols-2">
        {info.settings.map((s) => (
          <Field key={s.name} label={s.label} hint={`${s.hint}. Used: ${used[s.name] === undefined ? 'default' : String(used[s.name])}.`}>
            {(p) =>
              s.kind === 'enum' ? (
                <Select {...p} value={values[s.name] ?? ''} onChange={(ev) => setValues((v) => ({ ...v, [s.name]: ev.target.value }))}>
                  <option value="">default</option>
                  {s.values?.map((o) => (
                    <option key={o} value={o}>
                      {o}
                    </option>
                  ))}
                </Select>
              ) : (
                <Input
                  {...p}
                  inputMode={s.kind === 'integer' ? 'numeric' : 'decimal'}
                  placeholder={used[s.name] === undefined ? 'default' : String(used[s.name])}
                  value={values[s.name] ?? ''}
                  onChange={(ev) => setValues((v) => ({ ...v, [s.name]: ev.target.value }))}
                />
              )
            }
          </Field>
        ))}
      </div>
      {error ? (
        <p role="alert" className="text-sm text-destructive">
          {error}
        </p>
      ) : null}
      <div>
        <Button type="submit" size="sm" disabled={busy}>
          <Play aria-hidden="true" />
          Run
        </Button>
      </div>
    </form>
  );
}
