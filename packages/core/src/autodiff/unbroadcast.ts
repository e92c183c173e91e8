/**
 * Undoing NumPy broadcasting in a gradient: the cotangent of a broadcast operand is the
 * output cotangent summed over the broadcast axes and reshaped to the operand's shape.
 * Static shapes give a single ReduceSum (or nothing); otherwise the axes are computed in
 * the graph from the runtime shapes, so symbolic batch sizes work.
 */
import type { GraphBuilder } from '../onnx/builder.ts';
import { tensorAttr } from '../onnx/builder.ts';
import type { Dim } from '../onnx/ir.ts';
import { isStatic } from '../onnx/shape/broadcast.ts';
import { tensor } from '../onnx/tensor.ts';

/**
 * Sums `grad` (shape `gradShape`) down to the shape of `like` (shape `likeShape`).
 * Either shape may be unknown; the graph then computes the reduction axes itself.
 */
export function unbroadcastTo(b: GraphBuilder, grad: string, gradShape: Dim[] | undefined, like: string, likeShape: Dim[] | undefined): string {
  if (gradShape && likeShape && gradShape.length === likeShape.length && gradShape.every((d, i) => d === likeShape[i] && d !== null)) {
    return grad;
  }
  if (isStatic(gradShape) && isStatic(likeShape)) {
    const r = gradShape.length;
    const lead = r - likeShape.length;
    const axes: number[] = [];
    for (let k = 0; k < r; k++) {
      if (k < lead) axes.push(k);
      else if (likeShape[k - lead] === 1 && gradShape[k] !== 1) axes.push(k);
    }
    let out = axes.length ? b.reduceSum(grad, axes, true) : grad;
    if (lead > 0 || axes.length) out = b.reshape(out, likeShape);
    return out;
  }
  if (gradShape && likeShape && !gradShape.includes(null) && !likeShape.includes(null)) {
    // Symbolic dims (e.g. batch) that match by name never broadcast; check the rest statically.
    const r = gradShape.length;
    const lead = r - likeShape.length;
    if (lead >= 0) {
      const axes: number[] = [];
      let decidable = true;
      for (let k = 0; k < r; k++) {
        const l = k < lead ? undefined : likeShape[k - lead];
        if (l === undefined) axes.push(k);
        else if (l === gradShape[k]) continue;
        else if (l === 1) axes.push(k);
        else decidable = false;
      }
      if (decidable) {
        let out = axes.length ? b.reduceSum(grad, axes, true) : grad;
        if (axes.length) out = b.reshape(out, b.shape(like));
        return out;
      }
    }
  }
  return dynamicUnbroadcast(b, grad, like);
}

function dynamicUnbroadcast(b: GraphBuilder, grad: string, like: string): string {
  const gShape = b.shape(grad);
  const lShape = b.shape(like);
  const gRank = b.op1('Size', [gShape]);
  const lRank = b.op1('Size', [lShape]);
  const lead = b.unsqueeze(b.sub(gRank, lRank), [0]);
  const ones = b.op1('ConstantOfShape', [lead], { value: tensorAttr(tensor('int64', [1], [1])) });
  const padded = b.op1('Concat', [ones, lShape], { axis: 0 });
  // Axes where the operand has size 1 are exactly the broadcast axes (summing a size-1
  // axis of the cotangent is a no-op, so it is safe to include the non-broadcast ones).
  const isOne = b.op1('Equal', [padded, b.int64s([1], [])]);
  const axes = b.reshape(b.op1('NonZero', [isOne]), [-1]);
  const summed = b.reduceSum(grad, axes, true, true);
  return b.reshape(summed, lShape);
}
