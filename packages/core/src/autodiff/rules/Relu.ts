/**
 * Relu: y = max(x, 0). dx = dy * Cast(y > 0) (the subgradient at 0 is 0, as in PyTorch).
 * A float mask and a Mul rather than Where: ONNX Runtime's CPU Where is about four times
 * slower than Greater + Cast + Mul at the same size. Reading the output, not the input,
 * keeps the forward Conv+BatchNormalization+Relu fusion intact. Where y comes from a
 * blocked (NCHWc) convolution the mask is a depthwise Conv + Clip instead, which keeps
 * the backward pass in ONNX Runtime's blocked layout (interval-mask.ts).
 */
import type { GradRule } from '../types.ts';
import { intervalMask } from './interval-mask.ts';

export const Relu: GradRule = {
  opType: 'Relu',
  grad(ctx) {
    const { b } = ctx;
    const y = ctx.node.outputs[0];
    const mask = intervalMask(ctx, y, 0, undefined) ?? b.cast(b.op1('Greater', [y, ctx.scalarLike(0, y)]), ctx.dtype(y));
    return [b.mul(ctx.dy[0] as string, mask)];
  },
};
