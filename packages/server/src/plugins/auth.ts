/**
 * Authentication and authorisation for every route under `/api/xai-qc` except the open
 * ones (health, ready, the OpenAPI document, and the sign-in routes, whose credential is
 * in the body). Decorates `app.authenticate` (added to each protected route's onRequest
 * hooks, after the rate limiter, so failed attempts are counted), `app.requireRole(role)`
 * (a preHandler), `app.authServices` and `app.audit(request, ...)`. Creates the first admin.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest, onRequestAsyncHookHandler, preHandlerAsyncHookHandler } from 'fastify';
import fp from 'fastify-plugin';
import { API_PREFIX } from '../api-prefix.ts';
import { Authenticator } from '../auth/authenticator.ts';
import { createJwtVerifier } from '../auth/jwt-verifier.ts';
import { LOCAL_AUDIENCE, LOCAL_ISSUER, loadTokenSecret } from '../auth/local-token.ts';
import { roleAtLeast } from '../auth/principal.ts';
import type { Principal, Role } from '../auth/principal.ts';
import type { Config } from '../config/load-config.ts';
import { ApiError, forbidden, unauthorized } from '../errors/api-error.ts';
import { AUTH_SHARED_SCHEMAS } from '../schemas/auth.schema.ts';
import { ApiKeyRepository } from '../repositories/api-key.repository.ts';
import { AuditRepository } from '../repositories/audit.repository.ts';
import { RefreshTokenRepository } from '../repositories/refresh-token.repository.ts';
import { UserRepository } from '../repositories/user.repository.ts';
import { ApiKeyService } from '../services/api-key.service.ts';
import { AuditService } from '../services/audit.service.ts';
import { AuthService } from '../services/auth.service.ts';
import { UserService } from '../services/user.service.ts';
import type { InitialAdmin } from '../services/user.service.ts';

/** The services of the auth module. */
export interface AuthServices {
  readonly sessions: AuthService;
  readonly users: UserService;
  readonly apiKeys: ApiKeyService;
  readonly audit: AuditService;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Sets `request.principal` from the request's credentials or throws 401/403/503. */
    authenticate: onRequestAsyncHookHandler;
    /** A preHandler admitting principals with at least `role` (403 otherwise). */
    requireRole(role: Role): preHandlerAsyncHookHandler;
    authServices: AuthServices;
    /** Records an admin action of the request's principal in the audit log. */
    audit(request: FastifyRequest, action: string, target?: { type: string; id: string }, details?: Record<string, unknown>): Promise<void>;
    /** The first admin created by this start, returned once (then undefined): its password is shown once. */
    takeInitialAdmin(): InitialAdmin | undefined;
  }
}

/** Paths under the API prefix that need no credentials. */
export const OPEN_API_PATHS: ReadonlySet<string> = new Set([
  `${API_PREFIX}/health`,
  `${API_PREFIX}/ready`,
  `${API_PREFIX}/openapi.json`,
  `${API_PREFIX}/auth/login`,
  `${API_PREFIX}/auth/refresh`,
  `${API_PREFIX}/auth/logout`,
  `${API_PREFIX}/auth/password-reset`,
  `${API_PREFIX}/auth/password-reset/confirm`,
]);

/** True when a route at `url` (the route pattern) requires authentication. */
export function isProtectedRoute(url: string): boolean {
  return (url === API_PREFIX || url.startsWith(`${API_PREFIX}/`)) && !OPEN_API_PATHS.has(url);
}

/**
 * Start-up banner lines telling how to sign in; with the first admin just created, its
 * username and, when generated, its password, printed this once and never stored in clear.
 */
export function signInLines(url: string, admin: InitialAdmin | undefined): string[] {
  const lines = [`  sign in        POST ${url}${API_PREFIX}/auth/login {"username","password"}, or send a bearer token or an x-api-key`];
  if (admin?.generated) {
    lines.push(`  first admin    username ${admin.username}, password ${admin.password}`);
    lines.push('                 shown once: change it (POST /auth/password) or reset it (xaiqc admin reset-password)');
  } else if (admin) {
    lines.push(`  first admin    username ${admin.username}, password from XQC_ADMIN_PASSWORD`);
  }
  return lines;
}

/** Options of the auth plugin. */
export interface AuthPluginOptions {
  config: Config;
}

