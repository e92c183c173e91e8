/**
 * The maths shared by the normalisation gradients (BatchNormalization in training mode,
 * LayerNormalization, InstanceNormalization). Over a group of n elements (the reduced
 * axes), xhat = (x - mean) * r with r = 1 / sqrt(var + eps) and the biased variance
 * var = mean((x - mean)^2). Given the cotangent g of xhat, the cotangent of x is
 *   dx = r * (g - mean(g) - xhat * mean(g * xhat)),
 * the mean and variance being functions of x.
 */
import type { Axes } from './graph-shapes.ts';
import { groupSize, staticCount } from './graph-shapes.ts';
import type { GradContext } from './types.ts';

/** The group statistics of x, recomputed in the gradient graph in x's dtype. */
export interface Standardized {
  axes: Axes;
  /** (x - mean) * r, shaped like x. */
  xhat: string;
  /** r = 1 / sqrt(var + eps), reduced axes kept as size 1. */
  invStd: string;
  /** 1 / n as a scalar. */
  invCount: string;
}

/** Standardises x over `axes` (keepdims) with variance offset `eps`. */
export function standardize(ctx: GradContext, x: string, axes: Axes, eps: number): Standardized {
  const { b } = ctx;
  const sum = b.reduceSum(x, axes, true);
  const invCount = b.op1('Reciprocal', [groupSize(ctx, x, sum, staticCount(ctx, x, axes))]);
  const centered = b.sub(x, b.mul(sum, invCount));
  const variance = b.mul(b.reduceSum(b.mul(centered, centered), axes, true), invCount);
  const invStd = b.op1('Reciprocal', [b.op1('Sqrt', [b.add(variance, ctx.scalarLike(eps, x))])]);
  return { axes, xhat: b.mul(centered, invStd), invStd, invCount };
}

/** Mean of t over the standardised axes (keepdims). */
export function groupMean(ctx: GradContext, s: Standardized, t: string): string {
  return ctx.b.mul(ctx.b.reduceSum(t, s.axes, true), s.invCount);
}

/** dx from the cotangent `g` of xhat: r * (g - mean(g) - xhat * mean(g * xhat)). */
export function standardizeBackward(ctx: GradContext, s: Standardized, g: string): string {
  const { b } = ctx;
  const projection = b.mul(s.xhat, groupMean(ctx, s, b.mul(g, s.xhat)));
  return b.mul(s.invStd, b.sub(b.sub(g, groupMean(ctx, s, g)), projection));
}
