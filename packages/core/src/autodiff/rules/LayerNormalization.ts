/**
 * LayerNormalization (opset 17): x is standardised over the axes [axis, rank), y =
 * xhat * scale + bias (scale and the optional bias broadcast against those axes). The
 * optional outputs Mean and InvStdDev (r, in the stash type) are differentiable too:
 *   dx = standardizeBackward(dy * scale) + dMean / n - dInvStdDev * r^2 * xhat / n,
 *   dscale = unbroadcast(dy * xhat), dbias = unbroadcast(dy).
 */
import { axesFrom } from '../graph-shapes.ts';
import { standardize, standardizeBackward } from '../standardize.ts';
import type { GradRule } from '../types.ts';

export const LayerNormalization: GradRule = {
  opType: 'LayerNormalization',
  grad(ctx) {
    const { b, node } = ctx;
    const [x, scale, bias] = node.inputs;
    const axis = ctx.attrInt('axis', -1);
    // Negative axes [axis, -1] need no rank.
    const axes = axis < 0 ? Array.from({ length: -axis }, (_, i) => axis + i) : axesFrom(ctx, x, axis);
    const s = standardize(ctx, x, axes, ctx.attrFloat('epsilon', 1e-5));
    const dtype = ctx.dtype(x);
    // Mean and InvStdDev are in the stash type, float32 (the only one ONNX Runtime
    // implements) whatever x is, so their cotangents are cast unless x is float32 too.
    const cotangent = (k: number): string | null => {
      const d = ctx.dy[k];
      return d && dtype !== 'float32' ? b.cast(d, dtype) : d;
    };
    const [dy, dMean, dInvStd] = [ctx.dy[0], cotangent(1), cotangent(2)];
    let dx: string | null = null;
    if (ctx.needs[0]) {
      const terms: string[] = [];
      if (dy) terms.push(standardizeBackward(ctx, s, b.mul(dy, scale)));
      if (dMean) terms.push(b.mul(dMean, s.invCount));
      if (dInvStd) terms.push(b.neg(b.mul(b.mul(dInvStd, b.mul(s.invStd, s.invStd)), b.mul(s.xhat, s.invCount))));
      dx = b.sum(terms);
      // dMean alone is shaped like the reduced statistics.
      if (!dy && !dInvStd) dx = b.op1('Expand', [dx, b.shape(x)]);
    }
    const dScale = ctx.needs[1] && dy ? ctx.unbroadcast(b.mul(dy, s.xhat), scale) : null;
    const dBias = bias && ctx.needs[2] && dy ? ctx.unbroadcast(dy, bias) : null;
    return [dx, dScale, dBias];
  },
};
