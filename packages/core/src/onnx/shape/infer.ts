/**
 * Shape and type inference over a whole graph. Each operator's rule lives in the
 * registry of `ops.ts`; operators without a rule get their dtype from the first
 * floating input and an unknown shape, so inference never blocks a model it does not
 * fully understand. Constant values (initializers, Constant nodes and folded shape
 * arithmetic) are tracked so Reshape targets and Slice bounds resolve statically.
 */
import { XqcError } from '../../errors.ts';
import type { Attribute, Dim, Graph, Model } from '../ir.ts';
import { defaultOpset } from '../ir.ts';
import type { Tensor } from '../tensor.ts';
import { foldConstant } from './fold.ts';
import { INFER_RULES } from './ops.ts';
import type { InferContext, ValueType } from './types.ts';

/** Result of {@link inferTypes}: the type of every value and the constants it resolved. */
export interface TypeEnv {
  types: Map<string, ValueType>;
  constants: Map<string, Tensor>;
}

/** Options of {@link inferTypes}. */
export interface InferOptions {
  /** Overrides the declared shape of graph inputs, e.g. `{ input: [1, 3, 224, 224] }`. */
  inputShapes?: Record<string, Dim[]>;
}

/**
 * Infers the dtype and shape of every value of `model`'s main graph.
 * Declared value_info is used where inference cannot do better.
 */
export function inferTypes(model: Model, options: InferOptions = {}): TypeEnv {
  return inferGraphTypes(model.graph, defaultOpset(model), options);
}

/** {@link inferTypes} for a graph at a given opset. */
export function inferGraphTypes(graph: Graph, opset: number, options: InferOptions = {}): TypeEnv {
  const types = new Map<string, ValueType>();
  const constants = new Map<string, Tensor>();
  for (const [name, t] of graph.initializers) {
    types.set(name, { dtype: t.dtype, shape: [...t.dims] });
    constants.set(name, t);
  }
  for (const v of graph.inputs) {
    const shape = options.inputShapes?.[v.name] ?? v.shape;
    types.set(v.name, { dtype: v.dtype, shape: shape ? [...shape] : undefined });
    // An input that shadows an initializer can be fed another value: not a constant.
    constants.delete(v.name);
  }
  const declared = new Map<string, ValueType>();
  for (const v of [...graph.valueInfo, ...graph.outputs]) declared.set(v.name, { dtype: v.dtype, shape: v.shape });

  for (const node of graph.nodes) {
    const ctx = makeContext(node, opset, types, constants);
    const rule = node.domain === '' || node.domain === 'ai.onnx' ? INFER_RULES[node.opType] : undefined;
    let outs: (ValueType | undefined)[];
    try {
      outs = rule ? rule(ctx) : [fallbackType(ctx)];
    } catch (e) {
      if (e instanceof XqcError) throw e;
      throw new XqcError('XQC_SHAPE_INFERENCE', `shape inference failed at ${node.opType} node '${node.name}': ${(e as Error).message}`, {
        cause: e,
      });
    }
    node.outputs.forEach((o, i) => {
      if (!o) return;
      const inferred = outs[i];
      types.set(o, merge(inferred, declared.get(o)));
    });
    const folded = foldConstant(node, ctx);
    if (folded) folded.forEach((t, i) => node.outputs[i] && constants.set(node.outputs[i], t));
  }
  return { types, constants };
}

function merge(inferred: ValueType | undefined, declared: ValueType | undefined): ValueType {
  const dtype = inferred?.dtype ?? declared?.dtype;
  let shape = inferred?.shape;
  if (declared?.shape && (!shape || shape.length === declared.shape.length)) {
    shape = declared.shape.map((d, i) => (typeof shape?.[i] === 'number' ? shape[i] : d ?? shape?.[i] ?? null));
  }
  return { dtype, shape };
}

function fallbackType(ctx: InferContext): ValueType {
  for (let i = 0; i < ctx.node.inputs.length; i++) {
    const t = ctx.input(i);
    if (t?.dtype) return { dtype: t.dtype };
  }
  return {};
}

function makeContext(
  node: Graph['nodes'][number],
  opset: number,
  types: Map<string, ValueType>,
  constants: Map<string, Tensor>,
): InferContext {
  const attr = (name: string): Attribute | undefined => node.attributes[name];
  return {
    node,
    opset,
    input: (i) => (node.inputs[i] ? types.get(node.inputs[i]) : undefined),
    constant: (i) => (node.inputs[i] ? constants.get(node.inputs[i]) : undefined),
    attr,
    attrInt: (name, dflt) => {
      const a = attr(name);
      return a?.type === 'int' ? a.value : dflt;
    },
    attrInts: (name) => {
      const a = attr(name);
      return a?.type === 'ints' ? a.value : undefined;
    },
    attrFloat: (name, dflt) => {
      const a = attr(name);
      return a?.type === 'float' ? a.value : dflt;
    },
    attrString: (name, dflt) => {
      const a = attr(name);
      return a?.type === 'string' ? a.value : dflt;
    },
  };
}
