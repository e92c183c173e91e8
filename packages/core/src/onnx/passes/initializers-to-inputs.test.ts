import { describe, expect, it } from 'vitest';
import { isXqcError } from '../../errors.ts';
import { createSession } from '../../runtime/session.ts';
import { emptyModel } from '../../testing/model-factory.ts';
import type { Model } from '../ir.ts';
import { saveModel } from '../model-io.ts';
import { tensor } from '../tensor.ts';
import { initializersToInputs } from './initializers-to-inputs.ts';

function linear(): Model {
  const { model, b } = emptyModel([{ name: 'x', dtype: 'float32', shape: [1, 2] }]);
  model.graph.initializers.set('w', tensor('float32', [2, 2], [1, 0, 0, 1]));
  model.graph.initializers.set('bias', tensor('float32', [2], [10, 20]));
  model.graph.outputs = [{ name: b.add(b.op1('MatMul', ['x', 'w']), 'bias') }];
  return model;
}

describe('initializersToInputs', () => {
  it('makes the chosen weights required inputs whose fed values take effect', async () => {
    const model = linear();
    const trainable = initializersToInputs(model, ['w']);
    expect(trainable.graph.inputs.map((v) => v.name)).toEqual(['x', 'w']);
    expect(trainable.graph.inputs[1]).toEqual({ name: 'w', dtype: 'float32', shape: [2, 2] });
    expect([...trainable.graph.initializers.keys()]).toEqual(['bias']);
    expect(model.graph.initializers.has('w')).toBe(true);
    expect(model.graph.inputs).toHaveLength(1);
    const session = await createSession(saveModel(trainable));
    expect(session.inputNames).toEqual(['x', 'w']);
    const y = trainable.graph.outputs[0].name;
    const x = tensor('float32', [1, 2], [1, 2]);
    const w0 = model.graph.initializers.get('w')!;
    expect(Array.from((await session.run({ x, w: w0 }))[y].data as Float32Array)).toEqual([11, 22]);
    const w1 = tensor('float32', [2, 2], [0, 1, 1, 0]);
    expect(Array.from((await session.run({ x, w: w1 }))[y].data as Float32Array)).toEqual([12, 21]);
    await session.release();
  });

  it('selects by predicate, keeps an input already declared, and refuses unknown names', () => {
    const model = linear();
    model.graph.inputs.push({ name: 'bias', dtype: 'float32', shape: [2] });
    const out = initializersToInputs(model, (_name, t) => t.dims.length === 1);
    expect(out.graph.inputs.map((v) => v.name)).toEqual(['x', 'bias']);
    expect(out.graph.initializers.has('bias')).toBe(false);
    let err: unknown;
    try {
      initializersToInputs(linear(), ['x']);
    } catch (e) {
      err = e;
    }
    expect(isXqcError(err, 'XQC_VALUE_NOT_FOUND')).toBe(true);
  });
});
