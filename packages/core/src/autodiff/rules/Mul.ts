/** Mul: y = a * b (broadcasting). da = unbroadcast(dy * b), db = unbroadcast(dy * a). */
import type { GradRule } from '../types.ts';

export const Mul: GradRule = {
  opType: 'Mul',
  grad(ctx) {
    const [a, b] = ctx.node.inputs;
    const dy = ctx.dy[0] as string;
    return [
      ctx.needs[0] ? ctx.unbroadcast(ctx.b.mul(dy, b), a) : null,
      ctx.needs[1] ? ctx.unbroadcast(ctx.b.mul(dy, a), b) : null,
    ];
  },
};
