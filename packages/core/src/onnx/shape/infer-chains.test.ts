import { describe, expect, it } from 'vitest';
import { emptyModel } from '../../testing/model-factory.ts';
import { float, tensorAttr } from '../builder.ts';
import type { GraphBuilder } from '../builder.ts';
import type { Dim, Model } from '../ir.ts';
import { tensor } from '../tensor.ts';
import { inferTypes } from './infer.ts';
import { expectInferenceMatchesRuntime, feed } from './runtime-oracle.test-helper.ts';

interface Chain {
  name: string;
  /** Input shape with a symbolic batch dim `N`; the runtime is fed `batch` there. */
  input: Dim[];
  batch: number;
  opset?: number;
  build(b: GraphBuilder, x: string): string;
  /** What inference must give the output with `N` symbolic. */
  symbolic: Dim[];
}

const f32 = (dims: number[], seed = 1) => tensor('float32', dims, Array.from({ length: dims.reduce((a, b) => a * b, 1) }, (_, i) => Math.cos(i + seed)));

const CHAINS: Chain[] = [
  {
    name: 'PyTorch flatten: Shape -> Gather -> Unsqueeze -> Concat -> Reshape',
    input: ['N', 3, 4, 4],
    batch: 2,
    build: (b, x) => {
      const n = b.op1('Gather', [b.shape(x), b.int64s([0], [])], { axis: 0 });
      return b.reshape(x, b.op1('Concat', [b.unsqueeze(n, [0]), b.int64s([-1])], { axis: 0 }));
    },
    symbolic: ['N', 48],
  },
  {
    name: 'ViT class token: Concat -> ConstantOfShape -> Mul -> Equal -> Where -> Expand',
    input: ['N', 5, 8],
    batch: 3,
    build: (b, x) => {
      const n = b.unsqueeze(b.op1('Gather', [b.shape(x), b.int64s([0], [])]), [0]);
      const target = b.op1('Concat', [n, b.int64s([-1, -1])], { axis: 0 });
      const ones = b.op1('ConstantOfShape', [b.shape(target)], { value: tensorAttr(tensor('int64', [1], [1])) });
      const minus = b.mul(ones, b.int64s([-1], []));
      const eq = b.op1('Equal', [target, minus]);
      const shape = b.op1('Where', [eq, ones, target]);
      const token = b.op1('Expand', [b.constant(f32([1, 1, 8]), 'cls'), shape]);
      return b.op1('Concat', [token, x], { axis: 1 });
    },
    symbolic: ['N', 6, 8],
  },
  {
    name: 'DeepLab upsampling: Shape -> Slice -> Concat -> Resize(sizes)',
    input: ['N', 2, 8, 8],
    batch: 2,
    build: (b, x) => {
      const y = b.op1('Conv', [x, b.constant(f32([3, 2, 3, 3]), 'w')], { strides: [2, 2], pads: [1, 1, 1, 1] });
      const nc = b.op1('Slice', [b.shape(y), b.int64s([0]), b.int64s([2])]);
      const sizes = b.op1('Concat', [nc, b.int64s([16, 16])], { axis: 0 });
      return b.op1('Resize', [y, '', '', sizes], { mode: 'linear' });
    },
    symbolic: ['N', 3, 16, 16],
  },
  {
    name: 'CNN: Conv -> BatchNormalization -> Relu -> MaxPool -> Conv -> GlobalAveragePool -> Flatten -> Gemm -> Softmax',
    input: ['N', 3, 12, 12],
    batch: 2,
    build: (b, x) => {
      let h = b.op1('Conv', [x, b.constant(f32([4, 3, 3, 3]), 'w1'), b.constant(f32([4]), 'b1')], { pads: [1, 1, 1, 1] });
      const stat = (s: number) => b.constant(f32([4], s), 'bn');
      h = b.op1('BatchNormalization', [h, stat(1), stat(2), stat(3), b.constant(tensor('float32', [4], [1, 2, 3, 4]), 'var')], { epsilon: float(1e-5) });
      h = b.op1('Relu', [h]);
      h = b.op1('MaxPool', [h], { kernel_shape: [2, 2], strides: [2, 2] });
      h = b.op1('Conv', [h, b.constant(f32([6, 4, 3, 3]), 'w2')], { strides: [2, 2] });
      h = b.op1('Flatten', [b.op1('GlobalAveragePool', [h])]);
      h = b.op1('Gemm', [h, b.constant(f32([5, 6]), 'fc'), b.constant(f32([5]), 'fcb')], { transB: 1 });
      return b.op1('Softmax', [h], { axis: -1 });
    },
    symbolic: ['N', 5],
  },
  {
    name: 'attention: MatMul -> Reshape(0, 0, heads, -1) -> Transpose -> MatMul -> Softmax -> MatMul -> Transpose -> Reshape',
    input: ['N', 4, 8],
    batch: 2,
    build: (b, x) => {
      const qkv = b.op('Split', [b.op1('MatMul', [x, b.constant(f32([8, 24]), 'wqkv')]), b.int64s([8, 8, 8])], { axis: -1 }, { outputs: 3 });
      const heads = qkv.map((t) => b.transpose(b.reshape(t, [0, 0, 2, -1]), [0, 2, 1, 3]));
      const scores = b.op1('MatMul', [heads[0], b.transpose(heads[1], [0, 1, 3, 2])]);
      const att = b.op1('MatMul', [b.op1('Softmax', [scores], { axis: -1 }), heads[2]]);
      return b.reshape(b.transpose(att, [0, 2, 1, 3]), [0, 0, -1]);
    },
    symbolic: ['N', 4, 8],
  },
  {
    name: 'Range(0, N, 1) -> Unsqueeze -> Cast -> Mul',
    input: ['N', 3],
    batch: 4,
    build: (b, x) => {
      const n = b.op1('Gather', [b.shape(x), b.int64s([0], [])]);
      const r = b.op1('Range', [b.int64s([0], []), n, b.int64s([1], [])]);
      return b.mul(x, b.cast(b.unsqueeze(r, [1]), 'float32'));
    },
    symbolic: ['N', 3],
  },
  {
    name: 'Shape arithmetic with division and Slice to INT64_MAX: Reshape(x, [N, C / 2, -1])',
    input: ['N', 6, 2],
    batch: 3,
    build: (b, x) => {
      const s = b.shape(x);
      const n = b.op1('Slice', [s, b.int64s([0]), b.int64s([1])]);
      const c = b.div(b.op1('Slice', [s, b.int64s([1]), b.int64s([2])]), b.int64s([2]));
      const tail = b.op1('Slice', [b.op1('Concat', [c, b.int64s([-1])], { axis: 0 }), b.int64s([0]), b.constant(tensor('int64', [1], BigInt64Array.of(9223372036854775807n)))]);
      return b.reshape(x, b.op1('Concat', [n, tail], { axis: 0 }));
    },
    symbolic: ['N', 3, 4],
  },
  {
    name: 'NonZero -> Transpose -> GatherND: a data-dependent count',
    input: ['N', 4],
    batch: 2,
    build: (b, x) => {
      const idx = b.transpose(b.op1('NonZero', [x]), [1, 0]);
      return b.op1('GatherND', [x, idx]);
    },
    symbolic: [null],
  },
];

