/**
 * Resize (opset 13+), modes nearest and linear, on the last two axes (H, W of NCHW, or
 * the last axis), with constant scales or sizes. Along a resized axis Y = A X with a
 * constant A [out, in] (see resize-matrix.ts), so dX = A_H^T dY A_W.
 *
 * Nearest with an integer upscale whose output blocks are contiguous copies of one input
 * element (asymmetric + floor, tf_half_pixel_for_nn + floor, half_pixel /
 * pytorch_half_pixel / half_pixel_symmetric + round_prefer_floor / round_prefer_ceil):
 * dX is the sum over each s-block, Reshape [.., H, sH, W, sW] + ReduceSum, which needs
 * no static sizes. Every other case (fractional or downscaling factors, align_corners,
 * linear) uses the matrices, applied with MatMul: dY @ A_W, then A_H^T @ that. They need
 * static input sizes on the resized axes.
 *
 * Rejected: cubic mode, tf_crop_and_resize, antialias, keep_aspect_ratio_policy other
 * than stretch, resizing N or C, scales/sizes computed at run time.
 */
import { tensor, toNumbers } from '../../onnx/tensor.ts';
import { RESIZE_COORDINATE_MODES, resizeMatrix } from '../resize-matrix.ts';
import type { GradContext, GradRule } from '../types.ts';
import { shapeFrom, shapeSlice } from '../window-geometry.ts';

interface AxisPlan {
  axis: number;
  scale: number;
  inSize?: number;
  outSize?: number;
}

/** Scale and output size of every axis, from constant scales or sizes (axes attribute aware). */
function plan(ctx: GradContext, x: string, rank: number): AxisPlan[] {
  const [, , scalesIn, sizesIn] = ctx.node.inputs;
  const inShape = ctx.shape(x);
  const axes = (ctx.attrInts('axes') ?? Array.from({ length: rank }, (_, i) => i)).map((a) => (a < 0 ? a + rank : a));
  const scales = scalesIn ? ctx.constant(scalesIn) : undefined;
  const sizes = sizesIn ? ctx.constant(sizesIn) : undefined;
  const plans: AxisPlan[] = Array.from({ length: rank }, (_, axis) => {
    const d = inShape?.[axis];
    return { axis, scale: 1, inSize: typeof d === 'number' ? d : undefined };
  });
  if (scales && scales.data.length > 0) {
    toNumbers(scales).forEach((s, k) => {
      const p = plans[axes[k]];
      p.scale = Math.fround(s);
      if (p.inSize !== undefined) p.outSize = Math.trunc(Math.fround(p.scale * p.inSize));
    });
  } else if (sizes && sizes.data.length > 0) {
    toNumbers(sizes).forEach((n, k) => {
      const p = plans[axes[k]];
      p.outSize = n;
      if (p.inSize === undefined) ctx.fail(`output sizes need a static input size on axis ${axes[k]}`);
      p.scale = Math.fround(n / p.inSize);
    });
  } else if (sizesIn && !scales?.data.length) {
    // Sizes computed in the graph (e.g. from Shape(input), as PyTorch exports interpolate):
    // the inferred output shape gives them when it is static; ONNX then uses scale = out / in.
    const outShape = ctx.shape(ctx.node.outputs[0]);
    for (const axis of axes) {
      const p = plans[axis];
      const o = outShape?.[axis];
      const i = inShape?.[axis];
      if (typeof o === 'number' && typeof i === 'number') {
        p.outSize = o;
        p.scale = Math.fround(o / i);
      } else if (o === undefined || o === null || o !== i) {
        return ctx.fail(`output size of axis ${axis} is not known statically`);
      }
    }
  } else {
    return ctx.fail('scales or sizes must be constants');
  }
  for (const p of plans) if (p.scale === 1 && (p.inSize === undefined || p.outSize === undefined)) p.outSize = p.inSize;
  return plans;
}

const BLOCK_MODES: Record<string, readonly string[]> = {
  asymmetric: ['floor'],
  tf_half_pixel_for_nn: ['floor'],
  half_pixel: ['round_prefer_floor', 'round_prefer_ceil'],
  pytorch_half_pixel: ['round_prefer_floor', 'round_prefer_ceil'],
  half_pixel_symmetric: ['round_prefer_floor', 'round_prefer_ceil'],
};