/** Where an audited request came from. */
export function auditContext(request: FastifyRequest): { ip: string; requestId: string } {
  return { ip: request.ip, requestId: String(request.id) };
}

function bearerChallenge(reply: FastifyReply, e: unknown): void {
  if (e instanceof ApiError && e.status === 401) {
    reply.header('www-authenticate', `Bearer realm="xai-qc", error="invalid_token"`);
  }
}

async function authPlugin(app: FastifyInstance, { config }: AuthPluginOptions): Promise<void> {
  const auth = config.auth;
  const tokenSecret = await loadTokenSecret(config.dataDir, auth.tokenSecret);
  const users = new UserRepository(app.db);
  const tokens = new RefreshTokenRepository(app.db);
  const audit = new AuditService(new AuditRepository(app.db));
  const services: AuthServices = {
    sessions: new AuthService(users, tokens, audit, {
      tokenSecret,
      accessTokenTtlSeconds: auth.accessTokenTtlSeconds,
      refreshTokenTtlSeconds: auth.refreshTokenTtlSeconds,
    }),
    users: new UserService(users, tokens, audit),
    apiKeys: new ApiKeyService(new ApiKeyRepository(app.db), audit),
    audit,
  };
  const ext = auth.external;
  const authenticator = new Authenticator({
    localVerifier: createJwtVerifier({ secret: tokenSecret, issuer: LOCAL_ISSUER, audience: LOCAL_AUDIENCE, clockToleranceSeconds: 5 }),
    ...(ext === undefined
      ? {}
      : {
          external: {
            verifier: createJwtVerifier({
              ...(ext.secret === undefined ? { jwksUrl: ext.jwksUrl } : { secret: ext.secret }),
              issuer: ext.issuer,
              audience: ext.audience,
              clockToleranceSeconds: ext.clockToleranceSeconds,
              jwksCooldownMs: ext.jwksCooldownMs,
            }),
            mapping: ext.mapping,
          },
        }),
    localPrincipal: (claims) => services.sessions.principalOf(claims),
    apiKeyPrincipal: (key) => services.apiKeys.authenticate(key),
  });

  let initialAdmin = await services.users.ensureInitialAdmin(auth.localAccountId, auth.adminPassword);
  if (initialAdmin) app.log.info({ username: initialAdmin.username, account: initialAdmin.accountId }, 'created the first admin');
  await tokens.deleteExpired(new Date().toISOString());

  for (const schema of AUTH_SHARED_SCHEMAS) app.addSchema(schema);
  app.decorateRequest('principal', undefined);
  app.decorate('authServices', services);
  app.decorate('takeInitialAdmin', () => {
    const once = initialAdmin;
    initialAdmin = undefined;
    return once;
  });
  app.decorate('authenticate', async function authenticate(request: FastifyRequest, reply: FastifyReply) {
    try {
      request.principal = await authenticator.authenticate(request.headers, request.method);
    } catch (e) {
      bearerChallenge(reply, e);
      throw e;
    }
  });
  app.decorate('requireRole', (role: Role): preHandlerAsyncHookHandler => {
    return async function requireRole(request: FastifyRequest) {
      const principal: Principal | undefined = request.principal;
      if (!principal) throw unauthorized();
      if (!roleAtLeast(principal.role, role)) throw forbidden(`this needs the ${role} role; you are ${principal.role}`);
    };
  });
  app.decorate('audit', async (request: FastifyRequest, action: string, target?: { type: string; id: string }, details?: Record<string, unknown>) => {
    if (!request.principal) throw unauthorized();
    await audit.record(request.principal, action, target, details, auditContext(request));
  });

  app.addHook('onRoute', (route) => {
    if (!isProtectedRoute(route.url ?? '')) return;
    const existing = route.onRequest === undefined ? [] : Array.isArray(route.onRequest) ? route.onRequest : [route.onRequest];
    route.onRequest = [...existing, app.authenticate];
  });
}

/**
 * Registers authentication. Register it after the security plugin (whose rate limiter must
 * run first on each route) and before every route.
 */
export default fp(authPlugin, { name: 'xqc-auth', fastify: '5.x', dependencies: ['xqc-db', 'xqc-security', 'xqc-error-handler'] });
