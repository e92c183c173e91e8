import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import webAppPlugin, { htmlFor, readRouteHtml } from './web-app.ts';

const ROUTES = [
  { pattern: 'inspect', file: 'routes/inspect.html' },
  { pattern: 'inspections/$inspectionId', file: 'routes/inspections-_inspectionId.html' },
  { pattern: 'admin/users', file: 'routes/admin-users.html' },
];

describe('htmlFor', () => {
  it("answers a route's own HTML for its path, parameters matching one segment", () => {
    expect(htmlFor(ROUTES, '/inspect')).toBe('routes/inspect.html');
    expect(htmlFor(ROUTES, '/inspect/')).toBe('routes/inspect.html');
    expect(htmlFor(ROUTES, '/inspections/abc-123')).toBe('routes/inspections-_inspectionId.html');
    expect(htmlFor(ROUTES, '/admin/users')).toBe('routes/admin-users.html');
  });
  it('answers index.html for every other path', () => {
    expect(htmlFor(ROUTES, '/')).toBe('index.html');
    expect(htmlFor(ROUTES, '/inspections')).toBe('index.html');
    expect(htmlFor(ROUTES, '/inspections/a/b')).toBe('index.html');
    expect(htmlFor(ROUTES, '/admin')).toBe('index.html');
    expect(htmlFor(ROUTES, '/nowhere')).toBe('index.html');
    expect(htmlFor([], '/inspect')).toBe('index.html');
  });
});

describe('web app plugin', () => {
  let dir: string;
  let app: FastifyInstance;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'xqc-web-app-'));
    mkdirSync(join(dir, 'routes'));
    mkdirSync(join(dir, 'assets'));
    writeFileSync(join(dir, 'index.html'), '<html>index</html>');
    writeFileSync(join(dir, 'routes', 'inspect.html'), '<html>inspect preloads</html>');
    writeFileSync(join(dir, 'assets', 'a-1.js'), 'export {}');
    writeFileSync(
      join(dir, 'routes', 'routes.json'),
      JSON.stringify([
        { pattern: 'inspect', file: 'routes/inspect.html' },
        { pattern: 'history', file: 'routes/history.html' }, // listed but not written: ignored
        { pattern: 'evil', file: '../secret.html' }, // outside routes/: ignored
      ]),
    );
    app = Fastify();
    await app.register(webAppPlugin, { webDir: dir });
    await app.ready();
  });
  afterAll(async () => {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads only the route files that exist under routes/', () => {
    expect(readRouteHtml(dir)).toEqual([{ pattern: 'inspect', file: 'routes/inspect.html' }]);
    expect(readRouteHtml(join(dir, 'assets'))).toEqual([]);
  });

  it("answers a page load of a route with its HTML (query string ignored), revalidated each time", async () => {
    const r = await app.inject({ url: '/inspect?x=1', headers: { accept: 'text/html' } });
    expect(r.statusCode).toBe(200);
    expect(r.body).toBe('<html>inspect preloads</html>');
    expect(r.headers['cache-control']).toBe('no-cache');
  });

  it('answers index.html for other client routes and for a route whose file is missing', async () => {
    for (const url of ['/history', '/models/m1', '/evil']) {
      const r = await app.inject({ url, headers: { accept: 'text/html' } });
      expect(r.statusCode, url).toBe(200);
      expect(r.body, url).toBe('<html>index</html>');
    }
  });

  it('leaves API paths and non-HTML requests alone', async () => {
    expect((await app.inject({ url: '/api/xai-qc/inspect', headers: { accept: 'text/html' } })).statusCode).toBe(404);
    expect((await app.inject({ url: '/inspect', headers: { accept: 'application/json' } })).statusCode).toBe(404);
    expect((await app.inject({ url: '/assets/a-1.js' })).headers['cache-control']).toContain('immutable');
  });
});
