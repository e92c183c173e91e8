/** Erf: y = erf(x). dx = dy * 2/sqrt(pi) * exp(-x^2). */
import type { GradRule } from '../types.ts';

export const Erf: GradRule = {
  opType: 'Erf',
  grad(ctx) {
    const { b } = ctx;
    const x = ctx.node.inputs[0];
    const gauss = b.op1('Exp', [b.neg(b.mul(x, x))]);
    return [b.mul(ctx.dy[0] as string, b.mul(gauss, ctx.scalarLike(2 / Math.sqrt(Math.PI), x)))];
  },
};
