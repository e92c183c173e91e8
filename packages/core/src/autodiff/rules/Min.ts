/** Min: y = min(x_0, x_1, ...) elementwise (variadic, broadcasting); ties split the cotangent equally. */
import { extremumGrad } from '../extremum-grad.ts';
import type { GradRule } from '../types.ts';

export const Min: GradRule = {
  opType: 'Min',
  grad: extremumGrad,
};
