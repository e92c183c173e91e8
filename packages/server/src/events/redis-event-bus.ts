/**
 * The Redis pub/sub adapter of the event port, used when `REDIS_URL` is set so that an API
 * process hears the events that `xaiqc worker` processes (and other API processes) publish.
 *
 * Choice: one channel per deployment, `<prefix>:events`, filtered locally, rather than a
 * channel per account. Every process subscribes once at start, so a local subscription is
 * live the moment `subscribe` returns (a per-account SUBSCRIBE would be asynchronous and
 * could miss the first events after a client connects), and there is no SUBSCRIBE and
 * UNSUBSCRIBE traffic as clients come and go. The cost is that each API process parses every
 * event of the deployment and drops those of accounts with no local subscriber
 * ({@link LocalEventBus.deliver} hands an event only to listeners of its account); events are
 * small and rare next to requests, so this is cheap. The prefix lets tests (and deployments
 * sharing one Redis) isolate themselves.
 *
 * One publisher connection, one subscriber connection. A publish goes only through Redis:
 * the publishing process hears its own events back on its subscription like any other, so
 * every process delivers in the same order (Redis keeps the order of one connection's
 * publishes). Delivery is at most once: an event published while Redis is unreachable, or
 * while a subscriber is reconnecting, is lost; a client reads the state it missed from the
 * REST API. Neither connection blocks start-up: both connect and reconnect in the background.
 */
import { Redis } from 'ioredis';
import { LocalEventBus, makeEvent } from './event-bus.ts';
import type { EventBus, EventListener, EventPayloads, EventType, XqcEvent } from './event-bus.ts';

/** Options of {@link RedisEventBus}. */
export interface RedisEventBusOptions {
  /** `redis://` or `rediss://` URL. */
  redisUrl: string;
  /** Channel prefix (default `xqc`): the channel is `<prefix>:events`. */
  prefix?: string;
  /** Reports listener faults, malformed messages and connection errors (a pino logger fits). */
  log?: { warn(obj: object, msg: string): void };
}

/** The default channel prefix. */
export const DEFAULT_EVENT_PREFIX = 'xqc';

const silentLog = { warn: (): void => undefined };

/** True when `v` has the envelope of an {@link XqcEvent} (the payload is trusted: only this code publishes). */
function isEvent(v: unknown): v is XqcEvent {
  if (typeof v !== 'object' || v === null) return false;
  const e = v as Record<string, unknown>;
  return typeof e.type === 'string' && typeof e.accountId === 'string' && typeof e.at === 'string' && typeof e.data === 'object' && e.data !== null;
}

/** See the module comment. */
export class RedisEventBus implements EventBus {
  readonly kind = 'redis' as const;
  /** The Redis channel every event goes through. */
  readonly channel: string;
  private readonly local: LocalEventBus;
  private readonly publisher: Redis;
  private readonly subscriber: Redis;
  private readonly subscribed: Promise<void>;
  private readonly firstAnswer: Promise<boolean>;
  private readonly log: { warn(obj: object, msg: string): void };
  private closed = false;
  private lastConnectionWarning = 0;

  constructor(options: RedisEventBusOptions) {
    this.channel = `${options.prefix ?? DEFAULT_EVENT_PREFIX}:events`;
    this.log = options.log ?? silentLog;
    this.local = new LocalEventBus((err) => this.log.warn({ err }, 'event listener failed'));
    // A publish waits for at most one reconnection attempt, so an outage never piles events up.
    this.publisher = new Redis(options.redisUrl, { maxRetriesPerRequest: 1, connectTimeout: 2000 });
    this.subscriber = new Redis(options.redisUrl, { maxRetriesPerRequest: null, connectTimeout: 2000 });
    for (const c of [this.publisher, this.subscriber]) c.on('error', (err: Error) => this.connectionError(err));
    this.subscriber.on('message', (channel: string, message: string) => this.onMessage(channel, message));
    this.subscribed = this.subscriber.subscribe(this.channel).then(() => undefined);
    // Awaited by ready(); a failure here only means the bus closed before Redis answered.
    this.subscribed.catch(() => undefined);
    this.firstAnswer = new Promise((resolve) => {
      this.subscribed.then(() => resolve(true), () => resolve(false));
      this.subscriber.once('error', () => resolve(false));
    });
  }

  private connectionError(err: Error): void {
    const now = Date.now();
    if (now - this.lastConnectionWarning < 10_000) return;
    this.lastConnectionWarning = now;
    this.log.warn({ err, channel: this.channel }, 'event bus: Redis error (events are dropped until it reconnects)');
  }

  private onMessage(channel: string, message: string): void {
    if (channel !== this.channel || this.closed) return;
    let event: unknown;
    try {
      event = JSON.parse(message);
    } catch (err) {
      this.log.warn({ err, channel }, 'event bus: a message that is not JSON was ignored');
      return;
    }
    if (!isEvent(event)) {
      this.log.warn({ channel }, 'event bus: a message that is not an event was ignored');
      return;
    }
    this.local.deliver(event);
  }

  /** Resolves once this bus's subscription is live in Redis (tests). */
  ready(): Promise<void> {
    return this.subscribed;
  }

  /** Resolves true once the subscription is live, false at the first connection error (start-up waits for either). */
  connected(): Promise<boolean> {
    return this.firstAnswer;
  }

  async publish<T extends EventType>(accountId: string, type: T, data: EventPayloads[T]): Promise<void> {
    if (this.closed) return;
    await this.publisher.publish(this.channel, JSON.stringify(makeEvent(accountId, type, data)));
  }

  subscribe(accountId: string, listener: EventListener): () => void {
    return this.local.subscribe(accountId, listener);
  }

  /** Number of local subscriptions of `accountId` (tests, metrics). */
  listenerCount(accountId: string): number {
    return this.local.listenerCount(accountId);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.local.close();
    await Promise.all(
      [this.publisher, this.subscriber].map(async (c) => {
        if (c.status === 'ready') await c.quit().catch(() => c.disconnect());
        else c.disconnect();
      }),
    );
  }
}
