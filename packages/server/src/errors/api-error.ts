/**
 * Errors the API returns, as RFC 9457 problem+json with a stable `code`. Services throw
 * {@link ApiError} (or core's `XqcError`, mapped to a status in one table by the error
 * handler); messages of 5xx responses are never shown to the caller.
 */
import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';

/** The problem+json body of every error response. */
export const ProblemSchema = Type.Object(
  {
    type: Type.String({ description: 'a URI naming the problem type: `https://xai-qc.dev/problems/<code>`' }),
    title: Type.String({ description: 'short summary of the problem type' }),
    status: Type.Integer({ description: 'the HTTP status' }),
    code: Type.String({ description: 'stable machine-readable code, e.g. XQC_NOT_FOUND' }),
    detail: Type.Optional(Type.String({ description: 'what went wrong with this request' })),
    instance: Type.Optional(Type.String({ description: 'the request path' })),
    requestId: Type.Optional(Type.String({ description: 'the request id, also in the x-request-id header' })),
    errors: Type.Optional(
      Type.Array(Type.Object({ field: Type.String(), message: Type.String() }), { description: 'validation errors, one per field' }),
    ),
  },
  { $id: 'Problem', title: 'Problem' },
);

/** A problem+json body. */
export type Problem = Static<typeof ProblemSchema>;

/** An error with an HTTP status and a stable code, thrown by services and routes. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly fieldErrors: readonly { field: string; message: string }[] | undefined;

  constructor(status: number, code: string, message: string, options: { cause?: unknown; errors?: { field: string; message: string }[] } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.fieldErrors = options.errors;
  }
}

/** 400 with a code. */
export const badRequest = (code: string, message: string): ApiError => new ApiError(400, code, message);
/** 401: missing or invalid credentials. */
export const unauthorized = (message = 'authentication required'): ApiError => new ApiError(401, 'XQC_UNAUTHENTICATED', message);
/** 403: authenticated but not allowed. */
export const forbidden = (message = 'not allowed for this role'): ApiError => new ApiError(403, 'XQC_FORBIDDEN', message);
/** 404: no such resource in the caller's account. */
export const notFound = (what: string): ApiError => new ApiError(404, 'XQC_NOT_FOUND', `${what} not found`);
/** 409: the request conflicts with the current state. */
export const conflict = (code: string, message: string): ApiError => new ApiError(409, code, message);
