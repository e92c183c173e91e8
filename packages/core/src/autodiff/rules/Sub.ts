/** Sub: y = a - b (broadcasting). da = unbroadcast(dy), db = -unbroadcast(dy). */
import type { GradRule } from '../types.ts';

export const Sub: GradRule = {
  opType: 'Sub',
  grad(ctx) {
    const [a, b] = ctx.node.inputs;
    const dy = ctx.dy[0] as string;
    return [ctx.needs[0] ? ctx.unbroadcast(dy, a) : null, ctx.needs[1] ? ctx.b.neg(ctx.unbroadcast(dy, b)) : null];
  },
};
