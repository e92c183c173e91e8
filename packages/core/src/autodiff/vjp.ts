/**
 * Reverse-mode graph construction. Given a model, an output `of` and values `wrt`, it
 * returns a new model that computes everything the original did plus, for each `wrt`,
 * the vector-Jacobian product `d<c, of>/d wrt`, where the cotangent `c` is a new graph
 * input shaped like `of`. One gradient graph therefore serves every target class (c is a
 * one-hot or any weighting) and every batch size.
 *
 * Data flow: infer types -> mark values reachable forward from `wrt` and backward from
 * `of` -> visit the nodes between them in reverse topological order, asking each op's
 * rule for its input cotangents -> sum cotangents that meet at one value -> expose one
 * output per `wrt`. An `of` that no `wrt` value reaches along a differentiable path (only
 * through Shape, ArgMax, comparisons, integer values, or not at all) is refused with
 * XQC_AUTODIFF_NOT_DIFFERENTIABLE: its gradient would be zero everywhere, which is almost
 * always a wrong `of` or `wrt` rather than an answer.
 */
import { XqcError } from '../errors.ts';
import { GraphBuilder } from '../onnx/builder.ts';
import type { Graph, Model, Node, ValueInfo } from '../onnx/ir.ts';
import { cloneModel, defaultOpset } from '../onnx/ir.ts';
import { foldBatchNorm } from '../onnx/passes/fold-batchnorm.ts';
import { removeUnused } from '../onnx/passes/remove-unused.ts';
import { inferTypes } from '../onnx/shape/infer.ts';
import type { TypeEnv } from '../onnx/shape/infer.ts';
import { FLOAT_DTYPES, tensor } from '../onnx/tensor.ts';
import type { DType } from '../onnx/tensor.ts';
import { subgraphReads } from './outer-reads.ts';
import { NON_DIFFERENTIABLE } from './registry.ts';
import type { GradRegistry } from './registry.ts';
import type { GradContext } from './types.ts';
import { unbroadcastTo } from './unbroadcast.ts';

/** Options of {@link buildGradient}. */
export interface GradientOptions {
  /** The value to differentiate (a graph output or any intermediate value). */
  of: string;
  /** Values to differentiate with respect to: graph inputs, intermediate values or initializers. */
  wrt: string[];
  /** Name of the cotangent input (default `<of>_cotangent`). */
  cotangentName?: string;
  /** Name of the gradient output for a `wrt` value (default `<wrt>_grad`). */
  gradName?: (wrt: string) => string;
  /** Keep the model's original outputs (default true); false exposes only the gradients. */
  keepOutputs?: boolean;
  /** Extra values to expose as outputs (e.g. the `of` value when it is intermediate). */
  exposeValues?: string[];
  /** Precomputed types, to avoid inferring twice (ignored when a BatchNormalization is folded). */
  types?: TypeEnv;
  /**
   * Fold inference-mode BatchNormalization into the Conv before it (default true; see
   * `foldBatchNorm`). Pairs whose values or parameters are named by `of`, `wrt` or
   * `exposeValues` are left alone, so every value a caller names keeps its meaning; the
   * Conv's pre-normalisation output disappears from the gradient graph.
   */
  foldBatchNorm?: boolean;
  /** Prefix of the names the backward pass adds (default `grad`); subgraph gradients pass their own. */
  namePrefix?: string;
}

/** The gradient model and the names a caller needs to run it. */
export interface GradientModel {
  model: Model;
  /** Input to feed the cotangent `c` (same shape and dtype as `of`). */
  cotangent: string;
  /** Output name of each `wrt` gradient. */
  grads: Record<string, string>;
  /** Number of nodes added for the backward pass. */
  backwardNodes: number;
}

/**
 * Builds the vector-Jacobian-product graph of `model`. The input model is not modified.
 * @throws XQC_VALUE_NOT_FOUND, XQC_AUTODIFF_NO_RULE, XQC_AUTODIFF_UNSUPPORTED, XQC_INVALID_ARGUMENT,
 *   XQC_AUTODIFF_NOT_DIFFERENTIABLE (no `wrt` value reaches `of` differentiably)
 */
