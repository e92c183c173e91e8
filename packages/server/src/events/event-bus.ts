/**
 * The event port: services publish what happened for an account (inspection created,
 * explanation ready, job progress and end, run epochs); the WebSocket route and tests
 * subscribe per account. An account's listener never receives another account's events.
 * Adapters: {@link LocalEventBus} (one process, the embedded default) and the Redis
 * pub/sub adapter (redis-event-bus.ts) when `REDIS_URL` is set, so an API process hears the
 * events of `xaiqc worker` processes. Delivery is at most once and in publish order per
 * publisher; a client that reconnects reads the state it missed from the REST API.
 */
import { EventEmitter } from 'node:events';

/**
 * Data of each event type (JSON-serialisable). A new event is one entry here and its
 * TypeBox schema in schemas/event.schema.ts (the OpenAPI document and the client read it).
 */
export interface EventPayloads {
  /** A new inspection was stored. */
  'inspection.created': { inspectionId: string; modelName: string; modelVersion: string; verdict: string; score: number | null };
  /** A stored explanation is ready to read. */
  'explanation.ready': { inspectionId: string; explanationId: string; method: string; jobId: string | null };
  /** A job reported progress (0..1). */
  'job.progress': { jobId: string; name: string; progress: number; message: string | null };
  /** A train run finished an epoch: its figures (validation figure: accuracy for classify, defect Dice for segment). */
  'run.epoch': { runId: string; jobId: string; epoch: number; epochs: number; trainLoss: number; valMetric: number; lr: number; seconds: number; best: boolean };
  /** A job ended: succeeded, failed (dead letter) or cancelled. */
  'job.finished': { jobId: string; name: string; status: 'succeeded' | 'failed' | 'cancelled'; error: string | null };
  /** An alert rule fired (services/alert.service.ts); webhooks of the account get it too. */
  'alert.fired': { alertId: string; ruleId: string; ruleName: string; metric: string; comparator: string; threshold: number; value: number; modelName: string | null; modelVersion: string | null; firedAt: string };
  /** A monitor stored a result (services/monitor.service.ts): its overall drift level and the signals at drift. */
  'review.created': { inspectionId: string; reviewId: string; verdict: 'pass' | 'reject'; label: string; agrees: boolean; reviewer: string };
  'monitor.result': { monitorId: string; resultId: string; modelName: string; modelVersion: string; level: 'none' | 'possible' | 'drift'; driftedSignals: string[]; computedAt: string };
}

/** An event type. */
export type EventType = keyof EventPayloads;

/** One event as listeners (and WebSocket clients) receive it. */
export type XqcEvent = {
  [T in EventType]: {
    type: T;
    accountId: string;
    /** ISO-8601 UTC time of publication. */
    at: string;
    data: EventPayloads[T];
  };
}[EventType];

/** Receives events of one account. */
export type EventListener = (event: XqcEvent) => void;

/** The port. */
export interface EventBus {
  readonly kind: 'local' | 'redis';
  /** Publishes `data` as an event of `type` for `accountId`; never throws for a listener's fault. */
  publish<T extends EventType>(accountId: string, type: T, data: EventPayloads[T]): Promise<void>;
  /**
   * Calls `listener` with every later event of `accountId` (in this process's order of arrival).
   * @returns a function that stops the subscription.
   */
  subscribe(accountId: string, listener: EventListener): () => void;
  /** Releases connections; later publishes are dropped. */
  close(): Promise<void>;
}

/** Builds the event object `publish` sends. */
export function makeEvent<T extends EventType>(accountId: string, type: T, data: EventPayloads[T], clock: () => Date = () => new Date()): XqcEvent {
  return { type, accountId, at: clock().toISOString(), data } as XqcEvent;
}

/**
 * Fans events out to the subscribers of this process. Used directly in embedded mode and by
 * the Redis adapter for delivery after a message arrives.
 */
export class LocalEventBus implements EventBus {
  readonly kind: 'local' | 'redis' = 'local';
  private readonly emitter = new EventEmitter();
  private closed = false;

  constructor(private readonly onListenerError: (err: unknown) => void = () => undefined) {
    this.emitter.setMaxListeners(0);
  }

  async publish<T extends EventType>(accountId: string, type: T, data: EventPayloads[T]): Promise<void> {
    if (this.closed) return;
    this.deliver(makeEvent(accountId, type, data));
  }

  /** Hands `event` to this process's listeners of its account. */
  deliver(event: XqcEvent): void {
    if (this.closed) return;
    for (const listener of this.emitter.listeners(event.accountId) as EventListener[]) {
      try {
        listener(event);
      } catch (e) {
        this.onListenerError(e);
      }
    }
  }

  subscribe(accountId: string, listener: EventListener): () => void {
    this.emitter.on(accountId, listener);
    return () => this.emitter.off(accountId, listener);
  }

  /** Number of subscriptions of `accountId` (tests, metrics). */
  listenerCount(accountId: string): number {
    return this.emitter.listenerCount(accountId);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.emitter.removeAllListeners();
  }
}
