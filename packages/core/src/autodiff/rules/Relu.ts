/** Relu: y = max(x, 0). dx = dy * [y > 0] (the subgradient at 0 is 0, as in PyTorch). */
import type { GradRule } from '../types.ts';

export const Relu: GradRule = {
  opType: 'Relu',
  grad(ctx) {
    const { b } = ctx;
    const y = ctx.node.outputs[0];
    const mask = b.op1('Greater', [y, ctx.scalarLike(0, y)]);
    return [b.op1('Where', [mask, ctx.dy[0] as string, ctx.scalarLike(0, y)])];
  },
};
