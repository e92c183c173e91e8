/** ReduceLogSumExp: y = log(sum_axes(exp(x))). dx = dy * exp(x - y) (the softmax over the reduced axes). */
import { reduceRule } from '../reduce-grad.ts';

export const ReduceLogSumExp = reduceRule('ReduceLogSumExp', (ctx, p) => ctx.b.mul(ctx.b.op1('Exp', [ctx.b.sub(p.x, p.yk())]), p.dyk));
