/**
 * Where: y = cond ? a : b (all three broadcasting). da = unbroadcast(dy where cond, else 0),
 * db = unbroadcast(dy where not cond, else 0); the boolean condition gets none.
 */
import type { GradRule } from '../types.ts';

export const Where: GradRule = {
  opType: 'Where',
  grad(ctx) {
    const { b } = ctx;
    const [cond, x, y] = ctx.node.inputs;
    const dy = ctx.dy[0] as string;
    const zero = ctx.scalarLike(0, ctx.node.outputs[0]);
    return [
      null,
      ctx.needs[1] ? ctx.unbroadcast(b.op1('Where', [cond, dy, zero]), x) : null,
      ctx.needs[2] ? ctx.unbroadcast(b.op1('Where', [cond, zero, dy]), y) : null,
    ];
  },
};
