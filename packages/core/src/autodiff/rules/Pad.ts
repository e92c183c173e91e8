/**
 * Pad (opset 13+: pads as an input, optional constant_value, optional axes from 18).
 *
 * constant: Y is X with pb/pe extra elements per axis (negative pads crop), so
 *   dX = Pad(dY, -pads, axes) with zeros: a Slice of dY for non-negative pads, and zeros
 *   restored where negative pads cropped X. Works with pads computed at run time.
 *   d constant_value = sum(dY) - sum(dX) (the cotangent of the padded positions).
 * edge, reflect, wrap: the index maps are separable (Y[i, j] = X[f(i), g(j)]), so the
 *   adjoint folds one axis at a time. On an axis with pads (pb, pe), dX starts as the
 *   central slice dY[pb : -pe] and the border slices are added back where they were read:
 *   edge:    sum(dY[:pb]) to X[0] and sum(dY[-pe:]) to X[-1];
 *   reflect: dY[:pb] reversed to X[1 : pb+1] and dY[-pe:] reversed to X[-pe-1 : -1];
 *   wrap:    dY[:pb] to X[-pb:] and dY[-pe:] to X[:pe].
 *   Each addition is a Concat of slices of the central part, so X's size need not be
 *   known. These modes need constant, non-negative pads (and constant axes).
 */
import { toNumbers } from '../../onnx/tensor.ts';
import type { GradContext, GradRule } from '../types.ts';

const END = Number.MAX_SAFE_INTEGER;

function slice(ctx: GradContext, x: string, axis: number, start: number, end: number, step = 1): string {
  const { b } = ctx;
  const inputs = [x, b.int64s([start]), b.int64s([end]), b.int64s([axis])];
  if (step !== 1) inputs.push(b.int64s([step]));
  return b.op1('Slice', inputs);
}

function concat(ctx: GradContext, parts: string[], axis: number): string {
  return ctx.b.op1('Concat', parts, { axis });
}

/** dX along one axis from dY padded by (pb, pe) on that axis in `mode`. */
function foldAxis(ctx: GradContext, g: string, axis: number, pb: number, pe: number, mode: string): string {
  const { b } = ctx;
  let c = slice(ctx, g, axis, pb, pe > 0 ? -pe : END);
  if (pb > 0) {
    const head = slice(ctx, g, axis, 0, pb);
    if (mode === 'edge') c = concat(ctx, [b.add(slice(ctx, c, axis, 0, 1), b.reduceSum(head, [axis], true)), slice(ctx, c, axis, 1, END)], axis);
    else if (mode === 'reflect') {
      const flipped = slice(ctx, head, axis, -1, -END, -1);
      c = concat(ctx, [slice(ctx, c, axis, 0, 1), b.add(slice(ctx, c, axis, 1, pb + 1), flipped), slice(ctx, c, axis, pb + 1, END)], axis);
    } else c = concat(ctx, [slice(ctx, c, axis, 0, -pb), b.add(slice(ctx, c, axis, -pb, END), head)], axis);
  }
  if (pe > 0) {
    const tail = slice(ctx, g, axis, -pe, END);
    if (mode === 'edge') c = concat(ctx, [slice(ctx, c, axis, 0, -1), b.add(slice(ctx, c, axis, -1, END), b.reduceSum(tail, [axis], true))], axis);
    else if (mode === 'reflect') {
      const flipped = slice(ctx, tail, axis, -1, -END, -1);
      c = concat(ctx, [slice(ctx, c, axis, 0, -pe - 1), b.add(slice(ctx, c, axis, -pe - 1, -1), flipped), slice(ctx, c, axis, -1, END)], axis);
    } else c = concat(ctx, [b.add(slice(ctx, c, axis, 0, pe), tail), slice(ctx, c, axis, pe, END)], axis);
  }
  return c;
}

function fold(ctx: GradContext, x: string, dy: string, mode: string): string {
  const [, pads, , axesIn] = ctx.node.inputs;
  const padsConst = ctx.constant(pads);
  if (!padsConst) return ctx.fail(`mode '${mode}' needs constant pads`);
  const p = toNumbers(padsConst);
  const n = p.length / 2;
  let axes = Array.from({ length: n }, (_, i) => i);
  if (axesIn) {
    const a = ctx.constant(axesIn);
    if (!a) return ctx.fail(`mode '${mode}' needs constant axes`);
    const rank = ctx.rank(x);
    axes = toNumbers(a).map((v) => (v < 0 && rank !== undefined ? v + rank : v));
    if (axes.some((v) => v < 0)) return ctx.fail('negative axes need a known input rank');
  }
  if (p.some((v) => v < 0)) return ctx.fail(`negative pads are not supported in mode '${mode}'`);
  const shape = ctx.shape(x);
  let g = dy;
  axes.forEach((axis, i) => {
    const [pb, pe] = [p[i], p[i + n]];
    if (pb === 0 && pe === 0) return;
    if (mode === 'wrap') {
      // ONNX Runtime wraps at most once per side; beyond that the fold would need repeats.
      const size = shape?.[axis];
      if (typeof size !== 'number' || pb > size || pe > size) ctx.fail('wrap needs a static axis at least as long as its pads');
    }
    g = foldAxis(ctx, g, axis, pb, pe, mode);
  });
  return g;
}

export const Pad: GradRule = {
  opType: 'Pad',
  grad(ctx) {
    const { b } = ctx;
    const [x, pads, constantValue, axes] = ctx.node.inputs;
    const dy = ctx.dy[0] as string;
    const mode = ctx.attrString('mode', 'constant');
    if (mode !== 'constant' && mode !== 'edge' && mode !== 'reflect' && mode !== 'wrap') return ctx.fail(`mode '${mode}' is not supported`);
    if (mode !== 'constant') return [ctx.needs[0] ? fold(ctx, x, dy, mode) : null, null, null, null];
    const known = ctx.constant(pads);
    const negated = known ? b.int64s(toNumbers(known).map((v) => -v)) : b.neg(pads);
    const dx = b.op1('Pad', axes ? [dy, negated, '', axes] : [dy, negated]);
    let dc: string | null = null;
    if (constantValue && ctx.needs[2]) {
      const total = b.sub(b.reduceSum(dy, [], false), b.reduceSum(dx, [], false));
      dc = b.reshape(total, b.shape(constantValue));
    }
    return [ctx.needs[0] ? dx : null, null, dc, null];
  },
};
