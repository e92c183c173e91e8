/**
 * GatherElements: y[..., j, ...] = x[..., I[..., j, ...], ...] along `axis` (y and the
 * indices I share one shape; negative indices count from the end). dx = zeros like x with
 * every dy element added at the position it was read from; repeated indices accumulate.
 *
 * Opset >= 16: dx = ScatterElements(zeros, I, dy, axis, reduction = 'add'). Opsets 13-15
 * have no accumulating scatter: dx = sum over axis of OneHot(I, D, axis + 1) * dy (with
 * D = x's size along the axis), which is I's shape with the axis replaced by D, padded at
 * the end of the other axes where I is smaller than x there. That form needs the rank for
 * a negative axis and costs D times dy's memory.
 */
import { tensorAttr } from '../../onnx/builder.ts';
import { isStatic } from '../../onnx/shape/broadcast.ts';
import { tensor } from '../../onnx/tensor.ts';
import { normalizeAxis } from '../graph-shapes.ts';
import type { GradContext, GradRule } from '../types.ts';

function zerosLike(ctx: GradContext, x: string): string {
  const shape = ctx.shape(x);
  const dims = isStatic(shape) ? ctx.b.int64s(shape) : ctx.b.shape(x);
  return ctx.b.op1('ConstantOfShape', [dims], { value: tensorAttr(tensor(ctx.dtype(x), [1], [0])) });
}

function oneHotSum(ctx: GradContext, x: string, indices: string, dy: string, axis: number): string {
  const { b } = ctx;
  const depth = b.op1('Gather', [b.shape(x), b.int64s([axis], [])], { axis: 0 });
  const values = b.constant(tensor('float32', [2], [0, 1]), 'onehot_values');
  let hot = b.op1('OneHot', [indices, depth, values], { axis: axis + 1 });
  if (ctx.dtype(x) !== 'float32') hot = b.cast(hot, ctx.dtype(x));
  const summed = b.reduceSum(b.mul(hot, b.unsqueeze(dy, [axis + 1])), [axis], false);
  const xs = ctx.shape(x);
  const is = ctx.shape(indices);
  const sameOffAxis = isStatic(xs) && isStatic(is) && xs.length === is.length && xs.every((d, i) => i === axis || d === is[i]);
  if (sameOffAxis) return summed;
  // Indices smaller than x off the axis: the rest of x read nothing.
  const rank = b.op1('Size', [b.shape(x)]);
  const begin = b.op1('ConstantOfShape', [b.unsqueeze(rank, [0])], { value: tensorAttr(tensor('int64', [1], [0])) });
  const pads = b.op1('Concat', [begin, b.sub(b.shape(x), b.shape(summed))], { axis: 0 });
  return b.op1('Pad', [summed, pads]);
}

export const GatherElements: GradRule = {
  opType: 'GatherElements',
  grad(ctx) {
    if (!ctx.needs[0]) return [null, null];
    const [x, indices] = ctx.node.inputs;
    const dy = ctx.dy[0] as string;
    const a = ctx.attrInt('axis', 0);
    if (ctx.opset >= 16) {
      return [ctx.b.op1('ScatterElements', [zerosLike(ctx, x), indices, dy], { axis: a, reduction: 'add' }), null];
    }
    const axis = normalizeAxis(a, ctx.rank(x)) ?? ctx.fail(`axis ${a} needs the rank of '${x}' at opset ${ctx.opset} (below 16, where ScatterElements cannot add)`);
    return [oneHotSum(ctx, x, indices, dy, axis), null];
  },
};
