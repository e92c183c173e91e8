/**
 * The signed-in session: tokens, the user and their role, kept in localStorage so a reload
 * keeps the user signed in. Access tokens are refreshed shortly before they expire (one
 * refresh at a time); when the refresh token is spent or revoked the session becomes
 * `expired`: the page stays as it is and a sign-in dialog appears over it, so no work is lost.
 *
 * Two kinds of session: local accounts (`POST /auth/login`, refreshable) and a bearer token
 * from an identity provider (a Supabase access token pasted or handed over by a host app),
 * which is used as it is until it expires.
 */
import { useSyncExternalStore } from 'react';

/** Roles, weakest first. */
export const ROLES = ['viewer', 'operator', 'engineer', 'admin'] as const;
/** A role. */
export type Role = (typeof ROLES)[number];

/** The signed-in user as the app needs it. */
export interface SessionUser {
  subject: string;
  name: string;
  role: Role;
  accountId: string;
}

/** What is stored. */
export interface SessionState {
  status: 'signed-out' | 'signed-in' | 'expired';
  kind?: 'local' | 'token';
  accessToken?: string;
  /** Epoch ms when the access token expires. */
  expiresAt?: number;
  refreshToken?: string;
  user?: SessionUser;
}

const KEY = 'xqc-session';
/** Refresh this long before the access token expires. */
const REFRESH_MARGIN_MS = 30_000;

function load(): SessionState {
  try {
    const raw = localStorage.getItem(KEY);
    if (raw) {
      const s = JSON.parse(raw) as SessionState;
      if (s.status === 'signed-in' && s.accessToken && s.user) return s;
    }
  } catch {
    /* unreadable storage: signed out */
  }
  return { status: 'signed-out' };
}

let state: SessionState = typeof localStorage === 'undefined' ? { status: 'signed-out' } : load();
const listeners = new Set<() => void>();

function set(next: SessionState): void {
  state = next;
  try {
    if (next.status === 'signed-in') localStorage.setItem(KEY, JSON.stringify(next));
    else if (next.status === 'signed-out') localStorage.removeItem(KEY);
  } catch {
    /* private mode: the session lives in memory only */
  }
  for (const l of [...listeners]) l();
}

/** The current session. */
export function getSession(): SessionState {
  return state;
}

/** Subscribes to session changes. */
export function subscribeSession(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** React hook: the current session, re-rendering on change. */
export function useSession(): SessionState {
  return useSyncExternalStore(subscribeSession, getSession, getSession);
}

/** True when `role` is at least `min`. */
export function hasRole(role: Role | undefined, min: Role): boolean {
  return role !== undefined && ROLES.indexOf(role) >= ROLES.indexOf(min);
}

/** The token pair `POST /auth/login` and `/auth/refresh` answer. */
export interface TokenPair {
  accessToken: string;
  expiresIn: number;
  refreshToken: string;
  user: { id: string; username: string; role: Role };
}

/** Starts a local-account session from a token pair; `accountId` from `GET /auth/me`. */
export function startLocalSession(pair: TokenPair, accountId: string): void {
  set({
    status: 'signed-in',
    kind: 'local',
    accessToken: pair.accessToken,
    expiresAt: Date.now() + pair.expiresIn * 1000,
    refreshToken: pair.refreshToken,
    user: { subject: pair.user.id, name: pair.user.username, role: pair.user.role, accountId },
  });
}

/** Starts a session on an identity provider's bearer token, as `GET /auth/me` described it. */
export function startTokenSession(token: string, me: { subject: string; name?: string; role: Role; accountId: string }): void {
  set({
    status: 'signed-in',
    kind: 'token',
    accessToken: token,
    expiresAt: jwtExpiry(token),
    user: { subject: me.subject, name: me.name ?? me.subject, role: me.role, accountId: me.accountId },
  });
}

/** Ends the session (sign out). */
export function clearSession(): void {
  set({ status: 'signed-out' });
}

/** Marks the session expired: the UI asks to sign in again over the current page. */
export function expireSession(): void {
  if (state.status === 'signed-in') set({ ...state, status: 'expired' });
}

/** The `exp` of a JWT in epoch ms, or undefined when it has none or is not a JWT. */
export function jwtExpiry(token: string): number | undefined {
  const part = token.split('.')[1];
  if (!part) return undefined;
  try {
    const json = JSON.parse(atob(part.replace(/-/g, '+').replace(/_/g, '/'))) as { exp?: unknown };
    return typeof json.exp === 'number' ? json.exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}

let refreshing: Promise<string | undefined> | undefined;

/**
 * The access token to send now: refreshed first when it expires within 30 s (local
 * sessions). Undefined when signed out or expired.
 */
export async function currentAccessToken(): Promise<string | undefined> {
  const s = state;
  if (s.status !== 'signed-in' || !s.accessToken) return undefined;
  if (s.expiresAt === undefined || s.expiresAt - Date.now() > REFRESH_MARGIN_MS) return s.accessToken;
  if (s.kind !== 'local' || !s.refreshToken) {
    if (s.expiresAt <= Date.now()) {
      expireSession();
      return undefined;
    }
    return s.accessToken;
  }
  refreshing ??= refresh(s).finally(() => (refreshing = undefined));
  return refreshing;
}

async function refresh(s: SessionState): Promise<string | undefined> {
  try {
    const res = await fetch('/api/xai-qc/auth/refresh', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ refreshToken: s.refreshToken }),
    });
    if (!res.ok) {
      expireSession();
      return undefined;
    }
    const pair = (await res.json()) as TokenPair;
    startLocalSession(pair, s.user!.accountId);
    return pair.accessToken;
  } catch {
    // offline: keep the old token until it really expires
    return s.expiresAt! > Date.now() ? s.accessToken : undefined;
  }
}
