/** Sum: y = x_0 + x_1 + ... (variadic, broadcasting). dx_i = unbroadcast(dy, x_i). */
import type { GradRule } from '../types.ts';

export const Sum: GradRule = {
  opType: 'Sum',
  grad(ctx) {
    const dy = ctx.dy[0] as string;
    return ctx.node.inputs.map((x, i) => (ctx.needs[i] ? ctx.unbroadcast(dy, x) : null));
  },
};
