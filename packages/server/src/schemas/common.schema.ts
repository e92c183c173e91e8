/**
 * Schemas shared by every route: the problem+json reference and the error-response sets,
 * so that each route lists its error responses in one line.
 */
import { Type } from '@sinclair/typebox';
import { ProblemSchema } from '../errors/api-error.ts';

/** `$ref` to the shared Problem schema (registered once by the error-handler plugin). */
export const ProblemRef = Type.Ref(ProblemSchema.$id as string, { description: 'RFC 9457 problem+json' });

/** One error response: the Problem schema as `application/problem+json`. */
export const ProblemResponse = {
  description: 'RFC 9457 problem+json',
  content: { 'application/problem+json': { schema: ProblemRef } },
} as const;

/**
 * Response schemas for the given error statuses, each the Problem schema served as
 * `application/problem+json` (the media type the error handler sends).
 * @example response: { 200: Body, ...problems(400, 404) }
 */
export function problems(...statuses: number[]): Record<number, typeof ProblemResponse> {
  return Object.fromEntries(statuses.map((s) => [s, ProblemResponse]));
}

/** Text UUID path parameter. */
export const IdParam = Type.String({ format: 'uuid', description: 'a UUID' });
