/**
 * GlobalMaxPool: Y[n, c] = max of X[n, c, ...] over the spatial elements. dX is dY at the
 * first maximum of each (n, c) plane (ArgMax, select_last_index 0) and zero elsewhere,
 * the same tie rule as ONNX Runtime's MaxPool indices; a tie never splits the gradient.
 */
import { tensor } from '../../onnx/tensor.ts';
import type { GradRule } from '../types.ts';
import { shapeSlice, staticSpatial } from '../window-geometry.ts';

export const GlobalMaxPool: GradRule = {
  opType: 'GlobalMaxPool',
  grad(ctx) {
    const { b } = ctx;
    const [x] = ctx.node.inputs;
    const dy = ctx.dy[0] as string;
    const flat = b.reshape(x, [0, 0, -1]);
    const first = b.op1('ArgMax', [flat], { axis: 2, keepdims: 1 });
    const spatial = staticSpatial(ctx, x);
    const count = spatial?.reduce((p, d) => p * d, 1);
    const positions = count !== undefined
      ? b.constant(tensor('int64', [count], Array.from({ length: count }, (_, i) => i)), 'positions')
      : b.op1('Range', [b.int64s([0], []), b.squeeze(shapeSlice(b, flat, 2, 3), [0]), b.int64s([1], [])]);
    const hot = b.op1('Equal', [positions, first]);
    const dx = b.op1('Where', [hot, b.reshape(dy, [0, 0, -1]), ctx.scalarLike(0, x)]);
    return [b.reshape(dx, b.shape(x))];
  },
};
