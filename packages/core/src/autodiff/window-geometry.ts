/**
 * Geometry shared by the gradients of sliding-window ops (Conv, ConvTranspose, MaxPool,
 * AveragePool): resolution of kernel, strides, dilations and pads (auto_pad included),
 * and the adjoint "ConvTranspose back to the input's size" that every dX of a strided
 * window op needs. Sizes are used statically where known and computed in the graph
 * otherwise, so symbolic batch and spatial sizes work.
 *
 * Along one spatial axis with input size `in`, kernel k, stride s, dilation d and pads
 * (pb, pe), output o reads input positions o*s + t*d - pb for t = 0..k-1.
 */
import { tensorAttr } from '../onnx/builder.ts';
import type { GraphBuilder } from '../onnx/builder.ts';
import { isStatic } from '../onnx/shape/broadcast.ts';
import { tensor } from '../onnx/tensor.ts';
import type { GradContext } from './types.ts';

/** Resolved window attributes of one node. */
export interface WindowGeometry {
  /** Number of spatial axes. */
  r: number;
  kernel: number[];
  strides: number[];
  dilations: number[];
  /** Pads [begin..., end...] when known statically. */
  pads?: number[];
  /** Begin and end pads as int64 [r] graph values when they depend on runtime sizes (auto_pad SAME). */
  dynPads?: { begin: string; end: string };
  /** Spatial sizes of the input when static. */
  inSize?: number[];
}

/** Spatial sizes of `x` ([N, C, *spatial]) when all are known numbers. */
export function staticSpatial(ctx: GradContext, x: string): number[] | undefined {
  const s = ctx.shape(x)?.slice(2);
  return isStatic(s) ? s : undefined;
}

/** `Shape(x)[start:end]` as an int64 vector (Shape's start/end attributes exist from opset 15). */
export function shapeSlice(b: GraphBuilder, x: string, start: number, end?: number): string {
  if (b.opset >= 15) return b.op1('Shape', [x], { start, end });
  const ends = end === undefined ? Number.MAX_SAFE_INTEGER : end;
  return b.op1('Slice', [b.shape(x), b.int64s([start]), b.int64s([ends]), b.int64s([0])]);
}

/** A 1-D int64 shape assembled from static numbers and int64 vectors computed in the graph. */
export function shapeFrom(b: GraphBuilder, parts: (number[] | string)[]): string {
  const flat = parts.flatMap((p): (number | string)[] => (typeof p === 'string' ? [p] : p));
  if (flat.every((p) => typeof p === 'number')) return b.int64s(flat as number[]);
  const pieces: string[] = [];
  let run: number[] = [];
  for (const p of flat) {
    if (typeof p === 'number') run.push(p);
    else {
      if (run.length) pieces.push(b.int64s(run));
      run = [];
      pieces.push(p);
    }
  }
  if (run.length) pieces.push(b.int64s(run));
  return pieces.length === 1 ? pieces[0] : b.op1('Concat', pieces, { axis: 0 });
}

/** Spatial sizes of `x` as static numbers or an int64 vector computed in the graph. */
export function spatialSizes(ctx: GradContext, x: string): number[] | string {
  return staticSpatial(ctx, x) ?? shapeSlice(ctx.b, x, 2);
}

/**
 * Resolves kernel, strides, dilations and pads of a window op whose input is `x`.
 * `kernel` comes from the caller (kernel_shape or the weight's shape). auto_pad SAME_*
 * follows the ONNX formula total = max(0, (ceil(in/s) - 1)*s + (k-1)*d + 1 - in), the
 * odd unit at the end for SAME_UPPER and at the beginning for SAME_LOWER; with unknown
 * input sizes that arithmetic is emitted into the graph.
 */
