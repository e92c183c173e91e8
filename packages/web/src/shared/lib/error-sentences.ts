/**
 * The server's coded errors as sentences people understand. The server's own message
 * (`detail`) is specific and often says what to do; the sentence for the code comes first,
 * the detail follows when it adds something.
 */
import { isXaiQcApiError } from '@xai-qc/client';

const SENTENCES: Record<string, string> = {
  XQC_UNAUTHENTICATED: 'Your session has ended. Sign in again to continue.',
  XQC_FORBIDDEN: 'Your role does not allow this. Ask an administrator if you need it.',
  XQC_NOT_FOUND: 'That item no longer exists or was never there.',
  XQC_RATE_LIMITED: 'Too many requests in a short time. Wait a moment and try again.',
  XQC_INVALID_ARGUMENT: 'Some of the input is not valid.',
  XQC_VALIDATION: 'Some fields are not valid.',
  XQC_IMAGE_INVALID: 'The file is not an image the server can read.',
  XQC_IMAGE_UNSUPPORTED: 'This image format is not supported. Use PNG, JPEG, TIFF, WebP or BMP.',
  XQC_IMAGE_TOO_LARGE: 'The image is too large (too many pixels).',
  XQC_PAYLOAD_TOO_LARGE: 'The upload is too large.',
  XQC_UNSUPPORTED_MEDIA_TYPE: 'This kind of file is not accepted here.',
  XQC_UPLOAD_MISSING: 'Choose a file to upload first.',
  XQC_UPLOAD_EMPTY: 'The file is empty.',
  XQC_TOO_MANY_FILES: 'Too many files in one upload.',
  XQC_MODEL_INVALID: 'The model file is not a valid ONNX model.',
  XQC_CARD_INVALID: 'The model card has errors.',
  XQC_CARD_MISMATCH: 'The model card does not match the model file.',
  XQC_MODEL_TEST_RUN_FAILED: 'The model failed a test run on a sample input.',
  XQC_VERSION_EXISTS: 'A version with this name already exists.',
  XQC_NO_ACTIVE_MODEL: 'No model is active. Activate a model version on the Models page.',
  XQC_NO_ACTIVE_VERSION: 'This model has no active version. Activate one on the Models page.',
  XQC_MODEL_VERSION_ACTIVE: 'The active version cannot be removed. Activate another version first.',
  XQC_MODEL_VERSION_IN_USE: 'This version is still in use.',
  XQC_INFERENCE_OVERLOADED: 'The server is busy. Your image will be retried shortly.',
  XQC_INFERENCE_UNAVAILABLE: 'The model is not available right now.',
  XQC_EXPLAIN_METHOD: 'This explanation method is not available for this model.',
  XQC_EXPLAIN_UNAVAILABLE: 'Explanations are not available for this model.',
  XQC_EXPLAIN_PARAM: 'A setting of this explanation method is not valid.',
  XQC_EXPLAIN_TARGET: 'The model has no such class to explain.',
  XQC_EXPLAIN: 'The method cannot explain this model or image.',
  XQC_NOT_ANOMALY: 'These answers exist for anomaly models only.',
  XQC_MODEL_VERSION_GONE: 'The model version of this inspection was deleted, so it cannot be explained any more.',
  XQC_REVIEW_CLAIMED: 'Another reviewer is working on this item. Take the next one.',
  XQC_REVIEW_MASK: 'The corrected mask does not fit the image.',
  XQC_REVIEW_LABEL: 'That class is not one of the model\u2019s classes.',
  XQC_USERNAME_TAKEN: 'That user name is taken.',
  XQC_PASSWORD_POLICY: 'The password is too weak: use at least 12 characters.',
  XQC_LAST_ADMIN: 'The last administrator cannot be removed or demoted.',
  XQC_MAIL_DISABLED: 'Mail is not configured on this server.',
  XQC_TOO_FEW_INSPECTIONS: 'There are not enough inspections yet for this.',
  XQC_DATASET_INVALID: 'The dataset archive is not in a layout the server understands.',
  XQC_ARCHIVE_CORRUPT: 'The archive is damaged.',
  XQC_JOB_FINISHED: 'The job has already finished.',
  XQC_ALERT_METRIC: 'That figure cannot be watched by an alert rule.',
  XQC_WEBHOOK_URL: 'The webhook address must start with http:// or https://.',
  XQC_MONITOR_NO_REFERENCE: 'The monitor\u2019s reference window has no inspections yet.',
  XQC_MONITOR_NO_CURRENT: 'The monitor\u2019s current window has no inspections yet.',
  XQC_MONITOR_SIGNAL: 'One of the chosen signals is not one a monitor can check.',
  XQC_ALERT_MODEL: 'This figure is computed per model: choose a model for the rule.',
  XQC_ALERT_RESOLVED: 'The alert is already resolved.',
  XQC_DATASET_IN_USE: 'A training run still uses this dataset. Wait for it to finish or cancel it first.',
  XQC_TASK_MISMATCH: 'The card\u2019s task differs from the task of the model it joins.',
  XQC_INVALID_RANGE: 'The start of the range is after its end.',
  XQC_CALIBRATION_TASK: 'Calibration applies to classification models only. Choose a classifier.',
  XQC_CALIBRATION_REFUSED: 'The reviews cannot support a new calibration yet (too few, or too one-sided). Review more inspections and try again.',
  XQC_NO_EMAIL: 'Your account has no e-mail address to send the report to.',
  XQC_UNAVAILABLE: 'The server cannot do this right now. Try again in a moment.',
  XQC_INTERNAL: 'Something went wrong on the server. The request id helps an administrator find it.',
};

/** A field-level error as the server reports it. */
export interface FieldProblem {
  field: string;
  message: string;
}

/** The parts of an error a page shows. */
export interface ErrorView {
  title: string;
  detail?: string;
  code?: string;
  requestId?: string;
  fields: FieldProblem[];
}

/** Turns anything thrown into what a page shows: a sentence, the server's detail, the fields. */
export function describeError(error: unknown): ErrorView {
  if (isXaiQcApiError(error)) {
    const sentence = SENTENCES[error.code] ?? (error.status >= 500 ? SENTENCES.XQC_INTERNAL! : 'The request was not accepted.');
    const detail = error.detail && error.detail !== sentence ? capitalise(error.detail) : undefined;
    return { title: sentence, detail, code: error.code, requestId: error.requestId, fields: [...error.errors] };
  }
  if (error instanceof DOMException && error.name === 'AbortError') return { title: 'Cancelled.', fields: [] };
  if (error instanceof TypeError) return { title: 'The server cannot be reached. Check the connection; your work on this page is kept.', fields: [] };
  return { title: error instanceof Error ? capitalise(error.message) : 'Something went wrong.', fields: [] };
}

/** The errors of one field, from an error's field list (`body.name`, `name` and `/name` all match `name`). */
export function fieldErrors(error: unknown, field: string): string[] {
  if (!isXaiQcApiError(error)) return [];
  const norm = (f: string) => f.replace(/^\/?(body[./])?/, '').replace(/\//g, '.');
  return error.errors.filter((e) => norm(e.field) === field).map((e) => e.message);
}

function capitalise(s: string): string {
  const t = s.trim();
  return t ? t[0]!.toUpperCase() + t.slice(1) + (/[.!?]$/.test(t) ? '' : '.') : t;
}
