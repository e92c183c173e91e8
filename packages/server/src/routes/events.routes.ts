/**
 * `GET /api/xai-qc/ws`: the live-event WebSocket (any authenticated role). The credential is
 * checked by the auth plugin's `authenticate` hook before the upgrade is accepted, so a
 * missing or bad one is answered 401 problem+json over HTTP and never becomes a WebSocket.
 *
 * Credentials: the usual `Authorization: Bearer` or `x-api-key` header where the client can
 * set headers (Node, scripts); browsers cannot, so the token may also travel as the
 * subprotocol `xqc-token.<token>` beside `xqc-events` (the server answers `xqc-events`).
 * Chosen over a query parameter because URLs land in access logs (this server's request log,
 * proxies, load balancers) and headers do not; the request log prints method and URL only.
 *
 * Each event of the caller's account goes out as one JSON text frame (events/event-socket.ts:
 * keepalive, credential re-check, bounded backpressure). Plain GET without an upgrade: 426.
 * The route is hidden from the OpenAPI paths; the message schemas are components there
 * (schemas/event.schema.ts) and docs/api.md "Live events" describes the protocol.
 */
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError, unauthorized } from '../errors/api-error.ts';
import { EventSession } from '../events/event-socket.ts';
import type { EventSessionOptions } from '../events/event-socket.ts';
import { problems } from '../schemas/common.schema.ts';

/** The subprotocol of the live events; the server selects it. */
export const EVENTS_PROTOCOL = 'xqc-events';
/** Prefix of the subprotocol that carries a token (`xqc-token.<token>`). */
export const TOKEN_PROTOCOL_PREFIX = 'xqc-token.';

/** Options of {@link eventRoutes}: the limits of each connection. */
export type EventRoutesOptions = Pick<EventSessionOptions, 'maxBufferedBytes' | 'keepaliveMs'>;

/** The subprotocols offered in a `Sec-WebSocket-Protocol` header. */
export function offeredProtocols(header: string | string[] | undefined): string[] {
  const value = Array.isArray(header) ? header.join(',') : (header ?? '');
  return value
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p.length > 0);
}

/** The `ws` server's subprotocol choice: `xqc-events` when offered, never a token. */
export function selectProtocol(offered: ReadonlySet<string>): string | false {
  return offered.has(EVENTS_PROTOCOL) ? EVENTS_PROTOCOL : false;
}

/**
 * onRequest hook (before `authenticate`): moves a token offered as a subprotocol into the
 * Authorization header the authenticator reads. Two token subprotocols, or one beside a
 * credential header, are refused (401) rather than guessed between.
 */
async function tokenFromSubprotocol(request: FastifyRequest): Promise<void> {
  const tokens = offeredProtocols(request.headers['sec-websocket-protocol']).filter((p) => p.startsWith(TOKEN_PROTOCOL_PREFIX));
  if (tokens.length === 0) return;
  if (tokens.length > 1) throw unauthorized(`offer one ${TOKEN_PROTOCOL_PREFIX}<token> subprotocol`);
  if (request.headers.authorization !== undefined || request.headers['x-api-key'] !== undefined) {
    throw unauthorized(`send the credential either in a header or as the ${TOKEN_PROTOCOL_PREFIX}<token> subprotocol, not both`);
  }
  request.headers = { ...request.headers, authorization: `Bearer ${tokens[0].slice(TOKEN_PROTOCOL_PREFIX.length)}` };
}

/** Registers the WebSocket route (mount under the API prefix, after @fastify/websocket and the auth plugin). */
export const eventRoutes: FastifyPluginAsync<EventRoutesOptions> = async (app, options) => {
  // The reply of each upgrade, for the credential re-check (authenticate takes one).
  const replies = new WeakMap<FastifyRequest, FastifyReply>();
  app.route({
    method: 'GET',
    url: '/ws',
    schema: {
      hide: true,
      tags: ['events'],
      summary: 'Live events of the account over a WebSocket (XqcEvent messages)',
      response: problems(401, 403, 426, 429),
    },
    onRequest: async (request, reply) => {
      replies.set(request, reply);
      await tokenFromSubprotocol(request);
    },
    handler: async (_request, reply) => {
      reply.header('upgrade', 'websocket');
      throw new ApiError(426, 'XQC_UPGRADE_REQUIRED', 'this is a WebSocket: connect with an Upgrade: websocket request (see the live events in docs/api.md)');
    },
    wsHandler: (socket, request) => {
      const principal = request.principal;
      if (!principal) {
        socket.close(1008, 'not authenticated');
        return;
      }
      new EventSession(socket, app.events, principal.accountId, {
        ...options,
        log: request.log,
        recheck: async () => {
          const reply = replies.get(request);
          if (!reply) throw unauthorized();
          await app.authenticate.call(app, request, reply);
          if (!request.principal) throw unauthorized();
          return request.principal.accountId;
        },
      });
    },
  });
};
