/** Div: y = a / b (broadcasting). da = unbroadcast(dy / b), db = -unbroadcast(dy * y / b). */
import type { GradRule } from '../types.ts';

export const Div: GradRule = {
  opType: 'Div',
  grad(ctx) {
    const { b } = ctx;
    const [num, den] = ctx.node.inputs;
    const y = ctx.node.outputs[0];
    const dy = ctx.dy[0] as string;
    return [
      ctx.needs[0] ? ctx.unbroadcast(b.div(dy, den), num) : null,
      // -a / b^2 = -y / b reuses the forward quotient instead of squaring b.
      ctx.needs[1] ? ctx.unbroadcast(b.neg(b.div(b.mul(dy, y), den)), den) : null,
    ];
  },
};
