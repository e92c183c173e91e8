/**
 * SoftmaxCrossEntropyLoss: log_prob = LogSoftmax(scores) over axis 1 of [N, C, d...], then
 * the negative log-likelihood of log_prob (see class-loss.ts). With p = softmax(scores):
 *   dscores = a_i * (p - onehot(t_i))  +  G - p * sum_c(G),
 * the second part being the cotangent G of the optional log_prob output pulled back
 * through LogSoftmax. dweight as for NegativeLogLikelihoodLoss.
 */
import { classLossParts } from '../class-loss.ts';
import type { GradRule } from '../types.ts';

export const SoftmaxCrossEntropyLoss: GradRule = {
  opType: 'SoftmaxCrossEntropyLoss',
  grad(ctx) {
    const { b, node } = ctx;
    const x = node.inputs[0];
    const logProb = node.outputs[1] || b.op1('LogSoftmax', [x], { axis: 1 });
    const prob = b.op1('Exp', [logProb]);
    const dLogProb = ctx.dy[1];
    const parts = ctx.dy[0] ? classLossParts(ctx, x) : undefined;
    let dx: string | null = null;
    if (ctx.needs[0]) {
      const terms: string[] = [];
      if (parts) terms.push(b.mul(b.unsqueeze(parts.coeff, [1]), b.sub(prob, parts.onehot)));
      if (dLogProb) terms.push(b.sub(dLogProb, b.mul(prob, b.reduceSum(dLogProb, [1], true))));
      dx = b.sum(terms);
    }
    return [dx, null, ctx.needs[2] && parts ? parts.weightGrad(logProb) : null];
  },
};
