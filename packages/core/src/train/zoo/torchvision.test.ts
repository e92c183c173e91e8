/**
 * The zoo's ResNet and MobileNetV2 graphs compute what torchvision's modules compute with
 * the same weights (goldens from scripts/goldens/make_zoo_goldens.py): a wrong stride,
 * padding, shortcut or channel rounding changes these logits.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { saveModel } from '../../onnx/model-io.ts';
import { tensor } from '../../onnx/tensor.ts';
import { createSession } from '../../runtime/session.ts';
import { mobilenetV2 } from './mobilenet-v2.ts';
import type { MobileNetV2Options } from './mobilenet-v2.ts';
import { resnet } from './resnet.ts';
import type { ResNetOptions } from './resnet.ts';
import type { ZooModel } from './zoo.types.ts';

interface Golden {
  input: { dims: number[] };
  models: { key: string; builder: 'resnet' | 'mobilenetV2'; options: Record<string, unknown>; dims: number[]; logits: number[] }[];
}

const golden = JSON.parse(readFileSync(new URL('../../../test/goldens/zoo-torchvision.json', import.meta.url), 'utf8')) as Golden;

/** The golden script's BatchNorm formula (c = channel index), so BN placement shows in the logits. */
function setBatchNorm(z: ZooModel): void {
  const g = z.model.graph;
  for (const bn of z.batchNorms) {
    const c = g.initializers.get(bn.mean)?.dims[0] ?? 0;
    const fill = (name: string, f: (i: number) => number) => g.initializers.set(name, tensor('float32', [c], Float32Array.from({ length: c }, (_, i) => f(i))));
    fill(`${bn.node}.weight`, (i) => 1 + 0.25 * Math.sin(1.3 * i + 0.5));
    fill(`${bn.node}.bias`, (i) => 0.1 * Math.cos(0.7 * i));
    fill(bn.mean, (i) => 0.1 * Math.sin(0.9 * i + 1));
    fill(bn.var, (i) => 0.5 + 0.5 * Math.cos(0.3 * i) ** 2);
  }
}

describe('zoo against torchvision', () => {
  it.each(golden.models.map((m) => [m.key, m] as const))('%s reproduces torchvision\'s logits', async (_, m) => {
    const z = m.builder === 'resnet' ? resnet(m.options as unknown as ResNetOptions) : mobilenetV2(m.options as unknown as MobileNetV2Options);
    setBatchNorm(z);
    const n = golden.input.dims.reduce((a, d) => a * d, 1);
    const x = tensor('float32', golden.input.dims, Float32Array.from({ length: n }, (_, i) => Math.sin(0.37 * i + 0.1)));
    const out = await (await createSession(saveModel(z.model))).run({ input: x }, ['logits']);
    expect(out.logits.dims).toEqual(m.dims);
    // float32 inference against a float64 reference: relative to the largest logit (at least 1).
    const scale = Math.max(1, ...m.logits.map(Math.abs));
    const got = out.logits.data as Float32Array;
    let worst = 0;
    m.logits.forEach((v, i) => (worst = Math.max(worst, Math.abs(got[i] - v))));
    expect(worst).toBeLessThan(1e-4 * scale);
  });
});
