/**
 * GlobalAveragePool: Y[n, c] = mean of X[n, c, ...] over the S spatial elements
 * (Y [N, C, 1, ...]). dX = Expand(dY / S, Shape(X)); S is static when X's spatial sizes
 * are, else Size(X) / Size(Y) in the graph.
 */
import { expandLike } from '../graph-shapes.ts';
import type { GradRule } from '../types.ts';
import { staticSpatial } from '../window-geometry.ts';

export const GlobalAveragePool: GradRule = {
  opType: 'GlobalAveragePool',
  grad(ctx) {
    const { b } = ctx;
    const [x] = ctx.node.inputs;
    const y = ctx.node.outputs[0];
    const dy = ctx.dy[0] as string;
    const spatial = staticSpatial(ctx, x);
    const dtype = ctx.dtype(x);
    const scale = spatial
      ? ctx.scalarLike(1 / spatial.reduce((p, d) => p * d, 1), x)
      : b.div(b.cast(b.op1('Size', [y]), dtype), b.cast(b.op1('Size', [x]), dtype));
    return [expandLike(ctx, b.mul(dy, scale), x, ctx.shape(y))];
  },
};
