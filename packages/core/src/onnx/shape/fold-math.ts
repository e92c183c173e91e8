/**
 * Elementwise arithmetic, comparison and casts on constant tensors, with ONNX Runtime's
 * results: int64 in exact BigInt arithmetic wrapping at 64 bits, integer division
 * truncating toward zero, float32 rounded after every operation. Every function returns
 * undefined for inputs whose result ONNX leaves undefined (division by zero, a cast of
 * NaN to an integer) or that it does not evaluate (float16, strings), so the caller
 * leaves that node to the runtime.
 */
import { allocate, sizeOf } from '../tensor.ts';
import type { DType, Tensor } from '../tensor.ts';
import { broadcastShapes, isStatic } from './broadcast.ts';
import { broadcastMap } from './index-map.ts';

/** Storage viewed as indexable elements of any dtype. */
export type Elements = { [i: number]: number | bigint | string; readonly length: number };

/** The storage of `t` as indexable elements. */
export function elementsOf(t: Tensor): Elements {
  return t.data as unknown as Elements;
}

/** A new tensor of `dtype` and `dims` whose element `i` is element `map[i]` of `src`. */
export function gatherElements(src: Tensor, dtype: DType, dims: number[], map: Int32Array): Tensor {
  const out = allocate(dtype, map.length);
  const o = out as unknown as Elements;
  const s = elementsOf(src);
  for (let i = 0; i < map.length; i++) o[i] = s[map[i]];
  return { dtype, dims, data: out };
}

const INT_BITS: Partial<Record<DType, [number, boolean]>> = {
  int8: [8, true], uint8: [8, false], int16: [16, true], uint16: [16, false], int32: [32, true], uint32: [32, false],
  int64: [64, true], uint64: [64, false],
};
const FOLDABLE: ReadonlySet<DType> = new Set<DType>(['float32', 'float64', 'bool', ...(Object.keys(INT_BITS) as DType[])]);

/** Binary arithmetic ops folded here. */
export type ArithOp = 'Add' | 'Sub' | 'Mul' | 'Div';

function bigArith(op: ArithOp, a: bigint, b: bigint): bigint | undefined {
  switch (op) {
    case 'Add':
      return a + b;
    case 'Sub':
      return a - b;
    case 'Mul':
      return a * b;
    case 'Div':
      return b === 0n ? undefined : a / b;
  }
}

function numArith(op: ArithOp, a: number, b: number, dtype: DType): number | undefined {
  const isInt = dtype in INT_BITS;
  switch (op) {
    case 'Add':
      return a + b;
    case 'Sub':
      return a - b;
    case 'Mul':
      // 32-bit products can exceed 2^53; imul keeps the low 32 bits exactly, as C does.
      return dtype === 'int32' || dtype === 'uint32' ? Math.imul(a, b) : a * b;
    case 'Div':
      if (!isInt) return a / b;
      return b === 0 ? undefined : Math.trunc(a / b);
  }
}

function broadcastPair(a: Tensor, b: Tensor): { dims: number[]; ma: Int32Array; mb: Int32Array } | undefined {
  const dims = broadcastShapes([a.dims, b.dims]);
  if (!isStatic(dims)) return undefined;
  return { dims, ma: broadcastMap(a.dims, dims), mb: broadcastMap(b.dims, dims) };
}

/** `a op b` with broadcasting; both operands share one numeric dtype. */
export function arith(op: ArithOp, a: Tensor, b: Tensor): Tensor | undefined {
  if (a.dtype !== b.dtype || !FOLDABLE.has(a.dtype) || a.dtype === 'bool') return undefined;
  const bc = broadcastPair(a, b);
  if (!bc) return undefined;
  const out = allocate(a.dtype, sizeOf(bc.dims));
  const o = out as unknown as Elements;
  const x = elementsOf(a);
  const y = elementsOf(b);
  const wide = a.dtype === 'int64' || a.dtype === 'uint64';
  for (let i = 0; i < bc.ma.length; i++) {
    const v = wide
      ? bigArith(op, x[bc.ma[i]] as bigint, y[bc.mb[i]] as bigint)
      : numArith(op, x[bc.ma[i]] as number, y[bc.mb[i]] as number, a.dtype);
    if (v === undefined) return undefined;
    // Integer typed arrays (BigInt64Array included) wrap on store, as two's complement does.
    o[i] = v;
  }
  return { dtype: a.dtype, dims: bc.dims, data: out };
}

