import { ShieldAlert, ShieldCheck, ShieldQuestion } from 'lucide-react';
import { percent } from '../../shared/lib/format.ts';
import { cn } from '../../shared/lib/cn.ts';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '../../shared/ui/card.tsx';
import { Skeleton } from '../../shared/ui/states.tsx';
import { ReadingList } from './Readings.tsx';
import { trustReadings, trustSummary } from './trust-hints.ts';
import type { TrustCard } from './trust-hints.ts';
import type { Inspection } from './types.ts';
import { useModelCard } from './use-explanations.ts';

/** Props of {@link TrustPanel}. */
export interface TrustPanelProps {
  /** The inspection whose trust figures are shown. */
  inspection: Inspection;
}

const SUMMARY = {
  good: { icon: ShieldCheck, className: 'border-success/40 bg-success/10', iconClass: 'text-success' },
  warn: { icon: ShieldQuestion, className: 'border-warning/40 bg-warning/10', iconClass: 'text-warning' },
  bad: { icon: ShieldAlert, className: 'border-destructive/40 bg-destructive/10', iconClass: 'text-destructive' },
} as const;

/**
 * Trust panel: calibrated confidence, MC-Dropout uncertainty, the conformal prediction set,
 * severity and the referral decision, each with a plain-language hint for the operator, and
 * a headline that says whether a person should look.
 */
export function TrustPanel({ inspection }: TrustPanelProps) {
  const version = useModelCard(inspection.model);
  const c = version.data?.card;
  const card: TrustCard = c
    ? {
        temperature: c.calibration?.temperature,
        eceAfter: c.calibration?.eceAfter,
        rejectThreshold: (c.thresholds as { reject?: number } | undefined)?.reject,
        referralThreshold: c.calibration?.conformal?.referralThreshold,
        conformal: !!c.calibration?.conformal,
        severity: c.severity,
      }
    : {};
  const readings = trustReadings(inspection, card);
  const summary = trustSummary(readings);
  const S = SUMMARY[summary.tone];

  return (
    <Card data-testid="trust-panel">
      <CardHeader>
        <CardTitle>Can I trust this answer?</CardTitle>
        <CardDescription>
          {inspection.model.name} {inspection.model.version} answered <span className="font-medium text-foreground">{inspection.verdict === 'reject' ? 'reject' : 'pass'}</span> ({inspection.label}).
        </CardDescription>
      </CardHeader>
      <CardContent className="flex flex-col gap-4">
        <div className={cn('flex items-start gap-3 rounded-md border p-3', S.className)} data-testid="trust-summary" data-tone={summary.tone}>
          <S.icon className={cn('mt-0.5 size-5 shrink-0', S.iconClass)} aria-hidden="true" />
          <div>
            <p className="font-medium">{summary.title}</p>
            <p className="text-sm text-muted-foreground">{summary.hint}</p>
          </div>
        </div>
        {version.isPending ? <Skeleton className="h-40 w-full" /> : <ReadingList readings={readings} testId="trust-readings" cards />}
        {card.temperature !== undefined && inspection.model.task !== 'anomaly' ? (
          <p className="text-xs text-muted-foreground">
            Probabilities are calibrated (temperature {card.temperature.toFixed(2)}){card.eceAfter !== undefined ? `; on validation images they were off by ${percent(card.eceAfter)} on average (expected calibration error)` : ''}.
          </p>
        ) : null}
      </CardContent>
    </Card>
  );
}
