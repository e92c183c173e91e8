/**
 * A typed builder that appends nodes and constants to a graph. It knows the model's
 * opset, so helpers such as {@link GraphBuilder.reduceSum} emit the form valid for that
 * version (axes as attribute before opset 13/18, as an input after). All generated names
 * are unique within the graph.
 */
import { XqcError } from '../errors.ts';
import type { Attribute, Graph, Node } from './ir.ts';
import { onnxDTypeCode, tensor } from './tensor.ts';
import type { DType, Tensor } from './tensor.ts';

/** Attribute shorthand: integers, integer lists, strings; floats via {@link float}/{@link floats}. */
export type AttrInput = number | number[] | string | string[] | Attribute;

/** A float attribute (plain numbers are ints). */
export function float(value: number): Attribute {
  return { type: 'float', value };
}

/** A float-list attribute. */
export function floats(value: number[]): Attribute {
  return { type: 'floats', value };
}

/** A tensor attribute. */
export function tensorAttr(value: Tensor): Attribute {
  return { type: 'tensor', value };
}

function toAttribute(name: string, v: AttrInput): Attribute {
  if (typeof v === 'number') {
    if (!Number.isInteger(v)) throw new XqcError('XQC_INVALID_ARGUMENT', `attribute ${name}=${v} is not an integer; wrap floats with float()`);
    return { type: 'int', value: v };
  }
  if (typeof v === 'string') return { type: 'string', value: v };
  if (Array.isArray(v)) {
    if (v.length > 0 && typeof v[0] === 'string') return { type: 'strings', value: v as string[] };
    for (const x of v as number[]) {
      if (!Number.isInteger(x)) throw new XqcError('XQC_INVALID_ARGUMENT', `attribute ${name} has a non-integer; wrap with floats()`);
    }
    return { type: 'ints', value: v as number[] };
  }
  return v;
}

/** Options of {@link GraphBuilder.op}. */
export interface OpOptions {
  /** Number of outputs (default 1). */
  outputs?: number;
  /** Explicit output names (overrides `outputs`). */
  outputNames?: string[];
  /** Node name hint. */
  name?: string;
  domain?: string;
}

/** Appends nodes to `graph`; see the module comment. */
export class GraphBuilder {
  private readonly used = new Set<string>();
  private counter = 0;
  private readonly constCache = new Map<string, string>();

  /**
   * @param graph graph to extend (mutated)
   * @param opset default-domain opset version of the model
   * @param prefix prefix of generated names, to keep them apart from the model's own
   */
  constructor(readonly graph: Graph, readonly opset: number, readonly prefix = 'xqc') {
    for (const v of graph.inputs) this.used.add(v.name);
    for (const k of graph.initializers.keys()) this.used.add(k);
    for (const n of graph.nodes) {
      if (n.name) this.used.add(n.name);
      for (const o of n.outputs) this.used.add(o);
    }
  }

  /** A fresh name starting with the prefix and `hint`. */
  fresh(hint: string): string {
    const base = `${this.prefix}/${hint}`;
    let name = base;
    while (this.used.has(name)) name = `${base}_${++this.counter}`;
    this.used.add(name);
    return name;
  }

  /** Marks an externally chosen name as taken; throws when it already exists. */
  reserve(name: string): string {
    if (this.used.has(name)) throw new XqcError('XQC_GRAPH_INVALID', `value name '${name}' already exists in the graph`);
    this.used.add(name);
    return name;
  }

  /** Appends a node; returns its output names. */
  op(opType: string, inputs: string[], attrs: Record<string, AttrInput | undefined> = {}, options: OpOptions = {}): string[] {
    const outputs = options.outputNames ?? Array.from({ length: options.outputs ?? 1 }, () => this.fresh(`${opType}_out`));
    const attributes: Record<string, Attribute> = {};
    for (const [k, v] of Object.entries(attrs)) if (v !== undefined) attributes[k] = toAttribute(k, v);
    const node: Node = {
      name: this.fresh(options.name ?? opType),
      opType,
      domain: options.domain ?? '',
      inputs,
      outputs,
      attributes,
    };
    this.graph.nodes.push(node);
    return outputs;
  }

  /** Appends a single-output node; returns the output name. */
  op1(opType: string, inputs: string[], attrs: Record<string, AttrInput | undefined> = {}, name?: string): string {
    return this.op(opType, inputs, attrs, { name })[0];
  }