function chainModel(c: Chain, input: Dim[]): Model {
  const { model, b } = emptyModel([{ name: 'x', dtype: 'float32', shape: input }], c.opset ?? 17);
  model.graph.outputs = [{ name: c.build(b, 'x') }];
  return model;
}

describe('shape inference through chains of operators', () => {
  for (const c of CHAINS) {
    it(`${c.name}: static shapes match ONNX Runtime`, async () => {
      const dims = c.input.map((d) => (d === 'N' ? c.batch : (d as number)));
      const checked = await expectInferenceMatchesRuntime(chainModel(c, dims), { x: feed('float32', dims) });
      expect(checked).toBeGreaterThanOrEqual(3);
    });
    it(`${c.name}: the symbolic batch dim is carried through`, async () => {
      const model = chainModel(c, c.input);
      const out = model.graph.outputs[0].name;
      const shape = inferTypes(model).types.get(out)?.shape;
      if (c.symbolic[0] === null) expect(shape?.[0]).toMatch(/^nonzero_\d+$/);
      else expect(shape).toEqual(c.symbolic);
      const dims = c.input.map((d) => (d === 'N' ? c.batch : (d as number)));
      await expectInferenceMatchesRuntime(model, { x: feed('float32', dims) }, { allowUnknown: true });
    });
  }
});
