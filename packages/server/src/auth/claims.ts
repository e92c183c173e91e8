/**
 * Reading who a verified token names: the role and the tenant (account) come from claim
 * paths set in the config, so Supabase / Makerkit access tokens work as they are.
 */
import type { JWTPayload } from 'jose';
import { ApiError, unauthorized } from '../errors/api-error.ts';
import { ROLES } from './principal.ts';
import type { Principal, Role } from './principal.ts';

/** How claims of an external token become a {@link Principal}. */
export interface ClaimMapping {
  /** Dot path of the role claim, e.g. `app_metadata.role`. */
  readonly roleClaim: string;
  /** Dot path of the account (tenant) claim, e.g. `app_metadata.account_id`. */
  readonly accountClaim: string;
  /** Role of a token that carries no role claim. */
  readonly defaultRole: Role;
  /** Claim values that are not role names, mapped to roles (e.g. `owner` -> `admin`). */
  readonly roleMap: Readonly<Record<string, Role>>;
}

/**
 * The value at a dot path of a claims object (`app_metadata.role` reads
 * `payload.app_metadata.role`); undefined when any step is missing or not an object.
 */
export function readClaim(payload: Readonly<Record<string, unknown>>, path: string): unknown {
  let value: unknown = payload;
  for (const key of path.split('.')) {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
    if (!Object.prototype.hasOwnProperty.call(value, key)) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

function roleOf(value: string, roleMap: Readonly<Record<string, Role>>): Role | undefined {
  if (Object.prototype.hasOwnProperty.call(roleMap, value)) return roleMap[value];
  return (ROLES as readonly string[]).includes(value) ? (value as Role) : undefined;
}

/**
 * The role a claim value names: a role name, or a key of `roleMap`; a list of values gives
 * the strongest role any of them names. A missing claim gives `defaultRole`.
 * @throws 403 XQC_ROLE_UNKNOWN when the claim is present but names no role: a token from a
 * misconfigured identity provider is refused rather than silently given a role.
 */
export function mapRole(value: unknown, mapping: Pick<ClaimMapping, 'defaultRole' | 'roleMap' | 'roleClaim'>): Role {
  if (value === undefined || value === null) return mapping.defaultRole;
  const values = Array.isArray(value) ? value : [value];
  let best: Role | undefined;
  for (const v of values) {
    const role = typeof v === 'string' ? roleOf(v, mapping.roleMap) : undefined;
    if (role !== undefined && (best === undefined || ROLES.indexOf(role) > ROLES.indexOf(best))) best = role;
  }
  if (best === undefined) {
    const valid = [...ROLES, ...Object.keys(mapping.roleMap)].join(', ');
    throw new ApiError(403, 'XQC_ROLE_UNKNOWN', `the token's ${mapping.roleClaim} claim names no role (valid: ${valid})`);
  }
  return best;
}

/**
 * The principal of a verified external token. The account is the account claim; a token
 * without one falls back to its `sub`, which in Makerkit is the id of the user's personal
 * account, so such a caller only ever sees its own rows.
 * @throws 401 when `sub` is missing; 403 XQC_ROLE_UNKNOWN as {@link mapRole}
 */
export function principalFromClaims(payload: JWTPayload, mapping: ClaimMapping): Principal {
  const subject = payload.sub;
  if (typeof subject !== 'string' || subject === '') throw unauthorized('token has no subject');
  const account = readClaim(payload, mapping.accountClaim);
  const accountId = typeof account === 'string' && account !== '' ? account : typeof account === 'number' ? String(account) : subject;
  const role = mapRole(readClaim(payload, mapping.roleClaim), mapping);
  const email = payload.email;
  return { kind: 'token', subject, accountId, role, ...(typeof email === 'string' ? { name: email } : {}) };
}
