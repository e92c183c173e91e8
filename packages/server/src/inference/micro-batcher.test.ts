import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '../errors/api-error.ts';
import { MicroBatcher } from './micro-batcher.ts';
import type { ItemOutcome } from './micro-batcher.ts';

/** A runner whose batches finish only when the test says so. */
function controlledRunner() {
  const batches: { items: number[]; finish: (o?: ItemOutcome<number>[]) => void; fail: (e: Error) => void }[] = [];
  const run = (items: readonly number[]): Promise<ItemOutcome<number>[]> =>
    new Promise((resolve, reject) => {
      batches.push({
        items: [...items],
        finish: (o) => resolve(o ?? items.map((v) => ({ value: v * 10 }))),
        fail: reject,
      });
    });
  return { batches, run };
}

const flush = async (): Promise<void> => {
  for (let i = 0; i < 5; i++) await Promise.resolve();
};

afterEach(() => {
  vi.useRealTimers();
});

describe('MicroBatcher', () => {
  it('forms a batch as soon as maxBatchSize items are queued, without waiting for the delay', async () => {
    const { batches, run } = controlledRunner();
    const b = new MicroBatcher(run, { maxBatchSize: 3, maxQueueDelayMs: 1e9 });
    const results = [1, 2, 3, 4].map((v) => b.submit(v));
    expect(batches.map((x) => x.items)).toEqual([[1, 2, 3]]);
    expect(b.queued).toBe(1);
    batches[0].finish();
    const first = await Promise.all(results.slice(0, 3));
    expect(first.map((r) => r.value)).toEqual([10, 20, 30]);
    expect(first.every((r) => r.batchSize === 3)).toBe(true);
    b.submit(5).catch(() => undefined);
    b.submit(6).catch(() => undefined);
    expect(batches.map((x) => x.items)).toEqual([[1, 2, 3], [4, 5, 6]]);
    batches[1].finish();
    expect((await results[3]).value).toBe(40);
  });

  it('flushes a partial batch when the oldest item has waited maxQueueDelayMs', async () => {
    vi.useFakeTimers();
    const { batches, run } = controlledRunner();
    const b = new MicroBatcher(run, { maxBatchSize: 8, maxQueueDelayMs: 5 }, undefined, () => Date.now());
    const r1 = b.submit(1);
    vi.advanceTimersByTime(3);
    const r2 = b.submit(2);
    expect(batches).toHaveLength(0);
    vi.advanceTimersByTime(1);
    expect(batches).toHaveLength(0);
    vi.advanceTimersByTime(1);
    expect(batches.map((x) => x.items)).toEqual([[1, 2]]);
    batches[0].finish();
    const [a, c] = await Promise.all([r1, r2]);
    expect(a.queueMs).toBe(5);
    expect(c.queueMs).toBe(2);
  });

  it('dispatches at once with a zero delay and batches what queued while the worker was busy', async () => {
    const { batches, run } = controlledRunner();
    const sizes: number[] = [];
    const b = new MicroBatcher(run, { maxBatchSize: 4, maxQueueDelayMs: 0 }, (x) => sizes.push(x.size));
    const all = [1, 2, 3].map((v) => b.submit(v));
    expect(batches.map((x) => x.items)).toEqual([[1]]);
    batches[0].finish();
    await flush();
    expect(batches.map((x) => x.items)).toEqual([[1], [2, 3]]);
    batches[1].finish();
    await Promise.all(all);
    expect(sizes).toEqual([1, 2]);
  });

  it('runs up to maxConcurrentBatches batches at once', () => {
    const { batches, run } = controlledRunner();
    const b = new MicroBatcher(run, { maxBatchSize: 1, maxQueueDelayMs: 0, maxConcurrentBatches: 2 });
    for (const v of [1, 2, 3]) b.submit(v).catch(() => undefined);
    expect(batches).toHaveLength(2);
    expect(b.running).toBe(2);
    expect(b.queued).toBe(1);
  });

  it('rejects every item of a batch whose runner fails, with the runner error', async () => {
    const { batches, run } = controlledRunner();
    const b = new MicroBatcher(run, { maxBatchSize: 2, maxQueueDelayMs: 1e9 });
    const r = [b.submit(1), b.submit(2)];
    const boom = new Error('worker died');
    batches[0].fail(boom);
    for (const p of r) await expect(p).rejects.toBe(boom);
  });

  it('rejects only the item whose own outcome is an error', async () => {
    const { batches, run } = controlledRunner();
    const b = new MicroBatcher(run, { maxBatchSize: 2, maxQueueDelayMs: 1e9 });
    const r = [b.submit(1), b.submit(2)];
    const bad = new Error('image 2 is corrupt');
    batches[0].finish([{ value: 10 }, { error: bad }]);
    expect((await r[0]).value).toBe(10);
    await expect(r[1]).rejects.toBe(bad);
  });

  it('rejects every item when the runner returns the wrong number of outcomes', async () => {
    const { batches, run } = controlledRunner();
    const b = new MicroBatcher(run, { maxBatchSize: 2, maxQueueDelayMs: 1e9 });
    const r = [b.submit(1), b.submit(2)];
    batches[0].finish([{ value: 10 }]);
    for (const p of r) await expect(p).rejects.toThrow(/1 outcomes for 2 items/);
  });

  it('refuses submissions beyond maxQueueSize with a 503', async () => {
    const { run } = controlledRunner();
    const b = new MicroBatcher(run, { maxBatchSize: 1, maxQueueDelayMs: 0, maxQueueSize: 1 });
    b.submit(1).catch(() => undefined);
    b.submit(2).catch(() => undefined);
    const refused = b.submit(3);
    await expect(refused).rejects.toBeInstanceOf(ApiError);
    await expect(refused).rejects.toMatchObject({ status: 503, code: 'XQC_INFERENCE_OVERLOADED' });
  });

  it('close() runs the queued items at once, waits for every batch and then refuses new ones', async () => {
    const { batches, run } = controlledRunner();
    const b = new MicroBatcher(run, { maxBatchSize: 2, maxQueueDelayMs: 1e9 });
    const r = [1, 2, 3].map((v) => b.submit(v));
    expect(batches).toHaveLength(1);
    let closed = false;
    const closing = b.close().then(() => {
      closed = true;
    });
    await flush();
    expect(batches.map((x) => x.items)).toEqual([[1, 2]]);
    batches[0].finish();
    await flush();
    expect(batches.map((x) => x.items)).toEqual([[1, 2], [3]]);
    expect(closed).toBe(false);
    batches[1].finish();
    await closing;
    expect((await Promise.all(r)).map((x) => x.value)).toEqual([10, 20, 30]);
    await expect(b.submit(4)).rejects.toMatchObject({ status: 503, code: 'XQC_INFERENCE_UNAVAILABLE' });
  });

  it('validates its options', () => {
    const run = async (): Promise<ItemOutcome<number>[]> => [];
    expect(() => new MicroBatcher(run, { maxBatchSize: 0, maxQueueDelayMs: 0 })).toThrow(/maxBatchSize/);
    expect(() => new MicroBatcher(run, { maxBatchSize: 1, maxQueueDelayMs: -1 })).toThrow(/maxQueueDelayMs/);
    expect(() => new MicroBatcher(run, { maxBatchSize: 1, maxQueueDelayMs: 0, maxConcurrentBatches: 0 })).toThrow(/maxConcurrentBatches/);
  });
});
