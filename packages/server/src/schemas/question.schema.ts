/**
 * Schemas of the question routes (TypeBox): a question as sent, the answer as the core's
 * answerer returns it (core ask/types.ts `Answer`), a stored question with its feedback, a
 * feedback body and a stored feedback, and the unhelpful-answers page.
 */
import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import { ASK_INTENTS } from '@xai-qc/core';

const Intent = Type.Union([...ASK_INTENTS, 'unknown'].map((i) => Type.Literal(i)), { description: 'what the question asks; unknown when it could not be placed' });
const Region = Type.Union(
  ['upper left', 'top', 'upper right', 'left', 'centre', 'right', 'lower left', 'bottom', 'lower right', 'edge'].map((r) => Type.Literal(r)),
);

/** A citation: what one [n] marker of the answer points at. */
export const CitationSchema = Type.Object(
  {
    id: Type.String({ description: 'what the answer text cites in square brackets, e.g. "1" for [1]' }),
    kind: Type.Union(['inspection', 'finding', 'explanation', 'aggregate', 'case', 'metrics', 'model', 'kb'].map((k) => Type.Literal(k))),
    ref: Type.String({ description: 'inspection: a field path; finding: its index; explanation, aggregate: the stored id; case: the inspection id; metrics: the model version; model: a card field; kb: the passage id' }),
    label: Type.String({ description: 'one line a person can read' }),
    documentId: Type.Optional(Type.String({ description: 'kb: the document' })),
    source: Type.Optional(Type.String({ description: 'kb: the section or page' })),
  },
  { $id: 'Citation', title: 'Citation' },
);

/** An answer (core ask/types.ts `Answer`). */
export const AnswerSchema = Type.Object(
  {
    question: Type.String(),
    intent: Intent,
    intentConfidence: Type.Number({ description: "the intent classifier's probability of `intent`" }),
    slots: Type.Object({
      classNames: Type.Array(Type.String()),
      regions: Type.Array(Region),
      dateFrom: Type.Optional(Type.String()),
      dateTo: Type.Optional(Type.String()),
    }),
    short: Type.String({ description: 'the short answer; `answer` starts with it' }),
    evidence: Type.Array(Type.Object({ text: Type.String(), citations: Type.Array(Type.String(), { description: 'citation ids this line rests on' }) })),
    citations: Type.Array(Type.Ref('Citation')),
    answer: Type.String({ description: 'the whole text: the short answer, then each evidence line with its [n] markers' }),
    unsure: Type.Boolean({ description: 'the model is unsure about the inspection (referred, high uncertainty, near the threshold)' }),
    suggestReview: Type.Boolean(),
    canAnswer: Type.Optional(Type.Array(Type.String(), { description: 'when the question could not be placed or answered: what can be asked instead' })),
    composer: Type.Union([Type.Literal('grounded'), Type.Literal('llm')], { description: 'grounded: written from the record; llm: written by the language model and checked against the sources' }),
    llmRejected: Type.Optional(Type.Union([Type.String(), Type.Null()], { description: "why the language model's answer was refused and the grounded one given" })),
  },
  { $id: 'Answer', title: 'Answer' },
);

/** A correction carried by feedback. */
const Correction = Type.Object(
  {
    verdict: Type.Optional(Type.Union([Type.Literal('pass'), Type.Literal('reject')], { description: 'the true verdict' })),
    label: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: "the true class, one of the inspection's labels" })),
  },
  { additionalProperties: false, description: 'a verdict or class correction; it becomes a review of the inspection (operator role or above)' },
);

/** Body of `POST /questions/{id}/feedback`. */
export const FeedbackInputSchema = Type.Object(
  {
    helpful: Type.Boolean(),
    comment: Type.Optional(Type.String({ maxLength: 4000 })),
    correction: Type.Optional(Correction),
  },
  { additionalProperties: false },
);

/** A feedback body. */
export type FeedbackInput = Static<typeof FeedbackInputSchema>;

/** One user's feedback on an answer. */
export const AnswerFeedbackSchema = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    questionId: Type.String({ format: 'uuid' }),
    helpful: Type.Boolean(),
    comment: Type.Union([Type.String(), Type.Null()]),
    correction: Type.Union([Correction, Type.Null()]),
    reviewId: Type.Union([Type.String({ format: 'uuid' }), Type.Null()], { description: 'the review the correction created' }),
    createdAt: Type.String({ format: 'date-time' }),
    createdBy: Type.String({ description: 'principal subject' }),
  },
  { $id: 'AnswerFeedback', title: 'AnswerFeedback' },
);

/** A stored feedback as returned. */
export type AnswerFeedback = Static<typeof AnswerFeedbackSchema>;

/** A question asked about an inspection, with its answer. */
export const QuestionSchema = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    inspectionId: Type.String({ format: 'uuid' }),
    question: Type.String(),
    answer: Type.Ref('Answer'),
    latencyMs: Type.Number({ description: 'time to assemble the context and answer, ms' }),
    createdAt: Type.String({ format: 'date-time' }),
    createdBy: Type.String({ description: 'principal subject' }),
    feedback: Type.Union([Type.Ref('AnswerFeedback'), Type.Null()], { description: "the caller's own feedback on this answer (in the unhelpful list: the unhelpful feedback listed)" }),
  },
  { $id: 'Question', title: 'Question' },
);

/** A question as returned (`answer` typed by the core's Answer). */
export type Question = Omit<Static<typeof QuestionSchema>, 'answer' | 'feedback'> & { answer: import('@xai-qc/core').Answer; feedback: AnswerFeedback | null };

/** `$ref` to {@link QuestionSchema}. */
export const QuestionRef = Type.Unsafe<Question>(Type.Ref('Question'));

/** Body of `POST /inspections/{id}/questions`. */
export const AskInputSchema = Type.Object(
  {
    question: Type.String({ description: 'the question in plain language: 1 to 1,000 characters after trimming (400 XQC_QUESTION_EMPTY, XQC_QUESTION_TOO_LONG)' }),
    useLlm: Type.Optional(Type.Boolean({ description: 'let the configured language model write the answer (default true when XQC_LLM_URL is set; ignored without one)' })),
  },
  { additionalProperties: false },
);

/** An ask body. */
export type AskInput = Static<typeof AskInputSchema>;

/** The questions of an inspection, oldest first. */
export const QuestionHistorySchema = Type.Object({ items: Type.Array(QuestionRef, { description: 'oldest first' }) });

/** Query of `GET /questions`. */
export const QuestionListQuerySchema = Type.Object(
  {
    helpful: Type.Optional(Type.Boolean({ description: 'false (the default): answers someone marked unhelpful; true: helpful ones' })),
    model: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: "the inspection's model name" })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
    cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 400, description: 'nextCursor of the previous page' })),
  },
  { additionalProperties: false },
);

/** A list query. */
export type QuestionListQuery = Static<typeof QuestionListQuerySchema>;

/** A page of answers with feedback, newest feedback first. */
export const QuestionPageSchema = Type.Object({
  items: Type.Array(QuestionRef, { description: 'one item per feedback, newest feedback first; `feedback` is that feedback' }),
  nextCursor: Type.Union([Type.String(), Type.Null()], { description: 'pass as cursor for the next page; null on the last' }),
});

/** A page of answers with feedback. */
export type QuestionPage = { items: Question[]; nextCursor: string | null };