export function windowGeometry(ctx: GradContext, x: string, kernel: number[]): WindowGeometry {
  const r = kernel.length;
  const strides = ctx.attrInts('strides') ?? new Array<number>(r).fill(1);
  const dilations = ctx.attrInts('dilations') ?? new Array<number>(r).fill(1);
  if (strides.length !== r || dilations.length !== r) return ctx.fail(`strides/dilations do not have ${r} entries`);
  const inSize = staticSpatial(ctx, x);
  const autoPad = ctx.attrString('auto_pad', 'NOTSET');
  const geo: WindowGeometry = { r, kernel, strides, dilations, inSize };
  if (autoPad === 'NOTSET') {
    const pads = ctx.attrInts('pads') ?? new Array<number>(2 * r).fill(0);
    if (pads.length !== 2 * r) return ctx.fail(`pads has ${pads.length} entries, expected ${2 * r}`);
    if (pads.some((p) => p < 0)) return ctx.fail('negative pads are not supported');
    geo.pads = pads;
  } else if (autoPad === 'VALID') {
    geo.pads = new Array<number>(2 * r).fill(0);
  } else if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') {
    const upper = autoPad === 'SAME_UPPER';
    const keff = kernel.map((k, i) => (k - 1) * dilations[i] + 1);
    if (inSize) {
      const begin: number[] = [];
      const end: number[] = [];
      inSize.forEach((n, i) => {
        const total = Math.max(0, (Math.ceil(n / strides[i]) - 1) * strides[i] + keff[i] - n);
        const head = upper ? Math.floor(total / 2) : Math.ceil(total / 2);
        begin.push(head);
        end.push(total - head);
      });
      geo.pads = [...begin, ...end];
    } else {
      const { b } = ctx;
      const n = shapeSlice(b, x, 2);
      const s = b.int64s(strides);
      const out = b.div(b.add(n, b.int64s(strides.map((v) => v - 1))), s);
      const need = b.sub(b.add(b.mul(b.sub(out, b.int64s(new Array<number>(r).fill(1))), s), b.int64s(keff)), n);
      const total = b.op1('Max', [need, b.int64s(new Array<number>(r).fill(0))]);
      const two = b.int64s(new Array<number>(r).fill(2));
      const begin = upper ? b.div(total, two) : b.div(b.add(total, b.int64s(new Array<number>(r).fill(1))), two);
      geo.dynPads = { begin, end: b.sub(total, begin) };
    }
  } else {
    return ctx.fail(`auto_pad '${autoPad}' is not supported`);
  }
  return geo;
}

/** Output sizes of a window op with floor rounding (Conv, and pools with ceil_mode 0), when static. */
export function floorOutSize(geo: WindowGeometry): number[] | undefined {
  const { inSize, pads } = geo;
  if (!inSize || !pads) return undefined;
  return inSize.map((n, i) => Math.floor((n + pads[i] + pads[i + geo.r] - (geo.kernel[i] - 1) * geo.dilations[i] - 1) / geo.strides[i]) + 1);
}

/** Slice of `x` along the spatial axes 2.. from `starts` to `ends` (static or graph int64 vectors). */
export function sliceSpatial(b: GraphBuilder, x: string, r: number, starts: number[] | string, ends: number[] | string): string {
  const axes = Array.from({ length: r }, (_, i) => i + 2);
  const st = typeof starts === 'string' ? starts : b.int64s(starts);
  const en = typeof ends === 'string' ? ends : b.int64s(ends);
  return b.op1('Slice', [x, st, en, b.int64s(axes)]);
}

/**
 * The adjoint of a strided window op with respect to its input:
 * `ConvTranspose(dy [N', M, *O], w [M, C'/group, *k])` with the forward strides,
 * dilations and group, cropped to exactly the spatial size of `x`. `outSize` (the
 * forward output's spatial size under floor rounding) enables the exact single-node
 * form: pads and output_padding chosen so ConvTranspose itself yields X's size.
 * Otherwise the full transposed output (begin pad applied, output_padding s-1 so it is
 * never short) is sliced to X's runtime size.
 */
