/** Identity: y = x. dx = dy. */
import type { GradRule } from '../types.ts';

export const Identity: GradRule = {
  opType: 'Identity',
  grad(ctx) {
    return [ctx.dy[0]];
  },
};
