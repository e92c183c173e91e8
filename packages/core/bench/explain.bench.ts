/**
 * Explanation cost on a resnet18-sized classifier (zoo ResNet-18, random weights, 1000
 * classes) at 224x224: wall time of each method for one image, and two ratios, each
 * timed in rounds with the method (see timeBalanced) so that the shared VM's drifting
 * speed hits both alike:
 * - "x forward": one forward pass of the image;
 * - "x bare runs": the bare model runs the method needs, with nothing else: as many
 *   gradient runs (same session, same batching) as the method computed input gradients,
 *   layer-gradient runs for the CAM methods, and batched forward passes for the rest. For
 *   perturbation methods this is the "bare batched forward passes"; for gradient
 *   methods it is the floor the method cannot go under, so method / bare is its own
 *   overhead (interpolation, accumulation, completeness checks).
 * Then LIME and Kernel SHAP with 1000 samples on the shipped demo surface classifier.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ModelFunction } from '../src/explain/model-function.ts';
import { getExplainer } from '../src/explain/registry.ts';
import { classTarget } from '../src/explain/target.ts';
import { chooseCamLayer } from '../src/explain/layers.ts';
import { Predictor } from '../src/models/predictor.ts';
import { tensor } from '../src/onnx/tensor.ts';
import type { Tensor } from '../src/onnx/tensor.ts';
import { resnet } from '../src/train/zoo/resnet.ts';
import { fillNormal, uniformRng } from '../src/util/random.ts';
import { formatTable, machineInfo, round, summarise, timeRuns, writeResult } from './harness.ts';
import type { Timing } from './harness.ts';

const METHODS: [string, Record<string, unknown>][] = [
  ['saliency', {}], ['gradxinput', {}], ['smoothgrad', { samples: 16 }], ['ig', { steps: 32 }], ['gradshap', { samples: 16 }],
  ['gradcam', {}], ['gradcampp', {}], ['occlusion', {}], ['rise', { masks: 500 }], ['lime', { samples: 500 }], ['kernelshap', { samples: 500 }],
];
/** Forward passes per timed forward reference call (one pass is too short to time alone). */
const FORWARDS_PER_CALL = 5;

/** `n` copies of the image x [1, C, H, W]. */
function repeat(x: Tensor<'float32'>, n: number): Tensor<'float32'> {
  const per = x.data.length;
  const data = new Float32Array(n * per);
  for (let i = 0; i < n; i++) data.set(x.data, i * per);
  return tensor('float32', [n, ...x.dims.slice(1)], data) as Tensor<'float32'>;
}

/**
 * Rounds of: the forward reference, then the method and its bare runs, in alternating
 * order. The first gradient run after the forward session has run is slower, even after
 * an untimed call, so a fixed order would charge that to whichever of the two came first
 * (saliency showed 1.4x its bare runs, which run the same gradient). `warm` untimed calls
 * precede each timed one.
 */
async function timeBalanced(method: () => unknown, bare: () => unknown, forward: () => unknown, rounds: number, warm: number): Promise<Timing[]> {
  const times: number[][] = [[], [], []];
  const timed = async (k: number, fn: () => unknown): Promise<void> => {
    for (let i = 0; i < warm; i++) await fn();
    const t0 = performance.now();
    await fn();
    times[k].push(performance.now() - t0);
  };
  for (let r = 0; r < rounds; r++) {
    await timed(2, forward);
    if (r % 2 === 0) {
      await timed(0, method);
      await timed(1, bare);
    } else {
      await timed(1, bare);
      await timed(0, method);
    }
  }
  return times.map(summarise);
}

