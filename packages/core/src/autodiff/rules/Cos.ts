/** Cos: y = cos(x). dx = -dy * sin(x). */
import type { GradRule } from '../types.ts';

export const Cos: GradRule = {
  opType: 'Cos',
  grad(ctx) {
    const { b } = ctx;
    return [b.neg(b.mul(ctx.dy[0] as string, b.op1('Sin', [ctx.node.inputs[0]])))];
  },
};
