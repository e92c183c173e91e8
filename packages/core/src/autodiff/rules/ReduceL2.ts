/**
 * ReduceL2: y = sqrt(sum_axes(x^2)). dx = dy * x / y, taken as 0 where y = 0 (the
 * subgradient PyTorch's norm uses), so an all-zero slice gives no NaN.
 */
import { reduceRule } from '../reduce-grad.ts';

export const ReduceL2 = reduceRule('ReduceL2', (ctx, p) => {
  const { b } = ctx;
  const zero = ctx.scalarLike(0, p.x);
  const y = p.yk();
  const ratio = b.op1('Where', [b.op1('Equal', [y, zero]), zero, b.div(p.x, y)]);
  return b.mul(ratio, p.dyk);
});
