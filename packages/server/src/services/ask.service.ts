/**
 * Questions about an inspection: `ask` checks the question (1 to 1,000 characters after
 * trimming), reads the caller's inspection and its model version's card, lets the core parse
 * the question, assembles the AskContext from the record (services/ask-context.ts) with
 * retrieval bound to the account's knowledge base (services/ask-knowledge.ts), answers with
 * the core's grounded answerer and, when a language model is configured and not declined,
 * passes the answer through the core's `composeWithLlm` (its answer kept only when it cites
 * only what it was given; else the grounded answer with `llmRejected`). The whole answer is
 * stored with the question, so the history shows what was said at the time. Nothing is stored
 * when anything fails.
 *
 * Feedback: one per user and question (a second replaces the first). A correction of the
 * verdict or class becomes a review through the review service, with its rules (operator
 * role and above, labels of the model, another reviewer's claim), checked before anything is
 * stored; the feedback row names the review.
 */
import { randomUUID } from 'node:crypto';
import type { Answer, AskContext, ModelCard, ParsedQuestion } from '@xai-qc/core';
import { roleAtLeast } from '../auth/principal.ts';
import type { Principal } from '../auth/principal.ts';
import type { FeedbackRow, QuestionRow } from '../db/tables/ask.tables.ts';
import { ApiError, badRequest, forbidden, notFound } from '../errors/api-error.ts';
import type { InspectionRecord, InspectionRepository } from '../repositories/inspection.repository.ts';
import type { FeedbackCursor, QuestionRepository } from '../repositories/question.repository.ts';
import type { AnswerFeedback, AskInput, FeedbackInput, Question, QuestionListQuery, QuestionPage } from '../schemas/question.schema.ts';
import type { Review } from '../schemas/review.schema.ts';
import type { AskContextBuilder } from './ask-context.ts';
import type { AskCore } from './ask-core.ts';
import type { ReviewService } from './review.service.ts';

/** Longest question, characters after trimming. */
export const MAX_QUESTION_CHARS = 1000;
/** Passages the answerer may retrieve per question. */
export const RETRIEVE_K = 4;

/** The language model, when one is configured (XQC_LLM_*). */
export interface AskLlm {
  url: string;
  model: string;
  apiKey?: string;
  timeoutMs: number;
  /** send the inspected image along (XQC_LLM_IMAGES=true) */
  images: boolean;
}

/** Dependencies of {@link AskService}. */
export interface AskServiceDeps {
  questions: QuestionRepository;
  inspections: Pick<InspectionRepository, 'find' | 'versionById'>;
  context: Pick<AskContextBuilder, 'build'>;
  /** The core's answerer (services/ask-core.ts). */
  core: AskCore;
  /** Search of the account's knowledge base. */
  retrieve(accountId: string, query: string, k: number): Promise<import('@xai-qc/core').KbPassage[]>;
  reviews: Pick<ReviewService, 'submit'>;
  /** Reads the inspected image (sent to a language model that takes images). */
  image(sha256: string): Promise<Uint8Array>;
  llm?: AskLlm;
  /** Publishes `review.created` for a review made by a correction. */
  onReview?: (principal: Principal, review: Review) => void;
  clock?: () => Date;
}

function feedbackOf(r: FeedbackRow): AnswerFeedback {
  return {
    id: r.id,
    questionId: r.question_id,
    helpful: r.helpful === 1,
    comment: r.comment,
    correction: r.correction_json === null ? null : (JSON.parse(r.correction_json) as AnswerFeedback['correction']),
    reviewId: r.review_id,
    createdAt: r.created_at,
    createdBy: r.created_by,
  };
}

function questionOf(r: QuestionRow, feedback: FeedbackRow | undefined): Question {
  return {
    id: r.id,
    inspectionId: r.inspection_id,
    question: r.question,
    answer: JSON.parse(r.answer_json) as Answer,
    latencyMs: r.latency_ms,
    createdAt: r.created_at,
    createdBy: r.created_by,
    feedback: feedback ? feedbackOf(feedback) : null,
  };
}

