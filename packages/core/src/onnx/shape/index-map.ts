/**
 * Index arithmetic shared by constant folding (typed arrays) and symbolic value tracking
 * (arrays of dims): each data-movement operator is reduced to a map from output
 * element to input element, so one implementation serves any element type.
 */
import { XqcError } from '../../errors.ts';
import type { Dim } from '../ir.ts';
import { normAxis } from './dims.ts';

/** Row-major strides of `dims`. */
function stridesOf(dims: readonly number[]): number[] {
  const s = new Array<number>(dims.length);
  let acc = 1;
  for (let k = dims.length - 1; k >= 0; k--) {
    s[k] = acc;
    acc *= dims[k];
  }
  return s;
}

function count(dims: readonly number[]): number {
  return dims.reduce((a, b) => a * b, 1);
}

/**
 * For each element of a tensor of `outDims`, the flat index of the element of a tensor
 * of `inDims` that NumPy broadcasting reads (`inDims` right-aligned, size-1 dims repeat).
 */
export function broadcastMap(inDims: readonly number[], outDims: readonly number[]): Int32Array {
  const n = count(outDims);
  const map = new Int32Array(n);
  const offset = outDims.length - inDims.length;
  const inStrides = stridesOf(inDims);
  const outStrides = stridesOf(outDims);
  for (let i = 0; i < n; i++) {
    let src = 0;
    for (let k = 0; k < inDims.length; k++) {
      if (inDims[k] === 1) continue;
      const coord = Math.floor(i / outStrides[k + offset]) % outDims[k + offset];
      src += coord * inStrides[k];
    }
    map[i] = src;
  }
  return map;
}

/** Output dims and source map of `Gather(data, indices, axis)`; negative indices count from the end. */
export function gatherMap(
  dims: readonly number[],
  axis: number,
  indices: readonly number[],
  indexDims: readonly number[],
): { dims: number[]; map: Int32Array } {
  const a = normAxis(axis, dims.length);
  const outer = count(dims.slice(0, a));
  const inner = count(dims.slice(a + 1));
  const span = dims[a];
  const idx = indices.map((v) => {
    const j = v < 0 ? v + span : v;
    if (j < 0 || j >= span) throw new XqcError('XQC_SHAPE_INFERENCE', `Gather index ${v} is out of range for a dimension of ${span}`);
    return j;
  });
  const out = [...dims.slice(0, a), ...indexDims, ...dims.slice(a + 1)];
  const map = new Int32Array(outer * idx.length * inner);
  let o = 0;
  for (let p = 0; p < outer; p++) {
    for (const j of idx) {
      const base = (p * span + j) * inner;
      for (let q = 0; q < inner; q++) map[o++] = base + q;
    }
  }
  return { dims: out, map };
}

/** Output dims, and per element the input it comes from and its flat index there, of Concat. */
export function concatMap(dimsList: readonly (readonly number[])[], axis: number): { dims: number[]; src: Int32Array; map: Int32Array } {
  const rank = dimsList[0].length;
  const a = normAxis(axis, rank);
  const outer = count(dimsList[0].slice(0, a));
  const inner = count(dimsList[0].slice(a + 1));
  const total = dimsList.reduce((s, d) => s + d[a], 0);
  const dims = [...dimsList[0]];
  dims[a] = total;
  const n = outer * total * inner;
  const src = new Int32Array(n);
  const map = new Int32Array(n);
  let o = 0;
  for (let p = 0; p < outer; p++) {
    dimsList.forEach((d, t) => {
      const block = d[a] * inner;
      for (let q = 0; q < block; q++) {
        src[o] = t;
        map[o++] = p * block + q;
      }
    });
  }
  return { dims, src, map };
}

/** Clamped start and element count of one Slice axis of extent `dim` (ONNX Slice-13 rules). */
function sliceRange(dim: number, start: number, end: number, step: number): { start: number; count: number } {
  if (step === 0) throw new XqcError('XQC_SHAPE_INFERENCE', 'Slice step must not be 0');
  let s = start < 0 ? start + dim : start;
  let e = end < 0 ? end + dim : end;
  if (step > 0) {
    s = Math.min(Math.max(s, 0), dim);
    e = Math.min(Math.max(e, 0), dim);
    return { start: s, count: Math.max(0, Math.ceil((e - s) / step)) };
  }
  s = Math.min(Math.max(s, 0), dim - 1);
  e = Math.min(Math.max(e, -1), dim - 1);
  return { start: s, count: Math.max(0, Math.ceil((s - e) / -step)) };
}

/** Per-axis slice parameters after defaulting axes and steps. */
export interface SliceSpec {
  starts: readonly number[];
  ends: readonly number[];
  axes?: readonly number[];
  steps?: readonly number[];
}

function sliceAxes(rank: number, spec: SliceSpec): number[] {
  const axes = spec.axes ?? spec.starts.map((_, i) => i);
  if (axes.length !== spec.starts.length || spec.ends.length !== spec.starts.length) {
    throw new XqcError('XQC_SHAPE_INFERENCE', 'Slice starts, ends and axes differ in length');
  }
  return axes.map((ax) => normAxis(ax, rank));
}

const HUGE = 2 ** 31 - 1;

/** Whether a slice keeps every element of an axis of any size, e.g. `0:INT64_MAX:1` or `-1:INT64_MIN:-1`. */
function keepsWholeAxis(start: number, end: number, step: number): boolean {
  if (step === 1) return start === 0 && end >= HUGE;
  if (step === -1) return (start === -1 || start >= HUGE) && end <= -HUGE;
  return false;
}

/**
 * Output shape of Slice over dims that may be symbolic: a symbolic or unknown dim stays
 * itself when the slice keeps the whole axis (forwards or reversed) and becomes unknown
 * otherwise.
 */
export function slicedShape(shape: readonly Dim[], spec: SliceSpec): Dim[] {
  const out = [...shape];
  sliceAxes(shape.length, spec).forEach((ax, i) => {
    const step = spec.steps?.[i] ?? 1;
    const d = shape[ax];
    if (typeof d === 'number') out[ax] = sliceRange(d, spec.starts[i], spec.ends[i], step).count;
    else out[ax] = keepsWholeAxis(spec.starts[i], spec.ends[i], step) ? d : null;
  });
  return out;
}

/** Output dims and source map of Slice on a tensor of static `dims`. */
export function sliceMap(dims: readonly number[], spec: SliceSpec): { dims: number[]; map: Int32Array } {
  const starts = dims.map(() => 0);
  const steps = dims.map(() => 1);
  const out = [...dims];
  sliceAxes(dims.length, spec).forEach((ax, i) => {
    const step = spec.steps?.[i] ?? 1;
    const r = sliceRange(dims[ax], spec.starts[i], spec.ends[i], step);
    starts[ax] = r.start;
    steps[ax] = step;
    out[ax] = r.count;
  });
  const inStrides = stridesOf(dims);
  const outStrides = stridesOf(out);
  const n = count(out);
  const map = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let src = 0;
    for (let k = 0; k < out.length; k++) {
      const coord = Math.floor(i / outStrides[k]) % out[k];
      src += (starts[k] + coord * steps[k]) * inStrides[k];
    }
    map[i] = src;
  }
  return { dims: out, map };
}
