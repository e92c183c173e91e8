/** What each role may do, in a sentence (form hints of the admin pages). */
import type { Role } from '../../app/session.ts';

/** One sentence per role. */
export const ROLE_HINTS: Record<Role, string> = {
  viewer: 'Sees history, metrics and monitoring; changes nothing.',
  operator: 'Inspects, reviews, acknowledges alerts and cancels jobs.',
  engineer: 'Also manages models, datasets, training, thresholds, monitors and API keys.',
  admin: 'Also manages users.',
};

/** The roles a creator of `role` may give an API key: up to their own. */
export function assignableRoles(all: readonly Role[], role: Role | undefined): Role[] {
  const i = role ? all.indexOf(role) : -1;
  return all.slice(0, i + 1);
}

/** An API key's state for the list: revoked, expired or active. */
export function keyState(k: { revokedAt: string | null; expiresAt: string | null }, now = Date.now()): 'revoked' | 'expired' | 'active' {
  if (k.revokedAt) return 'revoked';
  if (k.expiresAt && Date.parse(k.expiresAt) <= now) return 'expired';
  return 'active';
}