function encodeCursor(c: FeedbackCursor): string {
  return Buffer.from(JSON.stringify([c.createdAt, c.id])).toString('base64url');
}

function decodeCursor(s: string): FeedbackCursor {
  try {
    const v = JSON.parse(Buffer.from(s, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(v) && v.length === 2 && typeof v[0] === 'string' && typeof v[1] === 'string') return { createdAt: v[0], id: v[1] };
  } catch {
    // reported below
  }
  throw badRequest('XQC_INVALID_CURSOR', 'cursor: not a cursor this API returned; pass nextCursor from the previous page');
}

/**
 * The question text checked: trimmed, 1 to {@link MAX_QUESTION_CHARS} characters (code points).
 * @throws 400 XQC_QUESTION_EMPTY, XQC_QUESTION_TOO_LONG
 */
export function checkQuestion(text: string): string {
  const q = text.trim();
  if (q.length === 0) throw badRequest('XQC_QUESTION_EMPTY', 'question: empty; ask something about the inspection');
  const chars = [...q].length;
  if (chars > MAX_QUESTION_CHARS) throw badRequest('XQC_QUESTION_TOO_LONG', `question: ${chars} characters; at most ${MAX_QUESTION_CHARS}`);
  return q;
}

/** See the module comment. */
export class AskService {
  private readonly clock: () => Date;

  constructor(private readonly deps: AskServiceDeps) {
    this.clock = deps.clock ?? (() => new Date());
  }

  private async subject(principal: Principal, id: string): Promise<{ record: InspectionRecord; card: ModelCard; version: Awaited<ReturnType<InspectionRepository['versionById']>> }> {
    const record = await this.deps.inspections.find(principal.accountId, id);
    if (!record) throw notFound(`inspection ${id}`);
    const version = await this.deps.inspections.versionById(record.row.model_version_id);
    if (!version) throw new ApiError(409, 'XQC_MODEL_VERSION_GONE', `model version ${record.row.model_version_id} of inspection ${id} is no longer registered`);
    return { record, card: JSON.parse(version.cardJson) as ModelCard, version };
  }

  /**
   * Answers `input.question` about inspection `id` of the caller's account and stores both.
   * @throws 400 XQC_QUESTION_EMPTY, XQC_QUESTION_TOO_LONG; 404 for an unknown or another account's inspection
   */
  async ask(principal: Principal, id: string, input: AskInput): Promise<Question> {
    const text = checkQuestion(input.question);
    const t0 = performance.now();
    const { record, card, version } = await this.subject(principal, id);
    const parsed: ParsedQuestion = this.deps.core.parseQuestion(text, card.labels);
    const accountId = principal.accountId;
    const llm = input.useLlm === false ? undefined : this.deps.llm;
    const ctx: AskContext = await this.deps.context.build(accountId, record, version, card, (q, k) => this.deps.retrieve(accountId, q, k), {
      embedSimilar: parsed.intent === 'similar_cases',
      // The grounded answerer quotes the figures for these intents only; a language model may look them up for any.
      metrics: llm !== undefined || parsed.intent === 'history_metrics' || parsed.intent === 'model_facts',
      dateFrom: parsed.slots.dateFrom,
      dateTo: parsed.slots.dateTo === undefined ? undefined : `${parsed.slots.dateTo.slice(0, 10)}T23:59:59.999Z`,
    });
    let answer = await this.deps.core.answerQuestion(parsed, ctx);
    if (llm) {
      const image = llm.images ? { bytes: await this.deps.image(record.row.image_sha256), mediaType: record.row.image_media_type } : undefined;
      answer = await this.deps.core.composeWithLlm(answer, ctx, { ...llm, image });
    }
    const now = this.clock().toISOString();
    const row: QuestionRow = {
      id: randomUUID(),
      account_id: accountId,
      inspection_id: id,
      model_name: record.row.model_name,
      model_version: record.row.model_version,
      question: text,
      intent: answer.intent,
      composer: answer.composer,
      answer_json: JSON.stringify(answer),
      latency_ms: performance.now() - t0,
      created_at: now,
      created_by: principal.subject,
    };
    await this.deps.questions.insert(row);
    return questionOf(row, undefined);
  }

  /** The questions about inspection `id`, oldest first, each with the caller's feedback. @throws 404 */
  async history(principal: Principal, id: string): Promise<{ items: Question[] }> {
    if (!(await this.deps.inspections.find(principal.accountId, id))) throw notFound(`inspection ${id}`);
    const rows = await this.deps.questions.forInspection(principal.accountId, id);
    const feedback = await this.deps.questions.feedbackBy(principal.accountId, principal.subject, rows.map((r) => r.id));
    return { items: rows.map((r) => questionOf(r, feedback.get(r.id))) };
  }

  /**
   * Stores the caller's feedback on answer `questionId` (replacing an earlier one of theirs); a
   * correction becomes a review of the inspection.
   * @throws 404 for an unknown or another account's question; 403 XQC_FORBIDDEN when a correction comes from a viewer;
   * 400 XQC_REVIEW_LABEL (unknown label, or a verdict that needs one); 409 XQC_REVIEW_CLAIMED
   */
  async feedback(principal: Principal, questionId: string, input: FeedbackInput): Promise<AnswerFeedback> {
    const question = await this.deps.questions.find(principal.accountId, questionId);
    if (!question) throw notFound(`question ${questionId}`);
    const correction = input.correction && (input.correction.verdict !== undefined || input.correction.label !== undefined) ? input.correction : undefined;
    let review: Review | undefined;
    if (correction) {
      if (!roleAtLeast(principal.role, 'operator')) throw forbidden(`a correction becomes a review, which needs the operator role; you are ${principal.role}`);
      const { record, card } = await this.subject(principal, question.inspection_id);
      const labels = JSON.parse(record.row.labels_json) as string[];
      if (correction.label !== undefined && !labels.includes(correction.label)) {
        throw badRequest('XQC_REVIEW_LABEL', `correction.label: '${correction.label}' is not a label of this model; one of ${labels.join(', ')}`);
      }
      const verdict = correction.verdict ?? (correction.label !== undefined && card.goodLabels.includes(correction.label) ? 'pass' : 'reject');
      let label = correction.label;
      if (label === undefined && verdict !== record.row.verdict) {
        // A flipped verdict names its class when only one class fits it.
        const fitting = labels.filter((l) => card.goodLabels.includes(l) === (verdict === 'pass'));
        if (fitting.length === 1) label = fitting[0];
      }
      review = await this.deps.reviews.submit(principal, question.inspection_id, { verdict, ...(label === undefined ? {} : { label }), ...(input.comment ? { comment: input.comment } : {}) });
      this.deps.onReview?.(principal, review);
    }
    const row: FeedbackRow = {
      id: randomUUID(),
      account_id: principal.accountId,
      question_id: questionId,
      helpful: input.helpful ? 1 : 0,
      comment: input.comment ?? null,
      correction_json: correction ? JSON.stringify(correction) : null,
      review_id: review?.id ?? null,
      created_at: this.clock().toISOString(),
      created_by: principal.subject,
    };
    await this.deps.questions.putFeedback(row);
    return feedbackOf(row);
  }

  /** The account's answers with feedback (`helpful`, default false: the unhelpful ones), newest feedback first. */
  async list(principal: Principal, q: QuestionListQuery): Promise<QuestionPage> {
    const limit = q.limit ?? 50;
    const rows = await this.deps.questions.feedbackPage(principal.accountId, { helpful: q.helpful ?? false, modelName: q.model }, limit + 1, q.cursor === undefined ? undefined : decodeCursor(q.cursor));
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      items: page.map((r) => questionOf(r.question, r.feedback)),
      nextCursor: rows.length > limit && last ? encodeCursor({ createdAt: last.feedback.created_at, id: last.feedback.id }) : null,
    };
  }
}
