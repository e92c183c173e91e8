/**
 * The gradient shared by NegativeLogLikelihoodLoss and SoftmaxCrossEntropyLoss. Both
 * score each position i (over N and the extra dims d...) with
 *   loss_i = -w_i * p[i, t_i],   w_i = weight[t_i] (1 without weights), 0 where t_i = ignore_index,
 * p being log-probabilities [N, C, d...], then reduce: 'none' keeps loss_i, 'sum' adds
 * them, 'mean' divides the sum by sum_i w_i (a weighted mean; a count without weights).
 * With a_i = dL/dloss_i * w_i, the cotangent of p is -a_i at [i, t_i] and 0 elsewhere.
 */
import { tensorAttr } from '../onnx/builder.ts';
import { tensor } from '../onnx/tensor.ts';
import { axesExceptChannel } from './graph-shapes.ts';
import type { GradContext } from './types.ts';

/** The pieces of a class loss's gradient. */
export interface ClassLossParts {
  /** onehot(t) along axis 1, [N, C, d...] in the dtype of the scores. */
  onehot: string;
  /** a_i = dL/dloss_i * w_i, shaped like the labels. */
  coeff: string;
  /**
   * dL/dweight [C] given the log-probabilities p (the weights input's gradient):
   * sum_i [t_i = c] v_i with v_i = -dL/dloss_i * p[i, t_i] for 'none'/'sum' and
   * dy * (-p[i, t_i] - L) / sum(w) for 'mean' (the weights also scale the denominator).
   */
  weightGrad: (logProb: string) => string;
}

/**
 * Builds the parts for the loss node in `ctx` with scores/log-probs `x` [N, C, d...],
 * integer labels at input 1 and optional weights [C] at input 2.
 */
export function classLossParts(ctx: GradContext, x: string): ClassLossParts {
  const { b, node } = ctx;
  const [, labelsIn, weights] = node.inputs;
  const dy = ctx.dy[0] as string;
  const dtype = ctx.dtype(x);
  const labels = ctx.dtype(labelsIn) === 'int64' ? labelsIn : b.cast(labelsIn, 'int64');
  const ignore = ctx.attr('ignore_index');
  let safe = labels;
  let validMask: string | undefined;
  if (ignore?.type === 'int') {
    const valid = b.op1('Not', [b.op1('Equal', [labels, b.int64s([ignore.value], [])])]);
    // Ignored labels may lie outside [0, C): point them at class 0, their weight is 0.
    safe = b.op1('Where', [valid, labels, b.int64s([0], [])]);
    validMask = b.cast(valid, dtype);
  }
  const base = validMask ?? b.op1('ConstantOfShape', [b.shape(labels)], { value: tensorAttr(tensor(dtype, [1], [1])) });
  const w = weights ? b.mul(b.op1('Gather', [weights, safe], { axis: 0 }), base) : base;
  const reduction = ctx.attrString('reduction', 'mean');
  const total = reduction === 'mean' ? b.reduceSum(w, [], false) : undefined;
  const dLoss = total ? b.div(dy, total) : dy;
  const depth = b.op1('Gather', [b.shape(x), b.int64s([1], [])], { axis: 0 });
  let onehot = b.op1('OneHot', [safe, depth, b.constant(tensor('float32', [2], [0, 1]), 'onehot_values')], { axis: 1 });
  if (dtype !== 'float32') onehot = b.cast(onehot, dtype);
  const weightGrad = (logProb: string): string => {
    const target = b.reduceSum(b.mul(onehot, logProb), [1], false);
    let v = total ? b.mul(dLoss, b.neg(b.add(target, node.outputs[0]))) : b.neg(b.mul(dLoss, target));
    if (validMask) v = b.mul(v, validMask);
    return b.reduceSum(b.mul(onehot, b.unsqueeze(v, [1])), axesExceptChannel(ctx, x), false);
  };
  return { onehot, coeff: b.mul(dLoss, w), weightGrad };
}
