/**
 * Behaviour every zoo builder shares: the model loads and runs in ONNX Runtime at any
 * batch size and supported opset, a seed fixes it bit for bit, the Grad-CAM layer is a
 * spatial activation, and the training form updates BatchNorm running statistics.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Model } from '../../onnx/ir.ts';
import { saveModel } from '../../onnx/model-io.ts';
import { tensor } from '../../onnx/tensor.ts';
import type { Tensor } from '../../onnx/tensor.ts';
import { createSession } from '../../runtime/session.ts';
import { compactResNet } from './compact-resnet.ts';
import { mobilenetV2 } from './mobilenet-v2.ts';
import { resnet } from './resnet.ts';
import { unet } from './unet.ts';
import type { ZooModel, ZooOptions } from './zoo.types.ts';

const SIZE = 32;
const BUILDERS: [string, (o: ZooOptions) => ZooModel, (n: number) => number[]][] = [
  ['resnet18', (o) => resnet({ depth: 18, width: 4, numClasses: 5, inputSize: SIZE, ...o }), (n) => [n, 5]],
  ['resnet50', (o) => resnet({ depth: 50, width: 4, numClasses: 5, inputSize: SIZE, ...o }), (n) => [n, 5]],
  ['mobilenetV2', (o) => mobilenetV2({ widthMult: 0.25, numClasses: 5, inputSize: SIZE, ...o }), (n) => [n, 5]],
  ['compactResNet', (o) => compactResNet({ width: 4, numClasses: 3, inputSize: SIZE, ...o }), (n) => [n, 3]],
  ['unet', (o) => unet({ width: 4, depth: 2, numClasses: 2, inputSize: SIZE, ...o }), (n) => [n, 2, SIZE, SIZE]],
  ['unet resize', (o) => unet({ width: 4, depth: 2, numClasses: 2, inputSize: SIZE, upsample: 'resize', ...o }), (n) => [n, 2, SIZE, SIZE]],
];

function image(n: number): Tensor {
  const len = n * 3 * SIZE * SIZE;
  return tensor('float32', [n, 3, SIZE, SIZE], Float32Array.from({ length: len }, (_, i) => Math.sin(0.37 * i)));
}

function digest(model: Model): string {
  return createHash('sha256').update(saveModel(model)).digest('hex');
}

async function run(model: Model, x: Tensor, outputs: string[]): Promise<Record<string, Tensor>> {
  const exposed: Model = { ...model, graph: { ...model.graph, outputs: outputs.map((name) => ({ name })) } };
  return (await createSession(saveModel(exposed))).run({ input: x });
}

describe.each(BUILDERS)('%s', (_, build, logitDims) => {
  it('runs in ONNX Runtime at batch 1 and 3 with logits and a spatial Grad-CAM layer', async () => {
    const z = build({});
    expect(z.model.irVersion).toBe(8);
    expect(z.model.opsetImports).toEqual([{ domain: '', version: 17 }]);
    expect(z.model.graph.inputs).toEqual([{ name: 'input', dtype: 'float32', shape: ['N', 3, SIZE, SIZE] }]);
    const produced = new Set(z.model.graph.nodes.flatMap((n) => n.outputs));
    for (const f of [...z.featureLayers, z.lastSpatial]) expect(produced.has(f)).toBe(true);
    for (const n of [1, 3]) {
      const out = await run(z.model, image(n), ['logits', z.lastSpatial]);
      expect(out.logits.dims).toEqual(logitDims(n));
      expect(out[z.lastSpatial].dims).toHaveLength(4);
      expect(out[z.lastSpatial].dims[0]).toBe(n);
      expect(Array.from(out.logits.data as Float32Array).every(Number.isFinite)).toBe(true);
    }
  });

  it('is fixed by its seed', () => {
    const a = digest(build({ seed: 5 }).model);
    expect(digest(build({ seed: 5 }).model)).toBe(a);
    expect(digest(build({ seed: 6 }).model)).not.toBe(a);
  });

  it.each([13, 21])('runs at opset %i and refuses opsets outside 13..21', async (opset) => {
    const z = build({ opset });
    expect(z.model.opsetImports[0].version).toBe(opset);
    const out = await run(z.model, image(2), ['logits']);
    expect(out.logits.dims).toEqual(logitDims(2));
    expect(() => build({ opset: opset === 13 ? 12 : 22 })).toThrow(expect.objectContaining({ code: 'XQC_MODEL_UNSUPPORTED_OPSET' }));
  });

  it.each([13, 17])('training form at opset %i: batch statistics, running-statistics outputs, dropout on', async (opset) => {
    const z = build({ training: true, opset, seed: 1 });
    const bns = z.model.graph.nodes.filter((n) => n.opType === 'BatchNormalization');
    expect(bns.length).toBe(z.batchNorms.length);
    for (const n of bns) {
      expect(n.outputs.length).toBe(opset >= 14 ? 3 : 5);
      expect(n.attributes.training_mode).toEqual(opset >= 14 ? { type: 'int', value: 1 } : undefined);
    }
    const bn = z.batchNorms[0];
    const out = await run(z.model, image(2), ['logits', bn.meanOut as string, bn.varOut as string]);
    // running = 0.9 running + 0.1 batch: the initial (0, 1) statistics must move.
    const mean = Array.from(out[bn.meanOut as string].data as Float32Array);
    const variance = Array.from(out[bn.varOut as string].data as Float32Array);
    expect(mean.some((v) => v !== 0)).toBe(true);
    expect(variance.some((v) => Math.abs(v - 1) > 1e-3)).toBe(true);
    for (const d of z.model.graph.nodes.filter((n) => n.opType === 'Dropout')) {
      expect(z.model.graph.initializers.get(d.inputs[2])?.dtype).toBe('bool');
      expect(d.outputs).toEqual([d.name, `${d.name}.mask`]);
    }
  });

  it('inference form keeps BatchNorm statistics as initializers and lists them', () => {
    const z = build({});
    for (const bn of z.batchNorms) {
      expect(bn.meanOut).toBeNull();
      expect(z.model.graph.initializers.get(bn.var)?.data.every((v) => v === 1)).toBe(true);
      expect(z.parameters).toContain(`${bn.node}.weight`);
      expect(z.parameters).not.toContain(bn.mean);
    }
    expect(z.model.graph.nodes.every((n) => n.opType !== 'BatchNormalization' || n.outputs.length === 1)).toBe(true);
  });
});

describe('NetBuilder initialisation', () => {
  it('draws conv weights with He (fan-out) variance 2 / (cout k^2)', () => {
    const z = resnet({ depth: 18, width: 32, numClasses: 10, inputSize: 32, seed: 3 });
    const w = z.model.graph.initializers.get('layer3.0.conv2.weight')?.data as Float32Array;
    let s2 = 0;
    for (const v of w) s2 += v * v;
    const expected = 2 / (128 * 9);
    expect(Math.abs(s2 / w.length - expected) / expected).toBeLessThan(0.02);
  });
});
