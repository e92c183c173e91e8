/**
 * Constant folding used during inference: evaluates in JavaScript the nodes of shape
 * arithmetic whose inputs are all known and small, so PyTorch's
 * `Shape -> Gather -> Unsqueeze -> Concat -> Reshape` chains resolve to constant targets.
 * Shape and Size fold without a constant input when the input's shape is static.
 */
import type { Node } from '../ir.ts';
import { allocate, dtypeFromOnnxCode, sizeOf, tensor, toNumbers } from '../tensor.ts';
import type { DType, Tensor } from '../tensor.ts';
import { isStatic } from './broadcast.ts';
import { arith, cast, compare, elementsOf, gatherElements, negate, where } from './fold-math.ts';
import type { Elements } from './fold-math.ts';
import { broadcastMap, concatMap, gatherMap, sliceMap } from './index-map.ts';
import { rangeCount, shapeRange } from './ops-generate.ts';
import type { InferContext, ValueType } from './types.ts';

/** Largest tensor (elements) folding reads or writes; bigger values are left to the runtime. */
export const MAX_FOLD_ELEMENTS = 1024;

interface FoldArgs {
  ctx: InferContext;
  /** Constant inputs (undefined for an omitted optional input). */
  x: (Tensor | undefined)[];
  /** Inferred output types. */
  out: (ValueType | undefined)[];
}

type Folder = (a: FoldArgs) => Tensor | undefined;

/** Same data under the inferred (static) output shape: Reshape, Squeeze, Unsqueeze, Flatten. */
const sameData: Folder = ({ x, out }) => {
  const shape = out[0]?.shape;
  const t = x[0] as Tensor;
  return isStatic(shape) && sizeOf(shape) === t.data.length ? { dtype: t.dtype, dims: shape, data: t.data } : undefined;
};

function constantAttr(ctx: InferContext): Tensor | undefined {
  const a = ctx.attr('value') ?? ctx.attr('value_float') ?? ctx.attr('value_floats') ?? ctx.attr('value_int') ?? ctx.attr('value_ints')
    ?? ctx.attr('value_string') ?? ctx.attr('value_strings');
  switch (a?.type) {
    case 'tensor':
      return a.value;
    case 'float':
      return tensor('float32', [], [a.value]);
    case 'floats':
      return tensor('float32', [a.value.length], a.value);
    case 'int':
      return tensor('int64', [], [a.value]);
    case 'ints':
      return tensor('int64', [a.value.length], a.value);
    case 'string':
      return { dtype: 'string', dims: [], data: [a.value] };
    case 'strings':
      return { dtype: 'string', dims: [a.value.length], data: [...a.value] };
    default:
      return undefined;
  }
}

function ints(t: Tensor | undefined): number[] | undefined {
  return t ? toNumbers(t) : undefined;
}

/** Range accumulating `start + delta` in the output type, as ONNX Runtime does. */
const range: Folder = ({ x }) => {
  const [s, l, d] = x as Tensor[];
  const n = rangeCount(toNumbers(s)[0], toNumbers(l)[0], toNumbers(d)[0], s.dtype);
  if (n > MAX_FOLD_ELEMENTS) return undefined;
  const out = allocate(s.dtype, n);
  const o = out as unknown as Elements;
  let v = elementsOf(s)[0] as number | bigint;
  const step = elementsOf(d)[0] as number | bigint;
  for (let i = 0; i < n; i++) {
    o[i] = v;
    v = typeof v === 'bigint' ? v + (step as bigint) : s.dtype === 'float32' ? Math.fround(v + (step as number)) : v + (step as number);
  }
  return { dtype: s.dtype, dims: [n], data: out };
};

