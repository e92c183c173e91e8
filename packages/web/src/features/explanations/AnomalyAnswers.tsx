import type { Inspection } from './types.ts';

/** Props of {@link AnomalyAnswers}. */
export interface AnomalyAnswersProps {
  /** The inspection (of an anomaly model) whose four answers are shown. */
  inspection: Inspection;
}

/** The four answers of an anomaly inspection: where, which, why and what. */
export function AnomalyAnswers({ inspection }: AnomalyAnswersProps) {
  if (inspection.model.task !== 'anomaly') return null;
  return (
    <section aria-labelledby={`anomaly-${inspection.id}`}>
      <h2 id={`anomaly-${inspection.id}`} className="text-base font-semibold">Why is this an anomaly?</h2>
    </section>
  );
}
