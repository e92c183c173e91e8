import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { isXqcError } from '../errors.ts';
import { DEFAULT_AUGMENT } from './augment.ts';
import { makeBatch } from './batch.ts';
import type { Batch, TrainSample } from './batch.ts';
import { BatchLoader } from './batch-loader.ts';
import type { LoaderBatchOptions } from './batch-loader.ts';
import { keyedRng } from '../util/random.ts';

/** `n` random 12x12 RGB samples with 3-class masks. */
function samples(n: number): TrainSample[] {
  const rng = keyedRng(n);
  return Array.from({ length: n }, (_, i) => ({
    image: { width: 12, height: 12, channels: 3 as const, data: Uint8Array.from({ length: 12 * 12 * 3 }, () => Math.floor(rng() * 256)) },
    mask: Uint8Array.from({ length: 12 * 12 }, () => Math.floor(rng() * 3)),
    label: i % 3,
  }));
}

const segment: LoaderBatchOptions = { task: 'segment', numClasses: 3, norm: { mean: [0.5], std: [0.25] }, augment: DEFAULT_AUGMENT, seed: 9 };

function expectSameBatch(a: Batch, b: Batch): void {
  expect(a.images.dims).toEqual(b.images.dims);
  expect(Array.from(a.images.data)).toEqual(Array.from(b.images.data));
  expect(Array.from(a.targets.data)).toEqual(Array.from(b.targets.data));
  expect(a.labels).toEqual(b.labels);
  expect(a.masks?.map((m) => Array.from(m))).toEqual(b.masks?.map((m) => Array.from(m)));
}

describe('BatchLoader', () => {
  it('makes batches in a worker thread, identical to makeBatch on the main thread', async () => {
    const data = samples(10);
    const loader = await BatchLoader.create(data, segment);
    try {
      expect(loader.mode).toBe('worker');
      expect(loader.fallbackReason).toBeUndefined();
      // Several requests in flight at once come back to the right callers.
      const requests = [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 0, 1]].map((idx, e) => ({ idx, e, batch: loader.get(idx, e) }));
      for (const r of requests) expectSameBatch(await r.batch, makeBatch(data, r.idx, { ...segment, epoch: r.e }));
    } finally {
      await loader.close();
    }
  });

  it('keeps the samples intact across requests (un-augmented masks are the samples\' own arrays)', async () => {
    const data = samples(6);
    const plain: LoaderBatchOptions = { ...segment, augment: undefined };
    const loader = await BatchLoader.create(data, plain);
    try {
      const first = await loader.get([0, 1, 2], 0);
      const again = await loader.get([0, 1, 2], 0);
      expectSameBatch(again, first);
      expectSameBatch(first, makeBatch(data, [0, 1, 2], { ...plain, epoch: 0 }));
    } finally {
      await loader.close();
    }
  });

  it('inline mode gives the same batches', async () => {
    const data = samples(8);
    const inline = await BatchLoader.create(data, segment, { worker: false });
    expect(inline.mode).toBe('inline');
    expectSameBatch(await inline.get([3, 1, 4], 2), makeBatch(data, [3, 1, 4], { ...segment, epoch: 2 }));
    await inline.close();
  });

  it('a request that cannot be made fails with XQC_TRAIN, and the loader goes on', async () => {
    const data = samples(4);
    const loader = await BatchLoader.create(data, segment);
    try {
      const bad = await loader.get([0, 99], 0).catch((e: unknown) => e);
      expect(isXqcError(bad) && bad.code === 'XQC_TRAIN').toBe(true);
      expectSameBatch(await loader.get([2, 3], 1), makeBatch(data, [2, 3], { ...segment, epoch: 1 }));
    } finally {
      await loader.close();
    }
  });

  it('holds the process only while a batch is pending: a script that never closes it still exits', () => {
    const loaderUrl = new URL('./batch-loader.ts', import.meta.url).href;
    const script = [
      "import { register } from 'tsx/esm/api';",
      'register();',
      `const { BatchLoader } = await import(${JSON.stringify(loaderUrl)});`,
      "const samples = [0, 1, 2].map((i) => ({ image: { width: 8, height: 8, channels: 3, data: new Uint8Array(192).fill(i) }, label: i % 2 }));",
      "const loader = await BatchLoader.create(samples, { task: 'classify', numClasses: 2, norm: { mean: [0.5], std: [0.25] }, seed: 1 });",
      'const b = await loader.get([0, 1, 2], 0);',
      'console.log(loader.mode, b.images.dims.join("x"));',
    ].join('\n');
    const root = fileURLToPath(new URL('../../../..', import.meta.url));
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: root, encoding: 'utf8', timeout: 60_000 });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe('worker 3x3x8x8');
  });

  it('close() rejects what is still pending', async () => {
    const loader = await BatchLoader.create(samples(4), segment);
    const pending = loader.get([0, 1], 0).catch((e: unknown) => e);
    await loader.close();
    // close() runs before the worker's reply can arrive (that needs another turn of the event loop).
    const r = await pending;
    expect(isXqcError(r) && r.code === 'XQC_TRAIN').toBe(true);
    await expect(loader.get([0, 1], 0)).rejects.toThrow(/closed/);
  });
});
