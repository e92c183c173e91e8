/**
 * Gelu (opset 20+): y = x * Phi(x), Phi the standard normal CDF.
 * approximate='none': dx = dy * (Phi(x) + x * phi(x)), Phi(x) = (1 + erf(x / sqrt 2)) / 2,
 *   phi(x) = exp(-x^2 / 2) / sqrt(2 pi).
 * approximate='tanh': y = x (1 + t) / 2 with t = tanh(k (x + c x^3)), k = sqrt(2 / pi), c = 0.044715;
 *   dx = dy * ((1 + t) / 2 + x (1 - t^2) k (1 + 3 c x^2) / 2).
 */
import type { GradContext, GradRule } from '../types.ts';

const GELU_C = 0.044715;

function exactDerivative(ctx: GradContext, x: string): string {
  const { b } = ctx;
  const s = (v: number): string => ctx.scalarLike(v, x);
  const erf = b.op1('Erf', [b.mul(x, s(Math.SQRT1_2))]);
  const cdf = b.add(b.mul(erf, s(0.5)), s(0.5));
  const pdf = b.mul(b.op1('Exp', [b.mul(b.mul(x, x), s(-0.5))]), s(1 / Math.sqrt(2 * Math.PI)));
  return b.add(cdf, b.mul(x, pdf));
}

function tanhDerivative(ctx: GradContext, x: string): string {
  const { b } = ctx;
  const s = (v: number): string => ctx.scalarLike(v, x);
  const k = Math.sqrt(2 / Math.PI);
  const x2 = b.mul(x, x);
  const inner = b.mul(b.add(x, b.mul(b.mul(x2, x), s(GELU_C))), s(k));
  const t = b.op1('Tanh', [inner]);
  const half = b.mul(b.add(t, s(1)), s(0.5));
  const dInner = b.add(b.mul(x2, s(3 * GELU_C * k)), s(k));
  const sech2 = b.sub(s(1), b.mul(t, t));
  return b.add(half, b.mul(b.mul(b.mul(x, s(0.5)), sech2), dInner));
}

export const Gelu: GradRule = {
  opType: 'Gelu',
  grad(ctx) {
    if (ctx.opset < 20) return ctx.fail(`Gelu is an ONNX operator only from opset 20 (model opset ${ctx.opset})`);
    const x = ctx.node.inputs[0];
    const approximate = ctx.attrString('approximate', 'none');
    let d: string;
    if (approximate === 'none') d = exactDerivative(ctx, x);
    else if (approximate === 'tanh') d = tanhDerivative(ctx, x);
    else return ctx.fail(`approximate='${approximate}' is not 'none' or 'tanh'`);
    return [ctx.b.mul(ctx.dy[0] as string, d)];
  },
};
