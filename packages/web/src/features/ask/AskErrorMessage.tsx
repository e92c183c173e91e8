import { AlertTriangle } from 'lucide-react';
import type { ReactNode } from 'react';
import { cn } from '../../shared/lib/cn.ts';
import { describeAskError } from './ask-errors.ts';

/** An error of the ask or knowledge-base API as a sentence, the server's detail and the code (the shared ErrorMessage's layout). */
export function AskErrorMessage({ error, className, action }: { error: unknown; className?: string; action?: ReactNode }) {
  const v = describeAskError(error);
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
