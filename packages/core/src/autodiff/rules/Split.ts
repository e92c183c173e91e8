/**
 * Split: x cut along `axis` into y_0, y_1, ... (sizes from the 'split' input, or equal
 * parts / num_outputs at opset 18, the last part possibly shorter). dx = the
 * cotangents joined along the axis, zeros standing in for outputs that receive none.
 */
import type { GradRule } from '../types.ts';

export const Split: GradRule = {
  opType: 'Split',
  grad(ctx) {
    if (!ctx.needs[0]) return ctx.node.inputs.map(() => null);
    const [x, ...rest] = ctx.node.inputs;
    const dtype = ctx.dtype(x);
    const parts = ctx.node.outputs.map((y, k) => ctx.dy[k] ?? ctx.b.zerosLike(y, dtype));
    const dx = parts.length === 1 ? parts[0] : ctx.b.op1('Concat', parts, { axis: ctx.attrInt('axis', 0) });
    return [dx, ...rest.map(() => null)];
  },
};
