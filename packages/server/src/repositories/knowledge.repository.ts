/**
 * Database IO of the knowledge base: an account's documents and their passages (written
 * together in one transaction with the bump of the account's `knowledge_state` version, so
 * an index cached by any process can tell it is stale), read back for listing, for one
 * document, and in full for building the account's search index. Every query names the
 * caller's `accountId`.
 */
import { sql } from 'kysely';
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../db/schema.ts';
import type { KnowledgeDocumentRow, KnowledgePassageRow, NewKnowledgeDocumentRow, NewKnowledgePassageRow } from '../db/tables/ask.tables.ts';

/** A passage with its document's title, as the search index takes it. */
export interface IndexedPassageRow extends KnowledgePassageRow {
  title: string;
}

async function bump(trx: Transaction<Database>, accountId: string, now: string): Promise<void> {
  await trx
    .insertInto('knowledge_state')
    .values({ account_id: accountId, version: 1, updated_at: now })
    .onConflict((oc) => oc.column('account_id').doUpdateSet({ version: sql<number>`knowledge_state.version + 1`, updated_at: now }))
    .execute();
}

/** Passages per insert statement (SQLite allows 32,766 bound values; 7 columns each). */
const INSERT_CHUNK = 500;

/** See the module comment. */
export class KnowledgeRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** Inserts a document and its passages and bumps the account's version, in one transaction. */
  async insert(doc: NewKnowledgeDocumentRow, passages: readonly NewKnowledgePassageRow[]): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx.insertInto('knowledge_documents').values(doc).execute();
      for (let i = 0; i < passages.length; i += INSERT_CHUNK) await trx.insertInto('knowledge_passages').values(passages.slice(i, i + INSERT_CHUNK)).execute();
      await bump(trx, doc.account_id, doc.created_at);
    });
  }

  /** The account's documents, newest first. */
  async list(accountId: string): Promise<KnowledgeDocumentRow[]> {
    return this.db.selectFrom('knowledge_documents').selectAll().where('account_id', '=', accountId).orderBy('created_at', 'desc').orderBy('id', 'desc').execute();
  }

  /** The document `id` of `accountId`, or undefined (also for another account's). */
  async find(accountId: string, id: string): Promise<KnowledgeDocumentRow | undefined> {
    return this.db.selectFrom('knowledge_documents').selectAll().where('account_id', '=', accountId).where('id', '=', id).executeTakeFirst();
  }

  /** The passages of document `id` of `accountId`, in document order. */
  async passagesOf(accountId: string, id: string): Promise<KnowledgePassageRow[]> {
    return this.db.selectFrom('knowledge_passages').selectAll().where('account_id', '=', accountId).where('document_id', '=', id).orderBy('idx').execute();
  }

  /** Deletes the document `id` of `accountId` with its passages and bumps the version; false when there was none. */
  async delete(accountId: string, id: string, now: string): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('knowledge_passages').where('account_id', '=', accountId).where('document_id', '=', id).execute();
      const r = await trx.deleteFrom('knowledge_documents').where('account_id', '=', accountId).where('id', '=', id).executeTakeFirst();
      if (Number(r.numDeletedRows) === 0) return false;
      await bump(trx, accountId, now);
      return true;
    });
  }

  /** The version of the account's document set: 0 before its first document. */
  async version(accountId: string): Promise<number> {
    const r = await this.db.selectFrom('knowledge_state').select('version').where('account_id', '=', accountId).executeTakeFirst();
    return r ? Number(r.version) : 0;
  }

  /** Every passage of the account with its document's title, and the version they belong to (read in one transaction). */
  async allPassages(accountId: string): Promise<{ version: number; passages: IndexedPassageRow[] }> {
    return this.db.transaction().execute(async (trx) => {
      const state = await trx.selectFrom('knowledge_state').select('version').where('account_id', '=', accountId).executeTakeFirst();
      const passages = await trx
        .selectFrom('knowledge_passages as p')
        .innerJoin('knowledge_documents as d', 'd.id', 'p.document_id')
        .selectAll('p')
        .select('d.title as title')
        .where('p.account_id', '=', accountId)
        .where('d.account_id', '=', accountId)
        .orderBy('d.created_at')
        .orderBy('p.document_id')
        .orderBy('p.idx')
        .execute();
      return { version: state ? Number(state.version) : 0, passages };
    });
  }
}
