/**
 * Where the CPU of a data-parallel training step goes: the trainer's step loop
 * (trainer.ts, `xaiqc train`'s defaults: compactResNet width 16 depth 3, batch 32, 64x64,
 * default augmentation, AdamW) on the bench's synthetic cell images, with each thread's
 * on-CPU time read from `/proc/self/task/<tid>/schedstat` (nanoseconds; run-queue waits
 * are reported apart, so machine load inflates them and not the CPU figures) around
 * every step: each worker's CPU for its shard, the main thread's CPU while the workers run
 * (the next batch) and while they wait for it (the step's feeds, dropout masks and posting;
 * averaging the shards, AdamW, running statistics), plus wall times per phase. Linux only.
 *
 * Usage: `npx tsx packages/core/bench/train-phases.ts [WORKERS=2] [EPOCHS=2]`.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateDataset } from '../src/data/generate-dataset.ts';
import { saveModel } from '../src/onnx/model-io.ts';
import { drawMask } from '../src/onnx/passes/dropout-as-mask.ts';
import { tensor } from '../src/onnx/tensor.ts';
import type { Tensor } from '../src/onnx/tensor.ts';
import { DEFAULT_AUGMENT } from '../src/train/augment.ts';
import { makeBatch } from '../src/train/batch.ts';
import { DataParallelSteps, combineShards, shardSizes, sliceRows } from '../src/train/data-parallel.ts';
import { loadTrainingData } from '../src/train/dataset-samples.ts';
import { createOptimizer } from '../src/train/optimizers.ts';
import { learningRate } from '../src/train/schedules.ts';
import { buildTrainingGraph } from '../src/train/training-graph.ts';
import { compactResNet } from '../src/train/zoo/compact-resnet.ts';
import { keyedRng, permutation } from '../src/util/random.ts';

const workers = Number(process.argv[2] ?? 2);
const epochs = Number(process.argv[3] ?? 2);

/** [on-CPU ms, run-queue wait ms] of a thread of this process. */
function sched(tid: number): [number, number] {
  const f = readFileSync(`/proc/self/task/${tid}/schedstat`, 'utf8').trim().split(' ');
  return [Number(f[0]) / 1e6, Number(f[1]) / 1e6];
}

/** The `count` threads other than the main one with the most CPU so far: the step workers once they have run. */
function busiestThreads(count: number): number[] {
  return readdirSync('/proc/self/task').map(Number).filter((t) => t !== process.pid)
    .map((t) => [t, sched(t)[0]] as const).sort((a, b) => b[1] - a[1]).slice(0, count).map(([t]) => t);
}

