/**
 * Inference rules of operators that create tensors or describe them: Shape, Size,
 * Constant, ConstantOfShape, Range, EyeLike and the random generators.
 */
import type { Dim } from '../ir.ts';
import { dtypeFromOnnxCode, toNumbers } from '../tensor.ts';
import type { DType } from '../tensor.ts';
import { copyType, lengthOf, unknownOfRank } from './ops-common.ts';
import type { InferContext, InferFn, ValueType } from './types.ts';

/** `[start, end)` of Shape (opset 15 attributes), clamped to `[0, rank]`. */
export function shapeRange(c: InferContext, rank: number): [number, number] {
  const clamp = (v: number): number => Math.min(Math.max(v < 0 ? v + rank : v, 0), rank);
  const start = clamp(c.attrInt('start', 0));
  return [start, Math.max(clamp(c.attrInt('end', rank)), start)];
}

/**
 * Number of elements of Range: `max(ceil((limit - start) / delta), 0)`. For float32 the
 * difference is rounded to float32 first, as ONNX Runtime computes it in the input type.
 */
export function rangeCount(start: number, limit: number, delta: number, dtype: DType | undefined): number {
  const diff = dtype === 'float32' ? Math.fround(limit - start) : limit - start;
  return Math.max(Math.ceil(diff / delta), 0);
}

/** The dtype and dims a Constant node's attribute gives its output. */
function constantType(c: InferContext): ValueType {
  const a = c.attr('value') ?? c.attr('value_float') ?? c.attr('value_floats') ?? c.attr('value_int') ?? c.attr('value_ints')
    ?? c.attr('value_string') ?? c.attr('value_strings');
  switch (a?.type) {
    case 'tensor':
      return { dtype: a.value.dtype, shape: [...a.value.dims] };
    case 'float':
      return { dtype: 'float32', shape: [] };
    case 'floats':
      return { dtype: 'float32', shape: [a.value.length] };
    case 'int':
      return { dtype: 'int64', shape: [] };
    case 'ints':
      return { dtype: 'int64', shape: [a.value.length] };
    case 'string':
      return { dtype: 'string', shape: [] };
    case 'strings':
      return { dtype: 'string', shape: [a.value.length] };
    default:
      return {};
  }
}

/** Range: a 1-D tensor whose length is known from constant bounds, or symbolic for `Range(0, N, 1)`. */
const range: InferFn = (c) => {
  const dtype = c.input(0)?.dtype;
  const [s, l, d] = [0, 1, 2].map((i) => c.constant(i));
  let n: Dim = null;
  if (s && l && d) n = rangeCount(toNumbers(s)[0], toNumbers(l)[0], toNumbers(d)[0], dtype);
  else if (s && d && toNumbers(s)[0] === 0 && toNumbers(d)[0] === 1) n = c.value(1)?.[0] ?? null;
  return [{ dtype, shape: [n] }];
};

/** Output dtype from a `dtype` attribute (ONNX code), else the input's. */
function dtypeAttr(c: InferContext, fallback: DType | undefined): DType | undefined {
  const code = c.attrInt('dtype', 0);
  return code ? dtypeFromOnnxCode(code) : fallback;
}

const like: InferFn = (c) => [{ dtype: dtypeAttr(c, c.input(0)?.dtype), shape: copyType(c.input(0))?.shape }];
const random: InferFn = (c) => [{ dtype: dtypeAttr(c, 'float32'), shape: c.attrInts('shape') }];

/** Rules of this family, keyed by op type. */
export const GENERATE_RULES: Record<string, InferFn> = {
  Shape: (c) => {
    const s = c.input(0)?.shape;
    if (!s) return [{ dtype: 'int64', shape: [null] }];
    const [start, end] = shapeRange(c, s.length);
    return [{ dtype: 'int64', shape: [end - start] }];
  },
  Size: () => [{ dtype: 'int64', shape: [] }],
  Constant: (c) => [constantType(c)],
  /** ConstantOfShape: shaped by its input's values; dtype of the `value` attribute (float32 by default). */
  ConstantOfShape: (c) => {
    const v = c.attr('value');
    return [{ dtype: v?.type === 'tensor' ? v.value.dtype : 'float32', shape: c.value(0) ?? unknownOfRank(lengthOf(c, 0)) }];
  },
  Range: range,
  EyeLike: like,
  Bernoulli: like,
  RandomNormalLike: like,
  RandomUniformLike: like,
  RandomNormal: random,
  RandomUniform: random,
};
