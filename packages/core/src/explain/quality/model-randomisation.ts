/**
 * Model-randomisation sanity check (Adebayo et al. 2018, cascading version): the weights
 * of the layers on the path to the target are re-drawn one layer at a time from the top
 * (output side) down, the method is re-run on each progressively randomised model with
 * the same input and seed, and Spearman's rank correlation between the original and the
 * randomised map is reported per stage (of |map| by default, as in the paper's ABS
 * variant). A map that stays similar once the weights are noise does not explain the
 * model; the check passes when the correlation at the last stage is below `threshold`.
 *
 * A layer is a node of a weighted op (Conv, ConvTranspose, Gemm, MatMul, PRelu and the
 * normalisations' scale and bias); each of its float initializers is replaced by
 * N(0, sd^2), sd the tensor's own standard deviation, so scales stay plausible. Tensors
 * with no spread (zero biases) stay as they are.
 */
import { XqcError } from '../../errors.ts';
import type { Model, Node } from '../../onnx/ir.ts';
import { cloneModel } from '../../onnx/ir.ts';
import { tensor } from '../../onnx/tensor.ts';
import type { Tensor } from '../../onnx/tensor.ts';
import { fillNormal, uniformRng } from '../../util/random.ts';
import { ModelFunction } from '../model-function.ts';
import { spearman } from '../rank-stats.ts';
import type { ExplainInput, Explainer } from '../types.ts';

/** Inputs that hold a layer's learned parameters, by op type ('any' = every initializer input). */
const PARAM_INPUTS: Readonly<Record<string, readonly number[] | 'any'>> = {
  BatchNormalization: [1, 2],
  Conv: [1, 2],
  ConvTranspose: [1, 2],
  Gemm: 'any',
  InstanceNormalization: [1, 2],
  LayerNormalization: [1, 2],
  MatMul: 'any',
  PRelu: [1],
};

/** A layer to randomise: its node and the initializers it owns. */
export interface WeightedLayer {
  node: string;
  opType: string;
  initializers: string[];
}

/** Weighted layers that `of` depends on, top (nearest the output) first. */
export function weightedLayers(model: Model, of: string): WeightedLayer[] {
  const g = model.graph;
  const needed = new Set([of]);
  const layers: WeightedLayer[] = [];
  for (let k = g.nodes.length - 1; k >= 0; k--) {
    const n: Node = g.nodes[k];
    if (!n.outputs.some((o) => needed.has(o))) continue;
    for (const i of n.inputs) if (i) needed.add(i);
    const which = PARAM_INPUTS[n.opType];
    if (!which) continue;
    const inits = n.inputs.filter((name, i) => {
      const t = name ? g.initializers.get(name) : undefined;
      return t !== undefined && (t.dtype === 'float32' || t.dtype === 'float64') && (which === 'any' || which.includes(i));
    });
    if (inits.length) layers.push({ node: n.name, opType: n.opType, initializers: inits });
  }
  return layers;
}

function redraw(t: Tensor, uniform: () => number): Tensor {
  const v = t.data as Float32Array | Float64Array;
  let mean = 0;
  for (let i = 0; i < v.length; i++) mean += v[i];
  mean /= v.length;
  let sq = 0;
  for (let i = 0; i < v.length; i++) sq += (v[i] - mean) ** 2;
  const sd = Math.sqrt(sq / v.length);
  if (!(sd > 0)) return t;
  const out = t.dtype === 'float64' ? new Float64Array(v.length) : new Float32Array(v.length);
  fillNormal(out, uniform, sd);
  return tensor(t.dtype, t.dims, out);
}

/** Options of {@link modelRandomisationCheck}. */
export interface RandomisationOptions {
  /** Parameters passed to the method on every run. */
  params: Record<string, unknown>;
  /** The check passes when the last stage's correlation is below this (default 0.5). */
  threshold: number;
  /** Compare |map| (default true) or the signed maps. */
  absolute: boolean;
  /** Randomise at most this many layers from the top (default all). */
  maxStages: number;
  /** Seed of the new weights (default 0). */
  seed: number;
}

/** One stage: layers 0..index randomised. */
export interface RandomisationStage {
  layer: string;
  opType: string;
  spearman: number;
}

/** Outcome of {@link modelRandomisationCheck}. */
export interface RandomisationResult {
  method: string;
  stages: RandomisationStage[];
  threshold: number;
  passed: boolean;
  evaluations: number;
}

/**
 * Runs the cascading randomisation check for `explainer` on `input` (see the module comment).
 * @throws XQC_EXPLAIN when the model has no weighted layer on the path to the target.
 */
export async function modelRandomisationCheck(explainer: Explainer, input: ExplainInput, options: Partial<RandomisationOptions> = {}): Promise<RandomisationResult> {
  const o: RandomisationOptions = { params: {}, threshold: 0.5, absolute: true, maxStages: Infinity, seed: 0, ...options };
  const f = input.f;
  const layers = weightedLayers(f.model, f.target.of).slice(0, o.maxStages);
  if (layers.length === 0) throw new XqcError('XQC_EXPLAIN', `the model has no weighted layer before '${f.target.of}' to randomise`);
  const view = (d: Float32Array): Float32Array => (o.absolute ? d.map(Math.abs) : d);
  const original = await explainer.explain(input, o.params);
  const reference = view(original.map.data);
  let evaluations = original.evaluations;
  const model = cloneModel(f.model);
  const stages: RandomisationStage[] = [];
  for (const [k, layer] of layers.entries()) {
    const uniform = uniformRng(o.seed * 7919 + k);
    for (const name of layer.initializers) model.graph.initializers.set(name, redraw(model.graph.initializers.get(name) as Tensor, uniform));
    const g = ModelFunction.create(cloneModel(model), f.options);
    const e = await explainer.explain({ ...input, f: g }, o.params);
    evaluations += e.evaluations;
    stages.push({ layer: layer.node, opType: layer.opType, spearman: spearman(reference, view(e.map.data)) });
  }
  const last = stages[stages.length - 1].spearman;
  return { method: explainer.name, stages, threshold: o.threshold, passed: last < o.threshold, evaluations };
}
