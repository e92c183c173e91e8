/**
 * Schemas shared by every route: the problem+json reference and the error-response sets,
 * so that each route lists its error responses in one line.
 */
import { Type } from '@sinclair/typebox';
import type { TSchema } from '@sinclair/typebox';
import { ProblemSchema } from '../errors/api-error.ts';

/** `$ref` to the shared Problem schema (registered once by the error-handler plugin). */
export const ProblemRef = Type.Ref(ProblemSchema.$id as string, { description: 'RFC 9457 problem+json' });

/**
 * Response schemas for the given error statuses, each the Problem schema.
 * @example response: { 200: Body, ...problems(400, 404) }
 */
export function problems(...statuses: number[]): Record<number, TSchema> {
  return Object.fromEntries(statuses.map((s) => [s, ProblemRef]));
}

/** Text UUID path parameter. */
export const IdParam = Type.String({ format: 'uuid', description: 'a UUID' });
