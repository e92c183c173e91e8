import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { XqcEvent } from './event-bus.ts';
import { RedisEventBus } from './redis-event-bus.ts';

/** The Redis of this machine; the tests fail (never skip) when it is down. */
const REDIS_URL = process.env.XQC_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Resolves once `list` holds `n` items; rejects (failing the test) after `ms`. */
async function until<T>(list: T[], n: number, ms = 5000): Promise<T[]> {
  const end = Date.now() + ms;
  while (list.length < n) {
    if (Date.now() > end) throw new Error(`expected ${n} item(s), got ${list.length}: ${JSON.stringify(list)}`);
    await new Promise((r) => setTimeout(r, 10));
  }
  return list;
}

describe('RedisEventBus (real Redis, unique prefix)', () => {
  const prefix = `xqc-test-${randomBytes(6).toString('hex')}`;
  const warnings: object[] = [];
  const log = { warn: (obj: object) => warnings.push(obj) };
  // Two buses stand for two processes: an API process and a worker.
  let api: RedisEventBus;
  let worker: RedisEventBus;
  beforeAll(async () => {
    api = new RedisEventBus({ redisUrl: REDIS_URL, prefix, log });
    worker = new RedisEventBus({ redisUrl: REDIS_URL, prefix });
    await Promise.all([api.ready(), worker.ready()]);
    expect(await api.connected()).toBe(true);
  });
  afterAll(async () => {
    await api.close();
    await worker.close();
  });

  it('delivers an event published by one process to the other process\'s subscriber of that account only, in order', async () => {
    const a: XqcEvent[] = [];
    const b: XqcEvent[] = [];
    const offA = api.subscribe('acct-a', (e) => a.push(e));
    const offB = api.subscribe('acct-b', (e) => b.push(e));
    try {
      await worker.publish('acct-a', 'job.progress', { jobId: 'j1', name: 'blob.sweep', progress: 0.25, message: 'a quarter' });
      await worker.publish('acct-c', 'job.progress', { jobId: 'j2', name: 'blob.sweep', progress: 0.5, message: null });
      await worker.publish('acct-a', 'job.finished', { jobId: 'j1', name: 'blob.sweep', status: 'succeeded', error: null });
      // A marker on acct-b, published last: once it arrives, everything before it has been delivered.
      await worker.publish('acct-b', 'job.finished', { jobId: 'j3', name: 'blob.sweep', status: 'cancelled', error: null });
      await until(b, 1);
      expect(a.map((e) => e.type)).toEqual(['job.progress', 'job.finished']);
      expect(a[0]).toEqual({ type: 'job.progress', accountId: 'acct-a', at: a[0].at, data: { jobId: 'j1', name: 'blob.sweep', progress: 0.25, message: 'a quarter' } });
      expect(new Date(a[0].at).toISOString()).toBe(a[0].at);
      expect(b.map((e) => e.data)).toEqual([{ jobId: 'j3', name: 'blob.sweep', status: 'cancelled', error: null }]);
    } finally {
      offA();
      offB();
    }
  });

  it('delivers a process\'s own events through Redis exactly once', async () => {
    const seen: XqcEvent[] = [];
    const off = api.subscribe('acct-self', (e) => seen.push(e));
    const marker: XqcEvent[] = [];
    const offMarker = api.subscribe('acct-marker', (e) => marker.push(e));
    try {
      await api.publish('acct-self', 'inspection.created', { inspectionId: 'i1', modelName: 'm', modelVersion: '1.0.0', verdict: 'pass', score: 0.9 });
      await api.publish('acct-marker', 'inspection.created', { inspectionId: 'i2', modelName: 'm', modelVersion: '1.0.0', verdict: 'pass', score: null });
      await until(marker, 1);
      expect(seen.map((e) => e.data)).toEqual([{ inspectionId: 'i1', modelName: 'm', modelVersion: '1.0.0', verdict: 'pass', score: 0.9 }]);
      expect(api.listenerCount('acct-self')).toBe(1);
    } finally {
      off();
      offMarker();
    }
    expect(api.listenerCount('acct-self')).toBe(0);
  });

  it('ignores messages on its channel that are not events, and keeps delivering', async () => {
    const raw = new Redis(REDIS_URL);
    const seen: XqcEvent[] = [];
    const off = api.subscribe('acct-raw', (e) => seen.push(e));
    try {
      const before = warnings.length;
      await raw.publish(api.channel, 'not json');
      await raw.publish(api.channel, JSON.stringify({ type: 'job.progress', accountId: 'acct-raw' }));
      await worker.publish('acct-raw', 'job.progress', { jobId: 'j', name: 'blob.sweep', progress: 1, message: null });
      await until(seen, 1);
      expect(seen).toHaveLength(1);
      expect(warnings.length - before).toBe(2);
    } finally {
      off();
      await raw.quit();
    }
  });

  it('hears nothing from a bus with another prefix', async () => {
    const other = new RedisEventBus({ redisUrl: REDIS_URL, prefix: `${prefix}-other` });
    await other.ready();
    const seen: XqcEvent[] = [];
    const marker: XqcEvent[] = [];
    const off = api.subscribe('acct-x', (e) => seen.push(e));
    const offMarker = api.subscribe('acct-marker', (e) => marker.push(e));
    try {
      await other.publish('acct-x', 'job.progress', { jobId: 'j', name: 'blob.sweep', progress: 0, message: null });
      await worker.publish('acct-marker', 'job.progress', { jobId: 'm', name: 'blob.sweep', progress: 0, message: null });
      await until(marker, 1);
      expect(seen).toEqual([]);
    } finally {
      off();
      offMarker();
      await other.close();
    }
  });

  it('starts and closes without a reachable Redis; a publish then fails without throwing synchronously', async () => {
    const down = new RedisEventBus({ redisUrl: 'redis://127.0.0.1:1', prefix });
    expect(await down.connected()).toBe(false);
    const attempt = down.publish('acct', 'job.progress', { jobId: 'j', name: 'blob.sweep', progress: 0, message: null });
    await expect(attempt).rejects.toThrow();
    await down.close();
    await expect(down.publish('acct', 'job.progress', { jobId: 'j', name: 'blob.sweep', progress: 0, message: null })).resolves.toBeUndefined();
  });

  it('stops delivering after close', async () => {
    const bus = new RedisEventBus({ redisUrl: REDIS_URL, prefix });
    await bus.ready();
    const seen: XqcEvent[] = [];
    bus.subscribe('acct-closed', (e) => seen.push(e));
    await bus.close();
    const marker: XqcEvent[] = [];
    const off = api.subscribe('acct-closed', (e) => marker.push(e));
    try {
      await worker.publish('acct-closed', 'job.progress', { jobId: 'j', name: 'blob.sweep', progress: 0, message: null });
      await until(marker, 1);
      expect(seen).toEqual([]);
    } finally {
      off();
    }
  });
});