  /** Adds `t` as an initializer and returns its name (identical small constants are shared). */
  constant(t: Tensor, hint = 'const'): string {
    const small = t.data.length <= 16 && t.dtype !== 'string';
    const key = small ? `${t.dtype}|${t.dims.join(',')}|${Array.from(t.data as ArrayLike<number | bigint>, String).join(',')}` : '';
    if (small) {
      const hit = this.constCache.get(key);
      if (hit) return hit;
    }
    const name = this.fresh(hint);
    this.graph.initializers.set(name, t);
    if (small) this.constCache.set(key, name);
    return name;
  }

  /** An int64 constant (1-D unless `dims` given; `dims=[]` for a scalar). */
  int64s(values: readonly number[], dims: number[] = [values.length]): string {
    return this.constant(tensor('int64', dims, values), 'i64');
  }

  /** A floating constant of `dtype` (scalar unless `dims` given). */
  scalar(value: number, dtype: DType, dims: number[] = []): string {
    const n = dims.reduce((a, b) => a * b, 1);
    return this.constant(tensor(dtype, dims, new Array<number>(n).fill(value)), 'scalar');
  }

  // ---- opset-aware helpers ------------------------------------------------

  /** ReduceSum over `axes` (empty = all axes unless `noopWithEmptyAxes`). Axes are an input since opset 13. */
  reduceSum(x: string, axes: number[] | string, keepdims: boolean, noopWithEmptyAxes = false): string {
    const axesIn = typeof axes === 'string' ? axes : axes.length ? this.int64s(axes) : '';
    const inputs = axesIn ? [x, axesIn] : [x];
    return this.op1('ReduceSum', inputs, { keepdims: keepdims ? 1 : 0, noop_with_empty_axes: noopWithEmptyAxes ? 1 : undefined });
  }

  /** ReduceMean/ReduceMax/ReduceMin/ReduceProd/ReduceSumSquare/ReduceL2 etc.: axes attribute before opset 18, input after. */
  reduce(op: string, x: string, axes: number[], keepdims: boolean): string {
    if (op === 'ReduceSum') return this.reduceSum(x, axes, keepdims);
    if (this.opset >= 18) {
      return this.op1(op, axes.length ? [x, this.int64s(axes)] : [x], { keepdims: keepdims ? 1 : 0 });
    }
    return this.op1(op, [x], { axes: axes.length ? axes : undefined, keepdims: keepdims ? 1 : 0 });
  }

  /** Unsqueeze `axes` (input since opset 13). */
  unsqueeze(x: string, axes: number[]): string {
    return this.op1('Unsqueeze', [x, this.int64s(axes)]);
  }

  /** Squeeze `axes` (input since opset 13). */
  squeeze(x: string, axes: number[]): string {
    return this.op1('Squeeze', [x, this.int64s(axes)]);
  }

  /** Reshape to a static shape (0 copies, -1 infers, as ONNX Reshape). */
  reshape(x: string, shape: number[] | string): string {
    return this.op1('Reshape', [x, typeof shape === 'string' ? shape : this.int64s(shape)]);
  }

  /** Transpose with `perm`. */
  transpose(x: string, perm: number[]): string {
    return this.op1('Transpose', [x], { perm });
  }

  /** `Shape(x)`. */
  shape(x: string): string {
    return this.op1('Shape', [x]);
  }

  /** Elementwise binary op. */
  add(a: string, b: string): string {
    return this.op1('Add', [a, b]);
  }

  sub(a: string, b: string): string {
    return this.op1('Sub', [a, b]);
  }

  mul(a: string, b: string): string {
    return this.op1('Mul', [a, b]);
  }

  div(a: string, b: string): string {
    return this.op1('Div', [a, b]);
  }

  neg(a: string): string {
    return this.op1('Neg', [a]);
  }

  /** Sum of several tensors (one node; a single term is returned as is). */
  sum(terms: string[]): string {
    if (terms.length === 0) throw new XqcError('XQC_INVALID_ARGUMENT', 'sum of no terms');
    if (terms.length === 1) return terms[0];
    return this.op1('Sum', terms);
  }

  /** Zeros with the shape of `like` and dtype `dtype`. */
  zerosLike(like: string, dtype: DType): string {
    return this.op1('ConstantOfShape', [this.shape(like)], { value: tensorAttr(tensor(dtype, [1], [0])) });
  }

  /** Cast to `dtype`. */
  cast(x: string, dtype: DType): string {
    return this.op1('Cast', [x], { to: onnxDTypeCode(dtype) });
  }
}
