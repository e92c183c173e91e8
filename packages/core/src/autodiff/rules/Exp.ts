/** Exp: y = exp(x). dx = dy * y. */
import type { GradRule } from '../types.ts';

export const Exp: GradRule = {
  opType: 'Exp',
  grad(ctx) {
    return [ctx.b.mul(ctx.dy[0] as string, ctx.node.outputs[0])];
  },
};
