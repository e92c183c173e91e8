/**
 * Who is calling: set on every authenticated request by the auth plugin, read by routes
 * and services for role checks and tenant isolation (every query filters by `accountId`).
 */

/** Roles, weakest first. A route needing a role admits every stronger one. */
export const ROLES = ['viewer', 'operator', 'engineer', 'admin'] as const;

/** One of {@link ROLES}. */
export type Role = (typeof ROLES)[number];

/** True when `role` is at least `needed`. */
export function roleAtLeast(role: Role, needed: Role): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(needed);
}

/** The authenticated caller. */
export interface Principal {
  /** How the caller proved who it is. */
  readonly kind: 'user' | 'api-key' | 'token';
  /** Stable id of the caller: a local user id, an API key id, or the token's `sub`. */
  readonly subject: string;
  /** The tenant; no query returns rows of another account. */
  readonly accountId: string;
  readonly role: Role;
  /** API-key scopes; undefined for users and tokens (their role decides). */
  readonly scopes?: readonly string[];
  /** Display name or e-mail, when known, for audit records. */
  readonly name?: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the auth plugin on every route under `/api` except the open ones. */
    principal?: Principal;
  }
}
