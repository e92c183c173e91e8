import { AlertTriangle, Inbox, Loader2 } from 'lucide-react';
import type { ReactNode } from 'react';
import { describeError } from '../lib/error-sentences.ts';
import type { ErrorView } from '../lib/error-sentences.ts';
import { cn } from '../lib/cn.ts';

/** A spinner with a text for screen readers. */
export function Spinner({ label = 'Loading', className }: { label?: string; className?: string }) {
  return (
    <span role="status" className={cn('inline-flex items-center gap-2 text-sm text-muted-foreground', className)}>
      <Loader2 className="size-4 animate-spin" aria-hidden="true" />
      <span>{label}</span>
    </span>
  );
}

/** Placeholder blocks while data loads (the page keeps its shape; nothing freezes). */
export function Skeleton({ className }: { className?: string }) {
  return <div aria-hidden="true" className={cn('animate-pulse rounded-md bg-muted', className)} />;
}

/** What to show when a list is empty: what it is and what to do next. */
export function EmptyState({ title, children, action, className }: { title: string; children?: ReactNode; action?: ReactNode; className?: string }) {
  return (
    <div className={cn('flex flex-col items-center gap-2 rounded-lg border border-dashed p-8 text-center', className)}>
      <Inbox className="size-8 text-muted-foreground" aria-hidden="true" />
      <p className="font-medium">{title}</p>
      {children ? <div className="max-w-prose text-sm text-muted-foreground">{children}</div> : null}
      {action}
    </div>
  );
}

/**
 * An error as a sentence, the server's detail, the field errors and the request id.
 * `describe` turns the error into those parts (default: the shared table, `describeError`).
 */
export function ErrorMessage({ error, className, action, describe = describeError }: { error: unknown; className?: string; action?: ReactNode; describe?: (error: unknown) => ErrorView }) {
  const v = describe(error);
  return (
    <div role="alert" className={cn('flex gap-3 rounded-md border border-destructive/40 bg-destructive/10 p-3 text-sm', className)}>
      <AlertTriangle className="mt-0.5 size-4 shrink-0 text-destructive" aria-hidden="true" />
      <div className="flex flex-col gap-1">
        <p className="font-medium">{v.title}</p>
        {v.detail ? <p>{v.detail}</p> : null}
        {v.fields.length ? (
          <ul className="list-disc pl-4">
            {v.fields.map((f, i) => (
              <li key={i}>
                <span className="font-mono text-xs">{f.field}</span>: {f.message}
              </li>
            ))}
          </ul>
        ) : null}
        {v.code || v.requestId ? (
          <p className="text-xs text-muted-foreground">
            {v.code}
            {v.requestId ? ` \u00b7 request ${v.requestId}` : ''}
          </p>
        ) : null}
        {action}
      </div>
    </div>
  );
}

/** A page's title row with actions on the right. */
export function PageHeader({ title, description, actions }: { title: string; description?: ReactNode; actions?: ReactNode }) {
  return (
    <div className="mb-4 flex flex-wrap items-end justify-between gap-3">
      <div>
        <h1 className="text-2xl font-semibold tracking-tight">{title}</h1>
        {description ? <p className="text-sm text-muted-foreground">{description}</p> : null}
      </div>
      {actions ? <div className="flex flex-wrap gap-2">{actions}</div> : null}
    </div>
  );
}
