/** Tanh: y = tanh(x). dx = dy * (1 - y^2). */
import type { GradRule } from '../types.ts';

export const Tanh: GradRule = {
  opType: 'Tanh',
  grad(ctx) {
    const { b } = ctx;
    const y = ctx.node.outputs[0];
    return [b.mul(ctx.dy[0] as string, b.sub(ctx.scalarLike(1, y), b.mul(y, y)))];
  },
};
