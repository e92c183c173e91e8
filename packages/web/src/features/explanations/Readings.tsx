import { AlertTriangle, CheckCircle2, Info, XCircle } from 'lucide-react';
import { cn } from '../../shared/lib/cn.ts';
import type { Reading } from './explain-methods.ts';

const TONE = {
  good: { icon: CheckCircle2, className: 'text-success', word: 'good' },
  warn: { icon: AlertTriangle, className: 'text-warning', word: 'check' },
  bad: { icon: XCircle, className: 'text-destructive', word: 'attention' },
  info: { icon: Info, className: 'text-muted-foreground', word: 'note' },
} as const;

/** The tone of a reading as an icon with a word for screen readers. */
export function ToneIcon({ tone, className }: { tone: Reading['tone']; className?: string }) {
  const t = TONE[tone];
  const Icon = t.icon;
  return (
    <>
      <Icon className={cn('size-4 shrink-0', t.className, className)} aria-hidden="true" />
      <span className="sr-only">({t.word})</span>
    </>
  );
}

/** Figures with their plain-language hints, as a description list. */
export function ReadingList({ readings, className, testId, cards = false }: { readings: readonly Reading[]; className?: string; testId?: string; cards?: boolean }) {
  if (readings.length === 0) return null;
  return (
    <dl className={cn(cards ? 'grid gap-3 md:grid-cols-2 2xl:grid-cols-3' : 'flex max-w-2xl flex-col gap-2', className)} data-testid={testId}>
      {readings.map((r) => (
        <div key={r.label} className={cn('grid grid-cols-[1fr_auto] content-start items-baseline gap-x-3 gap-y-0.5', cards && 'rounded-md border p-3')} data-tone={r.tone}>
          <dt className="flex items-center gap-1.5 text-sm font-medium">
            <ToneIcon tone={r.tone} />
            {r.label}
          </dt>
          <dd className="text-right font-mono text-sm tabular-nums">{r.value}</dd>
          <dd className="col-span-2 text-sm text-muted-foreground">{r.hint}</dd>
        </div>
      ))}
    </dl>
  );
}
