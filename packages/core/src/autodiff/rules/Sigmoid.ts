/** Sigmoid: y = 1 / (1 + exp(-x)). dx = dy * y * (1 - y). */
import type { GradRule } from '../types.ts';

export const Sigmoid: GradRule = {
  opType: 'Sigmoid',
  grad(ctx) {
    const { b } = ctx;
    const y = ctx.node.outputs[0];
    return [b.mul(ctx.dy[0] as string, b.mul(y, b.sub(ctx.scalarLike(1, y), y)))];
  },
};
