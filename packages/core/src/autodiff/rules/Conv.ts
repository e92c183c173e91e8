/**
 * Conv: Y[n, m, o] = B[m] + sum_{c, t} X[n, g*Cg + c, o*s + t*d - pb] W[m, c, t], with
 * X [N, C, *in], W [M, Cg = C/group, *k], Y [N, M, *O], g = m / (M/group).
 *
 * dX[n, g*Cg + c, i] = sum_{m in g, t} dY[n, m, (i - t*d + pb)/s] W[m, c, t]:
 *   stride 1: a Conv of dY with W flipped spatially and read as [C, M/group, *k] per
 *     group, pads ((k-1)*d - pb, (k-1)*d - pe); it yields X's size by itself.
 *   strided with groups (depthwise above all): zero insertion, then the stride-1 form. A
 *     ConvTranspose of dY with a 1x1 kernel of ones (one group per channel) places dY[o]
 *     at o*s with zeros between; a Conv with the flipped kernel, begin pads
 *     (k-1)*d - pb and end pads chosen to yield X's size, finishes the adjoint. ONNX
 *     Runtime's grouped ConvTranspose runs one small GEMM and col2im per group (6.7 ms for
 *     a 96-channel depthwise 3x3 stride-2 layer at 112x112 against 2.9 ms this way).
 *     Dense kernels keep ConvTranspose: one large GEMM, faster than these rewrites
 *     (a polyphase split into s*s stride-1 Convs interleaved by DepthToSpace was measured
 *     and lost: DepthToSpace alone costs about as much as the ConvTranspose).
 *   otherwise: ConvTranspose(dY, W) with the forward strides, dilations, group and pads,
 *     output_padding chosen to yield X's size (see transposeToInput).
 *   The Conv forms are used where possible because ONNX Runtime's CPU ConvTranspose is
 *   ~2x slower than Conv for dense and ~8x for depthwise kernels (measured
 *   single-threaded on 3x3 layers at 56x56, ONNX Runtime 1.30), and because a Conv
 *   whose weight is constant (inference graphs: ONNX Runtime folds the weight
 *   rearrangement) runs in its blocked NCHWc kernels, as the forward convolutions do.
 * dW[m, c, t] = sum_{n, o} dY[n, m, o] X[n, g*Cg + c, t*d + o*s - pb]:
 *   1x1 kernel, group 1, no pads: a MatMul dY [N, M, P] @ Xs^T [N, P, C] summed over N,
 *     Xs = X[..., ::s] (4-25x faster than the Conv form on 1x1 layers, same measurement).
 *   group 1, static sizes, at most 27 taps: the same per kernel tap t, with Xs the strided
 *     window of the padded X that tap t reads, t*d + o*s for o < O; the taps' [M, C]
 *     results are stacked and laid out as [M, C, *k]. Measured 2.0-2.2x faster than the
 *     Conv form on 3x3 layers with batch 32 (ONNX Runtime's im2col of the Conv form with
 *     an O-sized kernel dominates it).
 *   otherwise: a Conv whose batch is X's channels and whose kernel is dY, strides and
 *     dilations swapped: Conv(Xr [Cg, group*N, *in], dYt [M, N, *O], group) gives
 *     [Cg, M, *k], transposed to [M, Cg, *k]. Xr[c, g*N + n] = X[n, g*Cg + c], so group g
 *     of that Conv sees exactly group g's data; X is padded or cropped at the end so the
 *     Conv yields exactly k positions.
 * dB = ReduceSum(dY) over N and the spatial axes.
 */
import type { GradContext, GradRule } from '../types.ts';
import type { WindowGeometry } from '../window-geometry.ts';
import { tensor } from '../../onnx/tensor.ts';
import { floorOutSize, groupAsChannels, kernelOf, shapeFrom, shapeSlice, sliceSpatial, swapNC, transposeToInput, windowGeometry } from '../window-geometry.ts';

/** Channels per group of W [M, Cg, *k]: static, or Shape(W)[1] in the graph. */
function channelsPerGroup(ctx: GradContext, w: string): number | string {
  const d = ctx.shape(w)?.[1];
  return typeof d === 'number' ? d : ctx.b.op1('Slice', [ctx.b.shape(w), ctx.b.int64s([1]), ctx.b.int64s([2]), ctx.b.int64s([0])]);
}

/** W [M, Cg, *k] read as the weight of the adjoint Conv, not flipped: [C, M/group, *k], group-major. */
function swappedWeight(ctx: GradContext, w: string, kernel: number[], group: number): string {
  const { b } = ctx;
  const r = kernel.length;
  if (group === 1) return b.transpose(w, swapNC(r));
  const spatial = Array.from({ length: r }, (_, i) => i + 2);
  const cg = channelsPerGroup(ctx, w);
  const cgPart = typeof cg === 'number' ? [cg] : cg;
  const split = b.reshape(w, shapeFrom(b, [[group, -1], cgPart, kernel]));
  const moved = b.transpose(split, [0, 2, 1, ...spatial.map((a) => a + 1)]);
  const c = typeof cg === 'number' ? [group * cg] : b.mul(cg, b.int64s([group]));
  return b.reshape(moved, shapeFrom(b, [c, [-1], kernel]));
}

