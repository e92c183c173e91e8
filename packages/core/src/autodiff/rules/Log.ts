/** Log: y = ln(x). dx = dy / x. */
import type { GradRule } from '../types.ts';

export const Log: GradRule = {
  opType: 'Log',
  grad(ctx) {
    return [ctx.b.div(ctx.dy[0] as string, ctx.node.inputs[0])];
  },
};
