/**
 * The only database IO for local users. Every query is scoped to one account except
 * {@link UserRepository.findForLogin}: a login names no account, the username is unique.
 */
import type { Insertable, Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';
import type { UserRow, UsersTable } from '../db/tables/auth.tables.ts';

/** A page of users ordered by username; `nextCursor` is the last username when more follow. */
export interface UserPage {
  readonly items: UserRow[];
  readonly nextCursor: string | undefined;
}

/** Users table access. */
export class UserRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** Inserts a user; a taken username fails with the engine's unique violation. */
  async insert(row: Insertable<UsersTable>): Promise<UserRow> {
    await this.db.insertInto('users').values(row).execute();
    return (await this.findById(row.account_id, row.id)) as UserRow;
  }

  /** The user with this (lower-case) username in any account, for sign-in only. */
  async findForLogin(username: string): Promise<UserRow | undefined> {
    return this.db.selectFrom('users').selectAll().where('username', '=', username).executeTakeFirst();
  }

  /** The user `id` of `accountId`; undefined for another account's user. */
  async findById(accountId: string, id: string): Promise<UserRow | undefined> {
    return this.db.selectFrom('users').selectAll().where('account_id', '=', accountId).where('id', '=', id).executeTakeFirst();
  }

  /** The user named `username` in `accountId`. */
  async findByUsername(accountId: string, username: string): Promise<UserRow | undefined> {
    return this.db.selectFrom('users').selectAll().where('account_id', '=', accountId).where('username', '=', username).executeTakeFirst();
  }

  /** Users of `accountId` by username, `limit` at a time, after the `cursor` username. */
  async list(accountId: string, limit: number, cursor?: string): Promise<UserPage> {
    let q = this.db.selectFrom('users').selectAll().where('account_id', '=', accountId);
    if (cursor !== undefined) q = q.where('username', '>', cursor);
    const rows = await q.orderBy('username').limit(limit + 1).execute();
    const items = rows.slice(0, limit);
    return { items, nextCursor: rows.length > limit ? items[items.length - 1].username : undefined };
  }

  /** Number of users in `accountId`. */
  async count(accountId: string): Promise<number> {
    const row = await this.db.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).where('account_id', '=', accountId).executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /** Number of enabled admins in `accountId`. */
  async countActiveAdmins(accountId: string): Promise<number> {
    const row = await this.db
      .selectFrom('users')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('account_id', '=', accountId)
      .where('role', '=', 'admin')
      .where('disabled_at', 'is', null)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /** Changes fields of user `id` in `accountId`; returns the updated row, undefined when none matched. */
  async update(
    accountId: string,
    id: string,
    changes: Partial<Pick<UsersTable, 'role' | 'email' | 'disabled_at' | 'password_hash' | 'password_changed_at'>> & { updated_at: string },
  ): Promise<UserRow | undefined> {
    const result = await this.db.updateTable('users').set(changes).where('account_id', '=', accountId).where('id', '=', id).executeTakeFirst();
    if (Number(result.numUpdatedRows) === 0) return undefined;
    return this.findById(accountId, id);
  }
}
