/**
 * The grounded answerer: understands the question, asks the composer of its intent for a
 * short answer and cited evidence, says when the model is unsure and suggests a review,
 * and writes the whole text (short answer, then one evidence line per piece with its [n]
 * markers). Every citation points at something in the context; `validateCitations` holds
 * any answer to that.
 */
import { AnswerDraft } from './answer-draft.ts';
import { answerDefectPresent, answerDefectType, answerLocation, answerSeverity } from './answer-inspection.ts';
import { answerCauseRemedy, answerDescription } from './answer-knowledge.ts';
import { answerHistoryMetrics, answerModelFacts, answerSimilarCases } from './answer-record.ts';
import { answerConfidence, answerExplanation } from './answer-trust.ts';
import { assessCertainty } from './certainty.ts';
import { parseQuestion } from './parse-question.ts';
import type { Answer, AskContext, AskIntent, EvidenceItem, ParsedQuestion } from './types.ts';

/** Options of {@link answerQuestion}. */
export interface AnswerQuestionOptions {
  /** reference time of relative dates in the question (default now) */
  now?: Date;
  /** knowledge-base passages retrieved for description and cause questions (default 3; 0 retrieves none) */
  kbPassages?: number;
}

/** What can be asked, one example per intent, for answers to questions that could not be placed. */
export const EXAMPLE_QUESTIONS: readonly string[] = [
  'Is there a defect?',
  'What kind of defect is it?',
  'Where is the defect?',
  'How big is it?',
  'What does it look like?',
  'What usually causes this?',
  'How sure are you?',
  'Why was it rejected?',
  'Have we seen this before?',
  'How accurate has the model been this month?',
  'Which model is this?',
];

type Composer = (d: AnswerDraft) => string | Promise<string>;

const COMPOSERS: Readonly<Record<Exclude<AskIntent, 'unknown'>, Composer>> = {
  defect_present: answerDefectPresent,
  defect_type: answerDefectType,
  location: answerLocation,
  severity: answerSeverity,
  description: answerDescription,
  cause_remedy: answerCauseRemedy,
  confidence: answerConfidence,
  explanation: answerExplanation,
  similar_cases: answerSimilarCases,
  history_metrics: answerHistoryMetrics,
  model_facts: answerModelFacts,
};

/** Intents whose answer rests on this inspection's prediction, so doubt about it is stated. */
const ABOUT_THE_PREDICTION = new Set<AskIntent>(['defect_present', 'defect_type', 'location', 'severity', 'description', 'cause_remedy', 'confidence', 'explanation']);

/** The whole text: the short answer, then "- evidence [1][2]" lines. */
export function answerText(short: string, evidence: readonly EvidenceItem[]): string {
  return [short, ...evidence.map((e) => `- ${e.text} ${e.citations.map((c) => `[${c}]`).join('')}`.trimEnd())].join('\n');
}

/**
 * Answers a question about one inspection from its context alone.
 * @param question the text, or a question already parsed with {@link parseQuestion}
 * @param ctx the inspection, explanations, cases, metrics, card and knowledge-base search
 * @returns the short answer first, evidence lines with citations into `ctx`, `unsure` and
 *   `suggestReview` when the model may be wrong about this inspection (referred, high
 *   uncertainty, score near the threshold, an ambiguous conformal set), and for a question
 *   that cannot be placed "I cannot answer that from this inspection." with `canAnswer`
 */
export async function answerQuestion(question: string | ParsedQuestion, ctx: AskContext, options: AnswerQuestionOptions = {}): Promise<Answer> {
  const parsed = typeof question === 'string' ? parseQuestion(question, ctx.model.labels, { now: options.now }) : question;
  const certainty = assessCertainty(ctx.inspection);
  const base = { question: parsed.text, intent: parsed.intent, intentConfidence: parsed.confidence, slots: parsed.slots, composer: 'grounded' as const };
  if (parsed.intent === 'unknown') {
    const short = 'I cannot answer that from this inspection.';
    return { ...base, short, evidence: [], citations: [], answer: `${short}\nYou can ask, for example: ${EXAMPLE_QUESTIONS.join(' ')}`, unsure: certainty.unsure, suggestReview: false, canAnswer: [...EXAMPLE_QUESTIONS] };
  }
  const d = new AnswerDraft(parsed, ctx, certainty, Math.max(0, Math.floor(options.kbPassages ?? 3)));
  let short = await COMPOSERS[parsed.intent](d);
  const stateDoubt = certainty.unsure && ABOUT_THE_PREDICTION.has(parsed.intent);
  const reviewed = Boolean(ctx.inspection.review);
  if (stateDoubt) {
    for (const r of certainty.reasons) d.add(`Doubt: ${r.text}.`, d.field(r.field, `${r.field}: ${r.text}`));
    const reasons = certainty.reasons.map((r) => r.text).join('; ');
    short += reviewed ? ` The model is unsure (${reasons}); a person has already reviewed it.` : ` The model is unsure (${reasons}): please have it reviewed.`;
  }
  return {
    ...base,
    short,
    evidence: d.evidence,
    citations: d.book.list(),
    answer: answerText(short, d.evidence),
    unsure: certainty.unsure,
    suggestReview: stateDoubt && !reviewed,
  };
}
