/**
 * Grad-CAM against PyTorch's own Grad-CAM on the exported fixtures (float64 goldens at
 * feature resolution, test/fixtures/torch/<name>/gradcam.npy), and Grad-CAM / Grad-CAM++
 * on small models whose answer is known.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isXqcError } from '../../errors.ts';
import { readNpyFile } from '../../io/npy.ts';
import { loadModelFile } from '../../onnx/model-io.ts';
import { tensor, toFloat64 } from '../../onnx/tensor.ts';
import { linearModel, regionModel } from '../../testing/explain-models.ts';
import { uniformRng } from '../../util/random.ts';
import { ModelFunction } from '../model-function.ts';
import { classTarget, scalarTarget } from '../target.ts';
import { gradCamPlusPlus, gradCamPlusPlusFromLayer, gradCamPlusPlusWeights } from './grad-cam-pp.ts';
import { gradCam, gradCamFeatures, gradCamFromLayer } from './grad-cam.ts';

const fixtures = join(import.meta.dirname, '..', '..', '..', 'test', 'fixtures', 'torch');
const GOLDEN = ['resnet18_tiny', 'resnet50_tiny', 'mobilenet_v2', 'mobilenet_v3_small', 'efficientnet_b0'];

/** max |a - b|. */
function maxError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let err = 0;
  for (let i = 0; i < b.length; i++) err = Math.max(err, Math.abs(a[i] - b[i]));
  return err;
}

describe('Grad-CAM matches PyTorch at feature resolution', () => {
  for (const name of GOLDEN) {
    it(name, async () => {
      const dir = join(fixtures, name);
      const model = await loadModelFile(join(dir, 'model.onnx'));
      const input = await readNpyFile(join(dir, 'input.npy'));
      const golden = toFloat64(await readNpyFile(join(dir, 'gradcam.npy')));
      const { targets } = JSON.parse(readFileSync(join(dir, 'gradcam_target.json'), 'utf8')) as { targets: number[] };
      const [n, c, h, w] = input.dims;
      const per = c * h * w;
      // The fixture's CAM scale: one sample's CAM can be all zeros (mobilenet_v3_small, sample 0).
      const scale = golden.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
      for (let s = 0; s < n; s++) {
        const x = tensor('float32', [1, c, h, w], (input.data as Float32Array).slice(s * per, (s + 1) * per));
        const f = ModelFunction.create(model, { input: 'input', target: classTarget('logits', 10, targets[s]) });
        const { cam, layer } = await gradCamFeatures({ x, f, seed: 0 }, 'feat');
        expect(layer).toBe('feat');
        const expected = golden.subarray(s * cam.data.length, (s + 1) * cam.data.length);
        expect(golden.length).toBe(n * cam.data.length);
        // 1e-3 of the CAM's scale: float32 forward/backward vs PyTorch float64 (meta.json float32_forward_error <= 7e-5).
        expect(maxError(cam.data, expected) / scale).toBeLessThan(1e-3);
      }
    });
  }
});

describe('CAM weighting', () => {
  it('Grad-CAM weights are the spatial mean of the gradient and the CAM is ReLU of the weighted sum', () => {
    const a = tensor('float32', [1, 2, 1, 2], [1, 2, 3, 4]);
    const g = tensor('float32', [1, 2, 1, 2], [1, 3, -1, -2]);
    // w = [2, -1.5]; cam = relu([2 - 4.5, 4 - 6]) = [0, 0]; with A1 = [1, 2], A2 = [0.2, 0.4]:
    expect(Array.from(gradCamFromLayer(a, g)[0].data)).toEqual([0, 0]);
    const a2 = tensor('float32', [1, 2, 1, 2], [1, 2, 0.2, 0.4]);
    const cam = gradCamFromLayer(a2, g)[0];
    expect(cam.data[0]).toBeCloseTo(2 - 0.3, 6);
    expect(cam.data[1]).toBeCloseTo(4 - 0.6, 6);
  });

  it('Grad-CAM++ alpha follows the closed form of pytorch-grad-cam', () => {
    const act = Float32Array.from([1, 3, 0.5, 0.5]);
    const grad = Float32Array.from([2, -1, 0.5, 0]);
    const w = gradCamPlusPlusWeights(act, grad, 2, 2);
    // channel 0: sum A = 4, only g = 2 > 0: alpha = 4 / (8 + 4 * 8 + 1e-6); w = alpha * 2
    expect(w[0]).toBeCloseTo((4 / (8 + 32 + 1e-6)) * 2, 9);
    // channel 1: sum A = 1, g = 0.5: alpha = 0.25 / (0.5 + 0.125 + 1e-6); g = 0 contributes nothing
    expect(w[1]).toBeCloseTo((0.25 / (0.5 + 0.125 + 1e-6)) * 0.5, 9);
    const cam = gradCamPlusPlusFromLayer(tensor('float32', [1, 2, 1, 2], act), tensor('float32', [1, 2, 1, 2], grad))[0];
    expect(cam.data[0]).toBeCloseTo(w[0] * 1 + w[1] * 0.5, 6);
  });
});

describe('Grad-CAM and Grad-CAM++ on models with a known answer', () => {
  const d = { channels: 3, height: 12, width: 12 };
  const mask = Array.from({ length: 144 }, (_, i) => (i % 12 >= 6 && Math.floor(i / 12) < 6 ? 1 : 0));
  const u = uniformRng(3);
  const x = tensor('float32', [1, 3, 12, 12], Float32Array.from({ length: 432 }, () => u() * 2 - 1));
  const f = ModelFunction.create(regionModel(d, mask), { input: 'x', target: scalarTarget('y') });

  for (const method of [gradCam, gradCamPlusPlus]) {
    it(`${method.name} lies in the region the model sees, at input resolution`, async () => {
      const e = await method.explain({ x, f, seed: 0 });
      expect(e.params.layer).toBe('feat');
      expect([e.map.width, e.map.height]).toEqual([12, 12]);
      let inside = 0;
      let total = 0;
      for (let i = 0; i < 144; i++) {
        total += e.map.data[i];
        if (mask[i]) inside += e.map.data[i];
      }
      expect(total).toBeGreaterThan(0);
      expect(inside / total).toBeGreaterThan(0.99);
    });
  }

  it('upsamples bilinearly with half-pixel centres', async () => {
    const e = await gradCam.explain({ x, f, seed: 0 });
    const { cam } = await gradCamFeatures({ x, f, seed: 0 });
    // feat has the input's resolution here, so upsampling is the identity.
    expect(Array.from(e.map.data)).toEqual(Array.from(cam.data));
  });

  it('fails with XQC_EXPLAIN when the model has no spatial layer', async () => {
    const lin = linearModel(d, new Float32Array(432).fill(1));
    const g = ModelFunction.create(lin, { input: 'x', target: scalarTarget('y') });
    const err = await gradCam.explain({ x, f: g, seed: 0 }).catch((e: unknown) => e);
    expect(isXqcError(err, 'XQC_EXPLAIN')).toBe(true);
    expect((err as Error).message).toMatch(/no spatial/);
  });

  it('fails with XQC_EXPLAIN for a named layer that is not spatial', async () => {
    const err = await gradCam.explain({ x, f, seed: 0 }, { layer: 'y' }).catch((e: unknown) => e);
    expect(isXqcError(err, 'XQC_EXPLAIN')).toBe(true);
  });
});
