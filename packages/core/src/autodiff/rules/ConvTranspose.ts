/**
 * ConvTranspose: Y[n, g*Mg + m, i*s + t*d - pb] += X[n, g*Cg + c, i] W[g*Cg + c, m, t] (+ B),
 * with X [N, C, *in], W [C, Mg, *k], Cg = C/group, Y [N, M = Mg*group, *out] and
 * out = s*(in - 1) + output_padding + (k-1)*d + 1 - pb - pe.
 *
 * dX[n, g*Cg + c, i] = sum_{m, t} dY[n, g*Mg + m, i*s + t*d - pb] W[g*Cg + c, m, t]: a Conv
 *      of dY with W read as [C out, Mg in, *k] (same group, strides, dilations, begin pad);
 *      the end pad max(0, pe - output_padding) makes it yield exactly `in` positions
 *      because output_padding < s.
 * dW[g*Cg + c, m, t] = sum_{n, i} X[n, g*Cg + c, i] dY[n, g*Mg + m, t*d + i*s - pb]: a Conv
 *      of dY regrouped as [Mg, group*N, *out] with X^T [C, N, *in] as the kernel
 *      (strides and dilations swapped), giving [Mg, C, *k'], sliced to k, transposed.
 * dB = ReduceSum(dY) over N and the spatial axes.
 *
 * Supported: explicit pads, auto_pad NOTSET/VALID, output_padding, groups, dilations.
 * output_shape and auto_pad SAME_* (whose pad split ONNX Runtime computes its own way)
 * are rejected.
 */
import type { GradContext, GradRule } from '../types.ts';
import { groupAsChannels, kernelOf, sliceSpatial, swapNC } from '../window-geometry.ts';

interface TransposeGeometry {
  r: number;
  kernel: number[];
  strides: number[];
  dilations: number[];
  pads: number[];
  outputPadding: number[];
}

function geometry(ctx: GradContext, kernel: number[]): TransposeGeometry {
  const r = kernel.length;
  if (ctx.attrInts('output_shape')) return ctx.fail('output_shape is not supported; export with explicit pads and output_padding');
  const autoPad = ctx.attrString('auto_pad', 'NOTSET');
  if (autoPad !== 'NOTSET' && autoPad !== 'VALID') return ctx.fail(`auto_pad '${autoPad}' is not supported`);
  const fill = (v: number, n: number): number[] => new Array<number>(n).fill(v);
  const strides = ctx.attrInts('strides') ?? fill(1, r);
  const dilations = ctx.attrInts('dilations') ?? fill(1, r);
  const pads = autoPad === 'VALID' ? fill(0, 2 * r) : ctx.attrInts('pads') ?? fill(0, 2 * r);
  const outputPadding = ctx.attrInts('output_padding') ?? fill(0, r);
  if (strides.length !== r || dilations.length !== r || pads.length !== 2 * r || outputPadding.length !== r) {
    return ctx.fail(`strides/dilations/pads/output_padding do not match ${r} spatial axes`);
  }
  if (pads.some((p) => p < 0)) return ctx.fail('negative pads are not supported');
  // ONNX Runtime rejects output_padding >= stride too; the exact dX Conv below relies on it.
  if (outputPadding.some((p, i) => p >= strides[i])) return ctx.fail('output_padding must be smaller than the stride');
  return { r, kernel, strides, dilations, pads, outputPadding };
}

function inputGrad(ctx: GradContext, dy: string, w: string, geo: TransposeGeometry, group: number): string {
  const { r, strides, dilations, pads, outputPadding } = geo;
  const end = outputPadding.map((op, i) => Math.max(0, pads[i + r] - op));
  return ctx.b.op1('Conv', [dy, w], { strides, dilations, group, kernel_shape: geo.kernel, pads: [...pads.slice(0, r), ...end] });
}

function weightGrad(ctx: GradContext, dy: string, x: string, w: string, y: string, geo: TransposeGeometry, group: number): string {
  const { b } = ctx;
  const { r, kernel, strides, dilations, pads, outputPadding } = geo;
  const ws = ctx.shape(w);
  const mg = typeof ws?.[1] === 'number' ? ws[1] : b.op1('Slice', [b.shape(w), b.int64s([1]), b.int64s([2]), b.int64s([0])]);
  const surplus = outputPadding.map((op, i) => Math.max(op - pads[i + r], 0));
  const end = outputPadding.map((op, i) => Math.max(0, pads[i + r] - op));
  const dyr = groupAsChannels(ctx, dy, r, group, mg, y);
  const xt = b.transpose(x, swapNC(r));
  let gw = b.op1('Conv', [dyr, xt], { strides: dilations, dilations: strides, group, pads: [...pads.slice(0, r), ...end] });
  if (surplus.some((v, i) => v >= dilations[i])) gw = sliceSpatial(b, gw, r, new Array<number>(r).fill(0), kernel);
  return b.transpose(gw, swapNC(r));
}

export const ConvTranspose: GradRule = {
  opType: 'ConvTranspose',
  grad(ctx) {
    const [x, w, bias] = ctx.node.inputs;
    const dy = ctx.dy[0] as string;
    const geo = geometry(ctx, kernelOf(ctx, w));
    const group = ctx.attrInt('group', 1);
    const dx = ctx.needs[0] ? inputGrad(ctx, dy, w, geo, group) : null;
    const dw = ctx.needs[1] ? weightGrad(ctx, dy, x, w, ctx.node.outputs[0], geo, group) : null;
    const db = bias && ctx.needs[2] ? ctx.b.reduceSum(dy, [0, ...Array.from({ length: geo.r }, (_, i) => i + 2)], false) : null;
    return [dx, dw, db];
  },
};
