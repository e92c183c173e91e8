/** ReduceSum: y = sum_axes(x). dx = dy broadcast back over the reduced axes. */
import { expandToX, reduceRule } from '../reduce-grad.ts';

export const ReduceSum = reduceRule('ReduceSum', (ctx, p) => expandToX(ctx, p, p.dyk));
