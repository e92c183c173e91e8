/**
 * The shapes of the question answering API (issue 18) as the web app reads them. They mirror
 * core's `ask/types.ts` (`Answer`, `Citation`) and the server's question, feedback and
 * knowledge-base resources; the web app may import only `@xai-qc/client`, so they are
 * restated here and used until the generated client carries them.
 */

/** What a question asks; `unknown` when the answerer could not place it. */
export type AskIntent =
  | 'defect_present'
  | 'defect_type'
  | 'location'
  | 'severity'
  | 'description'
  | 'cause_remedy'
  | 'confidence'
  | 'explanation'
  | 'similar_cases'
  | 'history_metrics'
  | 'model_facts'
  | 'unknown';

/** What a citation points at. */
export type CitationKind = 'inspection' | 'finding' | 'explanation' | 'aggregate' | 'case' | 'metrics' | 'model' | 'kb';

/**
 * A piece of evidence an answer rests on. `id` is what the answer cites in square brackets
 * ("[1]"); `ref` is what it is in the record: an inspection field path, a finding index, an
 * explanation or aggregate id, a case's inspection id, a model version, a card field or a
 * knowledge-base passage id.
 */
export interface Citation {
  id: string;
  kind: CitationKind;
  ref: string;
  /** one readable line */
  label: string;
  /** knowledge-base citations: the document and where in it */
  documentId?: string;
  source?: string;
}

/** One evidence sentence under the short answer, with the ids of the citations it rests on. */
export interface EvidenceItem {
  text: string;
  citations: string[];
}

/** An answer as the server stores and returns it. */
export interface Answer {
  question?: string;
  intent: AskIntent;
  intentConfidence?: number;
  short: string;
  evidence: EvidenceItem[];
  citations: Citation[];
  answer: string;
  unsure: boolean;
  suggestReview: boolean;
  canAnswer?: string[];
  composer: 'grounded' | 'llm';
  llmRejected?: string | null;
}

/** Feedback given on an answer. */
export interface AnswerFeedback {
  id?: string;
  helpful: boolean;
  comment?: string | null;
  correction?: { verdict?: 'pass' | 'reject'; label?: string } | null;
  /** the review the correction became, when it did */
  reviewId?: string | null;
  createdAt?: string;
  createdBy?: string;
}

/** A question asked about an inspection with its stored answer. */
export interface Question {
  id: string;
  inspectionId: string;
  question: string;
  answer: Answer;
  latencyMs: number;
  createdAt: string;
  createdBy: string;
  feedback?: AnswerFeedback | AnswerFeedback[] | null;
}

/** What `POST /questions/{id}/feedback` takes. */
export interface FeedbackBody {
  helpful: boolean;
  comment?: string;
  correction?: { verdict?: 'pass' | 'reject'; label?: string };
}

/** A knowledge-base document (the built-in defect book's documents have `builtIn: true`). */
export interface KnowledgeDocument {
  id: string;
  title: string;
  builtIn: boolean;
  filename?: string | null;
  mediaType?: string | null;
  bytes?: number | null;
  /** how many passages it was split into */
  passages?: number | KnowledgePassage[] | null;
  passageCount?: number | null;
  createdAt?: string | null;
  createdBy?: string | null;
  /** `GET /knowledge/documents/{id}`: the passages in document order */
  passagesList?: KnowledgePassage[];
}

/** A passage of a document. */
export interface KnowledgePassage {
  id: string;
  documentId?: string;
  documentTitle?: string;
  source?: string;
  text: string;
  score?: number;
}
