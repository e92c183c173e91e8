/**
 * The events plugin with the plugins it needs (errors, readiness, security, db, auth) and a
 * short keepalive, listening on loopback: API keys connect through the token subprotocol,
 * the keepalive re-checks the credential through the auth plugin (a revoked key is closed
 * with 4401 while a valid one stays), and a key without the `read` scope is refused before
 * the upgrade.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectEvents } from '@xai-qc/client';
import type { XqcEvent } from '@xai-qc/client';
import Fastify from 'fastify';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { Principal } from '../auth/principal.ts';
import { testConfig } from '../config/load-config.ts';
import { CLOSE_CODES } from '../events/event-socket.ts';
import { TEST_AUTH_ENV } from '../test/test-tokens.ts';
import authPlugin from './auth.ts';
import dbPlugin from './db.ts';
import errorHandlerPlugin from './error-handler.ts';
import eventsPlugin from './events.ts';
import readinessPlugin from './readiness.ts';
import securityPlugin from './security.ts';

const ENGINEER: Principal = { kind: 'token', subject: 'engineer-1', accountId: 'acct-keys', role: 'engineer' };

describe('events plugin: API keys, credential re-check at keepalive', () => {
  let app: FastifyInstance;
  let url: string;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'xqc-events-plugin-'));
    const config = testConfig(dataDir, {}, TEST_AUTH_ENV);
    app = Fastify({ logger: false });
    await app.register(errorHandlerPlugin);
    await app.register(readinessPlugin);
    await app.register(securityPlugin, { config });
    await app.register(dbPlugin, { config });
    await app.register(authPlugin, { config });
    await app.register(eventsPlugin, { config, socket: { keepaliveMs: 100 } });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.server.address();
    if (address === null || typeof address === 'string') throw new Error('no TCP address');
    url = `http://127.0.0.1:${address.port}`;
  });
  afterAll(async () => {
    await app.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('takes an API key as the token subprotocol, keeps it across keepalives while valid, and closes with 4401 once it is revoked', async () => {
    const keep = await app.authServices.apiKeys.create(ENGINEER, { name: 'dashboard', role: 'viewer', scopes: ['read'] });
    const doomed = await app.authServices.apiKeys.create(ENGINEER, { name: 'old dashboard', role: 'viewer', scopes: ['read'] });
    const kept = await connectEvents({ baseUrl: url, apiKey: keep.key, WebSocket });
    const revoked = await connectEvents({ baseUrl: url, apiKey: doomed.key, WebSocket });
    const seen: XqcEvent[] = [];
    kept.onEvent((e) => seen.push(e));
    try {
      await app.authServices.apiKeys.revoke(ENGINEER, doomed.apiKey.id);
      expect(await revoked.closed).toEqual({ code: CLOSE_CODES.unauthenticated, reason: 'the credential expired or was revoked; reconnect with a fresh one' });
      // The kept key outlived the same keepalives, and still receives its account's events.
      await app.events.publish('acct-keys', 'job.progress', { jobId: 'j', name: 'blob.sweep', progress: 0.5, message: null });
      while (seen.length === 0) await new Promise((r) => setTimeout(r, 10));
      expect(seen.map((e) => e.accountId)).toEqual(['acct-keys']);
    } finally {
      kept.close();
      revoked.close();
    }
  });

  it('refuses a key without the read scope with 403 before the upgrade', async () => {
    const writeOnly = await app.authServices.apiKeys.create(ENGINEER, { name: 'uploader', role: 'operator', scopes: ['write'] });
    const status = await new Promise<number>((resolve, reject) => {
      const ws = new WebSocket(`${url.replace('http:', 'ws:')}/api/xai-qc/ws`, ['xqc-events', `xqc-token.${writeOnly.key}`]);
      ws.on('unexpected-response', (_req, res) => {
        resolve(res.statusCode ?? 0);
        ws.terminate();
      });
      ws.on('open', () => reject(new Error('the upgrade was accepted')));
      ws.on('error', reject);
    });
    expect(status).toBe(403);
  });
});
