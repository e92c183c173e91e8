/**
 * BatchNormalization over x [N, C, ...] with per-channel scale, bias, mean, var [C]:
 *   y = scale * (x - m) / sqrt(v + eps) + bias.
 * Inference mode (m, v = the mean and var inputs): dx = dy * scale / sqrt(var + eps),
 * dscale = sum(dy * xhat), dbias = sum(dy), sums over every axis but C. The running
 * statistics are buffers, as in PyTorch, and get no gradient.
 * Training mode (training_mode=1 from opset 14; before 14, the form with the optional
 * mean/var/saved outputs, as ONNX Runtime runs it): m, v are the batch mean and biased
 * variance over N and the spatial axes, and dx takes the full path through them. The
 * running_mean/running_var (and saved) outputs are not differentiable: a gradient that
 * flows into them is refused.
 */
import { axesExceptChannel, perChannel } from '../graph-shapes.ts';
import { standardize, standardizeBackward } from '../standardize.ts';
import type { GradRule } from '../types.ts';

export const BatchNormalization: GradRule = {
  opType: 'BatchNormalization',
  grad(ctx) {
    const { b, node } = ctx;
    const [x, scale, , mean, variance] = node.inputs;
    if (ctx.dy.slice(1).some((d) => d !== null)) return ctx.fail('the running/saved statistics outputs carry no gradient');
    const dy = ctx.dy[0] as string;
    const eps = ctx.attrFloat('epsilon', 1e-5);
    const training = ctx.opset >= 14 ? ctx.attrInt('training_mode', 0) === 1 : node.outputs.filter(Boolean).length > 1;
    const axes = axesExceptChannel(ctx, x);
    let xhat: string;
    let dx: string | null = null;
    if (training) {
      const s = standardize(ctx, x, axes, eps);
      xhat = s.xhat;
      if (ctx.needs[0]) dx = standardizeBackward(ctx, s, b.mul(dy, perChannel(ctx, scale, x)));
    } else {
      const invStd = b.op1('Reciprocal', [b.op1('Sqrt', [b.add(variance, ctx.scalarLike(eps, x))])]);
      xhat = b.mul(b.sub(x, perChannel(ctx, mean, x)), perChannel(ctx, invStd, x));
      if (ctx.needs[0]) dx = b.mul(dy, perChannel(ctx, b.mul(scale, invStd), x));
    }
    const dScale = ctx.needs[1] ? b.reduceSum(b.mul(dy, xhat), axes, false) : null;
    const dBias = ctx.needs[2] ? b.reduceSum(dy, axes, false) : null;
    return [dx, dScale, dBias, null, null];
  },
};
