/** Neg: y = -x. dx = -dy. */
import type { GradRule } from '../types.ts';

export const Neg: GradRule = {
  opType: 'Neg',
  grad(ctx) {
    return [ctx.b.neg(ctx.dy[0] as string)];
  },
};
