/**
 * Autodiff benchmark: what a saliency map (gradient w.r.t. the input) and a Grad-CAM map
 * (gradient w.r.t. the last spatial activation) cost against one forward pass, how long
 * building and serialising the gradient graph takes, and how much memory each phase
 * needs. Models are the zoo's ResNet-18 and MobileNetV2 at 1x3x224x224 with 1000 classes;
 * construction is also timed on ResNet-50. Runs are timed twice: with the default two
 * threads in wall time, and on one thread in CPU time (the stable figure on a shared VM).
 * When a target is missed the gradient graphs are profiled by timing sub-graphs (see
 * autodiff-profile.ts).
 */
import os from 'node:os';
import { defaultRegistry } from '../src/autodiff/register-all.ts';
import { buildGradient } from '../src/autodiff/vjp.ts';
import type { GradientModel } from '../src/autodiff/vjp.ts';
import { XqcError } from '../src/errors.ts';
import type { Model } from '../src/onnx/ir.ts';
import { loadModel, saveModel } from '../src/onnx/model-io.ts';
import { tensor } from '../src/onnx/tensor.ts';
import type { Tensor } from '../src/onnx/tensor.ts';
import { createSession, optimizedModel } from '../src/runtime/session.ts';
import { mobilenetV2, resnet } from '../src/train/zoo/index.ts';
import type { ZooModel } from '../src/train/zoo/index.ts';
import { fillNormal, uniformRng } from '../src/util/random.ts';
import { profileGradient } from './autodiff-profile.ts';
import type { GradientProfile } from './autodiff-profile.ts';
import { MemoryLog, cpuClock, formatTable, machineInfo, round, summarise, timeInterleaved, writeResult } from './harness.ts';
import type { MachineInfo, MemoryPhase, Timing } from './harness.ts';

/** The targets the figures are reported against. */
export const AUTODIFF_TARGETS = {
  /** A gradient graph run (forward and backward) costs at most this many forward passes. */
  maxGradientOverForward: 3,
  /** buildGradient + serialisation of ResNet-50 w.r.t. its input, in ms. */
  maxConstructionMs: 300,
} as const;

/** Options of {@link benchAutodiff}. */
export interface AutodiffBenchOptions {
  /** Timed session runs per measurement (default 15, at least 10). */
  runs?: number;
  /** Untimed runs first (default 3). */
  warmup?: number;
  /** Timed constructions per measurement (default 5). */
  constructionRuns?: number;
  /** Profile the gradient graphs: 'auto' (default) when a target is missed. */
  profile?: boolean | 'auto';
}

/** Build and serialisation times of one gradient graph. */
export interface Construction {
  model: string;
  wrt: string;
  buildGradientMs: Timing;
  serialiseMs: Timing;
  totalMs: Timing;
  backwardNodes: number;
  forwardNodes: number;
  bytes: number;
}

/** ONNX Runtime's optimised form of a graph: its nodes and its NCHWc layout reorders. */
export interface RuntimeGraph {
  nodes: number;
  reorders: number;
}

/** Run times of one model: forward and both gradient graphs timed round-robin. */
export interface RunFigures {
  model: string;
  parameters: number;
  forwardMs: Timing;
  gradInputMs: Timing;
  gradLateMs: Timing;
  lateLayer: string;
  /** Ratios of medians (the reported figure) and of minima (what a quiet machine approaches). */
  gradInputOverForward: number;
  gradLateOverForward: number;
  gradInputOverForwardMin: number;
  gradLateOverForwardMin: number;
  /**
   * The graphs as ONNX Runtime runs them (after its optimisations): node count and the
   * blocked-layout reorders (ReorderInput/ReorderOutput) it inserted.
   */
  runtimeGraph: { forward: RuntimeGraph; gradInput: RuntimeGraph };
  /** The three graphs on one intra-op thread, in process CPU time (robust to a shared VM's stolen time). */
  oneThreadCpuMs: { forward: Timing; gradInput: Timing; gradLate: Timing };
  oneThreadGradInputOverForward: number;
  oneThreadGradLateOverForward: number;
  sessionCreateMs: { forward: number; gradInput: number; gradLate: number };
  /** The first run of each session (allocates its memory arena). */
  firstRunMs: { forward: number; gradInput: number; gradLate: number };
}

