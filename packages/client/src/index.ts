/** @xai-qc/client: the typed XAI-QC API client and the generated OpenAPI types. */
export { createXaiQcClient, data } from './client.ts';
export type { TokenSource, XaiQcClient, XaiQcClientOptions } from './client.ts';
export { isXaiQcApiError, XaiQcApiError } from './xai-qc-api-error.ts';
export type { FieldError, Problem } from './xai-qc-api-error.ts';
export type { components, operations, paths } from './generated/api.ts';
