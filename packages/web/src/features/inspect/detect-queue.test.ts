import { describe, expect, it } from 'vitest';
import { DetectQueue } from './detect-queue.ts';

function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((a, b) => ((resolve = a), (reject = b)));
  return { promise, resolve, reject };
}
const tick = () => new Promise((r) => setTimeout(r, 0));

describe('DetectQueue', () => {
  it('sends at most `concurrency` at once, in order, and tallies results as each finishes', async () => {
    const pending = new Map<string, ReturnType<typeof deferred<string>>>();
    const started: string[] = [];
    const q = new DetectQueue<string, string>({
      concurrency: 2,
      run: (input) => {
        started.push(input);
        const d = deferred<string>();
        pending.set(input, d);
        return d.promise;
      },
      tally: (r) => r,
    });
    q.add(['a', 'b', 'c', 'd'].map((x) => ({ input: x, name: `${x}.png` })));
    expect(started).toEqual(['a', 'b']);
    expect(q.counts()).toMatchObject({ total: 4, running: 2, queued: 2 });
    pending.get('b')!.resolve('reject');
    await tick();
    expect(started).toEqual(['a', 'b', 'c']);
    expect(q.item(q.keys()[1]!)).toMatchObject({ status: 'done', result: 'reject', attempts: 1 });
    pending.get('a')!.resolve('pass');
    pending.get('c')!.resolve('pass');
    await tick();
    pending.get('d')!.resolve('pass');
    await tick();
    expect(q.counts()).toMatchObject({ done: 4, running: 0, queued: 0, tally: { pass: 3, reject: 1 } });
  });

  it('keeps going after a failure and sends a failed item again on retry', async () => {
    let fail = true;
    const q = new DetectQueue<string, string>({
      run: async (input) => {
        if (input === 'bad' && fail) throw new Error('not an image');
        return 'ok';
      },
    });
    const [bad, good] = q.add([{ input: 'bad', name: 'bad' }, { input: 'good', name: 'good' }]);
    await tick();
    expect(q.item(bad!)).toMatchObject({ status: 'failed' });
    expect((q.item(bad!)!.error as Error).message).toBe('not an image');
    expect(q.item(good!)!.status).toBe('done');
    fail = false;
    q.retry(bad!);
    await tick();
    expect(q.item(bad!)).toMatchObject({ status: 'done', result: 'ok', error: undefined });
  });

  it('retries errors the server calls temporary, with backoff, up to maxAttempts', async () => {
    let calls = 0;
    const q = new DetectQueue<string, string>({
      run: async () => {
        calls++;
        throw Object.assign(new Error('busy'), { status: 503 });
      },
      retryable: (e) => (e as { status?: number }).status === 503,
      maxAttempts: 3,
      backoffMs: () => 1,
    });
    const [k] = q.add([{ input: 'x', name: 'x' }]);
    await new Promise((r) => setTimeout(r, 30));
    expect(calls).toBe(3);
    expect(q.item(k!)).toMatchObject({ status: 'failed', attempts: 3 });
  });

  it('notifies only the row that changed, and the key list only on add and clear', async () => {
    const d = deferred<string>();
    const q = new DetectQueue<string, string>({ run: (i) => (i === 'slow' ? d.promise : Promise.resolve('ok')), concurrency: 1 });
    let keyCalls = 0;
    q.subscribeKeys(() => keyCalls++);
    const [a, b] = q.add([{ input: 'slow', name: 'a' }, { input: 'fast', name: 'b' }]);
    const keysBefore = q.keys();
    let aCalls = 0;
    let bCalls = 0;
    q.subscribeItem(a!, () => aCalls++);
    q.subscribeItem(b!, () => bCalls++);
    d.resolve('ok');
    await tick();
    await tick();
    expect(aCalls).toBe(1); // done
    expect(bCalls).toBe(2); // running, done
    expect(keyCalls).toBe(1);
    expect(q.keys()).toBe(keysBefore);
    q.clear();
    expect(keyCalls).toBe(2);
    expect(q.keys()).toEqual([]);
    expect(q.counts().total).toBe(0);
  });

  it('drops what was running when cleared and accepts new files afterwards', async () => {
    const d = deferred<string>();
    let seen: AbortSignal | undefined;
    const q = new DetectQueue<string, string>({
      run: (i, signal) => {
        seen = signal;
        return i === 'hang' ? d.promise : Promise.resolve('ok');
      },
      concurrency: 1,
    });
    q.add([{ input: 'hang', name: 'h' }]);
    q.clear();
    expect(seen!.aborted).toBe(true);
    d.resolve('late');
    const [k] = q.add([{ input: 'next', name: 'n' }]);
    await tick();
    expect(q.item(k!)).toMatchObject({ status: 'done', result: 'ok' });
    expect(q.counts()).toMatchObject({ total: 1, done: 1 });
  });
});