/** Everything the suite measured (written to bench/results/autodiff.json). */
export interface AutodiffResult {
  machine: MachineInfo;
  /** Load averages when the suite finished (machine.loadAverage is at the start). */
  loadAverageEnd: number[];
  input: number[];
  targets: typeof AUTODIFF_TARGETS;
  runs: RunFigures[];
  construction: Construction[];
  memory: { phases: MemoryPhase[]; peakRssMiB: number };
  verdict: { gradientRatio: boolean; construction: boolean };
  profiles: GradientProfile[];
}

interface Case {
  name: string;
  build: () => ZooModel;
  /** Timed at run time as well as at construction. */
  run: boolean;
}

// Smallest first: freed memory stays with the process, so each case can only show its
// own footprint in the high-water mark when it needs more than the cases before it.
const CASES: Case[] = [
  { name: 'mobilenet_v2', build: () => mobilenetV2({ numClasses: 1000, seed: 1 }), run: true },
  { name: 'resnet18', build: () => resnet({ depth: 18, numClasses: 1000, seed: 1 }), run: true },
  { name: 'resnet50', build: () => resnet({ depth: 50, numClasses: 1000, seed: 1 }), run: false },
];
const INPUT = [1, 3, 224, 224];
const CLASSES = 1000;

/** Runs the suite, prints its tables and writes bench/results/autodiff.json. */
export async function benchAutodiff(options: AutodiffBenchOptions = {}): Promise<AutodiffResult> {
  const runs = Math.max(10, options.runs ?? 15);
  const warmup = options.warmup ?? 3;
  const constructionRuns = options.constructionRuns ?? 5;
  const machine = machineInfo();
  const mem = new MemoryLog();
  const x = image(INPUT);
  const c = oneHot(CLASSES, 7);
  const result: AutodiffResult = {
    machine, loadAverageEnd: [], input: INPUT, targets: AUTODIFF_TARGETS, runs: [], construction: [],
    memory: { phases: mem.phases, peakRssMiB: 0 }, verdict: { gradientRatio: true, construction: true }, profiles: [],
  };
  const kept: { z: ZooModel; name: string }[] = [];

  for (const k of CASES) {
    const z = await mem.phase(`${k.name}: build model`, k.build);
    const late = z.lastSpatial;
    for (const wrt of ['input', late]) {
      result.construction.push(await mem.phase(`${k.name}: construct grad wrt ${wrt}`, () => construct(k.name, z.model, wrt, constructionRuns)));
    }
    if (!k.run) continue;
    kept.push({ z, name: k.name });
    // Sessions first (compile and one run each, so each phase shows one graph's memory),
    // then the three graphs timed round-robin: load from other work hits them alike.
    const forward = await mem.phase(`${k.name}: forward session`, () => openSession(z.model, null, x, c));
    const gradInput = await mem.phase(`${k.name}: grad wrt input session`, () => openSession(z.model, 'input', x, c));
    const gradLate = await mem.phase(`${k.name}: grad wrt ${late} session`, () => openSession(z.model, late, x, c));
    const sessions = [forward, gradInput, gradLate];
    const [fwdT, inT, lateT] = await mem.phase(`${k.name}: timed runs`, () => timeInterleaved(sessions.map((s) => s.run), runs, warmup));
    await Promise.all(sessions.map((s) => s.release()));
    // The same graphs on one thread, in CPU time: time the VM's other guests take (steal)
    // does not count there, and no second thread's scaling enters the ratio.
    const single = await Promise.all([null, 'input', late].map((w) => openSession(z.model, w, x, c, 1)));
    const [fwdCpu, inCpu, lateCpu] = await mem.phase(`${k.name}: one-thread CPU-time runs`, () => timeInterleaved(single.map((s) => s.run), runs, warmup, 0, cpuClock));
    await Promise.all(single.map((s) => s.release()));
    const runtimeGraph = await mem.phase(`${k.name}: ONNX Runtime's optimised graphs`, async () =>
      ({ forward: await runtimeGraphOf(forward.bytes), gradInput: await runtimeGraphOf(gradInput.bytes) }));
    result.runs.push({
      model: k.name,
      parameters: z.parameters.reduce((n, p) => n + (z.model.graph.initializers.get(p)?.data.length ?? 0), 0),
      forwardMs: fwdT,
      gradInputMs: inT,
      gradLateMs: lateT,
      lateLayer: late,
      gradInputOverForward: round(inT.median / fwdT.median),
      gradLateOverForward: round(lateT.median / fwdT.median),
      gradInputOverForwardMin: round(inT.min / fwdT.min),
      gradLateOverForwardMin: round(lateT.min / fwdT.min),
      runtimeGraph,
      oneThreadCpuMs: { forward: fwdCpu, gradInput: inCpu, gradLate: lateCpu },
      oneThreadGradInputOverForward: round(inCpu.median / fwdCpu.median),
      oneThreadGradLateOverForward: round(lateCpu.median / fwdCpu.median),
      sessionCreateMs: { forward: forward.createMs, gradInput: gradInput.createMs, gradLate: gradLate.createMs },
      firstRunMs: { forward: forward.firstRunMs, gradInput: gradInput.firstRunMs, gradLate: gradLate.firstRunMs },
    });
  }
  result.memory.peakRssMiB = round(process.resourceUsage().maxRSS / 1024);
  const worstRatio = Math.max(...result.runs.flatMap((r) => [r.gradInputOverForward, r.gradLateOverForward]));
  const r50 = result.construction.find((k) => k.model === 'resnet50' && k.wrt === 'input');
  result.verdict = {
    gradientRatio: worstRatio <= AUTODIFF_TARGETS.maxGradientOverForward,
    construction: (r50?.totalMs.median ?? Infinity) <= AUTODIFF_TARGETS.maxConstructionMs,
  };
  printTables(result);

  const profile = options.profile ?? 'auto';
  if (profile === true || (profile === 'auto' && !(result.verdict.gradientRatio && result.verdict.construction))) {
    for (const { z, name } of kept) {
      for (const wrt of ['input', z.lastSpatial]) result.profiles.push(await profileGradient(name, z, wrt, x, c, runs, warmup));
    }
  }
  result.loadAverageEnd = os.loadavg().map(round);
  console.log(`\nload at the end ${result.loadAverageEnd.join(' ')}; wrote ${await writeResult('autodiff', result)}`);
  return result;
}