function blockSum(ctx: GradContext, x: string, dy: string, rank: number, resized: AxisPlan[]): string {
  const { b } = ctx;
  const first = resized[0].axis;
  const parts: (number[] | string)[] = [];
  const sumAxes: number[] = [];
  for (let axis = 0; axis < rank; axis++) {
    const p = resized.find((r) => r.axis === axis);
    const size = ctx.shape(x)?.[axis];
    const dim = axis < first ? [0] : typeof size === 'number' ? [size] : shapeSlice(b, x, axis, axis + 1);
    parts.push(dim);
    if (p) {
      sumAxes.push(parts.length);
      parts.push([p.scale]);
    }
  }
  // Output index o*s + t of a block maps to input o: split each resized axis into (in, s).
  const split = b.reshape(dy, shapeFrom(b, parts));
  return b.reduceSum(split, sumAxes, false);
}

function matrices(ctx: GradContext, x: string, dy: string, rank: number, resized: AxisPlan[], mode: 'nearest' | 'linear'): string {
  const { b } = ctx;
  const ctm = ctx.attrString('coordinate_transformation_mode', 'half_pixel');
  const nearestMode = ctx.attrString('nearest_mode', 'round_prefer_floor');
  const dtype = ctx.dtype(x);
  let g = dy;
  for (const p of [...resized].sort((u, v) => v.axis - u.axis)) {
    if (p.inSize === undefined || p.outSize === undefined) return ctx.fail(`axis ${p.axis} needs a static size for this resize`);
    const a = resizeMatrix({ mode, ctm, nearestMode, inSize: p.inSize, outSize: p.outSize, scale: p.scale });
    if (p.axis === rank - 1) {
      g = b.op1('MatMul', [g, b.constant(tensor(dtype, [p.outSize, p.inSize], a), 'resize_w')]);
    } else {
      const t = new Float64Array(a.length);
      for (let o = 0; o < p.outSize; o++) for (let i = 0; i < p.inSize; i++) t[i * p.outSize + o] = a[o * p.inSize + i];
      g = b.op1('MatMul', [b.constant(tensor(dtype, [p.inSize, p.outSize], t), 'resize_ht'), g]);
    }
  }
  return g;
}

export const Resize: GradRule = {
  opType: 'Resize',
  grad(ctx) {
    const [x] = ctx.node.inputs;
    const dy = ctx.dy[0] as string;
    const mode = ctx.attrString('mode', 'nearest');
    if (mode !== 'nearest' && mode !== 'linear') return ctx.fail(`mode '${mode}' is not supported`);
    const ctm = ctx.attrString('coordinate_transformation_mode', 'half_pixel');
    if (!RESIZE_COORDINATE_MODES.has(ctm)) return ctx.fail(`coordinate_transformation_mode '${ctm}' is not supported`);
    if (ctx.attrInt('antialias', 0) !== 0) return ctx.fail('antialias is not supported');
    if (ctx.attrString('keep_aspect_ratio_policy', 'stretch') !== 'stretch') return ctx.fail('keep_aspect_ratio_policy other than stretch is not supported');
    const rank = ctx.rank(x);
    if (rank === undefined) return ctx.fail('input rank must be known');
    const resized = plan(ctx, x, rank).filter((p) => p.scale !== 1 || p.outSize !== p.inSize);
    if (resized.length === 0) return [dy, null, null, null];
    if (resized.some((p) => p.axis < rank - 2)) return ctx.fail('only the last two axes may be resized');
    const nearestMode = ctx.attrString('nearest_mode', 'round_prefer_floor');
    const block = mode === 'nearest'
      && (BLOCK_MODES[ctm] ?? []).includes(nearestMode)
      && resized.every((p) => Number.isInteger(p.scale) && p.scale > 1 && (p.inSize === undefined || p.outSize === p.inSize * p.scale));
    return [block ? blockSum(ctx, x, dy, rank, resized) : matrices(ctx, x, dy, rank, resized, mode), null, null, null];
  },
};
