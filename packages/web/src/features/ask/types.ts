/**
 * The shapes of the question answering API (issue 18), from the generated client: the
 * server's `Question`, `Answer`, `Citation`, `AnswerFeedback`, `KnowledgeDocument` and
 * `KbPassage` schemas (core's `ask/types.ts` on the wire).
 */
import type { components, paths } from '@xai-qc/client';

type Schemas = components['schemas'];

/** An answer as the server stores and returns it. */
export type Answer = Schemas['Answer'];
/** What a question asks; `unknown` when the answerer could not place it. */
export type AskIntent = Answer['intent'];
/**
 * A piece of evidence an answer rests on. `id` is what the answer cites in square brackets
 * ("[1]"); `ref` is what it is in the record.
 */
export type Citation = Schemas['Citation'];
/** What a citation points at. */
export type CitationKind = Citation['kind'];
/** One evidence sentence under the short answer, with the ids of the citations it rests on. */
export type EvidenceItem = Answer['evidence'][number];
/** Feedback given on an answer. */
export type AnswerFeedback = Schemas['AnswerFeedback'];
/** A question asked about an inspection with its stored answer. */
export type Question = Schemas['Question'];
/** What `POST /questions/{id}/feedback` takes. */
export type FeedbackBody = NonNullable<paths['/api/xai-qc/questions/{id}/feedback']['post']['requestBody']>['content']['application/json'];
/** A knowledge-base document (the built-in defect book's documents have `builtIn: true`). */
export type KnowledgeDocument = Schemas['KnowledgeDocument'] & {
  /** `GET /knowledge/documents/{id}`: the passages in document order */
  passagesList?: { id: string; source: string; text: string }[];
};
/** A passage of a document as search finds it, or as the document lists it. */
export type KnowledgePassage = Pick<Schemas['KbPassage'], 'id' | 'text'> & Partial<Omit<Schemas['KbPassage'], 'id' | 'text'>>;
