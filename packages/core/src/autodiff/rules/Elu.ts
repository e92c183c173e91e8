/**
 * Elu: y = x if x > 0 else alpha * (exp(x) - 1) (alpha default 1).
 * dx = dy if x > 0 else dy * (y + alpha), since alpha * exp(x) = y + alpha.
 */
import type { GradRule } from '../types.ts';

export const Elu: GradRule = {
  opType: 'Elu',
  grad(ctx) {
    const { b } = ctx;
    const x = ctx.node.inputs[0];
    const y = ctx.node.outputs[0];
    const dy = ctx.dy[0] as string;
    const alpha = ctx.attrFloat('alpha', 1);
    const pos = b.op1('Greater', [x, ctx.scalarLike(0, x)]);
    return [b.op1('Where', [pos, dy, b.mul(dy, b.add(y, ctx.scalarLike(alpha, y)))])];
  },
};
