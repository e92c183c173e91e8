/**
 * Webhooks and their delivery log. Every query is scoped to an account: another account's
 * webhook is never found.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';
import type { NewWebhookDeliveryRow, WebhookDeliveryRow, WebhookRow } from '../db/tables/alerts.tables.ts';

/** See the module comment. */
export class WebhookRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** Stores a webhook. */
  async insert(row: WebhookRow): Promise<void> {
    await this.db.insertInto('webhooks').values(row).execute();
  }

  /** The account's webhooks, oldest first. */
  async list(accountId: string): Promise<WebhookRow[]> {
    return this.db.selectFrom('webhooks').selectAll().where('account_id', '=', accountId).orderBy('created_at').orderBy('id').execute();
  }

  /** Webhook `id` of the account, if any. */
  async find(accountId: string, id: string): Promise<WebhookRow | undefined> {
    return this.db.selectFrom('webhooks').selectAll().where('account_id', '=', accountId).where('id', '=', id).executeTakeFirst();
  }

  /** Deletes webhook `id` of the account and its delivery log. @returns true when one was deleted. */
  async delete(accountId: string, id: string): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('webhook_deliveries').where('account_id', '=', accountId).where('webhook_id', '=', id).execute();
      const res = await trx.deleteFrom('webhooks').where('account_id', '=', accountId).where('id', '=', id).executeTakeFirst();
      return Number(res.numDeletedRows) > 0;
    });
  }

  /** Records one delivery attempt. */
  async recordDelivery(row: NewWebhookDeliveryRow): Promise<void> {
    await this.db.insertInto('webhook_deliveries').values(row).execute();
  }

  /** The delivery attempts of webhook `webhookId`, newest first. */
  async deliveries(accountId: string, webhookId: string, limit: number): Promise<WebhookDeliveryRow[]> {
    return this.db
      .selectFrom('webhook_deliveries')
      .selectAll()
      .where('account_id', '=', accountId)
      .where('webhook_id', '=', webhookId)
      .orderBy('created_at', 'desc')
      .orderBy('attempt', 'desc')
      .limit(limit)
      .execute();
  }
}
