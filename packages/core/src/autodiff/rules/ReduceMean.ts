/** ReduceMean: y = sum_axes(x) / n, n = elements per output. dx = dy / n broadcast back over the reduced axes. */
import { expandToX, reduceCount, reduceRule } from '../reduce-grad.ts';

export const ReduceMean = reduceRule('ReduceMean', (ctx, p) => expandToX(ctx, p, ctx.b.div(p.dyk, reduceCount(ctx, p.spec, p.x))));
