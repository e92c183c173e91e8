/**
 * One WebSocket client of the live events: subscribes to its account on the bus and sends
 * each event as one JSON text frame, exactly the {@link XqcEvent} object. Keeps the
 * connection honest: a ping every `keepaliveMs` (a peer that did not answer the previous
 * ping is dropped), the credentials checked again at each ping (an expired or revoked token
 * ends the connection with {@link CLOSE_CODES.unauthenticated}), and bounded backpressure: when
 * the bytes queued for a client that does not read would pass `maxBufferedBytes`, the
 * connection is closed with {@link CLOSE_CODES.slowConsumer} instead of buffering without end.
 */
import type { EventBus, XqcEvent } from './event-bus.ts';

/** Close codes the server sends (4000-4999 are the application's). */
export const CLOSE_CODES = Object.freeze({
  /** The server is shutting down; reconnect later. */
  goingAway: 1001,
  /** The client's send buffer passed the limit: it does not read fast enough. */
  slowConsumer: 4008,
  /** The credential expired or was revoked (checked at each keepalive). */
  unauthenticated: 4401,
});

/** What the session needs of a `ws` WebSocket (a fake in unit tests). */
export interface EventSocket {
  readonly readyState: number;
  /** Bytes queued by `send` and not yet handed to the network. */
  readonly bufferedAmount: number;
  send(data: string): void;
  ping(): void;
  close(code?: number, reason?: string): void;
  terminate(): void;
  on(event: 'pong' | 'close', listener: () => void): unknown;
}

/** The `readyState` of an open WebSocket. */
export const SOCKET_OPEN = 1;

/** Limits of {@link EventSession}. */
export interface EventSessionOptions {
  /** Largest number of unsent bytes a client may have queued (default 1 MiB). */
  maxBufferedBytes?: number;
  /** Milliseconds between pings and credential checks; 0 turns both off (default 30 s). */
  keepaliveMs?: number;
  /**
   * Checks the connection's credential again; resolves to the account it now belongs to,
   * rejects with `{ status: 401 | 403 }` when it is no longer valid (other errors keep the connection).
   */
  recheck?: () => Promise<string>;
  /** Reports faults that end no request (a pino logger fits). */
  log?: { warn(obj: object, msg: string): void };
}

/** Default of {@link EventSessionOptions.maxBufferedBytes}. */
export const DEFAULT_MAX_BUFFERED_BYTES = 1024 * 1024;
/** Default of {@link EventSessionOptions.keepaliveMs}. */
export const DEFAULT_KEEPALIVE_MS = 30_000;

/** See the module comment. */
export class EventSession {
  private readonly unsubscribe: () => void;
  private readonly timer: NodeJS.Timeout | undefined;
  private readonly maxBufferedBytes: number;
  private awaitingPong = false;
  private ended = false;

  /**
   * Starts sending `accountId`'s events to `socket` until it closes.
   */
  constructor(
    private readonly socket: EventSocket,
    bus: Pick<EventBus, 'subscribe'>,
    private readonly accountId: string,
    private readonly options: EventSessionOptions = {},
  ) {
    this.maxBufferedBytes = options.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED_BYTES;
    this.unsubscribe = bus.subscribe(accountId, (event) => this.send(event));
    socket.on('close', () => this.end());
    socket.on('pong', () => {
      this.awaitingPong = false;
    });
    const keepaliveMs = options.keepaliveMs ?? DEFAULT_KEEPALIVE_MS;
    this.timer = keepaliveMs > 0 ? setInterval(() => void this.keepalive(), keepaliveMs) : undefined;
    this.timer?.unref();
  }

  private send(event: XqcEvent): void {
    if (this.ended || this.socket.readyState !== SOCKET_OPEN) return;
    const frame = JSON.stringify(event);
    if (this.socket.bufferedAmount + Buffer.byteLength(frame) > this.maxBufferedBytes) {
      this.close(CLOSE_CODES.slowConsumer, `client too slow: more than ${this.maxBufferedBytes} bytes of events unsent`);
      return;
    }
    this.socket.send(frame);
  }

  /** One keepalive tick: drop a peer that missed the last ping, check the credential, ping. */
  async keepalive(): Promise<void> {
    if (this.ended) return;
    if (this.awaitingPong) {
      this.end();
      this.socket.terminate();
      return;
    }
    if (this.options.recheck) {
      try {
        const account = await this.options.recheck();
        if (account !== this.accountId) {
          this.close(CLOSE_CODES.unauthenticated, 'the credential now belongs to another account');
          return;
        }
      } catch (e) {
        const status = (e as { status?: unknown }).status;
        if (status === 401 || status === 403) {
          this.close(CLOSE_CODES.unauthenticated, 'the credential expired or was revoked; reconnect with a fresh one');
          return;
        }
        this.options.log?.warn({ err: e }, 'event socket: the credential could not be checked again; the connection stays');
      }
    }
    if (this.ended || this.socket.readyState !== SOCKET_OPEN) return;
    this.awaitingPong = true;
    this.socket.ping();
  }

  /** Stops the subscription and closes the socket with `code` and `reason`. */
  close(code: number, reason: string): void {
    if (this.ended) return;
    this.end();
    this.socket.close(code, reason);
  }

  private end(): void {
    if (this.ended) return;
    this.ended = true;
    this.unsubscribe();
    if (this.timer) clearInterval(this.timer);
  }
}
