/**
 * MatMul with NumPy semantics: y = a @ b over the last two axes, batch axes broadcast.
 * da = unbroadcast(dy @ b^T), db = unbroadcast(a^T @ dy). Rank-1 operands are promoted
 * (a: [K] -> [1,K], b: [K] -> [K,1]) exactly as MatMul does, and the promotion undone.
 */
import type { Dim } from '../../onnx/ir.ts';
import { broadcastShapes } from '../../onnx/shape/broadcast.ts';
import { unbroadcastTo } from '../unbroadcast.ts';
import type { GradContext, GradRule } from '../types.ts';

function swapLast(ctx: GradContext, x: string, rank: number): string {
  const perm = Array.from({ length: rank }, (_, i) => i);
  [perm[rank - 2], perm[rank - 1]] = [perm[rank - 1], perm[rank - 2]];
  return ctx.b.transpose(x, perm);
}

export const MatMul: GradRule = {
  opType: 'MatMul',
  grad(ctx) {
    const { b } = ctx;
    const [a, w] = ctx.node.inputs;
    const ra = ctx.rank(a);
    const rw = ctx.rank(w);
    if (ra === undefined || rw === undefined) return ctx.fail('operand ranks must be known');
    let dy = ctx.dy[0] as string;
    let aa = a;
    let ww = w;
    let aShape: Dim[] | undefined = ctx.shape(a);
    let wShape: Dim[] | undefined = ctx.shape(w);
    if (ra === 1) {
      aa = b.unsqueeze(a, [0]);
      aShape = aShape && [1, ...aShape];
      dy = b.unsqueeze(dy, [-2]);
    }
    if (rw === 1) {
      ww = b.unsqueeze(w, [1]);
      wShape = wShape && [...wShape, 1];
      dy = b.unsqueeze(dy, [-1]);
    }
    const rA = Math.max(ra, 2);
    const rW = Math.max(rw, 2);
    const batch = aShape && wShape ? broadcastShapes([aShape.slice(0, -2), wShape.slice(0, -2)]) : undefined;
    let da: string | null = null;
    let dw: string | null = null;
    if (ctx.needs[0]) {
      const g = b.op1('MatMul', [dy, swapLast(ctx, ww, rW)]);
      const gShape = batch && aShape ? [...batch, ...aShape.slice(-2)] : undefined;
      const s = unbroadcastTo(b, g, gShape, aa, aShape);
      da = ra === 1 ? b.reshape(s, b.shape(a)) : s;
    }
    if (ctx.needs[1]) {
      const g = b.op1('MatMul', [swapLast(ctx, aa, rA), dy]);
      const gShape = batch && wShape ? [...batch, ...wShape.slice(-2)] : undefined;
      const s = unbroadcastTo(b, g, gShape, ww, wShape);
      dw = rw === 1 ? b.reshape(s, b.shape(w)) : s;
    }
    return [da, dw];
  },
};
