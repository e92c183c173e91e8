/** ReduceMax: y = max_axes(x). dx = dy * [x == y] / #{x == y} (ties split evenly, as PyTorch's amax). */
import { reduceExtremumGrad, reduceRule } from '../reduce-grad.ts';

export const ReduceMax = reduceRule('ReduceMax', reduceExtremumGrad);
