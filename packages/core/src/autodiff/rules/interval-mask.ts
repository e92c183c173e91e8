/**
 * The 0/1 mask lo < y < hi of an activation's output (Relu, Clip: ReLU6 above all) in a
 * form that ONNX Runtime keeps in its blocked NCHWc layout: per bound, a depthwise 1x1
 * Conv with constant weights (a per-channel affine map) followed by Clip(0, 1), which
 * ONNX Runtime fuses into one blocked convolution. For a bound v the Conv computes
 * K*(y - v) (or K*(v - y)), K a power of two so large that every float32 y other than v
 * lands at least 1 away from 0; clipped to [0, 1] that is exactly 1 strictly inside and
 * exactly 0 on the bound. The product with the cotangent is then a Mul of two blocked
 * tensors of one shape, which ONNX Runtime also runs blocked.
 *
 * Why: the comparison form, Cast(Greater(y, lo) And Less(y, hi)) * dy, runs in plain NCHW.
 * Where the activation comes from a blocked convolution (the forward pass of every
 * CNN on ONNX Runtime's CPU provider), ONNX Runtime then reorders y and the cotangent
 * out of the blocked layout and the product back in, around every masked layer: in
 * MobileNetV2's input gradient about a third of the backward time (docs/benchmarks.md).
 *
 * Exactness: K*y and K*v are exact (power-of-two scaling; K*y may overflow to +inf, which
 * the Clip maps to 1); their difference is exact when y lies within a factor of two of v
 * (Sterbenz) and is at least K*|v|/2 >= 1 otherwise. So the mask equals the comparison
 * mask for every y except subnormal distances from a bound of 0 (0 < y < 2^-126, about
 * 1.2e-38), which get the fraction y*2^126 instead of 1.
 *
 * When: float32 (ONNX Runtime has no double Conv), rank 4, a static channel count that is
 * a multiple of 16 (the widest NCHWc block; with fewer channels the Conv would run
 * unblocked), constant finite bounds, and y computed from a convolution with a constant
 * weight, through elementwise ops (an activation, a residual Add): only then is y blocked.
 * Otherwise (training graphs, whose weights are fed, above all) the caller keeps the
 * comparison form, which is cheaper in plain layout.
 */
import type { Node } from '../../onnx/ir.ts';
import { tensor } from '../../onnx/tensor.ts';
import type { GradContext } from '../types.ts';

/** The widest channel block of ONNX Runtime's NCHWc kernels (AVX-512; AVX2 uses 8). */
const BLOCK = 16;

/**
 * Power of two K with K * |y - v| >= 1 for every float32 y != v: one over the smallest
 * float32 spacing next to v (half an ulp below a power of two), or 2^126 for v = 0. null
 * where K would not be a normal float32.
 */
export function stepScale(v: number): number | null {
  if (v === 0) return 2 ** 126;
  const a = Math.abs(v);
  let e = Math.floor(Math.log2(a));
  if (2 ** e > a) e--;
  if (2 ** (e + 1) <= a) e++;
  const k = 24 - e;
  return k > 126 || k < -126 ? null : 2 ** k;
}

/** The value of the constant scalar `name`: undefined for '' (an omitted input), null when not a finite constant scalar. */
export function boundValue(ctx: GradContext, name: string): number | null | undefined {
  if (!name) return undefined;
  const t = ctx.constant(name);
  if (!t || t.data.length !== 1) return null;
  const v = Number(t.data[0]);
  return Number.isFinite(v) ? v : null;
}

/** Elementwise ops that ONNX Runtime runs on blocked tensors when all their inputs are blocked. */
const BLOCKED_ELEMENTWISE = new Set(['Relu', 'Clip', 'Add', 'Sum', 'Sigmoid', 'Tanh']);

/**
 * Whether `v` is computed from initializers alone (ONNX Runtime folds it into one), such
 * as a weight with BatchNormalization folded in by a Mul.
 */
function isConstant(ctx: GradContext, v: string, depth = 0): boolean {
  if (ctx.constant(v)) return true;
  const n = ctx.producer(v);
  if (!n || depth > 8 || n.inputs.length === 0) return n?.opType === 'Constant';
  return n.inputs.every((i) => i === '' || isConstant(ctx, i, depth + 1));
}

/** Whether `v` comes from a 2-D Conv with a constant weight, through blocked elementwise ops. */
function fromBlockedConv(ctx: GradContext, v: string, depth = 0): boolean {
  const n: Node | undefined = ctx.producer(v);
  if (!n || depth > 8) return false;
  if (n.opType === 'Conv' && !n.domain) return ctx.rank(n.inputs[1]) === 4 && isConstant(ctx, n.inputs[1]);
  if (!BLOCKED_ELEMENTWISE.has(n.opType) || n.domain) return false;
  const data = n.opType === 'Clip' ? n.inputs.slice(0, 1) : n.inputs;
  return data.every((i) => i !== '' && fromBlockedConv(ctx, i, depth + 1));
}

/** Shared constants of the mask Convs, per builder: weight [C, 1, 1, 1] and bias [C] by value. */
const shared = new WeakMap<object, Map<string, string>>();

function filled(ctx: GradContext, dims: number[], value: number, hint: string): string {
  let cache = shared.get(ctx.b);
  if (!cache) shared.set(ctx.b, (cache = new Map()));
  const key = `${dims.join('x')}:${value}`;
  let name = cache.get(key);
  if (!name) {
    name = ctx.b.constant(tensor('float32', dims, new Float32Array(dims.reduce((a, d) => a * d, 1)).fill(value)), hint);
    cache.set(key, name);
  }
  return name;
}

/**
 * Float32 mask of lo < y < hi (an undefined bound is not checked) as blocked-layout
 * Convs, or null when `y` or the bounds do not qualify (see the header); the caller then
 * builds the comparison form.
 */
export function intervalMask(ctx: GradContext, y: string, lo: number | undefined, hi: number | undefined): string | null {
  const { b } = ctx;
  if (ctx.dtype(y) !== 'float32') return null;
  const shape = ctx.shape(y);
  const c = shape?.[1];
  if (!shape || shape.length !== 4 || typeof c !== 'number' || c < BLOCK || c % BLOCK !== 0) return null;
  const bounds: { v: number; sign: 1 | -1 }[] = [];
  for (const [v, sign] of [[lo, 1], [hi, -1]] as const) {
    if (v === undefined) continue;
    if (!Number.isFinite(v)) return null;
    bounds.push({ v: Math.fround(v), sign });
  }
  if (bounds.length === 0 || (bounds.length === 2 && !(bounds[0].v < bounds[1].v))) return null;
  if (!fromBlockedConv(ctx, y)) return null;
  const masks: string[] = [];
  for (const { v, sign } of bounds) {
    const k = stepScale(v);
    if (k === null) return null;
    // sign*K*(y - v) = (sign*K)*y - sign*K*v; K*v is exact, and so is its float32 rounding.
    const inputs = [y, filled(ctx, [c, 1, 1, 1], sign * k, 'step_w')];
    const bias = Math.fround(-sign * k * v);
    if (bias !== 0) inputs.push(filled(ctx, [c], bias, 'step_b'));
    const conv = b.op1('Conv', inputs, { group: c });
    masks.push(b.op1('Clip', [conv, b.scalar(0, 'float32'), b.scalar(1, 'float32')]));
  }
  return masks.length === 1 ? masks[0] : b.mul(masks[0], masks[1]);
}
