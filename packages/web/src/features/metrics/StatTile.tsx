import type { ReactNode } from 'react';
import { cn } from '../../shared/lib/cn.ts';

/**
 * One headline figure with what it rests on ("of 48 reviewed"), so a rate from three reviews
 * is not read like one from three thousand. `testId` lets tests read the value.
 */
export function StatTile({ label, value, sub, tone, testId, className }: { label: string; value: ReactNode; sub?: ReactNode; tone?: 'good' | 'bad' | 'warn'; testId?: string; className?: string }) {
  return (
    <div className={cn('flex flex-col gap-0.5 rounded-lg border bg-card p-3', className)}>
      <dt className="text-xs font-medium text-muted-foreground">{label}</dt>
      <dd
        data-testid={testId}
        className={cn('text-2xl font-semibold tabular-nums tracking-tight', tone === 'good' && 'text-success', tone === 'bad' && 'text-destructive', tone === 'warn' && 'text-warning')}
      >
        {value}
      </dd>
      {sub ? <dd className="text-xs text-muted-foreground">{sub}</dd> : null}
    </div>
  );
}
