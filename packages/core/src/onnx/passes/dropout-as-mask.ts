/**
 * Pass: every Dropout becomes `y = x * mask` with `mask` a new graph input, so the caller
 * draws the masks from its own seeded stream. A step (training) or a Monte Carlo sample
 * (MC-Dropout) is then a pure function of its inputs and the seed, independent of ONNX
 * Runtime's internal generator, whose state persists across runs of a cached session.
 */
import { XqcError } from '../../errors.ts';
import type { Model } from '../ir.ts';
import { cloneModel } from '../ir.ts';
import { inferTypes } from '../shape/infer.ts';

/** One replaced Dropout: the mask input, its drop ratio and its shape apart from the batch. */
export interface DropoutMask {
  input: string;
  ratio: number;
  dims: number[];
}

/**
 * A copy of `model` with each Dropout replaced by a multiplication with a fed mask
 * [N, ...dims] (values 0 or 1 / (1 - ratio)). The ratio is read from the node's constant
 * ratio input (0.5 when absent, as ONNX specifies).
 * @throws XQC_MODEL_INVALID when a Dropout's input has no static shape apart from the batch.
 */
export function dropoutAsMask(model: Model): { model: Model; masks: DropoutMask[] } {
  const m = cloneModel(model);
  const env = inferTypes(m);
  const masks: DropoutMask[] = [];
  for (const node of m.graph.nodes) {
    if (node.opType !== 'Dropout' || (node.domain !== '' && node.domain !== 'ai.onnx')) continue;
    const ratioTensor = node.inputs[1] ? env.constants.get(node.inputs[1]) : undefined;
    const ratio = ratioTensor ? Number(ratioTensor.data[0]) : 0.5;
    const dims = env.types.get(node.inputs[0])?.shape?.slice(1);
    if (!dims || !dims.every((d): d is number => typeof d === 'number')) {
      throw new XqcError('XQC_MODEL_INVALID', `Dropout '${node.name}' needs a static input shape apart from the batch`);
    }
    const input = `${node.name || node.outputs[0]}.dropout_mask`;
    m.graph.inputs.push({ name: input, dtype: 'float32', shape: ['N', ...dims] });
    node.opType = 'Mul';
    node.inputs = [node.inputs[0], input];
    node.outputs = [node.outputs[0]];
    node.attributes = {};
    masks.push({ input, ratio, dims });
  }
  return { model: m, masks };
}

/** Draws a mask [rows, ...dims] with keep probability 1 - ratio, scaled by 1 / (1 - ratio). */
export function drawMask(mask: DropoutMask, rows: number, uniform: () => number): Float32Array {
  const size = rows * mask.dims.reduce((a, b) => a * b, 1);
  const out = new Float32Array(size);
  const keep = 1 - mask.ratio;
  for (let i = 0; i < size; i++) out[i] = uniform() < keep ? 1 / keep : 0;
  return out;
}