export function buildGradient(model: Model, registry: GradRegistry, options: GradientOptions): GradientModel {
  // foldBatchNorm returns a copy whether or not it folds anything.
  const fold = options.foldBatchNorm === false ? null : foldOnGradientPath(model, options);
  const m = fold ? fold.model : cloneModel(model);
  const g = m.graph;
  const opset = defaultOpset(m);
  const env = (fold?.folded.length ? undefined : options.types) ?? inferTypes(m);
  const b = new GraphBuilder(g, opset, options.namePrefix ?? 'grad');

  const producer = new Map<string, Node>();
  for (const n of g.nodes) for (const o of n.outputs) if (o) producer.set(o, n);
  const exists = (v: string): boolean => producer.has(v) || g.initializers.has(v) || g.inputs.some((i) => i.name === v);
  const dtypeOf = (v: string): DType | undefined => env.types.get(v)?.dtype;

  if (!exists(options.of)) throw new XqcError('XQC_VALUE_NOT_FOUND', `output '${options.of}' does not exist in the graph`);
  const ofType = dtypeOf(options.of);
  if (!ofType || !FLOAT_DTYPES.has(ofType)) {
    throw new XqcError('XQC_INVALID_ARGUMENT', `'${options.of}' is not a floating value (dtype ${ofType ?? 'unknown'})`);
  }
  if (options.wrt.length === 0) throw new XqcError('XQC_INVALID_ARGUMENT', 'wrt names no value');
  for (const w of options.wrt) {
    if (!exists(w)) throw new XqcError('XQC_VALUE_NOT_FOUND', `wrt value '${w}' does not exist in the graph`);
    const dt = dtypeOf(w);
    if (!dt || !FLOAT_DTYPES.has(dt)) throw new XqcError('XQC_INVALID_ARGUMENT', `wrt value '${w}' is not floating (dtype ${dt ?? 'unknown'})`);
  }

  const forward = differentiableFrom(g, options.wrt, (v) => FLOAT_DTYPES.has(dtypeOf(v) ?? 'int64'));
  if (!forward.has(options.of)) {
    throw new XqcError(
      'XQC_AUTODIFF_NOT_DIFFERENTIABLE',
      `'${options.of}' does not depend differentiably on ${options.wrt.map((w) => `'${w}'`).join(', ')}: no path from them reaches it, ` +
        'or every path passes through integer values or ops without a gradient (Shape, ArgMax, comparisons, ...), so its gradient is zero everywhere',
      { details: { of: options.of, wrt: options.wrt } },
    );
  }
  // Values that `of` depends on.
  const backward = new Set([options.of]);
  for (let k = g.nodes.length - 1; k >= 0; k--) {
    const n = g.nodes[k];
    if (n.outputs.some((o) => backward.has(o))) for (const i of [...n.inputs, ...subgraphReads(n)]) if (i) backward.add(i);
  }

  const cotangent = b.reserve(options.cotangentName ?? `${options.of}_cotangent`);
  const ofShape = env.types.get(options.of)?.shape;
  g.inputs.push({ name: cotangent, dtype: ofType, shape: ofShape ? [...ofShape] : undefined });

  const grads = new Map<string, string[]>();
  grads.set(options.of, [cotangent]);
  const total = (v: string): string | null => {
    const list = grads.get(v);
    if (!list || list.length === 0) return null;
    const s = b.sum(list);
    grads.set(v, [s]);
    return s;
  };
  const nodesBefore = g.nodes.length;
  const forwardNodes = g.nodes.slice();

  for (let k = forwardNodes.length - 1; k >= 0; k--) {
    const node = forwardNodes[k];
    if (!node.outputs.some((o) => backward.has(o) && forward.has(o))) continue;
    if (NON_DIFFERENTIABLE.has(node.opType)) continue;
    const dy = node.outputs.map((o) => (o && forward.has(o) ? total(o) : null));
    if (dy.every((d) => d === null)) continue;
    const needs = node.inputs.map((i) => i !== '' && forward.has(i));
    // A body reading a wrt-dependent value from outside still needs its rule: only the
    // rule can carry (or refuse) that gradient.
    if (!needs.some(Boolean) && !subgraphReads(node).some((v) => forward.has(v))) continue;
    const rule = registry.get(node);
    const ctx = makeContext(node, b, opset, env, dy, needs, producer, registry, forward);
    const inGrads = rule.grad(ctx);
    node.inputs.forEach((inp, i) => {
      const gi = inGrads[i];
      if (!gi || !needs[i]) return;
      const list = grads.get(inp) ?? [];
      list.push(gi);
      grads.set(inp, list);
    });
  }

  const outNames: Record<string, string> = {};
  const gradOutputs: ValueInfo[] = [];
  for (const w of options.wrt) {
    const name = b.reserve(options.gradName ? options.gradName(w) : `${w}_grad`);
    const gsum = total(w);
    const dt = dtypeOf(w) as DType;
    if (gsum) b.op('Identity', [gsum], {}, { outputNames: [name] });
    else b.op('ConstantOfShape', [b.shape(w)], { value: { type: 'tensor', value: tensor(dt, [1], [0]) } }, { outputNames: [name] });
    outNames[w] = name;
    const shape = env.types.get(w)?.shape;
    gradOutputs.push({ name, dtype: dt, shape: shape ? [...shape] : undefined });
  }
  const exposed: ValueInfo[] = (options.exposeValues ?? [])
    .filter((v) => !g.outputs.some((o) => o.name === v))
    .map((v) => ({ name: v, dtype: dtypeOf(v), shape: env.types.get(v)?.shape }));
  g.outputs = [...(options.keepOutputs === false ? [] : g.outputs), ...exposed, ...gradOutputs];
  // Rules may build terms that no requested gradient reads (e.g. BatchNormalization's
  // normalised input when only dX is needed); ONNX Runtime would still run them.
  const swept = removeUnused(m);
  return { model: swept, cotangent, grads: outNames, backwardNodes: swept.graph.nodes.length - nodesBefore };
}

