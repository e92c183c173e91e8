/**
 * InstanceNormalization over x [N, C, spatial...]: each (n, c) plane is standardised over
 * its spatial axes, y = scale_c * xhat + bias_c. dx = standardizeBackward(dy * scale_c),
 * dscale = sum(dy * xhat), dbias = sum(dy), sums over N and the spatial axes.
 */
import { axesExceptChannel, axesFrom, perChannel } from '../graph-shapes.ts';
import { standardize, standardizeBackward } from '../standardize.ts';
import type { GradRule } from '../types.ts';

export const InstanceNormalization: GradRule = {
  opType: 'InstanceNormalization',
  grad(ctx) {
    const { b } = ctx;
    const [x, scale] = ctx.node.inputs;
    const dy = ctx.dy[0] as string;
    const spatial = axesFrom(ctx, x, 2);
    if (Array.isArray(spatial) && spatial.length === 0) return ctx.fail('input needs spatial axes (rank >= 3)');
    const s = standardize(ctx, x, spatial, ctx.attrFloat('epsilon', 1e-5));
    const dx = ctx.needs[0] ? standardizeBackward(ctx, s, b.mul(dy, perChannel(ctx, scale, x))) : null;
    const channelSum = (t: string): string => b.reduceSum(t, axesExceptChannel(ctx, x), false);
    return [dx, ctx.needs[1] ? channelSum(b.mul(dy, s.xhat)) : null, ctx.needs[2] ? channelSum(dy) : null];
  },
};
