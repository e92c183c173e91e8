/**
 * Shape and type inference over a whole graph. Each operator's rule lives in the
 * registry of `ops.ts`; operators without a rule get their dtype from the first typed
 * input and an unknown shape, so inference never blocks a model it does not fully
 * understand. Constant values (initializers, Constant nodes and folded shape arithmetic,
 * `fold.ts`) and partly symbolic integer values (`values.ts`) are tracked so Reshape
 * targets, Slice bounds and Resize sizes resolve, statically or with symbolic dims.
 */
import { XqcError } from '../../errors.ts';
import type { Attribute, Dim, Graph, Model } from '../ir.ts';
import { defaultOpset } from '../ir.ts';
import type { Tensor } from '../tensor.ts';
import { foldConstant } from './fold.ts';
import { INFER_RULES } from './ops.ts';
import type { InferContext, ValueType } from './types.ts';
import { propagateValues, valuesOfConstant } from './values.ts';

/** Result of {@link inferTypes}: the type of every value and the constants it resolved. */
export interface TypeEnv {
  types: Map<string, ValueType>;
  /** Values known exactly: initializers (not overridable by an input), Constant nodes, folded nodes. */
  constants: Map<string, Tensor>;
  /** Small integer values known only in part (elements may be symbols or null), e.g. `Shape` of `[N, 3]`. */
  values: Map<string, Dim[]>;
}

/** Options of {@link inferTypes}. */
export interface InferOptions {
  /** Overrides the declared shape of graph inputs, e.g. `{ input: [1, 3, 224, 224] }`. */
  inputShapes?: Record<string, Dim[]>;
}

/**
 * Infers the dtype and shape of every value of `model`'s main graph. Declared value_info
 * fills in what inference leaves unknown. The model is not modified.
 * @throws XQC_SHAPE_INFERENCE naming the node when a rule meets an inconsistent graph
 */
export function inferTypes(model: Model, options: InferOptions = {}): TypeEnv {
  return inferGraphTypes(model.graph, defaultOpset(model), options);
}

/** {@link inferTypes} for a graph at a given opset. */
export function inferGraphTypes(graph: Graph, opset: number, options: InferOptions = {}): TypeEnv {
  const env: TypeEnv = { types: new Map(), constants: new Map(), values: new Map() };
  for (const [name, t] of graph.initializers) {
    env.types.set(name, { dtype: t.dtype, shape: [...t.dims] });
    env.constants.set(name, t);
  }
  for (const v of graph.inputs) {
    const shape = options.inputShapes?.[v.name] ?? v.shape;
    env.types.set(v.name, { dtype: v.dtype ?? env.types.get(v.name)?.dtype, shape: shape ? [...shape] : undefined });
    // An input that shadows an initializer can be fed another value: not a constant.
    env.constants.delete(v.name);
  }
  const declared = new Map<string, ValueType>();
  for (const v of [...graph.valueInfo, ...graph.outputs]) {
    const prev = declared.get(v.name);
    declared.set(v.name, { dtype: v.dtype ?? prev?.dtype, shape: v.shape ?? prev?.shape });
  }
  const symbols = new Symbols(graph);

  for (const node of graph.nodes) {
    const ctx = makeContext(node, opset, env, symbols);
    const rule = node.domain === '' || node.domain === 'ai.onnx' ? INFER_RULES[node.opType] : undefined;
    let outs: (ValueType | undefined)[];
    let folded: Tensor[] | undefined;
    try {
      outs = rule ? rule(ctx) : [fallbackType(ctx)];
      folded = foldConstant(node, ctx, outs);
      node.outputs.forEach((o, i) => {
        if (!o) return;
        const t = folded?.[i];
        env.types.set(o, t ? { dtype: t.dtype, shape: [...t.dims] } : merge(outs[i], declared.get(o)));
      });
      if (folded) {
        folded.forEach((t, i) => node.outputs[i] && env.constants.set(node.outputs[i], t));
      } else {
        const vals = propagateValues(node, ctx, node.outputs.map((o) => env.types.get(o)));
        if (vals && node.outputs[0]) env.values.set(node.outputs[0], vals);
      }
    } catch (e) {
      throw new XqcError('XQC_SHAPE_INFERENCE', `shape inference failed at ${node.opType} node '${node.name}': ${(e as Error).message}`, {
        cause: e,
      });
    }
  }
  return env;
}

/** Hands out symbol names no graph input or annotation uses. */
class Symbols {
  private readonly taken = new Set<string>();
  private next = 0;

  constructor(graph: Graph) {
    for (const v of [...graph.inputs, ...graph.outputs, ...graph.valueInfo]) for (const d of v.shape ?? []) if (typeof d === 'string') this.taken.add(d);
  }

  fresh(hint: string): string {
    let name: string;
    do name = `${hint}_${this.next++}`;
    while (this.taken.has(name));
    this.taken.add(name);
    return name;
  }
}

/** Inferred and declared types combined: an inferred number wins, then a declared dim, then an inferred symbol. */
function merge(inferred: ValueType | undefined, declared: ValueType | undefined): ValueType {
  const dtype = inferred?.dtype ?? declared?.dtype;
  let shape = inferred?.shape;
  if (declared?.shape && (!shape || shape.length === declared.shape.length)) {
    shape = declared.shape.map((d, i) => (typeof shape?.[i] === 'number' ? shape[i] : (d ?? shape?.[i] ?? null)));
  }
  return { dtype, shape: shape ? [...shape] : undefined };
}

function fallbackType(ctx: InferContext): ValueType {
  for (let i = 0; i < ctx.node.inputs.length; i++) {
    const t = ctx.input(i);
    if (t?.dtype) return { dtype: t.dtype };
  }
  return {};
}

function makeContext(node: Graph['nodes'][number], opset: number, env: TypeEnv, symbols: Symbols): InferContext {
  const attr = (name: string): Attribute | undefined => node.attributes[name];
  const constant = (i: number): Tensor | undefined => (node.inputs[i] ? env.constants.get(node.inputs[i]) : undefined);
  return {
    node,
    opset,
    input: (i) => (node.inputs[i] ? env.types.get(node.inputs[i]) : undefined),
    constant,
    value: (i) => {
      if (!node.inputs[i]) return undefined;
      const t = constant(i);
      return t ? valuesOfConstant(t) : env.values.get(node.inputs[i]);
    },
    symbol: (hint) => symbols.fresh(hint),
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
