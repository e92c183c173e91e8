/** @xai-qc/client: the typed XAI-QC API client and the generated OpenAPI types. */
export { createXaiQcClient, data } from './client.ts';
export type { TokenSource, XaiQcClient, XaiQcClientOptions } from './client.ts';
export { isXaiQcApiError, XaiQcApiError } from './xai-qc-api-error.ts';
export type { FieldError, Problem } from './xai-qc-api-error.ts';
export type { components, operations, paths } from './generated/api.ts';
export { connectEvents, EVENT_CLOSE_CODES, EVENT_TYPES, EVENTS_PROTOCOL, eventsUrl, parseEvent, TOKEN_PROTOCOL_PREFIX } from './events.ts';
export type { ConnectEventsOptions, EventsClose, EventsConnection, WebSocketConstructorLike, XqcEvent, XqcEventPayloads, XqcEventType } from './events.ts';
