/**
 * Inference rules of operators that index into tensors or join and split them: Concat,
 * Split, Slice, Gather and its variants, the Scatters, Pad, OneHot and NonZero.
 */
import { XqcError } from '../../errors.ts';
import type { Dim } from '../ir.ts';
import { toNumbers } from '../tensor.ts';
import { addDim, normAxis, sumOfDims, unifyDim } from './dims.ts';
import { slicedShape } from './index-map.ts';
import { copyType, inputInts, intsOf, lengthOf, listArg, unknownOfRank } from './ops-common.ts';
import type { InferContext, InferFn } from './types.ts';

/** Concat: dims off the axis agree across inputs; the axis dim is their sum. */
const concat: InferFn = (c) => {
  const ins = c.node.inputs.map((_, i) => c.input(i));
  const dtype = ins.find((t) => t?.dtype)?.dtype;
  const known = ins.map((t) => t?.shape).filter((s): s is Dim[] => s !== undefined);
  if (known.length === 0) return [{ dtype }];
  const rank = known[0].length;
  const axis = normAxis(c.attrInt('axis', 0), rank);
  const shape = known[0].map((_, k) => (k === axis ? null : known.reduce<Dim>((acc, s) => unifyDim(acc, s[k]), null)));
  shape[axis] = known.length === ins.length ? sumOfDims(known.map((s) => s[axis])) : null;
  return [{ dtype, shape }];
};

/** Sizes of Split's parts along the axis: the `split` list, `num_outputs` (opset 18) or equal parts. */
function splitSizes(c: InferContext, extent: Dim, parts: number): Dim[] {
  const list = c.opset >= 13 ? inputInts(c, 1) : c.attrInts('split');
  if (list) return list;
  if (list === null || typeof extent !== 'number') return new Array<Dim>(parts).fill(null);
  // Uneven splits (opset 18 num_outputs) give every part ceil(d/n) and the last one the rest.
  const chunk = Math.ceil(extent / parts);
  return Array.from({ length: parts }, (_, i) => (i < parts - 1 ? chunk : extent - chunk * (parts - 1)));
}

const split: InferFn = (c) => {
  const x = c.input(0);
  const parts = c.node.outputs.length;
  if (!x?.shape) return c.node.outputs.map(() => ({ dtype: x?.dtype }));
  const shape = x.shape;
  const axis = normAxis(c.attrInt('axis', 0), shape.length);
  const sizes = splitSizes(c, shape[axis], parts);
  if (sizes.length !== parts) throw new XqcError('XQC_SHAPE_INFERENCE', `Split has ${sizes.length} sizes for ${parts} outputs`);
  return sizes.map((d) => ({ dtype: x.dtype, shape: shape.map((e, k) => (k === axis ? d : e)) }));
};

/** Slice: starts, ends, axes, steps as inputs (opset 10+) or attributes; INT64_MAX ends and negative steps clamp. */
const slice: InferFn = (c) => {
  const x = c.input(0);
  if (!x?.shape) return [{ dtype: x?.dtype }];
  const fromInputs = c.opset >= 10;
  const starts = fromInputs ? intsOf(c, 1) : c.attrInts('starts');
  const ends = fromInputs ? intsOf(c, 2) : c.attrInts('ends');
  const axes = fromInputs ? inputInts(c, 3) : c.attrInts('axes');
  const steps = fromInputs ? inputInts(c, 4) : undefined;
  if (axes === null) return [{ dtype: x.dtype, shape: unknownOfRank(x.shape.length) }];
  if (!starts || !ends || steps === null) {
    const n = lengthOf(c, 1);
    const touched = axes ?? (n === undefined ? x.shape.map((_, i) => i) : Array.from({ length: n }, (_, i) => i));
    const hit = new Set(touched.map((a) => normAxis(a, x.shape!.length)));
    return [{ dtype: x.dtype, shape: x.shape.map((d, i) => (hit.has(i) ? null : d)) }];
  }
  return [{ dtype: x.dtype, shape: slicedShape(x.shape, { starts, ends, axes, steps }) }];
};

/** Gather: `data[:axis] + indices + data[axis+1:]` (scalar indices drop the axis). */
const gather: InferFn = (c) => {
  const data = c.input(0);
  const idx = c.input(1)?.shape;
  if (!data?.shape || !idx) return [{ dtype: data?.dtype }];
  const a = normAxis(c.attrInt('axis', 0), data.shape.length);
  return [{ dtype: data.dtype, shape: [...data.shape.slice(0, a), ...idx, ...data.shape.slice(a + 1)] }];
};

/** GatherND: `indices[:-1] + data[batch_dims + indices[-1]:]`. */
const gatherND: InferFn = (c) => {
  const data = c.input(0);
  const idx = c.input(1)?.shape;
  const last = idx?.[idx.length - 1];
  if (!data?.shape || !idx || typeof last !== 'number') return [{ dtype: data?.dtype }];
  const b = c.attrInt('batch_dims', 0);
  return [{ dtype: data.dtype, shape: [...idx.slice(0, -1), ...data.shape.slice(b + last)] }];
};

/** Pad: each padded axis grows by its begin and end pads (pads as input from opset 11, axes from 18). */
const pad: InferFn = (c) => {
  const x = c.input(0);
  if (!x?.shape) return [{ dtype: x?.dtype }];
  const pads = listArg(c, 1, 'pads');
  const axes = c.node.inputs[3] ? inputInts(c, 3) : x.shape.map((_, i) => i);
  if (!pads || !axes) return [{ dtype: x.dtype, shape: unknownOfRank(x.shape.length) }];
  const shape = [...x.shape];
  axes.forEach((ax, i) => {
    const a = normAxis(ax, shape.length);
    shape[a] = addDim(addDim(shape[a], pads[i]), pads[i + axes.length]);
  });
  return [{ dtype: x.dtype, shape }];
};

/** OneHot: the indices' shape with `depth` inserted at `axis` (default -1); dtype of `values`. */
const oneHot: InferFn = (c) => {
  const idx = c.input(0)?.shape;
  const dtype = c.input(2)?.dtype;
  if (!idx) return [{ dtype }];
  const depthT = c.constant(1);
  const depth: Dim = depthT ? Math.trunc(toNumbers(depthT)[0]) : (c.value(1)?.[0] ?? null);
  const a = normAxis(c.attrInt('axis', -1), idx.length + 1);
  return [{ dtype, shape: [...idx.slice(0, a), depth, ...idx.slice(a)] }];
};

/** NonZero: `[rank, count]`, the count a fresh symbol since it depends on the data. */
const nonZero: InferFn = (c) => {
  const r = c.input(0)?.shape?.length;
  return [{ dtype: 'int64', shape: [r ?? null, c.symbol('nonzero')] }];
};

const dataLike: InferFn = (c) => [copyType(c.input(0))];

/** Rules of this family, keyed by op type. */
export const INDEX_RULES: Record<string, InferFn> = {
  Concat: concat,
  Split: split,
  Slice: slice,
  Gather: gather,
  GatherElements: (c) => [{ dtype: c.input(0)?.dtype, shape: copyType(c.input(1))?.shape }],
  GatherND: gatherND,
  Scatter: dataLike,
  ScatterElements: dataLike,
  ScatterND: dataLike,
  Pad: pad,
  OneHot: oneHot,
  NonZero: nonZero,
};
