import { describe, it } from 'vitest';
import { float } from '../builder.ts';
import { caseLabel, checkOpCase } from './runtime-oracle.test-helper.ts';
import type { OpCase } from './runtime-oracle.test-helper.ts';

const CASES: OpCase[] = [
  { op: 'Conv', in: [[2, 3, 9, 9], [4, 3, 3, 3]], attrs: { pads: [1, 1, 1, 1], strides: [2, 2] } },
  { op: 'Conv', in: [[2, 3, 9, 9], [4, 3, 3, 3], [4]], attrs: { pads: [1, 1, 1, 1] } },
  { op: 'Conv', in: [[1, 3, 11, 10], [4, 3, 3, 2]], attrs: { dilations: [2, 3], pads: [0, 1, 2, 0], strides: [1, 2] } },
  { op: 'Conv', in: [[1, 3, 11, 10], [4, 3, 3, 3]], attrs: { auto_pad: 'SAME_UPPER', strides: [2, 3] } },
  { op: 'Conv', in: [[1, 3, 11, 10], [4, 3, 4, 4]], attrs: { auto_pad: 'SAME_LOWER', strides: [2, 2] } },
  { op: 'Conv', in: [[1, 3, 11, 10], [4, 3, 3, 3]], attrs: { auto_pad: 'VALID', strides: [2, 2] } },
  { op: 'Conv', in: [[1, 6, 8, 8], [6, 1, 3, 3]], attrs: { group: 6, pads: [1, 1, 1, 1] } },
  { op: 'Conv', in: [[1, 4, 8, 8], [6, 2, 1, 1]], attrs: { group: 2, kernel_shape: [1, 1] } },
  { op: 'Conv', in: [[2, 3, 10], [4, 3, 3]], attrs: { strides: [3] } },
  { op: 'Conv', in: [[1, 2, 5, 6, 7], [2, 2, 2, 3, 2]], attrs: { pads: [1, 0, 1, 0, 1, 1] } },
  { op: 'ConvTranspose', in: [[1, 2, 4, 4], [2, 3, 3, 3]], attrs: { strides: [2, 2] } },
  { op: 'ConvTranspose', in: [[1, 2, 4, 5], [2, 3, 3, 3]], attrs: { strides: [2, 2], pads: [1, 1, 1, 0], output_padding: [1, 0] } },
  { op: 'ConvTranspose', in: [[1, 2, 4, 4], [2, 3, 3, 3]], attrs: { strides: [2, 2], output_shape: [10, 9] } },
  { op: 'ConvTranspose', in: [[1, 2, 4, 4], [2, 3, 3, 3]], attrs: { strides: [2, 2], auto_pad: 'SAME_UPPER' } },
  { op: 'ConvTranspose', in: [[1, 2, 4, 4], [2, 3, 2, 2]], attrs: { strides: [2, 2], auto_pad: 'VALID' } },
  { op: 'ConvTranspose', in: [[1, 4, 3, 3], [4, 1, 3, 3]], attrs: { group: 2, dilations: [2, 2] } },
  { op: 'ConvTranspose', in: [[2, 3, 5], [3, 2, 4]], attrs: { strides: [3], pads: [1, 2] } },
  { op: 'MaxPool', in: [[1, 3, 9, 9]], attrs: { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] } },
  { op: 'MaxPool', in: [[1, 3, 10, 10]], attrs: { kernel_shape: [3, 3], strides: [2, 2], ceil_mode: 1 } },
  { op: 'MaxPool', in: [[1, 3, 9, 9]], attrs: { kernel_shape: [2, 2], strides: [2, 2], pads: [1, 1, 1, 1], ceil_mode: 1 } },
  { op: 'MaxPool', in: [[1, 3, 7, 8]], attrs: { kernel_shape: [3, 2], strides: [3, 3], ceil_mode: 1 } },
  { op: 'MaxPool', in: [[1, 3, 11, 11]], attrs: { kernel_shape: [3, 3], dilations: [2, 2], strides: [2, 1] } },
  { op: 'MaxPool', in: [[1, 3, 11, 10]], attrs: { kernel_shape: [3, 3], strides: [2, 3], auto_pad: 'SAME_UPPER' } },
  { op: 'MaxPool', in: [[1, 3, 11, 10]], attrs: { kernel_shape: [4, 3], strides: [2, 3], auto_pad: 'SAME_LOWER' } },
  { op: 'MaxPool', in: [[1, 3, 11, 10]], attrs: { kernel_shape: [3, 3], strides: [2, 2], auto_pad: 'VALID' } },
  { op: 'MaxPool', in: [[2, 3, 9, 9]], attrs: { kernel_shape: [3, 3], strides: [2, 2] }, outputs: 2 },
  { op: 'MaxPool', in: [[2, 3, 10]], attrs: { kernel_shape: [3], strides: [2], ceil_mode: 1 }, outputs: 2 },
  { op: 'MaxPool', in: [[1, 2, 5, 6, 7]], attrs: { kernel_shape: [2, 2, 3], strides: [2, 2, 2] } },
  { op: 'AveragePool', in: [[1, 3, 9, 9]], attrs: { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1], count_include_pad: 1 } },
  { op: 'AveragePool', in: [[1, 3, 10, 10]], attrs: { kernel_shape: [3, 3], strides: [2, 2], ceil_mode: 1 } },
  { op: 'AveragePool', in: [[1, 3, 9, 9]], attrs: { kernel_shape: [2, 2], strides: [2, 2], pads: [1, 1, 1, 1], ceil_mode: 1 } },
  { op: 'AveragePool', in: [[1, 3, 11, 10]], attrs: { kernel_shape: [3, 3], strides: [2, 3], auto_pad: 'SAME_UPPER' } },
  { op: 'AveragePool', in: [[1, 3, 11, 11]], attrs: { kernel_shape: [3, 3], dilations: [2, 2] }, opset: 19 },
  { op: 'LpPool', in: [[1, 3, 9, 9]], attrs: { kernel_shape: [3, 3], strides: [2, 2], p: 2 } },
  { op: 'GlobalAveragePool', in: [[2, 3, 5, 7]] },
  { op: 'GlobalMaxPool', in: [[2, 3, 5, 7, 2]] },
  { op: 'GlobalAveragePool', in: [[2, 3, 5]] },
  { op: 'GlobalLpPool', in: [[2, 3, 5, 4]], attrs: { p: 2 } },
  { op: 'BatchNormalization', in: [[2, 3, 4, 5], [3], [3], [3], [3]], attrs: { epsilon: float(1e-3) } },
  { op: 'BatchNormalization', in: [[2, 3], [3], [3], [3], [3]], opset: 13 },
  { op: 'InstanceNormalization', in: [[2, 3, 4, 5], [3], [3]] },
  { op: 'LayerNormalization', in: [[2, 3, 4], [4], [4]], outputs: 3 },
  { op: 'LayerNormalization', in: [[2, 3, 4], [3, 4], [3, 4]], attrs: { axis: -2 }, outputs: 3 },
  { op: 'LayerNormalization', in: [[2, 3, 4], [3, 4]], attrs: { axis: 1 }, outputs: 1 },
  { op: 'LayerNormalization', in: [{ shape: [2, 3, 4], dtype: 'float64' }, { shape: [4], dtype: 'float64' }], outputs: 3 },
  { op: 'GroupNormalization', in: [[2, 4, 3, 3], [2], [2]], attrs: { num_groups: 2 }, opset: 18 },
];

describe('shape inference of windows and normalisations matches ONNX Runtime', () => {
  for (const c of CASES) it(caseLabel(c), () => checkOpCase(c));
});
