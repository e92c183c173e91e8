import type { Inspection } from './types.ts';

/** Props of {@link ExplanationPanel}. */
export interface ExplanationPanelProps {
  /** The inspection whose explanations are shown. */
  inspection: Inspection;
  /** Called with an explanation id when the operator asks to show that heatmap on the image viewer. */
  onShowHeatmap?: (explanationId: string) => void;
}

/** Explanation viewer: a tab per explanation method plus the aggregate. */
export function ExplanationPanel({ inspection }: ExplanationPanelProps) {
  return (
    <section aria-labelledby={`explanations-${inspection.id}`}>
      <h2 id={`explanations-${inspection.id}`} className="text-base font-semibold">Explanations</h2>
    </section>
  );
}
