/**
 * Shape inference on the PyTorch exports under test/fixtures/torch: with the batch dim
 * fixed every value must get a static shape equal to ONNX Runtime's, and with the
 * exported symbolic batch dim the outputs must keep it. The exporter's value_info is
 * removed first, so what is checked is this engine's inference, not torch's.
 */
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { isStatic } from './broadcast.ts';
import type { Model } from '../ir.ts';
import { loadModel } from '../model-io.ts';
import { inferTypes } from './infer.ts';
import { expectInferenceMatchesRuntime, feed } from './runtime-oracle.test-helper.ts';

const ROOT = fileURLToPath(new URL('../../../test/fixtures/torch/', import.meta.url));

interface Meta {
  input: { name: string; shape: number[] };
  outputs: { name: string; shape: number[] }[];
}

const names = (await readdir(ROOT, { withFileTypes: true }).catch(() => [])).filter((e) => e.isDirectory()).map((e) => e.name).sort();

async function load(name: string): Promise<{ model: Model; meta: Meta }> {
  const dir = join(ROOT, name);
  const model = loadModel(await readFile(join(dir, 'model.onnx')));
  model.graph.valueInfo = [];
  for (const o of model.graph.outputs) delete o.shape;
  return { model, meta: JSON.parse(await readFile(join(dir, 'meta.json'), 'utf8')) as Meta };
}

describe('shape inference on PyTorch exports', () => {
  it('finds the fixtures', () => {
    expect(names, `no PyTorch fixtures under ${ROOT} (made by scripts/fixtures/make_torch_fixtures.py)`).not.toEqual([]);
  });

  for (const name of names) {
    it(`${name}: every value is static with the batch fixed, and equals ONNX Runtime's shape`, async () => {
      const { model, meta } = await load(name);
      const inputShapes = { [meta.input.name]: meta.input.shape };
      const env = inferTypes(model, { inputShapes });
      const values = model.graph.nodes.flatMap((n) => n.outputs).filter((o) => o !== '');
      expect(values.filter((v) => !isStatic(env.types.get(v)?.shape))).toEqual([]);
      const model2 = { ...model, graph: { ...model.graph, inputs: model.graph.inputs.map((v) => (v.name === meta.input.name ? { ...v, shape: meta.input.shape } : v)) } };
      const checked = await expectInferenceMatchesRuntime(model2, { [meta.input.name]: feed('float32', meta.input.shape) });
      expect(checked).toBe(values.length);
    });

    it(`${name}: with a symbolic batch every dim is still known and the batch reaches the outputs`, async () => {
      const { model, meta } = await load(name);
      const batch = model.graph.inputs.find((v) => v.name === meta.input.name)?.shape?.[0];
      expect(typeof batch).toBe('string');
      const env = inferTypes(model);
      const values = model.graph.nodes.flatMap((n) => n.outputs).filter((o) => o !== '');
      expect(values.filter((v) => env.types.get(v)?.shape?.every((d) => d !== null) !== true)).toEqual([]);
      for (const o of meta.outputs) expect(env.types.get(o.name)?.shape).toEqual([batch, ...o.shape.slice(1)]);
      await expectInferenceMatchesRuntime(model, { [meta.input.name]: feed('float32', meta.input.shape) });
    });
  }
});
