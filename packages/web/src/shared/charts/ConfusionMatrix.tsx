/**
 * The 2x2 confusion matrix as a real table (row and column headers, so a screen reader reads
 * "True defect, predicted pass: 2 escapes"), cells shaded by their share of the row: green
 * where the model was right, red where it was wrong.
 */
import { confusionRows } from './chart-math.ts';
import type { ConfusionCell } from './chart-math.ts';
import { cn } from '../lib/cn.ts';

const NAMES: Record<ConfusionCell['key'], string> = {
  tp: 'defects caught',
  fn: 'escapes (defects passed)',
  fp: 'false rejects (good parts rejected)',
  tn: 'good parts passed',
};

/** Props of {@link ConfusionMatrix}. */
export interface ConfusionMatrixProps {
  counts: { tp: number; fp: number; tn: number; fn: number };
  caption: string;
  className?: string;
}

/** The confusion matrix of reviewed inspections, defect positive. */
export function ConfusionMatrix({ counts, caption, className }: ConfusionMatrixProps) {
  const rows = confusionRows(counts);
  const heads = ['True defect', 'True good'];
  return (
    <table className={cn('w-full border-separate border-spacing-1 text-sm', className)}>
      <caption className="pb-1 text-left text-xs text-muted-foreground">{caption}</caption>
      <thead>
        <tr>
          <td />
          <th scope="col" className="px-2 py-1 text-center font-medium text-muted-foreground">Predicted reject</th>
          <th scope="col" className="px-2 py-1 text-center font-medium text-muted-foreground">Predicted pass</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((row, ri) => (
          <tr key={ri}>
            <th scope="row" className="whitespace-nowrap px-2 py-1 text-left font-medium text-muted-foreground">{heads[ri]}</th>
            {row.map((c) => {
              const tone = c.correct ? 'var(--success)' : 'var(--destructive)';
              const alpha = c.rowShare === null ? 0 : 6 + Math.round(c.rowShare * 26);
              return (
                <td
                  key={c.key}
                  data-cell={c.key}
                  className="rounded-md border px-3 py-3 text-center"
                  style={{ background: `color-mix(in oklab, ${tone} ${alpha}%, var(--card))` }}
                >
                  <span className="block text-xl font-semibold tabular-nums">{c.count}</span>
                  <span className="block text-xs">
                    {NAMES[c.key]}
                    {c.rowShare === null ? '' : ` \u00b7 ${(c.rowShare * 100).toFixed(1)} % of row`}
                  </span>
                </td>
              );
            })}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
