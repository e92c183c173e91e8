/**
 * Database IO of the questions about inspections: a question with its stored answer, the
 * questions of an inspection (oldest first), one user's feedback per question (a second
 * replaces the first, in one transaction) and the account's unhelpful answers as keyset
 * pages, newest feedback first. Every query names the caller's `accountId`.
 */
import { sql } from 'kysely';
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../db/schema.ts';
import type { FeedbackRow, NewFeedbackRow, NewQuestionRow, QuestionRow } from '../db/tables/ask.tables.ts';

/** Keyset position in the unhelpful list: the feedback's (created_at, id). */
export interface FeedbackCursor {
  createdAt: string;
  id: string;
}

/** A question and one feedback on it. */
export interface QuestionWithFeedback {
  question: QuestionRow;
  feedback: FeedbackRow;
}

/** What an answer shows of a past inspection. */
export interface CaseRow {
  id: string;
  verdict: string;
  label: string;
  defect_score: number;
  created_at: string;
}

/** See the module comment. */
export class QuestionRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** Inserts a question with its answer. */
  async insert(row: NewQuestionRow): Promise<void> {
    await this.db.insertInto('questions').values(row).execute();
  }

  /** The question `id` of `accountId`, or undefined (also for another account's). */
  async find(accountId: string, id: string): Promise<QuestionRow | undefined> {
    return this.db.selectFrom('questions').selectAll().where('account_id', '=', accountId).where('id', '=', id).executeTakeFirst();
  }

  /** The questions asked about inspection `inspectionId` of `accountId`, oldest first. */
  async forInspection(accountId: string, inspectionId: string): Promise<QuestionRow[]> {
    return this.db.selectFrom('questions').selectAll().where('account_id', '=', accountId).where('inspection_id', '=', inspectionId).orderBy('created_at').orderBy('id').execute();
  }

  /** The feedback of user `subject` on each of `questionIds`, by question id. */
  async feedbackBy(accountId: string, subject: string, questionIds: readonly string[]): Promise<Map<string, FeedbackRow>> {
    if (questionIds.length === 0) return new Map();
    const rows = await this.db
      .selectFrom('answer_feedback')
      .selectAll()
      .where('account_id', '=', accountId)
      .where('created_by', '=', subject)
      .where('question_id', 'in', [...questionIds])
      .execute();
    return new Map(rows.map((r) => [r.question_id, r]));
  }

  /**
   * Stores `row` as its author's feedback on its question, replacing an earlier one of the
   * same author, in `trx` when given (the caller commits), else in a transaction of its own.
   */
  async putFeedback(row: NewFeedbackRow, trx?: Transaction<Database>): Promise<void> {
    const write = async (t: Transaction<Database>): Promise<void> => {
      await t.deleteFrom('answer_feedback').where('account_id', '=', row.account_id).where('question_id', '=', row.question_id).where('created_by', '=', row.created_by).execute();
      await t.insertInto('answer_feedback').values(row).execute();
    };
    if (trx) return write(trx);
    await this.db.transaction().execute(write);
  }

  /**
   * One page of the account's feedback with `helpful` (newest first by (created_at, id)), each
   * with its question; `modelName` filters on the inspection's model.
   */
  async feedbackPage(accountId: string, filter: { helpful?: boolean; modelName?: string }, limit: number, after?: FeedbackCursor): Promise<QuestionWithFeedback[]> {
    let q = this.db
      .selectFrom('answer_feedback as f')
      .innerJoin('questions as q', 'q.id', 'f.question_id')
      .selectAll('q')
      .select([
        'f.id as f_id',
        'f.account_id as f_account_id',
        'f.question_id as f_question_id',
        'f.helpful as f_helpful',
        'f.comment as f_comment',
        'f.correction_json as f_correction_json',
        'f.review_id as f_review_id',
        'f.created_at as f_created_at',
        'f.created_by as f_created_by',
      ])
      .where('f.account_id', '=', accountId)
      .where('q.account_id', '=', accountId);
    if (filter.helpful !== undefined) q = q.where('f.helpful', '=', filter.helpful ? 1 : 0);
    if (filter.modelName !== undefined) q = q.where('q.model_name', '=', filter.modelName);
    if (after) q = q.where((eb) => eb.or([eb('f.created_at', '<', after.createdAt), eb.and([eb('f.created_at', '=', after.createdAt), eb('f.id', '<', after.id)])]));
    const rows = await q.orderBy('f.created_at', 'desc').orderBy('f.id', 'desc').limit(limit).execute();
    return rows.map((r) => {
      const { f_id, f_account_id, f_question_id, f_helpful, f_comment, f_correction_json, f_review_id, f_created_at, f_created_by, ...question } = r;
      return {
        question: question as QuestionRow,
        feedback: { id: f_id, account_id: f_account_id, question_id: f_question_id, helpful: f_helpful, comment: f_comment, correction_json: f_correction_json, review_id: f_review_id, created_at: f_created_at, created_by: f_created_by },
      };
    });
  }

  /**
   * The `k` inspections of `accountId` and model version `versionId` with label `label`
   * whose defect score is closest to `defectScore` (`excludeId` left out): the similar cases
   * of a model without image embeddings.
   */
  async nearestByScore(accountId: string, versionId: string, excludeId: string, label: string, defectScore: number, k: number): Promise<CaseRow[]> {
    return this.db
      .selectFrom('inspections')
      .select(['id', 'verdict', 'label', 'defect_score', 'created_at'])
      .where('account_id', '=', accountId)
      .where('model_version_id', '=', versionId)
      .where('label', '=', label)
      .where('id', '!=', excludeId)
      .orderBy(sql`abs(defect_score - ${defectScore})`)
      .orderBy('created_at', 'desc')
      .orderBy('id')
      .limit(k)
      .execute();
  }

  /** The inspections `ids` of `accountId` (another account's ids are simply absent). */
  async inspectionsByIds(accountId: string, ids: readonly string[]): Promise<CaseRow[]> {
    if (ids.length === 0) return [];
    return this.db.selectFrom('inspections').select(['id', 'verdict', 'label', 'defect_score', 'created_at']).where('account_id', '=', accountId).where('id', 'in', [...ids]).execute();
  }
}