const FOLDERS: Record<string, Folder> = {
  Constant: ({ ctx }) => constantAttr(ctx),
  Identity: ({ x }) => x[0],
  Shape: ({ ctx }) => {
    const s = ctx.input(0)?.shape;
    if (!isStatic(s)) return undefined;
    const [start, end] = shapeRange(ctx, s.length);
    return tensor('int64', [end - start], s.slice(start, end));
  },
  Size: ({ ctx }) => {
    const s = ctx.input(0)?.shape;
    return isStatic(s) ? tensor('int64', [], [sizeOf(s)]) : undefined;
  },
  Cast: ({ ctx, x }) => cast(x[0] as Tensor, dtypeFromOnnxCode(ctx.attrInt('to', 1))),
  Reshape: sameData,
  Squeeze: sameData,
  Unsqueeze: sameData,
  Flatten: sameData,
  Expand: ({ x, out }) => {
    const shape = out[0]?.shape;
    const t = x[0] as Tensor;
    return isStatic(shape) ? gatherElements(t, t.dtype, shape, broadcastMap(t.dims, shape)) : undefined;
  },
  Gather: ({ ctx, x }) => {
    const [data, idx] = x as Tensor[];
    const g = gatherMap(data.dims, ctx.attrInt('axis', 0), toNumbers(idx), idx.dims);
    return gatherElements(data, data.dtype, g.dims, g.map);
  },
  Concat: ({ ctx, x }) => {
    const parts = x as Tensor[];
    if (parts.some((p) => p.dtype !== parts[0].dtype)) return undefined;
    const c = concatMap(parts.map((p) => p.dims), ctx.attrInt('axis', 0));
    const out = allocate(parts[0].dtype, c.map.length);
    const o = out as unknown as Elements;
    const srcs = parts.map(elementsOf);
    for (let i = 0; i < c.map.length; i++) o[i] = srcs[c.src[i]][c.map[i]];
    return { dtype: parts[0].dtype, dims: c.dims, data: out };
  },
  Slice: ({ ctx, x }) => {
    const data = x[0] as Tensor;
    const spec = ctx.opset >= 10
      ? { starts: toNumbers(x[1] as Tensor), ends: toNumbers(x[2] as Tensor), axes: ints(x[3]), steps: ints(x[4]) }
      : { starts: ctx.attrInts('starts') ?? [], ends: ctx.attrInts('ends') ?? [], axes: ctx.attrInts('axes') };
    const s = sliceMap(data.dims, spec);
    return gatherElements(data, data.dtype, s.dims, s.map);
  },
  Add: ({ x }) => arith('Add', x[0] as Tensor, x[1] as Tensor),
  Sub: ({ x }) => arith('Sub', x[0] as Tensor, x[1] as Tensor),
  Mul: ({ x }) => arith('Mul', x[0] as Tensor, x[1] as Tensor),
  Div: ({ x }) => arith('Div', x[0] as Tensor, x[1] as Tensor),
  Neg: ({ x }) => negate(x[0] as Tensor),
  Equal: ({ x }) => compare('Equal', x[0] as Tensor, x[1] as Tensor),
  Less: ({ x }) => compare('Less', x[0] as Tensor, x[1] as Tensor),
  Greater: ({ x }) => compare('Greater', x[0] as Tensor, x[1] as Tensor),
  Not: ({ x }) => {
    const t = x[0] as Tensor;
    return { dtype: 'bool', dims: [...t.dims], data: (t.data as Uint8Array).map((v) => (v ? 0 : 1)) };
  },
  Where: ({ x }) => where(x[0] as Tensor, x[1] as Tensor, x[2] as Tensor),
  Range: range,
  ConstantOfShape: ({ ctx, x }) => {
    const dims = toNumbers(x[0] as Tensor);
    if (sizeOf(dims) > MAX_FOLD_ELEMENTS) return undefined;
    const v = ctx.attr('value');
    const fill = v?.type === 'tensor' ? v.value : tensor('float32', [1], [0]);
    const dtype: DType = fill.dtype;
    const out = allocate(dtype, sizeOf(dims));
    (out as unknown as { fill(v: unknown): void }).fill(elementsOf(fill)[0]);
    return { dtype, dims, data: out };
  },
};

/** Ops folded without their inputs being constant (they read only the input's type). */
const TYPE_ONLY = new Set(['Constant', 'Shape', 'Size']);

/**
 * The constant outputs of `node`, or undefined when it cannot be folded: an input is not
 * constant, an input or the result has more than {@link MAX_FOLD_ELEMENTS} elements, or
 * the op or dtype is not evaluated here.
 * @param out the node's inferred output types (static shapes let Reshape-like ops fold)
 */
export function foldConstant(node: Node, ctx: InferContext, out: (ValueType | undefined)[]): Tensor[] | undefined {
  if (node.domain !== '' && node.domain !== 'ai.onnx') return undefined;
  const folder = FOLDERS[node.opType];
  if (!folder) return undefined;
  const x: (Tensor | undefined)[] = [];
  if (!TYPE_ONLY.has(node.opType)) {
    for (let i = 0; i < node.inputs.length; i++) {
      if (!node.inputs[i]) {
        x.push(undefined);
        continue;
      }
      const t = ctx.constant(i);
      if (!t || t.data.length > MAX_FOLD_ELEMENTS) return undefined;
      x.push(t);
    }
  }
  const result = folder({ ctx, x, out });
  if (!result || (node.opType !== 'Constant' && result.data.length > MAX_FOLD_ELEMENTS)) return undefined;
  return [result];
}
