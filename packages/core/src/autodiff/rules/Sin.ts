/** Sin: y = sin(x). dx = dy * cos(x). */
import type { GradRule } from '../types.ts';

export const Sin: GradRule = {
  opType: 'Sin',
  grad(ctx) {
    const { b } = ctx;
    return [b.mul(ctx.dy[0] as string, b.op1('Cos', [ctx.node.inputs[0]]))];
  },
};
