/**
 * Inference rules of operators that rearrange or resize a tensor without indexing into
 * it: Flatten, Reshape, Transpose, Squeeze, Unsqueeze, Expand, Tile, Resize,
 * DepthToSpace and SpaceToDepth. Shape-valued inputs (Reshape's target, Expand's shape,
 * Resize's sizes) are read through `ctx.value`, so symbolic batch dims pass through.
 */
import { XqcError } from '../../errors.ts';
import type { Dim } from '../ir.ts';
import { toNumbers } from '../tensor.ts';
import { broadcastShapes } from './broadcast.ts';
import { mulDim, normAxis, productOfDims, quotientOfDims } from './dims.ts';
import { lengthOf, listArg, normAxes, unknownOfRank } from './ops-common.ts';
import type { InferContext, InferFn } from './types.ts';

/** Flatten: `[prod(d[:axis]), prod(d[axis:])]`, axis in `[-r, r]` (default 1). */
const flatten: InferFn = (c) => {
  const x = c.input(0);
  if (!x?.shape) return [{ dtype: x?.dtype, shape: [null, null] }];
  const r = x.shape.length;
  const axis = c.attrInt('axis', 1);
  const a = axis < 0 ? axis + r : axis;
  if (a < 0 || a > r) throw new XqcError('XQC_SHAPE_INFERENCE', `Flatten axis ${axis} is out of range for rank ${r}`);
  return [{ dtype: x.dtype, shape: [productOfDims(x.shape.slice(0, a)), productOfDims(x.shape.slice(a))] }];
};

/**
 * Reshape: a target 0 copies the input dim at that position (unless `allowzero`), -1
 * takes what is left of the element count (symbols cancel: `[N,3,4] -> [N,-1]` is 12).
 */
const reshape: InferFn = (c) => {
  const x = c.input(0);
  const target = c.value(1);
  if (!target) return [{ dtype: x?.dtype, shape: unknownOfRank(lengthOf(c, 1)) }];
  const allowZero = c.attrInt('allowzero', 0) === 1;
  const inShape = x?.shape;
  const out: Dim[] = target.map((t, i) => (t === 0 && !allowZero ? (inShape?.[i] ?? null) : t));
  const infer = target.indexOf(-1);
  if (infer >= 0) {
    const others = out.filter((_, i) => i !== infer);
    out[infer] = inShape ? quotientOfDims(inShape, others) : null;
  }
  return [{ dtype: x?.dtype, shape: out }];
};

/** Transpose: dims permuted by `perm` (default: reversed). */
const transpose: InferFn = (c) => {
  const x = c.input(0);
  if (!x?.shape) return [{ dtype: x?.dtype }];
  const s = x.shape;
  const perm = c.attrInts('perm') ?? s.map((_, i) => s.length - 1 - i);
  if (perm.length !== s.length) throw new XqcError('XQC_SHAPE_INFERENCE', `Transpose perm [${perm}] does not match rank ${s.length}`);
  return [{ dtype: x.dtype, shape: perm.map((p) => s[normAxis(p, s.length)]) }];
};

/** Squeeze: drops the listed axes (input from opset 13, attribute before), or every size-1 dim. */
const squeeze: InferFn = (c) => {
  const x = c.input(0);
  const axes = listArg(c, 1, 'axes');
  if (!x?.shape || axes === null) return [{ dtype: x?.dtype }];
  if (!axes || axes.length === 0) {
    // Which dims are 1 is only certain when every dim is a number.
    const known = x.shape.every((d) => typeof d === 'number');
    return [{ dtype: x.dtype, shape: known ? x.shape.filter((d) => d !== 1) : undefined }];
  }
  const drop = new Set(normAxes(axes, x.shape.length));
  return [{ dtype: x.dtype, shape: x.shape.filter((_, i) => !drop.has(i)) }];
};

/** Unsqueeze: inserts size-1 dims at `axes`, which index the output (input from opset 13). */
const unsqueeze: InferFn = (c) => {
  const x = c.input(0);
  const axes = listArg(c, 1, 'axes');
  if (!x?.shape) return [{ dtype: x?.dtype }];
  if (!axes) {
    const n = lengthOf(c, 1);
    return [{ dtype: x.dtype, shape: unknownOfRank(n === undefined ? undefined : x.shape.length + n) }];
  }
  const rank = x.shape.length + axes.length;
  const at = new Set(normAxes(axes, rank));
  const out: Dim[] = [];
  let k = 0;
  for (let i = 0; i < rank; i++) out.push(at.has(i) ? 1 : x.shape[k++]);
  return [{ dtype: x.dtype, shape: out }];
};

