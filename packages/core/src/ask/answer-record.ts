/**
 * Answers from the record around the inspection: similar past cases with their reviews,
 * the model version's figures from reviewed inspections, and the model card.
 */
import type { AnswerDraft } from './answer-draft.ts';
import { percent } from './certainty.ts';
import { spokenLabel } from './geometry.ts';

/** Similar cases listed in the evidence, closest first. */
const MAX_CASES = 5;

/** "Have we seen this before?" */
export function answerSimilarCases(d: AnswerDraft): string {
  const { ctx } = d;
  const cases = [...ctx.similar].sort((a, b) => a.distance - b.distance).slice(0, MAX_CASES);
  if (!cases.length) {
    d.add(`Similar cases are searched among inspections of ${ctx.inspection.modelName} ${ctx.inspection.modelVersion}.`, d.field('modelVersion', `model version: ${ctx.inspection.modelVersion}`));
    return 'No similar past inspection of this model version was found.';
  }
  for (const c of cases) {
    const review = c.review ? `; review: ${c.review.outcome}${c.review.label ? ` (${spokenLabel(c.review.label)})` : ''}` : '; not reviewed';
    d.add(`${c.inspectionId} on ${c.createdAt.slice(0, 10)} (distance ${c.distance.toFixed(3)}): ${c.verdict}, ${spokenLabel(c.label)}${review}.`, d.book.cite('case', c.inspectionId, `inspection ${c.inspectionId}`));
  }
  const rejected = cases.filter((c) => c.verdict === 'reject').length;
  const reviewed = cases.filter((c) => c.review);
  const confirmed = reviewed.filter((c) => c.review?.outcome === 'accepted').length;
  const corrected = reviewed.length - confirmed;
  const reviews = reviewed.length ? `; reviewers confirmed ${confirmed} and overturned or corrected ${corrected}` : '; none of them was reviewed';
  return `Yes: ${cases.length} similar past inspection${cases.length > 1 ? 's' : ''}, ${rejected} rejected${reviews}.`;
}

/** "How accurate has the model been this month?" */
export function answerHistoryMetrics(d: AnswerDraft): string {
  const { ctx, parsed } = d;
  const m = ctx.metrics;
  const asked = parsed.slots.dateFrom ? ` (you asked about ${parsed.slots.dateFrom} to ${parsed.slots.dateTo})` : '';
  if (!m) {
    const card = ctx.model.metrics ?? {};
    const keys = Object.keys(card).filter((k) => typeof card[k] === 'number').slice(0, 4);
    if (!keys.length) return `No figures from reviewed inspections are available for this model version${asked}, and its card records none.`;
    const id = d.card('metrics', 'model card metrics');
    for (const k of keys) d.add(`Model card, ${k}: ${card[k]}.`, id);
    return `No figures from reviewed inspections are available for this model version${asked}; its card reports ${keys.map((k) => `${k} ${card[k]}`).join(', ')}.`;
  }
  const id = d.book.cite('metrics', m.modelVersion, `metrics of version ${m.modelVersion}`);
  const period = m.from || m.to ? `${m.from?.slice(0, 10) ?? 'the start'} to ${m.to?.slice(0, 10) ?? 'now'}` : 'all time';
  const figures: string[] = [];
  const rate = (name: string, v: number | null | undefined): void => {
    if (v !== null && v !== undefined) figures.push(`${name} ${percent(v)}`);
  };
  rate('accuracy', m.accuracy);
  rate('escape rate', m.escapeRate);
  rate('false reject rate', m.falseRejectRate);
  rate('referral rate', m.referralRate);
  if (m.ece !== null && m.ece !== undefined) figures.push(`ECE ${m.ece.toFixed(3)}`);
  d.add(`Period ${period}: ${m.inspections} inspections, ${m.reviewed} reviewed.`, id);
  if (figures.length) d.add(`From the reviewed inspections: ${figures.join(', ')}.`, id);
  const mismatch = parsed.slots.dateFrom && (parsed.slots.dateFrom !== m.from?.slice(0, 10) || parsed.slots.dateTo !== m.to?.slice(0, 10)) ? ` These figures cover ${period}${asked}.` : '';
  return `${m.inspections} inspections over ${period}, ${m.reviewed} reviewed${figures.length ? `: ${figures.join(', ')}` : ''}.${mismatch}`;
}

/** "Which model is this, what can it detect?" */
export function answerModelFacts(d: AnswerDraft): string {
  const { ctx, parsed } = d;
  const m = ctx.model;
  const idName = d.card('name', `model: ${m.name}`);
  const idVersion = d.card('version', `version: ${m.version}`);
  const idLabels = d.card('labels', `labels: ${m.labels.join(', ')}`);
  d.add(`${m.name} version ${m.version}, task ${m.task}.`, idName, idVersion, d.card('task', `task: ${m.task}`));
  d.add(`Labels: ${m.labels.map(spokenLabel).join(', ')}.`, idLabels);
  if (m.intendedUse) d.add(`Intended use: ${m.intendedUse}`, d.card('intendedUse', 'intended use'));
  if (m.limitations?.length) d.add(`Limitations: ${m.limitations.join('; ')}`, d.card('limitations', 'limitations'));
  const card = m.metrics ?? {};
  const keys = Object.keys(card).filter((k) => typeof card[k] === 'number').slice(0, 4);
  if (keys.length) d.add(`Card metrics: ${keys.map((k) => `${k} ${card[k]}`).join(', ')}.`, d.card('metrics', 'model card metrics'));
  const asked = parsed.slots.classNames[0];
  if (asked) {
    return m.labels.includes(asked) ? `Yes: ${spokenLabel(asked)} is one of the labels of ${m.name} ${m.version}.` : `No: ${spokenLabel(asked)} is not one of the labels of ${m.name} ${m.version}.`;
  }
  return `This is ${m.name} version ${m.version}, a ${m.task} model with the labels ${m.labels.map(spokenLabel).join(', ')}.`;
}
