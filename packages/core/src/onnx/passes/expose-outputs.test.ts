import { describe, expect, it } from 'vitest';
import { isXqcError } from '../../errors.ts';
import { createSession } from '../../runtime/session.ts';
import { emptyModel } from '../../testing/model-factory.ts';
import type { Model } from '../ir.ts';
import { saveModel } from '../model-io.ts';
import { tensor } from '../tensor.ts';
import { exposeOutputs } from './expose-outputs.ts';

function chain(): { model: Model; relu: string; flat: string } {
  const { model, b } = emptyModel([{ name: 'x', dtype: 'float32', shape: ['N', 2, 3] }]);
  const relu = b.op1('Relu', ['x']);
  const flat = b.op1('Flatten', [relu]);
  const y = b.op1('ReduceSum', [flat, b.int64s([1])], { keepdims: 0 });
  model.graph.outputs = [{ name: y }];
  return { model, relu, flat };
}

describe('exposeOutputs', () => {
  it('adds every node output after the existing outputs, with inferred types, and leaves the input model alone', () => {
    const { model, relu, flat } = chain();
    const out = exposeOutputs(model);
    expect(out.graph.outputs.map((o) => o.name)).toEqual([model.graph.outputs[0].name, relu, flat]);
    expect(out.graph.outputs[1]).toEqual({ name: relu, dtype: 'float32', shape: ['N', 2, 3] });
    expect(out.graph.outputs[2]).toEqual({ name: flat, dtype: 'float32', shape: ['N', 6] });
    expect(model.graph.outputs).toHaveLength(1);
  });

  it('exposes chosen values once, names only when asked, and runs in ONNX Runtime', async () => {
    const { model, relu } = chain();
    const out = exposeOutputs(model, [relu, relu], { withTypes: false });
    expect(out.graph.outputs.slice(1)).toEqual([{ name: relu }]);
    const session = await createSession(saveModel(out));
    const r = await session.run({ x: tensor('float32', [1, 2, 3], [-1, 2, -3, 4, -5, 6]) });
    expect(Array.from(r[relu].data as Float32Array)).toEqual([0, 2, 0, 4, 0, 6]);
    await session.release();
  });

  it('refuses names no node produces', () => {
    const { model } = chain();
    for (const name of ['missing', 'x']) {
      let err: unknown;
      try {
        exposeOutputs(model, [name]);
      } catch (e) {
        err = e;
      }
      expect(isXqcError(err, 'XQC_VALUE_NOT_FOUND')).toBe(true);
    }
  });
});
