/** ReduceSumSquare: y = sum_axes(x^2). dx = 2 x dy. */
import { reduceRule } from '../reduce-grad.ts';

export const ReduceSumSquare = reduceRule('ReduceSumSquare', (ctx, p) => ctx.b.mul(ctx.b.mul(p.x, ctx.scalarLike(2, p.x)), p.dyk));
