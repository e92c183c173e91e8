/** ReduceL1: y = sum_axes(|x|). dx = dy * sign(x) (0 at x = 0, as PyTorch). */
import { reduceRule } from '../reduce-grad.ts';

export const ReduceL1 = reduceRule('ReduceL1', (ctx, p) => ctx.b.mul(ctx.b.op1('Sign', [p.x]), p.dyk));
