/**
 * One error class for the whole engine. Every failure the engine reports carries a
 * stable code from {@link ERROR_CODES}; the server maps codes to HTTP statuses in one
 * place and the CLI prints `code: message` on one line.
 */

/** Every stable error code, with what it means. Codes never change meaning once shipped. */
export const ERROR_CODES = {
  XQC_INVALID_ARGUMENT: 'an argument is missing, malformed or out of range',
  XQC_SHAPE_MISMATCH: 'tensor shapes or lengths do not agree',
  XQC_DTYPE_UNSUPPORTED: 'a tensor data type is not supported here',
  XQC_MODEL_INVALID: 'the ONNX file is malformed, truncated or inconsistent',
  XQC_CARD_INVALID: 'a model card is malformed: a field is missing, misspelt, of the wrong type or out of range (the message names its JSON path)',
  XQC_MODEL_UNSUPPORTED_IR: 'the ONNX IR version is outside the supported range',
  XQC_MODEL_UNSUPPORTED_OPSET: 'the ONNX default-domain opset is outside the supported range',
  XQC_MODEL_EXTERNAL_DATA: 'the ONNX file keeps tensors in external files that were not provided',
  XQC_GRAPH_INVALID: 'a graph is not well formed (dangling value, cycle, duplicate name)',
  XQC_VALUE_NOT_FOUND: 'a named graph value does not exist',
  XQC_SHAPE_INFERENCE: 'shape or type inference failed for a node',
  XQC_AUTODIFF_NO_RULE: 'an operator on the gradient path has no gradient rule',
  XQC_AUTODIFF_DUPLICATE_RULE: 'a gradient rule was registered twice for one operator',
  XQC_AUTODIFF_UNSUPPORTED: 'a gradient rule does not support this use of its operator',
  XQC_AUTODIFF_NOT_DIFFERENTIABLE: 'the requested output does not depend differentiably on the inputs',
  XQC_RUNTIME: 'ONNX Runtime failed to create a session or run a graph',
  XQC_NPY_INVALID: 'a .npy file is malformed or uses an unsupported dtype',
  XQC_IO: 'a file could not be read or written',
  XQC_IMAGE_INVALID: 'an image could not be decoded or has the wrong shape',
  XQC_DATASET_INVALID: 'a dataset folder is malformed or empty',
  XQC_METRIC_INPUT: 'metric inputs are malformed (length mismatch, NaN, labels out of range)',
  XQC_TRAIN: 'training could not proceed',
  XQC_EXPLAIN: 'an explanation method cannot run on this model or target',
  XQC_UNCERTAINTY: 'an uncertainty method cannot run on this model',
  XQC_CALIBRATION_REFUSED: 'a calibration fit was refused: too few validation items, a single class, or a degenerate fit (temperature at a bound or non-finite, NLL not improved, conformal level out of reach)',
  XQC_ANOMALY: 'an anomaly detector cannot be built, fitted or loaded (no spatial backbone layer, artifact mismatch)',
  XQC_LLM: 'a language-model or embedding endpoint failed: an HTTP error from the provider, a timeout, a network failure or a malformed response',
} as const;

/** A stable error code. */
export type ErrorCode = keyof typeof ERROR_CODES;

/** The engine's error: a stable `code`, a one-line `message`, an optional `cause` and details. */
export class XqcError extends Error {
  readonly code: ErrorCode;
  readonly details: Readonly<Record<string, unknown>> | undefined;

  constructor(code: ErrorCode, message: string, options: { cause?: unknown; details?: Record<string, unknown> } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'XqcError';
    this.code = code;
    this.details = options.details ? Object.freeze({ ...options.details }) : undefined;
  }

  /** `CODE: message`, the one-line form the CLI prints. */
  toLine(): string {
    return `${this.code}: ${this.message.replace(/\s*\n\s*/g, ' ')}`;
  }
}

/** True when `e` is an {@link XqcError}, optionally with the given code. */
export function isXqcError(e: unknown, code?: ErrorCode): e is XqcError {
  return e instanceof XqcError && (code === undefined || e.code === code);
}

/** Throws `XQC_INVALID_ARGUMENT` (or `code`) with `message` unless `cond` holds. */
export function check(cond: unknown, message: string, code: ErrorCode = 'XQC_INVALID_ARGUMENT'): asserts cond {
  if (!cond) throw new XqcError(code, message);
}
