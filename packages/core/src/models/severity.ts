/** Severity of a finding from the card's ordered rules. */
import type { SeverityRule } from './card.ts';

/** A finding as the rules see it. */
export interface SeverityInput {
  label: string;
  /** Area as a fraction of the image, 0..1 (1 for image-level findings without a region). */
  areaFraction: number;
  score: number;
}

/** The severity of the first rule that matches (rules are checked top to bottom); 'minor' when none does. */
export function gradeSeverity(f: SeverityInput, rules: readonly SeverityRule[]): SeverityRule['severity'] {
  for (const r of rules) {
    if (r.labels && !r.labels.includes(f.label)) continue;
    if (r.minAreaFraction !== undefined && f.areaFraction < r.minAreaFraction) continue;
    if (r.minScore !== undefined && f.score < r.minScore) continue;
    return r.severity;
  }
  return 'minor';
}
