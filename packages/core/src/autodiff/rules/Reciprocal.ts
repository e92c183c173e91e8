/** Reciprocal: y = 1 / x. dx = -dy * y^2. */
import type { GradRule } from '../types.ts';

export const Reciprocal: GradRule = {
  opType: 'Reciprocal',
  grad(ctx) {
    const { b } = ctx;
    const y = ctx.node.outputs[0];
    return [b.neg(b.mul(ctx.dy[0] as string, b.mul(y, y)))];
  },
};
