/** LeakyRelu: y = x if x > 0 else alpha * x (alpha default 0.01). dx = dy if x > 0 else alpha * dy. */
import type { GradRule } from '../types.ts';

export const LeakyRelu: GradRule = {
  opType: 'LeakyRelu',
  grad(ctx) {
    const { b } = ctx;
    const x = ctx.node.inputs[0];
    const dy = ctx.dy[0] as string;
    const alpha = ctx.attrFloat('alpha', 0.01);
    // Masking on x rather than y keeps the rule right for a negative alpha.
    const pos = b.op1('Greater', [x, ctx.scalarLike(0, x)]);
    return [b.op1('Where', [pos, dy, b.mul(dy, ctx.scalarLike(alpha, x))])];
  },
};
