/**
 * The image an explainer receives: prepared from a decoded image by the model's
 * {@link Predictor} only ({@link prepareExplainImage}), so an explanation is of exactly
 * the input inference sees; checks on it, and batches built from it. Every method calls
 * {@link checkExplainInput} first so a wrong channel count or size fails with one coded
 * error instead of an ONNX Runtime message deep inside a batched call.
 */
import { XqcError } from '../errors.ts';
import type { ImageU8 } from '../image/image.types.ts';
import type { Predictor } from '../models/predictor.ts';
import { tensor } from '../onnx/tensor.ts';
import type { Tensor } from '../onnx/tensor.ts';
import type { ExplainInput } from './types.ts';

/** Layout of one input image. */
export interface ImageShape {
  channels: number;
  height: number;
  width: number;
  /** channels * height * width */
  size: number;
}

/**
 * The model input of one image to explain, through {@link Predictor.prepare}: the card's
 * colour order, resize mode, size and mean/std, alpha dropped.
 * @returns tensor [1, C, H, W] float32, the image's placement and the fitted 8-bit image
 */
export function prepareExplainImage(predictor: Predictor, image: ImageU8): ReturnType<Predictor['prepare']> {
  return predictor.prepare([image]);
}

/**
 * Validates `input.x` ([1, C, H, W] float32) against the model input's declared shape.
 * @throws XQC_EXPLAIN when the batch is not 1, the channel count or the declared height/width differ.
 */
export function checkExplainInput(input: ExplainInput): ImageShape {
  const { x, f } = input;
  if (x.dtype !== 'float32' || x.dims.length !== 4 || x.dims[0] !== 1) {
    throw new XqcError('XQC_EXPLAIN', `an explainer takes one image [1, C, H, W] float32, got ${x.dtype} [${x.dims.join(', ')}]`);
  }
  const [, channels, height, width] = x.dims;
  const declared = f.model.graph.inputs.find((i) => i.name === f.options.input)?.shape;
  if (declared && declared.length === 4) {
    const [, c, h, w] = declared;
    if (typeof c === 'number' && c !== channels) {
      throw new XqcError('XQC_EXPLAIN', `the image has ${channels} channel(s); the model input '${f.options.input}' expects ${c}`);
    }
    if ((typeof h === 'number' && h !== height) || (typeof w === 'number' && w !== width)) {
      throw new XqcError('XQC_EXPLAIN', `the image is ${height}x${width}; the model input '${f.options.input}' expects ${h}x${w}`);
    }
  }
  return { channels, height, width, size: channels * height * width };
}

/**
 * A batch [n, C, H, W] whose sample k is `make(k, out)`, where `out` is a view of that
 * sample's C*H*W values to fill.
 */
export function buildBatch(shape: ImageShape, n: number, make: (k: number, out: Float32Array) => void): Tensor<'float32'> {
  const data = new Float32Array(n * shape.size);
  for (let k = 0; k < n; k++) make(k, data.subarray(k * shape.size, (k + 1) * shape.size));
  return tensor('float32', [n, shape.channels, shape.height, shape.width], data);
}

/** Milliseconds elapsed since `start` (a `performance.now()` reading). */
export function since(start: number): number {
  return performance.now() - start;
}
