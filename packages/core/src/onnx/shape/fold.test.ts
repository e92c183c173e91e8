import { describe, expect, it } from 'vitest';
import { createSession } from '../../runtime/session.ts';
import { emptyModel } from '../../testing/model-factory.ts';
import { float, floats, tensorAttr } from '../builder.ts';
import type { GraphBuilder } from '../builder.ts';
import { saveModel } from '../model-io.ts';
import { exposeOutputs } from '../passes/expose-outputs.ts';
import { tensor } from '../tensor.ts';
import type { Tensor } from '../tensor.ts';
import { MAX_FOLD_ELEMENTS } from './fold.ts';
import { inferTypes } from './infer.ts';

const i64 = (values: number[], dims = [values.length]) => tensor('int64', dims, values);

interface FoldCase {
  name: string;
  build(b: GraphBuilder): void;
}

/** Each case builds nodes over constants only; every node output must fold to ONNX Runtime's exact value. */
const CASES: FoldCase[] = [
  {
    name: 'int64 arithmetic, division truncating toward zero, with broadcasting',
    build: (b) => {
      const a = b.constant(i64([-7, 7, -8, 9, 1, 0], [2, 3]), 'a');
      const d = b.constant(i64([2, -2, 3]), 'd');
      b.add(a, d);
      b.sub(a, d);
      b.mul(a, d);
      b.div(a, d);
    },
  },
  {
    name: 'int32 and float32 arithmetic',
    build: (b) => {
      const a = b.constant(tensor('int32', [4], [-7, 7, 2147483000, -5]), 'a');
      const d = b.constant(tensor('int32', [4], [2, -3, 1, 5]), 'd');
      b.div(a, d);
      b.sub(a, d);
      b.mul(b.constant(tensor('int32', [2], [-3, 4])), b.constant(tensor('int32', [2], [5, -6])));
      const x = b.constant(tensor('float32', [3], [1, 0.1, -2.5]), 'x');
      const y = b.constant(tensor('float32', [1], [3]), 'y');
      b.div(x, y);
      b.add(x, y);
      b.mul(x, y);
      b.sub(y, x);
    },
  },
  {
    name: 'Cast between floats, integers and bool',
    build: (b) => {
      const x = b.constant(tensor('float32', [5], [-2.7, 2.7, 0.5, -0.5, 3e9]), 'x');
      b.cast(b.op1('Slice', [x, b.int64s([0]), b.int64s([4])]), 'int64');
      b.cast(x, 'float64');
      b.cast(x, 'bool');
      const i = b.constant(i64([-3, 0, 5, 16777217]), 'i');
      b.cast(i, 'float32');
      b.cast(i, 'bool');
      b.cast(i, 'int32');
      b.cast(i, 'uint8');
      b.cast(b.constant(tensor('int32', [2], [300, -1])), 'uint8');
      b.cast(b.constant(tensor('bool', [2], [1, 0])), 'float32');
      b.cast(b.constant(tensor('float64', [2], [0.1, 1e-50])), 'float32');
    },
  },
  {
    name: 'Equal, Less, Greater, Not and Where',
    build: (b) => {
      const a = b.constant(i64([1, 2, 3, 4], [2, 2]), 'a');
      const c = b.constant(i64([2, 2]), 'c');
      const eq = b.op1('Equal', [a, c]);
      b.op1('Less', [a, c]);
      b.op1('Greater', [b.constant(tensor('float32', [2], [0.5, -1])), b.scalar(0, 'float32')]);
      b.op1('Not', [eq]);
      b.op1('Where', [eq, a, b.constant(i64([-1], []), 'm')]);
    },
  },
  {
    name: 'Range in int64 and float32 (accumulated like the runtime), ConstantOfShape',
    build: (b) => {
      b.op1('Range', [b.int64s([0], []), b.int64s([10], []), b.int64s([3], [])]);
      b.op1('Range', [b.int64s([5], []), b.int64s([1], []), b.int64s([-2], [])]);
      b.op1('Range', [b.scalar(1, 'float32'), b.scalar(-2, 'float32'), b.constant(tensor('float32', [], [-0.7]))]);
      b.op1('Range', [b.scalar(0, 'float32'), b.scalar(1, 'float32'), b.constant(tensor('float32', [], [0.1]))]);
      b.op1('ConstantOfShape', [b.int64s([2, 3])], { value: tensorAttr(tensor('int32', [1], [7])) });
      b.op1('ConstantOfShape', [b.int64s([3])]);
    },
  },
  {
    name: 'Gather, Slice, Concat, Unsqueeze, Squeeze, Reshape, Flatten, Expand, Identity',
    build: (b) => {
      const t = b.constant(i64([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], [3, 4]), 't');
      b.op1('Gather', [t, b.int64s([-1], [])]);
      b.op1('Gather', [t, b.int64s([0, 3, 3, 1], [2, 2])], { axis: 1 });
      b.op1('Slice', [t, b.int64s([-1, 3]), b.int64s([-100, 0]), b.int64s([0, 1]), b.int64s([-2, -2])]);
      b.op1('Slice', [t, b.int64s([1]), b.constant(tensor('int64', [1], BigInt64Array.of(9223372036854775807n)))]);
      b.op1('Concat', [t, b.int64s([-5, -6, -7], [3, 1])], { axis: 1 });
      b.squeeze(b.unsqueeze(t, [0, 2]), [0]);
      b.reshape(t, [0, 2, -1]);
      b.op1('Flatten', [t], { axis: 0 });
      b.op1('Expand', [b.int64s([1, 2], [2, 1]), b.int64s([3, 1, 4])]);
      b.op1('Identity', [t]);
      b.neg(t);
    },
  },
  {
    name: 'Constant in all its attribute forms',
    build: (b) => {
      b.op1('Constant', [], { value: tensorAttr(tensor('float32', [2], [1.5, 2])) });
      b.op1('Constant', [], { value_float: float(0.25) });
      b.op1('Constant', [], { value_floats: floats([1, 2]) });
      b.op1('Constant', [], { value_int: 7 });
      b.op1('Constant', [], { value_ints: [3, -4] });
    },
  },
];