const dir = await mkdtemp(join(tmpdir(), 'xqc-train-phases-'));
try {
  await generateDataset({ kind: 'cells', count: 800, seed: 1, format: 'classification', size: 64, out: join(dir, 'data') });
  const d = await loadTrainingData(join(dir, 'data'), { task: 'classify', inputSize: [64, 64], seed: 0 });
  const k = d.labels.length;
  const zoo = compactResNet({ width: 16, depth: 3, numClasses: k, dropout: 0.2, inputSize: 64, seed: 0, training: true });
  const tg = buildTrainingGraph({ model: zoo.model, parameters: zoo.parameters, batchNorms: zoo.batchNorms, loss: 'softmax-ce', numClasses: k });
  const params: Record<string, Float32Array> = {};
  for (const n of [...tg.parameters, ...Object.keys(tg.runningStats)]) params[n] = Float32Array.from(tg.initial[n].data as Float32Array);
  const dims = new Map(tg.model.graph.inputs.map((i) => [i.name, i.shape as number[]]));
  const pool = await DataParallelSteps.create(saveModel(tg.model), workers, { sessionOptions: { intraOpThreads: 1 } });
  try {
    const fetch = [tg.loss, ...tg.parameters.map((p) => tg.grads[p]), ...Object.values(tg.runningStats)];
    const shards = shardSizes(32, workers);
    const optimizer = createOptimizer({ kind: 'adamw', weightDecay: 1e-4 });
    const perRow = new Set([tg.input, tg.targets, ...tg.dropouts.map((x) => x.input)]);
    const stepsPerEpoch = Math.floor(d.train.length / 32);
    const wall = { feedsAndPost: 0, nextBatch: 0, waitForShards: 0, combine: 0, optimizer: 0, step: 0 };
    const cpu = { worker: shards.map(() => 0), workerRunQueue: shards.map(() => 0), slowerWorker: 0, mainWhileWorkersRun: 0, mainSerial: 0 };
    let threads: number[] = [];
    let measured = 0;
    let step = 0;
    for (let epoch = 0; epoch < epochs; epoch++) {
      const order = permutation(d.train.length, keyedRng(0, epoch, 0x5eed));
      const batchAt = (s: number): ReturnType<typeof makeBatch> => makeBatch(d.train, order.slice(s * 32, (s + 1) * 32), { task: 'classify', numClasses: k, norm: { mean: [0.5, 0.5, 0.5], std: [0.25, 0.25, 0.25] }, labelSmoothing: 0.05, augment: DEFAULT_AUGMENT, seed: 0, epoch });
      let batch = batchAt(0);
      for (let s = 0; s < stepsPerEpoch; s++, step++) {
        const t0 = performance.now();
        const m0 = sched(process.pid);
        const w0 = threads.map(sched);
        const feeds: Record<string, Tensor> = { [tg.input]: batch.images, [tg.targets]: batch.targets, [tg.cotangent]: tensor('float32', [], [1]) };
        for (const [n, a] of Object.entries(params)) feeds[n] = { dtype: 'float32', dims: dims.get(n) as number[], data: a };
        const rng = keyedRng(0, step, 0xd409);
        for (const x of tg.dropouts) feeds[x.input] = tensor('float32', [32, ...x.dims], drawMask(x, 32, rng));
        let start = 0;
        const shardFeeds = shards.map((count) => {
          const f: Record<string, Tensor> = {};
          for (const [n, v] of Object.entries(feeds)) f[n] = perRow.has(n) ? sliceRows(v, start, count) : v;
          start += count;
          return f;
        });
        const pending = pool.run(shardFeeds, fetch);
        const t1 = performance.now();
        const mPosted = sched(process.pid);
        if (s + 1 < stepsPerEpoch) batch = batchAt(s + 1);
        const t2 = performance.now();
        const outs = await pending;
        const t3 = performance.now();
        const m1 = sched(process.pid);
        const w1 = threads.map(sched);
        const out = combineShards(outs, shards, fetch);
        const t4 = performance.now();
        const grads = Object.fromEntries(tg.parameters.map((p) => [p, out[tg.grads[p]].data as Float32Array]));
        optimizer.step(Object.fromEntries(tg.parameters.map((n) => [n, params[n]])), grads, learningRate({ kind: 'cosine', warmupSteps: 20 }, 3e-3, step, stepsPerEpoch * epochs));
        for (const [i, o] of Object.entries(tg.runningStats)) params[i] = Float32Array.from(out[o].data as Float32Array);
        const t5 = performance.now();
        if (threads.length) {
          measured++;
          Object.assign(wall, { feedsAndPost: wall.feedsAndPost + t1 - t0, nextBatch: wall.nextBatch + t2 - t1, waitForShards: wall.waitForShards + t3 - t2, combine: wall.combine + t4 - t3, optimizer: wall.optimizer + t5 - t4, step: wall.step + t5 - t0 });
          const used = threads.map((_, w) => w1[w][0] - w0[w][0]);
          used.forEach((c, w) => { cpu.worker[w] += c; cpu.workerRunQueue[w] += w1[w][1] - w0[w][1]; });
          cpu.slowerWorker += Math.max(...used);
          cpu.mainWhileWorkersRun += m1[0] - mPosted[0];
          cpu.mainSerial += mPosted[0] - m0[0] + sched(process.pid)[0] - m1[0];
        } else {
          threads = busiestThreads(workers); // after the first step: the workers have done the most work
        }
      }
    }
    const per = (x: number): number => Math.round((10 * x) / measured) / 10;
    console.log(`${workers} worker(s), ${measured} measured steps of 32 images (the first one only finds the worker threads)`);
    console.log('CPU ms per step (schedstat):', JSON.stringify({ worker: cpu.worker.map(per), slowerWorker: per(cpu.slowerWorker), workerRunQueueWait: cpu.workerRunQueue.map(per), mainWhileWorkersRun: per(cpu.mainWhileWorkersRun), mainSerial: per(cpu.mainSerial) }));
    console.log('wall ms per step (inflated by load):', JSON.stringify(Object.fromEntries(Object.entries(wall).map(([n, v]) => [n, per(v)]))));
  } finally {
    await pool.close();
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}
