/**
 * Tile: y = x repeated r_k times along each axis k, y [r_0 d_0, r_1 d_1, ...]. Viewing dy
 * as [r_0, d_0, r_1, d_1, ...] (tile index major, as Tile lays copies out), dx is dy
 * summed over the tile axes 0, 2, 4, .... Static when the repeats and dims of x are
 * constant, else the interleaved shape and the axes are computed in the graph.
 */
import { isStatic } from '../../onnx/shape/broadcast.ts';
import { toNumbers } from '../../onnx/tensor.ts';
import type { GradRule } from '../types.ts';

export const Tile: GradRule = {
  opType: 'Tile',
  grad(ctx) {
    if (!ctx.needs[0]) return [null, null];
    const { b } = ctx;
    const [x, repeatsName] = ctx.node.inputs;
    const dy = ctx.dy[0] as string;
    const repeatsConst = ctx.constant(repeatsName);
    const dims = ctx.shape(x);
    if (repeatsConst && isStatic(dims)) {
      const reps = toNumbers(repeatsConst);
      const split = reps.flatMap((r, k) => [r, dims[k]]);
      const axes = reps.flatMap((r, k) => (r === 1 ? [] : [2 * k]));
      if (axes.length === 0) return [dy, null];
      return [b.reshape(b.reduceSum(b.reshape(dy, split), axes, false), dims), null];
    }
    const repeats = b.unsqueeze(b.cast(repeatsName, 'int64'), [1]);
    const interleaved = b.reshape(b.op1('Concat', [repeats, b.unsqueeze(b.shape(x), [1])], { axis: 1 }), [-1]);
    const rank2 = b.op1('Size', [interleaved]);
    const axes = b.op1('Range', [b.int64s([0], []), rank2, b.int64s([2], [])]);
    return [b.reduceSum(b.reshape(dy, interleaved), axes, false), null];
  },
};
