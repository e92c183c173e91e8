/**
 * TopK: values[..., j, ...] = x[..., indices[..., j, ...], ...] for the k largest (or
 * smallest) elements along `axis`; indices are int64 and carry no gradient. The indices of
 * one slice are distinct, so dx = ScatterElements(zeros like x, indices, dvalues, axis)
 * needs no accumulation (Scatter, its earlier name, at opsets 9-10). Among equal
 * elements the gradient goes to the one ONNX Runtime returned, as the forward value did.
 */
import { tensorAttr } from '../../onnx/builder.ts';
import { isStatic } from '../../onnx/shape/broadcast.ts';
import { tensor } from '../../onnx/tensor.ts';
import type { GradRule } from '../types.ts';

export const TopK: GradRule = {
  opType: 'TopK',
  grad(ctx) {
    const [x, ...rest] = ctx.node.inputs;
    const none = rest.map(() => null);
    const dValues = ctx.dy[0];
    if (!ctx.needs[0] || !dValues) return [null, ...none];
    if (ctx.opset < 9) ctx.fail(`opset ${ctx.opset} has no Scatter to route the gradient (9 or later is supported)`);
    const { b } = ctx;
    const shape = ctx.shape(x);
    const zeros = b.op1('ConstantOfShape', [isStatic(shape) ? b.int64s(shape) : b.shape(x)], { value: tensorAttr(tensor(ctx.dtype(x), [1], [0])) });
    const op = ctx.opset >= 11 ? 'ScatterElements' : 'Scatter';
    return [b.op1(op, [zeros, ctx.node.outputs[1], dValues], { axis: ctx.attrInt('axis', -1) }), ...none];
  },
};
