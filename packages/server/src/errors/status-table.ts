/**
 * The one table from error codes to HTTP statuses. Core's `XqcError` codes never know HTTP;
 * this is the only place that decides what each means to a caller. Typed as a total record
 * so that a new core code fails the typecheck until it is mapped here.
 */
import type { ErrorCode } from '@xai-qc/core';

/** HTTP status of each core error code. */
export const CORE_CODE_STATUS: Readonly<Record<ErrorCode, number>> = Object.freeze({
  XQC_INVALID_ARGUMENT: 400,
  XQC_SHAPE_MISMATCH: 422,
  XQC_DTYPE_UNSUPPORTED: 422,
  XQC_MODEL_INVALID: 422,
  XQC_CARD_INVALID: 422,
  XQC_MODEL_UNSUPPORTED_IR: 422,
  XQC_MODEL_UNSUPPORTED_OPSET: 422,
  XQC_MODEL_EXTERNAL_DATA: 422,
  XQC_GRAPH_INVALID: 422,
  XQC_VALUE_NOT_FOUND: 422,
  XQC_SHAPE_INFERENCE: 422,
  XQC_AUTODIFF_NO_RULE: 422,
  XQC_AUTODIFF_DUPLICATE_RULE: 500,
  XQC_AUTODIFF_UNSUPPORTED: 422,
  XQC_AUTODIFF_NOT_DIFFERENTIABLE: 422,
  XQC_RUNTIME: 500,
  XQC_NPY_INVALID: 422,
  XQC_IO: 500,
  XQC_IMAGE_INVALID: 422,
  XQC_DATASET_INVALID: 422,
  XQC_METRIC_INPUT: 422,
  XQC_TRAIN: 500,
  XQC_EXPLAIN: 422,
  XQC_UNCERTAINTY: 422,
  XQC_ANOMALY: 422,
  XQC_CALIBRATION_REFUSED: 422,
  XQC_LLM: 503,
});

/**
 * Stable codes for failures Fastify or its plugins raise before a route runs (body too
 * large, wrong content type, malformed JSON, rate limit), keyed by HTTP status.
 */
export const HTTP_STATUS_CODE: Readonly<Record<number, string>> = Object.freeze({
  400: 'XQC_BAD_REQUEST',
  401: 'XQC_UNAUTHENTICATED',
  403: 'XQC_FORBIDDEN',
  404: 'XQC_NOT_FOUND',
  405: 'XQC_METHOD_NOT_ALLOWED',
  406: 'XQC_NOT_ACCEPTABLE',
  409: 'XQC_CONFLICT',
  413: 'XQC_PAYLOAD_TOO_LARGE',
  415: 'XQC_UNSUPPORTED_MEDIA_TYPE',
  422: 'XQC_UNPROCESSABLE',
  429: 'XQC_RATE_LIMITED',
  500: 'XQC_INTERNAL',
  503: 'XQC_UNAVAILABLE',
});

/** Short titles of the statuses the API returns (the problem's `title`). */
export const STATUS_TITLE: Readonly<Record<number, string>> = Object.freeze({
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
});

/** Status of a core code, 500 for an unknown one. */
export function statusOfCoreCode(code: string): number {
  return (CORE_CODE_STATUS as Record<string, number>)[code] ?? 500;
}
