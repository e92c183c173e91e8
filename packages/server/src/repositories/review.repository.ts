/**
 * Reviews and review claims. Every query names the account; reviews are only ever inserted
 * (a new review supersedes, history stays); a claim is taken with one conditional upsert, so
 * two reviewers racing for the same item get one winner on SQLite and PostgreSQL alike.
 */
import { sql } from 'kysely';
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../db/schema.ts';
import type { InspectionRow } from '../db/tables/inspections.tables.ts';
import type { NewReviewRow, ReviewClaimRow, ReviewRow } from '../db/tables/reviews.tables.ts';

/** Filters of the queue's candidate window. */
export interface QueueWindowFilter {
  model?: string;
  from?: string;
  to?: string;
}

/** An unreviewed inspection and its current claim, if any. */
export type QueueWindowRow = Pick<InspectionRow, 'id' | 'created_at' | 'model_name' | 'model_version' | 'verdict' | 'label' | 'score' | 'defect_score' | 'referred' | 'probabilities_json' | 'details_json'> & {
  claim_reviewer: string | null;
  claim_expires_at: string | null;
};

/** Database IO of reviews. */
export class ReviewRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** Inserts a review (inside `trx` when given). */
  async insert(row: NewReviewRow, trx?: Transaction<Database>): Promise<void> {
    await (trx ?? this.db).insertInto('reviews').values(row).execute();
  }

  /** Every review of the inspection, newest first (the first is the current one). */
  async history(accountId: string, inspectionId: string, trx?: Transaction<Database>): Promise<ReviewRow[]> {
    return (trx ?? this.db)
      .selectFrom('reviews')
      .selectAll()
      .where('account_id', '=', accountId)
      .where('inspection_id', '=', inspectionId)
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .execute();
  }

  /** The review `id` of `accountId`. */
  async find(accountId: string, id: string): Promise<ReviewRow | undefined> {
    return this.db.selectFrom('reviews').selectAll().where('account_id', '=', accountId).where('id', '=', id).executeTakeFirst();
  }

  /**
   * The `limit` newest unreviewed inspections of `accountId` matching `filter`, with their
   * claims: the window the queue is drawn from.
   */
  async unreviewed(accountId: string, filter: QueueWindowFilter, limit: number): Promise<QueueWindowRow[]> {
    let q = this.db
      .selectFrom('inspections as i')
      .leftJoin('review_claims as c', 'c.inspection_id', 'i.id')
      .select(['i.id', 'i.created_at', 'i.model_name', 'i.model_version', 'i.verdict', 'i.label', 'i.score', 'i.defect_score', 'i.referred', 'i.probabilities_json', 'i.details_json', 'c.reviewer as claim_reviewer', 'c.expires_at as claim_expires_at'])
      .where('i.account_id', '=', accountId)
      .where(({ not, exists, selectFrom }) => not(exists(selectFrom('reviews as r').select(sql<number>`1`.as('one')).whereRef('r.inspection_id', '=', 'i.id'))));
    if (filter.model !== undefined) q = q.where('i.model_name', '=', filter.model);
    if (filter.from !== undefined) q = q.where('i.created_at', '>=', filter.from);
    if (filter.to !== undefined) q = q.where('i.created_at', '<', filter.to);
    return q.orderBy('i.created_at', 'desc').orderBy('i.id', 'desc').limit(limit).execute();
  }

  /**
   * Gives `reviewer` the claim on `inspectionId` until `expiresAt`: taken when there is none,
   * when the current one has expired, or when it is `reviewer`'s own (renewed).
   * @returns the claim now held, or undefined when another reviewer holds it.
   */
  async claim(accountId: string, inspectionId: string, reviewer: string, now: string, expiresAt: string): Promise<ReviewClaimRow | undefined> {
    return this.db
      .insertInto('review_claims')
      .values({ inspection_id: inspectionId, account_id: accountId, reviewer, claimed_at: now, expires_at: expiresAt })
      .onConflict((oc) =>
        oc
          .column('inspection_id')
          .doUpdateSet({ reviewer, claimed_at: now, expires_at: expiresAt })
          .where((eb) => eb.or([eb('review_claims.expires_at', '<=', now), eb('review_claims.reviewer', '=', reviewer)]))
          .where('review_claims.account_id', '=', accountId),
      )
      .returningAll()
      .executeTakeFirst();
  }

  /** The claim on `inspectionId`, if any (expired ones included). */
  async claimOf(accountId: string, inspectionId: string, trx?: Transaction<Database>): Promise<ReviewClaimRow | undefined> {
    return (trx ?? this.db).selectFrom('review_claims').selectAll().where('account_id', '=', accountId).where('inspection_id', '=', inspectionId).executeTakeFirst();
  }

  /** Removes the claim on `inspectionId` (only `reviewer`'s, when given). @returns true when one was removed. */
  async release(accountId: string, inspectionId: string, reviewer?: string, trx?: Transaction<Database>): Promise<boolean> {
    let q = (trx ?? this.db).deleteFrom('review_claims').where('account_id', '=', accountId).where('inspection_id', '=', inspectionId);
    if (reviewer !== undefined) q = q.where('reviewer', '=', reviewer);
    const res = await q.executeTakeFirst();
    return Number(res.numDeletedRows) > 0;
  }
}
