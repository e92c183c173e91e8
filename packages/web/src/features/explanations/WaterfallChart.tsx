import { useId } from 'react';
import { cn } from '../../shared/lib/cn.ts';
import { waterfallLayout } from './waterfall.ts';
import type { WaterfallInput } from './waterfall.ts';

/** Truncates a label to fit the label column. */
function fit(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, max - 1)}\u2026` : s;
}

/**
 * The SHAP waterfall of an anomaly score, drawn in SVG from the answer's steps: from the
 * typical part at the top, each feature raises (red) or lowers (blue) the score, down to
 * this part. A table of the same figures follows for reading and for screen readers.
 */
export function WaterfallChart({ why, className }: { why: WaterfallInput; className?: string }) {
  const l = waterfallLayout(why, { width: 640, labelWidth: 230, valueWidth: 70, rowHeight: 28, maxSteps: 8 });
  const id = useId();
  const top = why.steps.slice(0, 3).map((s) => `${s.label} ${s.contribution >= 0 ? 'raises' : 'lowers'} it by ${Math.abs(s.contribution).toFixed(3)}`);
  return (
    <figure className={cn('flex flex-col gap-2', className)}>
      <svg viewBox={`0 0 ${l.width} ${l.height}`} className="h-auto w-full" role="img" aria-labelledby={`${id}-t ${id}-d`} data-testid="waterfall">
        <title id={`${id}-t`}>Why the anomaly score is {why.fx.toFixed(3)}</title>
        <desc id={`${id}-d`}>
          From the typical part ({why.base.toFixed(3)}): {top.join('; ')}.
        </desc>
        {l.ticks.map((t) => (
          <g key={t.value}>
            <line x1={t.x} x2={t.x} y1={0} y2={l.axisY} className="stroke-border" strokeWidth={1} />
            <text x={t.x} y={l.axisY + 16} textAnchor="middle" className="fill-muted-foreground" fontSize={12}>
              {t.text}
            </text>
          </g>
        ))}
        <line x1={l.plotLeft} x2={l.plotRight} y1={l.axisY} y2={l.axisY} className="stroke-muted-foreground" strokeWidth={1} />
        <line x1={l.baseX} x2={l.baseX} y1={0} y2={l.axisY} className="stroke-muted-foreground" strokeDasharray="3 3" strokeWidth={1} />
        <line x1={l.fxX} x2={l.fxX} y1={0} y2={l.axisY} className="stroke-foreground" strokeDasharray="3 3" strokeWidth={1} />
        {l.rows.map((r) => (
          <g key={r.key} data-direction={r.direction}>
            <text x={l.plotLeft - 8} y={r.y + r.height / 2 + 4} textAnchor="end" fontSize={12} className={r.kind === 'step' ? 'fill-foreground' : 'fill-foreground font-semibold'}>
              {fit(r.valueText ? `${r.label} = ${r.valueText}` : r.label, 34)}
            </text>
            <rect
              x={r.x}
              y={r.y}
              width={r.width}
              height={r.height}
              rx={2}
              className={r.direction === 'up' ? 'fill-destructive' : r.direction === 'down' ? 'fill-primary' : 'fill-foreground'}
            />
            <text x={r.textX} y={r.y + r.height / 2 + 4} textAnchor={r.textAnchor} fontSize={12} className="fill-foreground font-mono">
              {r.text}
            </text>
          </g>
        ))}
      </svg>
      <figcaption className="flex flex-wrap gap-x-4 gap-y-1 text-xs text-muted-foreground">
        <span className="inline-flex items-center gap-1">
          <span className="inline-block size-2.5 rounded-sm bg-destructive" aria-hidden="true" />
          raises the anomaly score
        </span>
        <span className="inline-flex items-center gap-1">
          <span className="inline-block size-2.5 rounded-sm bg-primary" aria-hidden="true" />
          lowers it
        </span>
        <span>Dashed lines: the typical part and this part.</span>
      </figcaption>
      <details className="text-sm">
        <summary className="cursor-pointer text-muted-foreground">The chart as a table</summary>
        <table className="mt-2 w-full">
          <thead>
            <tr className="text-left text-xs text-muted-foreground">
              <th scope="col" className="py-1 font-medium">Feature</th>
              <th scope="col" className="py-1 font-medium">Value</th>
              <th scope="col" className="py-1 text-right font-medium">Effect on the score</th>
            </tr>
          </thead>
          <tbody>
            <tr className="border-t">
              <th scope="row" className="py-1 text-left font-normal">Typical part (average)</th>
              <td />
              <td className="py-1 text-right font-mono">{why.base.toFixed(3)}</td>
            </tr>
            {why.steps.map((s) => (
              <tr key={s.name} className="border-t">
                <th scope="row" className="py-1 text-left font-normal">{s.label}</th>
                <td className="py-1 font-mono">{s.valueText}</td>
                <td className="py-1 text-right font-mono">{`${s.contribution >= 0 ? '+' : '\u2212'}${Math.abs(s.contribution).toFixed(3)}`}</td>
              </tr>
            ))}
            <tr className="border-t">
              <th scope="row" className="py-1 text-left font-medium">This part</th>
              <td />
              <td className="py-1 text-right font-mono font-medium">{why.fx.toFixed(3)}</td>
            </tr>
          </tbody>
        </table>
      </details>
    </figure>
  );
}
