/**
 * NegativeLogLikelihoodLoss: loss_i = -w_i * x[i, t_i] over log-probabilities x [N, C, d...]
 * (see class-loss.ts for weights, ignore_index and the reductions). dx = -a_i at
 * [i, t_i], 0 elsewhere; dweight from the same coefficients.
 */
import { classLossParts } from '../class-loss.ts';
import type { GradRule } from '../types.ts';

export const NegativeLogLikelihoodLoss: GradRule = {
  opType: 'NegativeLogLikelihoodLoss',
  grad(ctx) {
    const { b } = ctx;
    const x = ctx.node.inputs[0];
    const p = classLossParts(ctx, x);
    const dx = ctx.needs[0] ? b.neg(b.mul(p.onehot, b.unsqueeze(p.coeff, [1]))) : null;
    return [dx, null, ctx.needs[2] ? p.weightGrad(x) : null];
  },
};
