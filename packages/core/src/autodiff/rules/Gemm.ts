/**
 * Gemm: Y = alpha * op(A) @ op(B) + beta * C, op = optional transpose.
 * dA = alpha * dY @ op(B)^T (transposed back if transA), dB = alpha * op(A)^T @ dY
 * (transposed back if transB), dC = beta * unbroadcast(dY).
 */
import type { GradRule } from '../types.ts';

export const Gemm: GradRule = {
  opType: 'Gemm',
  grad(ctx) {
    const { b } = ctx;
    const [A, B, C] = ctx.node.inputs;
    const alpha = ctx.attrFloat('alpha', 1);
    const beta = ctx.attrFloat('beta', 1);
    const transA = ctx.attrInt('transA', 0) === 1;
    const transB = ctx.attrInt('transB', 0) === 1;
    const dy = ctx.dy[0] as string;
    const scale = (x: string, s: number): string => (s === 1 ? x : b.mul(x, ctx.scalarLike(s, ctx.node.outputs[0])));
    let dA: string | null = null;
    let dB: string | null = null;
    let dC: string | null = null;
    if (ctx.needs[0]) {
      // d op(A) = dY @ op(B)^T; if transA, dA = (d op(A))^T = op(B) @ dY^T.
      dA = transA
        ? b.op1('Gemm', [B, dy], { transA: transB ? 1 : 0, transB: 1 })
        : b.op1('Gemm', [dy, B], { transA: 0, transB: transB ? 0 : 1 });
      dA = scale(dA, alpha);
    }
    if (ctx.needs[1]) {
      // d op(B) = op(A)^T @ dY; if transB, dB = dY^T @ op(A).
      dB = transB
        ? b.op1('Gemm', [dy, A], { transA: 1, transB: transA ? 1 : 0 })
        : b.op1('Gemm', [A, dy], { transA: transA ? 0 : 1, transB: 0 });
      dB = scale(dB, alpha);
    }
    if (C && ctx.needs[2]) dC = scale(ctx.unbroadcast(dy, C), beta);
    return [dA, dB, dC];
  },
};
