import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { saveModel } from '../onnx/model-io.ts';
import { drawMask } from '../onnx/passes/dropout-as-mask.ts';
import { tensor } from '../onnx/tensor.ts';
import type { Tensor } from '../onnx/tensor.ts';
import { createSession } from '../runtime/session.ts';
import type { OnnxSession } from '../runtime/session.ts';
import { keyedRng } from '../util/random.ts';
import { DataParallelSteps, combineShards, defaultWorkers, shardSizes, sliceRows } from './data-parallel.ts';
import { trainModel } from './trainer.ts';
import type { TrainConfig } from './trainer.ts';
import type { TrainSample } from './batch.ts';
import { buildTrainingGraph } from './training-graph.ts';
import type { TrainingGraph } from './training-graph.ts';
import { compactResNet } from './zoo/compact-resnet.ts';

describe('shards', () => {
  it('cuts a batch into near-equal contiguous shards, the larger first', () => {
    expect(shardSizes(32, 2)).toEqual([16, 16]);
    expect(shardSizes(10, 3)).toEqual([4, 3, 3]);
    expect(shardSizes(3, 8)).toEqual([1, 1, 1]);
    const t = tensor('float32', [3, 2], [1, 2, 3, 4, 5, 6]);
    expect(Array.from(sliceRows(t, 1, 2).data as Float32Array)).toEqual([3, 4, 5, 6]);
    expect(sliceRows(t, 1, 2).dims).toEqual([2, 2]);
  });

  it('averages shard outputs weighted by shard size', () => {
    const a = { g: tensor('float32', [2], [1, 10]) };
    const b = { g: tensor('float32', [2], [4, 40]) };
    expect(Array.from(combineShards([a, b], [3, 1], ['g']).g.data as Float32Array)).toEqual([1.75, 17.5]);
  });

  it('defaults to the cores, at most 4 and at most one per 4 images', () => {
    expect(defaultWorkers(32, 2)).toBe(2);
    expect(defaultWorkers(32, 16)).toBe(4);
    expect(defaultWorkers(8, 16)).toBe(2);
    expect(defaultWorkers(4, 1)).toBe(1);
  });
});

/** 16x16 RGB images of seeded noise. */
function images(n: number, seed: number): Float32Array {
  const rng = keyedRng(seed);
  return Float32Array.from({ length: n * 3 * 16 * 16 }, () => rng() * 4 - 2);
}

/** Feeds of one step on `x` (n images) with the initial weights and seeded dropout masks. */
function feedsOf(tg: TrainingGraph, x: Float32Array, n: number, labels: number[]): Record<string, Tensor> {
  const dims = new Map(tg.model.graph.inputs.map((i) => [i.name, i.shape as number[]]));
  const feeds: Record<string, Tensor> = {
    [tg.input]: tensor('float32', [n, 3, 16, 16], x),
    [tg.targets]: tensor('float32', [n, 3], labels.flatMap((l) => [0, 1, 2].map((k) => (k === l ? 0.9 : 0.05)))),
    [tg.cotangent]: tensor('float32', [], [1]),
  };
  for (const [name, t] of Object.entries(tg.initial)) feeds[name] = { dtype: 'float32', dims: dims.get(name) as number[], data: t.data };
  const rng = keyedRng(11);
  for (const d of tg.dropouts) feeds[d.input] = tensor('float32', [n, ...d.dims], drawMask(d, n, rng));
  return feeds;
}

/** Rows [start, start + count) of the per-image feeds; the rest as they are. */
function shardOf(tg: TrainingGraph, feeds: Record<string, Tensor>, start: number, count: number): Record<string, Tensor> {
  const perRow = new Set([tg.input, tg.targets, ...tg.dropouts.map((d) => d.input)]);
  return Object.fromEntries(Object.entries(feeds).map(([k, t]) => [k, perRow.has(k) ? sliceRows(t, start, count) : t]));
}

function expectClose(actual: Tensor, expected: Tensor, rtol: number, atol: number): void {
  const a = actual.data as Float32Array;
  const e = expected.data as Float32Array;
  expect(a.length).toBe(e.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - e[i]) - rtol * Math.abs(e[i]));
  expect(worst).toBeLessThanOrEqual(atol);
}

