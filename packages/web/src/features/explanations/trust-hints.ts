/**
 * Wording rules of the trust panel: each figure of an inspection (calibrated confidence,
 * MC-Dropout uncertainty, the conformal prediction set, severity, the referral decision)
 * becomes a value, a tone and one plain sentence that tells an operator what it means for
 * the part in front of them. Pure functions of the inspection and the model card's figures.
 */
import type { Reading } from './explain-methods.ts';

/** What the trust panel needs of an inspection (a subset of the API's Inspection). */
export interface TrustInspection {
  verdict: 'pass' | 'reject';
  label: string;
  score: number;
  defectScore: number;
  labels: string[];
  probabilities: number[];
  model: { task: string };
  findings: { label: string; severity: 'minor' | 'major' | 'critical'; area?: number }[];
  anomaly?: { score: number; rawScore: number };
  uncertainty?: { method: string; samples: number; disagreement: number; mutualInformation: number; predictiveEntropy: number };
  conformal?: { alpha: number; set: string[]; referred: boolean; reason: 'ambiguous-set' | 'empty-set' | 'uncertain' | null };
  referred: boolean;
}

/** What the trust panel needs of the model card (undefined fields: not in the card or not loaded). */
export interface TrustCard {
  /** Softmax temperature fitted on validation data: probabilities are calibrated. */
  temperature?: number;
  /** Expected calibration error after scaling (0..1). */
  eceAfter?: number;
  /** Defect probability (or normalised anomaly score) from which the model rejects. */
  rejectThreshold?: number;
  /** Referral threshold on 1 - max probability, when the card has one. */
  referralThreshold?: number;
  /** The card has a conformal predictor (and so a referral rule). */
  conformal?: boolean;
  /** Ordered severity rules of the card. */
  severity?: { severity: 'minor' | 'major' | 'critical'; minAreaFraction?: number; minScore?: number }[];
}

const pct = (x: number, digits = 0) => `${(x * 100).toFixed(digits)} %`;

