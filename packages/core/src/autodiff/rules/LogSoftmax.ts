/**
 * LogSoftmax (opset 13+ semantics: along one `axis`, default -1, negative allowed):
 * y = x - log(sum(exp(x), axis)). dx = dy - exp(y) * sum(dy, axis, keepdims).
 */
import type { GradRule } from '../types.ts';

export const LogSoftmax: GradRule = {
  opType: 'LogSoftmax',
  grad(ctx) {
    // Before opset 13 LogSoftmax flattened the input to 2-D around `axis`: another function.
    if (ctx.opset < 13) return ctx.fail(`opset ${ctx.opset} LogSoftmax (2-D coercion) is not supported; opset 13+ only`);
    const { b } = ctx;
    const y = ctx.node.outputs[0];
    const dy = ctx.dy[0] as string;
    const total = b.reduceSum(dy, [ctx.attrInt('axis', -1)], true);
    return [b.sub(dy, b.mul(b.op1('Exp', [y]), total))];
  },
};
