/**
 * ONNX Runtime's own profiler on one training step of `xaiqc train`'s default network
 * (compactResNet width 16 depth 3, 5 classes, 64x64, batch 32): kernel time per op type
 * with one intra-op thread and with two, and of a half batch (16 images) on one thread,
 * the share a data-parallel worker computes. An op type whose time does not drop from one
 * thread to two runs single-threaded in ONNX Runtime's CPU kernels.
 *
 * Run: `npx tsx packages/core/bench/train-profile.ts [size] [batch]`. Sessions come from the
 * runtime seam with `profileFilePrefix` set (ONNX Runtime's profiler).
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { saveModel } from '../src/onnx/model-io.ts';
import { drawMask } from '../src/onnx/passes/dropout-as-mask.ts';
import type { Tensor } from '../src/onnx/tensor.ts';
import { createSession } from '../src/runtime/session.ts';
import { buildTrainingGraph } from '../src/train/training-graph.ts';
import type { TrainingGraph } from '../src/train/training-graph.ts';
import { compactResNet } from '../src/train/zoo/compact-resnet.ts';
import { keyedRng } from '../src/util/random.ts';
import { formatTable, round } from './harness.ts';

/** Kernel time of one op type in one profiled configuration, ms per step. */
interface OpTime {
  opType: string;
  nodes: number;
  ms: number;
}

interface ProfileEvent {
  cat: string;
  name: string;
  dur: number;
  args?: { op_name?: string };
}

/** Profiles `steps` runs of the training graph on `batch` images with `threads` intra-op threads. */
async function profile(tg: TrainingGraph, bytes: Uint8Array, size: number, batch: number, threads: number, steps: number): Promise<{ wallMs: number; ops: OpTime[] }> {
  const dir = await mkdtemp(join(tmpdir(), 'xqc-profile-'));
  try {
    const session = await createSession(bytes, { intraOpThreads: threads, interOpThreads: 1, graphOptimization: 'all', profileFilePrefix: join(dir, 'train') });
    const f32 = (data: Float32Array, dims: number[]): Tensor => ({ dtype: 'float32', dims, data });
    const rng = keyedRng(3);
    const feeds: Record<string, Tensor> = {
      [tg.input]: f32(Float32Array.from({ length: batch * 3 * size * size }, () => rng() * 4 - 2), [batch, 3, size, size]),
      [tg.targets]: f32(Float32Array.from({ length: batch * 5 }, (_, i) => (i % 5 === 0 ? 1 : 0)), [batch, 5]),
      [tg.cotangent]: f32(new Float32Array([1]), []),
    };
    const dims = new Map(tg.model.graph.inputs.map((i) => [i.name, i.shape as number[]]));
    for (const [name, t] of Object.entries(tg.initial)) feeds[name] = f32(Float32Array.from(t.data as Float32Array), dims.get(name) as number[]);
    for (const d of tg.dropouts) feeds[d.input] = f32(drawMask(d, batch, rng), [batch, ...d.dims]);
    const fetch = [tg.loss, ...tg.parameters.map((p) => tg.grads[p])];
    await session.run(feeds, fetch);
    const t0 = performance.now();
    for (let i = 0; i < steps; i++) await session.run(feeds, fetch);
    const wallMs = (performance.now() - t0) / steps;
    session.endProfiling();
    await session.release();
    const files = (await import('node:fs')).readdirSync(dir);
    const events = JSON.parse(await readFile(join(dir, files[0]), 'utf8')) as ProfileEvent[];
    const byOp = new Map<string, { names: Set<string>; us: number }>();
    for (const e of events) {
      if (e.cat !== 'Node' || !e.name.endsWith('_kernel_time') || !e.args?.op_name) continue;
      const o = byOp.get(e.args.op_name) ?? { names: new Set(), us: 0 };
      o.names.add(e.name);
      o.us += e.dur;
      byOp.set(e.args.op_name, o);
    }
    // The first (untimed) run is profiled too: divide by every run.
    const ops = [...byOp].map(([opType, o]) => ({ opType, nodes: o.names.size, ms: round(o.us / 1000 / (steps + 1)) })).sort((a, b) => b.ms - a.ms);
    return { wallMs: round(wallMs), ops };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const size = Number(process.argv[2] ?? 64);
  const batch = Number(process.argv[3] ?? 32);
  const steps = 6;
  const zoo = compactResNet({ width: 16, depth: 3, numClasses: 5, dropout: 0.2, inputSize: size, seed: 1, training: true });
  const tg = buildTrainingGraph({ model: zoo.model, parameters: zoo.parameters, batchNorms: zoo.batchNorms, loss: 'softmax-ce', numClasses: 5 });
  const bytes = saveModel(tg.model);
  const one = await profile(tg, bytes, size, batch, 1, steps);
  const two = await profile(tg, bytes, size, batch, 2, steps);
  const half = await profile(tg, bytes, size, batch >> 1, 1, steps);
  const at = (p: { ops: OpTime[] }, op: string): number => p.ops.find((o) => o.opType === op)?.ms ?? 0;
  const total = (p: { ops: OpTime[] }): number => round(p.ops.reduce((s, o) => s + o.ms, 0));
  const rows = one.ops.map((o) => [o.opType, String(o.nodes), o.ms, round((100 * o.ms) / total(one)), at(two, o.opType), round(o.ms / Math.max(1e-3, at(two, o.opType))), at(half, o.opType)]);
  rows.push(['(sum of kernels)', '', total(one), 100, total(two), round(total(one) / total(two)), total(half)]);
  rows.push(['(wall per run)', '', one.wallMs, '', two.wallMs, round(one.wallMs / two.wallMs), half.wallMs]);
  console.log(`training step, compactResNet w16 d3, ${size}x${size}, batch ${batch} (kernel ms per run, mean of ${steps + 1} runs)`);
  console.log(formatTable(['op type', 'nodes', '1 thread ms', '% of 1 thread', '2 threads ms', 'speed-up', `1 thread, batch ${batch >> 1} ms`],
    rows.map((r) => r.map((c) => (typeof c === 'number' ? c : String(c))))));
}

await main();