async function construct(model: string, m: Model, wrt: string, runs: number): Promise<Construction> {
  const build: number[] = [];
  const save: number[] = [];
  const total: number[] = [];
  let g: GradientModel | undefined;
  let bytes = 0;
  // One untimed round first: the first call also compiles the engine's code paths.
  for (let i = 0; i <= runs; i++) {
    const t0 = performance.now();
    g = buildGradient(m, defaultRegistry(), { of: 'logits', wrt: [wrt] });
    const t1 = performance.now();
    bytes = saveModel(g.model).length;
    const t2 = performance.now();
    if (i === 0) continue;
    build.push(t1 - t0);
    save.push(t2 - t1);
    total.push(t2 - t0);
  }
  return {
    model, wrt, buildGradientMs: summarise(build), serialiseMs: summarise(save), totalMs: summarise(total),
    backwardNodes: g?.backwardNodes ?? 0, forwardNodes: m.graph.nodes.length, bytes,
  };
}

interface OpenSession {
  bytes: Uint8Array;
  run: () => Promise<unknown>;
  release: () => Promise<void>;
  createMs: number;
  firstRunMs: number;
}

/** Compiles the forward graph (`wrt` null) or the gradient graph w.r.t. `wrt` and runs it once. */
async function openSession(m: Model, wrt: string | null, x: Tensor, c: Tensor, threads?: number): Promise<OpenSession> {
  const g = wrt === null ? null : buildGradient(m, defaultRegistry(), { of: 'logits', wrt: [wrt] });
  const t0 = performance.now();
  const bytes = saveModel(g ? g.model : m);
  const s = await createSession(bytes, threads ? { intraOpThreads: threads } : {});
  const createMs = round(performance.now() - t0);
  const feeds = g ? { input: x, [g.cotangent]: c } : { input: x };
  const fetch = g && wrt !== null ? [g.grads[wrt]] : ['logits'];
  const run = (): Promise<Record<string, Tensor>> => s.run(feeds, fetch);
  const t1 = performance.now();
  const first = (await run())[fetch[0]];
  const firstRunMs = round(performance.now() - t1);
  // A timing of a graph that computes nothing useful would be meaningless.
  const values = first.data as Float32Array;
  if (!values.every(Number.isFinite) || values.every((v) => v === 0)) {
    throw new XqcError('XQC_RUNTIME', `${fetch[0]} of ${m.graph.name} is ${values.every((v) => v === 0) ? 'all zero' : 'not finite'}`);
  }
  return { bytes, run, release: () => s.release(), createMs, firstRunMs };
}

