/**
 * Password hashing with argon2id (@node-rs/argon2, PHC string format), with OWASP's
 * recommended cost (19 MiB, 2 passes, 1 lane), and the password policy.
 */
import { randomBytes } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';
import { badRequest } from '../errors/api-error.ts';

/** Shortest accepted password, characters. */
export const MIN_PASSWORD_LENGTH = 12;
/** Longest accepted password, characters (bounds the hashing work one request can cause). */
export const MAX_PASSWORD_LENGTH = 256;

const ARGON2_OPTIONS = { memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

/** A hash of a random password, verified against when a login names an unknown user, so both cases take the same time. */
let dummyHash: Promise<string> | undefined;

/**
 * @throws 400 XQC_PASSWORD_POLICY naming the accepted length
 */
export function checkPasswordPolicy(password: string): void {
  if (password.length < MIN_PASSWORD_LENGTH || password.length > MAX_PASSWORD_LENGTH) {
    throw badRequest('XQC_PASSWORD_POLICY', `a password must have ${MIN_PASSWORD_LENGTH} to ${MAX_PASSWORD_LENGTH} characters`);
  }
}

/** The argon2id PHC string (`$argon2id$v=19$m=19456,t=2,p=1$salt$hash`) of `password`. */
export function hashPassword(password: string): Promise<string> {
  return hash(password, ARGON2_OPTIONS);
}

/**
 * True when `password` matches `stored`; with `stored` undefined it checks against a
 * dummy hash and returns false, taking as long as a real check.
 */
export async function verifyPassword(password: string, stored: string | undefined): Promise<boolean> {
  if (password.length > MAX_PASSWORD_LENGTH) return false;
  if (stored === undefined) {
    dummyHash ??= hashPassword(randomBytes(16).toString('hex'));
    await verify(await dummyHash, password);
    return false;
  }
  try {
    return await verify(stored, password);
  } catch {
    // A stored value that is not a PHC string matches nothing.
    return false;
  }
}

/** A random password of 24 base64url characters (144 bits), for the first admin and resets. */
export function generatePassword(): string {
  return randomBytes(18).toString('base64url');
}
