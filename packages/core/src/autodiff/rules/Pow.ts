/**
 * Pow: y = a ^ e (broadcasting; e may have another numeric dtype than a).
 * da = unbroadcast(dy * e * a^(e-1)), set to 0 where e = 0 (else 0 * 0^-1 gives NaN at a = 0);
 * de = unbroadcast(dy * y * ln a), set to 0 where a = 0 (the limit for e > 0; ln 0 would
 * give NaN). Both masks follow PyTorch's pow_backward. A negative base gives NaN in de,
 * as in PyTorch: a^e is then real only at integer e.
 */
import type { Tensor } from '../../onnx/tensor.ts';
import type { GradContext, GradRule } from '../types.ts';

/** The value of a scalar constant readable as a JS number, else undefined. */
function scalarConstant(ctx: GradContext, name: string): number | undefined {
  const t: Tensor | undefined = ctx.constant(name);
  // 16-bit floats are stored as raw bit patterns: read them in the graph instead.
  if (!t || t.data.length !== 1 || t.dtype === 'float16' || t.dtype === 'bfloat16' || t.dtype === 'string') return undefined;
  return Number(t.data[0]);
}

/** da, already summed down to the shape of `a`. */
function baseGrad(ctx: GradContext, a: string, e: string, dy: string): string {
  const { b } = ctx;
  const dt = ctx.dtype(a);
  const k = scalarConstant(ctx, e);
  if (k !== undefined) {
    // A constant exponent (x^2, x^0.5 ...) folds into a scalar coefficient.
    if (k === 0) return b.zerosLike(a, dt);
    if (k === 1) return ctx.unbroadcast(dy, a);
    const power = k === 2 ? a : b.op1('Pow', [a, ctx.scalarLike(k - 1, a)]);
    return ctx.unbroadcast(b.mul(dy, b.mul(power, ctx.scalarLike(k, a))), a);
  }
  const ef = ctx.dtype(e) === dt ? e : b.cast(e, dt);
  const g = b.mul(dy, b.mul(ef, b.op1('Pow', [a, b.sub(ef, ctx.scalarLike(1, a))])));
  const zero = ctx.scalarLike(0, a);
  return ctx.unbroadcast(b.op1('Where', [b.op1('Equal', [ef, zero]), zero, g]), a);
}

function exponentGrad(ctx: GradContext, a: string, e: string, dy: string): string {
  const { b } = ctx;
  const y = ctx.node.outputs[0];
  const zero = ctx.scalarLike(0, a);
  const g = b.mul(dy, b.mul(y, b.op1('Log', [a])));
  const masked = b.op1('Where', [b.op1('Equal', [a, zero]), zero, g]);
  return ctx.dtype(e) === ctx.dtype(a) ? masked : b.cast(masked, ctx.dtype(e));
}

export const Pow: GradRule = {
  opType: 'Pow',
  grad(ctx) {
    const [a, e] = ctx.node.inputs;
    const dy = ctx.dy[0] as string;
    return [
      ctx.needs[0] ? baseGrad(ctx, a, e, dy) : null,
      ctx.needs[1] ? ctx.unbroadcast(exponentGrad(ctx, a, e, dy), e) : null,
    ];
  },
};
