/**
 * BatchNormalization over x [N, C, ...] with per-channel scale, bias, mean, var [C]:
 *   y = scale * (x - m) / sqrt(v + eps) + bias.
 * Inference mode (m, v = the mean and var inputs): dx = dy * scale / sqrt(var + eps),
 * dscale = sum(dy * xhat), dbias = sum(dy), sums over every axis but C. The running
 * statistics are buffers, as in PyTorch, and get no gradient.
 * Training mode (training_mode=1 from opset 14; before 14, the form with the optional
 * mean/var/saved outputs, as ONNX Runtime runs it): m, v are the batch mean and biased
 * variance over N and the spatial axes, and dx takes the full path through them:
 *   dx = r * scale * (dy - mean(dy) - xhat * mean(dy * xhat)),  r = 1 / sqrt(v + eps),
 * which is per channel an affine function of dy and of c = x - m:
 *   dx = A * dy + B * c + D,  A = scale * r,  B = -A * r^2 * sum(dy * c) / n,
 *   D = -A * sum(dy) / n,
 * and dscale = r * sum(dy * c), dbias = sum(dy). So the backward pass reads each full-size
 * tensor a few times (sum(dy), sum(dy * c), then A * dy and B * c + D) instead of
 * materialising xhat and the intermediate terms; B * c + D is one inference-mode
 * BatchNormalization (mean 0, var 1, epsilon 0: an exact per-channel affine map, which
 * ONNX Runtime runs multi-threaded, unlike a broadcast Add). The running_mean/running_var
 * (and saved) outputs are not differentiable: a gradient that flows into them is refused.
 */
import { axesExceptChannel, perChannel } from '../graph-shapes.ts';
import { float, tensorAttr } from '../../onnx/builder.ts';
import { tensor } from '../../onnx/tensor.ts';
import type { Axes } from '../graph-shapes.ts';
import { groupSize, staticCount } from '../graph-shapes.ts';
import type { GradContext, GradRule } from '../types.ts';

/** Training-mode gradients (see the module comment): [dx, dscale, dbias, null, null]. */
function trainingGrad(ctx: GradContext, x: string, scale: string, dy: string, axes: Axes, eps: number): (string | null)[] {
  const { b } = ctx;
  const sum = b.reduceSum(x, axes, true);
  const invCount = b.op1('Reciprocal', [groupSize(ctx, x, sum, staticCount(ctx, x, axes))]);
  const centered = b.sub(x, b.mul(sum, invCount));
  // Two-pass variance, as the forward computes it: no cancellation when |mean| >> std.
  const squares = Array.isArray(axes) ? b.reduce('ReduceSumSquare', centered, axes, true) : b.reduceSum(b.mul(centered, centered), axes, true);
  const invStd = b.op1('Reciprocal', [b.op1('Sqrt', [b.add(b.mul(squares, invCount), ctx.scalarLike(eps, x))])]);
  const sumDy = b.reduceSum(dy, axes, true);
  const sumDyC = b.reduceSum(b.mul(dy, centered), axes, true);
  let dx: string | null = null;
  if (ctx.needs[0]) {
    const flat = (t: string): string => b.reshape(t, [-1]);
    const a = b.mul(perChannel(ctx, scale, x), invStd);
    const slope = b.op1('Neg', [b.mul(b.mul(a, b.mul(invStd, invStd)), b.mul(sumDyC, invCount))]);
    const offset = b.op1('Neg', [b.mul(a, b.mul(sumDy, invCount))]);
    const filled = (v: number): string => b.op1('ConstantOfShape', [b.shape(flat(sumDy))], { value: tensorAttr(tensor(ctx.dtype(x), [1], [v])) });
    const affine = b.op1('BatchNormalization', [centered, flat(slope), flat(offset), filled(0), filled(1)], { epsilon: float(0) });
    dx = b.add(b.mul(dy, a), affine);
  }
  const dScale = ctx.needs[1] ? b.reshape(b.mul(invStd, sumDyC), [-1]) : null;
  const dBias = ctx.needs[2] ? b.reshape(sumDy, [-1]) : null;
  return [dx, dScale, dBias, null, null];
}

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
    if (training) return trainingGrad(ctx, x, scale, dy, axes, eps);
    const invStd = b.op1('Reciprocal', [b.op1('Sqrt', [b.add(variance, ctx.scalarLike(eps, x))])]);
    const dx = ctx.needs[0] ? b.mul(dy, perChannel(ctx, b.mul(scale, invStd), x)) : null;
    const xhat = (): string => b.mul(b.sub(x, perChannel(ctx, mean, x)), perChannel(ctx, invStd, x));
    const dScale = ctx.needs[1] ? b.reduceSum(b.mul(dy, xhat()), axes, false) : null;
    const dBias = ctx.needs[2] ? b.reduceSum(dy, axes, false) : null;
    return [dx, dScale, dBias, null, null];
  },
};
