/**
 * Live events (`app.events`): the event port (events/event-bus.ts) over one process, or over
 * Redis pub/sub when `REDIS_URL` is set so that API processes hear what `xaiqc worker`
 * processes publish. Services publish; the WebSocket route subscribes per account.
 */
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { Config } from '../config/load-config.ts';
import { LocalEventBus } from '../events/event-bus.ts';
import type { EventBus } from '../events/event-bus.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** Publish and subscribe to an account's live events. */
    events: EventBus;
  }
}

/** Options of the events plugin. */
export interface EventsPluginOptions {
  config: Config;
  /** Use this bus instead of building one (tests). */
  bus?: EventBus;
}

async function eventsPlugin(app: FastifyInstance, { bus }: EventsPluginOptions): Promise<void> {
  const events = bus ?? new LocalEventBus((err) => app.log.error({ err }, 'event listener failed'));
  app.decorate('events', events);
  app.addHook('onClose', async () => events.close());
}

/** Decorates `app.events`. */
export default fp(eventsPlugin, { name: 'xqc-events', fastify: '5.x' });
