/**
 * Whether the model is unsure about an inspection, and why, in words: a referral, a
 * conformal set of several labels (or none), a defect score near the decision threshold,
 * a low top probability, or high MC-Dropout uncertainty.
 */
import type { AskInspection } from './types.ts';

/** A defect score within this distance of the threshold is "near the threshold". */
export const NEAR_THRESHOLD = 0.1;
/** A classifier whose top probability is below this is unsure. */
export const LOW_TOP_PROBABILITY = 0.6;
/** Mutual information (nats) above this is high epistemic uncertainty. */
export const HIGH_MUTUAL_INFORMATION = 0.1;
/** Predictive entropy above this share of its maximum, ln K, is high. */
export const HIGH_ENTROPY_SHARE = 0.5;

/** One reason for doubt and the inspection field it rests on. */
export interface DoubtReason {
  text: string;
  /** inspection field path cited for it */
  field: string;
}

/** What {@link assessCertainty} finds. */
export interface CertaintyAssessment {
  unsure: boolean;
  reasons: DoubtReason[];
}

/** A probability as a percentage: whole percent, one decimal near 0 and 1 ("93%", "99.7%"). */
export function percent(p: number): string {
  return `${(p * 100).toFixed(p >= 0.995 || p < 0.005 ? 1 : 0)}%`;
}

/**
 * Reasons the model may be wrong about this inspection; `unsure` when there is any.
 * K for the entropy bound is the number of class probabilities (2 when none are given).
 */
export function assessCertainty(inspection: AskInspection): CertaintyAssessment {
  const reasons: DoubtReason[] = [];
  if (inspection.referred) {
    reasons.push({ text: `it was referred for human review${inspection.referralReason ? ` (${inspection.referralReason})` : ''}`, field: 'referred' });
  }
  const set = inspection.conformalSet;
  if (set && set.length > 1) reasons.push({ text: `its conformal prediction set holds ${set.length} labels (${set.join(', ')})`, field: 'conformalSet' });
  if (set && set.length === 0) reasons.push({ text: 'its conformal prediction set is empty: no label is plausible at the calibrated level', field: 'conformalSet' });
  const t = inspection.threshold;
  if (t !== undefined && Math.abs(inspection.defectScore - t) < NEAR_THRESHOLD) {
    reasons.push({ text: `the defect score ${inspection.defectScore.toFixed(2)} lies within ${NEAR_THRESHOLD} of the threshold ${t.toFixed(2)}`, field: 'defectScore' });
  }
  if (inspection.task === 'classify' && inspection.score < LOW_TOP_PROBABILITY) {
    reasons.push({ text: `the top probability is only ${percent(inspection.score)}`, field: 'score' });
  }
  const u = inspection.uncertainty;
  if (u) {
    const k = Math.max(2, inspection.probabilities?.length ?? 2);
    if (u.mutualInformation !== undefined && u.mutualInformation > HIGH_MUTUAL_INFORMATION) {
      reasons.push({ text: `${u.method} shows high model uncertainty (mutual information ${u.mutualInformation.toFixed(3)} nats)`, field: 'uncertainty' });
    } else if (u.predictiveEntropy !== undefined && u.predictiveEntropy > HIGH_ENTROPY_SHARE * Math.log(k)) {
      reasons.push({ text: `${u.method} shows a high predictive entropy (${u.predictiveEntropy.toFixed(3)} nats of at most ${Math.log(k).toFixed(3)})`, field: 'uncertainty' });
    }
  }
  return { unsure: reasons.length > 0, reasons };
}
