/**
 * HardSigmoid: y = max(0, min(1, alpha * x + beta)) (alpha 0.2, beta 0.5 by default).
 * dx = alpha * dy where 0 < y < 1, else 0 (zero at the saturation points, as in PyTorch).
 */
import type { GradRule } from '../types.ts';

export const HardSigmoid: GradRule = {
  opType: 'HardSigmoid',
  grad(ctx) {
    const { b } = ctx;
    const y = ctx.node.outputs[0];
    const dy = ctx.dy[0] as string;
    const alpha = ctx.attrFloat('alpha', 0.2);
    const linear = b.op1('And', [b.op1('Greater', [y, ctx.scalarLike(0, y)]), b.op1('Less', [y, ctx.scalarLike(1, y)])]);
    return [b.op1('Where', [linear, b.mul(dy, ctx.scalarLike(alpha, y)), ctx.scalarLike(0, y)])];
  },
};
