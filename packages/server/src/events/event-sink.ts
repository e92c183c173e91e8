/**
 * Fire-and-forget publishing for producers (the inspection service, the job queues): a
 * producer calls the sink after its write committed and goes on at once; a failed publish
 * (Redis down, bus closed) is logged, never thrown, so an event never fails the request or
 * job that caused it. Events are at most once by design (event-bus.ts).
 */
import type { EventBus, EventPayloads, EventType } from './event-bus.ts';

/** Publishes an event without waiting; never throws. */
export type EventSink = <T extends EventType>(accountId: string, type: T, data: EventPayloads[T]) => void;

/** Where publish failures are reported (a pino logger fits). */
export interface EventSinkLog {
  warn(obj: object, msg: string): void;
}

/**
 * An {@link EventSink} over `bus`.
 * @param log receives `{ err, type }` when a publish fails.
 */
export function eventSink(bus: Pick<EventBus, 'publish'>, log: EventSinkLog): EventSink {
  return (accountId, type, data) => {
    let pending: Promise<void>;
    try {
      pending = bus.publish(accountId, type, data);
    } catch (err) {
      log.warn({ err, type }, 'event not published');
      return;
    }
    pending.catch((err: unknown) => log.warn({ err, type }, 'event not published'));
  };
}
