/** Softplus: y = ln(1 + exp(x)). dx = dy * sigmoid(x). */
import type { GradRule } from '../types.ts';

export const Softplus: GradRule = {
  opType: 'Softplus',
  grad(ctx) {
    const { b } = ctx;
    return [b.mul(ctx.dy[0] as string, b.op1('Sigmoid', [ctx.node.inputs[0]]))];
  },
};
