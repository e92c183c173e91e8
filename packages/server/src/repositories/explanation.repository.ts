/**
 * Database IO of stored explanations: find method results by their key, insert results
 * and aggregates inside the caller's transaction (a row another writer stored first wins;
 * the insert is skipped), read them for an inspection or one by id. Every query names the
 * caller's `accountId`.
 */
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../db/schema.ts';
import type { AggregateRow, ExplanationRow, NewAggregateRow, NewExplanationRow } from '../db/tables/explanations.tables.ts';

/** What identifies one method result of an inspection. */
export interface ExplanationKey {
  method: string;
  targetKey: string;
  paramsHash: string;
  seed: number;
}

type Db = Kysely<Database> | Transaction<Database>;

/** See the module comment. */
export class ExplanationRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** Stored results of `inspectionId` matching any of `keys` (same target and seed), in no order. */
  async findByKeys(accountId: string, inspectionId: string, keys: readonly ExplanationKey[], db: Db = this.db): Promise<ExplanationRow[]> {
    if (keys.length === 0) return [];
    const rows = await db
      .selectFrom('explanations')
      .selectAll()
      .where('account_id', '=', accountId)
      .where('inspection_id', '=', inspectionId)
      .where('method', 'in', keys.map((k) => k.method))
      .where('target_key', 'in', [...new Set(keys.map((k) => k.targetKey))])
      .where('seed', 'in', [...new Set(keys.map((k) => k.seed))])
      .execute();
    return rows.filter((r) => keys.some((k) => k.method === r.method && k.targetKey === r.target_key && k.paramsHash === r.params_hash && k.seed === r.seed));
  }

  /** The aggregate of exactly the members hashed as `membersHash`, if stored. */
  async findAggregate(accountId: string, inspectionId: string, targetKey: string, seed: number, membersHash: string, db: Db = this.db): Promise<AggregateRow | undefined> {
    return db
      .selectFrom('explanation_aggregates')
      .selectAll()
      .where('account_id', '=', accountId)
      .where('inspection_id', '=', inspectionId)
      .where('target_key', '=', targetKey)
      .where('seed', '=', seed)
      .where('members_hash', '=', membersHash)
      .executeTakeFirst();
  }

  /** Inserts `rows` in `trx`; a row whose key is already stored is skipped (the stored one stays). */
  async insertExplanations(rows: readonly NewExplanationRow[], trx: Transaction<Database>): Promise<void> {
    if (rows.length === 0) return;
    await trx
      .insertInto('explanations')
      .values([...rows])
      .onConflict((oc) => oc.columns(['inspection_id', 'method', 'target_key', 'params_hash', 'seed']).doNothing())
      .execute();
  }

  /** Inserts `row` in `trx` unless an aggregate of the same members is stored. */
  async insertAggregate(row: NewAggregateRow, trx: Transaction<Database>): Promise<void> {
    await trx
      .insertInto('explanation_aggregates')
      .values(row)
      .onConflict((oc) => oc.columns(['inspection_id', 'target_key', 'seed', 'members_hash']).doNothing())
      .execute();
  }

  /** Every stored result and aggregate of the inspection, oldest first. */
  async listForInspection(accountId: string, inspectionId: string): Promise<{ explanations: ExplanationRow[]; aggregates: AggregateRow[] }> {
    const explanations = await this.db
      .selectFrom('explanations')
      .selectAll()
      .where('account_id', '=', accountId)
      .where('inspection_id', '=', inspectionId)
      .orderBy('created_at')
      .orderBy('method')
      .orderBy('id')
      .execute();
    const aggregates = await this.db
      .selectFrom('explanation_aggregates')
      .selectAll()
      .where('account_id', '=', accountId)
      .where('inspection_id', '=', inspectionId)
      .orderBy('created_at')
      .orderBy('id')
      .execute();
    return { explanations, aggregates };
  }

  /** One stored result by id, or undefined (also for another account's). */
  async findById(accountId: string, id: string): Promise<ExplanationRow | undefined> {
    return this.db.selectFrom('explanations').selectAll().where('account_id', '=', accountId).where('id', '=', id).executeTakeFirst();
  }

  /** One aggregate by id, or undefined (also for another account's). */
  async findAggregateById(accountId: string, id: string): Promise<AggregateRow | undefined> {
    return this.db.selectFrom('explanation_aggregates').selectAll().where('account_id', '=', accountId).where('id', '=', id).executeTakeFirst();
  }
}