/**
 * The values of `g` that depend on a `wrt` value along a differentiable path: outputs of
 * nodes (other than NON_DIFFERENTIABLE ones) that read such a value, directly or inside
 * their subgraphs, and that `isFloat` accepts. Nodes must be in topological order.
 */
export function differentiableFrom(g: Graph, wrt: readonly string[], isFloat: (value: string) => boolean): Set<string> {
  const forward = new Set(wrt);
  for (const n of g.nodes) {
    if (NON_DIFFERENTIABLE.has(n.opType)) continue;
    if (n.inputs.some((i) => forward.has(i)) || subgraphReads(n).some((i) => forward.has(i))) {
      for (const o of n.outputs) if (o && isFloat(o)) forward.add(o);
    }
  }
  return forward;
}

/** Folds the Conv + BatchNormalization pairs whose BN input depends on a `wrt` value. */
function foldOnGradientPath(model: Model, options: GradientOptions): ReturnType<typeof foldBatchNorm> {
  const reached = new Set(options.wrt);
  for (const n of model.graph.nodes) if (n.inputs.some((i) => reached.has(i))) for (const o of n.outputs) if (o) reached.add(o);
  return foldBatchNorm(model, [options.of, ...options.wrt, ...(options.exposeValues ?? [])], (bn) => reached.has(bn.inputs[0]));
}

function makeContext(
  node: Node,
  b: GraphBuilder,
  opset: number,
  env: TypeEnv,
  dy: (string | null)[],
  needs: boolean[],
  producers: ReadonlyMap<string, Node>,
  registry: GradRegistry,
  forward: ReadonlySet<string>,
): GradContext {
  const where = `${node.opType} node '${node.name || '<unnamed>'}'`;
  const ctx: GradContext = {
    node,
    b,
    opset,
    dy,
    needs,
    registry,
    dependsOnWrt: (n) => forward.has(n),
    type: (n) => env.types.get(n),
    dtype: (n) => {
      const d = env.types.get(n)?.dtype;
      if (!d) throw new XqcError('XQC_SHAPE_INFERENCE', `dtype of '${n}' is unknown at ${where}`);
      return d;
    },
    shape: (n) => env.types.get(n)?.shape,
    rank: (n) => env.types.get(n)?.shape?.length,
    constant: (n) => env.constants.get(n),
    producer: (n) => producers.get(n),
    attr: (name) => node.attributes[name],
    attrInt: (name, dflt) => {
      const a = node.attributes[name];
      return a?.type === 'int' ? a.value : dflt;
    },
    attrInts: (name) => {
      const a = node.attributes[name];
      return a?.type === 'ints' ? a.value : undefined;
    },
    attrFloat: (name, dflt) => {
      const a = node.attributes[name];
      return a?.type === 'float' ? a.value : dflt;
    },
    attrString: (name, dflt) => {
      const a = node.attributes[name];
      return a?.type === 'string' ? a.value : dflt;
    },
    unbroadcast: (grad, like) => {
      // The cotangent of a broadcasting op has the op's output shape.
      const outShape = env.types.get(node.outputs[0])?.shape;
      return unbroadcastTo(b, grad, outShape, like, env.types.get(like)?.shape);
    },
    scalarLike: (value, like) => b.scalar(value, ctx.dtype(like)),
    fail: (message) => {
      throw new XqcError('XQC_AUTODIFF_UNSUPPORTED', `${where}: ${message}`, { details: { opType: node.opType, node: node.name } });
    },
  };
  return ctx;
}
