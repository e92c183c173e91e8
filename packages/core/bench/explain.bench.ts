/**
 * Explanation cost on a resnet18-sized classifier (zoo ResNet-18, random weights, 1000
 * classes) at 224x224: wall time of each method for one image, its ratio to one forward
 * pass (timed right before and after the method, so drifting machine speed cancels), and, for perturbation methods, its ratio to the bare batched forward passes it
 * needs (the same number of images through the same session, so the difference is the
 * cost of masking, superpixels and regression). Then LIME and Kernel SHAP with 1000
 * samples on the shipped demo surface classifier.
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
import { formatTable, machineInfo, round, timeRuns, writeResult } from './harness.ts';

const METHODS: [string, Record<string, unknown>][] = [
  ['saliency', {}], ['gradxinput', {}], ['smoothgrad', { samples: 16 }], ['ig', { steps: 32 }], ['gradshap', { samples: 16 }],
  ['gradcam', {}], ['gradcampp', {}], ['occlusion', {}], ['rise', { masks: 500 }], ['lime', { samples: 500 }], ['kernelshap', { samples: 500 }],
];
const PERTURBATION = new Set(['occlusion', 'rise', 'lime', 'kernelshap']);

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
    let evaluations = 0;
    // The machine's speed drifts (shared VM): each method is divided by forward passes
    // timed right before and right after it, not by one measurement at the start.
    const before = (await timeRuns(() => f.values(x), 5, 1)).median;
    const t = await timeRuns(async () => {
      const e = await explainer.explain({ x, f, seed: 0 }, params);
      evaluations = e.evaluations;
    }, runs, 1);
    const after = (await timeRuns(() => f.values(x), 5, 1)).median;
    const localForward = (before + after) / 2;
    let bare: number | undefined;
    if (PERTURBATION.has(name)) {
      // The same number of images as one batched forward workload through the same session.
      const batch = tensor('float32', [evaluations, 3, 224, 224], new Float32Array(evaluations * 3 * 224 * 224).fill(0.1)) as Tensor<'float32'>;
      bare = (await timeRuns(() => f.values(batch), 1, 0)).median;
    }
    const fig = { method: name, params, ms: t.median, evaluations, forwardMsAround: round(localForward), overForward: round(t.median / localForward), overBareForwards: bare ? round(t.median / bare) : undefined };
    figures.push(fig);
    rows.push([name, round(t.median), evaluations, round(localForward), fig.overForward, fig.overBareForwards ?? '-']);
  }
  console.log(`forward pass: ${round(forward.median)} ms (resnet18, 1x3x224x224)`);
  console.log(formatTable(['method', 'ms', 'evaluations', 'forward ms around', 'x forward', 'x bare forwards'], rows));
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