/** Reverses the axes `axes` of `x`. */
function flip(ctx: GradContext, x: string, axes: number[]): string {
  const { b } = ctx;
  const ends = axes.map(() => -Number.MAX_SAFE_INTEGER);
  return b.op1('Slice', [x, b.int64s(axes.map(() => -1)), b.int64s(ends), b.int64s(axes), b.int64s(axes.map(() => -1))]);
}

/** W [M, Cg, *k] as the weight of the adjoint Conv: [C, M/group, *k] per group, spatially flipped. */
function flippedWeight(ctx: GradContext, w: string, kernel: number[], group: number): string {
  return flip(ctx, swappedWeight(ctx, w, kernel, group), Array.from({ length: kernel.length }, (_, i) => i + 2));
}

/**
 * dX of a strided grouped Conv as zero insertion followed by a stride-1 Conv (see the
 * header). Needs static pads, input size and channel count, no pad beyond the dilated
 * kernel; returns null otherwise.
 */
function zeroInsertedInputGrad(ctx: GradContext, w: string, dy: string, geo: WindowGeometry, group: number): string | null {
  const { b } = ctx;
  const { kernel, strides, dilations, pads, inSize } = geo;
  const out = floorOutSize(geo);
  const m = ctx.shape(w)?.[0];
  if (!pads || !inSize || !out || typeof m !== 'number') return null;
  const reach = kernel.map((k, i) => (k - 1) * dilations[i]);
  // Zero-inserted length L = (O - 1)*s + 1; the Conv reads it with begin pad reach - pb
  // and end pad in + pb - L, so that it yields exactly `in` positions.
  const begin = reach.map((v, i) => v - pads[i]);
  const end = inSize.map((n, i) => n + pads[i] - ((out[i] - 1) * strides[i] + 1));
  if (begin.some((v) => v < 0) || end.some((v) => v < 0)) return null;
  const ones = b.constant(tensor(ctx.dtype(w), [m, 1, ...kernel.map(() => 1)], new Array<number>(m).fill(1)), 'ones');
  const spread = b.op1('ConvTranspose', [dy, ones], { strides, group: m });
  return b.op1('Conv', [spread, flippedWeight(ctx, w, kernel, group)], { dilations, group, pads: [...begin, ...end] });
}

function inputGrad(ctx: GradContext, x: string, w: string, dy: string, geo: WindowGeometry, group: number): string {
  const { r, kernel, dilations, pads } = geo;
  const reach = kernel.map((k, i) => (k - 1) * dilations[i]);
  if (pads && geo.strides.every((s) => s === 1) && pads.every((p, i) => p <= reach[i % r])) {
    const adjoint = pads.map((p, i) => reach[i % r] - p);
    return ctx.b.op1('Conv', [dy, flippedWeight(ctx, w, kernel, group)], { dilations, group, pads: adjoint });
  }
  const zeroInserted = group > 1 ? zeroInsertedInputGrad(ctx, w, dy, geo, group) : null;
  if (zeroInserted) return zeroInserted;
  return transposeToInput(ctx, dy, w, geo, x, group, floorOutSize(geo));
}

function pointwiseWeightGrad(ctx: GradContext, x: string, w: string, dy: string, geo: WindowGeometry): string {
  const { b } = ctx;
  const { r, strides } = geo;
  const spatial = Array.from({ length: r }, (_, i) => i + 2);
  const xs = strides.every((s) => s === 1)
    ? x
    : b.op1('Slice', [x, b.int64s(spatial.map(() => 0)), b.int64s(spatial.map(() => Number.MAX_SAFE_INTEGER)), b.int64s(spatial), b.int64s(strides)]);
  const prod = b.op1('MatMul', [b.reshape(dy, [0, 0, -1]), b.transpose(b.reshape(xs, [0, 0, -1]), [0, 2, 1])]);
  return b.reshape(b.reduceSum(prod, [0], false), b.shape(w));
}

/** Kernel taps up to which the tap-wise weight gradient is used (beyond, the Conv form). */
const MAX_TAPWISE_TAPS = 27;

/**
 * dW of a group-1 Conv as one batched MatMul per kernel tap (see the header); null when
 * pads or output sizes are not static or the kernel has too many taps.
 */