/** Expand: bidirectional broadcast of the input's shape and the target shape. */
const expand: InferFn = (c) => {
  const x = c.input(0);
  const target = c.value(1) ?? unknownOfRank(lengthOf(c, 1));
  return [{ dtype: x?.dtype, shape: broadcastShapes([x?.shape, target]) }];
};

/** Tile: each dim times its repeat count. */
const tile: InferFn = (c) => {
  const x = c.input(0);
  const reps = c.value(1);
  if (!x?.shape) return [{ dtype: x?.dtype }];
  return [{ dtype: x.dtype, shape: reps ? x.shape.map((d, i) => mulDim(d, reps[i] ?? null)) : unknownOfRank(x.shape.length) }];
};

function roundHalfAway(v: number): number {
  return Math.sign(v) * Math.round(Math.abs(v));
}

/**
 * Resize: `sizes` (optionally with `axes` and a `keep_aspect_ratio_policy`) or `scales`
 * (`floor(in * scale)` in float32, as ONNX Runtime computes it). Opset 10 had only scales.
 */
const resize: InferFn = (c) => {
  const x = c.input(0);
  if (!x?.shape) return [{ dtype: x?.dtype }];
  const inShape = x.shape;
  const out = [...inShape];
  const axes = c.attrInts('axes') ? normAxes(c.attrInts('axes') as number[], inShape.length) : inShape.map((_, i) => i);
  if (c.opset >= 11 && c.node.inputs[3] && lengthOf(c, 3) !== 0) {
    const sizes = c.value(3);
    if (!sizes) return [{ dtype: x.dtype, shape: out.map((d, i) => (axes.includes(i) ? null : d)) }];
    applySizes(c, inShape, out, axes, sizes);
    return [{ dtype: x.dtype, shape: out }];
  }
  const scales = c.constant(c.opset >= 11 ? 2 : 1);
  axes.forEach((ax, i) => {
    if (!scales) out[ax] = null;
    else {
      const s = Math.fround(toNumbers(scales)[i]);
      const d = inShape[ax];
      out[ax] = typeof d === 'number' ? Math.floor(Math.fround(Math.fround(d) * s)) : Number.isInteger(s) ? mulDim(d, s) : null;
    }
  });
  return [{ dtype: x.dtype, shape: out }];
};

function applySizes(c: InferContext, inShape: Dim[], out: Dim[], axes: number[], sizes: Dim[]): void {
  const policy = c.attrString('keep_aspect_ratio_policy', 'stretch');
  if (policy === 'stretch') {
    axes.forEach((ax, i) => (out[ax] = sizes[i]));
    return;
  }
  const ratios = axes.map((ax, i) => {
    const d = inShape[ax];
    const s = sizes[i];
    return typeof d === 'number' && typeof s === 'number' ? Math.fround(Math.fround(s) / Math.fround(d)) : NaN;
  });
  const scale = policy === 'not_larger' ? Math.min(...ratios) : Math.max(...ratios);
  axes.forEach((ax) => {
    const d = inShape[ax];
    out[ax] = Number.isNaN(scale) || typeof d !== 'number' ? null : roundHalfAway(Math.fround(scale * Math.fround(d)));
  });
}

/** DepthToSpace `[N, C, H, W] -> [N, C/b^2, H*b, W*b]`; SpaceToDepth the inverse. */
function blockRule(toSpace: boolean): InferFn {
  return (c) => {
    const x = c.input(0);
    if (!x?.shape) return [{ dtype: x?.dtype }];
    const b = c.attrInt('blocksize', 1);
    const [n, ch, h, w] = x.shape;
    const shape = toSpace
      ? [n, quotientOfDims([ch], [b * b]), mulDim(h, b), mulDim(w, b)]
      : [n, mulDim(ch, b * b), quotientOfDims([h], [b]), quotientOfDims([w], [b])];
    return [{ dtype: x.dtype, shape }];
  };
}

/** Rules of this family, keyed by op type. */
export const TENSOR_RULES: Record<string, InferFn> = {
  Flatten: flatten,
  Reshape: reshape,
  Transpose: transpose,
  Squeeze: squeeze,
  Unsqueeze: unsqueeze,
  Expand: expand,
  Tile: tile,
  Resize: resize,
  DepthToSpace: blockRule(true),
  SpaceToDepth: blockRule(false),
};