/** Comparison ops folded here. */
export type CompareOp = 'Equal' | 'Less' | 'Greater';

/** `a op b` elementwise with broadcasting, as a bool tensor. */
export function compare(op: CompareOp, a: Tensor, b: Tensor): Tensor | undefined {
  if (a.dtype !== b.dtype || !FOLDABLE.has(a.dtype)) return undefined;
  const bc = broadcastPair(a, b);
  if (!bc) return undefined;
  const out = new Uint8Array(bc.ma.length);
  const x = elementsOf(a);
  const y = elementsOf(b);
  for (let i = 0; i < out.length; i++) {
    const u = x[bc.ma[i]];
    const v = y[bc.mb[i]];
    out[i] = Number(op === 'Equal' ? u === v : op === 'Less' ? u < v : u > v);
  }
  return { dtype: 'bool', dims: bc.dims, data: out };
}

/** `Where(cond, x, y)` with three-way broadcasting. */
export function where(cond: Tensor, x: Tensor, y: Tensor): Tensor | undefined {
  const dims = broadcastShapes([cond.dims, x.dims, y.dims]);
  if (!isStatic(dims) || x.dtype !== y.dtype) return undefined;
  const [mc, mx, my] = [cond, x, y].map((t) => broadcastMap(t.dims, dims));
  const out = allocate(x.dtype, sizeOf(dims));
  const o = out as unknown as Elements;
  const c = cond.data as Uint8Array;
  const xs = elementsOf(x);
  const ys = elementsOf(y);
  for (let i = 0; i < mc.length; i++) o[i] = c[mc[i]] ? xs[mx[i]] : ys[my[i]];
  return { dtype: x.dtype, dims, data: out };
}

function castElement(v: number | bigint, to: DType, fromFloat: boolean): number | bigint | undefined {
  const bits = INT_BITS[to];
  if (to === 'bool') return Number(v !== 0 && v !== 0n);
  if (!bits) return Number(v);
  const [width, signed] = bits;
  if (typeof v === 'number') {
    const t = Math.trunc(v);
    const lo = signed ? -(2 ** (width - 1)) : 0;
    // Out-of-range float to integer casts are undefined behaviour in the runtime; integers wrap.
    if (fromFloat && (!Number.isFinite(t) || t < lo || t >= lo + 2 ** width)) return undefined;
    v = BigInt(t);
  }
  const w = signed ? BigInt.asIntN(width, v) : BigInt.asUintN(width, v);
  return width === 64 ? w : Number(w);
}

/** Cast to `to`: floats truncate toward zero, integers wrap, anything non-zero is true. */
export function cast(t: Tensor, to: DType): Tensor | undefined {
  if (t.dtype === to) return t;
  if (!FOLDABLE.has(t.dtype) || !FOLDABLE.has(to)) return undefined;
  const out = allocate(to, t.data.length);
  const o = out as unknown as Elements;
  const x = elementsOf(t);
  const fromFloat = t.dtype === 'float32' || t.dtype === 'float64';
  for (let i = 0; i < t.data.length; i++) {
    const v = castElement(x[i] as number | bigint, to, fromFloat);
    if (v === undefined) return undefined;
    o[i] = v;
  }
  return { dtype: to, dims: [...t.dims], data: out };
}

/** `-t` for a signed or floating tensor. */
export function negate(t: Tensor): Tensor | undefined {
  if (!FOLDABLE.has(t.dtype) || t.dtype === 'bool' || t.dtype.startsWith('uint')) return undefined;
  const out = allocate(t.dtype, t.data.length);
  const o = out as unknown as Elements;
  const x = elementsOf(t);
  for (let i = 0; i < t.data.length; i++) o[i] = typeof x[i] === 'bigint' ? BigInt.asIntN(64, -(x[i] as bigint)) : -(x[i] as number);
  return { dtype: t.dtype, dims: [...t.dims], data: out };
}
