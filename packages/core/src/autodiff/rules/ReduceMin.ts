/** ReduceMin: y = min_axes(x). dx = dy * [x == y] / #{x == y} (ties split evenly, as PyTorch's amin). */
import { reduceExtremumGrad, reduceRule } from '../reduce-grad.ts';

export const ReduceMin = reduceRule('ReduceMin', reduceExtremumGrad);
