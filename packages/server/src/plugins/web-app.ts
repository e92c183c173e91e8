/**
 * Serves the built web app (packages/web/dist, `Config.webDir`) at `/`.
 *
 * - Files are served by @fastify/static, pre-compressed `.br` / `.gz` siblings (written by the
 *   web build) chosen by `accept-encoding`; hashed files under `/assets/` are cached for a year
 *   (`immutable`), everything else (index.html, theme-init.js) is revalidated on every load.
 * - Any other GET that asks for HTML and is not under `/api/` or `/docs` answers index.html, so
 *   the app's client-side routes (`/inspect`, `/history`, ...) survive a reload or a deep link.
 *   When the build wrote `routes/routes.json` (packages/web/build/route-html.ts), a path that
 *   matches one of its client routes answers that route's copy of index.html instead, which
 *   adds `<link rel="modulepreload">` for the route's page chunks (fetched with the shell, not
 *   after it has run).
 * - Without a build (no index.html in the folder) `/` answers 404 `XQC_WEB_NOT_BUILT` naming the
 *   command that builds it; the API is unaffected.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { API_PREFIX } from '../api-prefix.ts';
import { ApiError } from '../errors/api-error.ts';

/** Options of the web app plugin. */
export interface WebAppOptions {
  /** Folder holding the built app (index.html, assets/); null serves nothing. */
  webDir: string | null;
}

/** True when a request is a page load of the single-page app rather than an API or file call. */
export function isAppNavigation(request: FastifyRequest): boolean {
  if (request.method !== 'GET' && request.method !== 'HEAD') return false;
  const path = request.url.split('?')[0]!;
  if (path.startsWith(`${API_PREFIX}/`) || path === API_PREFIX || path.startsWith('/api/') || path.startsWith('/docs') || path === '/metrics') return false;
  if (/\.[a-z0-9]{1,8}$/i.test(path)) return false;
  return (request.headers.accept ?? '').includes('text/html');
}

/** One client route of the build's `routes/routes.json`: a path pattern and its HTML file. */
export interface RouteHtml {
  /** Segments separated by `/`; `$name` matches any one segment. */
  pattern: string;
  /** The HTML file, relative to the build folder. */
  file: string;
}

/** The build's per-route HTML files, or none when the build has no (readable) `routes/routes.json`. */
export function readRouteHtml(dir: string): RouteHtml[] {
  try {
    const list = JSON.parse(readFileSync(join(dir, 'routes', 'routes.json'), 'utf8')) as unknown;
    if (!Array.isArray(list)) return [];
    return list.filter((r): r is RouteHtml => typeof r?.pattern === 'string' && typeof r?.file === 'string' && /^routes\/[A-Za-z0-9_-]+\.html$/.test(r.file) && existsSync(join(dir, r.file)));
  } catch {
    return [];
  }
}

/** The HTML file for a page load of `path` (no query string): its route's, or index.html. */
export function htmlFor(routes: RouteHtml[], path: string): string {
  const segs = path.split('/').filter(Boolean);
  for (const r of routes) {
    const p = r.pattern.split('/').filter(Boolean);
    if (p.length === segs.length && p.every((s, i) => (s.startsWith('$') ? segs[i]!.length > 0 : s === segs[i]))) return r.file;
  }
  return 'index.html';
}

async function webAppPlugin(app: FastifyInstance, options: WebAppOptions): Promise<void> {
  const dir = options.webDir;
  const built = dir !== null && existsSync(join(dir, 'index.html'));
  if (dir === null) return;
  if (!built) {
    app.get('/', { schema: { hide: true } }, async () => {
      throw new ApiError(404, 'XQC_WEB_NOT_BUILT', `the web app is not built in ${dir}: run \`npm run build:web\` (npm start does it)`);
    });
    return;
  }
  await app.register(fastifyStatic, {
    root: dir,
    prefix: '/',
    wildcard: false,
    index: ['index.html'],
    preCompressed: true,
    cacheControl: false,
    setHeaders(res, path) {
      res.setHeader('cache-control', /[\\/]assets[\\/]/.test(path) ? 'public, max-age=31536000, immutable' : 'no-cache');
    },
  });
  const routes = readRouteHtml(dir);
  const sendIndex = (request: FastifyRequest, reply: FastifyReply) => {
    reply.header('cache-control', 'no-cache');
    return reply.sendFile(htmlFor(routes, request.url.split('?')[0]!));
  };
  app.get('/*', { schema: { hide: true } }, async (request, reply) => {
    if (!isAppNavigation(request)) return reply.callNotFound();
    return sendIndex(request, reply);
  });
}

/** Registers the web app's files and its client-side route fallback. */
export default fp(webAppPlugin, { name: 'xqc-web-app', fastify: '5.x' });
