/** Expand: y = x broadcast to a shape (NumPy rules, either side may be larger). dx = dy summed over the broadcast axes. */
import type { GradRule } from '../types.ts';

export const Expand: GradRule = {
  opType: 'Expand',
  grad(ctx) {
    const [x] = ctx.node.inputs;
    return [ctx.needs[0] ? ctx.unbroadcast(ctx.dy[0] as string, x) : null, null];
  },
};