function tapwiseWeightGrad(ctx: GradContext, x: string, w: string, dy: string, geo: WindowGeometry): string | null {
  const { b } = ctx;
  const { r, kernel, strides, dilations, pads } = geo;
  const out = floorOutSize(geo);
  const taps = kernel.reduce((a, k) => a * k, 1);
  if (!pads || !out || taps > MAX_TAPWISE_TAPS) return null;
  const spatial = Array.from({ length: r }, (_, i) => i + 2);
  const padded = pads.some((p) => p > 0) ? b.op1('Pad', [x, b.int64s([0, 0, ...pads.slice(0, r), 0, 0, ...pads.slice(r)])]) : x;
  const dyFlat = b.reshape(dy, [0, 0, -1]);
  const perTap: string[] = [];
  for (let t = 0; t < taps; t++) {
    // Tap t = (t_0, ..., t_{r-1}) in row-major order, matching W's [M, C, *k] layout.
    const index: number[] = [];
    let rest = t;
    for (let i = r - 1; i >= 0; i--) {
      index[i] = rest % kernel[i];
      rest = Math.floor(rest / kernel[i]);
    }
    const starts = index.map((v, i) => v * dilations[i]);
    const ends = starts.map((v, i) => v + (out[i] - 1) * strides[i] + 1);
    const window = b.op1('Slice', [padded, b.int64s(starts), b.int64s(ends), b.int64s(spatial), b.int64s(strides)]);
    const prod = b.op1('MatMul', [dyFlat, b.transpose(b.reshape(window, [0, 0, -1]), [0, 2, 1])]);
    perTap.push(b.reduceSum(prod, [0], true));
  }
  const stacked = perTap.length === 1 ? perTap[0] : b.op1('Concat', perTap, { axis: 0 });
  return b.reshape(b.transpose(stacked, [1, 2, 0]), b.shape(w));
}

function weightGrad(ctx: GradContext, x: string, w: string, y: string, dy: string, geo: WindowGeometry, group: number): string {
  const { b } = ctx;
  const { r, kernel, strides, dilations } = geo;
  if (group === 1 && kernel.every((k) => k === 1) && geo.pads?.every((p) => p === 0)) return pointwiseWeightGrad(ctx, x, w, dy, geo);
  const tapwise = group === 1 ? tapwiseWeightGrad(ctx, x, w, dy, geo) : null;
  if (tapwise) return tapwise;
  const keff = kernel.map((k, i) => (k - 1) * dilations[i] + 1);
  const zeros = new Array<number>(r).fill(0);
  // The Conv must read X exactly on [-pb, (O-1)*s + keff - pb): then its output is exactly k
  // long. The end of that range lies e = (O-1)*s + keff - pb - in past X's end: a positive e
  // is end padding, a negative e crops input that no window reads.
  let input = x;
  let pads: number[];
  const out = floorOutSize(geo);
  if (geo.pads && geo.inSize && out) {
    const { pads: p, inSize } = geo;
    const e = out.map((o, i) => (o - 1) * strides[i] + keff[i] - p[i] - inSize[i]);
    if (e.some((v) => v < 0)) input = sliceSpatial(b, x, r, zeros, inSize.map((n, i) => n + Math.min(e[i], 0)));
    pads = [...p.slice(0, r), ...e.map((v) => Math.max(v, 0))];
  } else {
    const begin = geo.pads ? b.int64s(geo.pads.slice(0, r)) : (geo.dynPads as { begin: string }).begin;
    const o = shapeSlice(b, y, 2);
    const e = b.sub(b.add(b.mul(b.sub(o, b.int64s(zeros.map(() => 1))), b.int64s(strides)), b.int64s(keff)), b.add(begin, shapeSlice(b, x, 2)));
    const head = geo.pads ? b.int64s(zeros) : begin;
    input = b.op1('Pad', [x, b.op1('Concat', [b.int64s([0, 0]), head, b.int64s([0, 0]), e], { axis: 0 })]);
    pads = [...(geo.pads ? geo.pads.slice(0, r) : zeros), ...zeros];
  }
  const xr = groupAsChannels(ctx, input, r, group, channelsPerGroup(ctx, w));
  const dyt = b.transpose(dy, swapNC(r));
  const gw = b.op1('Conv', [xr, dyt], { strides: dilations, dilations: strides, pads, group });
  return b.transpose(gw, swapNC(r));
}

export const Conv: GradRule = {
  opType: 'Conv',
  grad(ctx) {
    const { b } = ctx;
    const [x, w, bias] = ctx.node.inputs;
    const dy = ctx.dy[0] as string;
    const kernel = kernelOf(ctx, w);
    const group = ctx.attrInt('group', 1);
    const geo = windowGeometry(ctx, x, kernel);
    const dx = ctx.needs[0] ? inputGrad(ctx, x, w, dy, geo, group) : null;
    const dw = ctx.needs[1] ? weightGrad(ctx, x, w, ctx.node.outputs[0], dy, geo, group) : null;
    const db = bias && ctx.needs[2] ? b.reduceSum(dy, [0, ...Array.from({ length: geo.r }, (_, i) => i + 2)], false) : null;
    return [dx, dw, db];
  },
};
