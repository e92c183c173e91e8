/**
 * Live events of the XAI-QC API: a typed connection to the WebSocket `GET /api/xai-qc/ws`.
 * The message types mirror the server's event schemas (components `XqcEvent`,
 * `InspectionCreatedEvent`, ... of the OpenAPI document); a server test checks that both
 * list the same event types.
 *
 * The credential travels as the subprotocol `xqc-token.<token>` beside `xqc-events`, because
 * browsers cannot set headers on a WebSocket; it never appears in the URL.
 *
 * @example
 * import WebSocket from 'ws'; // Node 20; browsers and Node 22+ have a global WebSocket
 * const events = await connectEvents({ baseUrl: 'http://127.0.0.1:8080', token, WebSocket });
 * for await (const e of events) if (e.type === 'job.finished') console.log(e.data.status);
 */
import type { TokenSource } from './client.ts';

/** Every event type the server sends, in the order of its schemas. */
export const EVENT_TYPES = Object.freeze(['inspection.created', 'explanation.ready', 'job.progress', 'job.finished', 'run.epoch', 'alert.fired', 'review.created', 'monitor.result'] as const);

/** An event type. */
export type XqcEventType = (typeof EVENT_TYPES)[number];

/** The `data` of each event type. */
export interface XqcEventPayloads {
  /** A new inspection was stored. */
  'inspection.created': { inspectionId: string; modelName: string; modelVersion: string; verdict: string; score: number | null };
  /** A stored explanation is ready to read. */
  'explanation.ready': { inspectionId: string; explanationId: string; method: string; jobId: string | null };
  /** A job recorded progress (0..1). */
  'job.progress': { jobId: string; name: string; progress: number; message: string | null };
  /** A job ended for good: succeeded, failed (after its last attempt) or cancelled. */
  'job.finished': { jobId: string; name: string; status: 'succeeded' | 'failed' | 'cancelled'; error: string | null };
  /** A training run finished an epoch (loss, validation metric, learning rate, whether it is the best so far). */
  'run.epoch': { runId: string; jobId: string; epoch: number; epochs: number; trainLoss: number; valMetric: number; lr: number; seconds: number; best: boolean };
  /** An alert rule fired: the figure, the threshold it broke, the model. */
  'alert.fired': { alertId: string; ruleId: string; ruleName: string; metric: string; comparator: string; threshold: number; value: number; modelName: string | null; modelVersion: string | null; firedAt: string };
  /** A monitor stored a result: its overall drift level and the signals at drift. */
  /** A review became the current one of an inspection. */
  'review.created': { inspectionId: string; reviewId: string; verdict: 'pass' | 'reject'; label: string; agrees: boolean; reviewer: string };
  'monitor.result': { monitorId: string; resultId: string; modelName: string; modelVersion: string; level: 'none' | 'possible' | 'drift'; driftedSignals: string[]; computedAt: string };
}

/** One event: what one WebSocket text frame holds. Narrow on `type` to type `data`. */
export type XqcEvent = {
  [T in XqcEventType]: {
    type: T;
    accountId: string;
    /** ISO-8601 UTC time of publication. */
    at: string;
    data: XqcEventPayloads[T];
  };
}[XqcEventType];

/** The subprotocol the server speaks. */
export const EVENTS_PROTOCOL = 'xqc-events';
/** Prefix of the subprotocol that carries the credential. */
export const TOKEN_PROTOCOL_PREFIX = 'xqc-token.';
/** Close codes the server sends besides the standard ones. */
export const EVENT_CLOSE_CODES = Object.freeze({ goingAway: 1001, slowConsumer: 4008, unauthenticated: 4401 });

/** Any WHATWG-style WebSocket constructor: the browser's, Node 22's global, or the `ws` package's default export. */
export type WebSocketConstructorLike = new (url: string, protocols?: string | string[]) => object;

/** What this module uses of a WebSocket (the WHATWG interface; `ws` implements it). */
interface WebSocketLike {
  readonly protocol: string;
  close(code?: number, reason?: string): void;
  addEventListener(type: 'open', listener: () => void): void;
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
  addEventListener(type: 'close', listener: (event: { code: number; reason: string }) => void): void;
  addEventListener(type: 'error', listener: (event: { message?: string }) => void): void;
}

