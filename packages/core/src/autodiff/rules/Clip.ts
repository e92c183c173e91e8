/**
 * Clip (opset 13+: min and max are optional scalar inputs): y = min(max(x, lo), hi).
 * dx = dy where lo < x < hi, else 0 (bounds exclusive, as PyTorch's hardtanh, which ReLU6
 * exports as; clamp's inclusive rule differs only where x lies exactly on a bound). The
 * mask is read from the output, Cast(lo < y < hi): y lies strictly inside exactly where x
 * does, so the forward Conv+BatchNormalization+Clip fusion stays intact (reading x would
 * materialise the pre-activation). A Cast mask and a Mul, not Where: ONNX Runtime's CPU
 * Where is about four times slower. Where the output comes from a blocked (NCHWc)
 * convolution, the mask is built from depthwise Convs instead, which keeps the backward
 * pass in ONNX Runtime's blocked layout (interval-mask.ts; exact, same 0/1 values).
 * An omitted bound does not mask, so with neither bound
 * dx = dy. The bounds get the cotangent summed over the elements they decide:
 * dlo = sum(dy where x < lo), dhi = sum(dy where x > hi).
 * When lo > hi the output is hi everywhere, so then hi takes every element and lo none.
 */
import type { GradRule } from '../types.ts';
import { boundValue, intervalMask } from './interval-mask.ts';

export const Clip: GradRule = {
  opType: 'Clip',
  grad(ctx) {
    const { b } = ctx;
    const [x, lo = '', hi = ''] = ctx.node.inputs;
    const dy = ctx.dy[0] as string;
    const zero = (): string => ctx.scalarLike(0, x);
    const boundGrad = (mask: string, bound: string): string =>
      b.reshape(b.reduceSum(b.op1('Where', [mask, dy, zero()]), [], false), b.shape(bound));

    let dx: string | null = null;
    if (ctx.needs[0]) {
      const y = ctx.node.outputs[0];
      const [loV, hiV] = [boundValue(ctx, lo), boundValue(ctx, hi)];
      const blocked = loV === null || hiV === null ? null : intervalMask(ctx, y, loV, hiV);
      if (!lo && !hi) dx = dy;
      else if (blocked) dx = b.mul(dy, blocked);
      else {
        const inside: string[] = [];
        if (lo) inside.push(b.op1('Greater', [y, lo]));
        if (hi) inside.push(b.op1('Less', [y, hi]));
        dx = b.mul(dy, b.cast(inside.length === 2 ? b.op1('And', inside) : inside[0], ctx.dtype(y)));
      }
    }
    let dlo: string | null = null;
    if (lo && ctx.needs[1]) {
      const below = b.op1('Less', [x, lo]);
      dlo = boundGrad(hi ? b.op1('And', [below, b.op1('Less', [lo, hi])]) : below, lo);
    }
    let dhi: string | null = null;
    if (hi && ctx.needs[2]) {
      const above = b.op1('Greater', [x, hi]);
      dhi = boundGrad(lo ? b.op1('Or', [above, b.op1('Less', [hi, lo])]) : above, hi);
    }
    return [dx, dlo, dhi];
  },
};
