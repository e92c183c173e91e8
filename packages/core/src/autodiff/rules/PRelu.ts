/**
 * PRelu: y = x if x > 0 else slope * x, slope broadcasting (unidirectionally) to x.
 * dx = dy if x > 0 else dy * slope; dslope = unbroadcast(dy * x where x <= 0, else 0).
 */
import type { GradRule } from '../types.ts';

export const PRelu: GradRule = {
  opType: 'PRelu',
  grad(ctx) {
    const { b } = ctx;
    const [x, slope] = ctx.node.inputs;
    const dy = ctx.dy[0] as string;
    const zero = ctx.scalarLike(0, x);
    const pos = b.op1('Greater', [x, zero]);
    return [
      ctx.needs[0] ? b.op1('Where', [pos, dy, b.mul(dy, slope)]) : null,
      ctx.needs[1] ? ctx.unbroadcast(b.op1('Where', [pos, zero, b.mul(dy, x)]), slope) : null,
    ];
  },
};
