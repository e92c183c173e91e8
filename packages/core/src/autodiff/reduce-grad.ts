/**
 * The gradient shared by the Reduce* family. Each reduction is y = R_axes(x), and its
 * vector-Jacobian product is dx = local(x, y) * unreduce(dy), where unreduce re-inserts
 * the reduced axes (as size 1) so dy broadcasts back over them. The forms the node can
 * take are all handled here: axes as attribute (ReduceSum before opset 13, the others
 * before 18) or as an optional input, negative axes, keepdims 0/1, no axes (reduce all)
 * and noop_with_empty_axes (no reduction at all; ONNX Runtime then still applies the
 * elementwise part, e.g. ReduceSumSquare gives x^2, which the local factors reproduce).
 */
import { toNumbers } from '../onnx/tensor.ts';
import type { Axes } from './graph-shapes.ts';
import { expandLike, groupSize, staticCount } from './graph-shapes.ts';
import type { GradContext, GradRule } from './types.ts';

/** How a Reduce* node reduces. */
export interface ReduceSpec {
  /** Static axes (possibly negative; empty = every axis unless `identity`) or a runtime axes value. */
  axes: Axes;
  keepdims: boolean;
  /** noop_with_empty_axes: an empty runtime axes tensor means "no reduction". */
  noop: boolean;
  /** The node is statically known to reduce nothing. */
  identity: boolean;
}

/** What a reduction's local rule is given. All names are graph values. */
export interface ReduceParts {
  spec: ReduceSpec;
  /** The forward input [x shape]. */
  x: string;
  /** dy with the reduced axes re-inserted: broadcasts against x. */
  dyk: string;
  /** The forward output y with the reduced axes re-inserted (built on first use). */
  yk: () => string;
}

/** Reads axes, keepdims and noop_with_empty_axes of the Reduce* node in `ctx`, by opset. */
export function reduceSpec(ctx: GradContext): ReduceSpec {
  const { node } = ctx;
  const axesAsInput = node.opType === 'ReduceSum' ? ctx.opset >= 13 : ctx.opset >= 18;
  const noop = axesAsInput && ctx.attrInt('noop_with_empty_axes', 0) === 1;
  const keepdims = ctx.attrInt('keepdims', 1) === 1;
  let axes: Axes;
  if (axesAsInput) {
    const name = node.inputs[1] ?? '';
    const c = name ? ctx.constant(name) : undefined;
    axes = !name ? [] : c ? toNumbers(c) : name;
  } else {
    axes = ctx.attrInts('axes') ?? [];
  }
  return { axes, keepdims, noop, identity: noop && Array.isArray(axes) && axes.length === 0 };
}

/** Re-inserts the reduced axes of `t` (shaped like the node's output) so it broadcasts against x. */
export function unreduce(ctx: GradContext, spec: ReduceSpec, t: string): string {
  if (spec.keepdims || spec.identity) return t;
  // Unsqueeze normalises negative axes against its output rank, which is rank(x): the
  // reduce axes therefore need no normalisation. No axes = full reduction to a scalar,
  // which broadcasts as is.
  if (Array.isArray(spec.axes)) return spec.axes.length ? ctx.b.unsqueeze(t, spec.axes) : t;
  return ctx.b.op1('Unsqueeze', [t, spec.axes]);
}

/** ReduceSum of `t` (shaped like x) over the node's axes, keeping dims. */
export function reduceLikeNode(ctx: GradContext, spec: ReduceSpec, t: string): string {
  return ctx.b.reduceSum(t, spec.axes, true, spec.noop);
}

/** Elements of x per output element, as a scalar of x's dtype (static when shapes allow). */
export function reduceCount(ctx: GradContext, spec: ReduceSpec, x: string): string {
  if (spec.identity) return ctx.scalarLike(1, x);
  let n: number | undefined;
  if (Array.isArray(spec.axes)) {
    const r = ctx.rank(x);
    const axes = spec.axes.length ? spec.axes : r === undefined ? undefined : Array.from({ length: r }, (_, i) => i);
    if (axes) n = staticCount(ctx, x, axes);
  }
  return groupSize(ctx, x, ctx.node.outputs[0], n);
}

/**
 * A Reduce* rule from its local factor: `vjp` returns dx given the parts (it must
 * return a tensor of x's shape; broadcast with `expandToX` when it would not).
 */
export function reduceRule(opType: string, vjp: (ctx: GradContext, p: ReduceParts) => string): GradRule {
  return {
    opType,
    grad(ctx) {
      if (!ctx.needs[0]) return ctx.node.inputs.map(() => null);
      const spec = reduceSpec(ctx);
      const x = ctx.node.inputs[0];
      const y = ctx.node.outputs[0];
      let yk: string | undefined;
      const parts: ReduceParts = { spec, x, dyk: unreduce(ctx, spec, ctx.dy[0] as string), yk: () => (yk ??= unreduce(ctx, spec, y)) };
      return [vjp(ctx, parts), ...ctx.node.inputs.slice(1).map(() => null)];
    },
  };
}

/**
 * Broadcasts `t` (x's shape with the reduced axes as 1) to the full shape of x. With
 * static axes and a known rank the target is a constant that takes x's symbolic dims from
 * `t` ({@link expandLike}); otherwise it is Shape(x).
 */
export function expandToX(ctx: GradContext, p: ReduceParts, t: string): string {
  if (p.spec.identity) return t;
  const s = ctx.shape(p.x);
  if (!s || !Array.isArray(p.spec.axes)) return expandLike(ctx, t, p.x);
  const reduced = new Set((p.spec.axes.length ? p.spec.axes : s.map((_, i) => i)).map((a) => (a < 0 ? a + s.length : a)));
  return expandLike(ctx, t, p.x, s.map((d, i) => (reduced.has(i) ? 1 : d)));
}

/**
 * The vjp of ReduceMax/ReduceMin: dx = dy * [x == y] / #{x == y}. Ties split the
 * gradient evenly, as PyTorch's amax/amin do (torch.max over a dim gives it to one index).
 */
export function reduceExtremumGrad(ctx: GradContext, p: ReduceParts): string {
  const { b } = ctx;
  const mask = b.cast(b.op1('Equal', [p.x, p.yk()]), ctx.dtype(p.x));
  return b.mul(mask, b.div(p.dyk, reduceLikeNode(ctx, p.spec, mask)));
}