/** Options of {@link connectEvents}. */
export interface ConnectEventsOptions {
  /** Server origin, e.g. `http://127.0.0.1:8080` (`https` becomes `wss`). */
  baseUrl: string;
  /** Bearer token (local access token or the identity provider's), or a function returning the current one. */
  token?: TokenSource;
  /** API key (`xqc_<prefix>_<secret>`, needs the `read` scope); used when no token is given. */
  apiKey?: string;
  /** WebSocket constructor (default `globalThis.WebSocket`; pass `ws` on Node 20). */
  WebSocket?: WebSocketConstructorLike;
}

/** How a connection ended. */
export interface EventsClose {
  code: number;
  reason: string;
}

/** An open connection. Iterate it (`for await`) or add listeners; iteration ends when it closes. */
export interface EventsConnection extends AsyncIterable<XqcEvent> {
  /** Calls `listener` with each later event; returns a function that removes it. */
  onEvent(listener: (event: XqcEvent) => void): () => void;
  /** Resolves when the connection closed, from either side (a reconnect is the caller's choice). */
  readonly closed: Promise<EventsClose>;
  /** Closes the connection (1000 by default). */
  close(code?: number, reason?: string): void;
}

/** The WebSocket URL of `baseUrl`. */
export function eventsUrl(baseUrl: string): string {
  const url = new URL('/api/xai-qc/ws', baseUrl.replace(/\/+$/, '') + '/');
  url.protocol = url.protocol === 'https:' ? 'wss:' : url.protocol === 'http:' ? 'ws:' : url.protocol;
  return url.toString();
}

/** An event from a text frame, or undefined for anything else (unknown types of a newer server included). */
export function parseEvent(data: unknown): XqcEvent | undefined {
  if (typeof data !== 'string') return undefined;
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const e = value as Partial<XqcEvent>;
  if (!(EVENT_TYPES as readonly unknown[]).includes(e.type) || typeof e.accountId !== 'string' || typeof e.at !== 'string' || typeof e.data !== 'object' || e.data === null) return undefined;
  return value as XqcEvent;
}

/**
 * Opens the live-event WebSocket of the credential's account.
 * @returns the open connection.
 * @throws when no WebSocket constructor is available, no credential is given, or the
 * connection fails before it opens (a refused credential is a 401 before the upgrade; the
 * browser does not reveal the status, `ws` names it in the message).
 */
export async function connectEvents(options: ConnectEventsOptions): Promise<EventsConnection> {
  const Ctor = options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructorLike }).WebSocket;
  if (!Ctor) throw new Error('no WebSocket constructor: pass one (e.g. the ws package) on Node 20');
  const token = typeof options.token === 'function' ? await options.token() : options.token;
  const credential = token ?? options.apiKey;
  if (!credential) throw new Error('connectEvents needs a token or an API key');
  const socket = new Ctor(eventsUrl(options.baseUrl), [EVENTS_PROTOCOL, `${TOKEN_PROTOCOL_PREFIX}${credential}`]) as WebSocketLike;

  const listeners = new Set<(event: XqcEvent) => void>();
  socket.addEventListener('message', (m) => {
    const event = parseEvent(m.data);
    if (event) for (const l of [...listeners]) l(event);
  });
  const closed = new Promise<EventsClose>((resolve) => socket.addEventListener('close', (c) => resolve({ code: c.code, reason: c.reason })));
  await new Promise<void>((resolve, reject) => {
    let error = '';
    socket.addEventListener('open', () => resolve());
    socket.addEventListener('error', (e) => (error = e.message ?? ''));
    void closed.then((c) => reject(new Error(`the live-event WebSocket did not open (close ${c.code}${error ? `: ${error}` : ''})`)));
  });

  const onEvent = (listener: (event: XqcEvent) => void): (() => void) => {
    listeners.add(listener);
    return () => listeners.delete(listener);
  };
  return {
    onEvent,
    closed,
    close: (code = 1000, reason = '') => socket.close(code, reason),
    [Symbol.asyncIterator](): AsyncIterator<XqcEvent> {
      const queue: XqcEvent[] = [];
      let wake: (() => void) | undefined;
      let done = false;
      const off = onEvent((e) => {
        queue.push(e);
        wake?.();
      });
      void closed.then(() => {
        done = true;
        off();
        wake?.();
      });
      return {
        async next(): Promise<IteratorResult<XqcEvent>> {
          while (queue.length === 0 && !done) await new Promise<void>((r) => (wake = r));
          wake = undefined;
          const value = queue.shift();
          return value === undefined ? { done: true, value: undefined } : { done: false, value };
        },
        async return(): Promise<IteratorResult<XqcEvent>> {
          done = true;
          off();
          return { done: true, value: undefined };
        },
      };
    },
  };
}
