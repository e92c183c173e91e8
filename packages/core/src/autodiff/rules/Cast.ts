/**
 * Cast: y = x converted to dtype `to`. Between floating types dx = dy cast back to the
 * dtype of x; a cast from or to an integer or boolean type carries no gradient.
 */
import { FLOAT_DTYPES } from '../../onnx/tensor.ts';
import type { GradRule } from '../types.ts';

export const Cast: GradRule = {
  opType: 'Cast',
  grad(ctx) {
    const x = ctx.node.inputs[0];
    const from = ctx.dtype(x);
    const to = ctx.dtype(ctx.node.outputs[0]);
    if (!FLOAT_DTYPES.has(from) || !FLOAT_DTYPES.has(to)) return [null];
    const dy = ctx.dy[0] as string;
    return [from === to ? dy : ctx.b.cast(dy, from)];
  },
};