export function transposeToInput(
  ctx: GradContext,
  dy: string,
  w: string,
  geo: WindowGeometry,
  x: string,
  group: number,
  outSize?: number[],
): string {
  const { b } = ctx;
  const { r, strides, dilations, kernel } = geo;
  const attrs = { strides, dilations, group, kernel_shape: kernel };
  if (geo.pads && geo.inSize && outSize) {
    const { pads, inSize } = geo;
    const end: number[] = [];
    const outPad: number[] = [];
    for (let i = 0; i < r; i++) {
      // Full transposed length minus the begin pad, against the input length. The floor
      // rounding of outSize keeps a shortfall below the stride, as ONNX Runtime requires
      // of output_padding.
      const surplus = (outSize[i] - 1) * strides[i] + (kernel[i] - 1) * dilations[i] + 1 - pads[i] - inSize[i];
      end.push(Math.max(0, surplus));
      outPad.push(Math.max(0, -surplus));
    }
    return b.op1('ConvTranspose', [dy, w], { ...attrs, pads: [...pads.slice(0, r), ...end], output_padding: outPad });
  }
  const zeros = new Array<number>(r).fill(0);
  const begin = geo.pads ? geo.pads.slice(0, r) : zeros;
  const full = b.op1('ConvTranspose', [dy, w], { ...attrs, pads: [...begin, ...zeros], output_padding: strides.map((s) => s - 1) });
  const size = geo.inSize ?? shapeSlice(b, x, 2);
  if (geo.dynPads) {
    const start = geo.dynPads.begin;
    return sliceSpatial(b, full, r, start, b.add(start, typeof size === 'string' ? size : b.int64s(size)));
  }
  return sliceSpatial(b, full, r, zeros, size);
}

/** A constant tensor of ones [dims] of the dtype of `like` (a forward value). */
export function onesConstant(ctx: GradContext, like: string, dims: number[]): string {
  const n = dims.reduce((a, d) => a * d, 1);
  return ctx.b.constant(tensor(ctx.dtype(like), dims, new Array<number>(n).fill(1)), 'ones');
}

/** A tensor of ones with a shape given as an int64 vector, of the dtype of `like`. */
export function onesOfShape(ctx: GradContext, like: string, shape: string): string {
  return ctx.b.op1('ConstantOfShape', [shape], { value: tensorAttr(tensor(ctx.dtype(like), [1], [1])) });
}

/** Kernel spatial size from kernel_shape or the static shape of the weight. */
export function kernelOf(ctx: GradContext, w: string): number[] {
  const fromAttr = ctx.attrInts('kernel_shape');
  if (fromAttr) return fromAttr;
  const ws = ctx.shape(w)?.slice(2);
  if (!ws || !ws.every((d) => typeof d === 'number')) return ctx.fail('kernel size unknown: needs kernel_shape or a weight of static shape');
  return ws as number[];
}

/** Perm that swaps the first two axes of a rank-(r+2) tensor. */
export function swapNC(r: number): number[] {
  return [1, 0, ...Array.from({ length: r }, (_, i) => i + 2)];
}

/**
 * Regroups `x` [N, C, *sp] as [C/group, group*N, *sp] with out[c, g*N + n] = x[n, g*(C/group) + c]:
 * the layout in which a grouped Conv over "batch as channels" sees group g's channels.
 * `sizeLike` is a forward value with x's shape (backward values have no inferred shape).
 */
export function groupAsChannels(ctx: GradContext, x: string, r: number, group: number, channelsPerGroup: number | string, sizeLike = x): string {
  const { b } = ctx;
  if (group === 1) return b.transpose(x, swapNC(r));
  const cg = typeof channelsPerGroup === 'number' ? [channelsPerGroup] : channelsPerGroup;
  const split = b.reshape(x, shapeFrom(b, [[0, group], cg, [-1]]));
  const moved = b.transpose(split, [2, 1, 0, 3]);
  return b.reshape(moved, shapeFrom(b, [cg, [-1], spatialSizes(ctx, sizeLike)]));
}
