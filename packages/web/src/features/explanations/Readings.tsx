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
export function ReadingList({ readings, className, testId }: { readings: readonly Reading[]; className?: string; testId?: string }) {
  if (readings.length === 0) return null;
  return (
    <dl className={cn('flex flex-col gap-2', className)} data-testid={testId}>
      {readings.map((r) => (
        <div key={r.label} className="grid grid-cols-[1fr_auto] items-baseline gap-x-3 gap-y-0.5" data-tone={r.tone}>
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