/** Runs the suite; returns the figures it printed. */
export async function benchExplain(options: { runs?: number } = {}): Promise<Record<string, unknown>> {
  const runs = options.runs ?? 3;
  const zoo = resnet({ depth: 18, numClasses: 1000, inputSize: 224, seed: 1 });
  const data = new Float32Array(3 * 224 * 224);
  fillNormal(data, uniformRng(3));
  const x = tensor('float32', [1, 3, 224, 224], data) as Tensor<'float32'>;
  const target = classTarget('logits', 1000, 7);
  const layer = chooseCamLayer(zoo.model, 'logits', zoo.lastSpatial, x.dims);
  const f = ModelFunction.create(zoo.model, { input: 'input', target, layer, maxBatch: 32 });
  const forward = await timeRuns(() => f.values(x), 10, 2);
  const rows: (string | number)[][] = [];
  const figures: Record<string, unknown>[] = [];
  for (const [name, params] of METHODS) {
    const explainer = getExplainer(name);
    // One untimed call warms the sessions and counts what the method evaluates.
    const before = { all: f.evaluations, grad: f.gradientEvaluations, layer: f.layerEvaluations };
    const t0 = performance.now();
    const { evaluations } = await explainer.explain({ x, f, seed: 0 }, params);
    // Methods under a second get more rounds (a single gradient run is too short for
    // three), each timed call preceded by an untimed one.
    const quick = performance.now() - t0 < 1000;
    const rounds = quick ? Math.max(runs, 15) : runs;
    const grads = f.gradientEvaluations - before.grad;
    const layers = f.layerEvaluations - before.layer;
    const forwards = f.evaluations - before.all - grads - layers;
    const gradBatch = grads ? repeat(x, grads) : null;
    const layerBatch = layers ? repeat(x, layers) : null;
    const forwardBatch = forwards ? repeat(x, forwards) : null;
    const bare = async (): Promise<void> => {
      if (gradBatch) await f.gradients(gradBatch);
      if (layerBatch) await f.layerGradients(layerBatch);
      if (forwardBatch) await f.values(forwardBatch);
    };
    const [t, b, fw] = await timeBalanced(
      () => explainer.explain({ x, f, seed: 0 }, params),
      bare,
      async () => {
        for (let i = 0; i < FORWARDS_PER_CALL; i++) await f.values(x);
      },
      rounds,
      quick ? 1 : 0,
    );
    const forwardMs = fw.median / FORWARDS_PER_CALL;
    const fig = {
      method: name, params, rounds, ms: t.median, evaluations, gradientRuns: grads, layerGradientRuns: layers, forwardRuns: forwards,
      forwardMsAround: round(forwardMs), bareRunsMs: b.median, overForward: round(t.median / forwardMs), overBareRuns: round(t.median / b.median),
    };
    figures.push(fig);
    rows.push([name, round(t.median), `${grads}/${layers}/${forwards}`, round(forwardMs), fig.overForward, round(b.median), fig.overBareRuns]);
  }
  console.log(`forward pass: ${round(forward.median)} ms (resnet18, 1x3x224x224, at the start)`);
  console.log(formatTable(['method', 'ms', 'grad/layer/fwd evals', 'forward ms', 'x forward', 'bare runs ms', 'x bare runs'], rows));
  const demo: Record<string, number> = {};
  const demoPath = join(import.meta.dirname, '..', '..', '..', 'models', 'surface-classifier', 'model.onnx');
  if (existsSync(demoPath)) {
    const p = await Predictor.load(demoPath);
    const img = { width: 64, height: 64, channels: 3 as const, data: Uint8Array.from({ length: 64 * 64 * 3 }, (_, i) => (i * 31) & 255) };
    const { tensor: dx } = p.prepare([img]);
    const df = ModelFunction.create(p.model, { input: p.inputName, target: classTarget(p.outputName, p.card.labels.length, 1) });
    for (const name of ['lime', 'kernelshap']) {
      demo[name] = round((await timeRuns(() => getExplainer(name).explain({ x: dx, f: df, seed: 0 }, { samples: 1000 }), 2, 1)).median);
    }
    console.log(formatTable(['demo surface classifier, 1000 samples', 'ms'], Object.entries(demo)));
  }
  const result = { machine: machineInfo(), forwardMs: forward, methods: figures, demoSurfaceClassifier1000SamplesMs: demo };
  console.log(`\nwrote ${await writeResult('explain', result)}`);
  return result;
}
