import { describe, it } from 'vitest';
import { float } from '../builder.ts';
import { tensor } from '../tensor.ts';
import { caseLabel, checkOpCase } from './runtime-oracle.test-helper.ts';
import type { OpCase } from './runtime-oracle.test-helper.ts';

const i64 = (values: number[], dims = [values.length]) => tensor('int64', dims, values);
const f32 = (values: number[], dims = [values.length]) => tensor('float32', dims, values);
const int64In = (shape: number[]) => ({ shape, dtype: 'int64' as const });
const boolIn = (shape: number[]) => ({ shape, dtype: 'bool' as const });

const ELEMENTWISE: OpCase[] = [
  { op: 'Add', in: [[2, 1, 4], [3, 1]] },
  { op: 'Sub', in: [[4], [2, 3, 4]] },
  { op: 'Mul', in: [[2, 3, 4], []] },
  { op: 'Div', in: [[1, 3, 1], [2, 1, 5]] },
  { op: 'Pow', in: [[2, 3], [3]] },
  { op: 'Max', in: [[2, 1], [1, 3], [3]] },
  { op: 'Min', in: [[2, 3]] },
  { op: 'Sum', in: [[2, 3], [3], [1, 1]] },
  { op: 'Mean', in: [[2, 3], [2, 1]] },
  { op: 'Mod', in: [[2, 3], [3]], attrs: { fmod: 1 } },
  { op: 'PRelu', in: [[2, 3, 4, 4], [3, 1, 1]] },
  { op: 'Equal', in: [[2, 1], [1, 3]] },
  { op: 'Less', in: [[2, 3], [3]] },
  { op: 'GreaterOrEqual', in: [[2, 3], [2, 1]] },
  { op: 'And', in: [boolIn([2, 3]), boolIn([3])] },
  { op: 'Not', in: [boolIn([2, 3])] },
  { op: 'IsNaN', in: [[2, 3]] },
  { op: 'Where', in: [boolIn([2, 1, 3]), [4, 1], [1, 3]] },
  { op: 'Cast', in: [[2, 3]], attrs: { to: 7 } },
  { op: 'Cast', in: [int64In([4])], attrs: { to: 9 } },
  { op: 'CastLike', in: [[2, 3], int64In([1])] },
  { op: 'Clip', in: [[2, 3]], c: { 1: f32([0], []), 2: f32([1], []) } },
  { op: 'Relu', in: [[2, 3, 4]] },
  { op: 'Softmax', in: [[2, 3, 4]], attrs: { axis: 1 } },
  { op: 'LogSoftmax', in: [[2, 3]] },
  { op: 'Gelu', in: [[2, 3]], opset: 20 },
  { op: 'HardSwish', in: [[2, 3]] },
  { op: 'Erf', in: [[5]] },
  { op: 'Identity', in: [[2, 3, 1]] },
  { op: 'Dropout', in: [[2, 3]], outputs: 2 },
  { op: 'Dropout', in: [[2, 3, 4]], c: { 1: f32([0.3], []), 2: tensor('bool', [], [1]) }, outputs: 2 },
  { op: 'Trilu', in: [[2, 4, 3]], c: { 1: i64([1], []) } },
  { op: 'CumSum', in: [[2, 3]], c: { 1: i64([1], []) } },
  { op: 'DequantizeLinear', in: [{ shape: [2, 3], dtype: 'uint8' }], c: { 1: f32([0.5], []), 2: tensor('uint8', [], [3]) } },
  { op: 'QuantizeLinear', in: [[2, 3]], c: { 1: f32([0.5], []), 2: tensor('int8', [], [1]) } },
];

