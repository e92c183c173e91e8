/**
 * Transport-level protection for every route: CORS from an allow-list, security headers
 * (helmet, with a content security policy that the docs UI and the web app live within),
 * and rate limits per client IP, counted in memory or, when `REDIS_URL` is set, in Redis so
 * that every API process shares one budget. Health and readiness probes are never limited.
 */
import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import Fastify from 'fastify';
import fp from 'fastify-plugin';
import { Redis } from 'ioredis';
import { API_PREFIX } from '../api-prefix.ts';
import type { Config } from '../config/load-config.ts';
import { ApiError } from '../errors/api-error.ts';

/** Options of the security plugin. */
export interface SecurityPluginOptions {
  config: Config;
}

/** Paths never rate limited: orchestrators probe them often and must always get an answer. */
const PROBES = new Set([`${API_PREFIX}/health`, `${API_PREFIX}/ready`]);

/** Headers a browser may send cross-origin, and those it may read. */
const ALLOWED_HEADERS = ['authorization', 'content-type', 'x-api-key', 'x-request-id'];
const EXPOSED_HEADERS = ['x-request-id', 'retry-after', 'x-ratelimit-limit', 'x-ratelimit-remaining', 'x-ratelimit-reset'];

/** helmet's options: its defaults with a CSP for the API and its docs page. */
const HELMET_OPTIONS = {
  global: true,
  contentSecurityPolicy: {
    useDefaults: false,
    directives: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'"],
      styleSrc: ["'self'", "'unsafe-inline'"],
      imgSrc: ["'self'", 'data:', 'blob:'],
      connectSrc: ["'self'"],
      fontSrc: ["'self'", 'data:'],
      objectSrc: ["'none'"],
      baseUri: ["'self'"],
      formAction: ["'self'"],
      frameAncestors: ["'none'"],
    },
  },
};

/** The headers @fastify/helmet sets with {@link HELMET_OPTIONS}, read once from a throwaway instance. */
export async function securityHeaders(): Promise<Record<string, string>> {
  const probe = Fastify({ logger: false });
  await probe.register(helmet, HELMET_OPTIONS);
  probe.get('/', async () => 'ok');
  const res = await probe.inject({ method: 'GET', url: '/' });
  await probe.close();
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(res.headers)) {
    if (['content-type', 'content-length', 'date', 'connection', 'keep-alive'].includes(name) || value === undefined) continue;
    out[name] = Array.isArray(value) ? value.join(', ') : String(value);
  }
  if (Object.keys(out).length < 8 || !out['content-security-policy']) throw new Error(`helmet produced too few headers: ${Object.keys(out).join(', ')}`);
  return out;
}

function isProbe(request: FastifyRequest): boolean {
  return PROBES.has(request.url.split('?')[0]);
}

async function securityPlugin(app: FastifyInstance, { config }: SecurityPluginOptions): Promise<void> {
  const { security } = config;
  await app.register(cors, {
    origin: security.corsOrigins.length > 0 ? [...security.corsOrigins] : false,
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
    allowedHeaders: ALLOWED_HEADERS,
    exposedHeaders: EXPOSED_HEADERS,
    credentials: false,
    maxAge: 600,
  });
  // The security headers are the same on every response: @fastify/helmet 13 rebuilds them from
  // its options on each request (about 2 % of a /detect request's CPU), so they are taken once
  // from helmet itself, on a throwaway instance with the same options, and set by one hook.
  const headers = await securityHeaders();
  app.addHook('onRequest', async (_request, reply) => {
    reply.headers(headers);
  });

  const redis = config.redisUrl === undefined ? undefined : new Redis(config.redisUrl, { connectTimeout: 2000, maxRetriesPerRequest: 1, lazyConnect: false });
  if (redis) {
    redis.on('error', (e: Error) => app.log.warn({ err: e }, 'rate-limit store: Redis error'));
    app.addHook('onClose', async () => {
      await redis.quit().catch(() => redis.disconnect());
    });
  }
  await app.register(rateLimit, {
    global: security.rateLimitMax > 0,
    max: security.rateLimitMax > 0 ? security.rateLimitMax : 1,
    timeWindow: security.rateLimitWindowMs,
    ...(redis ? { redis, nameSpace: `${config.redisPrefix}-rate-limit:` } : {}),
    // A store outage must not take the API down; requests pass unlimited until it is back.
    skipOnError: true,
    allowList: (request) => isProbe(request),
    errorResponseBuilder: (_request, context) =>
      new ApiError(context.statusCode, 'XQC_RATE_LIMITED', `rate limit of ${context.max} requests exceeded; retry in ${context.after}`),
  });
}

/**
 * Route config of the sign-in routes (login, refresh, logout): a tighter budget per route
 * and client IP against password guessing, counted apart from the general limit.
 */
export function loginRateLimit(config: Config): { rateLimit: { max: number; timeWindow: number } } {
  return { rateLimit: { max: config.security.loginRateLimitMax, timeWindow: config.security.rateLimitWindowMs } };
}

/** Registers CORS, helmet and the rate limiter. */
export default fp(securityPlugin, { name: 'xqc-security', fastify: '5.x', dependencies: ['xqc-error-handler'] });
