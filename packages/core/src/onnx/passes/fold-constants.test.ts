import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createSession } from '../../runtime/session.ts';
import { emptyModel } from '../../testing/model-factory.ts';
import type { Model } from '../ir.ts';
import { loadModel, saveModel } from '../model-io.ts';
import { tensor } from '../tensor.ts';
import type { Tensor } from '../tensor.ts';
import { foldConstants } from './fold-constants.ts';

async function run(model: Model, feeds: Record<string, Tensor>): Promise<Record<string, Tensor>> {
  const session = await createSession(saveModel(model), { graphOptimization: 'disabled' });
  const out = await session.run(feeds);
  await session.release();
  return out;
}

/** x -> Reshape(x, Concat(Unsqueeze(Gather(Shape(x), 0)), Mul(-1, 1))) -> Relu -> y: PyTorch's flatten. */
function torchFlatten(batch: number | string): Model {
  const { model, b } = emptyModel([{ name: 'x', dtype: 'float32', shape: [batch, 3, 2, 2] }]);
  const n = b.unsqueeze(b.op1('Gather', [b.shape('x'), b.int64s([0], [])]), [0]);
  const minus = b.op1('Constant', [], { value_ints: [-1] });
  const target = b.op1('Concat', [n, b.mul(minus, b.int64s([1]))], { axis: 0 });
  model.graph.outputs = [{ name: b.op1('Relu', [b.reshape('x', target)]) }];
  return model;
}

const X = tensor('float32', [2, 3, 2, 2], Array.from({ length: 24 }, (_, i) => i - 12));

describe('foldConstants', () => {
  it('turns a PyTorch reshape target into one initializer when the batch is fixed, with identical outputs', async () => {
    const model = torchFlatten(2);
    const folded = foldConstants(model);
    expect(folded.graph.nodes.map((n) => n.opType)).toEqual(['Reshape', 'Relu']);
    const target = folded.graph.initializers.get(folded.graph.nodes[0].inputs[1]);
    expect(target?.data).toEqual(BigInt64Array.of(2n, -1n));
    expect([...folded.graph.initializers.keys()]).toEqual([folded.graph.nodes[0].inputs[1]]);
    expect(await run(folded, { x: X })).toEqual(await run(model, { x: X }));
    expect(model.graph.nodes).toHaveLength(8);
  });

  it('with a symbolic batch folds only what does not depend on it', async () => {
    const model = torchFlatten('N');
    const folded = foldConstants(model);
    expect(folded.graph.nodes.map((n) => n.opType)).toEqual(['Shape', 'Gather', 'Unsqueeze', 'Concat', 'Reshape', 'Relu']);
    expect(await run(folded, { x: X })).toEqual(await run(model, { x: X }));
    const bigger = tensor('float32', [5, 3, 2, 2], Array.from({ length: 60 }, (_, i) => Math.sin(i)));
    expect(await run(folded, { x: bigger })).toEqual(await run(model, { x: bigger }));
  });

  it('keeps a node whose output is a graph output', () => {
    const { model, b } = emptyModel([]);
    model.graph.outputs = [{ name: b.op1('Constant', [], { value_ints: [1, 2] }) }];
    expect(foldConstants(model).graph.nodes).toHaveLength(1);
  });

  it('folds the shape arithmetic of a PyTorch ViT export without changing its outputs', async () => {
    const path = fileURLToPath(new URL('../../../test/fixtures/torch/vit_tiny/model.onnx', import.meta.url));
    const model = loadModel(await readFile(path));
    const name = model.graph.inputs[0].name;
    const folded = foldConstants(model, { inputShapes: { [name]: [2, 3, 32, 32] } });
    expect(folded.graph.nodes.length).toBeLessThan(model.graph.nodes.length / 2);
    const shapeOps = ['Shape', 'Unsqueeze', 'Constant', 'ConstantOfShape', 'Equal', 'Where', 'Cast'];
    expect(folded.graph.nodes.filter((n) => shapeOps.includes(n.opType))).toEqual([]);
    expect(folded.graph.nodes.filter((n) => n.opType === 'Reshape').every((n) => folded.graph.initializers.has(n.inputs[1]))).toBe(true);
    const x = tensor('float32', [2, 3, 32, 32], Array.from({ length: 6144 }, (_, i) => Math.cos(i * 0.37)));
    const [before, after] = [await run(model, { [name]: x }), await run(folded, { [name]: x })];
    for (const o of model.graph.outputs) expect(Array.from(after[o.name].data as Float32Array)).toEqual(Array.from(before[o.name].data as Float32Array));
  });
});
