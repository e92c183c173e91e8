import { describe, it } from 'vitest';
import { float, tensorAttr } from '../builder.ts';
import { tensor } from '../tensor.ts';
import { caseLabel, checkOpCase } from './runtime-oracle.test-helper.ts';
import type { OpCase } from './runtime-oracle.test-helper.ts';

const i64 = (values: number[], dims = [values.length]) => tensor('int64', dims, values);
const f32 = (values: number[], dims = [values.length]) => tensor('float32', dims, values);
const int64In = (shape: number[]) => ({ shape, dtype: 'int64' as const });
/** One int64 element at the extremes, which plain numbers cannot hold exactly. */
const int64Extreme = (v: bigint) => tensor('int64', [1], BigInt64Array.of(v));
const INT64_MAX = int64Extreme(9223372036854775807n);

const RESHAPING: OpCase[] = [
  { op: 'Flatten', in: [[2, 3, 4, 5]] },
  { op: 'Flatten', in: [[2, 3, 4, 5]], attrs: { axis: 0 } },
  { op: 'Flatten', in: [[2, 3, 4, 5]], attrs: { axis: -1 } },
  { op: 'Flatten', in: [[2, 3, 4]], attrs: { axis: 3 } },
  { op: 'Reshape', in: [[2, 3, 4]], c: { 1: i64([0, -1]) } },
  { op: 'Reshape', in: [[2, 3, 4]], c: { 1: i64([4, 0, 2]) } },
  { op: 'Reshape', in: [[2, 3, 4]], c: { 1: i64([-1]) } },
  { op: 'Reshape', in: [[2, 3, 4]], c: { 1: i64([2, 2, -1, 3]) } },
  { op: 'Reshape', in: [[0, 3]], c: { 1: i64([3, 0]) }, attrs: { allowzero: 1 } },
  { op: 'Reshape', in: [[2, 3, 4]], c: { 1: i64([0, 0, 2, 2]) }, attrs: { allowzero: 0 } },
  { op: 'Transpose', in: [[2, 3, 4]] },
  { op: 'Transpose', in: [[2, 3, 4, 5]], attrs: { perm: [0, 2, 3, 1] } },
  { op: 'Squeeze', in: [[1, 3, 1, 4]] },
  { op: 'Squeeze', in: [[1, 3, 1, 4]], c: { 1: i64([-2]) } },
  { op: 'Squeeze', in: [[1, 3, 1, 4]], attrs: { axes: [0] }, opset: 11 },
  { op: 'Unsqueeze', in: [[3, 4]], c: { 1: i64([0, 3]) } },
  { op: 'Unsqueeze', in: [[3, 4]], c: { 1: i64([-1]) } },
  { op: 'Unsqueeze', in: [[]], c: { 1: i64([0]) } },
  { op: 'Unsqueeze', in: [[3, 4]], attrs: { axes: [1] }, opset: 11 },
  { op: 'Expand', in: [[3, 1]], c: { 1: i64([2, 1, 4]) } },
  { op: 'Expand', in: [[2, 3, 4]], c: { 1: i64([3, 1]) } },
  { op: 'Expand', in: [[1]], c: { 1: i64([1, 3]) } },
  { op: 'Tile', in: [[2, 3]], c: { 1: i64([3, 1]) } },
  { op: 'Resize', in: [[1, 2, 4, 5]], c: { 2: f32([1, 1, 2, 1.5]) }, omit: [1], attrs: { mode: 'nearest' } },
  { op: 'Resize', in: [[1, 2, 3, 3]], c: { 2: f32([1, 1, 1.34, 0.5]) }, omit: [1], attrs: { mode: 'linear' } },
  { op: 'Resize', in: [[1, 2, 4, 5]], c: { 3: i64([1, 2, 7, 3]) }, omit: [1, 2] },
  { op: 'Resize', in: [[1, 2, 4, 5]], c: { 1: f32([]), 2: f32([]), 3: i64([1, 2, 8, 9]) }, opset: 13 },
  { op: 'Resize', in: [[1, 2, 4, 6]], c: { 3: i64([9, 9]) }, omit: [1, 2], attrs: { axes: [2, 3], keep_aspect_ratio_policy: 'not_larger' }, opset: 18 },
  { op: 'Resize', in: [[1, 2, 4, 6]], c: { 3: i64([9, 9]) }, omit: [1, 2], attrs: { axes: [2, 3], keep_aspect_ratio_policy: 'not_smaller' }, opset: 18 },
  { op: 'Resize', in: [[1, 2, 5, 6]], c: { 2: f32([0.7, 2.5]) }, omit: [1], attrs: { axes: [-2, -1] }, opset: 18 },
  { op: 'DepthToSpace', in: [[1, 8, 2, 3]], attrs: { blocksize: 2 } },
  { op: 'SpaceToDepth', in: [[1, 2, 4, 6]], attrs: { blocksize: 2 } },
];

