import { describe, expect, it } from 'vitest';
import { createSession } from '../../runtime/session.ts';
import { emptyModel } from '../../testing/model-factory.ts';
import type { Model } from '../ir.ts';
import { saveModel } from '../model-io.ts';
import { tensor } from '../tensor.ts';
import type { Tensor } from '../tensor.ts';
import { removeUnused } from './remove-unused.ts';

const X = tensor('float32', [2, 3], [1, -2, 3, -4, 5, -6]);

async function run(model: Model): Promise<Record<string, Tensor>> {
  const session = await createSession(saveModel(model));
  const out = await session.run({ x: X });
  await session.release();
  return out;
}

/** Live: x -> Relu -> Mul(w) -> y and x -> Neg -> z. Dead: a Sigmoid -> Exp branch, an unused initializer, a dead value_info. */
function modelWithDeadCode(): { model: Model; dead: string[] } {
  const { model, b } = emptyModel([{ name: 'x', dtype: 'float32', shape: [2, 3] }]);
  const w = b.constant(tensor('float32', [3], [1, 2, 3]), 'w');
  const unused = b.constant(tensor('float32', [3], [7, 8, 9]), 'unused');
  const relu = b.op1('Relu', ['x'], {}, 'live_relu');
  const sig = b.op1('Sigmoid', [relu], {}, 'dead_sigmoid');
  const exp = b.op1('Exp', [b.mul(sig, unused)], {}, 'dead_exp');
  const y = b.mul(relu, w);
  const z = b.neg('x');
  model.graph.outputs = [{ name: y }, { name: z }];
  model.graph.valueInfo = [{ name: relu, dtype: 'float32', shape: [2, 3] }, { name: exp, dtype: 'float32', shape: [2, 3] }];
  return { model, dead: model.graph.nodes.filter((n) => [sig, exp].some((v) => n.outputs.includes(v)) || n.inputs.includes(sig)).map((n) => n.name) };
}

describe('removeUnused', () => {
  it('drops exactly the dead nodes, the unused initializer and the dead value_info', async () => {
    const { model, dead } = modelWithDeadCode();
    expect(dead).toHaveLength(3);
    const out = removeUnused(model);
    expect(out.graph.nodes.map((n) => n.name)).toEqual(model.graph.nodes.map((n) => n.name).filter((n) => !dead.includes(n)));
    expect([...out.graph.initializers.keys()]).toEqual(['t/w']);
    expect(out.graph.valueInfo.map((v) => v.name)).toEqual(['t/Relu_out']);
    expect(out.graph.inputs).toEqual(model.graph.inputs);
    expect(model.graph.nodes).toHaveLength(6);
    expect(await run(out)).toEqual(await run(model));
  });

  it('keeps graph inputs and initializers that are inputs even when nothing reads them', () => {
    const { model, b } = emptyModel([{ name: 'x', dtype: 'float32', shape: [2] }, { name: 'spare', dtype: 'float32', shape: [1] }]);
    model.graph.initializers.set('spare', tensor('float32', [1], [0]));
    model.graph.outputs = [{ name: b.op1('Relu', ['x']) }];
    const out = removeUnused(model);
    expect(out.graph.inputs.map((v) => v.name)).toEqual(['x', 'spare']);
    expect(out.graph.initializers.has('spare')).toBe(true);
  });

  it('keeps values read only inside a subgraph', () => {
    const { model, b } = emptyModel([{ name: 'c', dtype: 'bool', shape: [] }, { name: 'x', dtype: 'float32', shape: [2] }]);
    const outer = b.op1('Relu', ['x']);
    const branch = (op: string) => ({ name: op, nodes: [{ name: op, opType: op, domain: '', inputs: [outer], outputs: [`${op}_y`], attributes: {} }], inputs: [], outputs: [{ name: `${op}_y` }], initializers: new Map(), valueInfo: [] });
    const y = b.op1('If', ['c'], { then_branch: { type: 'graph', value: branch('Neg') }, else_branch: { type: 'graph', value: branch('Abs') } });
    model.graph.outputs = [{ name: y }];
    expect(removeUnused(model).graph.nodes.map((n) => n.opType)).toEqual(['Relu', 'If']);
  });
});
