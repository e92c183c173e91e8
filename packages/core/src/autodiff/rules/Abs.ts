/** Abs: y = |x|. dx = dy * sign(x) (the subgradient at 0 is 0, as in PyTorch). */
import type { GradRule } from '../types.ts';

export const Abs: GradRule = {
  opType: 'Abs',
  grad(ctx) {
    const { b } = ctx;
    return [b.mul(ctx.dy[0] as string, b.op1('Sign', [ctx.node.inputs[0]]))];
  },
};
