/**
 * Softmax (opset 13+ semantics: normalised along one `axis`, default -1, negative allowed):
 * y = exp(x) / sum(exp(x), axis). dx = y * (dy - sum(dy * y, axis, keepdims)).
 */
import type { GradRule } from '../types.ts';

export const Softmax: GradRule = {
  opType: 'Softmax',
  grad(ctx) {
    // Before opset 13 Softmax flattened the input to 2-D around `axis`: another function.
    if (ctx.opset < 13) return ctx.fail(`opset ${ctx.opset} Softmax (2-D coercion) is not supported; opset 13+ only`);
    const { b } = ctx;
    const y = ctx.node.outputs[0];
    const dy = ctx.dy[0] as string;
    const axis = ctx.attrInt('axis', -1);
    const dot = b.reduceSum(b.mul(dy, y), [axis], true);
    return [b.mul(y, b.sub(dy, dot))];
  },
};