/** Node and layout-reorder counts of the graph ONNX Runtime makes of `bytes`. */
async function runtimeGraphOf(bytes: Uint8Array): Promise<RuntimeGraph> {
  const nodes = loadModel(await optimizedModel(bytes)).graph.nodes;
  return { nodes: nodes.length, reorders: nodes.filter((n) => n.domain === 'com.microsoft.nchwc' && n.opType.startsWith('Reorder')).length };
}

/** A seeded standard-normal image tensor. */
function image(dims: number[]): Tensor {
  const data = new Float32Array(dims.reduce((a, d) => a * d, 1));
  fillNormal(data, uniformRng(42));
  return tensor('float32', dims, data);
}

function oneHot(n: number, k: number): Tensor {
  const data = new Float32Array(n);
  data[k] = 1;
  return tensor('float32', [1, n], data);
}

function printTables(r: AutodiffResult): void {
  const m = r.machine;
  console.log(`autodiff: ${m.cpuModel}, ${m.cpus} cpus, node ${m.node}, onnxruntime ${m.onnxruntime}, load ${m.loadAverage.join(' ')}`);
  console.log(`input ${r.input.join('x')}, ${CLASSES} classes, ms: median (min) of ${r.runs[0]?.forwardMs.runs ?? 0} runs\n`);
  const mm = (t: Timing): string => `${t.median.toFixed(1)} (${t.min.toFixed(1)})`;
  console.log(formatTable(
    ['model', 'forward', 'grad input', 'ratio', 'grad late', 'ratio', 'late layer'],
    r.runs.map((x) => [x.model, mm(x.forwardMs), mm(x.gradInputMs), `${x.gradInputOverForward.toFixed(2)} (${x.gradInputOverForwardMin.toFixed(2)})`,
      mm(x.gradLateMs), `${x.gradLateOverForward.toFixed(2)} (${x.gradLateOverForwardMin.toFixed(2)})`, x.lateLayer]),
  ));
  console.log('\nONNX Runtime\'s optimised graphs: nodes (NCHWc layout reorders)');
  console.log(formatTable(
    ['model', 'forward', 'grad input'],
    r.runs.map((x) => [x.model, `${x.runtimeGraph.forward.nodes} (${x.runtimeGraph.forward.reorders})`, `${x.runtimeGraph.gradInput.nodes} (${x.runtimeGraph.gradInput.reorders})`]),
  ));
  console.log('\none thread, CPU time (ms): median (min)');
  console.log(formatTable(
    ['model', 'forward', 'grad input', 'ratio', 'grad late', 'ratio'],
    r.runs.map((x) => [x.model, mm(x.oneThreadCpuMs.forward), mm(x.oneThreadCpuMs.gradInput), x.oneThreadGradInputOverForward.toFixed(2),
      mm(x.oneThreadCpuMs.gradLate), x.oneThreadGradLateOverForward.toFixed(2)]),
  ));
  console.log('');
  console.log(formatTable(
    ['model', 'wrt', 'buildGradient', 'serialise', 'total', 'backward nodes', 'MiB'],
    r.construction.map((k) => [k.model, k.wrt, k.buildGradientMs.median, k.serialiseMs.median, k.totalMs.median, k.backwardNodes, round(k.bytes / 1024 ** 2)]),
  ));
  console.log('');
  console.log(formatTable(
    ['phase', 'rss before', 'rss after', 'delta', 'max rss', 'peak raised'],
    r.memory.phases.map((p) => [p.phase, p.rssBefore, p.rssAfter, p.rssDelta, p.maxRss, p.maxRssDelta]),
  ));
  console.log(`\npeak RSS ${r.memory.peakRssMiB} MiB`);
  const t = r.targets;
  console.log(`targets: gradient <= ${t.maxGradientOverForward}x forward: ${r.verdict.gradientRatio ? 'met' : 'MISSED'}; ` +
    `resnet50 construction <= ${t.maxConstructionMs} ms: ${r.verdict.construction ? 'met' : 'MISSED'}`);
}