const INDEXING: OpCase[] = [
  { op: 'Concat', in: [[2, 3], [2, 1], [2, 4]], attrs: { axis: 1 } },
  { op: 'Concat', in: [[2, 3], [1, 3]], attrs: { axis: -2 } },
  { op: 'Split', in: [[6, 4]], outputs: 3 },
  { op: 'Split', in: [[2, 7]], c: { 1: i64([2, 5]) }, attrs: { axis: 1 }, outputs: 2 },
  { op: 'Split', in: [[2, 7]], attrs: { axis: -1, num_outputs: 3 }, outputs: 3, opset: 18 },
  { op: 'Split', in: [[2, 8]], attrs: { axis: 1, num_outputs: 4 }, outputs: 4, opset: 18 },
  { op: 'Split', in: [[5, 2]], attrs: { split: [1, 4] }, outputs: 2, opset: 11 },
  { op: 'Slice', in: [[5, 6]], c: { 1: i64([1, 0]), 2: i64([4, 5]) } },
  { op: 'Slice', in: [[5, 6]], c: { 1: i64([-3]), 2: INT64_MAX, 3: i64([1]) } },
  { op: 'Slice', in: [[5, 6, 7]], c: { 1: i64([4, 1]), 2: tensor('int64', [2], BigInt64Array.of(-9223372036854775808n, 6n)), 3: i64([0, 2]), 4: i64([-1, 2]) } },
  { op: 'Slice', in: [[5, 6]], c: { 1: i64([0]), 2: INT64_MAX } },
  { op: 'Slice', in: [[5, 6]], c: { 1: i64([4, 0]), 2: i64([0, 5]), 3: i64([0, 1]), 4: i64([-3, 2]) } },
  { op: 'Slice', in: [[5, 6]], c: { 1: i64([-1]), 2: i64([-100]), 3: i64([1]), 4: i64([-2]) } },
  { op: 'Slice', in: [[5, 6]], c: { 1: i64([10]), 2: i64([20]), 3: i64([0]) } },
  { op: 'Slice', in: [[5, 6]], c: { 1: i64([1, 1]), 2: i64([1000, -1]), 3: i64([-1, 0]), 4: i64([3, 1]) } },
  { op: 'Slice', in: [[5, 6]], attrs: { starts: [1], ends: [3], axes: [1] }, opset: 9 },
  { op: 'Gather', in: [[5, 4]], c: { 1: i64([2], []) } },
  { op: 'Gather', in: [[5, 4, 3]], c: { 1: i64([0, -1, 2, 2], [2, 2]) }, attrs: { axis: 1 } },
  { op: 'Gather', in: [[5]], c: { 1: i64([1, 2, 3]) } },
  { op: 'GatherElements', in: [[3, 4]], c: { 1: i64([0, 1, 2, 1, 0, 2], [2, 3]) }, attrs: { axis: 1 } },
  { op: 'GatherND', in: [[2, 3, 4]], c: { 1: i64([0, 1, 1, 2], [2, 2]) } },
  { op: 'GatherND', in: [[2, 3, 4]], c: { 1: i64([1, 2], [2, 1]) }, attrs: { batch_dims: 1 } },
  { op: 'ScatterElements', in: [[3, 4]], c: { 1: i64([0, 1, 2], [1, 3]), 2: f32([1, 2, 3], [1, 3]) }, attrs: { axis: 1 } },
  { op: 'ScatterND', in: [[4, 3]], c: { 1: i64([1, 3], [2, 1]), 2: f32([1, 2, 3, 4, 5, 6], [2, 3]) } },
  { op: 'Pad', in: [[2, 3]], c: { 1: i64([1, 0, 2, 3]) } },
  { op: 'Pad', in: [[2, 3, 4]], c: { 1: i64([1, 2, 0, 1]), 2: f32([0.5], []), 3: i64([0, -1]) }, opset: 18 },
  { op: 'Pad', in: [[2, 3, 4]], c: { 1: i64([0, 1, 1, 0, 1, 1]) }, attrs: { mode: 'reflect' }, opset: 13 },
  { op: 'Pad', in: [[2, 3]], attrs: { pads: [1, 1, 0, 2] }, opset: 10 },
  { op: 'OneHot', in: [int64In([2, 3])], c: { 1: i64([5], []), 2: f32([0, 1]) } },
  { op: 'OneHot', in: [int64In([2, 3])], c: { 1: f32([4], [1]), 2: f32([0, 3]) }, attrs: { axis: 1 } },
  { op: 'OneHot', in: [int64In([2, 3])], c: { 1: i64([3], [1]), 2: i64([0, 1]) }, attrs: { axis: 0 } },
  { op: 'NonZero', in: [[3, 4]] },
];

