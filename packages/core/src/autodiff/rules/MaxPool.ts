/**
 * MaxPool: Y[n, c, o] = max over the window of o; Indices[n, c, o] = flat index of the
 * chosen element. dX receives each dY at the element its window chose, summed where
 * overlapping windows (e.g. 3x3 stride 2) chose the same element. MaxUnpool is not
 * usable: it overwrites instead of summing.
 *
 * Indices, checked on ONNX Runtime 1.30 (2x2x3x3 input, values 0..35, 2x2 kernel: indices
 * 4,5,7,8, 13,14,16,17, 22,...,35; and with pads, plane (n,c) = (0,1) of a 2x2x4x4 input
 * gets 17, 19, 24, 31): they are flattened over the whole N*C*H*W tensor, not per (n, c)
 * plane, and refer to the unpadded input. Ties go to the first maximum in window scan
 * order (ONNX Runtime's strict `>`), and so do the gradients below.
 *
 * Opset >= 16: dX = Reshape(ScatterElements(zeros[N*C*H*W], Indices, dY, reduction='add')).
 * Opset 13-15 (no reduction on ScatterElements): from Indices, the window offset
 * q = sum_a t_a * prod(k[a+1:]) with t_a = (coord_a + pb_a - o_a*s_a) / d_a of the chosen
 * element, a one-hot [N*C, K = prod(k), *O] of dY at q, and a ConvTranspose with the
 * identity kernel E[q, 0, t] = [q == flat(t)] (same strides, dilations, pads), which
 * scatter-adds offset q of window o to input position o*s + t*d - pb. Both forms route
 * exactly the same elements; the second costs K times dY's memory and is float32-only on
 * ONNX Runtime's CPU provider (no double ConvTranspose).
 *
 * A node without the Indices output is recomputed with two outputs. That is the costly
 * part: ONNX Runtime's MaxPool with Indices runs a generic kernel, ~16x slower than the
 * plain one (1x64x112x112, 3x3 stride 2, one thread: 21 ms against 1.3 ms; the scatter
 * adds ~4 ms). Index-free routing from strided slices of X measured slower still (the
 * slices alone 40 ms). storage_order 1 (column-major indices) is rejected.
 */
import { tensorAttr } from '../../onnx/builder.ts';
import { isStatic } from '../../onnx/shape/broadcast.ts';
import { tensor } from '../../onnx/tensor.ts';
import type { GradContext, GradRule } from '../types.ts';
import type { WindowGeometry } from '../window-geometry.ts';
import { floorOutSize, shapeFrom, spatialSizes, transposeToInput, windowGeometry } from '../window-geometry.ts';

function scatterAdd(ctx: GradContext, x: string, indices: string, dy: string): string {
  const { b } = ctx;
  const size = b.unsqueeze(b.op1('Size', [x]), [0]);
  const zeros = b.op1('ConstantOfShape', [size], { value: tensorAttr(tensor(ctx.dtype(x), [1], [0])) });
  const flat = b.op1('ScatterElements', [zeros, b.reshape(indices, [-1]), b.reshape(dy, [-1])], { axis: 0, reduction: 'add' });
  const shape = ctx.shape(x);
  return b.reshape(flat, isStatic(shape) ? shape : b.shape(x));
}

/** Element `a` of a static list or of an int64 [r] graph vector, as a broadcastable int64 [1]. */
function entry(ctx: GradContext, v: number[] | string, a: number): string {
  return typeof v === 'string' ? ctx.b.op1('Slice', [v, ctx.b.int64s([a]), ctx.b.int64s([a + 1]), ctx.b.int64s([0])]) : ctx.b.int64s([v[a]]);
}

function oneHotTranspose(ctx: GradContext, x: string, y: string, indices: string, dy: string, geo: WindowGeometry, ceil: boolean): string {
  const { b } = ctx;
  const { r, kernel, strides, dilations } = geo;
  const inSize = spatialSizes(ctx, x);
  const outSize = spatialSizes(ctx, y);
  const begin = geo.pads ? geo.pads.slice(0, r) : (geo.dynPads as { begin: string }).begin;
  const K = kernel.reduce((p, k) => p * k, 1);
  let q: string | undefined;
  // Row-major stride of axis a inside one plane: static while the input sizes are.
  let inStride: number | string = 1;
  let kStride = 1;
  for (let a = r - 1; a >= 0; a--) {
    const n = entry(ctx, inSize, a);
    const shifted = inStride === 1 ? indices : b.op1('Div', [indices, typeof inStride === 'number' ? b.int64s([inStride]) : inStride]);
    const coord = b.op1('Mod', [shifted, n]);
    // Output positions along axis a, shaped to broadcast over [N, C, *O].
    const o = b.op1('Range', [b.int64s([0], []), b.squeeze(entry(ctx, outSize, a), [0]), b.int64s([1], [])]);
    const grid = b.reshape(o, [-1, ...new Array<number>(r - 1 - a).fill(1)]);
    const rel = b.add(coord, b.sub(entry(ctx, begin, a), b.mul(grid, b.int64s([strides[a]]))));
    const t = dilations[a] === 1 ? rel : b.op1('Div', [rel, b.int64s([dilations[a]])]);
    const term = kStride === 1 ? t : b.mul(t, b.int64s([kStride]));
    q = q === undefined ? term : b.add(q, term);
    inStride = typeof inSize === 'string' ? b.mul(typeof inStride === 'number' ? b.int64s([inStride]) : inStride, n) : (inStride as number) * inSize[a];
    kStride *= kernel[a];
  }
  const offsets = b.constant(tensor('int64', [1, 1, K, ...new Array<number>(r).fill(1)], Array.from({ length: K }, (_, i) => i)), 'offsets');
  const hot = b.op1('Equal', [b.unsqueeze(q as string, [2]), offsets]);
  const spread = b.op1('Where', [hot, b.unsqueeze(dy, [2]), ctx.scalarLike(0, x)]);
  const planes = b.reshape(spread, shapeFrom(b, [[-1, K], outSize]));
  const eye = new Array<number>(K * K).fill(0);
  for (let i = 0; i < K; i++) eye[i * K + i] = 1;
  const kernelEye = b.constant(tensor(ctx.dtype(x), [K, 1, ...kernel], eye), 'eye');
  const dx = transposeToInput(ctx, planes, kernelEye, geo, x, 1, ceil ? undefined : floorOutSize(geo));
  return b.reshape(dx, b.shape(x));
}

export const MaxPool: GradRule = {
  opType: 'MaxPool',
  grad(ctx) {
    const [x] = ctx.node.inputs;
    const dy = ctx.dy[0] as string;
    if (ctx.attrInt('storage_order', 0) !== 0) return ctx.fail('storage_order 1 (column-major indices) is not supported');
    const kernel = ctx.attrInts('kernel_shape');
    if (!kernel) return ctx.fail('kernel_shape is missing');
    const indices = ctx.node.outputs[1] || ctx.b.op('MaxPool', [x], { ...ctx.node.attributes }, { outputs: 2 })[1];
    if (ctx.opset >= 16) return [scatterAdd(ctx, x, indices, dy)];
    const geo = windowGeometry(ctx, x, kernel);
    return [oneHotTranspose(ctx, x, ctx.node.outputs[0], indices, dy, geo, ctx.attrInt('ceil_mode', 0) === 1)];
  },
};
