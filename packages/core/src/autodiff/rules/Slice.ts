/**
 * Slice: y = x[starts:ends:steps] along `axes` (inputs; negative indices count from the
 * end, out-of-range ends clamp, steps may be negative). dx = zeros like x with dy
 * written back at the sliced positions.
 *
 * Unit steps with constant bounds and known dims: one Pad of dy (begin pad = the clamped
 * start, end pad = the rest). Otherwise the positions come from slicing an iota of x's
 * flat indices with the node's own inputs, so ONNX Runtime resolves every clamping and
 * sign rule itself, and dy is scattered into zeros there (positions are distinct, so
 * ScatterElements needs no reduction).
 */
import { tensorAttr } from '../../onnx/builder.ts';
import { tensor, toNumbers } from '../../onnx/tensor.ts';
import type { GradContext, GradRule } from '../types.ts';

function padsIfUnitSteps(ctx: GradContext): number[] | undefined {
  const [x, startsName, endsName, axesName, stepsName] = ctx.node.inputs;
  const shape = ctx.shape(x);
  const starts = ctx.constant(startsName);
  const ends = ctx.constant(endsName);
  const axesT = axesName ? ctx.constant(axesName) : undefined;
  const stepsT = stepsName ? ctx.constant(stepsName) : undefined;
  if (!shape || !starts || !ends || (axesName && !axesT) || (stepsName && !stepsT)) return undefined;
  const s = toNumbers(starts);
  const e = toNumbers(ends);
  const r = shape.length;
  const axes = axesT ? toNumbers(axesT) : s.map((_, i) => i);
  if (stepsT && toNumbers(stepsT).some((v) => v !== 1)) return undefined;
  const pads = new Array<number>(2 * r).fill(0);
  for (let k = 0; k < axes.length; k++) {
    const a = axes[k] < 0 ? axes[k] + r : axes[k];
    const d = shape[a];
    if (typeof d !== 'number') return undefined;
    const clamp = (v: number): number => Math.min(Math.max(v < 0 ? v + d : v, 0), d);
    const begin = clamp(s[k]);
    const len = Math.max(clamp(e[k]) - begin, 0);
    pads[a] = begin;
    pads[a + r] = d - begin - len;
  }
  return pads;
}

export const Slice: GradRule = {
  opType: 'Slice',
  grad(ctx) {
    const nulls = ctx.node.inputs.slice(1).map(() => null);
    if (!ctx.needs[0]) return [null, ...nulls];
    const { b } = ctx;
    const [x, ...bounds] = ctx.node.inputs;
    const dy = ctx.dy[0] as string;
    const pads = padsIfUnitSteps(ctx);
    if (pads) return [pads.every((p) => p === 0) ? dy : b.op1('Pad', [dy, b.int64s(pads)]), ...nulls];
    const size = b.op1('Size', [x]);
    const iota = b.op1('Range', [b.int64s([0], []), size, b.int64s([1], [])]);
    const positions = b.op1('Slice', [b.op1('Reshape', [iota, b.shape(x)]), ...bounds]);
    const zeros = b.op1('ConstantOfShape', [b.reshape(size, [1])], { value: tensorAttr(tensor(ctx.dtype(x), [1], [0])) });
    const flat = b.op1('ScatterElements', [zeros, b.reshape(positions, [-1]), b.reshape(dy, [-1])], { axis: 0 });
    return [b.op1('Reshape', [flat, b.shape(x)]), ...nulls];
  },
};
