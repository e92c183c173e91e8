import { describe, expect, it } from 'vitest';
import { isXqcError } from '../../errors.ts';
import { createSession } from '../../runtime/session.ts';
import { emptyModel } from '../../testing/model-factory.ts';
import type { Model } from '../ir.ts';
import { saveModel } from '../model-io.ts';
import { tensor } from '../tensor.ts';
import type { Tensor } from '../tensor.ts';
import { enableDropout } from './enable-dropout.ts';

const X = tensor('float32', [4, 8], Array.from({ length: 32 }, (_, i) => 1 + (i % 5)));

/** x -> MatMul -> Dropout(0.5) -> Relu -> Dropout(training_mode=false) -> y. */
function dropoutModel(opset = 17): Model {
  const { model, b } = emptyModel([{ name: 'x', dtype: 'float32', shape: ['N', 8] }], opset);
  const w = b.constant(tensor('float32', [8, 8], Array.from({ length: 64 }, (_, i) => (i % 9 === 0 ? 1 : 0.1))), 'w');
  const h = b.op1('Dropout', [b.op1('MatMul', ['x', w]), b.scalar(0.5, 'float32')]);
  const off = b.constant(tensor('bool', [], [0]), 'off');
  const y = b.op1('Dropout', [b.op1('Relu', [h]), '', off]);
  model.graph.outputs = [{ name: y }];
  return model;
}

/** `n` runs of one session with ONNX Runtime's default (full) graph optimisation. */
async function runs(model: Model, n: number): Promise<Tensor[]> {
  const session = await createSession(saveModel(model));
  const y = model.graph.outputs[0].name;
  const out: Tensor[] = [];
  for (let i = 0; i < n; i++) out.push((await session.run({ x: X }, [y]))[y]);
  await session.release();
  return out;
}

const values = (t: Tensor) => Array.from(t.data as Float32Array);

describe('enableDropout', () => {
  it('makes every run sample a new mask, while the original model is deterministic', async () => {
    const model = dropoutModel();
    const { model: mc, count, masks } = enableDropout(model);
    expect(count).toBe(2);
    expect(masks).toHaveLength(2);
    expect(mc.graph.outputs.slice(1)).toEqual(masks.map((name) => ({ name, dtype: 'bool' })));
    const [a, b, c] = await runs(mc, 3);
    expect(values(a)).not.toEqual(values(b));
    expect(values(b)).not.toEqual(values(c));
    // Kept units are scaled by 1 / (1 - ratio) twice over; dropped ones are 0.
    const [d1, d2] = await runs(model, 2);
    expect(values(d1)).toEqual(values(d2));
    // Both Dropouts sample (training_mode=false is overridden too), so a unit survives with
    // probability 0.25: over the 96 draws of three runs, 72 dropped on average (sd 4.2);
    // the bounds sit more than four sd away, so they fail only if the rate is wrong.
    const dropped = [a, b, c].reduce((n, t) => n + values(t).filter((v) => v === 0).length, 0);
    expect(dropped).toBeGreaterThan(54);
    expect(dropped).toBeLessThan(90);
    values(a).forEach((v, i) => v !== 0 && expect(v).toBeCloseTo(values(d1)[i] * 4, 4));
  });

  it('leaves the input model unchanged', () => {
    const model = dropoutModel();
    const before = model.graph.nodes.map((n) => [...n.inputs]);
    enableDropout(model, { seed: 3 });
    expect(model.graph.nodes.map((n) => [...n.inputs])).toEqual(before);
    expect(model.graph.nodes.some((n) => 'seed' in n.attributes)).toBe(false);
  });

  it('with a seed, a fresh session replays the same masks and another seed gives others', async () => {
    const model = dropoutModel();
    const [a1, a2] = await runs(enableDropout(model, { seed: 7 }).model, 2);
    const [b1, b2] = await runs(enableDropout(model, { seed: 7 }).model, 2);
    const [c1] = await runs(enableDropout(model, { seed: 8 }).model, 1);
    expect(values(b1)).toEqual(values(a1));
    expect(values(b2)).toEqual(values(a2));
    expect(values(a2)).not.toEqual(values(a1));
    expect(values(c1)).not.toEqual(values(a1));
  });

  it('reports 0 for a model without Dropout and refuses Dropout below opset 12', () => {
    const { model, b } = emptyModel([{ name: 'x', dtype: 'float32', shape: [2] }]);
    model.graph.outputs = [{ name: b.op1('Relu', ['x']) }];
    const r = enableDropout(model);
    expect(r.count).toBe(0);
    expect(r.model.graph.nodes).toHaveLength(1);
    let err: unknown;
    try {
      enableDropout(dropoutModel(11));
    } catch (e) {
      err = e;
    }
    expect(isXqcError(err, 'XQC_MODEL_UNSUPPORTED_OPSET')).toBe(true);
  });
});
