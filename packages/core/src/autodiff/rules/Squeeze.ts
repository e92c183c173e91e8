/** Squeeze: y = x without size-1 axes (axes attribute or input, or all). dx = dy reshaped to the shape of x. */
import { reshapeLike } from '../graph-shapes.ts';
import type { GradRule } from '../types.ts';

export const Squeeze: GradRule = {
  opType: 'Squeeze',
  grad(ctx) {
    const [x, ...rest] = ctx.node.inputs;
    return [ctx.needs[0] ? reshapeLike(ctx, ctx.dy[0] as string, x, ctx.node.outputs[0]) : null, ...rest.map(() => null)];
  },
};
