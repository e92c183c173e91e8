/**
 * Signing in: a local account (`POST /auth/login`, then `GET /auth/me` for the account id) or
 * a bearer token from an identity provider (a Supabase access token), checked by `GET /auth/me`.
 */
import { XaiQcApiError } from '@xai-qc/client';
import { API_PREFIX } from '../../app/api.ts';
import { startLocalSession, startTokenSession } from '../../app/session.ts';
import type { Role, TokenPair } from '../../app/session.ts';

interface Me {
  subject: string;
  accountId: string;
  role: Role;
  name?: string;
}

async function json<T>(res: Response): Promise<T> {
  if (!res.ok) throw await XaiQcApiError.fromResponse(res);
  return (await res.json()) as T;
}

async function me(token: string): Promise<Me> {
  return json<Me>(await fetch(`${API_PREFIX}/auth/me`, { headers: { authorization: `Bearer ${token}` } }));
}

/** Signs in with a local account's user name and password. @throws XaiQcApiError (401 on a wrong password). */
export async function signInLocal(username: string, password: string): Promise<void> {
  const pair = await json<TokenPair>(
    await fetch(`${API_PREFIX}/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) }),
  );
  const who = await me(pair.accessToken);
  startLocalSession(pair, who.accountId);
}

/** Signs in with a bearer token (an identity provider's access token). @throws XaiQcApiError (401 when the server refuses it). */
export async function signInToken(token: string): Promise<void> {
  const t = token.trim().replace(/^Bearer\s+/i, '');
  const who = await me(t);
  startTokenSession(t, who);
}
