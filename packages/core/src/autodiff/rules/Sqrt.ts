/** Sqrt: y = sqrt(x). dx = dy / (2 y) (infinite at x = 0, as in PyTorch). */
import type { GradRule } from '../types.ts';

export const Sqrt: GradRule = {
  opType: 'Sqrt',
  grad(ctx) {
    const { b } = ctx;
    const y = ctx.node.outputs[0];
    return [b.div(b.mul(ctx.dy[0] as string, ctx.scalarLike(0.5, y)), y)];
  },
};
