/**
 * Shape plumbing shared by gradient rules. Each helper takes a static path when the
 * inferred shape allows it and otherwise computes the shape in the graph (Shape, Size,
 * Range ...), so rules keep working with symbolic batch sizes and with values whose
 * rank shape inference could not resolve.
 */
import { isStatic } from '../onnx/shape/broadcast.ts';
import { tensorAttr } from '../onnx/builder.ts';
import { tensor } from '../onnx/tensor.ts';
import type { GradContext } from './types.ts';

/** Reduction axes: a static list (may be negative) or the name of a 1-D int64 graph value. */
export type Axes = number[] | string;

/**
 * Reshapes `t` to the runtime shape of the forward value `like`. `from` names a forward
 * value of `t`'s shape (the op's output, for a cotangent), which lets a symbolic dim that
 * both share at the same position be copied (Reshape's 0) rather than read with Shape:
 * the target stays a constant, so ONNX Runtime's shape inference keeps the symbolic batch
 * on the gradient path, and its blocked-layout (NCHWc) pass, which needs provably equal
 * shapes to keep a Mul in that layout, can see that the cotangent and the forward value
 * it multiplies have the same shape. Zeros in `like`'s shape are literal sizes
 * (allowzero from opset 14), not "copy this dim", so such shapes go the Shape way.
 */
export function reshapeLike(ctx: GradContext, t: string, like: string, from?: string): string {
  const s = ctx.shape(like);
  if (isStatic(s) && !s.includes(0)) return ctx.b.reshape(t, s);
  const f = from === undefined ? undefined : ctx.shape(from);
  if (s && f && !s.includes(0)) {
    const target = s.map((d, i) => (typeof d === 'number' ? d : typeof d === 'string' && f[i] === d ? 0 : null));
    if (target.filter((d) => d === null).length <= 1) return ctx.b.reshape(t, target.map((d) => d ?? -1));
  }
  return ctx.b.op1('Reshape', [t, ctx.b.shape(like)], { allowzero: ctx.opset >= 14 ? 1 : undefined });
}

/**
 * Broadcasts `t` to the runtime shape of the forward value `like` with Expand. `carried`
 * is `t`'s shape as known from forward values (same rank as `like`): where `like` has a
 * symbolic dim that `t` carries at the same position, the target says 1 and the dim comes
 * from `t`, so the target is a constant (see {@link reshapeLike} for why that matters);
 * otherwise the target is Shape(like).
 */
export function expandLike(ctx: GradContext, t: string, like: string, carried?: readonly (number | string | null)[]): string {
  const s = ctx.shape(like);
  if (s && carried && carried.length === s.length) {
    const target = s.map((d, i) => (typeof d === 'number' ? d : typeof d === 'string' && carried[i] === d ? 1 : null));
    if (target.every((d) => d !== null)) return ctx.b.op1('Expand', [t, ctx.b.int64s(target as number[])]);
  }
  return ctx.b.op1('Expand', [t, ctx.b.shape(like)]);
}

/** The rank of `x` as an int64 scalar computed in the graph. */
export function rankScalar(ctx: GradContext, x: string): string {
  return ctx.b.squeeze(ctx.b.shape(ctx.b.shape(x)), [0]);
}

/** Axes `[start, rank(x))`: static when the rank of `x` is known, else a Range in the graph. */
export function axesFrom(ctx: GradContext, x: string, start: number): Axes {
  const r = ctx.rank(x);
  if (r !== undefined) return Array.from({ length: Math.max(r - start, 0) }, (_, i) => start + i);
  return ctx.b.op1('Range', [ctx.b.int64s([start], []), rankScalar(ctx, x), ctx.b.int64s([1], [])]);
}

/** Every axis of `x` [N, C, ...] except the channel axis 1: `[0, 2, 3, ...]`. */
export function axesExceptChannel(ctx: GradContext, x: string): Axes {
  const rest = axesFrom(ctx, x, 2);
  if (Array.isArray(rest)) return [0, ...rest];
  return ctx.b.op1('Concat', [ctx.b.int64s([0]), rest], { axis: 0 });
}

/** Reshapes a per-channel vector p [C] to [C, 1, ..., 1] so it broadcasts against x [N, C, ...]. */
export function perChannel(ctx: GradContext, p: string, x: string): string {
  const { b } = ctx;
  const r = ctx.rank(x);
  if (r !== undefined) return b.reshape(p, [-1, ...new Array<number>(Math.max(r - 2, 0)).fill(1)]);
  const spatialRank = b.sub(b.shape(b.shape(x)), b.int64s([2]));
  const ones = b.op1('ConstantOfShape', [spatialRank], { value: tensorAttr(tensor('int64', [1], [1])) });
  return b.reshape(p, b.op1('Concat', [b.int64s([-1]), ones], { axis: 0 }));
}

/**
 * The number of elements of `x` per element of `reduced` (the group size of a
 * reduction), as a scalar of `x`'s dtype: the constant `staticSize` when the caller
 * knows it, else Size(x) / Size(reduced) computed in the graph.
 */
export function groupSize(ctx: GradContext, x: string, reduced: string, staticSize?: number): string {
  if (staticSize !== undefined) return ctx.scalarLike(staticSize, x);
  const { b } = ctx;
  return b.cast(b.div(b.op1('Size', [x]), b.op1('Size', [reduced])), ctx.dtype(x));
}

/** Normalises a possibly negative axis when the rank is known; returns undefined otherwise (for negative axes). */
export function normalizeAxis(axis: number, rank: number | undefined): number | undefined {
  if (axis >= 0) return axis;
  return rank === undefined ? undefined : axis + rank;
}

/** The product of the static dims of `x` over `axes`, or undefined when any of them is unknown. */
export function staticCount(ctx: GradContext, x: string, axes: Axes): number | undefined {
  const s = ctx.shape(x);
  if (!s || !Array.isArray(axes)) return undefined;
  let n = 1;
  for (const a of axes) {
    const d = s[a < 0 ? a + s.length : a];
    if (typeof d !== 'number') return undefined;
    n *= d;
  }
  return n;
}
