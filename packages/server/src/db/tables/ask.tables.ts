/**
 * Tables of the questions about inspections and the knowledge base (migration 0016-ask).
 * Portable conventions (db/schema.ts): text UUIDs, ISO-8601 UTC text timestamps, 0/1
 * integers, JSON as text, float32 vectors as little-endian bytes. Every row carries its
 * `account_id`; every read filters by it.
 */
import type { Insertable, Selectable } from 'kysely';

/** One question asked about one inspection, with the answer given at the time. */
export interface QuestionsTable {
  id: string;
  account_id: string;
  inspection_id: string;
  /** The inspection's model name and version (the unhelpful list filters on the name). */
  model_name: string;
  model_version: string;
  question: string;
  intent: string;
  /** `grounded` or `llm`. */
  composer: string;
  /** The core's Answer, JSON. */
  answer_json: string;
  latency_ms: number;
  created_at: string;
  created_by: string;
}

/** One user's feedback on one answer (unique per question and user). */
export interface AnswerFeedbackTable {
  id: string;
  account_id: string;
  question_id: string;
  /** 1 helpful, 0 not. */
  helpful: number;
  comment: string | null;
  /** `{ verdict?, label? }` JSON, null without a correction. */
  correction_json: string | null;
  /** The review the correction created, null without one. */
  review_id: string | null;
  created_at: string;
  created_by: string;
}

/** A document uploaded to an account's knowledge base. */
export interface KnowledgeDocumentsTable {
  id: string;
  account_id: string;
  title: string;
  filename: string;
  media_type: string;
  /** Size of the uploaded file. */
  bytes: number;
  /** Number of passages it was split into. */
  passages: number;
  created_at: string;
  created_by: string;
}

/** One passage of a document. */
export interface KnowledgePassagesTable {
  id: string;
  document_id: string;
  account_id: string;
  /** Position in the document, from 0. */
  idx: number;
  /** Where in the document: a section heading or a page. */
  source: string;
  text: string;
  /** float32 little-endian embedding when an embedding endpoint was configured, else null. */
  vector: Uint8Array | null;
}

/** The version of an account's document set, bumped with every addition or deletion. */
export interface KnowledgeStateTable {
  account_id: string;
  version: number;
  updated_at: string;
}

/** The tables of this module, merged into the app's `Database`. */
export interface AskTables {
  questions: QuestionsTable;
  answer_feedback: AnswerFeedbackTable;
  knowledge_documents: KnowledgeDocumentsTable;
  knowledge_passages: KnowledgePassagesTable;
  knowledge_state: KnowledgeStateTable;
}

/** A question row. */
export type QuestionRow = Selectable<QuestionsTable>;
/** A question row to insert. */
export type NewQuestionRow = Insertable<QuestionsTable>;
/** A feedback row. */
export type FeedbackRow = Selectable<AnswerFeedbackTable>;
/** A feedback row to insert. */
export type NewFeedbackRow = Insertable<AnswerFeedbackTable>;
/** A document row. */
export type KnowledgeDocumentRow = Selectable<KnowledgeDocumentsTable>;
/** A document row to insert. */
export type NewKnowledgeDocumentRow = Insertable<KnowledgeDocumentsTable>;
/** A passage row. */
export type KnowledgePassageRow = Selectable<KnowledgePassagesTable>;
/** A passage row to insert. */
export type NewKnowledgePassageRow = Insertable<KnowledgePassagesTable>;