function sameTensor(actual: Tensor, expected: Tensor): void {
  expect(actual.dtype).toBe(expected.dtype);
  expect(actual.dims).toEqual(expected.dims);
  expect(Array.from(actual.data as ArrayLike<number | bigint>)).toEqual(Array.from(expected.data as ArrayLike<number | bigint>));
}

describe('constant folding gives exactly what ONNX Runtime computes', () => {
  for (const c of CASES) {
    it(c.name, async () => {
      const { model, b } = emptyModel([], 17);
      c.build(b);
      const produced = model.graph.nodes.flatMap((n) => n.outputs);
      const env = inferTypes(model);
      const session = await createSession(saveModel(exposeOutputs(model)), { graphOptimization: 'disabled' });
      const actual = await session.run({});
      await session.release();
      for (const name of produced) {
        const folded = env.constants.get(name);
        expect(folded, `${name} folded`).toBeDefined();
        sameTensor(folded as Tensor, actual[name]);
      }
    });
  }

  it('folds Shape and Size of an input whose shape is static, and not when a dim is symbolic', () => {
    for (const [shape, folds] of [[[2, 3, 4], true], [['N', 3, 4], false]] as const) {
      const { model, b } = emptyModel([{ name: 'x', dtype: 'float32', shape: [...shape] }]);
      const s = b.op1('Shape', ['x'], { start: 1 });
      const n = b.op1('Size', ['x']);
      const env = inferTypes(model);
      expect(env.constants.has(s)).toBe(folds);
      expect(env.constants.has(n)).toBe(folds);
      if (folds) {
        expect(Array.from(env.constants.get(s)!.data as BigInt64Array)).toEqual([3n, 4n]);
        expect(env.constants.get(n)!.data).toEqual(BigInt64Array.of(24n));
      } else expect(env.values.get(s)).toEqual([3, 4]);
    }
  });

  it('leaves to the runtime what it must not fold: integer division by zero, NaN or out-of-range floats to int, big or non-constant inputs', () => {
    const { model, b } = emptyModel([{ name: 'x', dtype: 'int64', shape: [2] }]);
    const zero = b.div(b.int64s([4, 5]), b.int64s([1, 0]));
    const nan = b.cast(b.constant(tensor('float32', [1], [NaN])), 'int64');
    const overflow = b.cast(b.constant(tensor('float32', [1], [3e9])), 'int32');
    const big = b.op1('ConstantOfShape', [b.int64s([MAX_FOLD_ELEMENTS + 1])]);
    const bigIn = b.add(b.constant(tensor('int64', [MAX_FOLD_ELEMENTS + 1]), 'big'), b.int64s([1], []));
    const dynamic = b.add('x', b.int64s([1, 2]));
    const env = inferTypes(model);
    for (const v of [zero, nan, overflow, big, bigIn, dynamic]) expect(env.constants.has(v), v).toBe(false);
    expect(env.types.get(big)).toEqual({ dtype: 'float32', shape: [MAX_FOLD_ELEMENTS + 1] });
  });

  it('does not treat an initializer that is also a graph input as constant', () => {
    const { model, b } = emptyModel([{ name: 'k', dtype: 'int64', shape: [2] }]);
    model.graph.initializers.set('k', i64([2, 3]));
    const y = b.add('k', b.int64s([1, 1]));
    expect(inferTypes(model).constants.has(y)).toBe(false);
  });
});