/** "a", "a and b", "a, b and c". */
export function joinAnd(items: readonly string[]): string {
  if (items.length <= 1) return items[0] ?? '';
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/** The runner-up class and its probability (classifiers and segmenters), if any. */
export function runnerUp(i: Pick<TrustInspection, 'labels' | 'probabilities' | 'label'>): { label: string; p: number } | undefined {
  let best: { label: string; p: number } | undefined;
  i.probabilities.forEach((p, k) => {
    const label = i.labels[k];
    if (label === undefined || label === i.label) return;
    if (!best || p > best.p) best = { label, p };
  });
  return best;
}

/**
 * The confidence of the answer. Classifiers and segmenters: the probability of the label,
 * calibrated when the card has a temperature (then "N in 100 such answers are right").
 * Anomaly detectors: the normalised score against its limit (not a probability).
 */
export function confidenceReading(i: TrustInspection, card: TrustCard = {}): Reading {
  if (i.model.task === 'anomaly') {
    const s = i.anomaly?.score ?? i.defectScore;
    const limit = card.rejectThreshold ?? 0.5;
    const margin = s - limit;
    const value = `${s.toFixed(2)} (limit ${limit.toFixed(2)})`;
    if (Math.abs(margin) < 0.1) {
      return { label: 'Anomaly score', value, tone: 'warn', hint: `The score is close to the limit: the part is borderline between normal and anomalous; a person should look. It is a distance to the good parts the model has seen, not a probability.` };
    }
    return margin > 0
      ? { label: 'Anomaly score', value, tone: 'good', hint: `The score is well above the limit: this part looks clearly unlike the good parts the model learned from. It is a distance, not a probability.` }
      : { label: 'Anomaly score', value, tone: 'good', hint: `The score is well below the limit: this part looks like the good parts the model learned from. It is a distance, not a probability.` };
  }
  const p = i.score;
  const calibrated = card.temperature !== undefined;
  const second = runnerUp(i);
  const value = `${pct(p, 1)} ${i.label}${calibrated ? ' (calibrated)' : ''}`;
  const chance = calibrated ? ` Calibrated: of 100 answers given with this confidence, about ${Math.round(p * 100)} are right.` : ' This figure is not calibrated: read it as a ranking, not as the chance of being right.';
  if (p >= 0.95) return { label: 'Confidence', value, tone: calibrated ? 'good' : 'info', hint: `The model is very sure this is ${i.label}.${chance}` };
  if (p >= 0.8) return { label: 'Confidence', value, tone: calibrated ? 'good' : 'info', hint: `The model is fairly sure this is ${i.label}.${chance}` };
  if (p >= 0.6) {
    return { label: 'Confidence', value, tone: 'warn', hint: `The model leans towards ${i.label}${second ? ` over ${second.label} (${pct(second.p)})` : ''} but is not sure; check the image.${chance}` };
  }
  return {
    label: 'Confidence',
    value,
    tone: 'bad',
    hint: `The model is unsure${second ? ` between ${i.label} and ${second.label} (${pct(p)} against ${pct(second.p)})` : ''}; a person should look.${calibrated ? '' : ' The figure is not calibrated.'}`,
  };
}

/**
 * MC-Dropout (or ensemble) uncertainty: how often repeated runs changed the answer
 * (disagreement) and the epistemic part (mutual information, normalised by ln K so that
 * 1 is the most a model with K classes can show).
 */
export function uncertaintyReading(i: TrustInspection): Reading {
  const u = i.uncertainty;
  if (!u) {
    return { label: 'Uncertainty', value: 'not measured', tone: 'info', hint: 'Not measured for this inspection. Inspect with uncertainty (MC-Dropout) turned on to see whether the model gives the same answer when run again with parts of it switched off.' };
  }
  const k = Math.max(2, i.labels.length);
  const mi = u.mutualInformation / Math.log(k);
  const changed = Math.round(u.disagreement * u.samples);
  const runs = u.method === 'mc-dropout' ? 'repeated runs with random dropout' : 'ensemble members';
  const value = `${changed} of ${u.samples} changed \u00b7 MI ${mi.toFixed(2)}`;
  if (u.disagreement >= 0.2 || mi >= 0.15) {
    return { label: 'Uncertainty', value, tone: 'bad', hint: `In ${changed} of ${u.samples} ${runs} the model changed its answer: it has not learned images like this one well; a person should look.` };
  }
  if (u.disagreement > 0 || mi >= 0.05) {
    return { label: 'Uncertainty', value, tone: 'warn', hint: `In ${changed} of ${u.samples} ${runs} the model changed its answer: mostly stable, but not fully; check the image if the part matters.` };
  }
  return { label: 'Uncertainty', value, tone: 'good', hint: `In all ${u.samples} ${runs} the model gave the same answer: it is stable on this image.` };
}

/** The conformal prediction set: the classes that stay plausible at the card's coverage. */
export function conformalReading(i: TrustInspection): Reading {
  const c = i.conformal;
  if (!c) return { label: 'Prediction set', value: 'not available', tone: 'info', hint: 'This model is not conformally calibrated, so there is no set of plausible classes with a guaranteed hit rate.' };
  const coverage = pct(1 - c.alpha);
  const value = c.set.length ? `{ ${c.set.join(', ')} }` : '{ } (empty)';
  if (c.set.length === 1) return { label: 'Prediction set', value, tone: 'good', hint: `Only ${c.set[0]} is plausible: sets like this hold the right class ${coverage} of the time.` };
  if (c.set.length === 0) return { label: 'Prediction set', value, tone: 'bad', hint: 'No class is plausible enough: the image may be unlike anything the model was trained on; a person should look.' };
  return { label: 'Prediction set', value, tone: 'bad', hint: `The model is unsure between ${joinAnd(c.set)}; a person should look. (The right class is in this set ${coverage} of the time.)` };
}

const RANK = { minor: 1, major: 2, critical: 3 } as const;

/** The worst severity of the findings, with what the card's rule for it means. */
export function severityReading(i: TrustInspection, card: TrustCard = {}): Reading {
  if (i.findings.length === 0) {
    return i.verdict === 'reject'
      ? { label: 'Severity', value: 'not graded', tone: 'info', hint: 'The model rejects the part but marks no region, so there is no size to grade.' }
      : { label: 'Severity', value: 'none', tone: 'good', hint: 'No defect region was found.' };
  }
  const worst = i.findings.reduce((a, f) => (RANK[f.severity] > RANK[a.severity] ? f : a));
  const rule = card.severity?.find((r) => r.severity === worst.severity);
  const size = rule?.minAreaFraction !== undefined ? ` (a region of at least ${pct(rule.minAreaFraction, rule.minAreaFraction < 0.01 ? 1 : 0)} of the image)` : '';
  const n = i.findings.length;
  const count = `${n} region${n === 1 ? '' : 's'} found; the worst is ${worst.label}`;
  if (worst.severity === 'critical') return { label: 'Severity', value: 'critical', tone: 'bad', hint: `${count}, graded critical${size}: the part should not ship.` };
  if (worst.severity === 'major') return { label: 'Severity', value: 'major', tone: 'warn', hint: `${count}, graded major${size}: reject unless the defect is in an area that does not matter.` };
  return { label: 'Severity', value: 'minor', tone: 'info', hint: `${count}, graded minor: a small defect; your line\u2019s rules decide whether it passes.` };
}

/** Why the inspection was or was not sent to the review queue. */
export function referralReading(i: TrustInspection, card: TrustCard = {}): Reading {
  const reason = i.conformal?.reason ?? null;
  if (i.referred) {
    const why =
      reason === 'ambiguous-set'
        ? `more than one class is plausible (${joinAnd(i.conformal?.set ?? [])})`
        : reason === 'empty-set'
          ? 'no class is plausible enough'
          : reason === 'uncertain'
            ? `the model\u2019s uncertainty (${pct(1 - Math.max(...i.probabilities), 1)}) is above the limit of ${card.referralThreshold !== undefined ? pct(card.referralThreshold, 1) : 'its card'}`
            : 'the referral rule flagged it';
    return { label: 'Review', value: 'sent to review', tone: 'warn', hint: `Sent to the review queue because ${why}. A reviewer will confirm or correct the answer.` };
  }
  if (i.model.task === 'anomaly' && !i.conformal) {
    return { label: 'Review', value: 'not sent', tone: 'info', hint: 'Not sent to review: the referral rule works on calibrated class probabilities, which an anomaly detector does not give. A score close to the limit is the sign that someone should look.' };
  }
  if (!i.conformal && !card.conformal) {
    return { label: 'Review', value: 'not sent', tone: 'info', hint: 'Not sent to review: this model has no referral rule (its card is not conformally calibrated). Use the figures above to decide whether someone should look.' };
  }
  return { label: 'Review', value: 'not sent', tone: 'good', hint: 'Not sent to review: one class is plausible and the uncertainty is under the model\u2019s limit, so the answer can stand.' };
}

/** Every reading of the panel, in display order. */
export function trustReadings(i: TrustInspection, card: TrustCard = {}): Reading[] {
  const out = [confidenceReading(i, card)];
  if (i.model.task !== 'anomaly' || i.uncertainty) out.push(uncertaintyReading(i));
  if (i.model.task !== 'anomaly' || i.conformal) out.push(conformalReading(i));
  out.push(severityReading(i, card), referralReading(i, card));
  return out;
}

/** One headline from the readings: the worst tone decides. */
export function trustSummary(readings: readonly Reading[]): { tone: 'good' | 'warn' | 'bad'; title: string; hint: string } {
  if (readings.some((r) => r.tone === 'bad' && r.label !== 'Severity')) return { tone: 'bad', title: 'A person should decide', hint: 'At least one figure says the model is not sure about this part.' };
  if (readings.some((r) => r.tone === 'warn' && r.label !== 'Severity' && r.label !== 'Review')) return { tone: 'warn', title: 'Check this one', hint: 'The answer is likely right, but one figure is borderline.' };
  return { tone: 'good', title: 'The answer can be trusted', hint: 'The figures the model has agree that it is sure about this part.' };
}
