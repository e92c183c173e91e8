/**
 * Database IO of the monitoring signals: the per-inspection signals row written in the
 * /detect transaction, the failed /detect log, and the windows a monitor reads (the signals
 * of a version's inspections by count or by time, each with the inspection's verdict and its
 * current review, the latest per inspection, as the metrics read it). Every query names the
 * caller's `accountId`.
 */
import { sql } from 'kysely';
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../db/schema.ts';
import type { NewDetectFailureRow, NewSignalRow, SignalRow } from '../db/tables/signals.tables.ts';

/** A signals row with the inspection's verdict and its current review (null when unreviewed). */
export interface WindowRow extends SignalRow {
  verdict: string;
  image_sha256: string;
  review_verdict: string | null;
  review_class_index: number | null;
}

/** Which inspections of a version a window holds. */
export type WindowSelector =
  | { kind: 'first'; count: number }
  | { kind: 'last'; count: number }
  /** `[from, to)`, oldest first, at most `limit` (the newest `limit` when more match). */
  | { kind: 'range'; from: string; to: string; limit: number };

/** See the module comment. */
export class SignalRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** Inserts the signals of an inspection inside the inspection's transaction. */
  async insert(row: NewSignalRow, trx: Transaction<Database>): Promise<void> {
    await trx.insertInto('inspection_signals').values(row).execute();
  }

  /** Records a failed /detect. */
  async recordFailure(row: NewDetectFailureRow): Promise<void> {
    await this.db.insertInto('detect_failures').values(row).execute();
  }

  /** The rows of `selector` for the account's inspections of version `versionId`, oldest first. */
  async window(accountId: string, versionId: string, selector: WindowSelector): Promise<WindowRow[]> {
    let q = this.db
      .selectFrom('inspection_signals as s')
      .innerJoin('inspections as i', 'i.id', 's.inspection_id')
      .leftJoin('reviews as r', (join) =>
        join
          .onRef('r.inspection_id', '=', 's.inspection_id')
          .on(({ eb, selectFrom }) => eb('r.created_at', '=', selectFrom('reviews as r2').select(sql<string>`max(r2.created_at)`.as('m')).whereRef('r2.inspection_id', '=', 's.inspection_id'))),
      )
      .selectAll('s')
      .select(['i.verdict', 'i.image_sha256', 'r.verdict as review_verdict', 'r.class_index as review_class_index'])
      .where('s.account_id', '=', accountId)
      .where('s.model_version_id', '=', versionId);
    if (selector.kind === 'range') q = q.where('s.created_at', '>=', selector.from).where('s.created_at', '<', selector.to);
    const newestFirst = selector.kind !== 'first';
    const rows = (await q
      .orderBy('s.created_at', newestFirst ? 'desc' : 'asc')
      .orderBy('s.inspection_id', newestFirst ? 'desc' : 'asc')
      .limit(selector.kind === 'range' ? selector.limit : selector.count)
      .execute()) as WindowRow[];
    return newestFirst ? rows.reverse() : rows;
  }

  /**
   * Failed /detect requests and stored inspections of the account in `[from, to)`, for the
   * model (and version) when given: the error rate's numerator and the rest of its denominator.
   */
  async outcomeCounts(accountId: string, from: string, to: string, model?: string, version?: string): Promise<{ failures: number; inspections: number }> {
    let f = this.db.selectFrom('detect_failures').select((eb) => eb.fn.countAll<number | string>().as('n')).where('account_id', '=', accountId).where('created_at', '>=', from).where('created_at', '<', to);
    let i = this.db.selectFrom('inspections').select((eb) => eb.fn.countAll<number | string>().as('n')).where('account_id', '=', accountId).where('created_at', '>=', from).where('created_at', '<', to);
    if (model !== undefined) {
      f = f.where('model_name', '=', model);
      i = i.where('model_name', '=', model);
    }
    if (version !== undefined) {
      f = f.where('model_version', '=', version);
      i = i.where('model_version', '=', version);
    }
    const [a, b] = await Promise.all([f.executeTakeFirstOrThrow(), i.executeTakeFirstOrThrow()]);
    return { failures: Number(a.n), inspections: Number(b.n) };
  }
}
