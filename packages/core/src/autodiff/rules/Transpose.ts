/**
 * Transpose: y = x permuted by perm (default: axes reversed). dx = dy permuted by the
 * inverse of perm; the default reversal is its own inverse, so no rank is needed for it.
 */
import type { GradRule } from '../types.ts';

export const Transpose: GradRule = {
  opType: 'Transpose',
  grad(ctx) {
    const perm = ctx.attrInts('perm');
    const dy = ctx.dy[0] as string;
    if (!perm) return [ctx.b.op1('Transpose', [dy])];
    const inverse = new Array<number>(perm.length);
    perm.forEach((p, i) => (inverse[p] = i));
    return [ctx.b.transpose(dy, inverse)];
  },
};
