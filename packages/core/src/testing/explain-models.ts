/**
 * Small image models whose explanations are known, for the explainer tests. All take
 * `x` [N, C, H, W] float32 and return `y` [N, 1, 1, 1] (a Conv whose kernel covers the
 * whole image sums over it), so they need only the Mul, Conv and Relu gradient rules.
 */
import type { Model } from '../onnx/ir.ts';
import { tensor } from '../onnx/tensor.ts';
import { uniformRng } from '../util/random.ts';
import { emptyModel } from './model-factory.ts';

/** Image size of a test model. */
export interface ImageDims {
  channels: number;
  height: number;
  width: number;
}

function start(d: ImageDims, opset: number): ReturnType<typeof emptyModel> {
  return emptyModel([{ name: 'x', dtype: 'float32', shape: ['N', d.channels, d.height, d.width] }], opset);
}

function finish(model: Model, y: string): Model {
  model.graph.outputs = [{ name: y, dtype: 'float32', shape: ['N', 1, 1, 1] }];
  return model;
}

/** f(x) = sum_i w_i x_i + bias, with `w` [C*H*W] planar. */
export function linearModel(d: ImageDims, w: Float32Array, bias = 0, opset = 17): Model {
  const { model, b } = start(d, opset);
  const k = b.constant(tensor('float32', [1, d.channels, d.height, d.width], w), 'w');
  const bb = b.constant(tensor('float32', [1], [bias]), 'b');
  b.op('Conv', ['x', k, bb], {}, { outputNames: ['y'] });
  return finish(model, 'y');
}

/** f(x) = sum_i w_i x_i^2: its integrated gradients from x' are exactly w_i (x_i^2 - x'_i^2). */
export function quadraticModel(d: ImageDims, w: Float32Array, opset = 17): Model {
  const { model, b } = start(d, opset);
  const sq = b.mul('x', 'x');
  const k = b.constant(tensor('float32', [1, d.channels, d.height, d.width], w), 'w');
  b.op('Conv', [sq, k], {}, { outputNames: ['y'] });
  return finish(model, 'y');
}

/**
 * A model that only sees the pixels where `mask` [H*W] is 1:
 * x -> Mul(mask) -> Conv 1x1 (C -> `features`, no bias) -> Relu = `feat` -> Conv over the
 * whole image with positive weights -> y. Gradients and activations vanish outside the
 * mask, so every sound method puts all its mass inside.
 */
export function regionModel(d: ImageDims, mask: ArrayLike<number>, features = 4, seed = 1, opset = 17): Model {
  const { model, b } = start(d, opset);
  const u = uniformRng(seed);
  const plane = d.height * d.width;
  const m = b.constant(tensor('float32', [1, 1, d.height, d.width], Float32Array.from(mask)), 'mask');
  const w1 = b.constant(tensor('float32', [features, d.channels, 1, 1], Float32Array.from({ length: features * d.channels }, () => u() * 2 - 1)), 'w1');
  const w2 = b.constant(tensor('float32', [1, features, d.height, d.width], Float32Array.from({ length: features * plane }, () => 0.5 + u())), 'w2');
  const masked = b.mul('x', m);
  const conv = b.op1('Conv', [masked, w1]);
  b.op('Relu', [conv], {}, { outputNames: ['feat'] });
  b.op('Conv', ['feat', w2], {}, { outputNames: ['y'] });
  return finish(model, 'y');
}

/**
 * A small random CNN: Conv 3x3 (C -> 4, pad 1) -> Relu -> Conv 3x3 (4 -> 4, pad 1) ->
 * Relu = `feat` -> Conv over the whole image -> y. Weights uniform in [-1, 1] / sqrt(fan-in).
 */
export function smallCnn(d: ImageDims, seed = 1, opset = 17): Model {
  const { model, b } = start(d, opset);
  const u = uniformRng(seed);
  const rand = (dims: number[], fanIn: number): string => {
    const n = dims.reduce((a, v) => a * v, 1);
    return b.constant(tensor('float32', dims, Float32Array.from({ length: n }, () => (u() * 2 - 1) / Math.sqrt(fanIn))), 'w');
  };
  const pads = { kernel_shape: [3, 3], pads: [1, 1, 1, 1] };
  const c1 = b.op1('Conv', ['x', rand([4, d.channels, 3, 3], 9 * d.channels), rand([4], 9 * d.channels)], pads);
  const r1 = b.op1('Relu', [c1]);
  const c2 = b.op1('Conv', [r1, rand([4, 4, 3, 3], 36), rand([4], 36)], pads);
  b.op('Relu', [c2], {}, { outputNames: ['feat'] });
  b.op('Conv', ['feat', rand([1, 4, d.height, d.width], 4 * d.height * d.width)], {}, { outputNames: ['y'] });
  return finish(model, 'y');
}
