import { describe, expect, it } from 'vitest';
import { LocalEventBus } from './event-bus.ts';
import type { XqcEvent } from './event-bus.ts';
import { eventSink } from './event-sink.ts';

const data = { jobId: 'j', name: 'blob.sweep', progress: 0.5, message: null };

describe('eventSink', () => {
  it('publishes through the bus', () => {
    const bus = new LocalEventBus();
    const seen: XqcEvent[] = [];
    bus.subscribe('acct', (e) => seen.push(e));
    eventSink(bus, { warn: () => undefined })('acct', 'job.progress', data);
    expect(seen.map((e) => e.data)).toEqual([data]);
  });

  it('never throws: a publish that throws or rejects is logged with its type', async () => {
    const warnings: { obj: object; msg: string }[] = [];
    const log = { warn: (obj: object, msg: string) => warnings.push({ obj, msg }) };
    const throwing = eventSink({ publish: () => { throw new Error('closed'); } }, log);
    const rejecting = eventSink({ publish: async () => { throw new Error('Redis down'); } }, log);
    expect(() => throwing('acct', 'job.progress', data)).not.toThrow();
    expect(() => rejecting('acct', 'job.progress', data)).not.toThrow();
    await new Promise((r) => setImmediate(r));
    expect(warnings.map((w) => [(w.obj as { err: Error }).err.message, (w.obj as { type: string }).type, w.msg])).toEqual([
      ['closed', 'job.progress', 'event not published'],
      ['Redis down', 'job.progress', 'event not published'],
    ]);
  });
});
