/**
 * HardSwish (opset 14+): y = x * max(0, min(1, x / 6 + 1/2)).
 * dx = 0 for x < -3, dy * (x / 3 + 1/2) for -3 <= x <= 3, dy for x > 3 (PyTorch's choice at the kinks).
 */
import type { GradRule } from '../types.ts';

export const HardSwish: GradRule = {
  opType: 'HardSwish',
  grad(ctx) {
    const { b } = ctx;
    const x = ctx.node.inputs[0];
    const dy = ctx.dy[0] as string;
    const slope = b.add(b.mul(x, ctx.scalarLike(1 / 3, x)), ctx.scalarLike(0.5, x));
    const upper = b.op1('Where', [b.op1('LessOrEqual', [x, ctx.scalarLike(3, x)]), b.mul(dy, slope), dy]);
    return [b.op1('Where', [b.op1('Less', [x, ctx.scalarLike(-3, x)]), ctx.scalarLike(0, x), upper])];
  },
};
