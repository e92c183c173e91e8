/**
 * Bearer tokens for route tests: Supabase-style HS256 access tokens signed with a test
 * secret that {@link TEST_AUTH_ENV} makes the app accept, with the role and account in
 * `app_metadata` as a Makerkit app sends them.
 */
import { SignJWT } from 'jose';
import type { Role } from '../auth/principal.ts';

const SECRET = 'test-secret-of-the-identity-provider-0123456789';
const ISSUER = 'https://test-project.supabase.co/auth/v1';

/** Environment that makes a test app accept {@link bearer} tokens. */
export const TEST_AUTH_ENV: Readonly<Record<string, string>> = Object.freeze({
  XQC_JWT_SECRET: SECRET,
  XQC_JWT_ISSUER: ISSUER,
  XQC_ADMIN_PASSWORD: 'test-admin-password-1',
  XQC_RATE_LIMIT_MAX: '0',
});

/** `{ authorization: 'Bearer <jwt>' }` for a caller with `role` in `account` (default acct-test). */
export async function bearer(role: Role, account = 'acct-test', subject = `user-${role}`): Promise<{ authorization: string }> {
  const jwt = await new SignJWT({ role: 'authenticated', email: `${subject}@example.com`, app_metadata: { role, account_id: account } })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuer(ISSUER)
    .setAudience('authenticated')
    .setSubject(subject)
    .setIssuedAt()
    .setExpirationTime('1h')
    .sign(new TextEncoder().encode(SECRET));
  return { authorization: `Bearer ${jwt}` };
}