const NN: OpCase[] = [
  { op: 'MatMul', in: [[3, 4], [4, 5]] },
  { op: 'MatMul', in: [[4], [4, 5]] },
  { op: 'MatMul', in: [[3, 4], [4]] },
  { op: 'MatMul', in: [[4], [4]] },
  { op: 'MatMul', in: [[2, 1, 3, 4], [5, 4, 2]] },
  { op: 'MatMul', in: [[2, 3, 4], [4]] },
  { op: 'MatMul', in: [[4], [2, 4, 3]] },
  { op: 'Gemm', in: [[3, 4], [4, 5], [5]] },
  { op: 'Gemm', in: [[4, 3], [5, 4]], attrs: { transA: 1, transB: 1, alpha: float(0.5) } },
  { op: 'Einsum', in: [[2, 3], [3, 4]], attrs: { equation: 'ij,jk->ik' } },
  { op: 'Einsum', in: [[2, 3, 4], [2, 4, 5]], attrs: { equation: 'bij,bjk' } },
  { op: 'Einsum', in: [[3, 3]], attrs: { equation: 'ii->i' } },
  { op: 'Einsum', in: [[2, 5, 3, 4]], attrs: { equation: '...ij->...ji' } },
  { op: 'Einsum', in: [[2, 3, 4], [4, 6]], attrs: { equation: '...j,jk' } },
  { op: 'Einsum', in: [[2, 3]], attrs: { equation: 'ij->' } },
  { op: 'SoftmaxCrossEntropyLoss', in: [[4, 3], int64In([4])], outputs: 2 },
  { op: 'SoftmaxCrossEntropyLoss', in: [[2, 3, 5], int64In([2, 5])], attrs: { reduction: 'none' }, outputs: 2 },
  { op: 'SoftmaxCrossEntropyLoss', in: [[2, 3, 2, 2], int64In([2, 2, 2]), [3]], attrs: { reduction: 'sum' }, outputs: 1 },
  { op: 'NegativeLogLikelihoodLoss', in: [[2, 3, 5], int64In([2, 5])], attrs: { reduction: 'none' } },
];

const REDUCE: OpCase[] = [
  { op: 'ReduceSum', in: [[2, 3, 4]], c: { 1: i64([1]) } },
  { op: 'ReduceSum', in: [[2, 3, 4]], c: { 1: i64([0, -1]) }, attrs: { keepdims: 0 } },
  { op: 'ReduceSum', in: [[2, 3, 4]], attrs: { keepdims: 0 } },
  { op: 'ReduceSum', in: [[2, 3, 4]], attrs: { noop_with_empty_axes: 1 } },
  { op: 'ReduceSum', in: [[2, 3, 4]], c: { 1: i64([]) }, attrs: { keepdims: 1 } },
  { op: 'ReduceMean', in: [[2, 3, 4]], attrs: { axes: [-1], keepdims: 1 } },
  { op: 'ReduceMean', in: [[2, 3, 4]], attrs: { axes: [0, 2], keepdims: 0 }, opset: 13 },
  { op: 'ReduceMean', in: [[2, 3, 4]], c: { 1: i64([1]) }, attrs: { keepdims: 0 }, opset: 18 },
  { op: 'ReduceMax', in: [[2, 3, 4]], c: { 1: i64([-2]) }, opset: 18 },
  { op: 'ReduceMax', in: [[2, 3, 4]], attrs: { noop_with_empty_axes: 1 }, opset: 18 },
  { op: 'ReduceMin', in: [[2, 3, 4]] },
  { op: 'ReduceProd', in: [[2, 3, 4]], attrs: { axes: [2] } },
  { op: 'ReduceL1', in: [[2, 3, 4]], attrs: { axes: [1], keepdims: 0 } },
  { op: 'ReduceL2', in: [[2, 3, 4]], c: { 1: i64([0]) }, opset: 18 },
  { op: 'ReduceLogSumExp', in: [[2, 3, 4]], attrs: { axes: [0] } },
  { op: 'ReduceSumSquare', in: [[2, 3, 4]], attrs: { keepdims: 0 } },
  { op: 'ReduceLogSum', in: [[2, 3, 4]], attrs: { axes: [1] } },
  { op: 'ArgMax', in: [[2, 3, 4]], attrs: { axis: 1 } },
  { op: 'ArgMax', in: [[2, 3, 4]], attrs: { axis: -1, keepdims: 0 } },
  { op: 'ArgMin', in: [[2, 3, 4]], attrs: { select_last_index: 1 } },
  { op: 'TopK', in: [[2, 6, 4]], c: { 1: i64([3]) }, attrs: { axis: 1 }, outputs: 2 },
  { op: 'TopK', in: [[2, 6]], c: { 1: i64([2]) }, attrs: { largest: 0 }, outputs: 2 },
];

describe('shape inference of elementwise operators matches ONNX Runtime', () => {
  for (const c of ELEMENTWISE) it(caseLabel(c), () => checkOpCase(c));
});

describe('shape inference of matrix products and losses matches ONNX Runtime', () => {
  for (const c of NN) it(caseLabel(c), () => checkOpCase(c));
});

describe('shape inference of reductions matches ONNX Runtime', () => {
  for (const c of REDUCE) it(caseLabel(c), () => checkOpCase(c));
});
