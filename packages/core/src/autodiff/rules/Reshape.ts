/** Reshape: y = x viewed with a new shape (0, -1 and allowzero only decide that shape). dx = dy reshaped to the shape of x. */
import { reshapeLike } from '../graph-shapes.ts';
import type { GradRule } from '../types.ts';

export const Reshape: GradRule = {
  opType: 'Reshape',
  grad(ctx) {
    const [x, ...rest] = ctx.node.inputs;
    return [ctx.needs[0] ? reshapeLike(ctx, ctx.dy[0] as string, x, ctx.node.outputs[0]) : null, ...rest.map(() => null)];
  },
};
