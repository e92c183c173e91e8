/**
 * Inference rules of reductions: Reduce* (axes as attribute or input depending on the
 * opset, keepdims, noop_with_empty_axes), ArgMax/ArgMin and TopK.
 */
import type { Dim } from '../ir.ts';
import { normAxis } from './dims.ts';
import { listArg, normAxes, unknownOfRank } from './ops-common.ts';
import type { InferFn } from './types.ts';

const REDUCE = [
  'ReduceL1', 'ReduceL2', 'ReduceLogSum', 'ReduceLogSumExp', 'ReduceMax', 'ReduceMean', 'ReduceMin', 'ReduceProd',
  'ReduceSum', 'ReduceSumSquare',
];

/**
 * Reduce*: reduced axes become 1 (keepdims, the default) or disappear. No axes reduces
 * every axis unless `noop_with_empty_axes` is set, which makes the node an identity.
 */
const reduce: InferFn = (c) => {
  const x = c.input(0);
  const keep = c.attrInt('keepdims', 1) === 1;
  const shape = x?.shape;
  if (!shape) return [{ dtype: x?.dtype }];
  const axes = listArg(c, 1, 'axes');
  if (axes === null) return [{ dtype: x?.dtype, shape: keep ? unknownOfRank(shape.length) : undefined }];
  if (!axes || axes.length === 0) {
    if (c.attrInt('noop_with_empty_axes', 0) === 1) return [{ dtype: x?.dtype, shape: [...shape] }];
    return [{ dtype: x?.dtype, shape: keep ? shape.map(() => 1) : [] }];
  }
  const set = new Set(normAxes(axes, shape.length));
  const out: Dim[] = [];
  shape.forEach((d, i) => {
    if (!set.has(i)) out.push(d);
    else if (keep) out.push(1);
  });
  return [{ dtype: x?.dtype, shape: out }];
};

/** ArgMax/ArgMin: int64 indices along `axis` (default 0), kept as size 1 unless keepdims=0. */
const argReduce: InferFn = (c) => {
  const shape = c.input(0)?.shape;
  if (!shape) return [{ dtype: 'int64' }];
  const axis = normAxis(c.attrInt('axis', 0), shape.length);
  const keep = c.attrInt('keepdims', 1) === 1;
  const out: Dim[] = [];
  shape.forEach((d, i) => {
    if (i !== axis) out.push(d);
    else if (keep) out.push(1);
  });
  return [{ dtype: 'int64', shape: out }];
};

/** TopK: values and int64 indices, the input's shape with `k` (input 1, or attribute before opset 10) along `axis`. */
const topK: InferFn = (c) => {
  const x = c.input(0);
  if (!x?.shape) return [{ dtype: x?.dtype }, { dtype: 'int64' }];
  const axis = normAxis(c.attrInt('axis', -1), x.shape.length);
  const kDim: Dim = c.node.inputs[1] ? (c.value(1)?.[0] ?? null) : c.attrInt('k', 0);
  const shape = x.shape.map((d, i) => (i === axis ? kDim : d));
  return [{ dtype: x.dtype, shape }, { dtype: 'int64', shape: [...shape] }];
};

/** Rules of this family, keyed by op type. */
export const REDUCE_RULES: Record<string, InferFn> = { ArgMax: argReduce, ArgMin: argReduce, TopK: topK };
for (const op of REDUCE) REDUCE_RULES[op] = reduce;
