import { describe, expect, it } from 'vitest';
import { resizeMap } from '../../image/image-resize.ts';
import { saveModel } from '../../onnx/model-io.ts';
import { exposeOutputs } from '../../onnx/passes/expose-outputs.ts';
import { tensor } from '../../onnx/tensor.ts';
import { createSession } from '../../runtime/session.ts';
import { emptyModel } from '../../testing/model-factory.ts';
import { compactResNet } from '../../train/zoo/compact-resnet.ts';
import { resnet } from '../../train/zoo/resnet.ts';
import { normalRng } from '../../util/random.ts';
import { adaptiveAvgPoolMatrix, buildFeatureExtractor, FEATURES_OUTPUT } from './feature-head.ts';
import { chooseFeatureLayers } from './feature-layers.ts';

/** 3x3 mean with zero padding counted (AvgPool2d(3, 1, 1)) of one [h, w] plane. */
function avgPool3(plane: Float32Array, h: number, w: number): Float32Array {
  const out = new Float32Array(h * w);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let s = 0;
      for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) if (y + dy >= 0 && y + dy < h && x + dx >= 0 && x + dx < w) s += plane[(y + dy) * w + x + dx];
      out[y * w + x] = s / 9;
    }
  }
  return out;
}

describe('feature layers', () => {
  it('picks the two deepest stages of stride <= 16: layer2 and layer3 of a ResNet-18', () => {
    const r18 = resnet({ depth: 18, width: 8, numClasses: 2, inputSize: 224 });
    const layers = chooseFeatureLayers(r18.model, [224, 224]);
    expect(layers.map((l) => [l.name, l.stride, l.height])).toEqual([
      ['layer2.1.relu', 8, 28],
      ['layer3.1.relu', 16, 14],
    ]);
    const compact = compactResNet({ numClasses: 2, width: 4, depth: 3, inputSize: 64 });
    expect(chooseFeatureLayers(compact.model, [64, 64]).map((l) => l.name)).toEqual([compact.featureLayers[1], compact.featureLayers[2]]);
  });

  it('checks named layers and refuses a backbone without a spatial activation', () => {
    const compact = compactResNet({ numClasses: 2, width: 4, depth: 2, inputSize: 32 });
    expect(chooseFeatureLayers(compact.model, [32, 32], ['layer2.1.relu', 'layer1.1.relu']).map((l) => l.name)).toEqual(['layer1.1.relu', 'layer2.1.relu']);
    expect(() => chooseFeatureLayers(compact.model, [32, 32], ['nope'])).toThrow(expect.objectContaining({ code: 'XQC_ANOMALY' }));
    expect(() => chooseFeatureLayers(compact.model, [32, 32], ['logits'])).toThrow(expect.objectContaining({ code: 'XQC_ANOMALY', message: expect.stringMatching(/not a float \[N, C, H, W\]/) }));
    const { model, b } = emptyModel([{ name: 'input', dtype: 'float32', shape: ['N', 3, 8, 8] }]);
    const flat = b.op1('Flatten', ['input'], { axis: 1 });
    b.op('Gemm', [flat, b.constant(tensor('float32', [192, 2], new Float32Array(384)))], {}, { outputNames: ['logits'] });
    model.graph.outputs = [{ name: 'logits', dtype: 'float32', shape: ['N', 2] }];
    expect(() => chooseFeatureLayers(model, [8, 8])).toThrow(expect.objectContaining({ code: 'XQC_ANOMALY', message: expect.stringMatching(/no spatial/) }));
  });
});

describe('feature head graph', () => {
  it('pools channels adaptively as PyTorch adaptive_avg_pool1d', () => {
    const w = adaptiveAvgPoolMatrix(5, 3);
    // Bins [0, 2), [1, 4), [3, 5).
    expect(Array.from(w, (v) => Math.round(v * 1000) / 1000)).toEqual([0.5, 0.5, 0, 0, 0, 0, 0.333, 0.333, 0.333, 0, 0, 0, 0, 0.5, 0.5]);
  });

  it('computes 3x3 pooling, bilinear upsampling of the deeper map, concatenation and projection', async () => {
    const zoo = compactResNet({ numClasses: 2, width: 4, depth: 3, inputSize: 32, seed: 4 });
    const layers = chooseFeatureLayers(zoo.model, [32, 32]);
    const fe = buildFeatureExtractor(zoo.model, layers, [32, 32], 10);
    expect(fe.projection).toBe('adaptive-avg-pool');
    expect(fe.concatChannels).toBe(24);
    expect(fe.grid).toEqual([8, 8]);
    const g = normalRng(1);
    const x = tensor('float32', [2, 3, 32, 32], Float32Array.from({ length: 2 * 3 * 32 * 32 }, () => g()));
    const got = (await (await createSession(saveModel(fe.model))).run({ input: x }))[FEATURES_OUTPUT];
    expect(got.dims).toEqual([2, 10, 8, 8]);
    const acts = await (await createSession(saveModel(exposeOutputs(zoo.model, layers.map((l) => l.name))))).run({ input: x });
    const proj = adaptiveAvgPoolMatrix(24, 10);
    const data = got.data as Float32Array;
    for (let n = 0; n < 2; n++) {
      const channels: Float32Array[] = [];
      for (const l of layers) {
        const a = acts[l.name].data as Float32Array;
        const plane = l.height * l.width;
        for (let c = 0; c < l.channels; c++) {
          const pooled = avgPool3(a.subarray((n * l.channels + c) * plane, (n * l.channels + c + 1) * plane), l.height, l.width);
          channels.push(l.height === 8 ? pooled : resizeMap({ width: l.width, height: l.height, data: pooled }, 8, 8).data);
        }
      }
      for (let o = 0; o < 10; o++) {
        for (let p = 0; p < 64; p++) {
          let s = 0;
          for (let c = 0; c < 24; c++) s += proj[o * 24 + c] * channels[c][p];
          expect(data[(n * 10 + o) * 64 + p]).toBeCloseTo(s, 4);
        }
      }
    }
  });
});
