/**
 * Symbolic value tracking for small integer tensors (ONNX's "data propagation"): when a
 * shape holds a symbol such as the batch size `N`, `Shape(x)` is `[N, 3, 32, 32]`, and
 * Gather, Concat, Slice, Cast, integer arithmetic, Equal and Where carry those elements
 * on, so a Reshape or Expand target built from them keeps the symbol instead of
 * becoming unknown. Fully numeric results are the constant folder's business.
 */
import type { Dim, Node } from '../ir.ts';
import { toNumbers } from '../tensor.ts';
import type { DType, Tensor } from '../tensor.ts';
import { broadcastShapes, isStatic } from './broadcast.ts';
import { addDim, allNumbers, mulDim, productOfDims, quotientOfDims, subDim } from './dims.ts';
import { MAX_FOLD_ELEMENTS } from './fold.ts';
import { broadcastMap, concatMap, gatherMap, sliceMap } from './index-map.ts';
import { shapeRange } from './ops-generate.ts';
import type { InferContext, ValueType } from './types.ts';

const TRACKED: ReadonlySet<DType> = new Set<DType>(['int8', 'int16', 'int32', 'int64', 'uint8', 'uint16', 'uint32', 'uint64', 'bool']);

/** The elements of a constant as dims, when it is a small integer or boolean tensor. */
export function valuesOfConstant(t: Tensor): Dim[] | undefined {
  return TRACKED.has(t.dtype) && t.data.length <= MAX_FOLD_ELEMENTS ? toNumbers(t) : undefined;
}

interface Args {
  ctx: InferContext;
  /** Values of the inputs (undefined where not tracked). */
  v: (Dim[] | undefined)[];
  /** Static dims of input `i`, when known. */
  dims(i: number): number[] | undefined;
  out: (ValueType | undefined)[];
}

type Propagator = (a: Args) => Dim[] | undefined;

function mapped(src: Dim[], map: Int32Array): Dim[] {
  return Array.from(map, (k) => src[k]);
}

/** Integer arithmetic on dims; division truncates toward zero and stays symbolic only when exact. */
function intArith(op: string, a: Dim, b: Dim): Dim {
  if (op === 'Add') return addDim(a, b);
  if (op === 'Sub') return subDim(a, b);
  if (op === 'Mul') return mulDim(a, b);
  if (typeof a === 'number' && typeof b === 'number') return b === 0 ? null : Math.trunc(a / b);
  return b === 0 ? null : quotientOfDims([a], [b]);
}

/** Equality of dims: a symbol (a size, so >= 0) never equals a negative number. */
function dimEqual(a: Dim, b: Dim): Dim {
  if (typeof a === 'number' && typeof b === 'number') return Number(a === b);
  if (a !== null && a === b) return 1;
  if ((typeof a === 'number' && a < 0 && typeof b === 'string') || (typeof b === 'number' && b < 0 && typeof a === 'string')) return 0;
  return null;
}

function elementwise(n: number, f: (k: number[]) => Dim): Propagator {
  return ({ v, dims, out }) => {
    const ds = Array.from({ length: n }, (_, i) => dims(i));
    if (v.slice(0, n).some((x) => !x) || ds.some((d) => !d)) return undefined;
    const shape = broadcastShapes(ds);
    if (!isStatic(shape) || !out[0]?.dtype || !TRACKED.has(out[0].dtype)) return undefined;
    const maps = ds.map((d) => broadcastMap(d as number[], shape));
    return Array.from(maps[0], (_, i) => f(maps.map((m) => m[i])));
  };
}

const binary = (op: string): Propagator => (a) => elementwise(2, ([i, j]) => intArith(op, a.v[0]![i], a.v[1]![j]))(a);
const passThrough: Propagator = ({ v }) => v[0];

const PROPAGATORS: Record<string, Propagator> = {
  Shape: ({ ctx }) => {
    const s = ctx.input(0)?.shape;
    if (!s) return undefined;
    const [start, end] = shapeRange(ctx, s.length);
    return s.slice(start, end);
  },
  Size: ({ ctx }) => {
    const s = ctx.input(0)?.shape;
    return s ? [productOfDims(s)] : undefined;
  },
  Identity: passThrough,
  Reshape: passThrough,
  Squeeze: passThrough,
  Unsqueeze: passThrough,
  Flatten: passThrough,
  Cast: ({ v, out }) => {
    const to = out[0]?.dtype;
    if (!v[0] || !to) return undefined;
    if (to === 'bool') return v[0].map((d) => (typeof d === 'number' ? Number(d !== 0) : null));
    return v[0].map((d) => (typeof d === 'number' ? Math.trunc(d) : d));
  },
  Gather: ({ ctx, v, dims }) => {
    const d = dims(0);
    const idx = v[1];
    const idxDims = dims(1);
    if (!v[0] || !d || !idx || !allNumbers(idx) || !idxDims) return undefined;
    return mapped(v[0], gatherMap(d, ctx.attrInt('axis', 0), idx, idxDims).map);
  },
  /** Concat: pieces whose values are not tracked (but whose size is known) contribute unknown elements. */
  Concat: ({ ctx, v, dims }) => {
    const ds = v.map((_, i) => dims(i));
    if (ds.some((d) => !d)) return undefined;
    const c = concatMap(ds as number[][], ctx.attrInt('axis', 0));
    return Array.from(c.map, (k, i) => v[c.src[i]]?.[k] ?? null);
  },
  Slice: ({ v, dims }) => {
    const d = dims(0);
    const [starts, ends, axes, steps] = [1, 2, 3, 4].map((i) => v[i]);
    const num = (x: Dim[] | undefined): x is number[] => x !== undefined && allNumbers(x);
    if (!v[0] || !d || !num(starts) || !num(ends) || (axes && !num(axes)) || (steps && !num(steps))) return undefined;
    return mapped(v[0], sliceMap(d, { starts, ends, axes: axes as number[] | undefined, steps: steps as number[] | undefined }).map);
  },
  Expand: ({ v, dims, out }) => {
    const d = dims(0);
    const shape = out[0]?.shape;
    return v[0] && d && isStatic(shape) ? mapped(v[0], broadcastMap(d, shape)) : undefined;
  },
  Add: binary('Add'),
  Sub: binary('Sub'),
  Mul: binary('Mul'),
  Div: binary('Div'),
  Equal: (a) => elementwise(2, ([i, j]) => dimEqual(a.v[0]![i], a.v[1]![j]))(a),
  Where: (a) =>
    elementwise(3, ([c, i, j]) => {
      const cond = a.v[0]![c];
      const [x, y] = [a.v[1]![i], a.v[2]![j]];
      if (cond === null || typeof cond === 'string') return x === y ? x : null;
      return cond ? x : y;
    })(a),
};

/**
 * The (partly symbolic) values of `node`'s outputs, given its inputs' values, or
 * undefined when nothing is learned.
 */
export function propagateValues(node: Node, ctx: InferContext, out: (ValueType | undefined)[]): Dim[] | undefined {
  if (node.domain !== '' && node.domain !== 'ai.onnx') return undefined;
  const p = PROPAGATORS[node.opType];
  if (!p) return undefined;
  const v = node.inputs.map((_, i) => ctx.value(i));
  const dims = (i: number): number[] | undefined => {
    const s = ctx.input(i)?.shape;
    return isStatic(s) ? s : undefined;
  };
  const result = p({ ctx, v, dims, out });
  if (!result || result.length > MAX_FOLD_ELEMENTS || result.every((d) => d === null)) return undefined;
  return result;
}
