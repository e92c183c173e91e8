/**
 * Dropout (opset 13+: inputs data, ratio?, training_mode?; outputs y, mask?).
 * Inference mode (training_mode omitted or false): y = x, dx = dy.
 * Training mode: y = x * mask / (1 - ratio) (ratio default 0.5), dx = dy * mask / (1 - ratio),
 * using the mask drawn in the same forward pass. A training_mode that is not a constant
 * (a graph input, as MC dropout uses) selects between the two with Where at run time.
 */
import type { Tensor } from '../../onnx/tensor.ts';
import type { GradContext, GradRule } from '../types.ts';

/** True/false for a constant training_mode, undefined when only known at run time. */
function constantMode(ctx: GradContext, training: string): boolean | undefined {
  if (!training) return false;
  const t: Tensor | undefined = ctx.constant(training);
  return t ? Number(t.data[0]) !== 0 : undefined;
}

/**
 * The keep probability 1 - ratio in the dtype of the data, evaluated in float32 as ONNX
 * Runtime's kernel does (it reads the ratio as a float), so dx divides by the very number y did.
 */
function keepProbability(ctx: GradContext, x: string, ratio: string): string {
  const { b } = ctx;
  if (!ratio) return ctx.scalarLike(0.5, x);
  const r = ctx.constant(ratio);
  if (r && (r.dtype === 'float32' || r.dtype === 'float64')) return ctx.scalarLike(Math.fround(1 - Math.fround(Number(r.data[0]))), x);
  const keep = b.sub(b.scalar(1, 'float32'), ctx.dtype(ratio) === 'float32' ? ratio : b.cast(ratio, 'float32'));
  return ctx.dtype(x) === 'float32' ? keep : b.cast(keep, ctx.dtype(x));
}

export const Dropout: GradRule = {
  opType: 'Dropout',
  grad(ctx) {
    const { b, node } = ctx;
    const [x, ratio = '', training = ''] = node.inputs;
    const dy = ctx.dy[0] as string;
    const mode = constantMode(ctx, training);
    if (mode === false) return [dy];
    // The gradient must reuse the exact mask of the forward pass: expose it when the
    // node does not (adding an output changes nothing the model computes).
    if (!node.outputs[1]) node.outputs[1] = b.fresh('dropout_mask');
    const kept = b.op1('Where', [node.outputs[1], dy, ctx.scalarLike(0, x)]);
    const train = b.div(kept, keepProbability(ctx, x, ratio));
    return [mode === true ? train : b.op1('Where', [training, train, dy])];
  },
};