const GENERATING: OpCase[] = [
  { op: 'Shape', in: [[2, 3, 4]] },
  { op: 'Shape', in: [[2, 3, 4, 5]], attrs: { start: 1, end: -1 }, opset: 15 },
  { op: 'Shape', in: [[2, 3, 4]], attrs: { start: -10, end: 10 }, opset: 15 },
  { op: 'Shape', in: [[2, 3, 4]], attrs: { start: 2, end: 1 }, opset: 15 },
  { op: 'Size', in: [[2, 3, 4]] },
  { op: 'ConstantOfShape', in: [], c: { 0: i64([2, 3]) } },
  { op: 'ConstantOfShape', in: [], c: { 0: i64([4]) }, attrs: { value: tensorAttr(tensor('int32', [1], [7])) } },
  { op: 'Constant', in: [], attrs: { value: tensorAttr(tensor('float32', [2, 2], [1, 2, 3, 4])) } },
  { op: 'Constant', in: [], attrs: { value_float: float(2) } },
  { op: 'Constant', in: [], attrs: { value_floats: { type: 'floats', value: [1, 2, 3] } } },
  { op: 'Constant', in: [], attrs: { value_int: 3 } },
  { op: 'Constant', in: [], attrs: { value_ints: [1, 2] } },
  { op: 'Range', in: [], c: { 0: i64([0], []), 1: i64([10], []), 2: i64([3], []) } },
  { op: 'Range', in: [], c: { 0: f32([1], []), 1: f32([-2], []), 2: f32([-0.7], []) } },
  { op: 'Range', in: [], c: { 0: i64([5], []), 1: i64([1], []), 2: i64([1], []) } },
  { op: 'EyeLike', in: [[3, 4]], attrs: { k: 1 } },
  { op: 'RandomNormalLike', in: [[3, 4]], attrs: { dtype: 11 } },
  { op: 'RandomUniform', in: [], attrs: { shape: [2, 5] } },
];

describe('shape inference of reshaping operators matches ONNX Runtime', () => {
  for (const c of RESHAPING) it(caseLabel(c), () => checkOpCase(c));
});

describe('shape inference of indexing operators matches ONNX Runtime', () => {
  for (const c of INDEXING) it(caseLabel(c), () => checkOpCase(c));
});

describe('shape inference of generators matches ONNX Runtime', () => {
  for (const c of GENERATING) it(caseLabel(c), () => checkOpCase(c));
});
