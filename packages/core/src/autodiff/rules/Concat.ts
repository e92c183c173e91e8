/**
 * Concat: y = [x_0, x_1, ...] joined along `axis` (negative counts from the end).
 * dx_i = the slice of dy that x_i occupies: one Split of dy by the inputs' sizes along
 * the axis, static when every size is known, else gathered from the runtime shapes.
 */
import type { GradRule } from '../types.ts';

export const Concat: GradRule = {
  opType: 'Concat',
  grad(ctx) {
    const { b } = ctx;
    const axis = ctx.attrInt('axis', 0);
    const inputs = ctx.node.inputs;
    const sizes = inputs.map((x) => {
      const s = ctx.shape(x);
      const d = s?.[axis < 0 ? axis + s.length : axis];
      return typeof d === 'number' ? d : undefined;
    });
    const split = sizes.every((d) => d !== undefined)
      ? b.int64s(sizes as number[])
      : b.op1('Concat', inputs.map((x) => b.op1('Gather', [b.shape(x), b.int64s([axis])], { axis: 0 })), { axis: 0 });
    const parts = b.op('Split', [ctx.dy[0] as string, split], { axis }, { outputs: inputs.length });
    return parts.map((p, i) => (ctx.needs[i] ? p : null));
  },
};
