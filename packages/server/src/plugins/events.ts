/**
 * Live events (`app.events`): the event port (events/event-bus.ts) over one process, or over
 * Redis pub/sub (events/redis-event-bus.ts) when `REDIS_URL` is set so that API processes
 * hear what `xaiqc worker` processes publish (channel `<XQC_REDIS_PREFIX>:events`). Services publish; the WebSocket route
 * `GET /api/xai-qc/ws` (routes/events.routes.ts, registered here with @fastify/websocket)
 * subscribes per account. Registers the event message schemas, so they are components of
 * the OpenAPI document.
 */
import websocket from '@fastify/websocket';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { API_PREFIX } from '../api-prefix.ts';
import type { Config } from '../config/load-config.ts';
import { LocalEventBus } from '../events/event-bus.ts';
import type { EventBus } from '../events/event-bus.ts';
import { CLOSE_CODES } from '../events/event-socket.ts';
import { RedisEventBus } from '../events/redis-event-bus.ts';
import { eventRoutes, selectProtocol } from '../routes/events.routes.ts';
import type { EventRoutesOptions } from '../routes/events.routes.ts';
import { EVENT_SHARED_SCHEMAS } from '../schemas/event.schema.ts';

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
  /** Limits of each WebSocket connection (defaults in events/event-socket.ts). */
  socket?: EventRoutesOptions;
}

/** Longest wait at start for the Redis subscription (or its first error) before the app goes on without it (events until then are lost). */
export const REDIS_READY_WAIT_MS = 3000;
/** Largest frame a client may send (the server reads nothing; this only bounds what it must accept). */
const MAX_CLIENT_FRAME_BYTES = 4096;
/** Time connected clients get to answer the close frame at shutdown before they are cut. */
const SHUTDOWN_GRACE_MS = 1000;

async function eventsPlugin(app: FastifyInstance, { config, bus, socket }: EventsPluginOptions): Promise<void> {
  let events: EventBus;
  if (bus) {
    events = bus;
  } else if (config.redisUrl !== undefined) {
    const redis = new RedisEventBus({ redisUrl: config.redisUrl, prefix: config.redisPrefix, log: app.log });
    app.addHook('onReady', async () => {
      let timer: NodeJS.Timeout | undefined;
      const waited = await Promise.race([
        redis.connected(),
        new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), REDIS_READY_WAIT_MS))),
      ]);
      clearTimeout(timer);
      if (!waited) app.log.warn({ channel: redis.channel }, 'event bus: Redis is not reachable yet; live events from other processes start when it is');
    });
    events = redis;
  } else {
    events = new LocalEventBus((err) => app.log.error({ err }, 'event listener failed'));
  }
  app.decorate('events', events);
  app.addHook('onClose', async () => events.close());
  for (const schema of EVENT_SHARED_SCHEMAS) app.addSchema(schema);

  await app.register(websocket, {
    options: { maxPayload: MAX_CLIENT_FRAME_BYTES, handleProtocols: selectProtocol },
    preClose(done) {
      const server = app.websocketServer;
      for (const client of server.clients) client.close(CLOSE_CODES.goingAway, 'server shutting down');
      const cut = setTimeout(() => {
        for (const client of server.clients) client.terminate();
      }, SHUTDOWN_GRACE_MS);
      server.close(() => {
        clearTimeout(cut);
        done();
      });
    },
  });
  await app.register(eventRoutes, { prefix: API_PREFIX, ...socket });
}

/** Decorates `app.events`; serves the live-event WebSocket. Register after the auth plugin. */
export default fp(eventsPlugin, { name: 'xqc-events', fastify: '5.x', dependencies: ['xqc-auth'] });
