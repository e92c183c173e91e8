/**
 * Answers about trust: how sure the model is (probabilities, calibration, uncertainty,
 * conformal set, referral) and why it decided (the explanation maps and their agreement).
 */
import type { AnswerDraft } from './answer-draft.ts';
import { findingsBySize, isGoodLabel, judgesDefects, probabilityOf } from './answer-draft.ts';
import { AGREE_WELL, describeAgreement, PARTLY } from './agreement.ts';
import { percent } from './certainty.ts';
import { aLabel, inRegion, spokenLabel } from './geometry.ts';
import { rankedRegions } from './heatmap-summary.ts';
import type { AskExplanationSummary } from './types.ts';

/** "How sure are you?" States the probability of the label first. */
export function answerConfidence(d: AnswerDraft): string {
  const { ctx, parsed, certainty } = d;
  const i = ctx.inspection;
  const asked = parsed.slots.classNames.find((c) => c !== i.label);
  const label = d.field('score', `score: ${i.score.toFixed(3)} for ${i.label}`);
  d.add(`The model gives its label ${spokenLabel(i.label)} a probability of ${percent(i.score)}; defect score ${i.defectScore.toFixed(2)}${i.threshold !== undefined ? ` against the threshold ${i.threshold.toFixed(2)}` : ''}.`, label, d.verdict());
  if (i.probabilities?.length) {
    const probs = [...i.probabilities].sort((a, b) => b.p - a.p).slice(0, 3);
    d.add(`Class probabilities: ${probs.map((p) => `${spokenLabel(p.label)} ${percent(p.p)}`).join(', ')}.`, d.field('probabilities', 'class probabilities'));
  }
  if (i.calibration) {
    d.add(i.calibration.calibrated ? `The probabilities are calibrated${i.calibration.ece !== undefined ? ` (expected calibration error ${i.calibration.ece.toFixed(3)})` : ''}.` : 'The probabilities are not calibrated: read them as scores, not frequencies.', d.field('calibration', `calibration: ${i.calibration.calibrated ? 'calibrated' : 'not calibrated'}`));
  }
  if (i.conformalSet) d.add(`Conformal prediction set: {${i.conformalSet.join(', ')}}.`, d.field('conformalSet', `conformal set: ${i.conformalSet.join(', ')}`));
  if (i.uncertainty) {
    const u = i.uncertainty;
    const parts = [u.predictiveEntropy !== undefined ? `predictive entropy ${u.predictiveEntropy.toFixed(3)}` : '', u.mutualInformation !== undefined ? `mutual information ${u.mutualInformation.toFixed(3)}` : '', u.std !== undefined ? `std ${u.std.toFixed(3)}` : ''].filter(Boolean);
    d.add(`${u.method}: ${parts.join(', ') || 'computed'}.`, d.field('uncertainty', `uncertainty: ${u.method}`));
  }
  if (i.referred) d.add(`Referred for review${i.referralReason ? `: ${i.referralReason}` : ''}.`, d.field('referred', 'referred: yes'));
  let short = `The model gives ${spokenLabel(i.label)} a probability of ${percent(i.score)}`;
  if (asked) {
    const p = probabilityOf(ctx, asked);
    if (p !== undefined) short += ` and ${spokenLabel(asked)} ${percent(p)}`;
  }
  short += certainty.unsure ? '.' : `; nothing suggests doubt (${i.referred ? '' : 'not referred, '}${i.threshold !== undefined ? 'clear of the threshold' : 'no uncertainty flag'}).`;
  return short;
}

function usable(e: AskExplanationSummary): boolean {
  return !e.degenerate;
}

/** "Why was it rejected?" The decision in one sentence, then where the maps put their weight. */
export function answerExplanation(d: AnswerDraft): string {
  const { ctx } = d;
  const i = ctx.inspection;
  const v = d.verdict();
  const defects = findingsBySize(ctx).filter(({ f }) => !isGoodLabel(ctx, f.label));
  let why: string;
  if (!judgesDefects(ctx)) {
    why = `The model classifies it as ${aLabel(i.label)} (${percent(i.score)}); it has no "good" class and judges no defects`;
    d.add(`Label ${spokenLabel(i.label)} with probability ${percent(i.score)}.`, d.field('label', `label: ${i.label}`), d.field('score', `score: ${i.score.toFixed(3)}`));
  } else if (i.verdict === 'reject') {
    const main = defects[0];
    if (main && i.task !== 'classify') {
      why = `It was rejected because the model found ${aLabel(main.f.label)} (score ${main.f.score.toFixed(2)})`;
      d.add(`Finding ${main.index + 1}: ${spokenLabel(main.f.label)}, score ${main.f.score.toFixed(2)}.`, d.finding(main.index), v);
    } else {
      why = `It was rejected because the defect score ${i.defectScore.toFixed(2)} reaches the threshold ${(i.threshold ?? 0.5).toFixed(2)} (label ${spokenLabel(i.label)}, ${percent(i.score)})`;
      d.add(`Defect score ${i.defectScore.toFixed(2)}, threshold ${(i.threshold ?? 0.5).toFixed(2)}.`, v, d.field('defectScore', `defect score: ${i.defectScore.toFixed(3)}`));
    }
  } else {
    why = `It passed because ${i.task === 'classify' ? `the defect score ${i.defectScore.toFixed(2)} is below the threshold ${(i.threshold ?? 0.5).toFixed(2)}` : 'the model found no defect region'} (label ${spokenLabel(i.label)}, ${percent(i.score)})`;
    d.add(`Defect score ${i.defectScore.toFixed(2)}${i.threshold !== undefined ? `, threshold ${i.threshold.toFixed(2)}` : ''}.`, v, d.field('defectScore', `defect score: ${i.defectScore.toFixed(3)}`));
  }
  const maps = ctx.explanations.filter(usable);
  for (const e of ctx.explanations.filter((x) => !usable(x))) {
    d.add(`The ${e.method} map carries no explanation: ${e.degenerate}.`, d.book.cite('explanation', e.id, `explanation ${e.method} (degenerate)`));
  }
  if (!maps.length) return `${why}. No explanation map is available for this inspection.`;
  for (const e of maps) {
    const [top, second] = rankedRegions(e);
    const inFindings = e.massInFindings !== null && e.massInFindings !== undefined ? `; ${percent(e.massInFindings)} of it lies inside the findings` : '';
    d.add(
      `The ${e.method} map${e.targetLabel ? ` for ${spokenLabel(e.targetLabel)}` : ''} puts ${percent(top.share)} of its weight ${inRegion(top.region)} and ${percent(second.share)} ${inRegion(second.region)}${inFindings}.`,
      d.book.cite('explanation', e.id, `explanation ${e.method}${e.targetLabel ? ` (${e.targetLabel})` : ''}`),
    );
  }
  if (ctx.aggregate) d.add(describeAgreement(ctx.aggregate), d.book.cite('aggregate', ctx.aggregate.id, `aggregate of ${ctx.aggregate.members.join(', ')}`));
  const lead = maps[0];
  const top = rankedRegions(lead)[0];
  const agree = ctx.aggregate ? (ctx.aggregate.score >= AGREE_WELL ? ', and the methods agree' : ctx.aggregate.score >= PARTLY ? ', and the methods agree only partly' : ', but the methods disagree') : '';
  return `${why}; the ${lead.method} explanation puts most weight ${inRegion(top.region)}${agree}.`;
}
