/**
 * The error the client throws for every non-2xx answer: the server's RFC 9457 problem
 * (status, stable code, detail, request id, field errors) as a typed object.
 */
import type { components } from './generated/api.ts';

/** A problem+json body as the server sends it. */
export type Problem = components['schemas']['Problem'];

/** One invalid request field. */
export interface FieldError {
  field: string;
  message: string;
}

/** A non-2xx answer of the XAI-QC API. */
export class XaiQcApiError extends Error {
  /** HTTP status. */
  readonly status: number;
  /** Stable machine-readable code (`XQC_NOT_FOUND`, `XQC_VALIDATION`, ...); `XQC_HTTP_<status>` when the body was not a problem. */
  readonly code: string;
  /** What went wrong with this request, when the server said. */
  readonly detail: string | undefined;
  /** The server's request id (body or `x-request-id` header), to quote in reports. */
  readonly requestId: string | undefined;
  /** Invalid fields, for validation errors. */
  readonly errors: readonly FieldError[];
  /** The whole problem body, when the answer was problem+json. */
  readonly problem: Problem | undefined;

  constructor(init: { status: number; code: string; detail?: string; requestId?: string; errors?: FieldError[]; problem?: Problem }) {
    super(`${init.code} (${init.status})${init.detail ? `: ${init.detail}` : ''}`);
    this.name = 'XaiQcApiError';
    this.status = init.status;
    this.code = init.code;
    this.detail = init.detail;
    this.requestId = init.requestId;
    this.errors = init.errors ?? [];
    this.problem = init.problem;
  }

  /** Reads a failed response (its body is consumed) into an error. */
  static async fromResponse(response: Response): Promise<XaiQcApiError> {
    const requestId = response.headers.get('x-request-id') ?? undefined;
    const type = response.headers.get('content-type') ?? '';
    if (type.includes('json')) {
      const body = (await response.json().catch(() => undefined)) as Partial<Problem> | undefined;
      if (body && typeof body.code === 'string') {
        return new XaiQcApiError({
          status: response.status,
          code: body.code,
          detail: body.detail,
          requestId: body.requestId ?? requestId,
          errors: body.errors,
          problem: body as Problem,
        });
      }
    }
    return new XaiQcApiError({ status: response.status, code: `XQC_HTTP_${response.status}`, detail: response.statusText || undefined, requestId });
  }
}

/** True when `e` is an {@link XaiQcApiError}, optionally with `code`. */
export function isXaiQcApiError(e: unknown, code?: string): e is XaiQcApiError {
  return e instanceof XaiQcApiError && (code === undefined || e.code === code);
}