describe('data-parallel steps', () => {
  const zoo = compactResNet({ width: 4, depth: 2, numClasses: 3, dropout: 0.2, inputSize: 16, seed: 5, training: true });
  const tg = buildTrainingGraph({ model: zoo.model, parameters: zoo.parameters, batchNorms: zoo.batchNorms, loss: 'softmax-ce', numClasses: 3 });
  const grads = tg.parameters.map((p) => tg.grads[p]);
  const fetch = [tg.loss, ...grads, ...Object.values(tg.runningStats)];
  let single: OnnxSession;
  let pool: DataParallelSteps;
  beforeAll(async () => {
    single = await createSession(saveModel(tg.model), { intraOpThreads: 1 });
    pool = await DataParallelSteps.create(saveModel(tg.model), 3);
  });
  afterAll(async () => {
    await single.release();
    await pool.close();
  });

  it('two workers give the single-worker gradients of a batch whose halves are the same images (per-shard BatchNorm statistics equal the batch\'s)', async () => {
    const half = images(6, 1);
    const x = new Float32Array(half.length * 2);
    x.set(half);
    x.set(half, half.length);
    const labels = [0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2];
    const feeds = feedsOf(tg, x, 12, labels);
    const whole = await single.run(feeds, fetch);
    const sizes = shardSizes(12, 2);
    const parts = await pool.run([shardOf(tg, feeds, 0, 6), shardOf(tg, feeds, 6, 6)], fetch);
    const combined = combineShards(parts, sizes, fetch);
    expectClose(combined[tg.loss], whole[tg.loss], 1e-5, 1e-6);
    for (const g of grads) expectClose(combined[g], whole[g], 1e-3, 2e-5);
    // The running means see the same batch means; the running variances differ only by
    // the unbiased correction n / (n - 1) of a shard against the batch.
    for (const [input, out] of Object.entries(tg.runningStats)) if (input.endsWith('running_mean')) expectClose(combined[out], whole[out], 1e-4, 1e-6);
  });

  it('three workers on distinct images give the size-weighted mean of single-worker steps on each shard (the documented per-shard semantics)', async () => {
    const labels = [0, 1, 2, 1, 0, 2, 2, 1, 0, 1];
    const feeds = feedsOf(tg, images(10, 2), 10, labels);
    const sizes = shardSizes(10, 3);
    const starts = [0, sizes[0], sizes[0] + sizes[1]];
    const shards = sizes.map((n, w) => shardOf(tg, feeds, starts[w], n));
    const reference = combineShards(await Promise.all(shards.map((f) => single.run(f, fetch))), sizes, fetch);
    const combined = combineShards(await pool.run(shards, fetch), sizes, fetch);
    for (const name of fetch) expectClose(combined[name], reference[name], 1e-5, 1e-6);
    // And it is not the whole-batch step: BatchNorm statistics are per shard.
    const whole = await single.run(feeds, fetch);
    const d = (combined[tg.loss].data[0] as number) - (whole[tg.loss].data[0] as number);
    expect(Math.abs(d)).toBeGreaterThan(1e-6);
  });

  it('repeats a step bit for bit', async () => {
    const feeds = feedsOf(tg, images(8, 3), 8, [0, 1, 2, 0, 1, 2, 0, 1]);
    const run = async (): Promise<Record<string, Tensor>> => combineShards(await pool.run([shardOf(tg, feeds, 0, 4), shardOf(tg, feeds, 4, 4)], fetch), [4, 4], fetch);
    const [a, b] = [await run(), await run()];
    for (const name of fetch) expect(Array.from(a[name].data as Float32Array)).toEqual(Array.from(b[name].data as Float32Array));
  });
});

/** 16x16 images: class 1 has a bright square, class 0 does not. */
function toyData(n: number, seed: number): TrainSample[] {
  const rng = keyedRng(seed);
  return Array.from({ length: n }, (_, i) => {
    const label = i % 2;
    const data = new Uint8Array(16 * 16 * 3);
    for (let p = 0; p < data.length; p++) data[p] = 60 + Math.floor(rng() * 40);
    if (label) for (let y = 4; y < 9; y++) for (let x = 4; x < 9; x++) for (let c = 0; c < 3; c++) data[(y * 16 + x) * 3 + c] = 220;
    return { image: { width: 16, height: 16, channels: 3, data }, label };
  });
}

describe('trainModel with workers', () => {
  const cfg: TrainConfig = {
    task: 'classify',
    labels: ['good', 'defect'],
    arch: { kind: 'compact-resnet', width: 4, depth: 2, dropout: 0.2 },
    inputSize: [16, 16],
    norm: { mean: [0.5], std: [0.25] },
    epochs: 3,
    batchSize: 8,
    lr: 0.01,
    optimizer: { kind: 'adamw' },
    schedule: { kind: 'cosine', warmupSteps: 2 },
    labelSmoothing: 0.05,
    augment: { hflip: 0.5, vflip: 0.5, rot90: 0.5, affine: 0.5, color: 0.5, noise: 0.3, blur: 0.2 },
    seed: 4,
    patience: 0,
    workers: 2,
  };
  const data = { train: toyData(16, 1), val: toyData(8, 2) };

  it('resumes a two-worker run exactly: 1 + 2 epochs equal 3 epochs', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'xqc-dp-'));
    try {
      const straight = await trainModel(cfg, data);
      await trainModel(cfg, data, { checkpointDir: dir, stopAfterEpoch: 1 });
      const resumed = await trainModel(cfg, data, { checkpointDir: dir, resume: true });
      expect(resumed.resumedFromEpoch).toBe(1);
      expect(resumed.history.map((h) => h.trainLoss)).toEqual(straight.history.map((h) => h.trainLoss));
      for (const [name, t] of straight.model.graph.initializers) {
        expect(Array.from(resumed.model.graph.initializers.get(name)?.data as Float32Array)).toEqual(Array.from(t.data as Float32Array));
      }
      expect(straight.history.every((h) => (h.cpuUtilisation ?? 0) > 0)).toBe(true);
      // Where the wall time went: each worker's share running its shard, the main thread's share between steps.
      for (const h of straight.history) {
        expect(h.workerBusy).toHaveLength(2);
        for (const b of h.workerBusy ?? []) expect(b > 0 && b <= 1 + 1e-3).toBe(true);
        expect((h.mainSerial ?? -1) > 0 && (h.mainSerial ?? 2) < 1).toBe(true);
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('rejects a worker count that leaves a shard under 2 images', async () => {
    await expect(trainModel({ ...cfg, workers: 5 }, data)).rejects.toMatchObject({ code: 'XQC_TRAIN' });
    await expect(trainModel({ ...cfg, workers: 0 }, data)).rejects.toMatchObject({ code: 'XQC_TRAIN' });
  });
});
