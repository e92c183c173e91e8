/**
 * Gather: y = x indexed along `axis` by `indices` (any rank; negative indices count from
 * the end). dx = zeros like x with every slice of dy added back at its index; repeated
 * indices accumulate.
 *
 * x is viewed as [A, D, B] (A, B = the products of the dims before and after the axis,
 * computed from the runtime shape, so no rank is needed) and dy as [A, K, B] with K =
 * the number of indices. Rows of dy (moved to the front) are scattered into zeros
 * [D, A, B]: ScatterND with reduction 'add' from opset 16, plain ScatterND when the
 * indices are constant and provably distinct (a scalar index such as ViT's class token);
 * otherwise, at opsets 13-15, a one-hot [D, K] matrix times dy [K, A*B].
 */
import { tensor, toNumbers } from '../../onnx/tensor.ts';
import { tensorAttr } from '../../onnx/builder.ts';
import { normalizeAxis } from '../graph-shapes.ts';
import type { GradContext, GradRule } from '../types.ts';

const TO_END = Number.MAX_SAFE_INTEGER;

/** Whether the indices are constant and address distinct positions, and whether all are non-negative. */
function indexFacts(ctx: GradContext, indices: string, dim: number | undefined): { distinct: boolean; nonNegative: boolean } {
  const c = ctx.constant(indices);
  if (!c) return { distinct: false, nonNegative: false };
  const v = toNumbers(c);
  const nonNegative = v.every((i) => i >= 0);
  // Without the axis size, -1 and D-1 could be one position: only same-sign indices are comparable.
  if (dim === undefined && !nonNegative && !v.every((i) => i < 0)) return { distinct: false, nonNegative };
  const positions = v.map((i) => (i < 0 && dim !== undefined ? i + dim : i));
  return { distinct: new Set(positions).size === positions.length, nonNegative };
}

export const Gather: GradRule = {
  opType: 'Gather',
  grad(ctx) {
    if (!ctx.needs[0]) return [null, null];
    const { b } = ctx;
    const [data, indicesIn] = ctx.node.inputs;
    const a = ctx.attrInt('axis', 0);
    const dy = ctx.dy[0] as string;
    const dataShape = ctx.shape(data);
    const axis = normalizeAxis(a, dataShape?.length);
    const dim = axis === undefined ? undefined : dataShape?.[axis];
    const facts = indexFacts(ctx, indicesIn, typeof dim === 'number' ? dim : undefined);
    const indices = b.reshape(ctx.dtype(indicesIn) === 'int64' ? indicesIn : b.cast(indicesIn, 'int64'), [-1]);

    const shape = b.shape(data);
    const product = (from: number, to: number): string => b.reduce('ReduceProd', b.op1('Slice', [shape, b.int64s([from]), b.int64s([to])]), [], true);
    const depth = b.op1('Gather', [shape, b.int64s([a])], { axis: 0 });
    // B: dims after the axis (none when it is the last, -1); A: dims before it (none for axis 0).
    const after = a === -1 ? b.int64s([1]) : product(a + 1, TO_END);
    const before = a === 0 ? undefined : product(0, a);
    let rows: string;
    let rowShape: string;
    if (before) {
      rows = b.transpose(b.reshape(dy, b.op1('Concat', [before, b.int64s([-1]), after], { axis: 0 })), [1, 0, 2]);
      rowShape = b.op1('Concat', [depth, before, after], { axis: 0 });
    } else {
      rows = b.reshape(dy, b.op1('Concat', [b.int64s([-1]), after], { axis: 0 }));
      rowShape = b.op1('Concat', [depth, after], { axis: 0 });
    }

    let out: string;
    if (facts.distinct || ctx.opset >= 16) {
      const wrapped = facts.nonNegative ? indices : b.op1('Where', [b.op1('Less', [indices, b.int64s([0], [])]), b.add(indices, depth), indices]);
      const zeros = b.op1('ConstantOfShape', [rowShape], { value: tensorAttr(tensor(ctx.dtype(data), [1], [0])) });
      out = b.op1('ScatterND', [zeros, b.unsqueeze(wrapped, [1]), rows], { reduction: facts.distinct ? undefined : 'add' });
    } else {
      // Opsets 13-15 have no accumulating scatter: sum rows with a one-hot matrix instead
      // (OneHot wraps negative indices itself).
      const values = b.constant(tensor('float32', [2], [0, 1]), 'onehot_values');
      let onehot = b.op1('OneHot', [indices, b.reshape(depth, []), values], { axis: 0 });
      if (ctx.dtype(data) !== 'float32') onehot = b.cast(onehot, ctx.dtype(data));
      out = b.op1('Reshape', [b.op1('MatMul', [onehot, b.op1('Flatten', [rows], { axis: 1 })]), rowShape]);
    }
    return [b.op1('Reshape', [before ? b.transpose(out, [1, 0, 2]) : out, shape]), null];
  },
};
