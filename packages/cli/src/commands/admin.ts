/**
 * `xaiqc admin`: local accounts and API keys, on the same database as the server (SQLite in
 * XQC_DATA_DIR or PostgreSQL at DATABASE_URL), with the server running or not.
 */
import { XqcError } from '@xai-qc/core';
import { ApiError, loadConfig, openAdminTasks } from '@xai-qc/server';
import type { Command } from '../command.ts';
import { UsageError, required } from '../command.ts';

const ACTIONS = ['create-user', 'reset-password', 'create-api-key'] as const;

/** The password named by --password-env, or undefined to generate one. */
function passwordFrom(values: Record<string, unknown>): string | undefined {
  const name = values['password-env'];
  if (name === undefined) return undefined;
  const pw = process.env[String(name)];
  if (pw === undefined || pw === '') throw new UsageError(`--password-env ${String(name)}: that environment variable is not set`);
  return pw;
}

export const adminCommand: Command = {
  name: 'admin',
  summary: 'create users, reset passwords and create API keys on the server database',
  help: `Usage: xaiqc admin create-user --username NAME --role ROLE [--email E] [--password-env VAR]
       xaiqc admin reset-password --username NAME [--password-env VAR]
       xaiqc admin create-api-key --name NAME [--role ROLE] [--scopes read,write] [--expires ISO-DATE]
       common: [--account ID] [--data-dir DIR] [--database-url URL] [--json]

Works on the database the server uses, configured as the server is: XQC_DATA_DIR (SQLite,
default ./data) or DATABASE_URL (PostgreSQL); --data-dir and --database-url override them.
Users and keys go to the local account (XQC_LOCAL_ACCOUNT, default 'default') unless
--account names another. The server creates its first admin ('admin') only while that
account has no user at all; create-user --role admin makes more admins.

Roles: viewer, operator, engineer, admin. A password is generated and printed once, unless
--password-env names an environment variable holding it (never pass a password as an
argument: other users can read process arguments). reset-password also ends the user's
sessions. create-api-key prints the key once (xqc_<prefix>_<secret>); only its prefix and a
SHA-256 of the secret are stored. Scopes: read (GET/HEAD), write (everything else).
Every action is recorded in the audit log as 'xaiqc admin'.`,
  options: {
    username: { type: 'string' },
    role: { type: 'string' },
    email: { type: 'string' },
    'password-env': { type: 'string' },
    name: { type: 'string' },
    scopes: { type: 'string' },
    expires: { type: 'string' },
    account: { type: 'string' },
    'data-dir': { type: 'string' },
    'database-url': { type: 'string' },
    json: { type: 'boolean' },
  },
  async run(values, positionals, io) {
    const action = positionals[0];
    if (!(ACTIONS as readonly string[]).includes(action ?? '')) throw new UsageError(`give one of ${ACTIONS.join(', ')} (see xaiqc admin --help)`);
    if (positionals.length > 1) throw new UsageError(`unexpected argument '${positionals[1]}'`);
    const config = loadConfig({
      ...process.env,
      ...(values['data-dir'] === undefined ? {} : { XQC_DATA_DIR: String(values['data-dir']) }),
      ...(values['database-url'] === undefined ? {} : { DATABASE_URL: String(values['database-url']) }),
    });
    const accountId = values.account === undefined ? config.auth.localAccountId : String(values.account);
    const tasks = await openAdminTasks(config);
    const print = (record: Record<string, unknown>, lines: string[]) => {
      if (values.json) io.out(JSON.stringify(record));
      else for (const l of lines) io.out(l);
    };
    try {
      const actor = tasks.actor(accountId);
      if (action === 'create-user') {
        const password = passwordFrom(values);
        const { user, password: generated } = await tasks.users.create(actor, {
          username: required(values, 'username'),
          role: required(values, 'role'),
          ...(values.email === undefined ? {} : { email: String(values.email) }),
          ...(password === undefined ? {} : { password }),
        });
        print({ user, ...(generated === undefined ? {} : { password: generated }) }, [
          `created user ${user.username} (${user.role}) in account ${accountId}, id ${user.id}`,
          ...(generated === undefined ? [] : [`password: ${generated}`, 'shown once: store it now']),
        ]);
      } else if (action === 'reset-password') {
        const given = passwordFrom(values);
        const username = required(values, 'username');
        const password = await tasks.users.resetPassword(accountId, username, given);
        print({ username, ...(given === undefined ? { password } : {}) }, [
          `password of ${username} reset; its sessions are ended`,
          ...(given === undefined ? [`password: ${password}`, 'shown once: store it now'] : []),
        ]);
      } else {
        const { key, apiKey } = await tasks.apiKeys.create(actor, {
          name: required(values, 'name'),
          ...(values.role === undefined ? {} : { role: String(values.role) }),
          ...(values.scopes === undefined ? {} : { scopes: String(values.scopes).split(',').map((s) => s.trim()) }),
          ...(values.expires === undefined ? {} : { expiresAt: String(values.expires) }),
        });
        print({ key, apiKey }, [
          `created API key '${apiKey.name}' (${apiKey.role}; scopes ${apiKey.scopes.join(', ')}) in account ${accountId}, id ${apiKey.id}`,
          `key: ${key}`,
          'shown once: store it now; send it as "Authorization: Bearer <key>" or "x-api-key: <key>"',
        ]);
      }
      return 0;
    } catch (e) {
      if (e instanceof ApiError && e.status < 500) throw new XqcError('XQC_INVALID_ARGUMENT', e.message, { cause: e, details: { code: e.code } });
      throw e;
    } finally {
      await tasks.close();
    }
  },
};
