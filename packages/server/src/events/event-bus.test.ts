import { describe, expect, it } from 'vitest';
import { LocalEventBus } from './event-bus.ts';
import type { XqcEvent } from './event-bus.ts';

describe('LocalEventBus', () => {
  it('delivers an account its own events, in order, and none of another account', async () => {
    const bus = new LocalEventBus();
    const a: XqcEvent[] = [];
    const b: XqcEvent[] = [];
    bus.subscribe('acc-a', (e) => a.push(e));
    bus.subscribe('acc-b', (e) => b.push(e));
    await bus.publish('acc-a', 'job.progress', { jobId: 'j1', name: 'blob.sweep', progress: 0.5, message: null });
    await bus.publish('acc-a', 'job.finished', { jobId: 'j1', name: 'blob.sweep', status: 'succeeded', error: null });
    expect(a.map((e) => e.type)).toEqual(['job.progress', 'job.finished']);
    expect(a[0]).toMatchObject({ accountId: 'acc-a', data: { jobId: 'j1', progress: 0.5 } });
    expect(Number.isNaN(Date.parse(a[0]!.at))).toBe(false);
    expect(b).toEqual([]);
  });

  it('stops delivering after unsubscribe and after close, and survives a throwing listener', async () => {
    const errors: unknown[] = [];
    const bus = new LocalEventBus((e) => errors.push(e));
    const seen: string[] = [];
    const off = bus.subscribe('acc', () => {
      throw new Error('listener fault');
    });
    bus.subscribe('acc', (e) => seen.push(e.type));
    await bus.publish('acc', 'job.progress', { jobId: 'j', name: 'blob.sweep', progress: 0, message: 'start' });
    expect(seen).toEqual(['job.progress']);
    expect(errors).toHaveLength(1);
    off();
    expect(bus.listenerCount('acc')).toBe(1);
    await bus.close();
    await bus.publish('acc', 'job.progress', { jobId: 'j', name: 'blob.sweep', progress: 1, message: null });
    expect(seen).toEqual(['job.progress']);
  });
});
