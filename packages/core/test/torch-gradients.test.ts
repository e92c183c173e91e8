/**
 * Whole-model gradients of PyTorch-exported ONNX models against PyTorch's own autograd
 * (float64 goldens made by scripts/fixtures/make_torch_fixtures.py). The autodiff runs in
 * float32 on ONNX Runtime, so the tolerance is relative to the gradient's scale: float32
 * forward passes of these nets already differ from float64 by up to ~1e-4 of the output
 * scale (meta.json: float32_forward_error), and backward passes accumulate similar error.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GradientSession } from '../src/autodiff/gradient.ts';
import { readNpyFile } from '../src/io/npy.ts';
import { loadModelFile } from '../src/onnx/model-io.ts';
import { toFloat64 } from '../src/onnx/tensor.ts';

const root = join(import.meta.dirname, 'fixtures', 'torch');
const FIXTURES = [
  'resnet18_tiny', 'resnet50_tiny', 'mobilenet_v2', 'mobilenet_v3_small', 'efficientnet_b0',
  'squeezenet1_1', 'vit_tiny', 'vit_tiny_op14', 'unet_small', 'deeplab_small',
];

/** max |a - b| / max |b|: the error relative to the gradient's scale. */
function scaledError(a: Float64Array, b: Float64Array): number {
  let err = 0;
  let scale = 0;
  for (let i = 0; i < b.length; i++) {
    err = Math.max(err, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return err / scale;
}

describe('gradients of PyTorch-exported models match PyTorch autograd', () => {
  for (const name of FIXTURES) {
    it(name, async () => {
      const dir = join(root, name);
      const meta = JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8')) as { outputs: { name: string }[] };
      const of = meta.outputs[0].name;
      const model = await loadModelFile(join(dir, 'model.onnx'));
      const session = await GradientSession.create(model, { of, wrt: ['input', 'feat'] });
      const input = await readNpyFile(join(dir, 'input.npy'));
      const cot = await readNpyFile(join(dir, 'cotangent.npy'));
      const { grads } = await session.run({ input }, cot);
      const gIn = toFloat64(await readNpyFile(join(dir, 'grad_input.npy')));
      const gFeat = toFloat64(await readNpyFile(join(dir, 'grad_feat.npy')));
      expect(grads.input.dims).toEqual(input.dims);
      expect(scaledError(toFloat64(grads.input), gIn)).toBeLessThan(2e-3);
      expect(scaledError(toFloat64(grads.feat), gFeat)).toBeLessThan(2e-3);
    });
  }
});
