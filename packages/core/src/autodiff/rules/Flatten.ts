/** Flatten: y = x viewed as [prod(dims[:axis]), prod(dims[axis:])]. dx = dy reshaped to the shape of x. */
import { reshapeLike } from '../graph-shapes.ts';
import type { GradRule } from '../types.ts';

export const Flatten: GradRule = {
  opType: 'Flatten',
  grad(ctx) {
    const [x, ...rest] = ctx.node.inputs;
    return [ctx.needs[0] ? reshapeLike(ctx, ctx.dy[0] as string, x, ctx.node.outputs[0]) : null, ...rest.map(() => null)];
  },
};
